"""components/sentence_features.py: DIET gets the sentence-level features of the text only."""

from __future__ import annotations

import numpy as np
import scipy.sparse
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.sentence_features import SentenceFeaturesOnly


def featurized(text: str) -> Message:
    message = Message(data={TEXT: text, INTENT: "ask_costs"})
    tokens = len(text.split())
    message.add_features(Features(scipy.sparse.coo_matrix(np.ones((tokens, 5))), FEATURE_TYPE_SEQUENCE, TEXT, "cvf"))
    message.add_features(Features(scipy.sparse.coo_matrix(np.full((1, 5), tokens)), FEATURE_TYPE_SENTENCE, TEXT, "cvf"))
    message.add_features(Features(scipy.sparse.coo_matrix(np.ones((1, 3))), FEATURE_TYPE_SEQUENCE, INTENT, "cvf"))
    return message


def test_the_texts_token_features_give_way_to_one_empty_position_and_the_rest_stays() -> None:
    component = SentenceFeaturesOnly.create({}, None, None, None)
    [message] = component.process([featurized("was kostet eine Akupunktur beim Arzt")])
    sequence, sentence = message.get_sparse_features(TEXT)
    assert sequence.features.shape == (1, 1) and sequence.features.nnz == 0
    assert sentence.features.shape == (1, 5) and sentence.features.toarray().tolist() == [[6] * 5]
    # other attributes (the intent's own features) are not touched
    assert message.get_sparse_features(INTENT)[0].features.shape == (1, 3)


def test_training_data_is_processed_the_same_way() -> None:
    component = SentenceFeaturesOnly.create({}, None, None, None)
    data = component.process_training_data(TrainingData([featurized("hilft TENS"), featurized("und Massage")]))
    for message in data.training_examples:
        assert message.get_sparse_features(TEXT)[0].features.shape == (1, 1)
