"""components/intent_vote.py: the linear classifier's probabilities averaged with DIET's ranking."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.intent_vote import IntentVote

# four words as sentence features: "kosten", "risiko", "hilft", "verzweifelt"
WORDS = ["kosten", "risiko", "hilft", "verzweifelt"]


def message(words: list[str], intent: str | None = None) -> Message:
    data = {TEXT: " ".join(words)}
    if intent:
        data[INTENT] = intent
    msg = Message(data=data)
    row = np.array([[float(w in words) for w in WORDS]])
    msg.add_features(Features(scipy.sparse.coo_matrix((1, 1)), FEATURE_TYPE_SEQUENCE, TEXT, "cvf"))
    msg.add_features(Features(scipy.sparse.coo_matrix(row), FEATURE_TYPE_SENTENCE, TEXT, "cvf"))
    return msg


def training_data() -> TrainingData:
    examples = []
    for _ in range(5):
        examples += [
            message(["kosten"], "ask_costs"),
            message(["risiko"], "ask_risks"),
            message(["hilft"], "ask_effectiveness"),
        ]
        examples.append(message(["verzweifelt"], "crisis"))
    return TrainingData(examples)


@pytest.fixture()
def trained(tmp_path: Path) -> tuple[IntentVote, LocalModelStorage, Resource]:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("vote")
    context = ExecutionContext(node_name="vote", graph_schema=None)  # type: ignore[arg-type]
    vote = IntentVote.create({**IntentVote.get_default_config(), "diet_weight": 0.5}, storage, resource, context)
    vote.train(training_data())
    return vote, storage, resource


def ranking(msg: Message) -> dict[str, float]:
    return {r["name"]: r["confidence"] for r in msg.get(INTENT_RANKING_KEY)}


def test_without_a_ranking_before_it_the_linear_model_decides(trained) -> None:
    vote, _, _ = trained
    [msg] = vote.process([message(["kosten"])])
    assert msg.get(INTENT)["name"] == "ask_costs"
    assert sum(ranking(msg).values()) == pytest.approx(1.0)


def test_the_linear_model_raises_no_alarm_of_its_own(trained) -> None:
    vote, _, _ = trained
    msg = message(["verzweifelt", "kosten"])
    msg.set(INTENT_RANKING_KEY, [{"name": "ask_costs", "confidence": 0.6}, {"name": "crisis", "confidence": 0.4}])
    joint = ranking(vote.process([msg])[0])
    assert msg.get(INTENT)["name"] == "ask_costs"
    # only DIET's share of the crisis is left; the linear model's went to the other intents
    assert joint["crisis"] == pytest.approx(0.5 * 0.4)
    assert sum(joint.values()) == pytest.approx(1.0)


def test_an_alarm_diet_raised_stands_as_it_was(trained) -> None:
    vote, _, _ = trained
    msg = message(["kosten"])
    before = [{"name": "crisis", "confidence": 0.55}, {"name": "ask_costs", "confidence": 0.45}]
    msg.set(INTENT_RANKING_KEY, before)
    msg.set(INTENT, before[0])
    vote.process([msg])
    assert msg.get(INTENT)["name"] == "crisis"
    assert msg.get(INTENT_RANKING_KEY) == before


def test_the_joint_ranking_is_the_weighted_average_of_both(trained) -> None:
    vote, _, _ = trained
    alone = ranking(vote.process([message(["risiko"])])[0])
    msg = message(["risiko"])
    # DIET was sure of another intent: half of its vote goes there
    msg.set(INTENT_RANKING_KEY, [{"name": "ask_costs", "confidence": 0.9}, {"name": "ask_risks", "confidence": 0.1}])
    joint = ranking(vote.process([msg])[0])
    assert joint["ask_costs"] == pytest.approx(0.5 * alone["ask_costs"] + 0.45)
    assert joint["ask_risks"] == pytest.approx(0.5 * alone["ask_risks"] + 0.05)
    assert joint["ask_effectiveness"] == pytest.approx(0.5 * alone["ask_effectiveness"])
    assert "crisis" not in joint
    assert msg.get(INTENT)["name"] == max(joint, key=joint.get)
    # the ranking is sorted, best first
    assert list(joint.values()) == sorted(joint.values(), reverse=True)


def test_an_intent_only_diet_knows_keeps_its_share(trained) -> None:
    vote, _, _ = trained
    msg = message(["hilft"])
    msg.set(INTENT_RANKING_KEY, [{"name": "greet", "confidence": 1.0}])
    joint = ranking(vote.process([msg])[0])
    assert joint["greet"] == pytest.approx(0.5)


def test_a_trained_vote_is_stored_and_loaded(trained) -> None:
    vote, storage, resource = trained
    context = ExecutionContext(node_name="vote", graph_schema=None)  # type: ignore[arg-type]
    loaded = IntentVote.load({**IntentVote.get_default_config(), "diet_weight": 0.5}, storage, resource, context)
    [msg] = loaded.process([message(["hilft"])])
    assert msg.get(INTENT)["name"] == "ask_effectiveness"


def test_training_examples_are_left_as_they_are(trained) -> None:
    vote, _, _ = trained
    data = training_data()
    vote.process_training_data(data)
    assert all(m.get(INTENT_RANKING_KEY) is None for m in data.training_examples)


def load_again(storage: LocalModelStorage, resource: Resource) -> IntentVote:
    context = ExecutionContext(node_name="vote", graph_schema=None)  # type: ignore[arg-type]
    return IntentVote.load({**IntentVote.get_default_config(), "diet_weight": 0.5}, storage, resource, context)


def test_the_loaded_vote_gives_the_same_probabilities(trained) -> None:
    vote, storage, resource = trained
    loaded = load_again(storage, resource)
    features = vote._create_X([message(["kosten", "hilft"]), message(["risiko"]), message([])])
    assert list(loaded.clf.classes_) == list(vote.clf.classes_)
    assert np.allclose(loaded.clf.predict_proba(features), vote.clf.predict_proba(features))


def test_a_vote_of_two_intents_is_stored_and_loaded(tmp_path: Path) -> None:
    # scikit-learn keeps a single row of weights when there are only two intents
    storage, resource = LocalModelStorage(tmp_path), Resource("vote2")
    context = ExecutionContext(node_name="vote", graph_schema=None)  # type: ignore[arg-type]
    vote = IntentVote.create(IntentVote.get_default_config(), storage, resource, context)
    vote.train(TrainingData([message(["kosten"], "ask_costs"), message(["risiko"], "ask_risks")] * 5))
    loaded = IntentVote.load(IntentVote.get_default_config(), storage, resource, context)
    features = vote._create_X([message(["kosten"]), message(["risiko"])])
    assert np.allclose(loaded.clf.predict_proba(features), vote.clf.predict_proba(features))


def stored_file(storage: LocalModelStorage, resource: Resource) -> Path:
    with storage.read_from(resource) as model_dir:
        return model_dir / f"{resource.name}.npz"


def refused(storage: LocalModelStorage, resource: Resource, caplog) -> None:
    loaded = load_again(storage, resource)
    msg = message(["hilft"])
    msg.set(INTENT_RANKING_KEY, [{"name": "greet", "confidence": 1.0}])
    # nothing loaded: DIET's ranking stands as it is
    assert ranking(loaded.process([msg])[0]) == {"greet": 1.0}
    assert "DIET decides alone" in caplog.text


def test_a_stored_vote_holding_objects_is_not_loaded(trained, caplog) -> None:
    _, storage, resource = trained
    path = stored_file(storage, resource)
    with np.load(path) as stored:
        arrays = dict(stored)
    # an array of Python objects is stored with pickle, which load() must refuse to read (the
    # same intent names otherwise, so only the refusal can keep it from loading)
    arrays["classes"] = arrays["classes"].astype(object)
    np.savez(path, **arrays)
    refused(storage, resource, caplog)


def test_a_stored_vote_whose_shapes_do_not_fit_is_not_loaded(trained, caplog) -> None:
    _, storage, resource = trained
    path = stored_file(storage, resource)
    with np.load(path) as stored:
        arrays = dict(stored)
    arrays["idf"] = arrays["idf"][:-1]
    np.savez(path, **arrays)
    refused(storage, resource, caplog)


def test_the_features_of_many_messages_are_one_row_each(trained) -> None:
    vote, _, _ = trained
    features = vote._create_X([message(["kosten"]), message(["risiko", "hilft"])])
    assert features.shape == (2, len(WORDS))
    assert features.toarray().tolist() == [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0]]


def test_the_linear_model_reads_tf_idf_weights(trained) -> None:
    # a word's repeats count less than its first use, so a long message does not outweigh a
    # short one by its length alone
    vote, _, _ = trained
    tfidf = vote.clf.named_steps["tfidf"]
    weights = tfidf.transform(scipy.sparse.csr_matrix([[3.0, 1.0, 0.0, 0.0]])).toarray()[0]
    assert weights[0] < 3 * weights[1]  # three uses of "kosten" weigh less than three times one


def test_its_own_probabilities_are_scikit_learns_to_the_bit(tmp_path: Path) -> None:
    # process() skips scikit-learn's input checks; it must still give exactly predict_proba's
    # numbers, for one message and for several, counts above one included
    random = np.random.default_rng(7)
    words = 40
    counts = scipy.sparse.random(120, words, density=0.15, random_state=7, format="coo")
    counts.data = random.integers(1, 4, size=counts.nnz).astype(float)
    labels = [f"intent_{i % 6}" for i in range(120)]
    storage, resource = LocalModelStorage(tmp_path), Resource("vote6")
    context = ExecutionContext(node_name="vote", graph_schema=None)  # type: ignore[arg-type]
    vote = IntentVote.create(IntentVote.get_default_config(), storage, resource, context)
    vote.clf.fit(counts.tocsr(), labels)
    vote._set_columns()
    vote.persist()
    loaded_from_disk = load_again(storage, resource)
    assert vote._columns is not None and loaded_from_disk._columns is not None
    for first, last in [(0, 1), (5, 6), (0, 120)]:
        rows = counts.tocsr()[first:last].tocoo()
        expected = vote.clf.predict_proba(rows.tocsr())
        assert np.array_equal(vote._probabilities(rows), expected)
        assert np.array_equal(loaded_from_disk._probabilities(rows), expected)


def test_two_intents_take_scikit_learns_own_path(tmp_path: Path) -> None:
    storage, resource = LocalModelStorage(tmp_path), Resource("vote2")
    context = ExecutionContext(node_name="vote", graph_schema=None)  # type: ignore[arg-type]
    vote = IntentVote.create(IntentVote.get_default_config(), storage, resource, context)
    vote.train(TrainingData([message(["kosten"], "ask_costs"), message(["risiko"], "ask_risks")] * 5))
    assert vote._columns is None
    features = vote._create_X([message(["kosten"])])
    assert np.array_equal(vote._probabilities(features), vote.clf.predict_proba(features))


def test_the_rows_are_those_of_rasas_own_stacks(trained) -> None:
    # two sentence featurizers side by side (words and letters), as in config.yml: the same matrix,
    # entry for entry and in the same order, as stacking what message.get_sparse_features gives
    vote, _, _ = trained
    random = np.random.default_rng(3)
    messages = []
    for _ in range(6):
        msg = Message(data={TEXT: "x"})
        for origin, width in (("words", 7), ("letters", 11)):
            row = scipy.sparse.random(1, width, density=0.4, random_state=random, format="csr")
            row.data = random.integers(1, 4, size=row.nnz).astype(np.int64)
            msg.add_features(Features(row.tocoo(), FEATURE_TYPE_SENTENCE, TEXT, origin))
            msg.add_features(Features(scipy.sparse.coo_matrix((3, width)), FEATURE_TYPE_SEQUENCE, TEXT, origin))
        messages.append(msg)
    for chosen in (messages[:1], messages):
        rasas = scipy.sparse.vstack([m.get_sparse_features(TEXT)[1].features for m in chosen], format="csr")
        ours = vote._create_X(chosen)
        assert ours.shape == rasas.shape == (len(chosen), 18)
        for part in ("indptr", "indices", "data"):
            assert np.array_equal(getattr(ours, part), getattr(rasas, part))


def test_a_scikit_learn_without_the_idf_diagonal_takes_its_own_path(trained) -> None:
    # a later scikit-learn may keep the IDF weights another way: then predict_proba, not a crash
    vote, _, _ = trained
    tfidf = vote.clf.named_steps["tfidf"]
    diagonal = tfidf.__dict__.pop("_idf_diag")
    try:
        vote._set_columns()
        assert vote._columns is None
    finally:
        tfidf._idf_diag = diagonal
        vote._set_columns()
    assert vote._columns is not None
