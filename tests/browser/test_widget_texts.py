"""No text a person reads is written into the widget's code or its demo page (issue 15).

They come from interface_texts.yml (`widget:`), built in by tools/build_widget.py, or from the bot
(domain.yml, knowledge/). Needs no browser and no server, so it runs with the unit tests.

A string literal in web/src/*.js, or a text or readable attribute in web/demo.html, fails when it
holds a German word: one with ä, ö, ü or ß, or one that the German word list knows
(components.german_words, spaCy's German lemma table) and ALLOWED does not. Identifiers made of
lower-case parts joined by `-`, `_`, `.`, `/` or `:` ("rb-feedback-button", "widget.feedback.yes",
"/delete_my_data") are names, not texts, unless they hold ä, ö, ü or ß.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import pytest

from components.german_words import german_word_forms
from tools.build_widget import js_tokens

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "web" / "src").glob("*.js"))
DEMO_PAGE = ROOT / "web" / "demo.html"

# Single-word identifiers in the scripts that are German words too (HTML, DOM and event names).
ALLOWED = {
    "a", "bot", "de", "form", "label", "link", "loading", "log", "note", "off", "section", "span", "status", "text",
    "true", "blank",
}  # fmt: skip
# HTML attributes whose values a person reads or hears.
READABLE_ATTRIBUTES = {"title", "alt", "aria-label", "aria-description", "placeholder", "value", "content", "label"}
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+")
_UMLAUT = re.compile(r"[ÄÖÜäöüß]")
_IDENTIFIER = re.compile(r"^\s*[/.#]?[a-z0-9]+(?:[-_./:][a-z0-9]+)*[-_./:]?\s*$")
_JOINED = re.compile(r"[-_./:]|^\s*/")


# Short German words the lemma table does not list (words with ä, ö, ü or ß are caught anyway).
FUNCTION_WORDS = {
    "noch", "nicht", "mit", "zum", "zur", "von", "vom", "bei", "beim", "auf", "aus", "nach", "vor", "hier",
    "jetzt", "schon", "nur", "auch", "sehr", "mehr", "wann", "weil", "bitte", "oder", "und", "sie", "ihre",
}  # fmt: skip


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    return frozenset(german_word_forms() | FUNCTION_WORDS)


def is_identifier(text: str) -> bool:
    """A name joined from lower-case parts ("rb-feedback", "widget.send", "/feedback"), not a text."""
    return bool(_IDENTIFIER.match(text) and _JOINED.search(text))


def german_words(text: str) -> list[str]:
    """The words of `text` that are German (and not an allowed identifier)."""
    if is_identifier(text) and not _UMLAUT.search(text):
        return []
    return [
        word
        for word in _WORD.findall(text)
        if _UMLAUT.search(word) or (word.lower() in lexicon() and word.lower() not in ALLOWED)
    ]


def script_findings(source: str) -> list[tuple[int, str, list[str]]]:
    """(line, literal, German words) for each string literal that holds German words."""
    found = []
    for token in js_tokens(source):
        if token.kind == "string" and (words := german_words(token.value)):
            found.append((token.line, token.value, words))
    return found


class _ReadableText(HTMLParser):
    """Text nodes (outside script and style) and readable attribute values, with their lines."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in READABLE_ATTRIBUTES and value and not (tag == "meta" and name == "content"):
                self.found.append((self.getpos()[0], value))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.found.append((self.getpos()[0], data.strip()))


def page_findings(html: str) -> list[tuple[int, str, list[str]]]:
    parser = _ReadableText()
    parser.feed(html)
    return [(line, text, words) for line, text in parser.found if (words := german_words(text))]


def report(path: Path, findings: list[tuple[int, str, list[str]]]) -> str:
    return "\n".join(
        f"{path.relative_to(ROOT)}:{line}: {text!r} is German ({', '.join(words)}): "
        "move it to interface_texts.yml (widget:) and read it with t(…)"
        for line, text, words in findings
    )


# --- the detector finds what it must, and only that -----------------------------------
def test_detector_finds_german_in_string_literals_only() -> None:
    script = """
    // Kommentare dürfen Deutsch sein: "Senden"
    var a = "Senden", b = 'Neu starten', c = `Noch ${n} Zeichen`;
    var d = "rb-input", e = "aria-label", f = "session_request", g = /Quelle:\\s*"(x)"/;
    var h = "Daten l\\u00f6schen";
    /* "Hilfreich?" */ var i = x / 2, j = "Hilfreich?";
    """
    found = [(text, words) for _, text, words in script_findings(script)]
    assert found == [
        ("Senden", ["Senden"]),
        ("Neu starten", ["Neu", "starten"]),
        ("Noch ", ["Noch"]),
        (" Zeichen", ["Zeichen"]),
        ("Daten löschen", ["Daten", "löschen"]),
        ("Hilfreich?", ["Hilfreich"]),
    ]


def test_detector_reads_the_text_of_a_page_and_its_readable_attributes() -> None:
    html = """<html lang="de"><head><meta name="viewport" content="width=device-width">
      <title></title><script>var x = "Hallo";</script></head>
      <body><h1 id="demo-heading"></h1><p>Diese Seite zeigt den Chat.</p>
      <button aria-label="Chat schließen" class="rb-close">x</button></body></html>"""
    found = [(text, words) for _, text, words in page_findings(html)]
    assert found == [
        ("Diese Seite zeigt den Chat.", ["Diese", "Seite", "zeigt", "den"]),
        ("Chat schließen", ["schließen"]),
    ]


# --- the widget's files ---------------------------------------------------------------------
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_no_german_text_in_the_widgets_scripts(script: Path) -> None:
    findings = script_findings(script.read_text(encoding="utf-8"))
    assert not findings, "\n" + report(script, findings)


def test_no_german_text_in_the_demo_page() -> None:
    findings = page_findings(DEMO_PAGE.read_text(encoding="utf-8"))
    assert not findings, "\n" + report(DEMO_PAGE, findings)


def test_the_scripts_are_found() -> None:
    assert {p.name for p in SCRIPTS} >= {"widget.js", "demo.js"}
