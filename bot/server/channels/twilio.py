"""WhatsApp via Twilio: Rasa's TwilioInput with signature checks, numbered options and a configurable API URL.

credentials.yml (values from the environment, see bot.server.channels.env):

    bot.server.channels.twilio.TwilioInput:
      account_sid: "${TWILIO_ACCOUNT_SID}"
      auth_token: "${TWILIO_AUTH_TOKEN}"             # also signs every webhook request
      twilio_number: "${TWILIO_WHATSAPP_NUMBER}"     # e.g. whatsapp:+14155238886 (the sandbox number)
      webhook_url: "${TWILIO_WEBHOOK_URL:-}"         # the public URL registered at Twilio (behind a proxy)
      api_url: "${TWILIO_API_URL:-https://api.twilio.com}"

WhatsApp has no buttons here: the options are numbered after the answer
(bot.server.messenger_format.whatsapp_messages). A reply that is a bare number is mapped
back to that option's payload, looked up in the conversation's tracker (the
buttons of the bot's last reply), before the NLU sees it. When that payload is
"Ja, alles löschen" (after "Meine Daten löschen"), the person's conversation is
deleted without reaching Rasa's processor (bot.server.channels.forget).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.twilio import TwilioInput as RasaTwilioInput
from rasa.core.channels.twilio import TwilioOutput as RasaTwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.server.channels.env import channel_settings
from bot.server.channels.forget import confirm_deletion, is_delete_confirmation
from bot.server.messenger_format import bare_number, last_offered_buttons, resolve_numbered_reply, whatsapp_messages

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.twilio.com"
SIGNATURE_HEADER = "X-Twilio-Signature"


class TwilioOutput(RasaTwilioOutput):
    """Sends to the configured API URL; buttons become numbered options."""

    def __init__(self, account_sid: str, auth_token: str, twilio_number: str, api_url: str = DEFAULT_API_URL) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        self.api_url = api_url.rstrip("/")

    def get_hostname(self, uri: str) -> str:
        uri = super().get_hostname(uri)
        if self.api_url != DEFAULT_API_URL and uri.startswith(DEFAULT_API_URL):
            return self.api_url + uri[len(DEFAULT_API_URL) :]
        return uri

    async def _send_formatted(self, recipient_id: str, text: str, buttons: list[dict[str, Any]]) -> None:
        for body in whatsapp_messages(text, buttons):
            await self._send_message({"to": recipient_id, "from_": self.twilio_number, "body": body})

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_formatted(recipient_id, text, [])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send_formatted(recipient_id, text, buttons)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send_formatted(recipient_id, text, quick_replies)


class TwilioInput(RasaTwilioInput):
    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TwilioInput:
        settings = channel_settings(cls.name(), credentials, ("account_sid", "auth_token", "twilio_number"))
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
        debug_mode: bool = False,
        *,
        webhook_url: str | None = None,
        api_url: str = DEFAULT_API_URL,
        enabled: bool = True,
    ) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode)
        self.webhook_url = webhook_url
        self.api_url = api_url
        self.enabled = enabled

    def get_output_channel(self) -> TwilioOutput:
        return TwilioOutput(self.account_sid, self.auth_token, self.twilio_number, self.api_url)

    def signature_is_valid(self, request: Request) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature or not self.auth_token:
            return False
        url = self.webhook_url or request.url
        return RequestValidator(self.auth_token).validate(url, request.form, signature)

    @staticmethod
    async def resolve_number(request: Request, sender: str, text: str) -> str:
        """A bare number ("2") becomes the payload of the option it picks; anything else is returned unchanged."""
        if bare_number(text) is None:
            return text
        agent = getattr(request.app.ctx, "agent", None)
        tracker = await agent.tracker_store.retrieve(sender) if agent is not None else None
        if tracker is None:
            return text
        buttons = last_offered_buttons(event.as_dict() for event in tracker.events)
        return resolve_numbered_reply(text, buttons) or text

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        twilio_webhook = Blueprint("twilio_webhook", __name__)

        @twilio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "off"})

        if not self.enabled:
            return twilio_webhook

        @twilio_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not self.signature_is_valid(request):
                logger.warning("Twilio webhook request with a missing or wrong %s rejected.", SIGNATURE_HEADER)
                return response.text("forbidden", status=403)
            sender = request.form.get("From")
            text = request.form.get("Body")
            if self._is_location_message(request):
                text = "/locationData{{'Latitude': {lat},'Longitude': {long}}}".format(
                    lat=request.form.get("Latitude"), long=request.form.get("Longitude")
                )
            if not sender or text is None:
                logger.debug("Twilio request without sender or text ignored.")
                return response.text("", status=204)
            text = await self.resolve_number(request, sender, text.replace("¡", "@"))
            if is_delete_confirmation(text):
                deletion = await confirm_deletion(getattr(request.app.ctx, "agent", None), sender)
                try:
                    await self.get_output_channel().send_text_message(sender, deletion.reply)
                except Exception:
                    logger.exception("Could not tell a Twilio user the result of deleting their data.")
                return response.text("", status=204)
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        self.get_output_channel(),
                        sender,
                        input_channel=self.name(),
                        metadata=self.get_metadata(request),
                    )
                )
            except Exception:
                logger.exception("Exception when handling a Twilio message.")
                if self.debug_mode:
                    raise
            return response.text("", status=204)

        return twilio_webhook
