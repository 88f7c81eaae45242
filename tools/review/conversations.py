"""Read the tracker store and turn its events into turns: one message, what the bot thought, what it replied.

The store is the one `endpoints.yml` uses (bot/server/stores.py reads the same environment
variables): the SQLite file `RUECKENBOT_TRACKER_DB` (default var/conversations.db), or
PostgreSQL from `RUECKENBOT_DATABASE_URL` or `RUECKENBOT_DB_*`. Only reads; never creates
a database or a table. Sender ids are used to keep each conversation's events together and
are dropped here: nothing after this module sees them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bot.server.stores import database_settings

# What happened to a message, most important first: each message gets the first that applies.
EMERGENCY, FALLBACK, DECLINED, CLARIFIED, ANSWERED, OTHER = (
    "emergency",
    "fallback",
    "declined",
    "clarified",
    "answered",
    "other",
)
OUTCOMES = (EMERGENCY, FALLBACK, DECLINED, CLARIFIED, ANSWERED, OTHER)
FEEDBACK = "feedback"
DECLINE_RESPONSES = {"utter_out_of_scope", "utter_other_condition"}
CLARIFY_RESPONSES = {"utter_ask_therapy", "utter_ask_aspect"}
FALLBACK_RESPONSES = {"utter_please_rephrase", "utter_default"}
SAFETY_INTENTS = {"warning_signs", "crisis"}
STORE_ANSWER_KINDS = {"fact", "topic", "quote"}
ASPECT_BY_INTENT = {
    "ask_effectiveness": "wirksamkeit",
    "ask_risks": "risiken",
    "ask_costs": "kosten",
    "ask_method": "methode",
}
_PAYLOAD = re.compile(r"^/(?P<intent>\w+)(?P<json>\{.*\})?\s*$", re.DOTALL)


class StoreError(RuntimeError):
    """The tracker store cannot be read; the message says why, in German."""


@dataclass
class BotReply:
    text: str
    buttons: list[str] = field(default_factory=list)  # button titles
    response: str | None = None  # utter_… of a domain response
    kind: str | None = None  # fact | topic | quote | safety, for composed answers
    therapy: str | None = None
    aspect: str | None = None
    tier: str | None = None  # safety: notruf | heute | krise


@dataclass
class Turn:
    """One user message and everything the bot did until the next one."""

    conversation: int  # a running number within this read, never the sender id
    timestamp: float
    text: str
    intent: str | None
    confidence: float | None
    ranking: list[tuple[str, float]]
    entities: dict[str, list[Any]]
    payload: bool  # a button tap ("/ask_risks{…}"), not typed
    replies: list[BotReply] = field(default_factory=list)
    # feedback ("Hilfreich? 👍 👎"): helpful True/False, the optional comment, the rated answer
    helpful: bool | None = None
    comment: str | None = None
    rated: BotReply | None = None

    @property
    def is_feedback(self) -> bool:
        return self.helpful is not None

    @property
    def guessed_intent(self) -> tuple[str | None, float | None]:
        """What the bot thought: for a fallback the best intent below the threshold."""
        if self.intent == "nlu_fallback":
            for name, confidence in self.ranking:
                if name != "nlu_fallback":
                    return name, confidence
        return self.intent, self.confidence

    @property
    def therapy(self) -> str | None:
        for reply in self.replies:
            if reply.therapy:
                return reply.therapy
        values = self.entities.get("therapy") or []
        return str(values[0]) if values else None

    @property
    def aspect(self) -> str | None:
        for reply in self.replies:
            if reply.aspect:
                return reply.aspect
        asked = self.entities.get("asked") or []
        if asked:
            return str(asked[0])
        return ASPECT_BY_INTENT.get(self.guessed_intent[0] or "")

    @property
    def outcome(self) -> str:
        kinds = {r.kind for r in self.replies}
        responses = {r.response for r in self.replies}
        if "safety" in kinds or self.intent in SAFETY_INTENTS:
            return EMERGENCY
        if self.intent == "nlu_fallback" or responses & FALLBACK_RESPONSES:
            return FALLBACK
        if responses & DECLINE_RESPONSES or self.intent == "out_of_scope":
            return DECLINED
        if responses & CLARIFY_RESPONSES:
            return CLARIFIED
        if kinds & STORE_ANSWER_KINDS:
            return ANSWERED
        return OTHER


# --- the store -----------------------------------------------------------------
def database_url(environ: Mapping[str, str] | None = None) -> sa.engine.URL | str:
    """The SQLAlchemy URL of the tracker store, from the same settings as bot/server/stores.py
    (built as Rasa's SQLTrackerStore.get_db_url builds it)."""
    settings = database_settings(environ)
    host = settings.get("host")
    if host and "://" in host:
        return host
    port = settings.get("port")
    return sa.engine.URL.create(
        settings.get("dialect", "sqlite"),
        username=settings.get("username"),
        password=settings.get("password"),
        host=host,
        port=int(port) if port else None,
        database=settings.get("db"),
    )


def describe(url: sa.engine.URL | str) -> str:
    """The URL without its password, for messages."""
    parsed = sa.engine.make_url(url) if isinstance(url, str) else url
    return parsed.render_as_string(hide_password=True)


def read_events(url: sa.engine.URL | str, since: float | None = None) -> tuple[list[tuple[str, dict]], float | None]:
    """(sender, event dict) for user and bot events at or after `since`, and the oldest stored timestamp.

    Ordered by conversation and by the order they were written.
    """
    parsed = sa.engine.make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not parsed.database or not path.exists():
            raise StoreError(
                f"Keine gespeicherten Gespräche gefunden: die Datei {path} gibt es nicht. "
                "Setzen Sie RUECKENBOT_TRACKER_DB auf die Datenbank des Bots (Standard: var/conversations.db)."
            )
    engine = sa.create_engine(parsed)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                raise StoreError(
                    f"Die Datenbank {describe(parsed)} enthält noch keine Gespräche (keine Tabelle 'events')."
                )
            oldest = connection.execute(sa.text("SELECT MIN(timestamp) FROM events")).scalar()
            query = "SELECT sender_id, data FROM events WHERE type_name IN ('user', 'bot')"
            params: dict[str, Any] = {}
            if since is not None:
                query += " AND timestamp >= :since"
                params["since"] = since
            query += " ORDER BY sender_id, id"
            rows = [(sender, json.loads(data)) for sender, data in connection.execute(sa.text(query), params)]
    except sa.exc.OperationalError as error:
        raise StoreError(
            f"Die Datenbank {describe(parsed)} ist nicht erreichbar: {str(error.orig).strip().splitlines()[0]}"
        ) from None
    finally:
        engine.dispose()
    return rows, oldest


# --- events → turns ---------------------------------------------------------------
def _entities(parse_data: Mapping[str, Any]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for entity in parse_data.get("entities") or []:
        found.setdefault(str(entity.get("entity")), []).append(entity.get("value"))
    return found


def _payload(text: str) -> tuple[str, dict[str, Any]] | None:
    match = _PAYLOAD.match(text.strip())
    if not match:
        return None
    values: dict[str, Any] = {}
    if match.group("json"):
        try:
            loaded = json.loads(match.group("json"))
            values = loaded if isinstance(loaded, dict) else {}
        except json.JSONDecodeError:
            values = {}
    return match.group("intent"), values


def _reply(event: Mapping[str, Any]) -> BotReply:
    metadata = event.get("metadata") or {}
    answer = metadata.get("answer") or {}
    data = event.get("data") or {}
    return BotReply(
        text=str(event.get("text") or ""),
        buttons=[str(b.get("title")) for b in data.get("buttons") or [] if isinstance(b, dict)],
        response=metadata.get("utter_action") or metadata.get("template"),
        kind=answer.get("kind"),
        therapy=answer.get("therapy"),
        aspect=answer.get("aspect"),
        tier=answer.get("tier"),
    )


def _to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "ja", "nein"}:
        return value.strip().lower() in {"true", "ja"}
    return None


def turns(events: Iterable[tuple[str, Mapping[str, Any]]]) -> Iterator[Turn]:
    """The turns of every conversation; feedback turns carry the answer they rate."""
    sender: str | None = None
    number = 0
    current: Turn | None = None
    last_rated: BotReply | None = None  # the last fact answer (what 👍/👎 rate)
    last_answer: BotReply | None = None
    for who, event in events:
        if who != sender:
            if current is not None:
                yield current
            sender, current, last_rated, last_answer = who, None, None, None
            number += 1
        kind = event.get("event")
        if kind == "user":
            if current is not None:
                yield current
            text = str(event.get("text") or "")
            parse = event.get("parse_data") or {}
            intent = (parse.get("intent") or {}).get("name")
            confidence = (parse.get("intent") or {}).get("confidence")
            entities = _entities(parse)
            payload = _payload(text)
            current = Turn(
                conversation=number,
                timestamp=float(event.get("timestamp") or 0.0),
                text=text,
                intent=intent,
                confidence=float(confidence) if confidence is not None else None,
                ranking=[
                    (str(r.get("name")), float(r.get("confidence") or 0.0)) for r in parse.get("intent_ranking") or []
                ],
                entities=entities,
                payload=payload is not None,
            )
            # feedback: the intent with its entities, or (a model trained before the intent existed)
            # the button payload itself
            helpful, comment = None, None
            if intent == FEEDBACK:
                helpful = _to_bool((entities.get("helpful") or [None])[0])
                comment = (entities.get("comment") or [None])[0]
            if helpful is None and payload and payload[0] == FEEDBACK:
                helpful = _to_bool(payload[1].get("helpful"))
                comment = payload[1].get("comment")
            if helpful is not None:
                current.helpful = helpful
                current.comment = str(comment)[:200] if comment else None
                current.rated = last_rated or last_answer
        elif kind == "bot" and current is not None:
            reply = _reply(event)
            current.replies.append(reply)
            if reply.kind == "fact":
                last_rated = reply
            if reply.kind in STORE_ANSWER_KINDS:
                last_answer = reply
    if current is not None:
        yield current
