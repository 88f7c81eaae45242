"""No text a person reads is written into the Python that runs for every message (issue 15).

Replies, buttons, the source line and API errors come from YAML (domain.yml, knowledge/,
interface_texts.yml). This test reads every string literal (not docstrings) of the packages
that run in the Rasa and action servers and fails on German prose: at least two words, of which
two are common German words, or three with one that has ä, ö, ü or ß. The widget's scripts and
page have their own test (tests/browser/test_widget_texts.py).

Exempt: the messages for editors that `make check` prints when it loads knowledge/ and the
word lists (German by design, issue 17); they never reach a person who chats.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ("actions", "bot", "components")
EDITOR_MESSAGES = {"bot/content/knowledge.py", "components/matching.py"}
COMMON = {
    "der", "die", "das", "den", "dem", "des", "und", "ist", "sind", "nicht", "sie", "ihre", "ihr", "ihnen", "bitte",
    "zum", "zur", "mit", "für", "ein", "eine", "einen", "einer", "auf", "aus", "nach", "vor", "noch", "nur", "auch",
    "wir", "ich", "kann", "können", "wird", "werden", "bei", "beim", "von", "vom", "oder", "wenn", "dass", "keine",
    "kein", "zu", "im", "am", "es", "hat", "haben", "sagt", "seite", "hier", "jetzt", "mehr",
}  # fmt: skip
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+")
_UMLAUT = re.compile(r"[ÄÖÜäöüß]")


def is_german_prose(text: str) -> bool:
    words = _WORD.findall(text)
    if len(words) < 2:
        return False
    common = sum(word.lower() in COMMON for word in words)
    # a word with an umlaut and a small letter ("löschen"; not the class "A-ZÄÖÜ" of a pattern)
    return common >= 2 or (len(words) >= 3 and any(_UMLAUT.search(w) and w != w.upper() for w in words))


def findings(source: str) -> list[tuple[int, str]]:
    """(line, literal) for each string literal that is German prose; docstrings are not texts."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and is_german_prose(node.value)
    ]


def runtime_files() -> list[Path]:
    return sorted(p for package in RUNTIME for p in (ROOT / package).rglob("*.py"))


def checked_files() -> list[Path]:
    return [p for p in runtime_files() if p.relative_to(ROOT).as_posix() not in EDITOR_MESSAGES]


def test_the_detector_finds_german_texts_and_leaves_code_alone() -> None:
    source = '''
"""Ein Docstring darf Deutsch sein, auch mit Umlauten."""
REPLY = "Bitte schreiben Sie Ihre Frage noch einmal."
BUTTON = "Daten löschen und neu beginnen"
LOG = "Could not reach the action server: %s"
KEY = "answer.condition_note"
PATTERN = r"(?<=[.!?])\\s+(?=[A-ZÄÖÜ])"
'''
    assert [text for _, text in findings(source)] == [
        "Bitte schreiben Sie Ihre Frage noch einmal.",
        "Daten löschen und neu beginnen",
    ]


def test_the_runtime_packages_are_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in runtime_files()}
    assert {"actions/fact_answers.py", "bot/content/answers.py", "bot/server/channels/rest.py"} <= names
    assert EDITOR_MESSAGES <= names, "an exempt file was moved or renamed: update EDITOR_MESSAGES"


@pytest.mark.parametrize("path", checked_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_german_text_in_code_that_runs_for_every_message(path: Path) -> None:
    found = findings(path.read_text(encoding="utf-8"))
    assert not found, "\n" + "\n".join(
        f"{path.relative_to(ROOT)}:{line}: {text!r}: move it to interface_texts.yml (or domain.yml) and read it from there"
        for line, text in found
    )
