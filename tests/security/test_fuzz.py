"""Fuzz runs (issue 14): at least 2,000 generated requests each over REST, socket.io and every
messenger webhook, against the real servers. For every batch: no 5xx, the server answers a normal
question afterwards, and nothing one sender said is stored in another sender's conversation.

Generated: malformed bodies (bytes, JSON of any shape, wrong types, huge and odd strings), wrong
or missing signatures, and well-formed, correctly signed messages from a small pool of senders
with random texts. Each text carries its sender's token (`‹s3›`), so a token stored under any
other conversation key would be a leak. Bounded: 2,000 examples, no shrinking, a time-out per run.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections import Counter

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.server.conversation_keys import conversation_key
from tests.security.clients import (
    facebook_event,
    post_facebook,
    post_telegram,
    post_whatsapp,
    stored,
    telegram_update,
    whatsapp_form,
    widget_exchange,
)
from tests.security.conftest import ID_SECRET, TELEGRAM_SECRET

pytestmark = [pytest.mark.security, pytest.mark.timeout(900)]

EXAMPLES = 2000
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
    suppress_health_check=list(HealthCheck), derandomize=False,
)  # fmt: skip
ENV = {"RUECKENBOT_ID_SECRET": ID_SECRET}
POOL = 12  # senders per channel whose conversations are checked
TOKEN = re.compile(r"‹([a-z]+)(\d+)›")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
texts = st.text(max_size=120) | st.sampled_from(
    ["Hilft Akupunktur?", "Und die Nebenwirkungen?", "/ask_risks", '/delete_my_data{"confirmed": true}', "/restart",
     "/loeschen", "1", "/feedback{\"helpful\": false}", "Meine Daten löschen", "\u0000\u202e", "a" * 600, "/start"]
)  # fmt: skip


class Run:
    """What one fuzz run sent and got."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.statuses: Counter[int] = Counter()
        self.count = 0
        self.started = time.monotonic()

    def record(self, response: requests.Response) -> None:
        self.count += 1
        self.statuses[response.status_code] += 1
        assert response.status_code < 500, (self.channel, response.status_code, response.text[:300])

    def report(self) -> str:
        return f"{self.channel}: {self.count} requests in {time.monotonic() - self.started:.0f} s, statuses {dict(self.statuses)}"


CURRENT = {"channel": "rest"}


def tagged(text: str, sender: int) -> str:
    return f"{text} ‹{CURRENT['channel']}{sender}›"


def assert_no_leak(stack, raw_ids: dict[int, str], channel: str) -> None:
    """Every stored user text with a token belongs to the conversation of that token's sender."""
    owners = {conversation_key(channel, raw, ENV): index for index, raw in raw_ids.items()}
    for key, kind, data in stored(stack.env["RUECKENBOT_TRACKER_DB"]):
        if kind != "user":
            continue
        for token_channel, index in TOKEN.findall(data.get("text") or ""):
            if token_channel == channel:
                assert owners.get(key) == int(index), (key, data.get("text"))
            else:
                assert key not in owners, (key, data.get("text"))


def assert_answers_normally(stack) -> None:
    replies = stack.say(f"after-fuzz-{uuid.uuid4()}", "Hilft Akupunktur?")
    assert any((r.get("answer") or {}).get("kind") == "fact" for r in replies), replies


def test_fuzz_rest(stack) -> None:
    session, run = requests.Session(), Run("rest")
    CURRENT["channel"] = "rest"
    senders = {i: f"fuzz-rest-{i}" for i in range(POOL)}
    url = f"{stack.url}/webhooks/rest/webhook"

    @FUZZ
    @given(
        st.one_of(
            st.binary(max_size=300),
            json_values.map(lambda v: json.dumps(v).encode()),
            st.fixed_dictionaries({"sender": json_values | st.text(max_size=200), "message": json_values | texts},
                                  optional={"metadata": json_values, "input_channel": json_values}).map(
                lambda d: json.dumps(d).encode()),
            st.tuples(st.integers(0, POOL - 1), texts, json_values).map(
                lambda t: json.dumps({"sender": senders[t[0]], "message": tagged(t[1], t[0]),
                                      "metadata": {"x": t[2]}}).encode()),
        )
    )  # fmt: skip
    def one(body: bytes) -> None:
        run.record(session.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=60))

    one()
    print(run.report())
    assert run.count >= EXAMPLES
    assert_answers_normally(stack)
    assert_no_leak(stack, senders, "rest")
    # metadata never stored (dropped at the door)
    for key, kind, data in stored(stack.env["RUECKENBOT_TRACKER_DB"]):
        if kind == "user" and key.startswith("rest:fuzz-"):
            assert set(data.get("metadata") or {}) <= {"assistant_id", "model_id"}, data  # only what Rasa adds


def test_fuzz_telegram(stack) -> None:
    session, run = requests.Session(), Run("telegram")
    CURRENT["channel"] = "telegram"
    chats = {i: 880_000 + i for i in range(POOL)}

    @FUZZ
    @given(
        st.one_of(
            st.binary(max_size=300).map(lambda b: (b, "secret")),
            json_values.map(lambda v: (json.dumps(v).encode(), "secret")),
            st.tuples(st.integers(0, POOL - 1), texts).map(lambda t: (telegram_update(chats[t[0]], tagged(t[1], t[0])), "secret")),
            st.tuples(st.integers(0, POOL - 1), texts).map(lambda t: (telegram_update(chats[t[0]], t[1]), None)),
            st.tuples(st.integers(0, POOL - 1), json_values).map(
                lambda t: ({"update_id": 1, "callback_query": {"id": "c", "from": {"id": chats[t[0]], "is_bot": False,
                            "first_name": "T"}, "chat_instance": "1", "data": t[1],
                            "message": telegram_update(chats[t[0]], "x")["message"]}}, "secret")),
            st.tuples(st.integers(), json_values).map(lambda t: ({"update_id": 1, "message": {"chat": {"id": t[0]}, "text": t[1]}}, "secret")),
        )
    )  # fmt: skip
    def one(case: tuple) -> None:
        body, secret = case
        run.record(post_telegram(session, stack.url, body, secret=TELEGRAM_SECRET if secret else None))

    one()
    print(run.report())
    assert run.count >= EXAMPLES and run.statuses[403] > 0
    assert_answers_normally(stack)
    assert_no_leak(stack, {i: str(c) for i, c in chats.items()}, "telegram")


def test_fuzz_facebook(stack) -> None:
    session, run = requests.Session(), Run("facebook")
    CURRENT["channel"] = "facebook"
    psids = {i: f"fuzzpsid{i}" for i in range(POOL)}

    @FUZZ
    @given(
        st.one_of(
            st.tuples(st.binary(max_size=300), st.booleans()),
            json_values.map(lambda v: (json.dumps(v).encode(), True)),
            st.tuples(st.integers(0, POOL - 1), texts).map(lambda t: (facebook_event(psids[t[0]], tagged(t[1], t[0])), True)),
            st.tuples(st.integers(0, POOL - 1), texts).map(lambda t: (facebook_event(psids[t[0]], t[1]), False)),
            st.tuples(json_values, json_values).map(lambda t: ({"object": "page", "entry": [{"messaging": [
                {"sender": {"id": t[0]}, "message": {"text": t[1], "quick_reply": {"payload": t[1]}}}]}]}, True)),
        )
    )  # fmt: skip
    def one(case: tuple) -> None:
        body, sign = case
        run.record(post_facebook(session, stack.url, body, sign=sign))

    one()
    print(run.report())
    assert run.count >= EXAMPLES and run.statuses[403] > 0
    assert_answers_normally(stack)
    assert_no_leak(stack, psids, "facebook")


def test_fuzz_whatsapp(stack) -> None:
    session, run = requests.Session(), Run("whatsapp")
    CURRENT["channel"] = "twilio"
    numbers = {i: f"whatsapp:+4915100000{i:03d}" for i in range(POOL)}
    fields = st.dictionaries(
        st.sampled_from(["From", "To", "Body", "NumMedia", "Latitude", "X"]), st.text(max_size=60), max_size=5
    )

    @FUZZ
    @given(
        st.one_of(
            st.tuples(fields, st.booleans()),
            st.tuples(st.integers(0, POOL - 1), texts).map(lambda t: (whatsapp_form(numbers[t[0]], tagged(t[1], t[0])), True)),
            st.tuples(st.integers(0, POOL - 1), texts).map(lambda t: (whatsapp_form(numbers[t[0]], t[1]), False)),
            st.tuples(st.integers(0, POOL - 1), st.integers(0, 12)).map(lambda t: (whatsapp_form(numbers[t[0]], str(t[1])), True)),
        )
    )  # fmt: skip
    def one(case: tuple) -> None:
        form, sign = case
        form = {k: v.replace("\x00", "") for k, v in form.items()}  # a form field cannot carry NUL through requests
        run.record(post_whatsapp(session, stack.url, form, sign=sign))

    one()
    print(run.report())
    assert run.count >= EXAMPLES and run.statuses[403] > 0
    assert_answers_normally(stack)
    assert_no_leak(stack, numbers, "twilio")


def test_fuzz_socketio(stack) -> None:
    """2,000 generated socket.io events in batches of 200 over one connection each; the server stays up."""
    sessions = {i: str(uuid.uuid4()) for i in range(POOL)}
    CURRENT["channel"] = "website"
    events = st.one_of(
        st.tuples(st.sampled_from(["user_uttered", "session_request", "delete_session", "nonsense"]), json_values),
        st.tuples(st.just("user_uttered"), st.fixed_dictionaries({"session_id": json_values | st.text(max_size=40), "message": json_values | texts})),
        st.tuples(st.integers(0, POOL - 1), texts).map(
            lambda t: ("user_uttered", {"session_id": sessions[t[0]], "message": tagged(t[1], t[0])})),
    )  # fmt: skip
    generated: list[tuple[str, object]] = []

    @FUZZ
    @given(events)
    def collect(event: tuple[str, object]) -> None:
        generated.append(event)

    collect()
    started = time.monotonic()
    assert len(generated) >= EXAMPLES
    for start in range(0, len(generated), 200):
        batch = [e for e in generated[start : start + 200] if e[0] != "delete_session" or start == 0]
        widget_exchange(stack.url, batch)
        health = requests.get(f"{stack.url}/webhooks/website/", timeout=10)
        assert health.status_code == 200
    probe = str(uuid.uuid4())
    replies = widget_exchange(stack.url, [("session_request", {"session_id": probe}),
                                          ("user_uttered", {"session_id": probe, "message": "Hilft Akupunktur?"})],
                              wait_for_replies=1)  # fmt: skip
    assert replies[0]["answer"]["kind"] == "fact"
    print(f"socket.io: {len(generated)} events in {time.monotonic() - started:.0f} s")
    assert_no_leak(stack, sessions, "website")
    assert_answers_normally(stack)
