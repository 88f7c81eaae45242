"""From turns to the review: which messages to show, grouped, and the figures per week.

Pure functions over `conversations.Turn`; nothing here reads a database or writes a file.
Every text that leaves this module went through the pseudonymiser.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from tools.review.conversations import (
    ANSWERED,
    CLARIFIED,
    DECLINED,
    EMERGENCY,
    FALLBACK,
    BotReply,
    Turn,
)
from tools.review.lexicon import fold

ROOT = Path(__file__).resolve().parents[2]
THUMBS_DOWN = "thumbs_down"
# the order of the report's sections
REASONS = (FALLBACK, DECLINED, CLARIFIED, EMERGENCY, THUMBS_DOWN)
WEEKLY_SHARES = (ANSWERED, DECLINED, CLARIFIED, FALLBACK, EMERGENCY)
SIMILARITY = 80  # rapidfuzz token_set_ratio (0–100) from which two wordings count as similar
DEFAULT_THRESHOLD = 0.4


@functools.cache
def texts() -> dict:
    return yaml.safe_load((Path(__file__).with_name("texts.yml")).read_text(encoding="utf-8"))


@functools.cache
def fallback_threshold(config: Path = ROOT / "config.yml") -> float:
    """The FallbackClassifier's threshold in config.yml (below it the bot asks to rephrase)."""
    try:
        for component in yaml.safe_load(config.read_text(encoding="utf-8")).get("pipeline") or []:
            if component.get("name") == "FallbackClassifier":
                return float(component.get("threshold", DEFAULT_THRESHOLD))
    except (OSError, yaml.YAMLError, AttributeError):
        pass
    return DEFAULT_THRESHOLD


@functools.cache
def therapy_names(root: Path = ROOT) -> dict[str, str]:
    data = yaml.safe_load((root / "knowledge" / "therapies.yml").read_text(encoding="utf-8"))
    return {str(k): str(v.get("name", k)) for k, v in (data.get("therapies") or {}).items()}


@functools.cache
def aspect_names(root: Path = ROOT) -> dict[str, str]:
    data = yaml.safe_load((root / "knowledge" / "aspects.yml").read_text(encoding="utf-8"))
    return {str(k): str(v.get("topic") or v.get("label") or k) for k, v in (data.get("aspects") or {}).items()}


def band(confidence: float | None, threshold: float) -> str:
    """The confidence band's key in texts.yml `bands`."""
    if confidence is None:
        return "none"
    if confidence >= 0.999:
        return "rule"
    if confidence < threshold:
        return "below"
    if confidence < 0.6:
        return "low"
    if confidence < 0.8:
        return "medium"
    return "high"


@dataclass
class Item:
    """One message to review (several identical messages are one item with a count)."""

    number: int
    reason: str
    text: str  # pseudonymised
    count: int
    first_seen: float
    last_seen: float
    intent: str | None  # what the bot thought (for a fallback: the best intent below the threshold)
    confidence: float | None
    therapy: str | None
    aspect: str | None
    band: str
    reply: str  # the bot's reply (first message), pseudonymised like everything else
    rated: str | None = None  # for 👎: the rated answer
    comments: list[str] = field(default_factory=list)


@dataclass
class Cluster:
    items: list[Item]

    @property
    def count(self) -> int:
        return sum(i.count for i in self.items)


@dataclass
class Group:
    reason: str
    intent: str | None
    therapy: str | None
    aspect: str | None
    band: str
    clusters: list[Cluster]

    @property
    def count(self) -> int:
        return sum(c.count for c in self.clusters)

    @property
    def items(self) -> list[Item]:
        return [item for cluster in self.clusters for item in cluster.items]


@dataclass
class Week:
    year: int
    week: int
    start: dt.date
    end: dt.date
    messages: int
    shares: dict[str, float]  # outcome → share of messages (0–1)
    counts: dict[str, int]
    ratings: dict[str, tuple[int, int]]  # therapy → (👍, 👎)


@dataclass
class Review:
    generated: dt.datetime
    since: float | None
    since_days: float | None
    oldest: float | None
    retention_days: float
    threshold: float
    weeks: list[Week]
    groups: dict[str, list[Group]]  # reason → groups, most frequent first
    items: list[Item]  # in report order, numbered 1…
    conversations: int


# --- building ---------------------------------------------------------------------
def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text)).strip(" .!?")


def _reasons(turn: Turn) -> list[str]:
    if turn.is_feedback:
        return [THUMBS_DOWN] if turn.helpful is False else []
    if turn.payload:
        return []  # a button tap: not something a person worded
    outcome = turn.outcome
    return [outcome] if outcome in (FALLBACK, DECLINED, CLARIFIED, EMERGENCY) else []


def _reply_text(replies: list[BotReply]) -> str:
    return "\n".join(r.text for r in replies if r.text).strip()


def weekly(turns: Iterable[Turn]) -> list[Week]:
    """Per ISO week: share of each outcome among the messages, and 👍/👎 per treatment."""
    counts: dict[tuple[int, int], Counter] = defaultdict(Counter)
    ratings: dict[tuple[int, int], dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for turn in turns:
        day = dt.datetime.fromtimestamp(turn.timestamp).date()
        year, week, _ = day.isocalendar()
        key = (year, week)
        if turn.is_feedback:
            therapy = (turn.rated.therapy if turn.rated else None) or "unknown"
            ratings[key][therapy][0 if turn.helpful else 1] += 1
            counts[key]  # the week exists even with feedback only
            continue
        counts[key]["messages"] += 1
        counts[key][turn.outcome] += 1
    weeks = []
    for (year, week), counter in sorted(counts.items()):
        start = dt.date.fromisocalendar(year, week, 1)
        total = counter["messages"]
        weeks.append(
            Week(
                year=year,
                week=week,
                start=start,
                end=start + dt.timedelta(days=6),
                messages=total,
                shares={o: (counter[o] / total if total else 0.0) for o in WEEKLY_SHARES},
                counts={o: counter[o] for o in WEEKLY_SHARES},
                ratings={t: (v[0], v[1]) for t, v in sorted(ratings[(year, week)].items())},
            )
        )
    return weeks


def _cluster(items: list[Item], similarity: int = SIMILARITY) -> list[Cluster]:
    """Similar wordings together (rapidfuzz token_set_ratio), most frequent first."""
    clusters: list[tuple[str, Cluster]] = []
    for item in sorted(items, key=lambda i: (-i.count, i.first_seen)):
        norm = _normalise(item.text)
        for leader, cluster in clusters:
            if fuzz.token_set_ratio(norm, leader) >= similarity:
                cluster.items.append(item)
                break
        else:
            clusters.append((norm, Cluster([item])))
    return sorted((c for _, c in clusters), key=lambda c: -c.count)


def build(
    all_turns: list[Turn],
    *,
    since: float | None,
    oldest: float | None,
    retention_days: float,
    pseudonymise: Callable[[str], str],
    now: dt.datetime | None = None,
    threshold: float | None = None,
) -> Review:
    threshold = fallback_threshold() if threshold is None else threshold
    pseudonymise = functools.lru_cache(maxsize=100_000)(pseudonymise)  # bot replies and common messages repeat
    window = [t for t in all_turns if since is None or t.timestamp >= since]
    # identical messages (after pseudonymising) with the same reason and reading are one item
    merged: dict[tuple, Item] = {}
    previous: dict[int, Turn] = {}  # conversation → the last typed message before a 👎
    for turn in window:
        if not turn.is_feedback and not turn.payload:
            previous[turn.conversation] = turn
        for reason in _reasons(turn):
            if reason == THUMBS_DOWN:
                asked = previous.get(turn.conversation)
                source = asked or turn
                intent, confidence = source.guessed_intent if asked else (None, None)
                therapy = turn.rated.therapy if turn.rated else None
                aspect = turn.rated.aspect if turn.rated else None
                text = pseudonymise(asked.text) if asked else ""
                reply = pseudonymise(turn.rated.text) if turn.rated else ""
                rated = reply
            else:
                intent, confidence = turn.guessed_intent
                therapy, aspect = turn.therapy, turn.aspect
                text = pseudonymise(turn.text)
                reply = pseudonymise(_reply_text(turn.replies))
                rated = None
            the_band = band(confidence, threshold)
            key = (reason, intent, therapy, aspect, the_band, _normalise(text), reply if reason == THUMBS_DOWN else "")
            item = merged.get(key)
            if item is None:
                item = merged[key] = Item(
                    number=0, reason=reason, text=text, count=0, first_seen=turn.timestamp, last_seen=turn.timestamp,
                    intent=intent, confidence=confidence, therapy=therapy, aspect=aspect, band=the_band,
                    reply=reply, rated=rated,
                )  # fmt: skip
            item.count += 1
            item.first_seen = min(item.first_seen, turn.timestamp)
            item.last_seen = max(item.last_seen, turn.timestamp)
            if confidence is not None and item.confidence is not None:
                item.confidence = min(item.confidence, confidence)
            if turn.comment:
                item.comments.append(pseudonymise(turn.comment))
    # group by what the bot thought, then by wording
    by_thought: dict[tuple, list[Item]] = defaultdict(list)
    for item in merged.values():
        by_thought[(item.reason, item.intent, item.therapy, item.aspect, item.band)].append(item)
    groups: dict[str, list[Group]] = {reason: [] for reason in REASONS}
    for (reason, intent, therapy, aspect, the_band), items in by_thought.items():
        groups[reason].append(Group(reason, intent, therapy, aspect, the_band, _cluster(items)))
    ordered: list[Item] = []
    for reason in REASONS:
        groups[reason].sort(key=lambda g: (-g.count, g.intent or "", g.therapy or ""))
        for group in groups[reason]:
            for item in group.items:
                ordered.append(item)
                item.number = len(ordered)
    return Review(
        generated=now or dt.datetime.now(),
        since=since,
        since_days=None if since is None else round(((now or dt.datetime.now()).timestamp() - since) / 86400, 1),
        oldest=oldest,
        retention_days=retention_days,
        threshold=threshold,
        weeks=weekly(all_turns),
        groups=groups,
        items=ordered,
        conversations=len({t.conversation for t in window}),
    )
