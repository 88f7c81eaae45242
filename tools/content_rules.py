"""Content rules for the fact store (part of `make check`): a claim says what its quote says.

Every claim in knowledge/claims/*.yml and knowledge/general.yml rests on `quote:`, the page's
exact words. These rules check, claim by claim, that the text in our own words keeps to them:

1. every claim has a quote, and every quote stands word for word on the page
   (knowledge/source/iqwig-passive-behandlungen.txt; line breaks and double spaces do not count);
2. every number, price, percentage or count in the text also stands in the quote
   ("3" and "drei" count as the same number, "%" and "Prozent", "€" and "Euro" too);
3. every hedge of the quote is kept in the text, as itself or as an allowed equivalent
   (the list HEDGES below; documented for editors in docs/EDITING.md, "Vorsicht bleibt");
4. no hardening words the quote does not use ("wirkungslos", "garantiert", …);
5. no run of 8 or more words copied from the page into the text: the text is in our own words,
   the page's words belong in `quote:`;
6. a claim text has one or two sentences;
7. texts under `silent:` (and `silent:` in details.yml) say that the page says nothing, and name
   no number or price (the page has none for them);
8. no "Quelle:" and no disclaimer inside any text a person reads: the bot adds both itself
   (claims, silences, domain.yml responses, interface_texts.yml, knowledge/safety.yml; the
   designated source lines are exempt).

Each finding is one line `Datei:Zeile: was falsch ist. So beheben Sie es: …`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.content.knowledge import GENERAL, Claim, KnowledgeBase, fold_whitespace
from components.matching import Pattern, compile_pattern, find, tokenize

MAX_CLAIM_SENTENCES = 2
MAX_SILENCE_SENTENCES = 2
COPIED_RUN = 8  # words in a row that may not come from the page


@dataclass(frozen=True)
class Hedge:
    """A hedge of the page and the words that keep it in our text.

    `name` is how the message names it; `found` are the forms looked for in a quote; `kept`
    the words that keep it in the text (the hedge itself and its allowed equivalents).
    Written in the word-list language of components/matching.py: case and umlauts do not
    count ("hoechstens" = "höchstens"), `selten*` also finds "seltener", a phrase matches
    words in a row, "..." allows up to four words in between.
    """

    name: str
    found: tuple[str, ...]
    kept: tuple[str, ...]


# The documented list (docs/EDITING.md, "Vorsicht bleibt"). Longer forms are looked for first,
# so "sehr selten" in a quote asks for "sehr selten", not just "selten".
_SHORT_TIME = ("kurzfristig*", "kurze zeit", "kurzen zeit", "kurzen zeitraum", "vorübergehend*")
_AT_MOST = ("allenfalls", "höchstens", "wenn überhaupt", "bestenfalls")
_NOT_PROVEN = (
    "nicht nachgewiesen", "nicht ... nachgewiesen", "nicht bewiesen", "nicht belegt", "nicht ... belegt",
    "nicht erwiesen", "nicht gezeigt", "unbewiesen", "kein* nachweis*", "kein* beleg*",
)  # fmt: skip
HEDGES: tuple[Hedge, ...] = (
    Hedge(
        "nicht sicher nachgewiesen",
        ("nicht sicher nachgewiesen", "nicht sicher belegt", "nicht sicher bewiesen"),
        (
            "nicht sicher nachgewiesen",
            "nicht sicher belegt",
            "nicht sicher bewiesen",
            "kein* sicher* nachweis*",
            "kein* sicher* beleg*",
        ),
    ),  # fmt: skip
    Hedge("nicht nachgewiesen", ("nicht nachgewiesen", "nicht bewiesen", "nicht erwiesen"), _NOT_PROVEN),
    Hedge("nicht belegt", ("nicht belegt",), _NOT_PROVEN),
    Hedge(
        "nicht gut untersucht",
        ("nicht gut untersucht",),
        (
            "nicht gut untersucht",
            "kaum untersucht",
            "wenig untersucht",
            "schlecht untersucht",
            "nicht ausreichend untersucht",
            "nicht genug untersucht",
        ),
    ),  # fmt: skip
    Hedge(
        "nicht genau geklärt",
        ("nicht genau geklärt", "nicht geklärt"),
        ("nicht genau geklärt", "nicht geklärt", "nicht genau bekannt", "nicht klar", "unklar*", "weiß man nicht"),
    ),
    Hedge("nur begrenzt", ("nur begrenzt",), ("nur begrenzt", "begrenzt*", "nur wenige", "wenige studien")),
    Hedge(
        "widersprüchlich",
        ("widersprüchlich*",),
        ("widersprüchlich*", "widersprechen sich", "widersprach* sich", "uneinheitlich*"),
    ),
    Hedge("nicht sicher", ("nicht sicher",), ("nicht sicher", "kein* sicher*", "unsicher*")),
    Hedge("sehr selten", ("sehr selten",), ("sehr selten", "äußerst selten", "extrem selten")),
    Hedge("selten", ("selten*",), ("selten*",)),
    Hedge("manchmal", ("manchmal",), ("manchmal", "gelegentlich", "mitunter", "ab und zu", "hin und wieder")),
    Hedge("kurzfristig", ("kurzfristig*", "kurzen zeitraum"), _SHORT_TIME),
    Hedge("vorübergehend", ("vorübergehend*",), _SHORT_TIME),
    Hedge("allenfalls", ("allenfalls",), _AT_MOST),
    Hedge("höchstens", ("höchstens",), _AT_MOST),
    Hedge("wenn überhaupt", ("wenn überhaupt",), _AT_MOST),
    Hedge("gar nicht", ("gar nicht",), ("gar nicht", "überhaupt nicht", "oder nicht")),
    Hedge(
        "die meisten",
        ("die meisten", "meisten", "meistens"),
        ("meisten", "meistens", "meist", "überwiegend", "größtenteils"),
    ),
    Hedge("viele", ("viele", "vielen"), ("viele", "vielen", "zahlreich*", "manche*", "einige*")),
    Hedge("manche", ("manche", "manchen", "mancher"), ("manche*", "einige*", "einzeln*", "nicht alle", "viele*")),
    Hedge(
        "oft",
        ("oft", "oftmals", "häufig"),
        ("oft", "oftmals", "häufig", "meist", "meistens", "vielfach", "in vielen fällen"),
    ),
    Hedge("kaum", ("kaum",), ("kaum", "nur wenig", "nur etwas", "wenig")),
    Hedge(
        "bisher",
        ("bislang", "bisher", "bisherig*"),
        ("bislang", "bisher", "bisherig*", "noch nicht", "derzeit", "zurzeit"),
    ),
    Hedge(
        "möglicherweise",
        ("möglicherweise", "mögliche", "möglichen", "möglicher"),
        ("möglich*", "vielleicht", "eventuell", "unter umständen", "könnte*", "kann", "können"),
    ),
    Hedge("könnte", ("könnte", "könnten"), ("könnte*", "kann", "können", "möglich*", "vielleicht")),
    Hedge(
        "scheinen",
        ("scheinen", "scheint"),
        ("scheinen", "scheint", "anscheinend", "offenbar", "vielleicht", "möglicherweise"),
    ),
    Hedge(
        "soll",
        ("soll", "sollen"),
        ("soll", "sollen", "sollte*", "angeblich", "vorstellung", "gedacht", "annahme", "behauptet*"),
    ),
    Hedge(
        "diskutiert",
        ("diskutiert",),
        ("diskutiert", "besprochen", "erörtert", "vermutet", "angenommen", "möglich*", "vielleicht"),
    ),
)
# Words that make a claim harder than the page: allowed only where the quote has them.
HARDENING = ("wirkungslos*", "nutzlos*", "unwirksam*", "sinnlos*", "garantiert", "auf jeden fall", "immer",
             "alle passiven behandlungen", "völlig sicher", "ungefährlich*", "harmlos*")  # fmt: skip

NUMBER_WORDS = {
    "zwei": "2", "drei": "3", "vier": "4", "fünf": "5", "sechs": "6", "sieben": "7", "acht": "8", "neun": "9",
    "zehn": "10", "elf": "11", "zwölf": "12", "zwanzig": "20", "dreißig": "30", "vierzig": "40", "fünfzig": "50",
    "hundert": "100", "tausend": "1000", "hälfte": "1/2", "drittel": "1/3", "viertel": "1/4", "doppelt": "x2",
    "doppelte": "x2", "doppelten": "x2", "dreifach": "x3",
}  # fmt: skip
_NUMBER_WORD = re.compile(
    r"(?<!\w)(" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")(mal|fach)?(?!\w)", re.IGNORECASE
)
_DIGITS = re.compile(r"\d+")
# units that make a number a price or a share
UNITS = {"euro": "euro", "€": "euro", "cent": "cent", "prozent": "prozent", "%": "prozent"}
_UNIT = re.compile(r"(?<!\w)(euro|cent|prozent)(?!\w)|€|%", re.IGNORECASE)

# A full stop after these does not end a sentence.
_ABBREVIATION = re.compile(r"\b(z\. ?B|u\. ?a|d\. ?h|bzw|ca|etc|Nr|Dr|ggf|evtl|vgl|usw|et al)\.", re.IGNORECASE)
_ORDINAL = re.compile(r"\b(\d{1,2})\.(?=\s+(?:[A-ZÄÖÜ]|\d))")  # "20. August", "1. Juli"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ0-9„\"])")

SOURCE_FILE = "knowledge/source/iqwig-passive-behandlungen.txt"


def sentences(text: str) -> list[str]:
    """The sentences of a text (dates like "20. August" and abbreviations do not end one)."""
    protected = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", "\u2024"), text.strip())
    protected = _ORDINAL.sub(lambda m: m.group(1) + "\u2024", protected)
    return [part for part in _SENTENCE_END.split(protected) if part.strip()]


@functools.cache
def _pattern(source: str) -> Pattern:
    return compile_pattern(source)


def _spans(source: str, text: str) -> list[tuple[int, int]]:
    """Token spans (first, last) where the pattern `source` stands in `text` (no typos allowed)."""
    return [(m.first, m.last) for m in find(_pattern(source), tokenize(text), typos=False)]


def hedges_in(quote: str) -> list[tuple[Hedge, str]]:
    """The hedges of a quote with the quote's own words for each, longest form first; a shorter
    form inside a longer one ("selten" in "sehr selten") is not counted again."""
    tokens = tokenize(quote)
    taken: list[tuple[int, int]] = []
    found: dict[Hedge, str] = {}
    forms = sorted(((form, hedge) for hedge in HEDGES for form in hedge.found), key=lambda f: -len(f[0].split()))
    for form, hedge in forms:
        for first, last in _spans(form, quote):
            if any(first <= t_last and t_first <= last for t_first, t_last in taken):
                continue
            taken.append((first, last))
            found.setdefault(hedge, quote[tokens[first].start : tokens[last].end])
    return list(found.items())


def keeps(text: str, hedge: Hedge) -> bool:
    return any(_spans(word, text) for word in hedge.kept)


def says(text: str, word: str) -> bool:
    return bool(_spans(word, text))


def numbers_in(text: str) -> set[str]:
    """Numbers ("3", "drei" → "3"), shares and prices named in a text."""
    found = set(_DIGITS.findall(text))
    found |= {NUMBER_WORDS[m.group(1).lower()] for m in _NUMBER_WORD.finditer(text)}
    found |= {UNITS[m.group(0).lower()] for m in _UNIT.finditer(text)}
    return found


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def copied_run(text: str, page_runs: set[str]) -> str | None:
    """The first run of COPIED_RUN words of `text` that stands on the page, if any."""
    words = _words(text)
    for i in range(len(words) - COPIED_RUN + 1):
        run = " ".join(words[i : i + COPIED_RUN])
        if run in page_runs:
            return run
    return None


def page_runs(page_text: str) -> set[str]:
    words = _words(page_text)
    return {" ".join(words[i : i + COPIED_RUN]) for i in range(len(words) - COPIED_RUN + 1)}


def _quote_list(items: Iterable[str]) -> str:
    return ", ".join(f"„{item}“" for item in items)


def quote_on_page(quote: str, page: str) -> bool:
    """The rule for every quote: it stands word for word in `page` (the page's text, whitespace folded
    as bot.content.knowledge reads it); line breaks and double spaces in the quote do not count.
    `make source-diff` (tools/source_diff.py) applies the same rule to a new version of the page."""
    return fold_whitespace(quote) in page


def _matching_start(quote: str, page: str) -> str:
    """The longest start of the quote (in whole words) that stands on the page."""
    words = quote.split()
    best = ""
    for n in range(1, len(words) + 1):
        candidate = " ".join(words[:n])
        if candidate in page:
            best = candidate
        else:
            break
    return best


# -- where a claim's keys stand ----------------------------------------------------
class ClaimLines:
    """`Datei:Zeile` of the keys of each claim and silence, read from the YAML files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[str, object] = {}

    def _document(self, rel: str) -> object:
        if rel not in self._files:
            try:
                self._files[rel] = YAML(typ="rt").load((self.root / rel).read_text(encoding="utf-8"))
            except Exception:  # broken files are reported by the YAML stage
                self._files[rel] = None
        return self._files[rel]

    def _item(self, origin: str) -> tuple[str, CommentedMap | None]:
        rel, _, line = origin.rpartition(":")
        document = self._document(rel)
        for key in ("claims", "silent"):
            items = document.get(key) if isinstance(document, CommentedMap) else None
            if isinstance(items, CommentedSeq):
                for index, node in enumerate(items):
                    if isinstance(node, CommentedMap) and items.lc.item(index)[0] + 1 == int(line or 0):
                        return rel, node
        return rel, None

    def key(self, origin: str, key: str, index: int | None = None) -> str:
        """Where `key` of the entry at `origin` stands (the entry's line if not found)."""
        rel, node = self._item(origin)
        if node is None or key not in node:
            return origin
        value = node[key]
        if index is not None and isinstance(value, CommentedSeq) and index < len(value):
            return f"{rel}:{value.lc.item(index)[0] + 1}"
        return f"{rel}:{node.lc.key(key)[0] + 1}"


# -- the rules -------------------------------------------------------------------------
def _problem(where: str, what: str, fix: str) -> str:
    return f"{where}: {what}. So beheben Sie es: {fix}"


def check_claim(claim: Claim, page: str, runs: set[str], lines: ClaimLines, disclaimer: str = "") -> Iterator[str]:
    name = f"Die Aussage '{claim.id}'"
    text_at = lines.key(claim.origin, "text")
    if not claim.quotes or not any(q.strip() for q in claim.quotes):
        yield _problem(
            claim.origin,
            f"{name} hat kein Zitat ('quote:')",
            f"kopieren Sie die Worte der Seite, auf denen sie beruht, wörtlich in 'quote: \"…\"' "
            f"(die Seite: {SOURCE_FILE})",
        )
    quotes = [q for q in claim.quotes if q.strip()]
    for index, quote in enumerate(quotes):
        if page and not quote_on_page(quote, page):
            start = _matching_start(fold_whitespace(quote), page)
            where = f" Bis „{start}“ stimmt es, danach nicht mehr" if start else ""
            yield _problem(
                lines.key(claim.origin, "quote", index if len(quotes) > 1 else None),
                f"{name}: das Zitat „{quote}“ steht so nicht auf der Seite.{where}",
                f"kopieren Sie die Worte genau aus {SOURCE_FILE}, mit denselben Satzzeichen und Bindestrichen; "
                f"kürzen dürfen Sie nur am Anfang und am Ende",
            )
    if not claim.text:
        return  # reported by the fact store
    quote_text = " ".join(quotes)
    missing_numbers = sorted(numbers_in(claim.text) - numbers_in(quote_text))
    if missing_numbers:
        shown = [n.replace("x", "×").replace("euro", "Euro").replace("prozent", "Prozent") for n in missing_numbers]
        yield _problem(
            text_at,
            f"{name} nennt {_quote_list(shown)}, das Zitat aber nicht",
            "nennen Sie nur Zahlen, Anteile und Preise, die im Zitat stehen: nehmen Sie sie aus dem Text, "
            "oder nehmen Sie die Worte der Seite, in denen sie stehen, ins Zitat auf",
        )
    for hedge, words in hedges_in(quote_text):
        if not keeps(claim.text, hedge):
            others = [k.replace("*", "…") for k in hedge.kept if k.rstrip("*") != words.lower() and " ... " not in k]
            equivalents = f" oder ein erlaubtes gleichwertiges Wort: {', '.join(others)}" if others else ""
            yield _problem(
                text_at,
                f"{name} lässt die Vorsicht „{words}“ aus dem Zitat weg",
                f"übernehmen Sie „{words}“ in den Text{equivalents} (docs/EDITING.md, „Vorsicht bleibt“)",
            )
    for word in HARDENING:
        if says(claim.text, word) and not says(quote_text, word):
            yield _problem(
                text_at,
                f"{name} sagt „{word.rstrip('*')}“, das Zitat aber nicht: das macht die Aussage härter als die Seite",
                "sagen Sie nur so viel, wie das Zitat sagt (etwa „nicht nachgewiesen“ statt „wirkungslos“)",
            )
    run = copied_run(claim.text, runs)
    if run:
        yield _problem(
            text_at,
            f"{name} übernimmt {COPIED_RUN} oder mehr Wörter am Stück von der Seite („{run} …“)",
            "sagen Sie es mit eigenen, einfachen Worten; die genauen Worte der Seite gehören in 'quote:'",
        )
    count = len(sentences(claim.text))
    if count > MAX_CLAIM_SENTENCES:
        yield _problem(
            text_at,
            f"{name} hat {count} Sätze, erlaubt sind höchstens {MAX_CLAIM_SENTENCES}",
            "teilen Sie sie in zwei Aussagen mit je eigenem Zitat, oder kürzen Sie sie",
        )
    yield from check_text_markers(text_at, name, claim.text, disclaimer)


def check_text_markers(where: str, name: str, text: str, disclaimer: str = "") -> Iterator[str]:
    """No `Quelle:` line and no disclaimer inside a text: the bot adds both itself."""
    if re.search(r"quelle\s*:", text, re.IGNORECASE):
        yield _problem(
            where,
            f"{name} enthält „Quelle:“",
            "streichen Sie die Quellenangabe aus dem Text: der Bot setzt die Zeile „Quelle: …“ selbst unter "
            "jede Antwort",
        )
    if disclaimer and fold_whitespace(disclaimer) in fold_whitespace(text):
        yield _problem(
            where,
            f"{name} enthält den Hinweis am Ende jeder Antwort",
            "streichen Sie ihn aus dem Text: der Bot fügt ihn selbst an (knowledge/sources.yml, 'disclaimer')",
        )


SILENCE_SAYS_SO = re.compile(r"\b(seite|quelle)\b", re.IGNORECASE)
SILENCE_NEGATION = re.compile(r"\b(nicht|nichts|keine?n?|ohne|wenig|kaum|nur)\b", re.IGNORECASE)


def check_silence(where: str, name: str, text: str, runs: set[str], disclaimer: str = "") -> Iterator[str]:
    """A text for what the page does not say: says so, names no figure, stays short."""
    figures = sorted(numbers_in(text))
    if figures:
        shown = [n.replace("x", "×").replace("euro", "Euro").replace("prozent", "Prozent") for n in figures]
        yield _problem(
            where,
            f"{name} nennt {_quote_list(shown)}, obwohl die Seite dazu schweigt",
            "streichen Sie Zahlen und Preise: sagen Sie nur, dass die Seite dazu nichts sagt; wer es weiß "
            "(Krankenkasse, Ärztin oder Arzt), fügt der Bot selbst an ('refer:')",
        )
    if not (SILENCE_SAYS_SO.search(text) and SILENCE_NEGATION.search(text)):
        yield _problem(
            where,
            f"{name} sagt nicht, dass die Seite dazu nichts sagt",
            "beginnen Sie so: „Ob …, sagt die Seite nicht.“ oder „Zu … sagt die Seite nichts.“",
        )
    count = len(sentences(text))
    if count > MAX_SILENCE_SENTENCES:
        yield _problem(
            where,
            f"{name} hat {count} Sätze, erlaubt sind höchstens {MAX_SILENCE_SENTENCES}",
            "sagen Sie in einem Satz, was die Seite nicht sagt; das Nächstliegende, was sie sagt, "
            "nennen Sie mit 'nearest:'",
        )
    run = copied_run(text, runs)
    if run:
        yield _problem(
            where,
            f"{name} übernimmt {COPIED_RUN} oder mehr Wörter am Stück von der Seite („{run} …“)",
            "sagen Sie es mit eigenen, einfachen Worten",
        )
    yield from check_text_markers(where, name, text, disclaimer)


def _detail_lines(root: Path) -> dict[str, str]:
    """`Datei:Zeile` of each detail's `silent:` in knowledge/details.yml."""
    try:
        document = YAML(typ="rt").load((root / "knowledge" / "details.yml").read_text(encoding="utf-8"))
    except Exception:
        return {}
    details = document.get("details") if isinstance(document, CommentedMap) else None
    lines = {}
    for detail_id, node in (details or {}).items():
        if isinstance(node, CommentedMap) and "silent" in node:
            lines[str(detail_id)] = f"knowledge/details.yml:{node.lc.key('silent')[0] + 1}"
    return lines


def check_knowledge(kb: KnowledgeBase, root: Path) -> list[str]:
    """Every content rule over every claim and silence of the fact store."""
    page = kb.page.text
    runs = page_runs(page)
    lines = ClaimLines(root)
    found: list[str] = []
    for claim in kb.claims.values():
        found.extend(check_claim(claim, page, runs, lines, kb.disclaimer))
    seen: set[str] = set()
    for therapy, silences in kb.silences.items():
        for silence in silences:
            if silence.origin in seen:
                continue
            seen.add(silence.origin)
            where = lines.key(silence.origin, "text")
            name = f"Der Text unter 'silent:' zu '{therapy}'"
            found.extend(check_silence(where, name, silence.text, runs, kb.disclaimer))
    detail_lines = _detail_lines(root)
    for detail in kb.details.values():
        if detail.silent:
            where = detail_lines.get(detail.id, "knowledge/details.yml:1")
            name = f"Der Text 'silent:' des Details '{detail.id}'"
            found.extend(check_silence(where, name, detail.silent, runs, kb.disclaimer))
    return list(dict.fromkeys(found))


def check_answers(kb: KnowledgeBase, texts: object, root: Path) -> list[str]:
    """Every composed default answer (treatment × aspect, and each detail) stays within the
    composer's limit of sentences before the `Quelle:` line."""
    from bot.content.answers import MAX_SENTENCES, Question, fact_answer

    lines = ClaimLines(root)
    found: list[str] = []
    questions = [
        (f"{t.name}: {a.label}", Question(therapies=(t.id,), aspects=(a.id,)))
        for t in kb.therapies.values()
        for a in kb.aspects.values()
    ]
    questions += [
        (f"{t.name}: {d.id}", Question(therapies=(t.id,), aspects=(d.aspect,), details=(d.id,)))
        for t in kb.therapies.values()
        for d in kb.details.values()
    ]
    for title, question in questions:
        try:
            answer = fact_answer(kb, texts, question)
        except (KeyError, ValueError, IndexError):
            continue  # a broken fact store is reported by its own stage
        count = len(sentences(answer.body))
        if count > MAX_SENTENCES and answer.claims:
            first = kb.claims[answer.claims[0]]
            found.append(
                _problem(
                    lines.key(first.origin, "text"),
                    f"die Antwort auf „{title}“ hat {count} Sätze vor der Quellenzeile, erlaubt sind "
                    f"{MAX_SENTENCES} (aus: {', '.join(answer.claims)})",
                    "kürzen Sie eine dieser Aussagen auf einen Satz",
                )
            )
    return list(dict.fromkeys(found))


# -- "Quelle:" in the other texts a person reads ------------------------------------------
def _strings(node: object, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], object, object, str]]:
    """(path, parent, key, text) of every string in a YAML tree."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if isinstance(value, str):
                yield (*path, str(key)), node, key, value
            else:
                yield from _strings(value, (*path, str(key)))
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            if isinstance(value, str):
                yield (*path, str(index)), node, index, value
            else:
                yield from _strings(value, (*path, str(index)))


def _line(parent: object, key: object) -> int:
    if isinstance(parent, CommentedMap):
        return parent.lc.key(key)[0] + 1
    if isinstance(parent, CommentedSeq):
        return parent.lc.item(key)[0] + 1
    return 1


def is_source_line(path: tuple[str, ...], text: str) -> bool:
    """A designated source line: a text under a key named "source…" that starts with "Quelle:"."""
    return any(part.startswith("source") for part in path) and text.lstrip().startswith("Quelle:")


def check_other_texts(root: Path, documents: dict[str, object], disclaimer: str = "") -> list[str]:
    """No "Quelle:" and no disclaimer inside domain responses, interface texts and safety replies."""
    found: list[str] = []
    domain = documents.get("domain.yml")
    responses = domain.get("responses") if isinstance(domain, CommentedMap) else None
    for name, variants in (responses or {}).items():
        for variant in variants or []:
            if isinstance(variant, CommentedMap) and isinstance(variant.get("text"), str):
                where = f"domain.yml:{variant.lc.key('text')[0] + 1}"
                found.extend(check_text_markers(where, f"Die Antwort '{name}'", variant["text"], disclaimer))
    interface = documents.get("interface_texts.yml")
    for path, parent, key, text in _strings(interface):
        if is_source_line(path, text):
            continue
        where = f"interface_texts.yml:{_line(parent, key)}"
        found.extend(check_text_markers(where, f"Der Text '{'.'.join(path)}'", text, disclaimer))
    safety = documents.get("knowledge/safety.yml")
    for path, parent, key, text in _strings(safety):
        # the patterns (alone, together, mention_only, report) are word lists, no texts
        if path[-1] == "source" or not any(
            p in ("tiers", "general_warning", "signs_info", "mention_line", "signs") for p in path[:1]
        ):
            continue
        if path[0] == "signs" and path[-1] != "why":
            continue
        where = f"knowledge/safety.yml:{_line(parent, key)}"
        found.extend(check_text_markers(where, f"Der Text '{'.'.join(path)}'", text, disclaimer))
    return found


__all__ = [
    "HARDENING",
    "HEDGES",
    "Hedge",
    "check_answers",
    "check_claim",
    "check_knowledge",
    "check_other_texts",
    "check_silence",
    "copied_run",
    "hedges_in",
    "keeps",
    "numbers_in",
    "quote_on_page",
    "sentences",
    "GENERAL",
]
