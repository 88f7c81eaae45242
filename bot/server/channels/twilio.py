"""WhatsApp via Twilio: signed webhooks only, conversation keys, numbered options, a configurable API URL.

credentials.yml (values from the environment, see bot.server.channels.env):

    bot.server.channels.twilio.TwilioInput:
      account_sid: "${TWILIO_ACCOUNT_SID}"
      auth_token: "${TWILIO_AUTH_TOKEN}"             # also signs every webhook request
      twilio_number: "${TWILIO_WHATSAPP_NUMBER}"     # e.g. whatsapp:+14155238886 (the sandbox number)
      webhook_url: "${TWILIO_WEBHOOK_URL:-}"         # the public URL registered at Twilio (behind a proxy)
      api_url: "${TWILIO_API_URL:-https://api.twilio.com}"

Every request must carry a valid `X-Twilio-Signature` (403 otherwise). WhatsApp has no
buttons here: the options are numbered after the answer, the source is a line of its own
(bot.server.messenger_format.whatsapp_messages). A reply that is a bare number is mapped back
to that option's payload, looked up in the conversation's tracker (the options of the bot's
last message), before the NLU sees it. The phone number is stored only as `wa:` + HMAC; the
rest is the shared messenger base (bot.server.channels.messenger).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.server import log_privacy
from bot.server.channels.messenger import MessengerInput
from bot.server.messenger_format import bare_number, last_offered_options, resolve_numbered_reply, whatsapp_messages

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.twilio.com"
SIGNATURE_HEADER = "X-Twilio-Signature"
MAX_BODY = 4096  # characters of a WhatsApp message we read (WhatsApp allows 4,096)


class TwilioClient(Client):
    """Twilio's REST client, sending to the configured API URL."""

    def __init__(self, account_sid: str, auth_token: str, api_url: str = DEFAULT_API_URL) -> None:
        super().__init__(account_sid, auth_token)
        self.api_url = api_url.rstrip("/")

    def get_hostname(self, uri: str) -> str:
        uri = super().get_hostname(uri)
        if self.api_url != DEFAULT_API_URL and uri.startswith(DEFAULT_API_URL):
            return self.api_url + uri[len(DEFAULT_API_URL) :]
        return uri


class TwilioInput(MessengerInput, InputChannel):
    REQUIRED = ("account_sid", "auth_token", "twilio_number")

    @classmethod
    def name(cls) -> str:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TwilioInput:
        settings = cls.settings(credentials)
        if settings is None:
            return cls(None, None, None, enabled=False)
        return cls(
            settings["account_sid"],
            settings["auth_token"],
            settings["twilio_number"],
            webhook_url=settings.get("webhook_url") or None,
            api_url=settings.get("api_url") or DEFAULT_API_URL,
        )

    def __init__(
        self,
        account_sid: str | None,
        auth_token: str | None,
        twilio_number: str | None,
        *,
        webhook_url: str | None = None,
        api_url: str = DEFAULT_API_URL,
        enabled: bool = True,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.twilio_number = twilio_number
        self.webhook_url = webhook_url
        self.api_url = api_url
        self.enabled = enabled
        self._client: TwilioClient | None = None

    def client(self) -> TwilioClient:
        if self._client is None:
            self._client = TwilioClient(self.account_sid or "", self.auth_token or "", self.api_url)
        return self._client

    def get_output_channel(self) -> Any:  # Rasa's API: no person to send to without the number
        return None

    def format(self, text: str | None, buttons: Sequence[dict[str, Any]], answer: Any) -> list[str]:
        return whatsapp_messages(text, buttons, answer)

    async def send_formatted(self, recipient: str, body: str) -> None:
        # twilio's client is synchronous (requests): off the event loop
        await asyncio.to_thread(self.client().messages.create, to=recipient, from_=self.twilio_number, body=body)

    def signature_is_valid(self, request: Request) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature or not self.auth_token:
            return False
        url = self.webhook_url or request.url
        try:
            return RequestValidator(self.auth_token).validate(url, request.form, signature)
        except Exception:
            return False

    async def resolve_number(self, agent: Any, number: str, text: str) -> str:
        """A bare number ("2") becomes the payload of the option it picks; anything else is returned unchanged."""
        if bare_number(text) is None or agent is None:
            return text
        tracker = await agent.tracker_store.retrieve(self.key_for(number))
        if tracker is None:
            return text
        options = last_offered_options(event.as_dict() for event in tracker.events)
        return resolve_numbered_reply(text, options) or text

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        twilio_webhook = self.health_blueprint("twilio_webhook")
        if not self.enabled:
            return twilio_webhook

        @twilio_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not self.signature_is_valid(request):
                logger.warning("Twilio webhook request with a missing or wrong %s rejected.", SIGNATURE_HEADER)
                return response.text("forbidden", status=403)
            number = request.form.get("From")
            text = request.form.get("Body")
            if not isinstance(number, str) or not number.strip() or not isinstance(text, str) or not text.strip():
                return response.text("", status=204)  # media, locations, status callbacks: nothing to answer
            agent = getattr(request.app.ctx, "agent", None)
            text = text[:MAX_BODY]
            with log_privacy.handling(number, text):
                text = await self.resolve_number(agent, number, text)
            await self.deliver(agent, on_new_message, number, [text])
            return response.text("", status=204)

        return twilio_webhook
