"""bot.server.stores.EnvSQLTrackerStore on SQLite: what it writes, with and without Rasa's row count."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.server.stores import EnvSQLTrackerStore
from tests.servers import ROOT


@pytest.fixture(autouse=True, scope="module")
def no_patches_left():
    """Creating the tracker store applies bot.server.rasa_patches (as in the server): undo them afterwards."""
    yield
    from bot.server import rasa_patches

    rasa_patches.undo()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EnvSQLTrackerStore]:
    for name in ("RUECKENBOT_DATABASE_URL", "RUECKENBOT_DB_DIALECT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RUECKENBOT_TRACKER_DB", str(tmp_path / "c.db"))
    store = EnvSQLTrackerStore(domain=Domain.load(ROOT / "domain.yml"))
    yield store
    store.engine.dispose()


def stored(store: EnvSQLTrackerStore, sender: str) -> list[dict]:
    with store.session_scope() as session:
        rows = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender).order_by(store.SQLEvent.id)
        return [json.loads(row.data) for row in rows]


def turn(text: str) -> list:
    return [UserUttered(text, {"name": "ask_effectiveness", "confidence": 1.0}), ActionExecuted("action_listen")]


def test_each_event_is_written_once_over_several_turns(store: EnvSQLTrackerStore) -> None:
    domain = store.domain
    first = DialogueStateTracker.from_events("a", [SessionStarted(), ActionExecuted("action_listen"), *turn("eins")])
    asyncio.run(store.save(first))
    for text in ["zwei", "drei"]:
        tracker = asyncio.run(store.retrieve("a"))  # the fast path: this store loaded the tracker
        for event in turn(text):
            tracker.update(event, domain)
        asyncio.run(store.save(tracker))
    events = stored(store, "a")
    assert [e["text"] for e in events if e["event"] == "user"] == ["eins", "zwei", "drei"]
    assert len(events) == 2 + 3 * 2


def test_a_tracker_it_did_not_load_is_saved_by_rasa_count(store: EnvSQLTrackerStore) -> None:
    asyncio.run(store.save(DialogueStateTracker.from_events("a", [SessionStarted(), *turn("eins")])))
    loaded = asyncio.run(store.retrieve("a"))
    # another object for the same sender (e.g. built from events sent to Rasa's HTTP API)
    other = DialogueStateTracker.from_events("a", [SessionStarted(), *turn("eins"), *turn("zwei")])
    asyncio.run(store.save(other))
    assert [e.get("text") for e in stored(store, "a") if e["event"] == "user"] == ["eins", "zwei"]
    del loaded


def test_a_new_session_in_the_same_turn_is_written_after_the_old_one(store: EnvSQLTrackerStore) -> None:
    domain = store.domain
    asyncio.run(store.save(DialogueStateTracker.from_events("a", [SessionStarted(), *turn("eins")])))
    tracker = asyncio.run(store.retrieve("a"))
    for event in [SessionStarted(), SlotSet("therapy", "massage"), ActionExecuted("action_listen"), *turn("zwei")]:
        tracker.update(event, domain)
    asyncio.run(store.save(tracker))
    assert [e["event"] for e in stored(store, "a")] == [
        "session_started", "user", "action", "session_started", "slot", "action", "user", "action",
    ]  # fmt: skip
    # Rasa loads the current session only; its slots came along
    assert asyncio.run(store.retrieve("a")).get_slot("therapy") == "massage"


@pytest.mark.parametrize("first_save", ["create_tracker", "with a session"])
def test_a_new_conversation_is_written_as_rasa_writes_it(
    store: EnvSQLTrackerStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first_save: str
) -> None:
    # a new sender's turn as the processor runs it: nothing found, create_tracker (saves), the session
    # start and the turn, saved again; then once more without loading, and a turn of the loaded tracker.
    # "with a session": the first save is no tracker Rasa's create_tracker made (then Rasa's count decides)
    from rasa.core.tracker_store import SQLTrackerStore

    stock = SQLTrackerStore(domain=store.domain, dialect="sqlite", db=str(tmp_path / "stock.db"))
    counted: list[str] = []
    count = SQLTrackerStore._additional_events
    monkeypatch.setattr(
        SQLTrackerStore, "_additional_events", lambda s, *a: counted.append(type(s).__name__) or count(s, *a)
    )
    for each in (store, stock):
        assert asyncio.run(each.retrieve("neu")) is None
        if first_save == "create_tracker":
            tracker = asyncio.run(each.create_tracker("neu"))
        else:
            tracker = DialogueStateTracker.from_events("neu", [SessionStarted(), ActionExecuted("action_listen")])
            asyncio.run(each.save(tracker))
        for event in [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
                      *turn("eins")]:  # fmt: skip
            tracker.update(event, store.domain)
        asyncio.run(each.save(tracker))
        for event in turn("zwei"):  # saved once more without loading: Rasa counts (ours too)
            tracker.update(event, store.domain)
        asyncio.run(each.save(tracker))
        tracker = asyncio.run(each.retrieve("neu"))
        for event in turn("drei"):
            tracker.update(event, store.domain)
        asyncio.run(each.save(tracker))

    def rows(each: SQLTrackerStore) -> list[dict]:
        return [{k: v for k, v in event.items() if k != "timestamp"} for event in stored(each, "neu")]

    assert rows(store) == rows(stock)
    assert [e["event"] for e in rows(store)].count("user") >= 3
    ours = 1 if first_save == "create_tracker" else 3  # counted where it neither loaded nor created it
    assert counted == ["EnvSQLTrackerStore"] * ours + ["SQLTrackerStore"] * 4
    stock.engine.dispose()
