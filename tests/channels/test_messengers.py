"""Telegram, Facebook Messenger and WhatsApp (Twilio) end to end, without the internet.

One real action server and Rasa server (credentials.yml as shipped, channels
switched on by environment variables) talk to fake provider APIs on 127.0.0.1.
Each test posts a provider-shaped update to the webhook and checks what arrives
at the fake API.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from twilio.request_validator import RequestValidator

from actions.conversation import rasa_buttons
from bot.answers import fact_answer
from bot.knowledge import KnowledgeBase
from tests.channels.fakes import FakeAPI, Recorded, facebook_responder, telegram_responder, twilio_responder
from tests.servers import Stack, running_stack

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


def button_payloads(kb: KnowledgeBase, therapy: str, aspect: str) -> list[dict]:
    return rasa_buttons(fact_answer(kb, [therapy], aspect).buttons)


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
    assert kb.fact("akupunktur", "wirksamkeit").text in plain(text)
    assert f'<a href="{kb.page.url}">' in text
    assert_factual(plain(text), kb)
    keyboard = json.loads(message.body["reply_markup"])["inline_keyboard"]
    expected = button_payloads(kb, "akupunktur", "wirksamkeit")
    assert [row[0] for row in keyboard] == [{"text": b["title"], "callback_data": b["payload"]} for b in expected]


def test_telegram_follow_up_and_button_use_context(stack: Stack, fakes: Fakes, kb) -> None:
    chat = Telegram(stack, fakes.telegram)
    chat.say("Hilft Akupunktur?")
    [risks] = chat.say("Und die Nebenwirkungen?")
    assert kb.fact("akupunktur", "risiken").text in plain(risks.body["text"])
    assert_factual(plain(risks.body["text"]), kb)
    costs_button = next(
        b for b in button_payloads(kb, "akupunktur", "risiken") if b["payload"].startswith("/ask_costs")
    )
    [costs] = chat.tap(costs_button["payload"])
    assert kb.fact("akupunktur", "kosten").text in plain(costs.body["text"])
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
    assert kb.fact("akupunktur", "wirksamkeit").text in text and kb.page.url in text
    assert_factual(text, kb)
    assert len(text) < 2000
    replies = message.body["message"]["quick_replies"]
    expected = button_payloads(kb, "akupunktur", "wirksamkeit")
    assert [(r["title"], r["payload"]) for r in replies] == [(b["title"], b["payload"]) for b in expected]
    assert all(r["content_type"] == "text" and len(r["title"]) <= 20 for r in replies)
    actions = [
        r.body.get("sender_action") for r in fakes.facebook.matching(lambda r: r.body["recipient"]["id"] == chat.psid)
    ]
    assert {"mark_seen", "typing_on", "typing_off"} <= set(actions)


def test_facebook_follow_up_quick_reply_and_sha1_signature(stack: Stack, fakes: Fakes, kb) -> None:
    chat = Facebook(stack, fakes.facebook)
    chat.say("Hilft Akupunktur?")
    [risks] = chat.say("Und die Nebenwirkungen?", sign="sha1")
    assert kb.fact("akupunktur", "risiken").text in risks.body["message"]["text"]
    assert_factual(risks.body["message"]["text"], kb)
    costs = next(b for b in button_payloads(kb, "akupunktur", "risiken") if b["payload"].startswith("/ask_costs"))
    [answer] = chat.say(costs["title"], quick_reply=costs["payload"])
    assert kb.fact("akupunktur", "kosten").text in answer.body["message"]["text"]


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
    [body] = chat.say("Hilft Akupunktur?")
    [request] = chat.sent()
    assert request.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert request.body["From"] == TWILIO_NUMBER
    assert kb.fact("akupunktur", "wirksamkeit").text in body and kb.page.url in body
    answer, _, menu = body.partition("\n\n1 – ")
    assert_factual(answer, kb)
    assert options(body) == [b["title"] for b in button_payloads(kb, "akupunktur", "wirksamkeit")]
    assert body.endswith("Antworten Sie mit der Nummer.")


def test_whatsapp_number_picks_that_option_and_follow_ups_use_context(stack: Stack, fakes: Fakes, kb) -> None:
    chat = WhatsApp(stack, fakes.twilio)
    chat.say("Hilft Akupunktur?")
    second = fact_answer(kb, ["akupunktur"], "wirksamkeit").buttons[1]
    [picked] = chat.say("2")
    assert kb.fact(second.therapy, second.aspect).text in picked
    assert_factual(picked.partition("\n\n1 – ")[0], kb)
    [risks] = chat.say("Und die Nebenwirkungen?")
    assert kb.fact("akupunktur", "risiken").text in risks


@pytest.mark.parametrize(("token", "signed"), [(TWILIO_TOKEN, False), ("wrong-token", True)])
def test_whatsapp_rejects_missing_or_wrong_signatures(stack: Stack, fakes: Fakes, token: str, signed: bool) -> None:
    chat = WhatsApp(stack, fakes.twilio)
    assert chat.post("Hilft Akupunktur?", token=token, signed=signed).status_code == 403
    assert chat.sent() == []
