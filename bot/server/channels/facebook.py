"""Facebook Messenger connector: Rasa's FacebookInput with constant-time signature checks, a configurable
Graph API URL and our formatting (quick replies, text split below 2,000 characters).

credentials.yml (values from the environment, see bot.server.channels.env):

    bot.server.channels.facebook.FacebookInput:
      verify: "${FACEBOOK_VERIFY_TOKEN}"                  # chosen by you, entered in the Meta app's webhook form
      secret: "${FACEBOOK_APP_SECRET}"                    # the Meta app's secret: signs every webhook request
      page-access-token: "${FACEBOOK_PAGE_ACCESS_TOKEN}"  # sends the replies
      api_url: "${FACEBOOK_API_URL:-https://graph.facebook.com}"

All three secrets unset → channel off; some set → the bot refuses to start.
POSTs must carry a valid `X-Hub-Signature-256` (or the older `X-Hub-Signature`);
anything else gets 403 and reaches no conversation.

The "Ja, alles löschen" quick reply (after "Meine Daten löschen") deletes the
person's conversation without reaching Rasa's processor (bot.server.channels.forget).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fbmessenger import MessengerClient
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.facebook import FacebookInput as RasaFacebookInput
from rasa.core.channels.facebook import Messenger as RasaMessenger
from rasa.core.channels.facebook import MessengerBot as RasaMessengerBot
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.server.channels.env import channel_settings
from bot.server.channels.forget import confirm_deletion, is_delete_confirmation
from bot.server.messenger_format import facebook_messages

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://graph.facebook.com"
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


class MessengerBot(RasaMessengerBot):
    """Sends replies as `facebook_messages` formats them."""

    def _send_formatted(self, recipient_id: str, text: str, buttons: list[dict[str, Any]]) -> None:
        for message in facebook_messages(text, buttons):
            self.messenger_client.send(message, recipient_id, "RESPONSE")

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self._send_formatted(recipient_id, text, [])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        self._send_formatted(recipient_id, text, buttons)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        self._send_formatted(recipient_id, text, quick_replies)


class Messenger(RasaMessenger):
    """Rasa's webhook event handling, answering through our MessengerBot; the delete confirmation is ours."""

    def __init__(
        self,
        client: MessengerClient,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        agent: Any = None,
    ) -> None:
        self.on_new_message = on_new_message
        self.client = client
        self.agent = agent
        self.last_message: dict[str, Any] = {}

    async def _handle_user_message(self, text: str, sender_id: str, metadata: dict[str, Any] | None) -> None:
        out_channel = MessengerBot(self.client)
        await out_channel.send_action(sender_id, sender_action="mark_seen")
        if is_delete_confirmation(text):
            deletion = await confirm_deletion(self.agent, sender_id)
            try:
                await out_channel.send_text_message(sender_id, deletion.reply)
            except Exception:
                logger.exception("Could not tell a Facebook user the result of deleting their data.")
            return
        user_msg = UserMessage(text, out_channel, sender_id, input_channel=self.name(), metadata=metadata)
        await out_channel.send_action(sender_id, sender_action="typing_on")
        try:
            await self.on_new_message(user_msg)
        except Exception:
            logger.exception("Exception when handling a Facebook message.")
        finally:
            await out_channel.send_action(sender_id, sender_action="typing_off")


class FacebookInput(RasaFacebookInput):
    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> FacebookInput:
        settings = channel_settings(cls.name(), credentials, ("verify", "secret", "page-access-token"))
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
        super().__init__(fb_verify, fb_secret, fb_access_token)
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

    def get_output_channel(self) -> MessengerBot:
        return MessengerBot(self.client())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        fb_webhook = Blueprint("fb_webhook", __name__)

        @fb_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "off"})

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
                payload = json.loads(request.body)
                payload["entry"]  # noqa: B018 - must be a webhook event
            except (ValueError, KeyError, TypeError):
                return response.text("bad request", status=400)
            messenger = Messenger(self.client(), on_new_message, getattr(request.app.ctx, "agent", None))
            await messenger.handle(payload, self.get_metadata(request))
            return response.text("success")

        return fb_webhook
