"""bot.server.rasa_patches: the session length limit and the cached event-type lookup, on Rasa's own classes."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.server import rasa_patches
from tests.servers import ROOT


@pytest.fixture(autouse=True, scope="module")
def patches_applied():
    """This module tests the patched Rasa; undone afterwards, so no later test sees the patches."""
    rasa_patches.apply()
    yield
    rasa_patches.undo()


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def conversation(domain: Domain, *turns: tuple[str, dict]) -> DialogueStateTracker:
    """A tracker with one session: per turn a user message and the slots the bot set."""
    events: list[Event] = [SessionStarted(), ActionExecuted("action_listen")]
    for text, slots in turns:
        events.append(UserUttered(text, {"name": "ask_effectiveness", "confidence": 1.0}))
        events += [SlotSet(name, value) for name, value in slots.items()]
        events += [ActionExecuted("action_answer_fact"), ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events("someone", events, domain.slots)


def test_user_turns_are_counted_from_the_session_start(domain: Domain) -> None:
    tracker = conversation(domain, ("a", {}), ("b", {}), ("c", {}))
    assert rasa_patches.user_turns_in_session(tracker) == 3
    tracker.update(Restarted(), domain)
    assert rasa_patches.user_turns_in_session(tracker) == 0
    tracker.update(UserUttered("d", {"name": "greet", "confidence": 1.0}), domain)
    assert rasa_patches.user_turns_in_session(tracker) == 1


def test_a_continued_session_carries_the_slots_over(domain: Domain) -> None:
    tracker = conversation(
        domain,
        ("Hilft Akupunktur?", {"therapy": "akupunktur", "aspect": "wirksamkeit"}),
        ("Und Risiken?", {"aspect": "risiken"}),
    )
    before = len(tracker.events)
    rasa_patches.continue_in_new_session(tracker, domain)
    new = list(tracker.events)[before:]
    assert isinstance(new[0], SessionStarted) and new[0].metadata == {"reason": "max_turns"}
    assert isinstance(new[-1], ActionExecuted) and new[-1].action_name == "action_listen"
    assert tracker.get_slot("therapy") == "akupunktur"
    assert tracker.get_slot("aspect") == "risiken"
    assert rasa_patches.user_turns_in_session(tracker) == 0
    # the old session's events are still in the tracker; only the current session counts
    assert (
        len(tracker.events) > len(new) and len(list(tracker.applied_events())) == len(new) - 1
    )  # without session_started


def test_session_length_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUECKENBOT_SESSION_MAX_TURNS", raising=False)
    assert rasa_patches.session_max_turns() == rasa_patches.DEFAULT_SESSION_MAX_TURNS
    monkeypatch.setenv("RUECKENBOT_SESSION_MAX_TURNS", "0")
    assert rasa_patches.session_max_turns() == 0
    monkeypatch.setenv("RUECKENBOT_SESSION_MAX_TURNS", "viele")
    assert rasa_patches.session_max_turns() == rasa_patches.DEFAULT_SESSION_MAX_TURNS


def test_event_types_resolve_as_in_rasa() -> None:
    for _ in range(2):  # the second time from the cache
        assert Event.resolve_by_type("slot") is SlotSet
        assert Event.resolve_by_type("user") is UserUttered
        assert Event.from_parameters({"event": "session_started"}) == SessionStarted()
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")


# --- the fence: units, signatures, version guard, undo ----------------------------------


@pytest.fixture
def fresh_patches():
    """Rasa's originals before and after the test, whatever the test applies."""
    was_applied = rasa_patches.applied()
    rasa_patches.undo()
    yield
    rasa_patches.undo()
    if was_applied:
        rasa_patches.apply()


@pytest.mark.parametrize("patch", rasa_patches.PATCHES, ids=lambda p: p.name)
def test_each_patched_attribute_still_has_the_signature_it_was_written_for(patch, fresh_patches) -> None:
    assert patch.signature_matches(), (patch.name, patch.parameters)


def test_apply_replaces_and_undo_restores_rasas_originals(fresh_patches) -> None:
    originals = {p.name: p.owner().__dict__[p.attribute] for p in rasa_patches.PATCHES}
    assert rasa_patches.apply()
    for patch in rasa_patches.PATCHES:
        assert patch.installed and patch.owner().__dict__[patch.attribute] is not originals[patch.name], patch.name
    rasa_patches.undo()
    for patch in rasa_patches.PATCHES:
        assert patch.owner().__dict__[patch.attribute] is originals[patch.name], patch.name
    assert not rasa_patches.applied()


def test_another_rasa_version_is_refused_with_a_clear_log_line(
    fresh_patches, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:  # fmt: skip
    originals = {p.name: p.owner().__dict__[p.attribute] for p in rasa_patches.PATCHES}
    monkeypatch.setattr(rasa_patches, "rasa_version", lambda: "3.7.0")
    with caplog.at_level("ERROR", logger="bot.server.rasa_patches"):
        assert rasa_patches.apply() is False
    assert "Rasa 3.7.0 is installed" in caplog.text and "NOT applying" in caplog.text
    assert all(p.owner().__dict__[p.attribute] is originals[p.name] for p in rasa_patches.PATCHES)


def test_a_unit_whose_signature_changed_is_skipped(fresh_patches, monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    unit = rasa_patches.PATCHES[0]
    original = unit.owner().__dict__[unit.attribute]
    monkeypatch.setattr(unit, "parameters", ("self", "something_else"))
    with caplog.at_level("ERROR", logger="bot.server.rasa_patches"):
        rasa_patches.apply()
    assert f"Rasa patch '{unit.name}' skipped" in caplog.text
    assert unit.owner().__dict__[unit.attribute] is original
    assert all(p.installed for p in rasa_patches.PATCHES[1:])


# --- the kept-alive session and the cached validator ------------------------------------


def test_the_kept_alive_session_is_reused_per_loop_and_replaced_when_closed() -> None:
    import asyncio

    from rasa.utils.endpoints import EndpointConfig

    endpoint = EndpointConfig(
        "http://127.0.0.1:1/webhook", headers={"X-Test": "1"}, basic_auth={"username": "u", "password": "p"}
    )
    rasa_patches.keep_alive(endpoint)
    rasa_patches.keep_alive(endpoint)  # idempotent

    async def sessions() -> tuple:
        async with endpoint.session() as first, endpoint.session() as second:
            pass
        assert not first.closed, "leaving `async with` does not close the kept-alive session"
        headers, auth = dict(first.headers), first.auth
        await first.close()
        async with endpoint.session() as third:
            pass
        await third.close()
        return first, second, third, headers, auth

    first, second, third, headers, auth = asyncio.run(sessions())
    assert first is second and third is not first
    assert headers.get("X-Test") == "1" and auth.login == "u"

    async def other_loop():
        async with endpoint.session() as session:
            await session.close()
            return session

    assert asyncio.run(other_loop()) is not third, "a new event loop gets its own session"


def test_the_cached_validator_raises_what_jsonschema_validate_raises() -> None:
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator = rasa_patches.CachedValidator(schema)
    good = {"events": [], "responses": [{"text": "Hallo"}]}
    validator.validate(good)
    jsonschema.validate(good, schema)
    for bad in ({"events": "nein"}, {"events": [{"event": 5}]}, {"events": [{"event": "user", "text": 3}]}, []):
        with pytest.raises(jsonschema.ValidationError) as ours:
            validator.validate(bad)
        with pytest.raises(jsonschema.ValidationError) as stock:
            jsonschema.validate(bad, schema)
        assert ours.value.message == stock.value.message and list(ours.value.path) == list(stock.value.path)


def test_the_action_result_validator_accepts_and_raises_what_jsonschema_validate_does() -> None:
    # each event checked against its own branch only: the same verdict and error as the full oneOf
    import random

    import jsonschema
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.utils.schemas.events import EVENT_SCHEMA

    schema = RemoteAction.action_response_format_spec()
    full = validator_for(schema)(schema)  # jsonschema.validate without checking the schema each time
    validator = rasa_patches.ActionResultValidator(schema)
    assert len(validator._branches) == len(EVENT_SCHEMA["oneOf"])  # the fast path is in use
    names = [branch["properties"]["event"]["const"] for branch in EVENT_SCHEMA["oneOf"]]
    values = [None, 3, 2.5, "text", True, [], {}, ["a"], {"name": "x"}]
    fields = ["name", "value", "text", "timestamp", "metadata", "entities", "policy", "confidence",
              "parse_data", "hide_rule_turn", "input_channel"]  # fmt: skip
    rng = random.Random(13)

    def event() -> object:
        if rng.random() < 0.05:
            return rng.choice(values)
        made = {"event": rng.choice([*names, *names, "unbekannt", 5])} if rng.random() < 0.95 else {}
        for field in rng.sample(fields, rng.randint(0, 4)):
            made[field] = rng.choice(values)
        if rng.random() < 0.6 and made.get("event") == "slot":
            made.update(name="therapy", value="tens")
        return made

    verdicts = set()
    for _ in range(2000):
        result = {"events": [event() for _ in range(rng.randint(0, 4))], "responses": [{"text": "Hallo"}]}
        if rng.random() < 0.05:
            result = rng.choice([{"events": "nein"}, {"responses": [3]}, [], {"events": None}])
        error = best_match(full.iter_errors(result))
        stock = None if error is None else (error.message, list(error.path))
        try:
            validator.validate(result)
            ours = None
        except jsonschema.ValidationError as error:
            ours = (error.message, list(error.path))
        assert ours == stock, result
        verdicts.add(stock is None)
    assert verdicts == {True, False}  # both kinds were tried
    jsonschema.validate({"events": [{"event": "slot", "name": "therapy", "value": "tens"}]}, schema)
    validator.validate({"events": [{"event": "slot", "name": "therapy", "value": "tens"}]})


def test_the_cached_validator_checks_the_schema_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from jsonschema.validators import Draft202012Validator

    calls = []
    stock = Draft202012Validator.check_schema
    monkeypatch.setattr(Draft202012Validator, "check_schema", classmethod(lambda cls, s: calls.append(s) or stock(s)))
    validator = rasa_patches.CachedValidator(
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}
    )
    for _ in range(5):
        validator.validate({})
    assert len(calls) == 1


def test_reading_training_data_raises_rasas_own_error_for_a_bad_annotation() -> None:
    # the validator built once per schema must fail where Rasa's fails, with the same message
    from rasa.shared.exceptions import SchemaValidationError
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    good = 'version: "3.1"\nnlu:\n- intent: ask_costs\n  examples: |\n    - was kostet [TENS]{"entity": "therapy", "value": "tens"}\n'
    bad = good.replace('"value": "tens"', '"value": "tens", "role": 5')
    patched = RasaYAMLReader().reads(good).entity_examples[0].get("entities")
    with pytest.raises(SchemaValidationError) as patched_error:
        RasaYAMLReader().reads(bad)
    rasa_patches.undo()
    try:
        stock = RasaYAMLReader().reads(good).entity_examples[0].get("entities")
        with pytest.raises(SchemaValidationError) as stock_error:
            RasaYAMLReader().reads(bad)
    finally:
        rasa_patches.apply()
    assert patched == stock
    assert str(patched_error.value) == str(stock_error.value)


@pytest.mark.parametrize("cache_size", ["0", "100"])
def test_training_fingerprints_only_for_a_cache_that_is_on(
    cache_size: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rasa.shared.utils.io
    from rasa.engine.caching import LocalTrainingCache
    from rasa.engine.graph import ExecutionContext, GraphSchema, SchemaNode
    from rasa.engine.training import fingerprinting
    from rasa.engine.training.hooks import TrainingHook
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer

    monkeypatch.setenv("RASA_MAX_CACHE_SIZE", cache_size)
    monkeypatch.setattr(LocalTrainingCache, "_get_cache_location", staticmethod(lambda: tmp_path))
    fingerprinted = []
    monkeypatch.setattr(
        fingerprinting, "calculate_fingerprint_key", lambda **kwargs: fingerprinted.append("key") or "key"
    )
    monkeypatch.setattr(
        rasa.shared.utils.io, "deep_container_fingerprint", lambda output: fingerprinted.append("output") or "out"
    )
    schema = GraphSchema({"tokenize": SchemaNode({}, WhitespaceTokenizer, "", "", {})})
    hook = TrainingHook(cache=LocalTrainingCache(), model_storage=None, pruned_schema=schema)
    context = ExecutionContext(graph_schema=schema)
    data = hook.on_before_node("tokenize", context, {}, {"x": 1})
    hook.on_after_node("tokenize", context, {}, None, data)
    assert fingerprinted == ([] if cache_size == "0" else ["key", "output"])


def sparse_feature_arrays() -> list:
    """Batches as DIET's data generator slices them: one matrix per message, in the formats
    Rasa's featurizers give (coo, csr), with empty messages and sequences of different lengths."""
    import numpy as np
    import scipy.sparse
    from rasa.utils.tensorflow.model_data import FeatureArray

    random = np.random.default_rng(7)

    def matrix(rows: int, fmt: str):
        values = scipy.sparse.random(rows, 50, density=0.1, format=fmt, random_state=random, dtype=np.float64)
        return values

    def feature_array(matrices: list):
        holder = np.empty(len(matrices), dtype=object)
        holder[:] = matrices
        return FeatureArray(holder, number_of_dimensions=3)

    sentences = feature_array([matrix(1, "coo") for _ in range(64)])
    tokens = feature_array([matrix(int(n), "coo") for n in random.integers(1, 9, size=40)])
    as_csr = feature_array([matrix(int(n), "csr") for n in random.integers(1, 5, size=20)])
    with_empty = feature_array([matrix(1, "coo"), scipy.sparse.coo_matrix((1, 50)), matrix(3, "coo")])
    all_empty = feature_array([scipy.sparse.coo_matrix((2, 50)) for _ in range(3)])
    return [sentences, tokens, as_csr, with_empty, all_empty]


@pytest.mark.parametrize(
    "batch", sparse_feature_arrays(), ids=["sentences", "tokens", "csr", "an empty message", "all empty"]
)
def test_training_batches_gathered_at_once_equal_rasas_own(batch) -> None:
    """Item 6: the same indices, values and shape, of the same types and in the same order, as
    Rasa's own; so DIET trains on the very same numbers (its weights are the same to the bit)."""
    import numpy as np
    from rasa.utils.tensorflow.data_generator import RasaDataGenerator

    patch = next(p for p in rasa_patches.PATCHES if p.attribute == "_scipy_matrix_to_values")
    assert patch.installed
    ours = RasaDataGenerator._scipy_matrix_to_values(batch)
    stock = patch._saved.__func__(batch)
    assert len(ours) == len(stock) == 3
    for mine, theirs in zip(ours, stock, strict=True):
        assert mine.dtype == theirs.dtype and mine.shape == theirs.shape
        assert np.array_equal(mine, theirs)


def project_importer(**paths):
    from rasa.shared.importers.importer import TrainingDataImporter

    return TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(paths.get("data", ROOT / "data"))]
    )


def test_the_nlu_data_is_read_once_whatever_language_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 7: `rasa train` asks for the NLU data three ways (no language, "en", language="de");
    YAML files are read once, and every call gets the same examples."""
    from rasa.shared.importers.importer import E2EImporter
    from rasa.shared.nlu.training_data import loading

    reads: list[str] = []
    stock_load = loading.load_data
    monkeypatch.setattr(loading, "load_data", lambda name, language="en": reads.append(name) or stock_load(name))
    importer = E2EImporter(project_importer())
    assert rasa_patches.reads_only_yaml(importer)
    first = importer.get_nlu_data()
    files = len(reads)
    assert files >= 1
    importer.get_domain()  # asks for the NLU data once more, without a language (Rasa's own read again)
    assert importer.get_nlu_data("en") is first
    assert importer.get_nlu_data(language="de") is first
    assert len(reads) == files


def test_nlu_data_of_other_formats_keeps_rasas_language(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 7 only for YAML: other readers (Dialogflow's) read by language, so Rasa's calls stay."""
    import shutil

    from rasa.shared.importers.importer import E2EImporter

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "more_nlu.json").write_text('{"rasa_nlu_data": {"common_examples": []}}', encoding="utf-8")
    importer = E2EImporter(project_importer(data=data))
    assert not rasa_patches.reads_only_yaml(importer)
    assert importer.get_nlu_data(language="de") is not importer.get_nlu_data()


def test_training_batches_come_without_autotuning_and_unchanged() -> None:
    """Item 8: keras reads a Sequence (as DIET's RasaDataGenerator) through tf.data without the
    autotuning thread whose late wake stalled trainings, and gets the same batches in the same order."""
    import numpy as np
    from keras.engine.data_adapter import KerasSequenceAdapter
    from keras.utils import Sequence

    class Numbers(Sequence):
        def __len__(self) -> int:
            return 5

        def __getitem__(self, index: int):
            return np.arange(index * 3, index * 3 + 3, dtype=np.float32)

    patch = next(p for p in rasa_patches.PATCHES if p.attribute == "get_dataset")
    assert patch.installed
    ours = KerasSequenceAdapter(Numbers()).get_dataset()
    stock = patch._saved(KerasSequenceAdapter(Numbers()))
    assert ours.options().autotune.enabled is False
    assert stock.options().autotune.enabled is not False  # tf.data's default: on
    assert [b.tolist() for b in ours.as_numpy_iterator()] == [b.tolist() for b in stock.as_numpy_iterator()]


def test_predictions_through_the_traced_graph_equal_rasas_own() -> None:
    """Item 9: from the second prediction on, DIET's traced graph is called directly; the numbers
    are those of Rasa's own call through the tf.function, to the bit, and arguments that do not fit
    its signature still get the tf.function's own error."""
    import numpy as np
    import tensorflow as tf
    from rasa.utils.tensorflow.models import RasaModel

    class Tiny(RasaModel):
        def __init__(self) -> None:
            super().__init__(random_seed=1)
            self.weights_ = tf.Variable(np.random.default_rng(1).normal(size=(3, 4)).astype(np.float32))

        def batch_predict(self, batch_in):
            features = tf.cast(batch_in[0], tf.float32) * batch_in[1][:, None]
            return {"i_scores": tf.nn.softmax(tf.matmul(features, self.weights_)), "diagnostic_data": {}}

    random = np.random.default_rng(2)
    batches = [
        (random.normal(size=(n, 3)).astype(np.float32), random.normal(size=(n,)).astype(np.float32))
        for n in (1, 1, 2, 5)
    ]
    ours, stock = Tiny(), Tiny()
    patch = next(p for p in rasa_patches.PATCHES if p.attribute == "_rasa_predict")
    assert patch.installed
    for batch in batches:
        mine, theirs = ours._rasa_predict(batch), patch._saved(stock, batch)
        assert np.array_equal(mine["i_scores"], theirs["i_scores"])
    assert isinstance(ours._tf_predict_step, rasa_patches.GraphCall)
    assert not isinstance(stock._tf_predict_step, rasa_patches.GraphCall)
    # arguments that do not fit the signature (float64 for its float32, a missing tensor) go through
    # the tf.function: the same numbers or the same error as Rasa's own call
    for unfit in ((batches[0][0].astype(np.float64), batches[0][1]), (batches[0][0],)):
        assert outcome(ours._rasa_predict, unfit) == outcome(lambda batch: patch._saved(stock, batch), unfit)


def test_a_traced_graph_without_tensorflows_direct_call_goes_through_the_function() -> None:
    """Item 9 on a TensorFlow whose traced graph lacks `_call_flat`: every call through the
    tf.function, as in Rasa, not an error."""
    import numpy as np
    import tensorflow as tf

    function = tf.function(
        lambda batch: {"i_scores": batch[0] * 2}, input_signature=[[tf.TensorSpec((None,), tf.float32)]]
    )

    class GraphOfAnotherTensorFlow:  # what a traced graph would be without TensorFlow 2.12's call
        structured_input_signature = function.get_concrete_function().structured_input_signature

    class AnotherFunction:
        input_signature = function.input_signature

        def get_concrete_function(self):
            return GraphOfAnotherTensorFlow()

        def __call__(self, batch):
            return function(batch)

    call = rasa_patches.GraphCall(AnotherFunction())
    assert rasa_patches.GraphCall.fits(AnotherFunction()) and not call.direct
    assert call([np.ones(2, dtype=np.float32)])["i_scores"].numpy().tolist() == [2.0, 2.0]


def outcome(predict, batch) -> object:
    try:
        return predict(batch)["i_scores"].tolist()
    except Exception as error:  # noqa: BLE001 - the kind of error is what is compared
        return type(error)
