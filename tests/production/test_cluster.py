"""Two Rasa instances, one action server, PostgreSQL and Redis: context, order, restarts, outages, the API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid

import pytest
import requests
import sqlalchemy as sa

from bot.content.knowledge import KnowledgeBase
from bot.server.conversation_keys import conversation_key
from tests.production.conftest import API_TOKEN, Cluster
from tests.servers import ROOT

pytestmark = pytest.mark.production


def texts(replies: list[dict]) -> str:
    """The replies' texts, and for each composed answer what it answered, as `[therapy/aspect]`."""
    parts = []
    for reply in replies:
        parts.append(reply.get("text", ""))
        answer = reply.get("answer") or {}
        for therapy, aspect in answer.get("cells") or [(answer.get("therapy"), answer.get("aspect"))]:
            parts.append(f"[{therapy}/{aspect}]")
    return "\n".join(parts)


def new_sender() -> str:
    return str(uuid.uuid4())


def rest(sender: str) -> str:
    """The conversation key of a REST sender (bot.server.conversation_keys)."""
    return conversation_key("rest", sender)


def fact(kb: KnowledgeBase, therapy: str, aspect: str) -> str:
    """What `texts` shows for an answer on (therapy, aspect) from the fact store."""
    return f"[{therapy}/{aspect}]"


def test_alternating_instances_keep_context(cluster: Cluster, kb: KnowledgeBase) -> None:
    sender = new_sender()
    assert fact(kb, "akupunktur", "wirksamkeit") in texts(cluster.a.say(sender, "Hilft Akupunktur?"))
    assert fact(kb, "akupunktur", "risiken") in texts(cluster.b.say(sender, "Und die Nebenwirkungen?"))
    assert fact(kb, "massage", "risiken") in texts(cluster.a.say(sender, "Und bei Massagen?"))
    assert fact(kb, "massage", "kosten") in texts(cluster.b.say(sender, "Wer zahlt das?"))
    assert cluster.postgres.user_messages(rest(sender)) == [
        "Hilft Akupunktur?",
        "Und die Nebenwirkungen?",
        "Und bei Massagen?",
        "Wer zahlt das?",
    ]


def test_concurrent_messages_for_one_sender_are_processed_in_order(cluster: Cluster, kb: KnowledgeBase) -> None:
    """Six messages of one sender, 150 ms apart, alternately to A and B, all in flight at once.

    The Redis lock store serialises the turns across both instances: every message is stored once,
    in the order sent, each turn complete before the next begins, and each follow-up answered
    from the context the previous turn left.
    """
    sender = new_sender()
    messages = [
        ("Hilft Akupunktur?", ("akupunktur", "wirksamkeit")),
        ("Und die Nebenwirkungen?", ("akupunktur", "risiken")),
        ("Und bei Massagen?", ("massage", "risiken")),
        ("Wer zahlt das?", ("massage", "kosten")),
        ("Und bei Osteopathie?", ("osteopathie", "kosten")),
        ("Hilft das?", ("osteopathie", "wirksamkeit")),
    ]
    replies: dict[int, str] = {}
    errors: list[BaseException] = []

    def send(index: int, text: str) -> None:
        instance = cluster.a if index % 2 == 0 else cluster.b
        try:
            replies[index] = texts(instance.say(sender, text))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = []
    for index, (text, _) in enumerate(messages):
        thread = threading.Thread(target=send, args=(index, text))
        thread.start()
        threads.append(thread)
        time.sleep(0.15)
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors

    assert cluster.postgres.user_messages(rest(sender)) == [text for text, _ in messages]
    for index, (text, (therapy, aspect)) in enumerate(messages):
        assert fact(kb, therapy, aspect) in replies[index], (text, replies[index])
    # no turn interleaved with another: after each user message, the bot acts and listens again
    events = cluster.postgres.event_types(rest(sender))
    turns = [i for i, (kind, _) in enumerate(events) if kind == "user"]
    for start, end in zip(turns, turns[1:] + [len(events)], strict=True):
        kinds = events[start + 1 : end]
        assert ("action", "action_listen") == kinds[-1], events[start:end]
        assert [k for k, _ in kinds].count("user") == 0


def test_restarting_one_instance_loses_nothing(cluster: Cluster, kb: KnowledgeBase) -> None:
    sender, other = new_sender(), new_sender()
    assert fact(kb, "akupunktur", "wirksamkeit") in texts(cluster.a.say(sender, "Hilft Akupunktur?"))
    assert fact(kb, "tens", "wirksamkeit") in texts(cluster.a.say(other, "Hilft TENS?"))

    cluster.a.stop("rasa")
    # while A is down, the load balancer sends everything to B
    assert fact(kb, "akupunktur", "risiken") in texts(cluster.b.say(sender, "Und die Nebenwirkungen?"))
    cluster.a.start_rasa()

    # A restarted: both conversations continue where they were, on A
    assert fact(kb, "massage", "risiken") in texts(cluster.a.say(sender, "Und bei Massagen?"))
    assert fact(kb, "tens", "kosten") in texts(cluster.a.say(other, "Wer zahlt das?"))
    assert cluster.postgres.user_messages(rest(sender)) == [
        "Hilft Akupunktur?",
        "Und die Nebenwirkungen?",
        "Und bei Massagen?",
    ]
    assert cluster.postgres.user_messages(rest(other)) == ["Hilft TENS?", "Wer zahlt das?"]


def test_database_outage_answers_and_loses_nothing(cluster: Cluster, kb: KnowledgeBase) -> None:
    sender, newcomer = new_sender(), new_sender()
    assert fact(kb, "akupunktur", "wirksamkeit") in texts(cluster.a.say(sender, "Hilft Akupunktur?"))

    cluster.postgres.stop()
    try:
        started = time.monotonic()
        # a known conversation keeps its context; a new one gets a normal answer: no 500, no silence
        assert fact(kb, "akupunktur", "risiken") in texts(cluster.a.say(sender, "Und die Nebenwirkungen?"))
        assert fact(kb, "massage", "wirksamkeit") in texts(cluster.a.say(newcomer, "Hilft Massage?"))
        assert time.monotonic() - started < 20
        log = cluster.log(cluster.a)
        assert "TRACKER STORE UNAVAILABLE" in log
        assert "CRITICAL" in log
    finally:
        cluster.postgres.start()

    # back: the buffered events reach the database without waiting for another message
    deadline = time.monotonic() + 30
    while cluster.postgres.user_messages(rest(sender)) != ["Hilft Akupunktur?", "Und die Nebenwirkungen?"]:
        assert time.monotonic() < deadline, cluster.postgres.user_messages(rest(sender))
        time.sleep(0.5)
    assert cluster.postgres.user_messages(rest(newcomer)) == ["Hilft Massage?"]
    assert "wrote" in cluster.log(cluster.a)

    # B never saw the outage turn: it answers from what reached the database (aspect = risiken)
    assert fact(kb, "massage", "risiken") in texts(cluster.b.say(sender, "Und bei Massagen?"))
    assert fact(kb, "massage", "kosten") in texts(cluster.b.say(newcomer, "Wer zahlt das?"))


def test_http_api_is_off_by_default_and_needs_the_token_when_on(cluster: Cluster) -> None:
    # A runs as `make run` does: no --enable-api, so the API's routes do not exist
    assert requests.get(f"{cluster.a.url}/status", timeout=10).status_code == 404
    assert requests.get(f"{cluster.a.url}/conversations/x/tracker", timeout=10).status_code == 404
    # B runs with --enable-api --auth-token: refused without the token or with a wrong one
    assert requests.get(f"{cluster.b.url}/status", timeout=10).status_code == 401
    assert requests.get(f"{cluster.b.url}/status", params={"token": "wrong"}, timeout=10).status_code == 401
    assert requests.get(f"{cluster.b.url}/conversations/x/tracker", timeout=10).status_code == 401
    ok = requests.get(f"{cluster.b.url}/status", params={"token": API_TOKEN}, timeout=10)
    assert ok.status_code == 200, ok.text
    assert "model_file" in ok.json()


def test_forget_old_on_postgresql(cluster: Cluster, kb: KnowledgeBase) -> None:
    """`python -m tools.retention` (make forget-old) against the shared PostgreSQL, configured like instance A."""
    recent = new_sender()
    assert fact(kb, "akupunktur", "wirksamkeit") in texts(cluster.a.say(recent, "Hilft Akupunktur?"))
    old = new_sender()
    engine = sa.create_engine(cluster.postgres.url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, :d)"),
            {
                "s": rest(old),
                "t": time.time() - 31 * 86400,
                "d": json.dumps({"event": "user", "text": "Hilft Massage?"}),
            },
        )
    engine.dispose()
    assert cluster.postgres.user_messages(rest(old)) == ["Hilft Massage?"]

    env = {**os.environ, "RUECKENBOT_DATABASE_URL": cluster.postgres.url, "RUECKENBOT_RETENTION_DAYS": "30"}
    result = subprocess.run([sys.executable, "-m", "tools.retention"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Deleted 1 event(s) of 1 conversation(s) older than 30 days" in result.stdout
    assert cluster.postgres.user_messages(rest(old)) == []
    assert cluster.postgres.user_messages(rest(recent)) == ["Hilft Akupunktur?"]


def test_deletion_reaches_the_other_instance(cluster: Cluster, kb: KnowledgeBase) -> None:
    """Issue 14, item 6: deleted on B, A (which remembers the conversation for outages) forgets it too.

    Then, during a database outage, A must not answer from the deleted context nor write it back."""
    sender = new_sender()
    assert texts(cluster.a.say(sender, "Hilft Akupunktur?"))  # A remembers it (outage memory)
    deleted = cluster.b.say(sender, '/delete_my_data{"confirmed": true}')
    assert cluster.postgres.user_messages(rest(sender)) == [], deleted
    time.sleep(1.0)  # the broadcast is asynchronous
    cluster.postgres.stop()
    try:
        reply = texts(cluster.a.say(sender, "Und die Nebenwirkungen?"))
    finally:
        cluster.postgres.start()
    assert "Zu welcher Behandlung" in reply, reply  # utter_ask_therapy: the deleted context is gone on A too
    deadline = time.monotonic() + 30
    while cluster.postgres.user_messages(rest(sender)) != ["Und die Nebenwirkungen?"]:
        assert time.monotonic() < deadline, cluster.postgres.user_messages(rest(sender))
        time.sleep(0.5)
