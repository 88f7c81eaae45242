"""Telegram, Facebook Messenger and WhatsApp (Twilio) end to end, without the internet.

One real action server and Rasa server (credentials.yml as shipped, channels
switched on by environment variables) talk to fake provider APIs on 127.0.0.1.
Each test posts a provider-shaped update to the webhook and checks what arrives
at the fake API. "Meine Daten löschen" is checked here on every channel (REST and
the widget's socket.io too), against the SQLite tracker store the stack writes, where
each conversation is found under its key (bot.server.conversation_keys): no chat id, PSID
or phone number is stored in clear. The answers expected are what the REST channel
answers to the same messages (its `answer.body`): the channels draw the same answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import html
import itertools
import json
import re
import sqlite3
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
import yaml
from rasa.core.nlg.interpolator import interpolate_text
from twilio.request_validator import RequestValidator

from bot.content.knowledge import KnowledgeBase
from bot.server.conversation_keys import conversation_key
from bot.server.messenger_format import FEEDBACK_HELPFUL, FEEDBACK_NOT_HELPFUL
from bot.texts import texts
from tests.channels.fakes import FakeAPI, Recorded, facebook_responder, telegram_responder, twilio_responder
from tests.servers import ROOT, Stack, running_stack

pytestmark = [pytest.mark.channels, pytest.mark.timeout(300)]

# Test-only values, not secrets.
TELEGRAM_TOKEN = "123456:TEST-token-for-the-fake-api"
TELEGRAM_SECRET = "telegram-test-secret"
FB_VERIFY = "fb-test-verify"
FB_SECRET = "fb-test-app-secret"
FB_PAGE_TOKEN = "fb-test-page-token"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-test-auth-token"
TWILIO_NUMBER = "whatsapp:+14155238886"
ID_SECRET = "channels-test-id-secret-" + "0" * 40
ID_ENV = {"RUECKENBOT_ID_SECRET": ID_SECRET}


@dataclass
class Fakes:
    telegram: FakeAPI
    facebook: FakeAPI
    twilio: FakeAPI


@pytest.fixture(scope="module")
def fakes() -> Iterator[Fakes]:
    servers = Fakes(
        FakeAPI(telegram_responder).start(), FakeAPI(facebook_responder).start(), FakeAPI(twilio_responder).start()
    )
    yield servers
    for server in (servers.telegram, servers.facebook, servers.twilio):
        server.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, fakes: Fakes) -> Iterator[Stack]:
    env = {
        "TELEGRAM_ACCESS_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": fakes.telegram.url,
        "FACEBOOK_VERIFY_TOKEN": FB_VERIFY,
        "FACEBOOK_APP_SECRET": FB_SECRET,
        "FACEBOOK_PAGE_ACCESS_TOKEN": FB_PAGE_TOKEN,
        "FACEBOOK_API_URL": fakes.facebook.url,
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_WHATSAPP_NUMBER": TWILIO_NUMBER,
        "TWILIO_WEBHOOK_URL": "",  # validate against the URL the request came to
        "TWILIO_API_URL": fakes.twilio.url,
        **ID_ENV,
    }
    with running_stack(Path(tmp_path_factory.mktemp("channels")), env=env) as servers:
        yield servers


_ids = itertools.count(1)


def plain(telegram_text: str) -> str:
    """What the person reads: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", telegram_text))


def assert_factual(text: str, kb: KnowledgeBase) -> None:
    """The `Quelle:` line, then the disclaimer last."""
    assert re.search(r"^Quelle: IQWiG, gesundheitsinformation\.de, .+Stand 20\.08\.2025", text, re.M), text
    assert text.rstrip().endswith(kb.disclaimer), text


def key(channel: str, raw_id: str) -> str:
    return conversation_key(channel, raw_id, ID_ENV)


def reference(stack: Stack, *messages: str) -> dict:
    """What the REST channel answers to the last of `messages` (a fresh conversation): text, buttons, answer."""
    sender = f"reference-{uuid.uuid4()}"
    replies: list[dict] = []
    for message in messages:
        replies = stack.say(sender, message)
    with_answer = [r for r in replies if "answer" in r]
    return with_answer[0] if with_answer else replies[0]


def body(stack: Stack, *messages: str) -> str:
    return reference(stack, *messages)["answer"]["body"]


FEEDBACK = [(texts().get("channels.feedback.helpful"), FEEDBACK_HELPFUL),
            (texts().get("channels.feedback.not_helpful"), FEEDBACK_NOT_HELPFUL)]  # fmt: skip


# --- Telegram -------------------------------------------------------------------------


class Telegram:
    def __init__(self, stack: Stack, fake: FakeAPI) -> None:
        self.stack, self.fake = stack, fake
        self.chat_id = 7_000_000 + next(_ids)

    def post(self, update: dict, secret: str | None = TELEGRAM_SECRET) -> requests.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return requests.post(f"{self.stack.url}/webhooks/telegram/webhook", json=update, headers=headers, timeout=60)

    def _message(self, text: str) -> dict:
        chat = {"id": self.chat_id, "type": "private"}
        sender = {"id": self.chat_id, "is_bot": False, "first_name": "Test"}
        return {"message_id": next(_ids), "date": 0, "chat": chat, "from": sender, "text": text}

    def sent(self) -> list[Recorded]:
        return self.fake.matching(lambda r: r.path.endswith("/sendMessage") and r.body["chat_id"] == str(self.chat_id))

    def say(self, text: str) -> list[Recorded]:
        before = len(self.sent())
        response = self.post({"update_id": next(_ids), "message": self._message(text)})
        assert response.status_code == 200, response.text
        return self.sent()[before:]

    def tap(self, payload: str) -> list[Recorded]:
        before = len(self.sent())
        query = {"id": f"cb{next(_ids)}", "from": {"id": self.chat_id, "is_bot": False, "first_name": "Test"},
                 "chat_instance": "1", "data": payload, "message": self._message("…")}  # fmt: skip
        response = self.post({"update_id": next(_ids), "callback_query": query})
        assert response.status_code == 200, response.text
        return self.sent()[before:]


def test_telegram_answer_with_html_source_link_and_inline_keyboard(stack: Stack, fakes: Fakes, kb) -> None:
    chat = Telegram(stack, fakes.telegram)
    [message] = chat.say("Hilft Akupunktur?")
    assert message.path == f"/bot{TELEGRAM_TOKEN}/sendMessage"
    assert message.body["parse_mode"] == "HTML"
    text = message.body["text"]
    expected = reference(stack, "Hilft Akupunktur?")
    assert expected["answer"]["body"] in plain(text)
    assert f'<a href="{kb.page.url}">' in text
    assert_factual(plain(text), kb)
    keyboard = json.loads(message.body["reply_markup"])["inline_keyboard"]
    assert [row[0] for row in keyboard[:-1]] == [
        {"text": b["title"], "callback_data": b["payload"]} for b in expected["buttons"]
    ]
    assert keyboard[-1] == [{"text": t, "callback_data": p} for t, p in FEEDBACK], "👍 👎 under a fact answer"


def test_telegram_follow_up_and_button_use_context(stack: Stack, fakes: Fakes, kb) -> None:
    chat = Telegram(stack, fakes.telegram)
    chat.say("Hilft Akupunktur?")
    [risks] = chat.say("Und die Nebenwirkungen?")
    expected = reference(stack, "Hilft Akupunktur?", "Und die Nebenwirkungen?")
    assert expected["answer"]["body"] in plain(risks.body["text"])
    assert_factual(plain(risks.body["text"]), kb)
    costs_button = next(b for b in expected["buttons"] if b["payload"].startswith("/ask_costs"))
    [costs] = chat.tap(costs_button["payload"])
    assert body(stack, costs_button["payload"]) in plain(costs.body["text"])
    assert fakes.telegram.matching(lambda r: r.path.endswith("/answerCallbackQuery")), "the button's spinner stops"


def test_telegram_start_command_greets_with_the_disclaimer(stack: Stack, fakes: Fakes, kb) -> None:
    messages = Telegram(stack, fakes.telegram).say("/start")
    text = plain("\n".join(m.body["text"] for m in messages))
    assert "Rückenbot" in text and kb.disclaimer in text
    assert "reply_markup" in messages[-1].body


@pytest.mark.parametrize("secret", [None, "wrong-secret", ""])
def test_telegram_rejects_a_missing_or_wrong_secret_token(stack: Stack, fakes: Fakes, secret: str | None) -> None:
    chat = Telegram(stack, fakes.telegram)
    response = chat.post({"update_id": next(_ids), "message": chat._message("Hilft Akupunktur?")}, secret=secret)
    assert response.status_code == 403
    assert chat.sent() == []


# --- Facebook Messenger ---------------------------------------------------------------


class Facebook:
    def __init__(self, stack: Stack, fake: FakeAPI) -> None:
        self.stack, self.fake = stack, fake
        self.psid = f"psid-{next(_ids)}"

    def post(self, message: dict, sign: str | None = "sha256", secret: str = FB_SECRET) -> requests.Response:
        event = {"sender": {"id": self.psid}, "recipient": {"id": "PAGE"}, "timestamp": 0, "message": message}
        body = json.dumps({"object": "page", "entry": [{"id": "PAGE", "time": 0, "messaging": [event]}]}).encode()
        headers = {"Content-Type": "application/json"}
        if sign == "sha256":
            headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        elif sign == "sha1":
            headers["X-Hub-Signature"] = "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
        return requests.post(f"{self.stack.url}/webhooks/facebook/webhook", data=body, headers=headers, timeout=60)

    def sent(self) -> list[Recorded]:
        return self.fake.matching(
            lambda r: r.path.endswith("/me/messages") and r.body["recipient"]["id"] == self.psid and "message" in r.body
        )

    def say(self, text: str, quick_reply: str | None = None, sign: str = "sha256") -> list[Recorded]:
        before = len(self.sent())
        message = {"mid": f"m{next(_ids)}", "text": text}
        if quick_reply:
            message["quick_reply"] = {"payload": quick_reply}
        response = self.post(message, sign=sign)
        assert response.status_code == 200, response.text
        return self.sent()[before:]


def test_facebook_answer_with_quick_replies_source_and_disclaimer(stack: Stack, fakes: Fakes, kb) -> None:
    chat = Facebook(stack, fakes.facebook)
    [message] = chat.say("Hilft Akupunktur?")
    assert message.query["access_token"] == FB_PAGE_TOKEN
    text = message.body["message"]["text"]
    expected = reference(stack, "Hilft Akupunktur?")
    assert expected["answer"]["body"] in text and kb.page.url in text
    assert_factual(text, kb)
    assert len(text) < 2000
    replies = message.body["message"]["quick_replies"]
    wanted = [
        (b["title"][:19] + "…" if len(b["title"]) > 20 else b["title"], b["payload"]) for b in expected["buttons"]
    ]
    assert [(r["title"], r["payload"]) for r in replies] == wanted + FEEDBACK
    assert all(r["content_type"] == "text" and len(r["title"]) <= 20 for r in replies)
    actions = [
        r.body.get("sender_action") for r in fakes.facebook.matching(lambda r: r.body["recipient"]["id"] == chat.psid)
    ]
    assert {"mark_seen", "typing_on", "typing_off"} <= set(actions)


def test_facebook_follow_up_quick_reply_and_sha1_signature(stack: Stack, fakes: Fakes, kb) -> None:
    chat = Facebook(stack, fakes.facebook)
    chat.say("Hilft Akupunktur?")
    [risks] = chat.say("Und die Nebenwirkungen?", sign="sha1")
    expected = reference(stack, "Hilft Akupunktur?", "Und die Nebenwirkungen?")
    assert expected["answer"]["body"] in risks.body["message"]["text"]
    assert_factual(risks.body["message"]["text"], kb)
    costs = next(b for b in expected["buttons"] if b["payload"].startswith("/ask_costs"))
    [answer] = chat.say(costs["title"], quick_reply=costs["payload"])
    assert body(stack, costs["payload"]) in answer.body["message"]["text"]


@pytest.mark.parametrize(("sign", "secret"), [(None, FB_SECRET), ("sha256", "wrong"), ("sha1", "wrong")])
def test_facebook_rejects_missing_or_wrong_signatures(
    stack: Stack, fakes: Fakes, sign: str | None, secret: str
) -> None:
    chat = Facebook(stack, fakes.facebook)
    response = chat.post({"mid": "m", "text": "Hilft Akupunktur?"}, sign=sign, secret=secret)
    assert response.status_code == 403
    assert fakes.facebook.matching(lambda r: r.body["recipient"]["id"] == chat.psid) == []


def test_facebook_webhook_verification(stack: Stack) -> None:
    url = f"{stack.url}/webhooks/facebook/webhook"
    good = {"hub.mode": "subscribe", "hub.verify_token": FB_VERIFY, "hub.challenge": "12345"}
    response = requests.get(url, params=good, timeout=10)
    assert (response.status_code, response.text) == (200, "12345")
    response = requests.get(url, params={**good, "hub.verify_token": "wrong"}, timeout=10)
    assert response.status_code == 403 and "12345" not in response.text


# --- WhatsApp via Twilio --------------------------------------------------------------


class WhatsApp:
    def __init__(self, stack: Stack, fake: FakeAPI) -> None:
        self.stack, self.fake = stack, fake
        self.number = f"whatsapp:+49151{next(_ids):07d}"
        self.url = f"{stack.url}/webhooks/twilio/webhook"

    def post(self, text: str, token: str = TWILIO_TOKEN, signed: bool = True) -> requests.Response:
        form = {"From": self.number, "To": TWILIO_NUMBER, "Body": text, "AccountSid": TWILIO_SID,
                "MessageSid": f"SM{next(_ids):032d}", "NumMedia": "0"}  # fmt: skip
        headers = {"X-Twilio-Signature": RequestValidator(token).compute_signature(self.url, form)} if signed else {}
        return requests.post(self.url, data=form, headers=headers, timeout=60)

    def sent(self) -> list[Recorded]:
        return self.fake.matching(lambda r: r.body.get("To") == self.number)

    def say(self, text: str) -> list[str]:
        before = len(self.sent())
        response = self.post(text)
        assert response.status_code == 204, response.text
        return [r.body["Body"] for r in self.sent()[before:]]


def options(body: str) -> list[str]:
    return re.findall(r"^\d+ – (.+)$", body, re.M)


def test_whatsapp_answer_with_numbered_options_source_and_disclaimer(stack: Stack, fakes: Fakes, kb) -> None:
    chat = WhatsApp(stack, fakes.twilio)
    [text] = chat.say("Hilft Akupunktur?")
    [request] = chat.sent()
    assert request.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert request.body["From"] == TWILIO_NUMBER
    expected = reference(stack, "Hilft Akupunktur?")
    assert expected["answer"]["body"] in text and kb.page.url in text
    answer, _, menu = text.partition("\n\n1 – ")
    assert_factual(answer, kb)
    assert expected["answer"]["source"]["line"] in answer.splitlines(), "the source is a line of its own"
    assert options(text) == [b["title"] for b in expected["buttons"]]
    assert text.endswith(texts().get("channels.whatsapp.reply_hint"))


def test_whatsapp_number_picks_that_option_and_follow_ups_use_context(stack: Stack, fakes: Fakes, kb) -> None:
    chat = WhatsApp(stack, fakes.twilio)
    chat.say("Hilft Akupunktur?")
    second = reference(stack, "Hilft Akupunktur?")["buttons"][1]
    [picked] = chat.say("2")
    assert body(stack, "Hilft Akupunktur?", second["payload"]) in picked
    assert_factual(picked.partition("\n\n1 – ")[0], kb)
    [risks] = chat.say("Und die Nebenwirkungen?")
    assert body(stack, "Hilft Akupunktur?", second["payload"], "Und die Nebenwirkungen?") in risks


@pytest.mark.parametrize(("token", "signed"), [(TWILIO_TOKEN, False), ("wrong-token", True)])
def test_whatsapp_rejects_missing_or_wrong_signatures(stack: Stack, fakes: Fakes, token: str, signed: bool) -> None:
    chat = WhatsApp(stack, fakes.twilio)
    assert chat.post("Hilft Akupunktur?", token=token, signed=signed).status_code == 403
    assert chat.sent() == []


# --- "Meine Daten löschen" on every channel -------------------------------------------
#
# The person asks, gets utter_confirm_delete with two buttons, and confirms (the "Ja"
# payload never reaches Rasa: bot/server/channels/forget.py) or keeps the data. Checked against
# the SQLite tracker store itself (RUECKENBOT_TRACKER_DB in the stack's folder).

RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
# the payloads as Rasa sends them: it fills {name} in responses, so the domain writes their braces twice
CONFIRM_BUTTONS = [
    (b["title"], interpolate_text(b["payload"], {})) for b in RESPONSES["utter_confirm_delete"][0]["buttons"]
]


def response_text(name: str) -> str:
    return RESPONSES[name][0]["text"]


def stored_rows(stack: Stack, sender: str) -> int:
    """Rows stored under a conversation key (`user.sender` is the key, never the raw id)."""
    with contextlib.closing(sqlite3.connect(stack.env["RUECKENBOT_TRACKER_DB"])) as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def all_stored_text(stack: Stack) -> str:
    with contextlib.closing(sqlite3.connect(stack.env["RUECKENBOT_TRACKER_DB"])) as db:
        return "\n".join(f"{sender} {data}" for sender, data in db.execute("SELECT sender_id, data FROM events"))


@dataclass
class Reply:
    """What the person sees of the bot's answer to one message: the text and the buttons (title, payload)."""

    text: str
    buttons: list[tuple[str, str | None]]


class TelegramUser(Telegram):
    @property
    def sender(self) -> str:
        return key("telegram", str(self.chat_id))

    def _reply(self, messages: list[Recorded]) -> Reply:
        keyboard = (
            json.loads(messages[-1].body.get("reply_markup", "{}")).get("inline_keyboard", []) if messages else []
        )
        buttons = [(row[0]["text"], row[0]["callback_data"]) for row in keyboard if len(row) == 1]
        return Reply(plain("\n".join(m.body["text"] for m in messages)), buttons)

    def ask(self, text: str) -> Reply:
        return self._reply(self.say(text))

    def choose(self, number: int, title: str, payload: str) -> Reply:
        return self._reply(self.tap(payload))


class FacebookUser(Facebook):
    @property
    def sender(self) -> str:
        return key("facebook", self.psid)

    def _reply(self, messages: list[Recorded]) -> Reply:
        replies = messages[-1].body["message"].get("quick_replies", []) if messages else []
        text = "\n".join(m.body["message"]["text"] for m in messages)
        return Reply(text, [(r["title"], r["payload"]) for r in replies if (r["title"], r["payload"]) not in FEEDBACK])

    def ask(self, text: str) -> Reply:
        return self._reply(self.say(text))

    def choose(self, number: int, title: str, payload: str) -> Reply:
        return self._reply(self.say(title, quick_reply=payload))


class WhatsAppUser(WhatsApp):
    @property
    def sender(self) -> str:
        return key("twilio", self.number)

    def _reply(self, bodies: list[str]) -> Reply:
        body = "\n".join(bodies)
        return Reply(body.partition("\n\n1 – ")[0], [(title, None) for title in options(body)])

    def ask(self, text: str) -> Reply:
        return self._reply(self.say(text))

    def choose(self, number: int, title: str, payload: str) -> Reply:
        return self._reply(self.say(str(number)))  # WhatsApp has no buttons: the number picks the option


class RestUser:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.raw = f"rest-{next(_ids)}"
        self.sender = key("rest", self.raw)

    def ask(self, text: str) -> Reply:
        replies = self.stack.say(self.raw, text)
        buttons = [(b["title"], b["payload"]) for b in (replies[-1].get("buttons", []) if replies else [])]
        return Reply("\n".join(r.get("text", "") for r in replies), buttons)

    def choose(self, number: int, title: str, payload: str) -> Reply:
        return self.ask(payload)  # what a REST client sends for a tapped button


USERS = {
    "telegram": lambda stack, fakes: TelegramUser(stack, fakes.telegram),
    "facebook": lambda stack, fakes: FacebookUser(stack, fakes.facebook),
    "whatsapp": lambda stack, fakes: WhatsAppUser(stack, fakes.twilio),
    "rest": lambda stack, fakes: RestUser(stack),
}


def ask_to_delete(user, stack: Stack, kb, channel: str) -> None:
    """A conversation with stored rows, then "Meine Daten löschen" → the confirmation question with both buttons."""
    assert body(stack, "Hilft Akupunktur?") in user.ask("Hilft Akupunktur?").text
    question = user.ask("Meine Daten löschen")
    assert question.text.strip() == response_text("utter_confirm_delete")
    if channel == "whatsapp":  # titles only; the number is mapped to the payload in the tracker
        assert question.buttons == [(title, None) for title, _ in CONFIRM_BUTTONS]
    else:
        assert question.buttons == CONFIRM_BUTTONS
    assert stored_rows(stack, user.sender) > 0


@pytest.mark.parametrize("channel", list(USERS))
def test_delete_my_data_asks_confirms_and_removes_only_that_senders_rows(
    stack: Stack, fakes: Fakes, kb, channel: str
) -> None:
    user, other = USERS[channel](stack, fakes), USERS[channel](stack, fakes)
    assert body(stack, "Was kostet eine Massage?") in other.ask("Was kostet eine Massage?").text
    other_rows = stored_rows(stack, other.sender)
    assert other_rows > 0

    ask_to_delete(user, stack, kb, channel)
    (title, payload) = CONFIRM_BUTTONS[0]
    done = user.choose(1, title, payload)

    assert done.text.strip() == response_text("utter_data_deleted") and done.buttons == []
    assert stored_rows(stack, user.sender) == 0
    assert stored_rows(stack, other.sender) == other_rows
    # A new message starts a new conversation: the treatment asked about before is forgotten.
    fresh = user.ask("Und die Nebenwirkungen?")
    assert fresh.text.strip() == response_text("utter_ask_therapy")
    assert stored_rows(stack, user.sender) > 0
    follow_up = body(stack, "Was kostet eine Massage?", "Und die Nebenwirkungen?")
    assert follow_up in other.ask("Und die Nebenwirkungen?").text, "the other keeps its context"


@pytest.mark.parametrize("channel", list(USERS))
def test_no_keeps_the_data(stack: Stack, fakes: Fakes, kb, channel: str) -> None:
    user = USERS[channel](stack, fakes)
    ask_to_delete(user, stack, kb, channel)
    rows_before = stored_rows(stack, user.sender)
    (title, payload) = CONFIRM_BUTTONS[1]
    kept = user.choose(2, title, payload)
    assert kept.text.strip() == response_text("utter_data_kept")
    assert stored_rows(stack, user.sender) > rows_before  # nothing deleted, the turn was added
    follow_up = body(stack, "Hilft Akupunktur?", "Und die Nebenwirkungen?")
    assert follow_up in user.ask("Und die Nebenwirkungen?").text, "context kept"


def test_telegram_loeschen_command_asks_first(stack: Stack, fakes: Fakes, kb) -> None:
    user = TelegramUser(stack, fakes.telegram)
    user.ask("Hilft Akupunktur?")
    question = user.ask("/loeschen")
    assert question.text == response_text("utter_confirm_delete") and question.buttons == CONFIRM_BUTTONS
    assert stored_rows(stack, user.sender) > 0


def test_website_chat_button_deletes_and_resets_the_widget(stack: Stack) -> None:
    """The widget's chat: "Ja, alles löschen" over socket.io → utter_data_deleted, then session_deleted."""
    session_id = str(uuid.uuid4())
    events: list[tuple[str, Any]] = []

    async def scenario() -> tuple[int, int]:
        arrived = asyncio.Event()
        client = socketio.AsyncClient(reconnection=False)

        def recorder(name: str) -> Callable[[Any], Awaitable[None]]:
            async def record(data: Any = None) -> None:
                events.append((name, data))
                arrived.set()

            return record

        for name in ("session_confirm", "session_rejected", "bot_uttered", "session_deleted"):
            client.on(name, recorder(name))

        async def emit(event: str, data: dict, until: str) -> None:
            start = len(events)
            await client.emit(event, data)
            while until not in [name for name, _ in events[start:]]:
                arrived.clear()
                await asyncio.wait_for(arrived.wait(), timeout=60)

        await client.connect(stack.url, socketio_path="/socket.io", transports=["polling"], wait_timeout=20)
        try:
            await emit("session_request", {"session_id": session_id}, until="session_confirm")
            await emit(
                "user_uttered", {"session_id": session_id, "message": "Meine Daten löschen"}, until="bot_uttered"
            )
            rows_before = stored_rows(stack, key("website", session_id))
            yes = {"session_id": session_id, "message": CONFIRM_BUTTONS[0][1]}
            await emit("user_uttered", yes, until="session_deleted")
            return rows_before, stored_rows(stack, key("website", session_id))
        finally:  # without waiting for the open long-poll to end (up to the ping interval, ~25 s)
            await client.eio.disconnect(abort=True)

    rows_before, rows_after = asyncio.run(scenario())
    question = next(data for name, data in events if name == "bot_uttered")
    assert question["text"] == response_text("utter_confirm_delete")
    assert [(b["title"], b["payload"]) for b in question["quick_replies"]] == CONFIRM_BUTTONS
    assert [name for name, _ in events[-2:]] == ["bot_uttered", "session_deleted"]
    assert events[-2][1]["text"] == response_text("utter_data_deleted")
    assert events[-1][1] == {"deleted": True}
    assert rows_before > 0 and rows_after == 0


# --- conversation keys: no raw id stored, no channel reaches another -----------------


def test_no_chat_id_psid_or_phone_number_is_stored_in_clear(stack: Stack, fakes: Fakes) -> None:
    telegram, facebook, whatsapp = (TelegramUser(stack, fakes.telegram), FacebookUser(stack, fakes.facebook),
                                    WhatsAppUser(stack, fakes.twilio))  # fmt: skip
    for user in (telegram, facebook, whatsapp):
        user.ask("Hilft Akupunktur?")
        assert stored_rows(stack, user.sender) > 0
        assert re.fullmatch(r"(tg|fb|wa):[0-9a-f]{32}", user.sender)
    stored = all_stored_text(stack)
    for raw in (str(telegram.chat_id), facebook.psid, whatsapp.number, whatsapp.number.removeprefix("whatsapp:")):
        assert raw not in stored


def test_rest_cannot_reach_a_whatsapp_conversation_by_its_phone_number(stack: Stack, fakes: Fakes) -> None:
    """Issue 14, item 1: the REST sender `whatsapp:+49…` is the conversation `rest:whatsapp:+49…`."""
    person = WhatsAppUser(stack, fakes.twilio)
    person.ask("Hilft Akupunktur?")
    rows = stored_rows(stack, person.sender)
    attacker = person.number  # knows the phone number
    confirm = CONFIRM_BUTTONS[0][1]
    deleted = stack.say(attacker, confirm)
    assert deleted[0]["text"] == response_text("utter_data_deleted")  # deletes only its own (empty) conversation
    assert stored_rows(stack, person.sender) == rows
    probe = "\n".join(r.get("text", "") for r in stack.say(attacker, "Und die Nebenwirkungen?"))
    assert probe.strip() == response_text("utter_ask_therapy"), "no therapy slot of the person leaks"
    assert stored_rows(stack, person.sender) == rows, "nothing was written into the person's conversation"
    assert stored_rows(stack, key("rest", attacker)) > 0


# --- feedback (issue 16): 👍 👎 under fact answers, one short thank-you -----------------


def stored_intents(stack: Stack, sender: str) -> list[str]:
    with contextlib.closing(sqlite3.connect(stack.env["RUECKENBOT_TRACKER_DB"])) as db:
        rows = db.execute("SELECT intent_name FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,))
        return [name for (name,) in rows]


def test_telegram_feedback_keyboard_round_trip(stack: Stack, fakes: Fakes) -> None:
    user = TelegramUser(stack, fakes.telegram)
    user.ask("Hilft Akupunktur?")
    thanks = user._reply(user.tap(FEEDBACK_HELPFUL))
    assert thanks.text.strip() == response_text("utter_feedback_thanks") and thanks.buttons == []
    assert stored_intents(stack, user.sender)[-1] == "feedback"
    follow_up = body(stack, "Hilft Akupunktur?", "Und die Nebenwirkungen?")
    assert follow_up in user.ask("Und die Nebenwirkungen?").text, "feedback does not interrupt the conversation"


def test_facebook_feedback_quick_reply_round_trip(stack: Stack, fakes: Fakes) -> None:
    user = FacebookUser(stack, fakes.facebook)
    user.ask("Hilft Akupunktur?")
    title, payload = FEEDBACK[1]
    thanks = user._reply(user.say(title, quick_reply=payload))
    assert thanks.text.strip() == response_text("utter_feedback_thanks")
    assert stored_intents(stack, user.sender)[-1] == "feedback"


def test_whatsapp_feedback_by_number_round_trip(stack: Stack, fakes: Fakes) -> None:
    user = WhatsAppUser(stack, fakes.twilio)
    [answer] = user.say("Hilft Akupunktur?")
    offered = len(options(answer))
    feedback_line = texts().get("channels.whatsapp.feedback_line", helpful=f"{offered + 1} – {FEEDBACK[0][0]}",
                                not_helpful=f"{offered + 2} – {FEEDBACK[1][0]}")  # fmt: skip
    assert feedback_line in answer.splitlines()
    [thanks] = user.say(str(offered + 2))
    assert thanks.strip() == response_text("utter_feedback_thanks")
    assert stored_intents(stack, user.sender)[-1] == "feedback"


def test_the_widget_gets_the_answer_structure_over_socket_io(stack: Stack) -> None:
    session_id = str(uuid.uuid4())

    async def scenario() -> list[dict]:
        received: list[dict] = []
        done = asyncio.Event()
        client = socketio.AsyncClient(reconnection=False)

        @client.on("session_confirm")
        async def confirmed(_: Any = None) -> None:
            await client.emit("user_uttered", {"session_id": session_id, "message": "Hilft Akupunktur?"})

        @client.on("bot_uttered")
        async def uttered(data: Any = None) -> None:
            received.append(data)
            done.set()

        await client.connect(stack.url, socketio_path="/socket.io", transports=["polling"], wait_timeout=20)
        try:
            await client.emit("session_request", {"session_id": session_id})
            await asyncio.wait_for(done.wait(), timeout=60)
            await asyncio.sleep(0.5)
        finally:
            await client.eio.disconnect(abort=True)
        return received

    [message] = asyncio.run(scenario())
    expected = reference(stack, "Hilft Akupunktur?")
    assert message["text"] == expected["text"]
    assert message["buttons"] == expected["buttons"]
    assert message["answer"] == expected["answer"] and message["answer"]["kind"] == "fact"
    assert stored_rows(stack, key("website", session_id)) > 0 and stored_rows(stack, session_id) == 0
