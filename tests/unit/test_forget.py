""" "Meine Daten löschen" in chat: the shared helper in bot/server/channels/forget.py and its domain side."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.server import rasa_patches
from bot.server.channels.forget import (
    DELETE_CONFIRMED_PAYLOAD,
    DELETE_REQUEST_PAYLOAD,
    confirm_deletion,
    delete_conversation,
    forget_sender,
    is_delete_confirmation,
)
from bot.server.channels.telegram import command_payload
from bot.server.stores import EnvSQLTrackerStore

ROOT = Path(__file__).resolve().parent.parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
RULES = yaml.safe_load((ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))


def text_of(response: str) -> str:
    return DOMAIN["responses"][response][0]["text"]


@dataclass
class FakeAgent:
    """What the connectors use of Rasa's Agent."""

    tracker_store: TrackerStore
    lock_store: InMemoryLockStore
    domain: Any = None


def tracker(sender: str, *texts: str) -> DialogueStateTracker:
    result = DialogueStateTracker(sender, slots=[])
    for text in texts:
        result.update(UserUttered(text))
        result.update(BotUttered("Antwort"))
    return result


@pytest.fixture
def sql_store(tmp_path: Path) -> Iterator[SQLTrackerStore]:
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    yield store
    store.engine.dispose()


def rows(store: SQLTrackerStore, sender: str) -> int:
    with store.session_scope() as session:
        return session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender).count()


# --- the payloads -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        DELETE_CONFIRMED_PAYLOAD,
        f"  {DELETE_CONFIRMED_PAYLOAD}\n",
        '/delete_my_data{"confirmed":true}',
        '/delete_my_data{ "confirmed" : true }',
    ],
)
def test_the_yes_button_payload_is_a_confirmation(text: str) -> None:
    assert is_delete_confirmation(text)


@pytest.mark.parametrize(
    "text",
    [
        "/delete_my_data",
        '/delete_my_data{"confirmed": false}',
        '/delete_my_data{"confirmed": "true"}',
        '/delete_my_data{"confirmed": true, "x": 1}',
        '/delete_my_data{"confirmed": true',
        "/keep_my_data",
        "Ja, alles löschen",
        "ja",
        "1",
        "Meine Daten löschen",
        "",
        None,
        7,
    ],
)
def test_nothing_else_is_a_confirmation(text: Any) -> None:
    assert not is_delete_confirmation(text)


def test_the_domain_offers_exactly_these_payloads() -> None:
    # as Rasa sends the response (it fills {name} in payloads too: the domain writes the braces twice)
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from structlog.testing import capture_logs

    domain = Domain.load(ROOT / "domain.yml")
    tracker = DialogueStateTracker.from_events("a", [], domain.slots)
    with capture_logs() as logged:
        sent = asyncio.run(
            TemplatedNaturalLanguageGenerator(domain.responses).generate("utter_confirm_delete", tracker, "rest")
        )
    buttons = [(b["title"], b["payload"]) for b in sent["buttons"]]
    assert buttons == [("Ja, alles löschen", DELETE_CONFIRMED_PAYLOAD), ("Nein, behalten", "/keep_my_data")]
    assert logged == []


def test_every_button_of_the_domain_is_sent_without_an_error() -> None:
    # Rasa fills {name} in every payload: one with single braces is sent unchanged, but Rasa logs an
    # error with a traceback each time
    from rasa.core.nlg.interpolator import interpolate_text
    from structlog.testing import capture_logs

    payloads = [
        b["payload"] for variants in DOMAIN["responses"].values() for v in variants for b in v.get("buttons") or []
    ]
    assert any("{" in payload for payload in payloads)
    for payload in payloads:
        with capture_logs() as logged:
            sent = interpolate_text(payload, {})
        assert logged == [] and sent == payload.replace("{{", "{").replace("}}", "}"), payload
    assert {"delete_my_data", "keep_my_data"} <= set(DOMAIN["intents"])
    assert DELETE_REQUEST_PAYLOAD == "/delete_my_data"


def test_rules_ask_before_deleting_and_answer_no() -> None:
    steps = {rule["steps"][0]["intent"]: rule["steps"][1]["action"] for rule in RULES["rules"]}
    assert steps["delete_my_data"] == "utter_confirm_delete"
    assert steps["keep_my_data"] == "utter_data_kept"


def test_every_reply_of_the_flow_is_plain_german_text_in_the_domain() -> None:
    for name in ("utter_confirm_delete", "utter_data_kept", "utter_data_deleted", "utter_delete_failed"):
        text = text_of(name)
        assert text == rasa_patches.response_text(response=name)
        assert "Sie" in text or "Ihre" in text, name  # Sie-form
    assert "nicht rückgängig" in text_of("utter_confirm_delete")
    assert "gelöscht" in text_of("utter_data_deleted")
    assert "gespeichert" in text_of("utter_data_kept")


@pytest.mark.parametrize(
    ("text", "payload"),
    [
        ("/loeschen", "/delete_my_data"),
        ("/loeschen@RueckenBot", "/delete_my_data"),
        (" /LOESCHEN ", "/delete_my_data"),
        ("/start", "/greet"),
        ("/start@RueckenBot", "/greet"),
        ("löschen", "löschen"),
        ("Hilft Akupunktur?", "Hilft Akupunktur?"),
        ("/loeschen_alles", "/loeschen_alles"),
    ],
)
def test_telegram_commands_become_intent_payloads(text: str, payload: str) -> None:
    assert command_payload(text) == payload


# --- deleting under the sender's lock ---------------------------------------------


def test_forget_sender_removes_every_row_of_that_sender_only(sql_store: SQLTrackerStore) -> None:
    agent = FakeAgent(FailSafeTrackerStore(sql_store), InMemoryLockStore())

    async def save_both() -> None:
        await agent.tracker_store.save(tracker("a", "Hilft Akupunktur?", "Und die Kosten?"))
        await agent.tracker_store.save(tracker("b", "Hilft Massage?"))

    asyncio.run(save_both())
    assert (rows(sql_store, "a"), rows(sql_store, "b")) == (4, 2)
    assert asyncio.run(forget_sender(agent, "a")) == 4
    assert (rows(sql_store, "a"), rows(sql_store, "b")) == (0, 2)


def test_forget_sender_waits_for_a_running_turn_of_that_sender(sql_store: SQLTrackerStore) -> None:
    """A turn holding the lock writes its events first; the deletion then removes them too."""
    agent = FakeAgent(sql_store, InMemoryLockStore())
    order: list[str] = []

    async def turn() -> None:
        async with agent.lock_store.lock("a"):
            order.append("turn started")
            await asyncio.sleep(0.3)
            await sql_store.save(tracker("a", "Hilft Akupunktur?"))
            order.append("turn saved")

    async def scenario() -> int:
        running = asyncio.create_task(turn())
        await asyncio.sleep(0.05)
        removed = await forget_sender(agent, "a")
        order.append("deleted")
        await running
        return removed

    assert asyncio.run(scenario()) == 2
    assert order == ["turn started", "turn saved", "deleted"]
    assert rows(sql_store, "a") == 0


def test_in_memory_store_forgets_the_sender() -> None:
    store = InMemoryTrackerStore(Domain.empty())
    agent = FakeAgent(store, InMemoryLockStore())

    async def scenario() -> tuple[int, bool, bool]:
        await store.save(tracker("a", "Hallo"))
        await store.save(tracker("b", "Hallo"))
        return await forget_sender(agent, "a"), await store.exists("a"), await store.exists("b")

    assert asyncio.run(scenario()) == (1, False, True)


@pytest.fixture
def env_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EnvSQLTrackerStore]:
    for name in ("RUECKENBOT_DATABASE_URL", "RUECKENBOT_DB_DIALECT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RUECKENBOT_TRACKER_DB", str(tmp_path / "c.db"))
    store = EnvSQLTrackerStore(domain=Domain.load(ROOT / "domain.yml"))
    yield store
    store.engine.dispose()


def test_our_sql_store_also_forgets_what_it_keeps_in_memory(env_store: EnvSQLTrackerStore) -> None:
    """Events kept for database outages must not come back after the person deleted them."""
    agent = FakeAgent(FailSafeTrackerStore(env_store), InMemoryLockStore())
    asyncio.run(env_store.save(tracker("a", "Hilft Akupunktur?")))
    asyncio.run(env_store.save(tracker("b", "Hilft Massage?")))
    assert "a" in env_store._recent
    # As if the database had failed during a later turn of "a": its events wait in the buffer.
    events = [event.as_dict() for event in tracker("a", "Hilft Akupunktur?", "Und die Kosten?").events]
    env_store._pending["a"] = (events, 2)
    env_store._handed_out["a"] = 2

    assert asyncio.run(forget_sender(agent, "a")) == 2
    assert "a" not in env_store._recent and "a" not in env_store._pending and "a" not in env_store._handed_out
    env_store._flush()  # what the retry timer or the next turn would do
    assert rows(env_store, "a") == 0 and asyncio.run(env_store.retrieve("a")) is None
    assert rows(env_store, "b") == 2 and "b" in env_store._recent


# --- the reply ----------------------------------------------------------------------


def test_confirm_deletion_deletes_and_answers_from_the_domain(sql_store: SQLTrackerStore) -> None:
    agent = FakeAgent(sql_store, InMemoryLockStore(), Domain.load(ROOT / "domain.yml"))
    asyncio.run(sql_store.save(tracker("a", "Hallo")))
    deletion = asyncio.run(confirm_deletion(agent, "a"))
    assert deletion.deleted and deletion.reply == text_of("utter_data_deleted")
    assert rows(sql_store, "a") == 0


def test_confirm_deletion_of_nothing_stored_still_confirms(sql_store: SQLTrackerStore) -> None:
    agent = FakeAgent(sql_store, InMemoryLockStore())
    deletion = asyncio.run(confirm_deletion(agent, "never-wrote"))
    assert deletion.deleted and deletion.reply == text_of("utter_data_deleted")


class FailingSQLStore(SQLTrackerStore):
    def session_scope(self) -> Any:
        raise OSError("database is gone")


@pytest.mark.parametrize("kind", ["unsupported", "database"])
def test_a_failed_deletion_is_logged_and_told(kind: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    if kind == "unsupported":
        store: TrackerStore = TrackerStore(Domain.empty())
    else:
        store = FailingSQLStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    agent = FakeAgent(store, InMemoryLockStore())
    with caplog.at_level(logging.ERROR, logger="bot.server.channels.forget"):
        deletion = asyncio.run(confirm_deletion(agent, "a"))
    assert not deletion.deleted and deletion.reply == text_of("utter_delete_failed")
    assert any(record.exc_info for record in caplog.records), caplog.text

    async def next_turn() -> None:  # the lock was released: the sender's next turn is not blocked
        async with agent.lock_store.lock("a"):
            pass

    asyncio.run(asyncio.wait_for(next_turn(), timeout=2))


def test_no_agent_yet_is_a_failure_not_a_crash(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.server.channels.forget"):
        deletion = asyncio.run(confirm_deletion(None, "a"))
    assert not deletion.deleted and deletion.reply == text_of("utter_delete_failed")


def test_delete_conversation_is_unchanged_for_the_widget(sql_store: SQLTrackerStore) -> None:
    asyncio.run(sql_store.save(tracker("a", "Hallo")))
    assert asyncio.run(delete_conversation(FailSafeTrackerStore(sql_store), "a")) == 2
    assert asyncio.run(delete_conversation(sql_store, "a")) == 0
