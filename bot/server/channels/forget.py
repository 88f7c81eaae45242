"""Delete one sender's conversation from a Rasa 3.6 tracker store ("Meine Daten löschen").

Rasa 3.6's TrackerStore has no delete, so this reaches into the stores we support:
SQL (every event row of the sender, and what `bot.server.stores.EnvSQLTrackerStore` keeps of
it in memory for database outages), in-memory and Redis (the sender's key).

In chat, deleting takes two steps on every channel:

1. The person asks ("Meine Daten löschen", intent `delete_my_data`; Telegram's
   `/loeschen` is mapped to that intent). A rule answers with `utter_confirm_delete`,
   whose buttons are "Ja, alles löschen" (`DELETE_CONFIRMED_PAYLOAD`) and
   "Nein, behalten" (`/keep_my_data`, answered by a rule).
2. The confirmation payload never reaches Rasa's processor: the REST and website
   connectors and the messengers' shared base (bot/server/channels/messenger.py) check
   `is_delete_confirmation(text)` before `on_new_message` and call
   `confirm_deletion(agent, conversation_key)`, which deletes under the conversation's lock
   and returns the German reply to send (`utter_data_deleted`, or `utter_delete_failed`
   with the error's type logged). `EnvSQLTrackerStore.delete_conversation` also tells the
   other instances to forget what they keep of it in memory (bot/server/stores.py).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore, TrackerStore

from bot.server.responses import response_text
from bot.server.stores import EnvSQLTrackerStore

logger = logging.getLogger(__name__)

DELETE_INTENT = "delete_my_data"
# What the "Ja, alles löschen" button of utter_confirm_delete in domain.yml sends (keep both equal).
# An intent payload with a marker, so that `make check` accepts it; it never reaches the NLU.
DELETE_CONFIRMED_PAYLOAD = '/delete_my_data{"confirmed": true}'
DELETE_REQUEST_PAYLOAD = "/" + DELETE_INTENT  # asks first (Telegram's /loeschen)
_CONFIRMED = {"confirmed": True}


def unwrap(store: TrackerStore) -> TrackerStore:
    """The real store inside Rasa's FailSafeTrackerStore / AwaitableTrackerStore wrappers."""
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


async def delete_conversation(tracker_store: TrackerStore, sender_id: str) -> int:
    """Delete everything stored for `sender_id`; returns how many rows/keys were removed (0: nothing stored)."""
    store = unwrap(tracker_store)
    if isinstance(store, EnvSQLTrackerStore):  # also forgets what it keeps in memory for outages
        return store.delete_conversation(sender_id)
    if isinstance(store, SQLTrackerStore):
        with store.session_scope() as session:
            removed = (
                session.query(store.SQLEvent)
                .filter(store.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        return removed
    if isinstance(store, InMemoryTrackerStore):
        return 1 if store.store.pop(sender_id, None) is not None else 0
    if isinstance(store, RedisTrackerStore):
        return store.red.delete(store.key_prefix + sender_id)
    raise NotImplementedError(f"Deleting conversations is not implemented for {type(store).__name__}")


def service_available(agent: Any, sender_id: str) -> bool:
    """False when the tracker store is in an outage with a full buffer and does not know this
    conversation (bot.server.stores.EnvSQLTrackerStore.accepts): answer utter_service_unavailable."""
    store = unwrap(agent.tracker_store) if agent is not None and getattr(agent, "tracker_store", None) else None
    accepts = getattr(store, "accepts", None)
    return accepts(sender_id) if callable(accepts) else True


async def forget_sender(agent: Any, sender_id: str) -> int:
    """Delete `sender_id`'s conversation from the agent's tracker store, under the sender's lock.

    The lock is the one Rasa holds while it handles a message, so no turn of this
    sender runs (and writes events back) while its rows are deleted.
    """
    async with agent.lock_store.lock(sender_id):
        return await delete_conversation(agent.tracker_store, sender_id)


def is_delete_confirmation(text: Any) -> bool:
    """True for the "Ja, alles löschen" payload (spacing inside the JSON part does not matter)."""
    if not isinstance(text, str):
        return False
    text = text.strip()
    prefix = DELETE_REQUEST_PAYLOAD + "{"
    if text == DELETE_CONFIRMED_PAYLOAD:
        return True
    if not text.startswith(prefix):
        return False
    try:
        return json.loads(text[len(DELETE_REQUEST_PAYLOAD) :]) == _CONFIRMED
    except ValueError:
        return False


@dataclass(frozen=True)
class Deletion:
    """The outcome of a confirmed deletion and the German reply for the person."""

    deleted: bool
    reply: str


async def confirm_deletion(agent: Any, sender_id: str) -> Deletion:
    """Delete the sender's conversation; the reply is `utter_data_deleted` or, on any failure, `utter_delete_failed`."""
    domain = getattr(agent, "domain", None)
    try:
        removed = await forget_sender(agent, sender_id)
    except Exception as error:  # the person must hear that it did not work
        logger.exception("Deleting a conversation failed: %s", type(error).__name__)
        return Deletion(False, response_text(response="utter_delete_failed", domain=domain))
    logger.info("Deleted a conversation on the person's request (%d stored row(s)/key(s)).", removed)
    return Deletion(True, response_text(response="utter_data_deleted", domain=domain))
