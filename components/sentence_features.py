"""Keeps only the sentence-level features of the text for DIETClassifier.

Our DIETClassifier has no transformer layer and does not recognise entities (the lexicon
components do). Then the intent depends only on the sentence-level features: DIET embeds
every position of a message on its own and reads the intent at the sentence position, so
the token-level features, padded to the longest message of each batch, are computed and
thrown away. A long personal story in a batch made every short question in it as costly
as the story. Without them DIET sees the same information and trains several times faster.
"""

from __future__ import annotations

from typing import Any

import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceFeaturesOnly(GraphComponent):
    """Drops the token-level (sequence) features of a message's text."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceFeaturesOnly:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            kept = [
                feature
                for feature in message.features
                if not (feature.attribute == TEXT and feature.type == FEATURE_TYPE_SEQUENCE)
            ]
            if len(kept) < len(message.features):
                # DIET insists on some token-level features: one empty position
                kept.append(
                    Features(scipy.sparse.coo_matrix((1, 1)), FEATURE_TYPE_SEQUENCE, TEXT, "SentenceFeaturesOnly")
                )
            message.features = kept
        return messages
