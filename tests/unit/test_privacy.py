"""Conversation keys, the log-privacy layer, rate limits and the outage buffer's bound (issue 14), without servers."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
import structlog
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.server import log_privacy, rasa_patches
from bot.server.conversation_keys import MissingSecret, channel_of, conversation_key, log_id
from bot.server.rate_limit import RateLimiter, TokenBucket
from tests.servers import ROOT

ENV = {"RUECKENBOT_ID_SECRET": "k" * 40}


@pytest.fixture(autouse=True, scope="module")
def no_patches_left():
    yield
    rasa_patches.undo()


def test_every_channel_has_a_key_no_other_channel_can_produce() -> None:
    raw = "whatsapp:+491511234567"
    keys = {
        channel: conversation_key(channel, raw, ENV)
        for channel in ("rest", "website", "telegram", "facebook", "twilio")
    }
    assert keys["rest"] == "rest:whatsapp:+491511234567" and keys["website"] == "web:whatsapp:+491511234567"
    assert len(set(keys.values())) == 5
    for channel in ("telegram", "facebook", "twilio"):
        prefix, digest = keys[channel].split(":")
        assert prefix in ("tg", "fb", "wa") and len(digest) == 32 and "491511234567" not in digest
        assert channel_of(keys[channel]) == channel
    assert conversation_key("wa", raw, ENV) == keys["twilio"], "name or prefix"
    assert conversation_key("twilio", raw, {"RUECKENBOT_ID_SECRET": "z" * 40}) != keys["twilio"], "keyed by the secret"


@pytest.mark.parametrize("secret", ["", "short"])
def test_messenger_keys_need_the_secret(secret: str) -> None:
    with pytest.raises(MissingSecret, match="RUECKENBOT_ID_SECRET"):
        conversation_key("telegram", "123", {"RUECKENBOT_ID_SECRET": secret})
    assert conversation_key("rest", "abc", {}) == "rest:abc"


def test_scrub_removes_keys_phone_numbers_and_the_current_message() -> None:
    line = "Tracker with sender_id 'rest:anna-123' saved; To: whatsapp:+491511234567, chat 987654321: Hilft Akupunktur?"
    with log_privacy.handling("987654321", "Hilft Akupunktur?"):
        scrubbed = log_privacy.scrub(line)
    assert "anna-123" not in scrubbed and log_id("rest:anna-123") in scrubbed
    assert "491511234567" not in scrubbed and "987654321" not in scrubbed and "Akupunktur" not in scrubbed
    assert log_privacy.scrub("chat 987654321") == "chat 987654321", "outside the message, plain numbers stay"


def test_stdlib_and_structlog_logs_pass_through_the_layer(caplog: pytest.LogCaptureFixture) -> None:
    log_privacy.install()
    try:
        with caplog.at_level(logging.DEBUG), log_privacy.handling("Meine Telefonnummer ist geheim"):
            logging.getLogger("rasa.core.processor").debug(
                "Received 'Meine Telefonnummer ist geheim' from %s", "tg:abc"
            )
            try:
                raise ValueError("Meine Telefonnummer ist geheim")
            except ValueError:
                logging.getLogger("x").exception("failed")
        assert "geheim" not in caplog.text and "tg:abc" not in caplog.text
        event = log_privacy.structlog_processor(
            None, "debug", {"event": "p", "parse_data_text": "Hallo Anna", "x": "rest:a"}
        )
        assert event["parse_data_text"] == log_privacy.REDACTED and event["x"] == log_id("rest:a")
        assert log_privacy.structlog_processor in structlog.get_config()["processors"]
    finally:
        log_privacy.uninstall()
    assert log_privacy.structlog_processor not in structlog.get_config()["processors"]


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(rate_per_minute=60, burst=3, max_clients=2)
    assert [bucket.allow("a", now=0) for _ in range(4)] == [True, True, True, False]
    assert bucket.allow("a", now=1.0) and not bucket.allow("a", now=1.0)
    bucket.allow("b", now=1)
    bucket.allow("c", now=1)
    assert len(bucket) == 2, "the limiter itself is bounded"


def test_rate_limiter_per_sender_and_per_address() -> None:
    limiter = RateLimiter({"RUECKENBOT_RATE_SENDER": "6", "RUECKENBOT_RATE_IP": "9"})
    assert sum(limiter.allow("rest:a", "203.0.113.9") for _ in range(10)) == 3  # per sender: bursts of 3
    assert sum(limiter.allow(f"rest:{i}", "203.0.113.9") for i in range(10)) == 0, "the address's bucket is empty"
    assert all(limiter.allow(f"rest:x{i}", "127.0.0.1") for i in range(10)), "loopback is not limited per address"
    behind = RateLimiter({"RUECKENBOT_PROXY_HOPS": "1"})
    assert behind.client_address("10.0.0.2", "198.51.100.7, 203.0.113.5") == "203.0.113.5"
    assert (
        RateLimiter({}).client_address("10.0.0.2", "198.51.100.7") == "10.0.0.2"
    ), "X-Forwarded-For only behind proxies"


def test_the_outage_buffer_is_bounded_and_still_written_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import contextlib

    import sqlalchemy.exc

    from bot.server.stores import EnvSQLTrackerStore

    for name in ("RUECKENBOT_DATABASE_URL", "RUECKENBOT_DB_DIALECT", "RUECKENBOT_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RUECKENBOT_TRACKER_DB", str(tmp_path / "c.db"))
    monkeypatch.setenv("RUECKENBOT_OUTAGE_MAX_CONVERSATIONS", "2")
    monkeypatch.setenv("RUECKENBOT_DB_RETRY_SECONDS", "0.2")
    store = EnvSQLTrackerStore(domain=Domain.load(ROOT / "domain.yml"))
    real = store.session_scope

    @contextlib.contextmanager
    def broken():
        raise sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("down"))
        yield

    def turn(sender: str) -> None:
        tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, store.domain.slots)
        tracker.update(UserUttered("Hilft Massage?", {"name": "ask_effectiveness", "confidence": 1.0}))
        tracker.update(ActionExecuted("action_listen"))
        asyncio.run(store.save(tracker))

    store.session_scope = broken
    try:
        turn("rest:a")
        turn("rest:b")
        assert store.pending == 2
        assert not store.accepts("rest:c"), "a third new conversation is refused at the channel"
        assert store.accepts("rest:a"), "a buffered one goes on"
        turn("rest:c")  # a race past the channel's check: not buffered
        assert store.pending == 2
    finally:
        store.session_scope = real
    import time

    deadline = time.monotonic() + 10
    while store.pending:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert asyncio.run(store.retrieve("rest:a")) is not None and asyncio.run(store.retrieve("rest:b")) is not None
    assert store.accepts("rest:c")
    store.engine.dispose()
