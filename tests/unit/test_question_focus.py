"""components/question_focus.py: the question of a long message counts once more."""

from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.sparse
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.question_focus import QuestionFocus, question_span


@pytest.mark.parametrize(
    ("text", "question"),
    [
        (
            "Seit dem Umzug tut mir der Rücken weh. Mein Kumpel leiht mir sein TENS-Gerät. Ist das riskant?",
            "Ist das riskant?",
        ),
        ("Ich war zur Kur. Dort gab es Kurzwelle! Wer bezahlt das denn?", "Wer bezahlt das denn?"),
        # the question, not the afterthought behind it
        ("Was kostet Akupunktur? Ich frage für meine Mutter.", "Was kostet Akupunktur?"),
        # no question mark: the last sentence (a thanks after a story)
        ("Ich suche seit Wochen nach ehrlichen Infos. Danke Ihnen!", "Danke Ihnen!"),
        ("Die Nadeln. Taten die weh? 🙈", "Taten die weh?"),
        # a question dictated to the phone, one asked as a statement, one typed without a mark
        ("Mein Rücken tut weh Punkt Hilft Akupunktur Fragezeichen", "Hilft Akupunktur Fragezeichen"),
        (
            "Seit Jahren Rückenschmerzen. Ich möchte wissen, ob Massage hilft. Danke!",
            "Ich möchte wissen, ob Massage hilft.",
        ),
        ("Hab seit Jahren Rücken. und wie gefährlich ist tens", "und wie gefährlich ist tens"),
        ("Z. B. die Nadeln. Wirklich?! Na dann.", "Wirklich?!"),
    ],
)
def test_the_question_sentence_of_a_long_message_is_found(text: str, question: str) -> None:
    start, end = question_span(text)
    assert text[start:end].strip() == question


@pytest.mark.parametrize(
    "text",
    [
        "Hilft Akupunktur?",
        "was kostet tens",
        "Hilft das? 🙈",
        "Und z.B. TENS?",
        "Was ist z. B. TENS?",
        "Kostet das 30 Euro bzw. mehr?",
    ],
)
def test_a_message_of_one_sentence_has_no_question_of_its_own(text: str) -> None:
    assert question_span(text) is None


def featurized(text: str) -> Message:
    """One word feature per token (column = the word's position in a tiny vocabulary)."""
    message = Message(data={TEXT: text, INTENT: "ask_risks"})
    tokens = [Token(m.group(), m.start()) for m in re.finditer(r"\w+", text)]
    message.set(TOKENS_NAMES[TEXT], tokens)
    vocabulary = sorted({t.text.lower() for t in tokens})
    rows = np.zeros((len(tokens), len(vocabulary)))
    for i, token in enumerate(tokens):
        rows[i, vocabulary.index(token.text.lower())] = 1
    message.add_features(Features(scipy.sparse.coo_matrix(rows), FEATURE_TYPE_SEQUENCE, TEXT, "words"))
    message.add_features(
        Features(scipy.sparse.coo_matrix(rows.sum(axis=0, keepdims=True)), FEATURE_TYPE_SENTENCE, TEXT, "words")
    )
    message.vocabulary = vocabulary  # type: ignore[attr-defined]
    return message


def counts(message: Message) -> dict[str, float]:
    sentence = message.get_sparse_features(TEXT)[1].features.toarray()[0]
    return dict(zip(message.vocabulary, sentence, strict=True))  # type: ignore[attr-defined]


def test_the_question_words_count_once_more_and_the_story_words_once() -> None:
    component = QuestionFocus.create({"weight": 1.0}, None, None, None)
    [message] = component.process([featurized("Mein Kumpel hat ein Gerät. Ist das Gerät riskant?")])
    got = counts(message)
    assert got["riskant"] == 2 and got["ist"] == 2
    assert got["gerät"] == 3  # once in the story, once in the question, once more for the question
    assert got["kumpel"] == 1 and got["mein"] == 1


def test_a_weight_of_two_counts_the_question_twice_more() -> None:
    component = QuestionFocus.create({"weight": 2.0}, None, None, None)
    [message] = component.process([featurized("Ich war zur Kur. Wer bezahlt das?")])
    assert counts(message)["bezahlt"] == 3 and counts(message)["kur"] == 1


def test_one_sentence_and_other_features_are_left_as_they_are() -> None:
    component = QuestionFocus.create({}, None, None, None)
    one = featurized("Ist Akupunktur riskant?")
    story = featurized("Ich habe Angst. Ist Akupunktur riskant?")
    # a featurizer without token rows of its own (a dense one, say) is not touched
    story.add_features(Features(scipy.sparse.coo_matrix(np.ones((1, 2))), FEATURE_TYPE_SENTENCE, TEXT, "other"))
    component.process([one, story])
    assert counts(one) == {"akupunktur": 1, "ist": 1, "riskant": 1}
    other = [f for f in story.features if f.origin == "other"][0]
    assert other.features.toarray().tolist() == [[1, 1]]


def test_training_examples_get_the_same_weighting() -> None:
    component = QuestionFocus.create({}, None, None, None)
    data = component.process_training_data(TrainingData([featurized("Ich war zur Kur. Wer bezahlt das?")]))
    assert counts(data.training_examples[0])["bezahlt"] == 2


def test_the_sum_of_the_question_rows_is_the_dense_sum_entry_for_entry() -> None:
    # the sentence features as the dense sum of the question's token rows gave them, in the same order
    rng = np.random.default_rng(7)
    component = QuestionFocus.create({"weight": 1.5}, None, None, None)
    for _ in range(200):
        message = featurized("Ich habe Angst vor Nadeln. Hilft es? Danke sehr.")
        tokens = len(message.get(TOKENS_NAMES[TEXT]))
        width = int(rng.integers(1, 60))
        rows = scipy.sparse.random(
            tokens, width, density=0.3, random_state=rng, data_rvs=lambda n: rng.integers(1, 4, n)
        )
        rows = scipy.sparse.coo_matrix(rows.toarray().astype(np.int64))
        sentence = scipy.sparse.coo_matrix(rows.sum(axis=0))
        message.features = [
            Features(rows, FEATURE_TYPE_SEQUENCE, TEXT, "n"),
            Features(sentence, FEATURE_TYPE_SENTENCE, TEXT, "n"),
        ]
        start, end = question_span(message.get(TEXT))
        asked = [i for i, t in enumerate(message.get(TOKENS_NAMES[TEXT])) if t.start >= start and t.end <= end]
        dense = scipy.sparse.csr_matrix(rows.tocsr()[asked].sum(axis=0), dtype=np.float64)
        expected = (sentence.tocsr() + 1.5 * dense).tocoo()
        component.process([message])
        got = message.features[1].features
        assert got.dtype == expected.dtype
        for name in ("row", "col", "data"):
            assert np.array_equal(getattr(got, name), getattr(expected, name))
