"""The curated fact store: load `knowledge/`, check its structure, and look claims up.

Nothing here knows about Rasa. Loading collects every problem it finds and raises one
`KnowledgeError` whose lines read `Datei:Zeile: was falsch ist. So beheben Sie es: …`,
so an editor sees all mistakes at once. The content rules (quotes verbatim, hedges kept,
numbers backed by the quote) are checked by tools/content_rules.py in `make check`.

The store, file by file:

- sources.yml      the page, its parts (sections), its references, the disclaimer
- therapies.yml    the treatments (ids, names, groups)
- aspects.yml      the four aspects (wirksamkeit, risiken, kosten, methode)
- details.yml      the details people ask about, and the words for them
- general.yml      claims about passive treatments in general; the general answers (topics)
- claims/<id>.yml  per treatment: claims, claims shared from other files, silences
- safety.yml       emergency and crisis replies (read by actions/safety.py)
- scope.yml        what the page does not cover (read by the NLU only)
- source/          the page's text, which every `quote` must match
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"
GENERAL = "allgemein"  # owner of the claims in general.yml: "allgemein.igel"
REQUIRED_TOPICS = ("uebersicht", "aktive_behandlungen", "quellen", "kosten_allgemein")
REFERRALS = ("arzt", "kasse")


class KnowledgeError(Exception):
    """The fact store is broken; `problems` holds one `Datei:Zeile: …` line per mistake."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class SourcePage:
    publisher: str
    site: str
    title: str
    url: str
    updated: str
    text: str  # the page's words, whitespace folded: what every quote must match


@dataclass(frozen=True)
class Section:
    id: str
    label: str
    heading: bool  # the label is the page's own heading (shown in „…“)


@dataclass(frozen=True)
class Therapy:
    id: str
    name: str
    part_of: str | None = None
    short_name: str | None = None
    # words that name this treatment right after another member of its group
    # ("und das mit den Nadeln?" after TENS means PENS, not Akupunktur)
    in_group_words: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The name on a button (messengers cut button titles at 20 characters)."""
        return self.short_name or self.name


@dataclass(frozen=True)
class Aspect:
    id: str
    label: str
    topic: str


@dataclass(frozen=True)
class Detail:
    id: str
    aspect: str
    silent: str | None = None  # said first when no claim answers the detail
    refer: str | None = None
    aspect_wins: bool = False  # the detail decides the aspect, whatever the wording suggests
    always_silent: bool = False  # the page never gives this detail: `silent` comes first even next to claims
    # its words also tell the person's own complaint ("Mein Rücken tut weh, hilft Massage?"):
    # it counts only where its aspect is asked
    only_in_its_aspect: bool = False
    # details asked together with this one that the page does answer ("echte oder Schein-
    # Akupunktur, was ist besser?"): then `silent` is not said, their claims answer
    answered_with: tuple[str, ...] = ()
    # the page's general statement answers it for every treatment alike ("Ist Laser aktiv oder
    # passiv?"): it comes first, also where the page says nothing about the treatment's own aspect
    general_first: bool = False


@dataclass(frozen=True)
class Claim:
    """One statement in our words, resting on the page's exact words."""

    id: str  # "akupunktur.schein", "allgemein.igel"
    text: str
    quotes: tuple[str, ...]
    section: str
    aspects: tuple[str, ...] = ()
    details: tuple[str, ...] = ()
    verdict: bool = False  # the treatment's evidence verdict
    advice: bool = False  # what to do with it ("höchstens ergänzend"); said once per answer
    references: tuple[str, ...] = ()
    origin: str = ""  # "Datei:Zeile", for messages to editors


@dataclass(frozen=True)
class Silence:
    """What the page does not say about a treatment, and the nearest thing it does say."""

    text: str
    aspects: tuple[str, ...] = ()
    details: tuple[str, ...] = ()
    nearest: tuple[str, ...] = ()  # claim ids
    refer: str | None = None
    origin: str = ""


@dataclass(frozen=True)
class KnowledgeBase:
    page: SourcePage
    sections: dict[str, Section]
    references: dict[str, str]
    disclaimer: str
    therapies: dict[str, Therapy]
    aspects: dict[str, Aspect]
    details: dict[str, Detail]
    claims: dict[str, Claim]
    therapy_claims: dict[str, tuple[Claim, ...]]  # own and shared, in the file's order
    silences: dict[str, tuple[Silence, ...]]
    topics: dict[str, tuple[Claim, ...]]
    # words that refer to the treatments talked about before ("beide Verfahren"), from therapies.yml
    both_words: tuple[str, ...] = ()

    def claim(self, claim_id: str) -> Claim:
        return self.claims[claim_id]

    def claims_of(self, therapy: str, aspect: str | None = None, detail: str | None = None) -> list[Claim]:
        """A treatment's claims (own and shared), filtered by aspect and/or detail."""
        return [
            c
            for c in self.therapy_claims.get(therapy, ())
            if (aspect is None or aspect in c.aspects) and (detail is None or detail in c.details)
        ]

    def verdict(self, therapy: str) -> Claim | None:
        return next((c for c in self.therapy_claims.get(therapy, ()) if c.verdict), None)

    def silence(self, therapy: str, aspect: str | None = None, detail: str | None = None) -> Silence | None:
        for silence in self.silences.get(therapy, ()):
            if (detail is not None and detail in silence.details) or (
                detail is None and aspect is not None and aspect in silence.aspects
            ):
                return silence
        group = self.therapies[therapy].part_of if therapy in self.therapies else None
        if detail is not None and group:
            # what the group's file says about a detail holds for its members (a pacemaker: for TENS,
            # PENS and the Interferenztherapie), unless a member's own file says otherwise
            return next((s for s in self.silences.get(group, ()) if detail in s.details), None)
        return None

    def general_claims(self, detail: str) -> list[Claim]:
        return [c for c in self.claims.values() if c.id.startswith(GENERAL + ".") and detail in c.details]

    def top_level_therapies(self) -> list[Therapy]:
        """Therapies that are not part of a group, in the editors' order."""
        return [t for t in self.therapies.values() if t.part_of is None]

    def members(self, group: str) -> list[Therapy]:
        return [t for t in self.therapies.values() if t.part_of == group]


def fold_whitespace(text: str) -> str:
    return " ".join(text.split())


@dataclass
class _Loader:
    root: Path
    problems: list[str] = field(default_factory=list)

    # -- reading ---------------------------------------------------------
    def problem(self, where: str, what: str, fix: str) -> None:
        self.problems.append(f"{where}: {what}. So beheben Sie es: {fix}")

    def read(self, path: Path) -> Any:
        try:
            with path.open(encoding="utf-8") as handle:
                return YAML(typ="rt").load(handle)
        except FileNotFoundError:
            self.problem(f"{self.rel(path)}:1", "die Datei fehlt", "legen Sie sie an (Vorlage: docs/EDITING.md)")
        except MarkedYAMLError as error:
            line = error.problem_mark.line + 1 if error.problem_mark else 1
            self.problem(
                f"{self.rel(path)}:{line}",
                f"die Datei ist kein gültiges YAML ({error.problem})",
                "prüfen Sie Einrückung, Doppelpunkte und Anführungszeichen in dieser Zeile (make check erklärt es genauer)",
            )
        return None

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def where(self, path: Path, node: Any, key: Any = None) -> str:
        """`Datei:Zeile` of a mapping (or of one key inside it, or of one item of a list)."""
        line = None
        if isinstance(node, CommentedMap):
            try:
                line = node.lc.key(key)[0] if key is not None else node.lc.line
            except (KeyError, TypeError, AttributeError):
                line = node.lc.line
        elif isinstance(node, CommentedSeq):
            try:
                line = node.lc.item(key)[0] if key is not None else node.lc.line
            except (KeyError, TypeError, AttributeError, IndexError):
                line = node.lc.line
        return f"{self.rel(path)}:{(line or 0) + 1}"

    def mapping(self, path: Path, parent: Any, key: str) -> CommentedMap:
        if not parent:
            return CommentedMap()  # the file is missing or broken: reported already
        value = parent.get(key) if isinstance(parent, CommentedMap) else None
        if not isinstance(value, CommentedMap):
            self.problem(
                self.where(path, parent, key if isinstance(parent, CommentedMap) and key in parent else None),
                f"'{key}:' fehlt oder ist keine Liste von Einträgen mit Namen",
                f"schreiben Sie '{key}:' und darunter, eingerückt, je Eintrag 'name: …'",
            )
            return CommentedMap()
        return value

    def text(self, path: Path, node: Any, key: str, what: str) -> str:
        value = node.get(key) if isinstance(node, CommentedMap) else None
        if not isinstance(value, str) or not value.strip():
            self.problem(
                self.where(path, node), f"{what} hat kein '{key}'", f"ergänzen Sie '{key}: …' in einfachem Deutsch"
            )
            return ""
        return fold_whitespace(value) if "\n- " not in value else value.strip()

    def id_list(self, path: Path, node: CommentedMap, key: str, what: str) -> tuple[str, ...]:
        """A list of ids written `[a, b]`; a plain word is taken as a list of one (not letter by letter)."""
        value = node.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value.strip(),)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(
                self.where(path, node, key), f"{what}: '{key}' ist keine Liste", f"schreiben Sie '{key}: [a, b]'"
            )
            return ()
        return tuple(v.strip() for v in value)

    # -- the parts -------------------------------------------------------
    def load(self) -> KnowledgeBase:
        sources_path = self.root / "sources.yml"
        sources = self.read(sources_path) or CommentedMap()
        page_node = self.mapping(sources_path, sources, "page")
        page_text = ""
        text_file = page_node.get("text") if isinstance(page_node, CommentedMap) else None
        if isinstance(text_file, str):
            try:
                page_text = fold_whitespace((self.root / text_file).read_text(encoding="utf-8"))
            except FileNotFoundError:
                self.problem(
                    self.where(sources_path, page_node, "text"),
                    f"der Text der Seite fehlt ({text_file})",
                    "legen Sie ihn unter knowledge/source/ ab und nennen Sie die Datei hier",
                )
        else:
            self.problem(
                self.where(sources_path, page_node), "es fehlt 'text:'", "nennen Sie die Datei mit dem Text der Seite"
            )
        page = SourcePage(
            publisher=self.text(sources_path, page_node, "publisher", "die Quelle"),
            site=self.text(sources_path, page_node, "site", "die Quelle"),
            title=self.text(sources_path, page_node, "title", "die Quelle"),
            url=self.text(sources_path, page_node, "url", "die Quelle"),
            updated=self.text(sources_path, page_node, "updated", "die Quelle"),
            text=page_text,
        )
        sections = {}
        for section_id, node in self.mapping(sources_path, sources, "sections").items():
            sections[str(section_id)] = Section(
                id=str(section_id),
                label=self.text(sources_path, node, "label", f"Abschnitt '{section_id}'"),
                heading=bool(node.get("heading", False)) if isinstance(node, CommentedMap) else False,
            )
        references = {str(k): str(v) for k, v in self.mapping(sources_path, sources, "references").items()}
        disclaimer = self.text(sources_path, sources, "disclaimer", "sources.yml") if sources else ""

        therapies = self.load_therapies()
        aspects_path = self.root / "aspects.yml"
        aspect_nodes = self.mapping(aspects_path, self.read(aspects_path) or CommentedMap(), "aspects")
        aspects = {
            str(aspect_id): Aspect(
                id=str(aspect_id),
                label=self.text(aspects_path, node, "label", f"Aspekt '{aspect_id}'"),
                topic=self.text(aspects_path, node, "topic", f"Aspekt '{aspect_id}'"),
            )
            for aspect_id, node in aspect_nodes.items()
            if isinstance(node, CommentedMap)
        }
        details = self.load_details(aspects)
        context = _Context(sections, references, aspects, details)

        claims: dict[str, Claim] = {}
        general_path = self.root / "general.yml"
        general = self.read(general_path) or CommentedMap()
        self.load_claims(general_path, general, GENERAL, context, claims)
        files: dict[str, tuple[Path, CommentedMap]] = {}
        for path in sorted((self.root / "claims").glob("*.yml")):
            document = self.read(path)
            if not isinstance(document, CommentedMap):
                if document is not None:
                    self.problem(
                        f"{self.rel(path)}:1",
                        "es fehlen 'therapy:' und 'claims:'",
                        "nehmen Sie eine andere Datei in knowledge/claims/ als Vorlage",
                    )
                continue
            therapy_id = document.get("therapy")
            if therapy_id not in therapies:
                self.problem(
                    self.where(path, document, "therapy" if "therapy" in document else None),
                    f"unbekannte Behandlung '{therapy_id}'",
                    f"tragen Sie sie in knowledge/therapies.yml ein oder nehmen Sie eine von: {', '.join(therapies)}",
                )
                continue
            if path.stem != therapy_id:
                self.problem(
                    self.where(path, document, "therapy"),
                    f"die Datei heißt '{path.name}', beschreibt aber '{therapy_id}'",
                    f"nennen Sie die Datei knowledge/claims/{therapy_id}.yml",
                )
            files[str(therapy_id)] = (path, document)
            self.load_claims(path, document, str(therapy_id), context, claims)

        therapy_claims: dict[str, tuple[Claim, ...]] = {}
        silences: dict[str, tuple[Silence, ...]] = {}
        for therapy_id in therapies:
            if therapy_id not in files:
                self.problem(
                    f"knowledge/therapies.yml:{self.therapy_lines.get(therapy_id, 1)}",
                    f"zur Behandlung '{therapy_id}' gibt es keine Datei knowledge/claims/{therapy_id}.yml",
                    f"kopieren Sie knowledge/claims/traktion.yml nach knowledge/claims/{therapy_id}.yml und passen Sie sie an",
                )
                continue
            path, document = files[therapy_id]
            own = [c for c in claims.values() if c.id.startswith(therapy_id + ".")]
            shared = []
            for claim_id in self.id_list(path, document, "shared", "geteilte Aussagen"):
                if claim_id not in claims:
                    self.problem(
                        self.where(path, document, "shared"),
                        f"'shared' nennt die unbekannte Aussage '{claim_id}'",
                        "schreiben Sie sie als <behandlung>.<id>, z. B. elektrotherapie.nicht_belegt oder allgemein.rat",
                    )
                else:
                    shared.append(claims[claim_id])
            therapy_claims[therapy_id] = tuple(own + shared)
            silences[therapy_id] = self.load_silences(path, document, context, claims)
            self.check_coverage(
                path, document, therapies[therapy_id], therapy_claims[therapy_id], silences[therapy_id], aspects
            )

        topics = {}
        topic_nodes = self.mapping(general_path, general, "topics")
        for topic_id, ids in topic_nodes.items():
            resolved = []
            for claim_id in ids or []:
                full = claim_id if "." in str(claim_id) else f"{GENERAL}.{claim_id}"
                if full not in claims:
                    self.problem(
                        self.where(general_path, topic_nodes, topic_id),
                        f"Thema '{topic_id}' nennt die unbekannte Aussage '{claim_id}'",
                        "nehmen Sie eine id aus 'claims:' oben in der Datei",
                    )
                else:
                    resolved.append(claims[full])
            topics[str(topic_id)] = tuple(resolved)
        for topic_id in REQUIRED_TOPICS:
            if topic_id not in topics:
                self.problem(
                    f"{self.rel(general_path)}:1",
                    f"das Thema '{topic_id}' fehlt",
                    f"ergänzen Sie unter 'topics:' die Zeile '{topic_id}: [...]'",
                )

        return KnowledgeBase(
            page=page,
            sections=sections,
            references=references,
            disclaimer=disclaimer,
            therapies=therapies,
            aspects=aspects,
            details=details,
            claims=claims,
            therapy_claims=therapy_claims,
            silences=silences,
            topics=topics,
            both_words=self.both_words,
        )

    def load_therapies(self) -> dict[str, Therapy]:
        path = self.root / "therapies.yml"
        document = self.read(path) or CommentedMap()
        nodes = self.mapping(path, document, "therapies")
        both = document.get("both_words") if isinstance(document, CommentedMap) else None
        self.both_words = tuple(str(w).lower() for w in both or [])
        self.therapy_lines = {str(k): nodes.lc.key(k)[0] + 1 for k in nodes} if nodes else {}
        therapies: dict[str, Therapy] = {}
        for therapy_id, node in nodes.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]*", str(therapy_id)):
                self.problem(
                    self.where(path, nodes, therapy_id),
                    f"die id '{therapy_id}' hat Großbuchstaben, Umlaute oder Zeichen",
                    "schreiben Sie sie klein, mit _ statt Leerzeichen und ae/oe/ue/ss, z. B. waermetherapie",
                )
            if not isinstance(node, CommentedMap):
                self.problem(
                    self.where(path, nodes, therapy_id),
                    f"die Behandlung '{therapy_id}' hat keinen 'name'",
                    'schreiben Sie darunter, eingerückt: name: "…"',
                )
                continue
            therapies[str(therapy_id)] = Therapy(
                id=str(therapy_id),
                name=self.text(path, node, "name", f"Behandlung '{therapy_id}'"),
                part_of=node.get("part_of"),
                short_name=node.get("short_name"),
                in_group_words=tuple(str(w).lower() for w in node.get("in_group_words") or []),
            )
        for therapy in therapies.values():
            if therapy.part_of is not None and therapy.part_of not in therapies:
                self.problem(
                    self.where(path, nodes[therapy.id], "part_of"),
                    f"'{therapy.id}' gehört zu einer unbekannten Gruppe '{therapy.part_of}'",
                    f"nehmen Sie eine von: {', '.join(therapies)}",
                )
        return therapies

    def load_details(self, aspects: dict[str, Aspect]) -> dict[str, Detail]:
        path = self.root / "details.yml"
        nodes = self.mapping(path, self.read(path) or CommentedMap(), "details")
        details = {}
        for detail_id, node in nodes.items():
            if not isinstance(node, CommentedMap):
                continue
            aspect = str(node.get("aspect", ""))
            if aspect not in aspects:
                self.problem(
                    self.where(path, node),
                    f"Detail '{detail_id}' hat keinen gültigen 'aspect'",
                    f"nehmen Sie einen von: {', '.join(aspects)}",
                )
            refer = node.get("refer")
            if refer is not None and refer not in REFERRALS:
                self.problem(
                    self.where(path, node, "refer"),
                    f"unbekannter Verweis '{refer}'",
                    f"nehmen Sie einen von: {', '.join(REFERRALS)}",
                )
            for other in node.get("answered_with") or ():
                if str(other) not in nodes:
                    self.problem(
                        self.where(path, node, "answered_with"),
                        f"'answered_with' nennt das unbekannte Detail '{other}'",
                        f"nehmen Sie eines von: {', '.join(str(d) for d in nodes)}",
                    )
            silent = node.get("silent")
            details[str(detail_id)] = Detail(
                id=str(detail_id),
                aspect=aspect,
                silent=fold_whitespace(silent) if isinstance(silent, str) else None,
                refer=refer,
                aspect_wins=bool(node.get("aspect_wins", False)),
                always_silent=bool(node.get("always_silent", False)),
                only_in_its_aspect=bool(node.get("only_in_its_aspect", False)),
                answered_with=tuple(str(d) for d in node.get("answered_with") or ()),
                general_first=bool(node.get("general_first", False)),
            )
        return details

    def load_claims(self, path: Path, document: Any, owner: str, context: _Context, claims: dict[str, Claim]) -> None:
        items = document.get("claims") if isinstance(document, CommentedMap) else None
        if items is None:
            return
        if not isinstance(items, CommentedSeq):
            self.problem(
                self.where(path, document, "claims"),
                "'claims:' ist keine Liste",
                "beginnen Sie jede Aussage mit '  - id: …'",
            )
            return
        for index, node in enumerate(items):
            where = self.where(path, items, index)
            if not isinstance(node, CommentedMap):
                self.problem(
                    where,
                    "diese Aussage ist kein Eintrag mit 'id', 'text', 'quote' und 'section'",
                    "rücken Sie die Zeilen der Aussage gleich weit ein wie 'id:'",
                )
                continue
            local = str(node.get("id") or "").strip()
            if not re.fullmatch(r"[a-z][a-z0-9_]*", local):
                self.problem(
                    where,
                    f"die Aussage hat keine gültige id ('{local}')",
                    "schreiben Sie 'id: …' klein, mit _ statt Leerzeichen, ohne Umlaute",
                )
                continue
            claim_id = f"{owner}.{local}"
            if claim_id in claims:
                self.problem(
                    where,
                    f"die id '{local}' gibt es schon ({claims[claim_id].origin})",
                    "geben Sie der Aussage eine andere id",
                )
                continue
            what = f"Aussage '{claim_id}'"
            text = self.text(path, node, "text", what)
            quotes = node.get("quote")
            quote_list = (quotes,) if isinstance(quotes, str) else tuple(quotes or ())
            quote_list = tuple(fold_whitespace(str(q)) for q in quote_list)
            if not quote_list:
                self.problem(
                    where,
                    f"{what} hat kein 'quote'",
                    "kopieren Sie die Worte der Seite, auf denen sie beruht, wörtlich in 'quote: \"…\"'",
                )
            section = str(node.get("section") or "")
            if section not in context.sections:
                if not section and "sections" in node:
                    fix = "schreiben Sie 'section: …' (ein Abschnitt je Aussage)"
                else:
                    fix = f"nehmen Sie einen von: {', '.join(context.sections)}"
                self.problem(
                    self.where(path, node, "section" if "section" in node else None),
                    f"{what}: unbekannter Abschnitt '{section}'",
                    fix,
                )
            aspects = self.id_list(path, node, "aspects", what)
            for aspect in aspects:
                if aspect not in context.aspects:
                    self.problem(
                        self.where(path, node, "aspects"),
                        f"{what}: unbekannter Aspekt '{aspect}'",
                        f"nehmen Sie einen von: {', '.join(context.aspects)}",
                    )
            details = self.id_list(path, node, "details", what)
            for detail in details:
                if detail not in context.details:
                    self.problem(
                        self.where(path, node, "details"),
                        f"{what}: unbekanntes Detail '{detail}'",
                        f"nehmen Sie eines aus knowledge/details.yml: {', '.join(context.details)}",
                    )
            references = self.id_list(path, node, "references", what)
            for reference in references:
                if reference not in context.references:
                    self.problem(
                        self.where(path, node, "references"),
                        f"{what}: unbekannte Literaturangabe '{reference}'",
                        f"nehmen Sie eine von: {', '.join(context.references)}",
                    )
            if owner != GENERAL and not aspects:
                self.problem(
                    where,
                    f"{what} gehört zu keinem Aspekt",
                    f"ergänzen Sie 'aspects: [...]' mit einem von: {', '.join(context.aspects)}",
                )
            claims[claim_id] = Claim(
                id=claim_id,
                text=text,
                quotes=quote_list,
                section=section,
                aspects=aspects,
                details=details,
                verdict=bool(node.get("verdict", False)),
                advice=bool(node.get("advice", False)),
                references=references,
                origin=where,
            )

    def load_silences(
        self, path: Path, document: CommentedMap, context: _Context, claims: dict[str, Claim]
    ) -> tuple[Silence, ...]:
        items = document.get("silent") or []
        silences = []
        for index, node in enumerate(items):
            where = self.where(path, items, index)
            if not isinstance(node, CommentedMap):
                self.problem(
                    where,
                    "dieser Eintrag unter 'silent:' ist kein Eintrag mit 'text'",
                    "rücken Sie 'text:' und 'aspects:' gleich weit ein",
                )
                continue
            text = self.text(path, node, "text", "ein Eintrag unter 'silent:'")
            aspects = self.id_list(path, node, "aspects", "silent")
            details = self.id_list(path, node, "details", "silent")
            if not aspects and not details:
                self.problem(
                    where,
                    "der Eintrag sagt nicht, wozu die Seite schweigt",
                    "ergänzen Sie 'aspects: [...]' oder 'details: [...]'",
                )
            for aspect in aspects:
                if aspect not in context.aspects:
                    self.problem(
                        where, f"unbekannter Aspekt '{aspect}'", f"nehmen Sie einen von: {', '.join(context.aspects)}"
                    )
            for detail in details:
                if detail not in context.details:
                    self.problem(where, f"unbekanntes Detail '{detail}'", "nehmen Sie eines aus knowledge/details.yml")
            nearest = self.id_list(path, node, "nearest", "silent")
            for claim_id in nearest:
                if claim_id not in claims:
                    self.problem(
                        self.where(path, node, "nearest"),
                        f"'nearest' nennt die unbekannte Aussage '{claim_id}'",
                        "schreiben Sie sie als <behandlung>.<id>, z. B. allgemein.igel",
                    )
            refer = node.get("refer")
            if refer is not None and refer not in REFERRALS:
                self.problem(
                    self.where(path, node, "refer"),
                    f"unbekannter Verweis '{refer}'",
                    f"nehmen Sie einen von: {', '.join(REFERRALS)}",
                )
            silences.append(
                Silence(text=text, aspects=aspects, details=details, nearest=nearest, refer=refer, origin=where)
            )
        return tuple(silences)

    def check_coverage(
        self,
        path: Path,
        document: CommentedMap,
        therapy: Therapy,
        claims: tuple[Claim, ...],
        silences: tuple[Silence, ...],
        aspects: dict[str, Aspect],
    ) -> None:
        where = self.where(path, document, "therapy")
        if not any(c.verdict for c in claims):
            self.problem(
                where,
                f"'{therapy.id}' hat keine Aussage zur Wirksamkeit mit 'verdict: true'",
                "markieren Sie die Aussage, die sagt, ob die Behandlung hilft, mit 'verdict: true' (oder teilen Sie sie mit 'shared:')",
            )
        for aspect in aspects:
            if not any(aspect in c.aspects for c in claims) and not any(aspect in s.aspects for s in silences):
                self.problem(
                    where,
                    f"zu '{therapy.id}' gibt es nichts zum Aspekt '{aspect}'",
                    f"schreiben Sie eine Aussage mit 'aspects: [{aspect}]' oder, wo die Seite schweigt, einen Eintrag unter 'silent:' mit 'aspects: [{aspect}]'",
                )


@dataclass(frozen=True)
class _Context:
    sections: dict[str, Section]
    references: dict[str, str]
    aspects: dict[str, Aspect]
    details: dict[str, Detail]


def load_knowledge(root: Path | str = DEFAULT_KNOWLEDGE_DIR) -> KnowledgeBase:
    """Load and check the fact store; raise `KnowledgeError` listing every problem."""
    loader = _Loader(Path(root).resolve())
    knowledge = loader.load()
    if loader.problems:
        raise KnowledgeError(loader.problems)
    return knowledge
