"""Logs without personal data: no message text, no chat id, PSID or phone number, no sender id in clear.

Installed by `bot.server.rasa_patches.apply()` (so in every Rasa process of the project) and
by the launcher for the action server. Three layers:

1. **structlog** (Rasa 3.6 logs the parsed message as `parse_data_text=…`, slot values, the
   tracker's latest message … at DEBUG): a processor, first in Rasa's chain, replaces the
   values of the keys Rasa itself marks as anonymisable (`text`, `parse_data_text`,
   `user_message`, `slot_values`, …) by `[redacted]` and scrubs every other string value.
2. **stdlib logging**: a log-record factory renders each record's message once, scrubbed
   (and its traceback, whose exception texts may quote a request), before any handler sees it.
3. **Scrubbing** a string: a conversation key (`rest:…`, `tg:…`, see conversation_keys) becomes
   its short `log_id`; a phone number (`+49…`, `whatsapp:+49…`) becomes `[phone]`; and while
   a connector handles a message, that message's text and the provider's raw ids (chat id,
   PSID, number), which no pattern could find, are replaced wherever they appear
   (`handling(...)`, a context variable, so it follows the message through Rasa's tasks).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
from collections.abc import Iterator
from typing import Any

from bot.server.conversation_keys import KEY_PATTERN, log_id

REDACTED = "[redacted]"
# Rasa's own list (rasa.utils.log_utils._anonymizer), plus what our code might add.
SENSITIVE_KEYS = frozenset(
    {
        "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
        "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
        "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states",
        "successes", "current_entity", "next_entity", "states", "entity", "token_text", "user_message",
        "json_message", "sender_id", "conversation_id", "metadata", "input_channel_metadata", "tracker",
        "events", "slots", "entities", "parse_data", "utterance", "bot_message", "user_uttered",
    }
)  # fmt: skip
_PHONE = re.compile(r"(?:whatsapp:)?\+\d[\d ]{5,18}\d")
_current: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("rueckenbot_private", default=())
_installed = False
_stock_factory = logging.getLogRecordFactory()


@contextlib.contextmanager
def handling(*private: Any) -> Iterator[None]:
    """While a connector handles one message: never log these strings (text, raw ids)."""
    values = tuple(sorted({str(v) for v in private if v is not None and len(str(v)) >= 3}, key=len, reverse=True))
    token = _current.set(_current.get() + values)
    try:
        yield
    finally:
        _current.reset(token)


def scrub(text: str) -> str:
    """`text` without the current message's private strings, conversation keys or phone numbers."""
    text = KEY_PATTERN.sub(lambda m: log_id(m.group(0)), text)
    for value in _current.get():
        if value in text:
            text = text.replace(value, REDACTED)
    return _PHONE.sub("[phone]", text)


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_scrub_value(v) for v in value)
    if isinstance(value, dict):
        return {k: (REDACTED if k in SENSITIVE_KEYS else _scrub_value(v)) for k, v in value.items()}
    return value


def structlog_processor(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: sensitive keys redacted, every other string scrubbed."""
    for key, value in list(event_dict.items()):
        event_dict[key] = REDACTED if key in SENSITIVE_KEYS else _scrub_value(value)
    return event_dict


_formatter = logging.Formatter()


def _record_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _stock_factory(*args, **kwargs)
    try:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = scrub(_formatter.formatException(record.exc_info))
    except Exception:  # never lose a log line to the scrubber; lose its content instead
        record.msg, record.args = "[log message dropped: could not be checked for personal data]", None
    return record


def _add_structlog_processor() -> None:
    import structlog

    # The list itself (get_config returns it by reference): loggers that Rasa already bound and
    # cached hold this very list, so inserting into it reaches them too.
    processors = structlog.get_config()["processors"]
    if structlog_processor in processors:
        return
    if isinstance(processors, list):
        processors.insert(0, structlog_processor)
    else:
        structlog.configure(processors=[structlog_processor, *processors])


def install() -> None:
    """Install both layers (idempotent); also into Rasa's later structlog configuration."""
    global _installed
    logging.setLogRecordFactory(_record_factory)
    _add_structlog_processor()
    if _installed:
        return
    import rasa.utils.log_utils as log_utils

    stock_configure = log_utils.configure_structlog

    def configure_structlog(*args: Any, **kwargs: Any) -> None:
        stock_configure(*args, **kwargs)
        _add_structlog_processor()

    configure_structlog.__wrapped__ = stock_configure  # type: ignore[attr-defined]
    log_utils.configure_structlog = configure_structlog
    import sys

    main = sys.modules.get("rasa.__main__")
    if main is not None and getattr(main, "configure_structlog", None) is stock_configure:
        main.configure_structlog = configure_structlog
    _installed = True


def uninstall() -> None:
    """Undo `install` (tests)."""
    global _installed
    logging.setLogRecordFactory(_stock_factory)
    import structlog

    processors = structlog.get_config()["processors"]
    while isinstance(processors, list) and structlog_processor in processors:
        processors.remove(structlog_processor)
    if _installed:
        import rasa.utils.log_utils as log_utils

        wrapped = getattr(log_utils.configure_structlog, "__wrapped__", None)
        if wrapped is not None:
            log_utils.configure_structlog = wrapped
        _installed = False
