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
  The buffer is bounded (`RUECKENBOT_OUTAGE_MAX_CONVERSATIONS`, default 500 conversations):
  beyond it, a conversation this process does not know yet is refused at the channel with
  `utter_service_unavailable` (`accepts()`), while everything already buffered is still
  written back. What this process remembers for context is forgotten when a conversation is
  deleted here, on any other instance (Redis pub/sub when `RUECKENBOT_REDIS_URL` is set) or by
  retention, and after `RUECKENBOT_OUTAGE_MEMORY_SECONDS` (default 3600, a session's idle
  time) in any case. Logs name a conversation only by its short `log_id`; the engine hides
  statement parameters (`hide_parameters=True`), so a failing statement logs no message text.
- `EnvLockStore` on Redis issues tickets atomically (a Lua script per read-change-write)
  and waits for a conversation's turn with an async client. Rasa's `RedisLockStore` reads,
  changes and writes the ticket lock in three steps, so two instances receiving messages
  of one sender at the same moment can both get ticket 0 and run the two turns at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
import sqlalchemy.exc
import sqlalchemy.orm
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.server.conversation_keys import log_id

logger = logging.getLogger(__name__)

DEFAULT_SQLITE_DB = "var/conversations.db"
DEFAULT_RETRY_SECONDS = 2.0
RECENT_CONVERSATIONS = 2000  # per process, for context while the database is down
DEFAULT_OUTAGE_MAX_CONVERSATIONS = 500  # conversations buffered per process during an outage
DEFAULT_MEMORY_SECONDS = 3600.0  # what is remembered for an outage is forgotten after this
FORGET_CHANNEL = "rueckenbot:forget"  # Redis pub/sub: conversations deleted on some instance
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
    """The error's type and first line, without the statement or its parameters."""
    if isinstance(error, sqlalchemy.exc.StatementError) and error.orig is not None:
        error = error.orig
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__


def _setting(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        logger.error("%s=%r is not a number; using %s.", name, raw, default)
        return default


class DeletionBroadcast:
    """Tells every instance that a conversation was deleted (Redis pub/sub), so none keeps it in memory.

    Without Redis there is one instance; nothing to tell. A lost message (Redis down at that moment)
    is covered by the memory's time to live.
    """

    def __init__(self, on_message: Any) -> None:
        self._client = None
        self._thread = None
        settings = redis_settings()
        if not settings:
            return
        import redis

        self._client = redis.Redis(
            host=settings["host"], port=settings["port"], db=settings["db"], username=settings["username"],
            password=settings["password"], ssl=settings["use_ssl"], socket_timeout=5,
        )  # fmt: skip
        self.channel = (settings.get("key_prefix") or "") + FORGET_CHANNEL

        def handle(message: dict) -> None:
            with contextlib.suppress(Exception):
                on_message(json.loads(message["data"]))

        def restart(error: BaseException, pubsub: Any, thread: Any) -> None:
            logger.warning("Deletion broadcast: Redis unavailable (%s); retrying.", type(error).__name__)
            time.sleep(2)
            with contextlib.suppress(Exception):
                pubsub.close()
            self._subscribe(handle)

        self._handle = handle
        self._restart = restart
        try:
            self._subscribe(handle)
        except Exception as error:  # Redis down at start: the lock store will say so loudly
            logger.warning("Deletion broadcast not subscribed (%s).", type(error).__name__)

    def _subscribe(self, handle: Any) -> None:
        pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(**{self.channel: handle})
        self._thread = pubsub.run_in_thread(sleep_time=1.0, daemon=True, exception_handler=self._restart)

    def publish(self, message: dict) -> None:
        if self._client is None:
            return
        try:
            self._client.publish(self.channel, json.dumps(message))
        except Exception as error:
            logger.warning("Deletion broadcast failed (%s); other instances forget within the memory's lifetime.",
                           type(error).__name__)  # fmt: skip


class EnvSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on the database the environment names, buffering through outages."""

    def __init__(self, domain: Any = None, event_broker: Any = None, **_endpoint_settings: Any) -> None:
        # Every Rasa process of the project creates this store (endpoints.yml): the patches are in place
        # before the first message even where Rasa was started without the launcher (bot.server.rasa_cli).
        from bot.server import rasa_patches

        rasa_patches.apply()
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
        # hide_parameters: a failing statement must not log its parameters (message texts, health data)
        self.engine = sa.create_engine(
            url, pool_pre_ping=url.get_backend_name() != "sqlite", hide_parameters=True, **engine_kwargs
        )
        if url.get_backend_name() == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_write_ahead_log)
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        self.retry_seconds = float(os.environ.get("RUECKENBOT_DB_RETRY_SECONDS") or DEFAULT_RETRY_SECONDS)
        self._mutex = threading.RLock()
        # sender → (its events as dicts, how many of them the database already holds)
        self._pending: dict[str, tuple[list[dict], int]] = {}
        # sender → (when, the events this process last saw match the database): context during an outage
        self._recent: OrderedDict[str, tuple[float, list[dict]]] = OrderedDict()
        self.max_buffered = int(_setting("RUECKENBOT_OUTAGE_MAX_CONVERSATIONS", DEFAULT_OUTAGE_MAX_CONVERSATIONS))
        self.memory_seconds = _setting("RUECKENBOT_OUTAGE_MEMORY_SECONDS", DEFAULT_MEMORY_SECONDS)
        # sender → how many events of the tracker handed out during an outage the database holds
        self._handed_out: dict[str, int] = {}
        # sender → the tracker last loaded from the database and how many events it had. Saving that
        # same tracker object writes the events after those; Rasa would count the rows again first.
        # (None, 0): the database had none of the sender's events when this store last looked.
        self._loaded: OrderedDict[str, tuple[weakref.ref | None, int]] = OrderedDict()
        self._retry: threading.Timer | None = None
        self.available = True
        self.broadcast = DeletionBroadcast(self._on_broadcast)
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
            if tracker is None:  # new, or deleted ("Meine Daten löschen", retention): forget it here too
                self._recent.pop(sender_id, None)
                if not self.domain:  # as Rasa's test: without a domain it returns None whatever the rows
                    self._loaded.pop(sender_id, None)
                else:  # the database holds none of its events: Rasa creates the tracker and saves it next
                    self._loaded[sender_id] = (None, 0)
            else:
                self._remember(sender_id, [event.as_dict() for event in tracker.events])
                self._loaded[sender_id] = (weakref.ref(tracker), len(tracker.events))
            if sender_id in self._loaded:
                self._loaded.move_to_end(sender_id)
            while len(self._loaded) > RECENT_CONVERSATIONS:
                self._loaded.popitem(last=False)
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
                elif (
                    loaded
                    and self.event_broker is None
                    and (loaded[0]() is tracker if loaded[0] is not None else len(events) <= 1)
                ):
                    # the tracker this store loaded (under the sender's lock), or the one Rasa's
                    # create_tracker saves (no event or action_listen) for a sender the load found no
                    # rows of: no need to count its rows
                    self._write(sender_id, events, loaded[1])
                    if loaded[0] is None:  # the end of the turn saves it again: as if loaded
                        self._loaded[sender_id] = (weakref.ref(tracker), len(events))
                else:
                    await super().save(tracker)
            except DATABASE_ERRORS as error:
                if self._knows(sender_id) or len(self._pending) < self.max_buffered:
                    self._buffer(sender_id, events)
                else:  # the channels refuse new conversations at the bound (accepts); a race lands here
                    logger.error("Outage buffer full (%d conversations): a turn of %s is not kept.",
                                 len(self._pending), log_id(sender_id))  # fmt: skip
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
            self._forget_locally(sender_id)
        self.broadcast.publish({"forget": sender_id})
        return removed

    def _forget_locally(self, sender_id: str) -> None:
        with self._mutex:
            for memory in (self._pending, self._recent, self._handed_out, self._loaded):
                memory.pop(sender_id, None)

    def forget_older_than(self, cutoff: float, publish: bool = True) -> None:
        """Retention deleted events before `cutoff`: forget what this process remembers of them
        (and tell the other instances). The database is the truth again on the next load."""
        with self._mutex:
            for sender_id, (_, events) in list(self._recent.items()):
                if any((event.get("timestamp") or 0) < cutoff for event in events):
                    self._recent.pop(sender_id, None)
                    self._loaded.pop(sender_id, None)
        if publish:
            self.broadcast.publish({"older_than": cutoff})

    def _on_broadcast(self, message: dict) -> None:
        if isinstance(message.get("forget"), str):
            self._forget_locally(message["forget"])
        elif isinstance(message.get("older_than"), (int, float)):
            self.forget_older_than(float(message["older_than"]), publish=False)

    def accepts(self, sender_id: str) -> bool:
        """False when the database is down, the outage buffer is full and this is a conversation
        this process does not know: the channel answers `utter_service_unavailable` instead."""
        with self._mutex:
            return self.available or self._knows(sender_id) or len(self._pending) < self.max_buffered

    def _knows(self, sender_id: str) -> bool:
        return sender_id in self._pending or self._recent_events(sender_id) is not None

    def _recent_events(self, sender_id: str) -> list[dict] | None:
        entry = self._recent.get(sender_id)
        if entry is None:
            return None
        if time.monotonic() - entry[0] > self.memory_seconds:
            self._recent.pop(sender_id, None)
            return None
        return entry[1]

    # --- outage handling ------------------------------------------------------
    @property
    def pending(self) -> int:
        """How many conversations wait in memory for the database."""
        return len(self._pending)

    def _from_memory(self, sender_id: str) -> DialogueStateTracker | None:
        recent = self._recent_events(sender_id)
        if sender_id in self._pending:
            events, stored = self._pending[sender_id]
        elif recent is not None:
            events = recent
            stored = len(events)
        else:
            events, stored = [], 0
        known = sender_id in self._pending or recent is not None
        if known or (len(self._pending) < self.max_buffered and len(self._handed_out) < self.max_buffered * 2):
            self._handed_out[sender_id] = stored  # bounded: at most the buffer's and the memory's conversations
        if not events or self.domain is None:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    def _buffer(self, sender_id: str, events: list[dict]) -> None:
        if sender_id in self._pending:
            stored = self._pending[sender_id][1]
        elif sender_id in self._handed_out:
            stored = self._handed_out[sender_id]
        else:
            stored = len(self._recent_events(sender_id) or [])
        self._pending[sender_id] = (events, stored)
        self._handed_out[sender_id] = stored
        self._schedule_retry()

    def _remember(self, sender_id: str, events: list[dict]) -> None:
        self._recent[sender_id] = (time.monotonic(), events)
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
                         what, log_id(sender_id), len(self._pending))  # fmt: skip
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


# Lua scripts: each read-change-write of a ticket lock is one atomic command in Redis, so
# two instances cannot interleave and nobody waits for a mutex. They keep Rasa's data format
# (`TicketLock.dumps`: tickets as JSON strings) and semantics (expired tickets dropped first), and
# give every lock key a time to live, so a key left behind by a crashed instance does not stay.
_LUA_TICKETS = """
local now = tonumber(ARGV[2])
local tickets = {}
local raw = redis.call('GET', KEYS[1])
if raw then
  local lock = cjson.decode(raw)
  if type(lock['tickets']) == 'table' then
    for _, item in ipairs(lock['tickets']) do
      local ticket = cjson.decode(item)
      if tonumber(ticket['expires']) >= now then table.insert(tickets, ticket) end
    end
  end
end
local function save(list)
  local encoded, last = {}, now
  for i, t in ipairs(list) do
    encoded[i] = cjson.encode(string.format('{"number": %d, "expires": %.6f}', t['number'], t['expires']))
    if tonumber(t['expires']) > last then last = tonumber(t['expires']) end
  end
  local value = '{"conversation_id": ' .. cjson.encode(ARGV[1]) .. ', "tickets": [' .. table.concat(encoded, ', ') .. ']}'
  redis.call('SET', KEYS[1], value, 'PX', math.ceil((last - now) * 1000) + 60000)
end
"""
_LUA_ISSUE = (
    _LUA_TICKETS
    + """
local number = 0
if #tickets > 0 then number = tonumber(tickets[#tickets]['number']) + 1 end
table.insert(tickets, {number = number, expires = now + tonumber(ARGV[3])})
save(tickets)
return number
"""
)
_LUA_UPDATE = (
    _LUA_TICKETS
    + """
if raw then save(tickets) end
return #tickets
"""
)
_LUA_CLEANUP = (
    _LUA_TICKETS
    + """
local kept = {}
for _, t in ipairs(tickets) do
  if tonumber(t['number']) ~= tonumber(ARGV[3]) then table.insert(kept, t) end
end
if #kept == 0 then redis.call('DEL', KEYS[1]) elseif raw then save(kept) end
return #kept
"""
)


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store with each ticket read-change-write as one Lua script, and an async
    `lock()` (redis.asyncio) so that waiting for a conversation never blocks the event loop.

    Rasa's `RedisLockStore` reads, changes and writes the ticket lock in three steps, so two
    instances receiving messages of one sender at once could both get ticket 0. An earlier
    version here put a redis-py `Lock` around the three steps, at `lock:<id>:mutex`, which is
    Rasa's own key for the conversation `<id>:mutex`, acquired by sleep-polling on the event
    loop: a sender named `A:mutex` froze the instance for 10 s per message of `A`. There is no
    mutex any more: the only keys are Rasa's `lock:<conversation key>`.
    """

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self._settings = settings
        self._issue = self.red.register_script(_LUA_ISSUE)
        self._update = self.red.register_script(_LUA_UPDATE)
        self._cleanup = self.red.register_script(_LUA_CLEANUP)
        self._async: dict[int, tuple[weakref.ref, Any, dict[str, Any]]] = {}

    # --- Rasa's synchronous interface (one round trip each) -------------------
    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return int(self._issue(keys=[self.key_prefix + conversation_id],
                                   args=[conversation_id, time.time(), lock_lifetime]))  # fmt: skip
        except Exception as e:
            raise LockError(f"Error while acquiring lock: {type(e).__name__}") from e

    def update_lock(self, conversation_id: str) -> None:
        self._update(keys=[self.key_prefix + conversation_id], args=[conversation_id, time.time()])

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self._cleanup(keys=[self.key_prefix + conversation_id], args=[conversation_id, time.time(), ticket_number])

    # --- the async path Rasa's agent uses -------------------------------------
    def _client(self) -> tuple[Any, dict[str, Any]]:
        """One redis.asyncio client (and its scripts) per event loop."""
        import redis.asyncio

        loop = asyncio.get_running_loop()
        entry = self._async.get(id(loop))
        if entry is None or entry[0]() is not loop:
            s = self._settings
            client = redis.asyncio.Redis(
                host=s.get("host", "localhost"), port=int(s.get("port", 6379)), db=int(s.get("db", 1)),
                username=s.get("username"), password=s.get("password"), ssl=bool(s.get("use_ssl")),
                socket_timeout=s.get("socket_timeout", 10),
            )  # fmt: skip
            scripts = {
                "issue": client.register_script(_LUA_ISSUE),
                "update": client.register_script(_LUA_UPDATE),
                "cleanup": client.register_script(_LUA_CLEANUP),
            }
            entry = (weakref.ref(loop), client, scripts)
            self._async = {k: v for k, v in self._async.items() if v[0]() is not None}
            self._async[id(loop)] = entry
        return entry[1], entry[2]

    @contextlib.asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[TicketLock]:
        client, scripts = self._client()
        key = self.key_prefix + conversation_id
        try:
            ticket = int(await scripts["issue"](keys=[key], args=[conversation_id, time.time(), lock_lifetime]))
        except Exception as e:
            raise LockError(f"Error while acquiring lock: {type(e).__name__}") from e
        try:
            while True:
                raw = await client.get(key)
                if not raw:
                    raise LockError("Could not acquire the lock of a conversation: it expired.")
                lock = TicketLock.from_dict(json.loads(raw))
                if not lock.is_locked(ticket):
                    break
                await asyncio.sleep(wait_time_in_seconds)
                await scripts["update"](keys=[key], args=[conversation_id, time.time()])
            yield lock
        finally:
            with contextlib.suppress(Exception):  # the ticket expires by itself
                await scripts["cleanup"](keys=[key], args=[conversation_id, time.time(), ticket])


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

    def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1) -> Any:
        return self.store.lock(conversation_id, lock_lifetime, wait_time_in_seconds)
