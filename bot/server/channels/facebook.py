"""Facebook Messenger connector: signed webhooks only, conversation keys, quick replies, text below 2,000.

credentials.yml (values from the environment, see bot.server.channels.env):

    bot.server.channels.facebook.FacebookInput:
      verify: "${FACEBOOK_VERIFY_TOKEN}"                  # chosen by you, entered in the Meta app's webhook form
      secret: "${FACEBOOK_APP_SECRET}"                    # the Meta app's secret: signs every webhook request
      page-access-token: "${FACEBOOK_PAGE_ACCESS_TOKEN}"  # sends the replies
      api_url: "${FACEBOOK_API_URL:-https://graph.facebook.com}"

All three secrets unset → channel off; some set → the bot refuses to start.
POSTs must carry a valid `X-Hub-Signature-256` (or the older `X-Hub-Signature`), checked in
constant time; anything else gets 403 and reaches no conversation. Text messages, quick
replies and postbacks of every event in the request are handled (attachments are not:
the bot answers text); the PSID is stored only as `fb:` + HMAC (bot.server.channels.messenger).
Replies: the source line as its own line, fact answers with 👍 👎 quick replies
(bot.server.messenger_format).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

from fbmessenger import MessengerClient
from fbmessenger.sender_actions import SenderAction
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.server import log_privacy
from bot.server.channels.messenger import MessengerInput
from bot.server.messenger_format import facebook_messages

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://graph.facebook.com"
MAX_EVENTS = 20  # messaging events handled per request; Meta batches only a few
# Header → (prefix, hash); the SHA-256 header is preferred when both are present.
SIGNATURE_HEADERS = (
    ("X-Hub-Signature-256", "sha256=", hashlib.sha256),
    ("X-Hub-Signature", "sha1=", hashlib.sha1),
)


def messenger_client(page_access_token: str, app_secret: str | None, api_url: str) -> MessengerClient:
    client = MessengerClient(page_access_token, app_secret=app_secret)
    client.graph_url = f"{api_url.rstrip('/')}/v{client.api_version}"
    return client


def signature_is_valid(app_secret: str, body: bytes, headers: Any) -> bool:
    """Check Meta's webhook signature of `body` in constant time (SHA-256 header first, else SHA-1)."""
    for header, prefix, digest in SIGNATURE_HEADERS:
        given = headers.get(header)
        if given is None:
            continue
        expected = prefix + hmac.new(app_secret.encode("utf-8"), body, digest).hexdigest()
        return hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8"))
    return False


def text_events(payload: Any) -> Iterator[tuple[str, str]]:
    """(PSID, text) for each text message, quick reply or postback of a webhook payload; anything else skipped."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise ValueError("not a webhook event")
    count = 0
    for entry in payload["entry"]:
        messaging = entry.get("messaging") if isinstance(entry, dict) else None
        for event in messaging if isinstance(messaging, list) else []:
            if count >= MAX_EVENTS:
                return
            if not isinstance(event, dict) or not isinstance(event.get("sender"), dict):
                continue
            psid = event["sender"].get("id")
            if not isinstance(psid, (str, int)) or isinstance(psid, bool) or not str(psid).strip():
                continue
            text = None
            message, postback = event.get("message"), event.get("postback")
            if isinstance(message, dict) and not message.get("is_echo"):
                quick = message.get("quick_reply")
                if isinstance(quick, dict) and isinstance(quick.get("payload"), str) and quick["payload"]:
                    text = quick["payload"]
                elif isinstance(message.get("text"), str):
                    text = message["text"]
            elif isinstance(postback, dict) and isinstance(postback.get("payload"), str):
                text = postback["payload"]
            if text and text.strip():
                count += 1
                yield str(psid), text


class FacebookInput(MessengerInput, InputChannel):
    REQUIRED = ("verify", "secret", "page-access-token")

    @classmethod
    def name(cls) -> str:
        return "facebook"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> FacebookInput:
        settings = cls.settings(credentials)
        if settings is None:
            return cls("", "", "", enabled=False)
        return cls(
            settings["verify"],
            settings["secret"],
            settings["page-access-token"],
            api_url=settings.get("api_url") or DEFAULT_API_URL,
        )

    def __init__(
        self,
        fb_verify: str,
        fb_secret: str,
        fb_access_token: str,
        *,
        api_url: str = DEFAULT_API_URL,
        enabled: bool = True,
    ) -> None:
        self.fb_verify = fb_verify
        self.fb_secret = fb_secret
        self.fb_access_token = fb_access_token
        self.api_url = api_url
        self.enabled = enabled

    @staticmethod
    def validate_hub_signature(app_secret: str, request_payload: bytes, hub_signature_header: str) -> bool:
        """Rasa's hook, made constant-time and limited to sha1/sha256."""
        for header, prefix, _ in SIGNATURE_HEADERS:
            if hub_signature_header.startswith(prefix):
                return signature_is_valid(app_secret, request_payload, {header: hub_signature_header})
        return False

    def client(self) -> MessengerClient:
        return messenger_client(self.fb_access_token, self.fb_secret, self.api_url)

    def get_output_channel(self) -> Any:  # Rasa's API: no person to send to without a PSID
        return None

    def format(self, text: str | None, buttons: Sequence[dict[str, Any]], answer: Any) -> list[dict[str, Any]]:
        return facebook_messages(text, buttons, answer)

    async def send_formatted(self, recipient: str, message: dict[str, Any]) -> None:
        # fbmessenger is synchronous (requests): off the event loop
        await asyncio.to_thread(self.client().send, message, recipient, "RESPONSE")

    async def sender_action(self, recipient: str, action: str) -> None:
        try:
            await asyncio.to_thread(self.client().send_action, SenderAction(action).to_dict(), recipient)
        except Exception as error:
            logger.warning("Facebook sender action failed: %s", type(error).__name__)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        fb_webhook = self.health_blueprint("fb_webhook")
        if not self.enabled:
            return fb_webhook

        @fb_webhook.route("/webhook", methods=["GET"])
        async def token_verification(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(
                token.encode("utf-8"), self.fb_verify.encode("utf-8")
            ):
                return response.text(request.args.get("hub.challenge") or "")
            logger.warning("Facebook webhook verification with a wrong verify token rejected.")
            return response.text("failure, invalid token", status=403)

        @fb_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not signature_is_valid(self.fb_secret, request.body, request.headers):
                logger.warning("Facebook webhook request with a missing or wrong signature rejected.")
                return response.text("not validated", status=403)
            try:
                events = list(text_events(json.loads(request.body)))
            except (ValueError, TypeError, RecursionError):
                return response.text("bad request", status=400)
            agent = getattr(request.app.ctx, "agent", None)
            for psid, text in events:
                with log_privacy.handling(psid, text):
                    await self.sender_action(psid, "mark_seen")
                    await self.sender_action(psid, "typing_on")
                    try:
                        await self.deliver(agent, on_new_message, psid, [text])
                    finally:
                        await self.sender_action(psid, "typing_off")
            return response.text("success")

        return fb_webhook
