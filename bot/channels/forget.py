"""Delete one sender's conversation from a Rasa 3.6 tracker store ("Meine Daten löschen").

Rasa 3.6's TrackerStore has no delete, so this reaches into the stores we support:
SQL (every event row of the sender), in-memory and Redis (the sender's key).
"""

from __future__ import annotations

from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore, TrackerStore


def unwrap(store: TrackerStore) -> TrackerStore:
    """The real store inside Rasa's FailSafeTrackerStore / AwaitableTrackerStore wrappers."""
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


async def delete_conversation(tracker_store: TrackerStore, sender_id: str) -> int:
    """Delete everything stored for `sender_id`; returns how many rows/keys were removed (0: nothing stored)."""
    store = unwrap(tracker_store)
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
