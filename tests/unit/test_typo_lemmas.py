"""TypoLemmas: a word typed with a slip counts as the training word it most likely is."""

from __future__ import annotations

import re

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.typo_lemmas import TypoLemmas

# what the spaCy lemmatiser would give the training words
LEMMAS = {"kostet": "kosten", "hilft": "helfen", "bezahlt": "bezahlen", "massagen": "massage"}


def message(text: str, lemmas: bool = True) -> Message:
    tokens = [
        Token(m.group(), m.start(), lemma=LEMMAS.get(m.group().lower(), m.group().lower()) if lemmas else None)
        for m in re.finditer(r"\w+", text)
    ]
    return Message(data={"text": text, "text_tokens": tokens})


@pytest.fixture(scope="module")
def typos(tmp_path_factory: pytest.TempPathFactory) -> TypoLemmas:
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    resource = Resource("typo_lemmas")
    context = ExecutionContext(graph_schema=None, model_id="test")
    component = TypoLemmas.create({}, storage, resource, context)
    examples = [
        "Was kostet Akupunktur?",
        "Wer bezahlt die Lasertherapie?",
        "Hilft TENS?",
        "Hilft Massage?",
        "Sind Massagen gefährlich?",
        "Kann da etwas passieren?",
        "Welche Nebenwirkungen hat Osteopathie?",
        "Was ist Kurzwellendiathermie?",
        # one word seen once, a near neighbour of a more frequent one
        "Mir hielft nichts",
    ]
    component.train(TrainingData([message(text) for text in examples]))
    return TypoLemmas.load({}, storage, resource, context)  # as Rasa does after training


def lemmas(typos: TypoLemmas, text: str) -> list[str]:
    processed = typos.process([message(text, lemmas=False)])[0]
    return [token.lemma for token in processed.get("text_tokens")]


@pytest.mark.parametrize(
    ("text", "lemma"),
    [
        ("kotset", "kosten"),  # two letters swapped
        ("bezhalt", "bezahlen"),
        ("hlft", "helfen"),  # a letter missing
        ("pasieren", "passieren"),
        ("Lasertherpie", "lasertherapie"),
        ("Nebenwirkugnen", "nebenwirkungen"),
        ("kurzwelendiatermie", "kurzwellendiathermie"),  # two slips in a long word
        ("massagn", "massage"),  # the lemma of the nearest word, not the word
    ],
)
def test_a_slip_gets_the_lemma_of_the_nearest_training_word(typos: TypoLemmas, text: str, lemma: str) -> None:
    assert lemmas(typos, f"Und {text} bitte") == ["Und", lemma, "bitte"]


@pytest.mark.parametrize(
    "text",
    [
        # correctly spelled German words are no slips, though one letter from "kostet" and "hilft"
        "kosten",
        "kostete",
        "hilfe",
        "was",  # too short
        "tens",  # in the training data
        "gilft",  # the first letter differs
        "nebenwirkugnenxyz",  # too far from every training word
        "123",
    ],
)
def test_other_words_keep_their_lemma(typos: TypoLemmas, text: str) -> None:
    assert typos.lemma_of(text) is None


def test_of_two_words_equally_near_the_more_frequent_wins(typos: TypoLemmas) -> None:
    # "hieft" is one slip from "hilft" (twice in the training data) and from "hielft" (once)
    assert typos.lemma_of("hieft") == "helfen"


def test_untrained_it_leaves_every_word(tmp_path_factory: pytest.TempPathFactory) -> None:
    storage = LocalModelStorage(tmp_path_factory.mktemp("empty"))
    context = ExecutionContext(graph_schema=None, model_id="test")
    component = TypoLemmas.load({}, storage, Resource("never_trained"), context)
    assert lemmas(component, "Was kotset das") == ["Was", "kotset", "das"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a compound split by dictation or typing counts as the training word it makes
        ("Hat das neben wirkungen", ["hat", "das", "nebenwirkungen", ""]),
        ("Was ist Kurzwellen Diathermie", ["was", "ist", "kurzwellendiathermie", ""]),
        ("Was ist Kurzwellen-Diathermie", ["was", "ist", "kurzwellendiathermie", ""]),
        # a part that is no word of its own: the joined word may have a slip as well
        ("Wer zahlt Laser therpie", ["wer", "zahlt", "lasertherapie", ""]),
    ],
)
def test_a_word_split_in_two_counts_as_the_training_word(typos: TypoLemmas, text: str, expected: list[str]) -> None:
    assert [lemma.lower() for lemma in lemmas(typos, text)] == expected


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Kann", "passieren"),  # two words, not one of the training data
        ("Massage", "Liege"),  # two words of their own, the whole not in the training data
        # two words of their own whose whole is only a slip of a training word ("Lasertherapie"):
        # read as two, as written
        ("Laser", "Therapien"),
        ("zu", "hause"),  # a part shorter than three letters
        ("Mir", "hielft"),  # a training word of its own is no split word
    ],
)
def test_two_words_stay_two(typos: TypoLemmas, first: str, second: str) -> None:
    assert typos.lemma_of_split(first, second) is None


def test_words_apart_by_more_than_a_space_or_hyphen_are_not_joined(typos: TypoLemmas) -> None:
    assert [lemma.lower() for lemma in lemmas(typos, "neben, wirkungen")] == ["neben", "wirkungen"]


def test_a_mark_said_aloud_is_left_alone(typos: TypoLemmas) -> None:
    message_ = message("neben wirkungen", lemmas=False)
    message_.get("text_tokens")[1].lemma = ""  # as DictatedMarks leaves "Fragezeichen"
    processed = typos.process([message_])[0]
    assert [token.lemma for token in processed.get("text_tokens")] == ["neben", ""]


def test_the_training_examples_stay_as_written(typos: TypoLemmas) -> None:
    # the classifiers learn from the examples as written; only messages are read with the joins
    data = TrainingData([message("Hat das neben wirkungen")])
    typos.process_training_data(data)
    assert [t.lemma for t in data.training_examples[0].get("text_tokens")] == ["hat", "das", "neben", "wirkungen"]


def test_a_word_of_dialect_counts_as_its_standard_word(typos: TypoLemmas) -> None:
    # knowledge/dialect.yml: "gfährli" stands for "gefährlich", "wos" for "was", words of the training data
    assert typos.lemma_of("gfährli") == "gefährlich"
    assert typos.lemma_of("Wos") == "was"
    # "soi" stands for "soll", which the training data here does not have: left as it is
    assert typos.lemma_of("soi") is None
