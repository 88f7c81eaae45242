"""DictatedMarks: punctuation said aloud to a dictation app is no word for the classifiers."""

from __future__ import annotations

import re

import pytest
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.dictated_marks import DictatedMarks


def lemmas(text: str) -> list[str]:
    tokens = [Token(m.group(), m.start(), lemma=m.group().lower()) for m in re.finditer(r"\w+|[^\w\s]", text)]
    processed = DictatedMarks.create({}, None, None, None).process(
        [Message(data={"text": text, "text_tokens": tokens})]
    )
    return [token.lemma for token in processed[0].get("text_tokens")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hilft Osteopathie Fragezeichen", ["hilft", "osteopathie", ""]),
        ("wer bietet das an komma ärzte fragezeichen", ["wer", "bietet", "das", "an", "", "ärzte", ""]),
        ("tschüss und auf wiederhören Punkt", ["tschüss", "und", "auf", "wiederhören", ""]),
        # a point said aloud between two sentences, and dots said aloud
        ("Ich war beim Physio Punkt Was kostet das", ["ich", "war", "beim", "physio", "", "was", "kostet", "das"]),
        ("Hilft das Punkt Punkt Punkt oder nicht", ["hilft", "das", "", "", "", "oder", "nicht"]),
    ],
)
def test_marks_said_aloud_count_as_no_word(text: str, expected: list[str]) -> None:
    assert lemmas(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Das ist der wunde Punkt bei mir",  # a point as a word
        "Das ist der wunde Punkt.",  # typed, with its own period
        "Welche Punkte sticht man?",
        "Punkt",  # nothing but the word
        "3 Punkt 5",
    ],
)
def test_points_that_are_words_stay(text: str) -> None:
    assert "" not in lemmas(text)


def test_the_training_examples_stay_as_written() -> None:
    # the classifiers learn from the examples as written (a new draw of DIET otherwise)
    text = "Hilft TENS Fragezeichen"
    tokens = [Token(w, 0, lemma=w.lower()) for w in text.split()]
    data = TrainingData([Message(data={"text": text, "text_tokens": tokens})])
    DictatedMarks.create({}, None, None, None).process_training_data(data)
    assert [t.lemma for t in data.training_examples[0].get("text_tokens")] == ["hilft", "tens", "fragezeichen"]
