"""End to end: a long conversation continues in new sessions (bot.server.rasa_patches) without losing context or data."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.server.conversation_keys import conversation_key
from tests.servers import Stack, running_stack

pytestmark = pytest.mark.e2e

MAX_TURNS = 3


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = Path(tmp_path_factory.mktemp("long"))
    with running_stack(workdir, env={"RUECKENBOT_SESSION_MAX_TURNS": str(MAX_TURNS)}) as servers:
        yield servers


def stored_events(stack: Stack, sender: str) -> list[dict]:
    with sqlite3.connect(stack.env["RUECKENBOT_TRACKER_DB"]) as db:
        key = conversation_key("rest", sender)
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (key,)).fetchall()
    return [json.loads(data) for (data,) in rows]


def test_context_survives_the_session_boundaries(stack: Stack) -> None:
    sender = str(uuid.uuid4())
    conversation = [  # (message, therapy, aspect the answer must be about)
        ("Hilft Akupunktur?", "akupunktur", "wirksamkeit"),
        ("Und die Nebenwirkungen?", "akupunktur", "risiken"),
        ("Wer zahlt das?", "akupunktur", "kosten"),
        ("Und was ist das genau?", "akupunktur", "methode"),  # first message of session 2
        ("Und bei Massagen?", "massage", "methode"),
        ("Gibt es Risiken?", "massage", "risiken"),
        ("Und bei Osteopathie?", "osteopathie", "risiken"),  # first message of session 3
        ("Hilft das?", "osteopathie", "wirksamkeit"),
    ]
    for message, therapy, aspect in conversation:
        replies = stack.say(sender, message)
        answered = [tuple(cell) for r in replies for cell in (r.get("answer") or {}).get("cells") or []]
        assert answered[:1] == [(therapy, aspect)], (message, answered or replies)

    events = stored_events(stack, sender)
    starts = [e for e in events if e["event"] == "session_started"]
    assert len(starts) == 3  # Rasa's first session, then one after every MAX_TURNS messages
    assert [s.get("metadata", {}).get("reason") for s in starts] == [None, "max_turns", "max_turns"]
    # nothing is lost: every message and every answer of every session is stored
    assert [e["text"] for e in events if e["event"] == "user"] == [m for m, _, _ in conversation]
    assert sum(e["event"] == "bot" for e in events) >= len(conversation)


def test_a_short_conversation_stays_in_one_session(stack: Stack) -> None:
    sender = str(uuid.uuid4())
    for message in ["Hallo", "Hilft Massage?"]:
        stack.say(sender, message)
    assert sum(e["event"] == "session_started" for e in stored_events(stack, sender)) == 1
