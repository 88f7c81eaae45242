"""The environment-chosen stores and the retention command, on SQLite (fast: part of `make test-unit`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy.exc
from rasa.core.lock_store import InMemoryLockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.server.stores import AtomicRedisLockStore, EnvLockStore, EnvSQLTrackerStore, database_settings, redis_settings
from tests.servers import ROOT
from tools import retention


@pytest.fixture(autouse=True, scope="module")
def no_patches_left():
    """Creating the tracker store applies bot.server.rasa_patches (as in the server): undo them afterwards."""
    yield
    from bot.server import rasa_patches

    rasa_patches.undo()


def test_database_settings_default_to_the_sqlite_file() -> None:
    assert database_settings({}) == {"dialect": "sqlite", "db": "var/conversations.db"}
    assert database_settings({"RUECKENBOT_TRACKER_DB": "/x/c.db"})["db"] == "/x/c.db"


def test_database_settings_for_postgresql() -> None:
    env = {"RUECKENBOT_DB_DIALECT": "postgres", "RUECKENBOT_DB_HOST": "db", "RUECKENBOT_DB_USER": "bot",
           "RUECKENBOT_DB_PASSWORD": "pw", "RUECKENBOT_DB_NAME": "talks"}  # fmt: skip
    assert database_settings(env) == {"dialect": "postgresql", "host": "db", "port": "5432", "db": "talks",
                                      "username": "bot", "password": "pw"}  # fmt: skip
    # one DSN wins over the separate variables; postgres:// is accepted
    dsn = {**env, "RUECKENBOT_DATABASE_URL": "postgres://bot:pw@db:5433/talks"}
    assert database_settings(dsn) == {"host": "postgresql://bot:pw@db:5433/talks"}


def test_redis_settings() -> None:
    assert redis_settings({}) is None
    assert redis_settings({"RUECKENBOT_REDIS_URL": "rediss://:p%40ss@cache:6380/3"}) == {
        "host": "cache", "port": 6380, "db": 3, "username": None, "password": "p@ss", "use_ssl": True,
        "key_prefix": None,
    }  # fmt: skip
    with pytest.raises(ValueError, match="redis://"):
        redis_settings({"RUECKENBOT_REDIS_URL": "http://cache"})


def test_lock_store_in_memory_unless_redis_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUECKENBOT_REDIS_URL", raising=False)
    assert isinstance(EnvLockStore().store, InMemoryLockStore)
    monkeypatch.setenv("RUECKENBOT_REDIS_URL", "redis://127.0.0.1:1/1")  # not contacted until used
    assert isinstance(EnvLockStore().store, AtomicRedisLockStore)


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, domain: Domain) -> Iterator[EnvSQLTrackerStore]:
    for name in ("RUECKENBOT_DATABASE_URL", "RUECKENBOT_DB_DIALECT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RUECKENBOT_TRACKER_DB", str(tmp_path / "c.db"))
    monkeypatch.setenv("RUECKENBOT_DB_RETRY_SECONDS", "0.2")
    tracker_store = EnvSQLTrackerStore(domain=domain)
    yield tracker_store
    tracker_store.engine.dispose()


def turn(tracker: DialogueStateTracker, text: str, therapy: str) -> None:
    tracker.update(UserUttered(text, {"name": "ask_risks", "confidence": 1.0}))
    tracker.update(SlotSet("therapy", therapy))
    tracker.update(ActionExecuted("action_answer_fact"))
    tracker.update(ActionExecuted("action_listen"))


def stored_texts(store: EnvSQLTrackerStore, sender: str) -> list[str]:
    tracker = asyncio.run(store.retrieve(sender))
    return [e.text for e in tracker.events if isinstance(e, UserUttered)] if tracker else []


@contextlib.contextmanager
def database_down(store: EnvSQLTrackerStore) -> Iterator[None]:
    real = store.session_scope

    @contextlib.contextmanager
    def broken() -> Iterator[None]:
        raise sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))
        yield

    store.session_scope = broken  # type: ignore[method-assign]
    try:
        yield
    finally:
        store.session_scope = real  # type: ignore[method-assign]


def test_outage_keeps_context_logs_loudly_and_writes_everything_afterwards(
    store: EnvSQLTrackerStore, caplog: pytest.LogCaptureFixture
) -> None:
    tracker = DialogueStateTracker("s", store.domain.slots)
    turn(tracker, "Hilft Akupunktur?", "akupunktur")
    asyncio.run(store.save(tracker))

    with database_down(store), caplog.at_level(logging.WARNING, logger="bot.server.stores"):
        during = asyncio.run(store.retrieve("s"))
        assert during is not None and during.get_slot("therapy") == "akupunktur"  # context from memory
        turn(during, "Und die Nebenwirkungen?", "akupunktur")
        asyncio.run(store.save(during))  # does not raise: Rasa's fail-safe never sees an error
        newcomer = asyncio.run(store.retrieve("new"))
        assert newcomer is None
        fresh = DialogueStateTracker("new", store.domain.slots)
        turn(fresh, "Hilft Massage?", "massage")
        asyncio.run(store.save(fresh))
        assert store.pending == 2 and not store.available
    assert any(r.levelno == logging.CRITICAL and "TRACKER STORE UNAVAILABLE" in r.message for r in caplog.records)

    # the retry timer writes the buffer without another message
    deadline = time.monotonic() + 10
    while store.pending:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert stored_texts(store, "s") == ["Hilft Akupunktur?", "Und die Nebenwirkungen?"]
    assert stored_texts(store, "new") == ["Hilft Massage?"]

    # and the next normal turn appends exactly its own events
    after = asyncio.run(store.retrieve("s"))
    turn(after, "Und bei Massagen?", "massage")
    asyncio.run(store.save(after))
    assert stored_texts(store, "s") == ["Hilft Akupunktur?", "Und die Nebenwirkungen?", "Und bei Massagen?"]


def test_outage_turn_after_a_failed_load_is_written_once(store: EnvSQLTrackerStore) -> None:
    """Load fails, the database returns before the save: only the new events are written."""
    tracker = DialogueStateTracker("s", store.domain.slots)
    turn(tracker, "Hilft Akupunktur?", "akupunktur")
    asyncio.run(store.save(tracker))
    with database_down(store):
        during = asyncio.run(store.retrieve("s"))
    turn(during, "Und die Nebenwirkungen?", "akupunktur")
    asyncio.run(store.save(during))
    assert stored_texts(store, "s") == ["Hilft Akupunktur?", "Und die Nebenwirkungen?"]


# --- retention --------------------------------------------------------------


def test_retention_days_setting() -> None:
    assert retention.retention_days({}) == 30
    assert retention.retention_days({"RUECKENBOT_RETENTION_DAYS": "7"}) == 7
    for bad in ("0", "-1", "sieben"):
        with pytest.raises(ValueError, match="RUECKENBOT_RETENTION_DAYS"):
            retention.retention_days({"RUECKENBOT_RETENTION_DAYS": bad})


def save_at(store: EnvSQLTrackerStore, sender: str, text: str, when: float) -> None:
    tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, store.domain.slots)
    tracker.update(UserUttered(text, {"name": "ask_risks", "confidence": 1.0}, timestamp=when))
    tracker.update(ActionExecuted("action_listen", timestamp=when))
    asyncio.run(store.save(tracker))


def test_retention_deletes_only_what_is_older(store: EnvSQLTrackerStore) -> None:
    now = time.time()
    day = 86400
    save_at(store, "old", "Hilft Akupunktur?", now - 40 * day)
    save_at(store, "mixed", "Hilft Massage?", now - 31 * day)
    save_at(store, "mixed", "Und die Nebenwirkungen?", now - 2 * day)
    save_at(store, "recent", "Hilft TENS?", now - 29 * day)

    dry = retention.delete_older_than(store, 30, now=now, dry_run=True)
    assert (dry.events, dry.conversations) == (4, 2)
    assert stored_texts(store, "old") == ["Hilft Akupunktur?"]

    done = retention.delete_older_than(store, 30, now=now)
    assert (done.events, done.conversations) == (4, 2)
    assert stored_texts(store, "old") == []
    assert stored_texts(store, "mixed") == ["Und die Nebenwirkungen?"]
    assert stored_texts(store, "recent") == ["Hilft TENS?"]


def test_retention_command(store: EnvSQLTrackerStore, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    save_at(store, "old", "Hilft Akupunktur?", time.time() - 8 * 86400)
    save_at(store, "recent", "Hilft TENS?", time.time() - 86400)
    monkeypatch.setenv("RUECKENBOT_RETENTION_DAYS", "7")
    assert retention.main([]) == 0
    assert "Deleted 2 event(s) of 1 conversation(s) older than 7 days" in capsys.readouterr().out
    assert stored_texts(store, "old") == []
    assert stored_texts(store, "recent") == ["Hilft TENS?"]
    monkeypatch.setenv("RUECKENBOT_RETENTION_DAYS", "0")
    assert retention.main([]) == 2
    assert "more than 0" in capsys.readouterr().err


def test_stock_rasa_loses_the_outage_turn(tmp_path: Path, domain: Domain) -> None:
    """Why EnvSQLTrackerStore exists: Rasa's own SQL store behind its FailSafeTrackerStore, same outage."""
    from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore

    stock = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "stock.db"))
    safe = FailSafeTrackerStore(stock)
    first = DialogueStateTracker("s", domain.slots)
    turn(first, "Hilft Akupunktur?", "akupunktur")
    asyncio.run(safe.save(first))
    with database_down(stock):
        assert asyncio.run(safe.retrieve("s")) is None  # the context is gone for this turn
        during = DialogueStateTracker("s", domain.slots)
        turn(during, "Und die Nebenwirkungen?", "akupunktur")
        asyncio.run(safe.save(during))  # no error: kept in an in-memory store nothing reads
    after = asyncio.run(safe.retrieve("s"))
    turn(after, "Und bei Massagen?", "massage")
    asyncio.run(safe.save(after))
    texts = [e.text for e in asyncio.run(stock.retrieve("s")).events if isinstance(e, UserUttered)]
    assert texts == ["Hilft Akupunktur?", "Und bei Massagen?"]  # "Und die Nebenwirkungen?" never reached the database
    stock.engine.dispose()
