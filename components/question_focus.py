"""Counts the question of a long message once more in its sentence-level features.

People often tell their story first and ask at the end: "Seit dem Umzug habe ich's im Kreuz,
mein Kumpel leiht mir sein Gerät … Ist das riskant, so was ohne Arzt zu benutzen?" Our
intent classifiers read the sentence-level features, the words of the whole message added up,
so the story's many words outweigh the few that ask. This component adds the words of the
question sentence once more (`weight` times), so what is asked counts for more than what is
told. A message of one sentence is left as it is.

The question sentence is the last one that asks (with a question mark, a dictated
"Fragezeichen", or asked as a statement: "Ich möchte wissen, ob das hilft."), else the last
sentence ("Danke Ihnen!" after a story). Placed after the featurizers and before
SentenceFeaturesOnly, which drops the token-level features this component reads.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.matching import question_spans, sentence_spans

WORD = re.compile(r"\w")


def question_span(text: str) -> tuple[int, int] | None:
    """Start and end of the question sentence in a message of several sentences, else None.

    Sentences and questions are found as everywhere else in the bot (components/matching.py):
    abbreviations from knowledge/language.yml end no sentence, a dictated "Fragezeichen" ends a
    question, and "Ich möchte wissen, ob TENS hilft." asks too."""
    # an emoji or "..." on its own is no sentence
    spans = [(a, b) for a, b in sentence_spans(text) if WORD.search(text, a, b)]
    if len(spans) < 2:
        return None
    asking = [span for span in question_spans(text) if span in spans]
    asking += [(a, b) for a, b in spans if "?" in text[a:b]]  # "Wirklich?!" asks too
    return max(asking) if asking else spans[-1]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class QuestionFocus(GraphComponent):
    """Adds the question sentence's token features to the message's sentence features."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"weight": 1.0}

    def __init__(self, weight: float) -> None:
        self.weight = weight

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> QuestionFocus:
        return cls(float({**cls.get_default_config(), **config}["weight"]))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._focus(message)
        return messages

    def _focus(self, message: Message) -> None:
        text, tokens = message.get(TEXT), message.get(TOKENS_NAMES[TEXT])
        span = question_span(text) if text and tokens and self.weight else None
        if span is None:
            return
        rows = [i for i, token in enumerate(tokens) if token.start >= span[0] and token.end <= span[1]]
        if not rows:
            return
        # each featurizer's token rows (sequence) and its sum (sentence) share an origin
        sequences = {
            f.origin: f
            for f in message.features
            if f.attribute == TEXT and f.type == FEATURE_TYPE_SEQUENCE and f.is_sparse()
        }
        for sentence in message.features:
            if sentence.attribute != TEXT or sentence.type != FEATURE_TYPE_SENTENCE or not sentence.is_sparse():
                continue
            sequence = sequences.get(sentence.origin)
            if sequence is None or sequence.features.shape[0] != len(tokens):
                continue
            # the question's token rows added up, straight from the entries (summing the rows
            # densely walked every column of the featurizer's vocabulary, 20,000 for character n-grams)
            entries = sequence.features.tocoo()
            inside = np.isin(entries.row, rows)
            asked = scipy.sparse.coo_matrix(
                (
                    entries.data[inside].astype(np.float64),
                    (np.zeros(inside.sum(), dtype=np.int32), entries.col[inside]),
                ),
                shape=(1, entries.shape[1]),
            ).tocsr()
            asked.eliminate_zeros()
            sentence.features = (sentence.features.tocsr() + self.weight * asked).tocoo()
