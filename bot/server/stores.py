"""Tracker store and lock store chosen by environment variables (`endpoints.yml`: `type: bot.server.stores.…`).

Zero configuration gives what `make run` needs on one machine: an SQLite file
(`RUECKENBOT_TRACKER_DB`, default `var/conversations.db`) and an in-memory lock store.
Production sets a database and Redis:

    RUECKENBOT_DATABASE_URL=postgresql://rueckenbot:secret@db:5432/rueckenbot   (one DSN), or
    RUECKENBOT_DB_DIALECT=postgresql RUECKENBOT_DB_HOST=… RUECKENBOT_DB_PORT=… RUECKENBOT_DB_NAME=…
        RUECKENBOT_DB_USER=… RUECKENBOT_DB_PASSWORD=…
    RUECKENBOT_REDIS_URL=redis://:secret@redis:6379/1                             (lock store)

Two things differ from Rasa's stock stores, both for several instances and a database
that can fail:

- `EnvSQLTrackerStore` survives a database outage without losing a conversation. Stock
  Rasa wraps every tracker store in `FailSafeTrackerStore`, which on a database error
  logs one line and keeps the events only in memory, where they stay: the next save
  after the outage writes only what the database's count says is new, so everything
  said during the outage is silently gone. Here a failed save keeps the conversation in
  a buffer of this process, logs a CRITICAL line, and writes the buffered events as soon
  as the database answers again (on the next message, or by a retry every few seconds).
  While the database is down, a conversation this process has seen keeps its context.
  What is still lost: the buffer if the process stops before the database returns.
- `EnvLockStore` on Redis issues tickets atomically. Rasa's `RedisLockStore` reads,
  changes and writes the ticket lock in three steps, so two instances receiving messages
  of one sender at the same moment can both get ticket 0 and run the two turns at once.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
import sqlalchemy.exc
import sqlalchemy.orm
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

DEFAULT_SQLITE_DB = "var/conversations.db"
DEFAULT_RETRY_SECONDS = 2.0
RECENT_CONVERSATIONS = 2000  # per process, for context while the database is down
DATABASE_ERRORS = (sqlalchemy.exc.DBAPIError, sqlalchemy.exc.DisconnectionError)


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def database_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Keyword arguments for Rasa's `SQLTrackerStore`, from the environment."""
    env = _env(environ)
    url = env.get("RUECKENBOT_DATABASE_URL", "").strip()
    if url:
        if url.startswith("postgres://"):  # Heroku-style; SQLAlchemy 1.4 knows only postgresql://
            url = "postgresql://" + url.removeprefix("postgres://")
        return {"host": url}  # SQLTrackerStore.get_db_url takes a whole URL as host
    dialect = env.get("RUECKENBOT_DB_DIALECT", "").strip().lower() or "sqlite"
    if dialect == "sqlite":
        return {"dialect": "sqlite", "db": env.get("RUECKENBOT_TRACKER_DB") or DEFAULT_SQLITE_DB}
    if dialect == "postgres":
        dialect = "postgresql"
    return {
        "dialect": dialect,
        "host": env.get("RUECKENBOT_DB_HOST") or "localhost",
        "port": env.get("RUECKENBOT_DB_PORT") or ("5432" if dialect == "postgresql" else None),
        "db": env.get("RUECKENBOT_DB_NAME") or "rueckenbot",
        "username": env.get("RUECKENBOT_DB_USER") or None,
        "password": env.get("RUECKENBOT_DB_PASSWORD") or None,
    }


def redis_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """Keyword arguments for Rasa's `RedisLockStore`, or None when `RUECKENBOT_REDIS_URL` is unset."""
    env = _env(environ)
    url = env.get("RUECKENBOT_REDIS_URL", "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError(f"RUECKENBOT_REDIS_URL must start with redis:// or rediss://, not {parts.scheme}://")
    return {
        "host": parts.hostname or "localhost",
        "port": parts.port or 6379,
        "db": int(parts.path.strip("/") or 1),
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "use_ssl": parts.scheme == "rediss",
        "key_prefix": env.get("RUECKENBOT_REDIS_KEY_PREFIX") or None,
    }


def _sqlite_write_ahead_log(connection: Any, _record: Any) -> None:
    """SQLite in write-ahead-log mode: readers do not block the writer (several Sanic workers on one
    file), and a commit no longer waits for the disk twice. With synchronous=NORMAL a crash of the
    process loses nothing; a power cut can lose the last commits (PostgreSQL is the production store)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class EnvSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on the database the environment names, buffering through outages."""

    def __init__(self, domain: Any = None, event_broker: Any = None, **_endpoint_settings: Any) -> None:
        super().__init__(domain=domain, event_broker=event_broker, **database_settings())
        # Rasa's engine hands out pooled connections that died with the database; ping them first.
        url = self.engine.url
        self.engine.dispose()
        engine_kwargs = create_engine_kwargs(url)
        if url.get_backend_name() == "postgresql":
            engine_kwargs.setdefault("connect_args", {})["connect_timeout"] = 5
        if url.get_backend_name() == "sqlite":
            # SQLAlchemy 1.4 opens and closes a file database's connection for every query (NullPool);
            # keep them open instead. The outage retry runs on a timer thread, hence check_same_thread.
            engine_kwargs["poolclass"] = sa.pool.QueuePool
            engine_kwargs.setdefault("connect_args", {})["check_same_thread"] = False
        self.engine = sa.create_engine(url, pool_pre_ping=url.get_backend_name() != "sqlite", **engine_kwargs)
        if url.get_backend_name() == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_write_ahead_log)
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        self.retry_seconds = float(os.environ.get("RUECKENBOT_DB_RETRY_SECONDS") or DEFAULT_RETRY_SECONDS)
        self._mutex = threading.RLock()
        # sender → (its events as dicts, how many of them the database already holds)
        self._pending: dict[str, tuple[list[dict], int]] = {}
        # sender → the events this process last saw match the database (context during an outage)
        self._recent: OrderedDict[str, list[dict]] = OrderedDict()
        # sender → how many events of the tracker handed out during an outage the database holds
        self._handed_out: dict[str, int] = {}
        # sender → the tracker last loaded from the database and how many events it had. Saving that
        # same tracker object writes the events after those; Rasa would count the rows again first.
        self._loaded: dict[str, tuple[weakref.ref, int]] = {}
        self._retry: threading.Timer | None = None
        self.available = True
        logger.info("Tracker store: %s", url.render_as_string(hide_password=True))

    # --- the TrackerStore interface ------------------------------------------
    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        with self._mutex:
            try:
                self._flush()
                tracker = await super().retrieve(sender_id)
            except DATABASE_ERRORS as error:
                self._outage("load", sender_id, error)
                return self._from_memory(sender_id)
            self._back()
            self._handed_out.pop(sender_id, None)
            if tracker is None:  # e.g. deleted ("Meine Daten löschen", retention): forget it here too
                self._recent.pop(sender_id, None)
                self._loaded.pop(sender_id, None)
            else:
                self._remember(sender_id, [event.as_dict() for event in tracker.events])
                self._loaded[sender_id] = (weakref.ref(tracker), len(tracker.events))
            return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        events = [event.as_dict() for event in tracker.events]
        with self._mutex:
            try:
                self._flush()
                loaded = self._loaded.pop(sender_id, None)
                if sender_id in self._handed_out:  # came from memory: we know what the database holds
                    self._write(sender_id, events, self._handed_out[sender_id])
                elif loaded and loaded[0]() is tracker and self.event_broker is None:
                    # the tracker this store loaded (under the sender's lock): no need to count its rows
                    self._write(sender_id, events, loaded[1])
                else:
                    await super().save(tracker)
            except DATABASE_ERRORS as error:
                self._buffer(sender_id, events)
                self._outage("save", sender_id, error)
                return
            self._back()
            self._handed_out.pop(sender_id, None)
            self._remember(sender_id, events)

    def delete_conversation(self, sender_id: str) -> int:
        """Delete every row of `sender_id` and what this process keeps of it; returns the rows removed.

        Under the mutex, so the outage retry cannot write buffered events back in between.
        """
        with self._mutex:
            with self.session_scope() as session:
                removed = (
                    session.query(self.SQLEvent)
                    .filter(self.SQLEvent.sender_id == sender_id)
                    .delete(synchronize_session=False)
                )
                session.commit()
            for memory in (self._pending, self._recent, self._handed_out, self._loaded):
                memory.pop(sender_id, None)
        return removed

    # --- outage handling ------------------------------------------------------
    @property
    def pending(self) -> int:
        """How many conversations wait in memory for the database."""
        return len(self._pending)

    def _from_memory(self, sender_id: str) -> DialogueStateTracker | None:
        if sender_id in self._pending:
            events, stored = self._pending[sender_id]
        elif sender_id in self._recent:
            events = self._recent[sender_id]
            stored = len(events)
        else:
            events, stored = [], 0
        self._handed_out[sender_id] = stored
        if not events or self.domain is None:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    def _buffer(self, sender_id: str, events: list[dict]) -> None:
        if sender_id in self._pending:
            stored = self._pending[sender_id][1]
        elif sender_id in self._handed_out:
            stored = self._handed_out[sender_id]
        else:
            stored = len(self._recent.get(sender_id, []))
        self._pending[sender_id] = (events, stored)
        self._handed_out[sender_id] = stored
        self._schedule_retry()

    def _remember(self, sender_id: str, events: list[dict]) -> None:
        self._recent[sender_id] = events
        self._recent.move_to_end(sender_id)
        while len(self._recent) > RECENT_CONVERSATIONS:
            self._recent.popitem(last=False)

    def _outage(self, what: str, sender_id: str, error: Exception) -> None:
        if self.available:
            logger.critical(
                "TRACKER STORE UNAVAILABLE: cannot %s conversations (%s). Conversations are kept in this "
                "process's memory and written to the database when it answers again; they are LOST if this "
                "process stops before then.",
                what,
                _first_line(error),
            )
        else:
            logger.error("Tracker store still unavailable (%s for %s); %d conversation(s) buffered.",
                         what, sender_id, len(self._pending))  # fmt: skip
        self.available = False

    def _back(self) -> None:
        if not self.available:
            logger.warning("Tracker store available again.")
        self.available = True

    def _flush(self) -> None:
        """Write buffered conversations; raises a database error while the database is still down."""
        if not self._pending:
            return
        conversations = events_written = 0
        for sender_id, (events, stored) in list(self._pending.items()):
            events_written += self._write(sender_id, events, stored)
            del self._pending[sender_id]
            self._handed_out.pop(sender_id, None)
            self._remember(sender_id, events)
            conversations += 1
        logger.warning(
            "Tracker store: wrote %d event(s) of %d conversation(s) kept in memory during the outage.",
            events_written,
            conversations,
        )

    def _write(self, sender_id: str, events: list[dict], stored: int) -> int:
        """Insert `events[stored:]` for `sender_id`, as SQLTrackerStore.save does; returns how many."""
        new = events[stored:]
        with self.session_scope() as session:
            for data in new:
                session.add(
                    self.SQLEvent(
                        sender_id=sender_id,
                        type_name=data.get("event"),
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        return len(new)

    def _schedule_retry(self) -> None:
        if self._retry is not None and self._retry.is_alive():
            return
        self._retry = threading.Timer(self.retry_seconds, self._retry_flush)
        self._retry.daemon = True
        self._retry.start()

    def _retry_flush(self) -> None:
        with self._mutex:
            try:
                self._flush()
            except DATABASE_ERRORS as error:
                logger.error(
                    "Tracker store still unavailable (%d conversation(s) buffered): %s",
                    len(self._pending),
                    _first_line(error),
                )
                self._retry = None
                self._schedule_retry()
                return
            self._back()
            self._retry = None


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store, with each read-change-write of a ticket lock under a short Redis mutex."""

    @contextlib.contextmanager
    def _mutation(self, conversation_id: str) -> Iterator[None]:
        mutex = self.red.lock(f"{self.key_prefix}{conversation_id}:mutex", timeout=10, blocking_timeout=10)
        if not mutex.acquire():
            raise LockError(f"Could not change the ticket lock of conversation '{conversation_id}'.")
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                mutex.release()

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutation(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutation(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutation(conversation_id):
            super().cleanup(conversation_id, ticket_number)


class EnvLockStore(LockStore):
    """Redis when `RUECKENBOT_REDIS_URL` is set (needed for several instances), else in memory."""

    def __init__(self, endpoint_config: Any = None) -> None:
        settings = redis_settings()
        workers = os.environ.get("SANIC_WORKERS", "1").strip()
        if not settings and workers.isdigit() and int(workers) > 1:
            # Rasa allows several workers with any custom lock store; in-memory locks would not reach
            # across the worker processes, and two messages of one person could be handled at once.
            raise ValueError(
                f"SANIC_WORKERS={workers} needs the Redis lock store: set RUECKENBOT_REDIS_URL " "(or run one worker)."
            )
        self.store: LockStore = AtomicRedisLockStore(**settings) if settings else InMemoryLockStore()
        if settings:
            logger.info("Lock store: Redis at %s:%s, db %s", settings["host"], settings["port"], settings["db"])
        super().__init__()

    def get_lock(self, conversation_id: str) -> Any:
        return self.store.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.store.delete_lock(conversation_id)

    def save_lock(self, lock: Any) -> None:
        self.store.save_lock(lock)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self.store.issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        self.store.update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self.store.cleanup(conversation_id, ticket_number)
