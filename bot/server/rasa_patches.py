"""Small changes to Rasa 3.6's server, each its own unit, applied from one place: `apply()`.

Where: every `rasa` command of the project starts through `python -m bot.server.rasa_cli`
(the Makefile's `run` and `shell` via tools/run_servers.py, the Dockerfile, docker-compose),
which calls `apply()` before Rasa's own `main`. A plain `rasa run`/`rasa shell` with this
project's endpoints.yml gets them too: the tracker store it names (bot.server.stores) calls
the same `apply()` when Rasa creates it, before the first message. `apply()` is idempotent.

Fenced: the units are written against Rasa 3.6.21 (`PINNED_RASA`). On any other version
`apply()` logs one ERROR line and applies none of them (Rasa's own behaviour stays). Each
unit also checks that the attribute it replaces still has the parameters it was written
for, and is skipped (with an ERROR line) where not. `undo()` restores Rasa's originals
(tests). The log-privacy layer (bot.server.log_privacy) is installed by `apply()` in any case.

1. **The action server is down, fails or hangs → a German apology, not silence.**
   Stock `RemoteAction.run` waits up to 300 s (`DEFAULT_REQUEST_TIMEOUT`) and on
   failure raises; the processor logs it and sends nothing. Here the call is
   limited to `RUECKENBOT_ACTION_TIMEOUT` seconds (default 5) and any failure
   returns one `BotUttered` with the response `utter_service_unavailable`, which the
   processor sends like any other bot message. `ActionExecutionRejection` keeps
   Rasa's meaning (another policy may pick an action) and is passed on.
   Should a custom slot mapping ever name a custom action again (Rasa then calls
   the action server from `action_extract_slots` first), a failure there keeps
   Rasa's handling (a warning, no slots) and is remembered for that message, so the
   action itself apologises at once instead of waiting a second time.

2. **Long conversations do not get slower.** Rasa loads, replays and sends to the
   action server every event of the current session on every message, so message
   100 of a conversation took about 4× as long as message 1. A session here also
   ends after `RUECKENBOT_SESSION_MAX_TURNS` user messages (default 20; 0 = only
   Rasa's idle timeout): before the next message the conversation continues in a
   new session that carries over the slots (`therapy`, `aspect`), written with
   Rasa's own events (`session_started`, `slot`, `action_listen`), exactly as
   `action_session_start` does with `carry_over_slots_to_new_session`. Nothing is
   deleted (the tracker store keeps every session; Rasa's HTTP API and
   `retrieve_full_tracker` still return all of them). The bot's context is its slots:
   every turn is a rule on the current message (data/rules.yml), so a new session
   changes no answer (tested in tests/e2e).

3. **Avoidable work per message is done once.** (a) Stock `_validate_action_result`
   calls `jsonschema.validate(result, schema)`, which first checks the schema itself
   against the draft 2020-12 meta-schema, on every call (about 24 ms per turn here).
   The schema is a constant (`RemoteAction.action_response_format_spec()`), so this
   builds the same validator class (`validator_for(schema)`), checks the schema once,
   and per call raises the same `best_match` error with the same message that
   `validate` would. An event is checked against the one branch of Rasa's `oneOf` that its
   name picks (the other 22 fail on their constant), not against all 23: an answer's five
   slots took 1.9 ms, now 0.2 ms; whatever fails that goes through the full validator.
   (b) Stock `Event.resolve_by_type` walks every subclass of `Event`
   (and `inspect.isabstract` on each) for every event it deserialises, about 25 µs an
   event; here a type name found once is remembered (classes do not change while the
   server runs; an unknown name still goes through Rasa's lookup and its error).
   (c) Stock `EndpointConfig.request` opens a new aiohttp session, and so a new TCP
   connection (with a DNS lookup in a thread), for every call to the action server;
   here the action endpoint lends one kept-alive session per process instead, with
   the same headers, auth and timeout, closing idle connections after 2 s (before the
   action server's Sanic does, after 5 s, so no request meets a connection being closed).
   `RUECKENBOT_SPEEDUPS=0` switches all three back to Rasa's own (the benchmark does).

4. **Reading the training data checks each annotation once, not the schema with it.** Stock
   `validate_training_data` calls `jsonschema.validate`, which first checks the (constant)
   schema against its meta-schema, for every annotated example: with about 8,800
   annotations that is about 15 s of each `rasa train` (which reads the data three times),
   of `tools/validate.py` and of every test that loads the data. Here a validator per
   schema is built once (the same `CachedValidator` as in 3a); errors are the same
   `SchemaValidationError` with the same message. Also off with `RUECKENBOT_SPEEDUPS=0`.

5. **Training without a cache computes no fingerprints for it.** The Makefile turns Rasa's
   training cache off (`RASA_MAX_CACHE_SIZE=0`: it would reuse our components by config,
   not by code). Stock `TrainingHook` still fingerprints every node's inputs and output
   (all messages with their feature matrices, as strings: about 10 s of each training) only
   to hand them to the disabled cache. With the cache disabled this hook does nothing; with
   a cache it is Rasa's own. Also off with `RUECKENBOT_SPEEDUPS=0`.

6. **A training batch's sparse features are gathered at once.** For every batch of every
   epoch, stock `RasaDataGenerator._scipy_matrix_to_values` builds an index array per message
   (`np.vstack` and `np.ones_like` for each of the 64 to 256 messages) and stacks them: about
   a third of DIETClassifier's training time here went into the batches, in the same Python
   thread as TensorFlow's. Here each batch's row and column arrays are joined once, with the
   message number repeated by its count of values: the same arrays in the same order, so the
   trained weights are the same to the bit (docs/performance.md). Dialogue features (4
   dimensions, the TED policy's) keep Rasa's own code. Also off with `RUECKENBOT_SPEEDUPS=0`.
   (The stall of 30-40 s at the end of DIET's training that seemed gone with this came back in
   3 of 10 trainings on 6.12.2026; its cause was tf.data's autotuning thread, see item 8.)

7. **`rasa train` reads the NLU data once, not three times.** Rasa's importers remember what
   they read, but by their arguments as written: `get_nlu_data()`, `get_nlu_data("en")` and
   `get_nlu_data(language="de")` are three different calls to them, so the training read and
   merged all NLU files three times (about 5 s of each training here). The language only
   matters to Dialogflow's reader; Rasa's YAML reader ignores it. Where every NLU file an
   importer reads is YAML, its `get_nlu_data` is called with Rasa's default language, so the
   second and third call get what the first read (the same object, as Rasa's own memory gives
   for a repeated call). Otherwise Rasa's own calls stay. Also off with `RUECKENBOT_SPEEDUPS=0`.

8. **DIET's and TED's batches are read without tf.data's autotuning thread.** Keras reads a
   `RasaDataGenerator` through a tf.data pipeline whose root starts a thread that tunes it
   (`Model::OptimizeLoop`), waking at intervals that double from 10 ms up to 60 s. When keras
   drops a pipeline (every epoch, and at the end of the training), the main thread waits in
   `~RootDataset::Iterator` until that thread has woken (native stacks of a stalled training;
   docs/performance.md): 30-40 s without CPU at the end of DIET's training in 3 of 10 trainings
   on 6.12.2026, and about 7 s of waiting in the others.
   The pipeline has nothing to tune (a Python generator and a fixed `prefetch(1)`), so its
   autotuning is switched off (`tf.data.Options().autotune.enabled = False`): the same batches
   in the same order, the same weights to the bit. Also off with `RUECKENBOT_SPEEDUPS=0`.

9. **DIET's prediction calls its traced graph directly.** Stock `RasaModel._rasa_predict` calls
   a `tf.function` with a fixed input signature, which for every message matches the Python
   arguments against that signature, converts them and looks up the traced graph again (about
   0.6 of DIET's 1.2 ms per message here, docs/performance.md). The graph is traced once, on
   the first message, as before; from the second on, the same traced graph is called with the
   message's arrays converted as TensorFlow converts them (`convert_to_tensor` with the
   signature's type) and its own captured weights. The same graph and inputs give the same
   numbers to the bit. Arguments that do not fit the signature go through the `tf.function`
   as before (and its error). Also off with `RUECKENBOT_SPEEDUPS=0`.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.server.responses import response_text

logger = logging.getLogger(__name__)

SERVICE_UNAVAILABLE = "utter_service_unavailable"
DEFAULT_ACTION_TIMEOUT = 5.0
DEFAULT_SESSION_MAX_TURNS = 20
_applied = False
_in_slot_extraction: contextvars.ContextVar[bool] = contextvars.ContextVar("in_slot_extraction", default=False)


def action_timeout() -> float:
    """Seconds Rasa waits for the action server (`RUECKENBOT_ACTION_TIMEOUT`, default 5)."""
    value = os.environ.get("RUECKENBOT_ACTION_TIMEOUT", "").strip()
    try:
        seconds = float(value) if value else DEFAULT_ACTION_TIMEOUT
    except ValueError:
        logger.error("RUECKENBOT_ACTION_TIMEOUT=%r is not a number; using %s s.", value, DEFAULT_ACTION_TIMEOUT)
        return DEFAULT_ACTION_TIMEOUT
    return seconds if seconds > 0 else DEFAULT_ACTION_TIMEOUT


def session_max_turns() -> int:
    """User messages per session before it continues in a new one (`RUECKENBOT_SESSION_MAX_TURNS`; 0 = off)."""
    value = os.environ.get("RUECKENBOT_SESSION_MAX_TURNS", "").strip()
    try:
        turns = int(value) if value else DEFAULT_SESSION_MAX_TURNS
    except ValueError:
        logger.error(
            "RUECKENBOT_SESSION_MAX_TURNS=%r is not a whole number; using %s.", value, DEFAULT_SESSION_MAX_TURNS
        )
        return DEFAULT_SESSION_MAX_TURNS
    return max(turns, 0)


def speedups_on() -> bool:
    return os.environ.get("RUECKENBOT_SPEEDUPS", "1").strip() != "0"


def user_turns_in_session(tracker: Any) -> int:
    """How many user messages the tracker's current session holds (reads back to its start only)."""
    from rasa.shared.core.events import Restarted, SessionStarted, UserUttered

    turns = 0
    for event in reversed(tracker.events):
        if isinstance(event, (SessionStarted, Restarted)):
            break
        if isinstance(event, UserUttered):
            turns += 1
    return turns


def continue_in_new_session(tracker: Any, domain: Any) -> None:
    """Start a new session that carries over the slots: Rasa's `action_session_start` with carry-over."""
    from rasa.core.actions.action import ActionSessionStart
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import ActionExecuted, SessionStarted

    carried = ActionSessionStart._slot_set_events_from_tracker(tracker)
    for event in [SessionStarted(metadata={"reason": "max_turns"}), *carried, ActionExecuted(ACTION_LISTEN_NAME)]:
        tracker.update(event, domain)


class _LentSession:
    """What `async with endpoint.session()` gets: a kept-alive session that the `with` does not close."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc_info: Any) -> None:
        return None


def keep_alive(endpoint: Any) -> None:
    """Make `endpoint` (Rasa's EndpointConfig) reuse one aiohttp session per event loop."""
    if endpoint is None or getattr(endpoint, "_keeps_alive", False):
        return
    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    current: dict[str, Any] = {}

    def session() -> _LentSession:
        loop = asyncio.get_running_loop()
        if current.get("loop") is not loop or current["session"].closed:
            auth = None
            if endpoint.basic_auth:
                auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
            current["loop"] = loop
            current["session"] = aiohttp.ClientSession(
                headers=endpoint.headers,
                auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=2),
            )
        return _LentSession(current["session"])

    endpoint.session = session
    endpoint._keeps_alive = True


class CachedValidator:
    """`jsonschema.validate(instance, schema)` with the schema check and validator built once."""

    def __init__(self, schema: dict[str, Any]) -> None:
        from jsonschema.validators import validator_for

        cls = validator_for(schema)
        cls.check_schema(schema)  # what validate() does on every call
        self._validator = cls(schema)

    def validate(self, instance: Any) -> None:
        from jsonschema.exceptions import best_match

        error = best_match(self._validator.iter_errors(instance))
        if error is not None:
            raise error


class ActionResultValidator(CachedValidator):
    """The action server's response checked as `jsonschema.validate` would, each event against its own branch.

    Rasa's `EVENT_SCHEMA` is a `oneOf` of 23 branches, one per event type, each fixing
    `event` to its own constant. `oneOf` tries every branch for every event, about 0.35 ms an
    event here. An event whose `event` names a branch can only pass that one (the others fail on
    their constant, and `event` is required), so it passes `oneOf` exactly when it passes the
    schema's other rules and that branch. Whatever fails this check, or has no branch of its
    own, goes through the full validator, which accepts or raises just as `validate` does.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        super().__init__(schema)
        cls = type(self._validator)
        events = schema.get("properties", {}).get("events", {})
        event = events.get("items", {})
        branches = event.get("oneOf", [])
        names = [branch.get("properties", {}).get("event", {}).get("const") for branch in branches]
        self._branches: dict[str, Any] = {}
        if events.get("type") != "array" or not branches or None in names or len(set(names)) != len(names):
            return  # not the shape this was written for: the full validator only
        rest = {key: value for key, value in event.items() if key != "oneOf"}
        self._branches = {name: cls({**rest, "allOf": [branch]}) for name, branch in zip(names, branches, strict=True)}
        self._outer = cls({**schema, "properties": {**schema["properties"], "events": {"type": "array"}}})

    def validate(self, instance: Any) -> None:
        if self._branches and self._passes_by_branch(instance):
            return
        super().validate(instance)

    def _passes_by_branch(self, instance: Any) -> bool:
        if not self._outer.is_valid(instance):
            return False
        for event in instance.get("events") or ():
            name = event.get("event") if isinstance(event, dict) else None
            branch = self._branches.get(name) if isinstance(name, str) else None
            if branch is None or not branch.is_valid(event):
                return False
        return True


# --- the units ------------------------------------------------------------------------

PINNED_RASA = "3.6.21"


@dataclass
class Patch:
    """One replaced attribute: where, what it must look like, and how to build the replacement."""

    name: str
    owner: Callable[[], Any]  # imports and returns the class
    attribute: str
    parameters: tuple[str, ...]  # the stock attribute's parameter names, as written against
    build: Callable[[Any], Any]  # stock function → replacement
    speedup: bool = False  # off with RUECKENBOT_SPEEDUPS=0
    static: bool = False
    _saved: Any = field(default=None, repr=False)

    def stock(self) -> Any:
        return getattr(self.owner(), self.attribute)

    def signature_matches(self) -> bool:
        return tuple(inspect.signature(self.stock()).parameters) == self.parameters

    def install(self) -> None:
        owner = self.owner()
        self._saved = owner.__dict__[self.attribute]
        replacement = self.build(getattr(owner, self.attribute))
        setattr(owner, self.attribute, staticmethod(replacement) if self.static else replacement)

    def uninstall(self) -> None:
        if self._saved is not None:
            setattr(self.owner(), self.attribute, self._saved)
            self._saved = None

    @property
    def installed(self) -> bool:
        return self._saved is not None


def _remote_action():
    from rasa.core.actions.action import RemoteAction

    return RemoteAction


def _extract_slots():
    from rasa.core.actions.action import ActionExtractSlots

    return ActionExtractSlots


def _processor():
    from rasa.core.processor import MessageProcessor

    return MessageProcessor


def _event():
    from rasa.shared.core.events import Event

    return Event


def _service_unavailable(domain: Any) -> list:
    from rasa.core.actions.action import create_bot_utterance

    text = response_text(response=SERVICE_UNAVAILABLE, domain=domain)
    return [create_bot_utterance({"text": text, "utter_action": SERVICE_UNAVAILABLE})]


def build_remote_action_run(stock_run: Callable) -> Callable:
    """Unit 1: the action server within RUECKENBOT_ACTION_TIMEOUT, any failure → utter_service_unavailable."""
    from rasa.core.actions.action import ActionExecutionRejection
    from rasa.shared.exceptions import RasaException

    failed_messages: OrderedDict[tuple[str, str], bool] = OrderedDict()  # (sender, message id) of recent failures
    speedups = speedups_on()

    async def run_with_fallback(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any,
                                timeout: float) -> list:  # fmt: skip
        """The stock run within the timeout; any failure but a rejection → RasaException."""
        try:
            return await asyncio.wait_for(stock_run(self, output_channel, nlg, tracker, domain), timeout)
        except ActionExecutionRejection:
            raise
        except asyncio.TimeoutError as e:
            logger.error(
                "The action server did not answer '%s' within %s s (RUECKENBOT_ACTION_TIMEOUT); the user gets %s.",
                self.name(), timeout, SERVICE_UNAVAILABLE,
            )  # fmt: skip
            raise RasaException(f"'{self.name()}' timed out after {timeout} s") from e
        except Exception as e:
            logger.error("Running '%s' on the action server failed (%s); the user gets %s.",
                         self.name(), type(e).__name__, SERVICE_UNAVAILABLE)  # fmt: skip
            if isinstance(e, RasaException):
                raise
            raise RasaException(f"'{self.name()}' failed: {type(e).__name__}") from e

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list:
        if speedups:
            keep_alive(self.action_endpoint)
        timeout = action_timeout()
        message_key = (tracker.sender_id, getattr(tracker.latest_message, "message_id", None) or "")
        extracting = _in_slot_extraction.get()
        if message_key in failed_messages and not extracting:
            logger.error("The action server failed for this message already; sent %s.", SERVICE_UNAVAILABLE)
            return _service_unavailable(domain)
        try:
            return await run_with_fallback(self, output_channel, nlg, tracker, domain, timeout)
        except ActionExecutionRejection:
            raise
        except RasaException:
            failed_messages[message_key] = True
            while len(failed_messages) > 1000:
                failed_messages.popitem(last=False)
            if extracting:
                raise  # Rasa's own handling in action_extract_slots: a warning, no slots
            return _service_unavailable(domain)

    return run


def build_run_custom_action(stock: Callable) -> Callable:
    """Unit 2: mark the action server call made for slot extraction (unit 1 treats it apart)."""

    async def _run_custom_action(self: Any, *args: Any, **kwargs: Any) -> list:
        token = _in_slot_extraction.set(True)
        try:
            return await stock(self, *args, **kwargs)
        finally:
            _in_slot_extraction.reset(token)

    return _run_custom_action


def build_update_tracker_session(stock: Callable) -> Callable:
    """Unit 3: a session ends after RUECKENBOT_SESSION_MAX_TURNS user messages (slots carried over)."""
    max_turns = session_max_turns()

    async def _update_tracker_session(
        self: Any, tracker: Any, output_channel: Any, metadata: dict | None = None
    ) -> None:
        await stock(self, tracker, output_channel, metadata)
        if max_turns and user_turns_in_session(tracker) >= max_turns:
            logger.debug("A conversation continues in a new session.")
            continue_in_new_session(tracker, self.domain)

    return _update_tracker_session


def build_validate_action_result(_stock: Callable) -> Callable:
    """Unit 4 (speed-up): the action server's response checked by a validator built once."""
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    validators: dict[type, ActionResultValidator] = {}

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        validator = validators.get(type(self))
        if validator is None:
            validator = validators[type(self)] = ActionResultValidator(self.action_response_format_spec())
        try:
            validator.validate(result)
            return True
        except ValidationError as e:  # the same message as Rasa's
            e.message += (
                f". Failed to validate Action server response from API, "
                f"make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise e

    return _validate_action_result


def _validation_utils():
    from rasa.shared.utils import validation

    return validation


def build_validate_training_data(_stock: Callable) -> Callable:
    """Item 4 of the module docstring (speed-up): training data checked by a validator built once per schema."""
    import json

    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_URL_TRAINING_DATA
    from rasa.shared.exceptions import SchemaValidationError

    validators: dict[str, CachedValidator] = {}

    def validate_training_data(json_data: dict[str, Any], schema: dict[str, Any]) -> None:
        key = json.dumps(schema, sort_keys=True, default=str)
        validator = validators.get(key)
        if validator is None:
            validator = validators[key] = CachedValidator(schema)
        try:
            validator.validate(json_data)
        except ValidationError as e:  # the same message and exception as Rasa's
            e.message += (
                f". Failed to validate data, make sure your data "
                f"is valid. For more information about the format visit "
                f"{DOCS_URL_TRAINING_DATA}."
            )
            raise SchemaValidationError.create_from(e) from e

    return validate_training_data


def _training_hook():
    from rasa.engine.training.hooks import TrainingHook

    return TrainingHook


def _cache_disabled(hook: Any) -> bool:
    is_disabled = getattr(hook._cache, "_is_disabled", None)  # LocalTrainingCache
    return bool(is_disabled and is_disabled())


def build_fingerprint_before_node(stock: Callable) -> Callable:
    """Item 5 (speed-up): no fingerprint key for a cache that is off."""

    def on_before_node(self: Any, node_name: str, execution_context: Any, config: dict, received_inputs: dict) -> dict:
        if _cache_disabled(self):
            return {}
        return stock(self, node_name, execution_context, config, received_inputs)

    return on_before_node


def build_cache_after_node(stock: Callable) -> Callable:
    """Item 5 (speed-up): no output fingerprint for a cache that is off."""

    def on_after_node(
        self: Any, node_name: str, execution_context: Any, config: dict, output: Any, input_hook_data: dict
    ) -> None:
        if _cache_disabled(self):
            return None
        return stock(self, node_name, execution_context, config, output, input_hook_data)

    return on_after_node


def _data_generator():
    from rasa.utils.tensorflow.data_generator import RasaDataGenerator

    return RasaDataGenerator


def build_scipy_matrix_to_values(stock: Callable) -> Callable:
    """Item 6 (speed-up): one batch's sparse matrices as (indices, values, shape) in one step."""
    import numpy as np
    import scipy.sparse

    def scipy_matrix_to_values(array_of_sparse: Any) -> list:
        if array_of_sparse.number_of_dimensions == 4:
            return stock(array_of_sparse)
        matrices = [m if isinstance(m, scipy.sparse.coo_matrix) else m.tocoo() for m in array_of_sparse]
        # per value: its message in the batch, its row (token) and column (feature), in Rasa's order
        message = np.repeat(np.arange(len(matrices)), [m.nnz for m in matrices])
        rows = np.concatenate([m.row for m in matrices])
        columns = np.concatenate([m.col for m in matrices])
        values = np.concatenate([m.data for m in matrices])
        shape = (len(matrices), max(m.shape[0] for m in matrices), matrices[0].shape[-1])
        return [
            np.stack([message, rows, columns], axis=1).astype(np.int64),
            values.astype(np.float32),
            np.array(shape, dtype=np.int64),
        ]

    return scipy_matrix_to_values


def _generator_adapter():
    from keras.engine.data_adapter import GeneratorDataAdapter

    return GeneratorDataAdapter


def build_dataset_without_autotune(stock: Callable) -> Callable:
    """Item 8 (speed-up): keras' dataset of a generator or `Sequence` without the autotuning thread."""
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False

    def get_dataset(self: Any) -> Any:
        return stock(self).with_options(options)

    return get_dataset


def _combined_importer():
    from rasa.shared.importers.importer import CombinedDataImporter

    return CombinedDataImporter


def _e2e_importer():
    from rasa.shared.importers.importer import E2EImporter

    return E2EImporter


def reads_only_yaml(importer: Any) -> bool:
    """Is every NLU file this importer (and those it wraps) reads Rasa YAML? Unknown importers: no."""
    from rasa.shared.importers.importer import (
        CombinedDataImporter,
        E2EImporter,
        NluDataImporter,
        ResponsesSyncImporter,
    )
    from rasa.shared.importers.rasa import RasaFileImporter

    if isinstance(importer, E2EImporter):
        return reads_only_yaml(importer.importer)
    if isinstance(importer, (ResponsesSyncImporter, NluDataImporter)):
        return reads_only_yaml(importer._importer)
    if isinstance(importer, CombinedDataImporter):
        return all(reads_only_yaml(inner) for inner in importer._importers)
    if type(importer) is RasaFileImporter:
        return all(str(path).endswith((".yml", ".yaml")) for path in importer._nlu_files)
    return False


def build_nlu_data_once(stock: Callable) -> Callable:
    """Item 7 (speed-up): one remembered reading of YAML NLU data, whatever language is asked."""

    def get_nlu_data(self: Any, language: str | None = "en") -> Any:
        return stock(self, "en" if reads_only_yaml(self) else language)

    return get_nlu_data


def _rasa_model():
    from rasa.utils.tensorflow.models import RasaModel

    return RasaModel


class GraphCall:
    """Item 9 (speed-up): the traced graph of a `tf.function` with an input signature, called with
    its tensors; arguments that do not fit go through the function itself."""

    def __init__(self, function: Any) -> None:
        import tensorflow as tf

        self.convert = tf.convert_to_tensor
        self.function = function
        self.graph = function.get_concrete_function()
        self.specs = list(self.graph.structured_input_signature[0][0])
        # TensorFlow's own call of a traced graph (2.12, constraints.txt); on a TensorFlow without
        # it every call goes through the function, as in Rasa
        self.direct = callable(getattr(self.graph, "_call_flat", None)) and hasattr(self.graph, "captured_inputs")

    @staticmethod
    def fits(function: Any) -> bool:
        """A function whose signature is one list of tensors (Rasa's `_dynamic_signature`)."""
        import tensorflow as tf

        signature = getattr(function, "input_signature", None)
        return (
            isinstance(signature, (list, tuple))
            and len(signature) == 1
            and isinstance(signature[0], list)
            and all(isinstance(spec, tf.TensorSpec) for spec in signature[0])
        )

    def __call__(self, batch_in: Any) -> Any:
        if self.direct and isinstance(batch_in, (list, tuple)) and len(batch_in) == len(self.specs):
            tensors = [
                self.convert(value, dtype_hint=spec.dtype) for value, spec in zip(batch_in, self.specs, strict=True)
            ]
            if all(spec.is_compatible_with(tensor) for spec, tensor in zip(self.specs, tensors, strict=True)):
                return self.graph._call_flat(tensors, self.graph.captured_inputs)
        return self.function(batch_in)


def build_predict_through_graph(stock: Callable) -> Callable:
    """Item 9 (speed-up): from the second prediction on, the traced graph is called directly."""

    def _rasa_predict(self: Any, batch_in: Any) -> Any:
        step = self._tf_predict_step
        if step is not None and not isinstance(step, GraphCall) and not self._run_eagerly and GraphCall.fits(step):
            self._tf_predict_step = GraphCall(step)
        return stock(self, batch_in)

    return _rasa_predict


def build_resolve_by_type(stock_resolve_by_type: Callable) -> Callable:
    """Item 3b (speed-up): an event type name found once is remembered."""
    event_classes: dict[str, type] = {}

    def resolve_by_type(type_name: str, default: type | None = None) -> type | None:
        found = event_classes.get(type_name)
        if found is None:
            found = stock_resolve_by_type(type_name, default)
            if found is not None and getattr(found, "type_name", None) == type_name:
                event_classes[type_name] = found
        return found

    return resolve_by_type


PATCHES: tuple[Patch, ...] = (
    Patch("action timeout and apology", _remote_action, "run",
          ("self", "output_channel", "nlg", "tracker", "domain"), build_remote_action_run),
    Patch("slot extraction marker", _extract_slots, "_run_custom_action",
          ("self", "custom_action", "output_channel", "nlg", "tracker", "domain"), build_run_custom_action),
    Patch("session length", _processor, "_update_tracker_session",
          ("self", "tracker", "output_channel", "metadata"), build_update_tracker_session),
    Patch("cached validator", _remote_action, "_validate_action_result", ("self", "result"),
          build_validate_action_result, speedup=True),
    Patch("cached event types", _event, "resolve_by_type", ("type_name", "default"), build_resolve_by_type,
          speedup=True, static=True),
    Patch("training data checked once per schema", _validation_utils, "validate_training_data",
          ("json_data", "schema"), build_validate_training_data, speedup=True),
    Patch("no fingerprints for a disabled training cache", _training_hook, "on_before_node",
          ("self", "node_name", "execution_context", "config", "received_inputs"),
          build_fingerprint_before_node, speedup=True),
    Patch("no outputs for a disabled training cache", _training_hook, "on_after_node",
          ("self", "node_name", "execution_context", "config", "output", "input_hook_data"),
          build_cache_after_node, speedup=True),
    Patch("training batches gathered at once", _data_generator, "_scipy_matrix_to_values", ("array_of_sparse",),
          build_scipy_matrix_to_values, speedup=True, static=True),
    Patch("training batches without tf.data autotuning", _generator_adapter, "get_dataset", ("self",),
          build_dataset_without_autotune, speedup=True),
    Patch("NLU data read once (combined)", _combined_importer, "get_nlu_data", ("self", "language"),
          build_nlu_data_once, speedup=True),
    Patch("NLU data read once (end to end)", _e2e_importer, "get_nlu_data", ("self", "language"),
          build_nlu_data_once, speedup=True),
    Patch("prediction through the traced graph", _rasa_model, "_rasa_predict", ("self", "batch_in"),
          build_predict_through_graph, speedup=True),
)  # fmt: skip


def rasa_version() -> str:
    import rasa

    return getattr(rasa, "__version__", "unknown")


def apply() -> bool:
    """Install the log-privacy layer and the units (idempotent); False when Rasa is not the pinned version."""
    global _applied
    from bot.server import log_privacy

    log_privacy.install()
    if _applied:
        return True
    version = rasa_version()
    if version != PINNED_RASA:
        logger.error(
            "Rasa %s is installed, but bot.server.rasa_patches is written for Rasa %s: NOT applying the patches "
            "(action timeout and apology, session length, speed-ups); Rasa's own behaviour stays. "
            "Install the pinned version (make setup) or check each patch against the new Rasa.",
            version, PINNED_RASA,
        )  # fmt: skip
        return False
    speedups = speedups_on()
    for patch in PATCHES:
        if patch.speedup and not speedups:
            continue
        if not patch.signature_matches():
            logger.error("Rasa patch '%s' skipped: %s.%s no longer has the parameters %s; Rasa's own stays.",
                         patch.name, patch.owner().__name__, patch.attribute, patch.parameters)  # fmt: skip
            continue
        patch.install()
    _applied = True
    logger.debug(
        "bot.server.rasa_patches applied (%s): action timeout %s s, sessions of at most %s messages, speed-ups %s.",
        ", ".join(p.name for p in PATCHES if p.installed), action_timeout(), session_max_turns() or "unlimited",
        "on" if speedups else "off",
    )  # fmt: skip
    return True


def speed_up_reading_training_data() -> bool:
    """Only item 4, for tools that read the training data without starting Rasa's server
    (tools/validate.py, the tests); fenced like `apply()`. True when installed."""
    patch = next(p for p in PATCHES if p.attribute == "validate_training_data")
    if patch.installed:
        return True
    if rasa_version() != PINNED_RASA or not speedups_on() or not patch.signature_matches():
        return False
    patch.install()
    return True


def undo() -> None:
    """Restore Rasa's originals and remove the log-privacy layer (tests)."""
    global _applied
    from bot.server import log_privacy

    for patch in reversed(PATCHES):
        patch.uninstall()
    log_privacy.uninstall()
    _applied = False


def applied() -> bool:
    return _applied
