"""`make source-diff NEW=pfad/zur/seite.txt`: which quotes and headings a new version of the page lost.

IQWiG updates the page every few years (next planned: 2028). Before the new text replaces
knowledge/source/iqwig-passive-behandlungen.txt, this tool checks every quote of every claim
(knowledge/claims/*.yml, knowledge/general.yml) against the new text with the rule `make check`
uses (tools/content_rules.quote_on_page: word for word, line breaks and double spaces do not
count), and every heading of knowledge/sources.yml (`heading: true`) against the new text's lines.

One German line per quote that is gone, at the quote's `Datei:Zeile` (the same position
`make check` would report once the new text is in place), with the passage of the new page that
is most like it and the answers that use the claim; then one line per lost heading; then the
summary. Exit code 0: nothing changed; 1: something changed; 2: the new text (or the fact
store) could not be read.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher, get_close_matches
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from bot.content.knowledge import Claim, KnowledgeBase, KnowledgeError, fold_whitespace, load_knowledge
from tools.content_rules import ClaimLines, _matching_start, quote_on_page, sentences

ROOT = Path(__file__).resolve().parent.parent
SOURCES = "knowledge/sources.yml"
# Characters a copy from a browser may carry that no one sees and that break a word-for-word match.
INVISIBLE = {"\u00ad": "weiche Trennstriche", "\u200b": "Leerzeichen ohne Breite", "\u2060": "Wortverbinder"}
MIN_SIMILAR = 0.5  # share of a quote's words a passage must have, in order, to be shown as "most like it"
MAX_THERAPIES_NAMED = 4
USAGE = (
    "So rufen Sie den Vergleich auf: make source-diff NEW=pfad/zur/seite.txt – die Datei ist der Text der "
    "neuen Seite, wie knowledge/source/README.md ihn beschreibt (UTF-8)."
)


class NewPageError(Exception):
    """The new text cannot be used; the message says why, in German."""


@dataclass(frozen=True)
class LostQuote:
    where: str  # Datei:Zeile of the quote
    claim: Claim
    quote: str
    line: str  # the message


@dataclass(frozen=True)
class LostHeading:
    where: str
    section: str
    label: str
    line: str


@dataclass(frozen=True)
class Diff:
    quotes: list[LostQuote]
    total_quotes: int
    headings: list[LostHeading]
    total_headings: int
    notes: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.quotes or self.headings)


def _problem(where: str, what: str, fix: str) -> str:
    return f"{where}: {what}. So beheben Sie es: {fix}"


# -- the new text ------------------------------------------------------------------------
def read_new_page(path: Path) -> str:
    """The new page's text as written (UTF-8, with or without byte order mark)."""
    shown = str(path)
    if not path.exists():
        raise NewPageError(f"Die Datei „{shown}“ gibt es nicht. Prüfen Sie den Pfad hinter NEW=.")
    if path.is_dir():
        raise NewPageError(f"„{shown}“ ist ein Ordner, keine Datei. Nennen Sie hinter NEW= die Textdatei der Seite.")
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise NewPageError(
            f"Die Datei „{shown}“ ist nicht als UTF-8 gespeichert. Öffnen Sie sie im Editor und speichern Sie "
            f"sie als „UTF-8“ (Textdatei), dann rufen Sie den Befehl noch einmal auf."
        ) from None
    except OSError as error:
        raise NewPageError(f"Die Datei „{shown}“ lässt sich nicht lesen ({error.strerror}).") from None
    if not raw.strip():
        raise NewPageError(
            f"Die Datei „{shown}“ ist leer. Kopieren Sie den Text der neuen Seite hinein "
            f"(wie in knowledge/source/README.md beschrieben)."
        )
    return raw


def page_lines(raw: str) -> list[str]:
    """The non-empty lines of a page text, whitespace folded."""
    return [fold_whitespace(line) for line in raw.splitlines() if line.strip()]


def _passages(raw: str, longest: int) -> Iterator[list[str]]:
    """Runs of 1 to `longest` sentences of the page (within one paragraph or across), as word lists."""
    units = [sentence.split() for line in page_lines(raw) for sentence in sentences(line)]
    for start in range(len(units)):
        words: list[str] = []
        for unit in units[start : start + longest]:
            words = words + unit
            yield words


def _bare(word: str) -> str:
    """A word as compared: without punctuation around it, in lower case ("lindern." = "lindern")."""
    return word.strip(".,;:!?()„“\"'–-").lower() or word


def most_similar(quote: str, raw: str) -> str | None:
    """The passage of the page most like `quote`: the stretch of a sentence (or a few) that holds
    the most of the quote's words in order, cut to where the quote would stand. None if no passage
    holds at least half of them."""
    quote_words = [_bare(word) for word in quote.split()]
    if not quote_words:
        return None
    longest = len(sentences(quote)) + 1
    best: tuple[float, int, str] | None = None
    for words in _passages(raw, longest):
        matcher = SequenceMatcher(None, quote_words, [_bare(word) for word in words], autojunk=False)
        if matcher.real_quick_ratio() * (len(quote_words) + len(words)) / 2 < MIN_SIMILAR * len(quote_words):
            continue
        blocks = [b for b in matcher.get_matching_blocks() if b.size]
        share = sum(b.size for b in blocks) / len(quote_words)
        if share < MIN_SIMILAR:
            continue
        first, last = blocks[0], blocks[-1]
        start = max(0, first.b - first.a)  # the quote's unmatched first words stand before the first match
        end = min(len(words), last.b + last.size + len(quote_words) - (last.a + last.size))
        passage = " ".join(words[start:end])
        if quote[-1].isalnum():  # the quote stops inside a sentence: so does the passage
            passage = passage.rstrip(".,;:!?")
        key = (share, -(end - start), passage)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


# -- who uses a claim ----------------------------------------------------------------------
def used_in(kb: KnowledgeBase, claim: Claim) -> str:
    """The answers a claim is part of, for the editor to re-read ("den Antworten zu Akupunktur – Wirkung")."""
    aspects = ", ".join(kb.aspects[a].label for a in claim.aspects if a in kb.aspects)
    therapies = [kb.therapies[t].name for t, claims in kb.therapy_claims.items() if claim in claims]
    topics = [topic for topic, claims in kb.topics.items() if claim in claims]
    parts = []
    if len(therapies) > MAX_THERAPIES_NAMED:
        parts.append(f"den Antworten zu {len(therapies)} Behandlungen")
    elif therapies:
        parts.append(f"den Antworten zu {', '.join(therapies)}" + (f" – {aspects}" if aspects else ""))
    if topics:
        names = ", ".join(f"'{topic}'" for topic in topics)
        parts.append(f"den allgemeinen Antworten {names} (knowledge/general.yml)")
    if claim.details and not parts:
        parts.append(f"den Antworten auf Fragen nach {', '.join(claim.details)}")
    return " und in ".join(parts)


# -- the comparison --------------------------------------------------------------------------
def lost_quotes(kb: KnowledgeBase, root: Path, raw: str) -> tuple[list[LostQuote], int]:
    new_page = fold_whitespace(raw)
    lines = ClaimLines(root)
    lost = []
    total = 0
    for claim in kb.claims.values():
        quotes = [q for q in claim.quotes if q.strip()]
        for index, quote in enumerate(quotes):
            total += 1
            if quote_on_page(quote, new_page):
                continue
            # the position `make check` reports for this quote (tools/content_rules.check_claim)
            where = lines.key(claim.origin, "quote", index if len(quotes) > 1 else None)
            users = used_in(kb, claim)
            fix = (
                "prüfen Sie, ob die Aussage noch stimmt"
                + (f"; sie steht in {users}" if users else "")
                + ". Wenn ja, kopieren Sie die neuen Worte genau in 'quote:'; wenn nicht, passen Sie 'text:' und "
                "'quote:' an oder streichen Sie die Aussage. "
            )
            if not quote_on_page(quote, kb.page.text):
                fix += "Das Zitat stand auch auf der bisherigen Seite nicht so (make check meldet es). "
            similar = most_similar(quote, raw)
            if similar:
                fix += f"Auf der neuen Seite steht an dieser Stelle wohl: „{similar}“"
            else:
                start = _matching_start(fold_whitespace(quote), new_page)
                fix += "Auf der neuen Seite fehlt diese Stelle wohl ganz" + (
                    f" (bis „{start}“ stimmt sie noch)" if len(start.split()) >= 3 else ""
                )
            line = _problem(
                where, f"Aussage {claim.id}: das Zitat „{quote}“ steht so nicht mehr auf der neuen Seite", fix
            )
            lost.append(LostQuote(where=where, claim=claim, quote=quote, line=line))
    lost.sort(key=lambda q: (q.where.rpartition(":")[0], int(q.where.rpartition(":")[2])))
    return lost, total


def _label_lines(root: Path) -> dict[str, str]:
    """`Datei:Zeile` of each section's `label:` in knowledge/sources.yml."""
    try:
        document = YAML(typ="rt").load((root / SOURCES).read_text(encoding="utf-8"))
    except Exception:  # loaded by the fact store already; a line number is all that is missing
        return {}
    sections = document.get("sections") if isinstance(document, CommentedMap) else None
    found = {}
    for section_id, node in (sections or {}).items():
        if isinstance(node, CommentedMap):
            key = "label" if "label" in node else None
            line = node.lc.key(key)[0] if key else node.lc.line
            found[str(section_id)] = f"{SOURCES}:{line + 1}"
    return found


def heading_lines(raw: str) -> list[str]:
    """What may be a heading: every line, and every paragraph (lines between blank lines, for a long
    heading wrapped over two lines), whitespace folded, without a closing colon."""
    paragraphs = [fold_whitespace(block) for block in re.split(r"\n\s*\n", raw) if block.strip()]
    return [text.rstrip(":").rstrip() for text in dict.fromkeys(page_lines(raw) + paragraphs)]


def heading_on_page(label: str, raw: str) -> bool:
    """A heading stands on the page as a line or paragraph of its own ("Gut zu wissen:" counts as
    "Gut zu wissen"); the word inside a sentence does not count."""
    return fold_whitespace(label) in heading_lines(raw)


def lost_headings(kb: KnowledgeBase, root: Path, raw: str) -> tuple[list[LostHeading], int]:
    # heading-like lines of the new page: short, no full stop at the end
    candidates = [line for line in heading_lines(raw) if len(line.split()) <= 8 and line[-1:] not in (".", "!", "?")]
    label_lines = _label_lines(root)
    headings = [s for s in kb.sections.values() if s.heading]
    lost = []
    for section in headings:
        if heading_on_page(section.label, raw):
            continue
        where = label_lines.get(section.id, f"{SOURCES}:1")
        count = sum(1 for c in kb.claims.values() if c.section == section.id)
        close = [c for c in candidates if f" {fold_whitespace(section.label)} " in f" {c} "]
        close = close or get_close_matches(section.label, candidates, n=1, cutoff=0.6)
        hint = f" (heißt er jetzt „{close[0]}“?)" if close else ""
        fix = (
            f"suchen Sie den Abschnitt auf der neuen Seite{hint} und tragen Sie seine Überschrift genau bei "
            f"'label:' ein; gibt es ihn nicht mehr, prüfen Sie die {count} "
            f"{'Aussage' if count == 1 else 'Aussagen'} mit 'section: {section.id}'"
        )
        line = _problem(
            where,
            f"Abschnitt {section.id}: die Überschrift „{section.label}“ steht nicht mehr auf der neuen Seite",
            fix,
        )
        lost.append(LostHeading(where=where, section=section.id, label=section.label, line=line))
    return lost, len(headings)


def diff(new: Path, root: Path = ROOT) -> Diff:
    """Compare the new page text at `new` with every quote and heading of the fact store at `root`.
    Raises NewPageError (new text unusable) or KnowledgeError (fact store broken)."""
    raw = read_new_page(new)
    kb = load_knowledge(root / "knowledge")
    quotes, total_quotes = lost_quotes(kb, root, raw)
    headings, total_headings = lost_headings(kb, root, raw)
    notes = []
    if total_quotes and len(quotes) == total_quotes:
        notes.append(
            f"Hinweis: Keines der {total_quotes} Zitate steht in „{new}“. Ist das wirklich der Text der Seite "
            f"„{kb.page.title}“? Prüfen Sie den Pfad hinter NEW= und den Inhalt der Datei."
        )
    invisible = [name for char, name in INVISIBLE.items() if char in raw]
    if invisible:
        notes.append(
            f"Hinweis: Die neue Fassung enthält unsichtbare Zeichen ({', '.join(invisible)}), meist aus dem "
            f"Kopieren im Browser. Sie stehen mitten in Wörtern, so dass ein Zitat nicht mehr passt, obwohl "
            f"es gleich aussieht. Kopieren Sie den Text noch einmal, zum Beispiel über einen einfachen Texteditor."
        )
    return Diff(quotes, total_quotes, headings, total_headings, notes)


def summary(result: Diff) -> list[str]:
    unchanged = result.total_quotes - len(result.quotes)
    if result.quotes:
        lines = [f"{unchanged} von {result.total_quotes} Zitaten stehen unverändert auf der neuen Seite."]
    else:
        lines = [f"Alle {result.total_quotes} Zitate stehen unverändert auf der neuen Seite."]
    if result.headings:
        lines.append(
            f"{result.total_headings - len(result.headings)} von {result.total_headings} Überschriften "
            f"stehen unverändert auf der neuen Seite."
        )
    else:
        lines.append(f"Alle {result.total_headings} Überschriften stehen unverändert auf der neuen Seite.")
    if result.changed and len(result.quotes) < result.total_quotes:
        lines.append(
            "Danach: Legen Sie die neue Fassung an die Stelle der alten (knowledge/source/), tragen Sie das neue "
            "Datum in knowledge/sources.yml ein und führen Sie make check aus (docs/EDITING.md, "
            "„Wenn IQWiG die Seite erneuert“)."
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Prüft alle Zitate und Überschriften gegen eine neue Fassung der Seite (make source-diff)."
    )
    parser.add_argument("new", type=Path, nargs="?", help="die neue Fassung der Seite als Textdatei (UTF-8)")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.new is None:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        result = diff(args.new, args.root.resolve())
    except NewPageError as error:
        print(error, file=sys.stderr)
        return 2
    except KnowledgeError as error:
        print("Der Faktenspeicher (knowledge/) hat Fehler, darum kann nichts verglichen werden:", file=sys.stderr)
        for line in error.problems:
            print(line, file=sys.stderr)
        print("Beheben Sie sie zuerst (make check), dann rufen Sie make source-diff noch einmal auf.", file=sys.stderr)
        return 2
    for item in result.quotes:
        print(item.line)
    for item in result.headings:
        print(item.line)
    for note in result.notes:
        print(note)
    if result.changed or result.notes:
        print()
    for line in summary(result):
        print(line)
    return 1 if result.changed else 0


if __name__ == "__main__":
    sys.exit(main())
