"""Logs carry no personal data (issue 14): the servers log at DEBUG while every channel talks;
no phone number, chat id, PSID, REST sender, session id or message text may appear in either log."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from bot.server.conversation_keys import conversation_key
from tests.security.clients import (
    facebook_event,
    post_facebook,
    post_telegram,
    post_whatsapp,
    telegram_update,
    whatsapp_form,
    widget_exchange,
)
from tests.security.conftest import ID_SECRET

pytestmark = [pytest.mark.security, pytest.mark.timeout(300)]

PHONE = "whatsapp:+4915199988877"
CHAT_ID = 555000111
PSID = "psid98765unique"
REST_SENDER = "rest-sender-zq7"
SESSION = str(uuid.uuid4())
TEXT = "Mein Name ist Zyxelbert Quandt, hilft Akupunktur?"  # personal: a name, and what the person asked


def test_no_personal_data_in_the_logs_at_debug(stack) -> None:
    session = requests.Session()
    assert session.post(f"{stack.url}/webhooks/rest/webhook", json={"sender": REST_SENDER, "message": TEXT},
                        timeout=60).status_code == 200  # fmt: skip
    assert post_telegram(session, stack.url, telegram_update(CHAT_ID, TEXT)).status_code == 200
    assert post_facebook(session, stack.url, facebook_event(PSID, TEXT)).status_code == 200
    assert post_whatsapp(session, stack.url, whatsapp_form(PHONE, TEXT)).status_code == 204
    # a message that fails in a connector (the delete confirmation on an unknown conversation is fine too)
    session.post(
        f"{stack.url}/webhooks/rest/webhook", json={"sender": REST_SENDER, "message": TEXT + " " * 1100}, timeout=60
    )
    replies = widget_exchange(
        stack.url, [("session_request", {"session_id": SESSION}), ("user_uttered", {"session_id": SESSION, "message": TEXT})],
        wait_for_replies=1,
    )  # fmt: skip
    assert replies and replies[0]["text"]

    logs = stack.logs()
    assert "DEBUG" in logs and len(logs) > 10_000, "the servers did log at DEBUG"
    secrets_in_clear = {
        "message text": "Zyxelbert",
        "phone number": "15199988877",
        "chat id": str(CHAT_ID),
        "PSID": PSID,
        "REST sender": REST_SENDER,
        "widget session": SESSION,
    }
    found = {what: value for what, value in secrets_in_clear.items() if value in logs}
    assert not found, found
    # conversations are told apart by short pseudonyms
    short = re.findall(r"\b(?:rest|web|tg|fb|wa):#[0-9a-f]{10}\b", logs)
    assert short, "the logs name conversations by their short log id"
    for channel, raw in (("twilio", PHONE), ("telegram", str(CHAT_ID)), ("facebook", PSID)):
        assert conversation_key(channel, raw, {"RUECKENBOT_ID_SECRET": ID_SECRET}) not in logs
