"""Emergency and crisis replies (knowledge/safety.yml) and the names of what the page
does not cover (knowledge/scope.yml), for the action server.

The word lists in both files belong to the NLU (components/safety_guard.py,
components/scope_guard.py); here only the texts are read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

from bot.content.knowledge import DEFAULT_KNOWLEDGE_DIR, fold_whitespace

TIER_ORDER = ("notruf", "krise", "heute")  # most urgent first


@dataclass(frozen=True)
class Tier:
    id: str
    lead: str
    after: str
    source: str


@dataclass(frozen=True)
class SafetyReply:
    lines: tuple[str, ...]
    source: str
    tier: str
    signs: tuple[str, ...]

    @property
    def body(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class SafetyTexts:
    tiers: dict[str, Tier]
    sign_tiers: dict[str, str]
    sign_why: dict[str, str]
    general_warning: str
    general_source: str
    mention_line: str
    signs_info_lead: str
    scope_names: dict[str, str]
    named_by_text: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()  # topics of kind `state` (a pregnancy): named by their `name`

    def signs_reply(self) -> SafetyReply:
        """The answer to a question about the warning signs themselves: information, no alarm. The
        signs are general_warning's, after its first line ("Rufen Sie jetzt den Notruf 112.")."""
        signs = self.general_warning.split("\n", 1)[1:]
        return SafetyReply((self.signs_info_lead, *signs), self.general_source, "info", ())

    def reply(self, signs: list[str], crisis_intent: bool = False) -> SafetyReply:
        """The reply to a message that reports `signs` (ids from safety.yml), most urgent first.

        First line: what to do now (the top tier's lead); then why, for up to two signs of
        that tier; then the tier's `after`. A crisis next to an emergency adds the crisis
        lines after the emergency ones. Without a known sign: the list of warning signs, or
        (for a crisis the classifier found) the crisis reply.
        """
        known = [s for s in dict.fromkeys(signs) if s in self.sign_tiers]
        tiers = [t for t in TIER_ORDER if any(self.sign_tiers[s] == t for s in known)]
        if not tiers:
            if crisis_intent:
                tiers = ["krise"]
            else:
                return SafetyReply((self.general_warning,), self.general_source, "notruf", ())
        top = self.tiers[tiers[0]]
        lines = [top.lead]
        lines += [self.sign_why[s] for s in known if self.sign_tiers[s] == top.id and self.sign_why[s]][:2]
        lines.append(top.after)
        for other in tiers[1:]:
            if other == "krise":
                tier = self.tiers[other]
                lines += [tier.lead, tier.after]
        return SafetyReply(tuple(lines), top.source, top.id, tuple(known))


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return YAML(typ="safe").load(handle) or {}


def load_safety_texts(root: Path | str = DEFAULT_KNOWLEDGE_DIR) -> SafetyTexts:
    root = Path(root)
    safety = _read(root / "safety.yml")
    scope = _read(root / "scope.yml")
    tiers = {
        str(tier_id): Tier(
            str(tier_id), fold_whitespace(t["lead"]), fold_whitespace(t["after"]), fold_whitespace(t["source"])
        )
        for tier_id, t in (safety.get("tiers") or {}).items()
    }
    signs = safety.get("signs") or {}
    general = safety.get("general_warning") or {}
    info = safety.get("signs_info") or {}
    return SafetyTexts(
        tiers=tiers,
        sign_tiers={str(k): str(v.get("tier")) for k, v in signs.items()},
        sign_why={str(k): fold_whitespace(v.get("why") or "") for k, v in signs.items()},
        general_warning=str(general.get("text", "")).strip(),
        general_source=fold_whitespace(str(general.get("source", ""))),
        mention_line=fold_whitespace(str(safety.get("mention_line", ""))),
        signs_info_lead=fold_whitespace(str(info.get("lead", ""))),
        scope_names={
            str(k): str(v.get("name"))
            for section in ("topics", "other_treatments", "requests")
            for k, v in (scope.get(section) or {}).items()
        },
        named_by_text=frozenset(str(k) for k, v in (scope.get("topics") or {}).items() if v.get("named_by_text")),
        states=frozenset(str(k) for k, v in (scope.get("topics") or {}).items() if v.get("kind") == "state"),
    )
