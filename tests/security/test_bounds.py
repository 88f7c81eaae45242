"""Bounds (issue 14): rate limits per conversation and per client address on REST and socket.io,
REST metadata dropped, security headers on every static response."""

from __future__ import annotations

import uuid

import pytest
import requests

from bot.texts import texts
from tests.security.clients import stored, widget_exchange

pytestmark = [pytest.mark.security, pytest.mark.timeout(300)]

LIMITED = texts().get("channels.rate_limited")


def test_rest_rate_limit_per_sender_answers_429_in_german(stack) -> None:
    session, sender = requests.Session(), f"flood-{uuid.uuid4()}"
    statuses = []
    for _ in range(25):  # default: bursts of 15 per conversation
        response = session.post(
            f"{stack.url}/webhooks/rest/webhook", json={"sender": sender, "message": "Hallo"}, timeout=60
        )
        statuses.append(response.status_code)
    assert statuses[:15] == [200] * 15 and 429 in statuses[15:], statuses
    limited = session.post(
        f"{stack.url}/webhooks/rest/webhook", json={"sender": sender, "message": "Hallo"}, timeout=60
    )
    assert limited.status_code == 429 and limited.json()[0]["text"] == LIMITED and limited.headers["Retry-After"]
    other = session.post(
        f"{stack.url}/webhooks/rest/webhook", json={"sender": f"calm-{uuid.uuid4()}", "message": "Hallo"}, timeout=60
    )
    assert other.status_code == 200, "another conversation is not affected"


def test_rest_rate_limit_per_client_address(stack) -> None:
    session = requests.Session()
    headers = {"X-Forwarded-For": "203.0.113.77"}  # behind the (declared) proxy: this client's address
    statuses = [
        session.post(f"{stack.url}/webhooks/rest/webhook", json={"sender": f"ip-{i}", "message": ""}, headers=headers,
                     timeout=60).status_code
        for i in range(110)
    ]  # fmt: skip
    assert statuses[:100] == [200] * 100 and statuses[-1] == 429, statuses[95:]
    assert session.post(f"{stack.url}/webhooks/rest/webhook", json={"sender": "ip-other", "message": ""},
                        headers={"X-Forwarded-For": "203.0.113.78"}, timeout=60).status_code == 200  # fmt: skip


def test_socketio_rate_limit_per_session(stack) -> None:
    session_id = str(uuid.uuid4())
    events = [("session_request", {"session_id": session_id})]
    events += [("user_uttered", {"session_id": session_id, "message": ""}) for _ in range(24)]
    # waits for the limit's reply (or all 25), so a slow machine only takes longer
    replies = widget_exchange(
        stack.url, events, wait_for_replies=25, timeout=60, until=lambda r: (r or {}).get("text") == LIMITED
    )
    assert LIMITED in [r["text"] for r in replies], [r["text"] for r in replies]


def test_rest_metadata_and_input_channel_are_dropped(stack) -> None:
    sender = f"meta-{uuid.uuid4()}"
    body = {
        "sender": sender,
        "message": "Hilft Massage?",
        "metadata": {"big": "x" * 20_000},
        "input_channel": "telegram",
    }
    assert requests.post(f"{stack.url}/webhooks/rest/webhook", json=body, timeout=60).status_code == 200
    [user] = [
        d for key, kind, d in stored(stack.env["RUECKENBOT_TRACKER_DB"]) if key == f"rest:{sender}" and kind == "user"
    ]
    assert "big" not in (user.get("metadata") or {}) and user["input_channel"] == "rest"


@pytest.mark.parametrize("path", ["/", "/widget/rueckenbot.js", "/widget/rueckenbot.css", "/webhooks/rest/"])
def test_security_headers_on_every_static_response(stack, path: str) -> None:
    response = requests.get(f"{stack.url}{path}", timeout=10)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Strict-Transport-Security"].startswith("max-age="), "RUECKENBOT_HSTS=1 in this stack"
    if path == "/":
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
