"""Provider-shaped requests to the webhooks (signed as the providers sign them), and the widget over socket.io."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from typing import Any

import requests
import socketio
from twilio.request_validator import RequestValidator

from tests.security.conftest import FB_SECRET, TELEGRAM_SECRET, TWILIO_NUMBER, TWILIO_SID, TWILIO_TOKEN


def telegram_update(chat_id: int, text: str, update_id: int = 1) -> dict:
    chat = {"id": chat_id, "type": "private"}
    sender = {"id": chat_id, "is_bot": False, "first_name": "Test"}
    return {
        "update_id": update_id,
        "message": {"message_id": update_id, "date": 0, "chat": chat, "from": sender, "text": text},
    }


def post_telegram(
    session: requests.Session, url: str, body: bytes | dict, secret: str | None = TELEGRAM_SECRET
) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return session.post(f"{url}/webhooks/telegram/webhook", data=data, headers=headers, timeout=60)


def facebook_event(psid: str, text: str) -> dict:
    event = {"sender": {"id": psid}, "recipient": {"id": "PAGE"}, "timestamp": 0, "message": {"mid": "m", "text": text}}
    return {"object": "page", "entry": [{"id": "PAGE", "time": 0, "messaging": [event]}]}


def post_facebook(session: requests.Session, url: str, body: bytes | dict, sign: bool = True) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if sign:
        headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(FB_SECRET.encode(), data, hashlib.sha256).hexdigest()
    return session.post(f"{url}/webhooks/facebook/webhook", data=data, headers=headers, timeout=60)


def post_whatsapp(session: requests.Session, url: str, form: dict[str, str], sign: bool = True) -> requests.Response:
    endpoint = f"{url}/webhooks/twilio/webhook"
    headers = {"X-Twilio-Signature": RequestValidator(TWILIO_TOKEN).compute_signature(endpoint, form)} if sign else {}
    return session.post(endpoint, data=form, headers=headers, timeout=60)


def whatsapp_form(number: str, text: str) -> dict[str, str]:
    return {
        "From": number,
        "To": TWILIO_NUMBER,
        "Body": text,
        "AccountSid": TWILIO_SID,
        "MessageSid": "SM1",
        "NumMedia": "0",
    }


def widget_exchange(
    url: str,
    events: list[tuple[str, Any]],
    wait_for_replies: int = 0,
    timeout: float = 60,
    until: Callable[[dict], bool] | None = None,
) -> list[dict]:
    """Emit socket.io events in order; return the bot_uttered messages (waiting for
    `wait_for_replies`, or for the first reply that satisfies `until`)."""

    async def scenario() -> list[dict]:
        replies: list[dict] = []
        got = asyncio.Event()
        client = socketio.AsyncClient(reconnection=False)

        @client.on("bot_uttered")
        async def uttered(data: Any = None) -> None:
            replies.append(data)
            if len(replies) >= wait_for_replies or (until is not None and until(data)):
                got.set()

        await client.connect(url, socketio_path="/socket.io", transports=["polling"], wait_timeout=20)
        try:
            # one event per request, as the widget sends them: python-engineio refuses a payload
            # of more than 16 packets as a whole ("Too many packets in payload"), and generated
            # events in one payload made the transport fail; queue.join() returns once the polling
            # client has posted what was emitted
            for name, data in events:
                await client.emit(name, data)
                await client.eio.queue.join()
            if wait_for_replies:
                try:
                    await asyncio.wait_for(got.wait(), timeout=timeout)
                except asyncio.TimeoutError:
                    pass  # the caller's assertion shows what came
            else:
                await asyncio.sleep(0.2)
        finally:  # without waiting for the open long-poll to end
            await client.eio.disconnect(abort=True)
        return replies

    return asyncio.run(scenario())


def stored(db: str) -> list[tuple[str, str, dict]]:
    """Every stored event: (conversation key, type, data)."""
    with closing(sqlite3.connect(db)) as connection:
        rows = connection.execute("SELECT sender_id, type_name, data FROM events ORDER BY id").fetchall()
    return [(sender, kind, json.loads(data)) for sender, kind, data in rows]
