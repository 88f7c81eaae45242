"""What the three messenger connectors (Telegram, Facebook, WhatsApp via Twilio) share, written once.

- **Settings and the on/off gate** (`MessengerInput.settings`): the channel's values from
  credentials.yml and the environment (bot.server.channels.env); none of the required ones
  set → the channel is off (its health route says so, no webhook route exists); some set →
  the start stops naming what is missing. An enabled channel also needs
  `RUECKENBOT_ID_SECRET` (bot.server.conversation_keys), or the start stops naming it.
- **The health route** `GET /webhooks/<channel>/` → `{"status": "ok" | "off"}`.
- **One message in** (`MessengerInput.deliver`): the provider's raw id (chat id, PSID, phone
  number) becomes the conversation key (`tg:`/`fb:`/`wa:` + HMAC) before anything is stored or
  locked; while the message is handled its text and raw id are kept out of every log line
  (bot.server.log_privacy); the "Ja, alles löschen" payload deletes the conversation without
  reaching Rasa's processor (bot.server.channels.forget); during a database outage with a full
  buffer a new conversation gets `utter_service_unavailable`; everything else goes to Rasa.
- **Formatted output** (`MessengerOutput`): Rasa hands every bot message to the output channel
  with the conversation key as recipient; the output channel was made for one message's
  sender and sends to that raw id, never to the key. Text, buttons and `answer` go through
  the connector's formatter (bot.server.messenger_format); nothing else (custom JSON, images)
  is sent.

Each connector holds only what differs: the signature check, reading the provider's update,
formatting and sending.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.server import log_privacy
from bot.server.channels.env import channel_settings
from bot.server.channels.forget import confirm_deletion, is_delete_confirmation, service_available
from bot.server.conversation_keys import MissingSecret, conversation_key, id_secret
from bot.server.responses import response_text

logger = logging.getLogger(__name__)

# formatter(text, buttons, answer) → provider messages; sender(raw recipient, one provider message)
Formatter = Callable[[str | None, Sequence[dict[str, Any]], Any], list[Any]]
Sender = Callable[[str, Any], Awaitable[None]]


class MessengerOutput(OutputChannel):
    """Sends one conversation's replies to the provider's raw id, formatted for the channel."""

    def __init__(self, channel: str, recipient: str, formatter: Formatter, sender: Sender) -> None:
        self.channel = channel
        self.recipient = recipient
        self.formatter = formatter
        self.sender = sender

    def name(self) -> str:  # type: ignore[override]
        return self.channel

    async def send_reply(self, text: str | None, buttons: Sequence[dict[str, Any]] = (), answer: Any = None) -> None:
        for message in self.formatter(text, buttons, answer):
            await self.sender(self.recipient, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_reply(text, [], kwargs.get("answer"))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_reply(text, buttons, kwargs.get("answer"))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_reply(text, quick_replies, kwargs.get("answer"))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        logger.debug("A custom message is not sent on %s.", self.channel)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        logger.debug("An image is not sent on %s.", self.channel)

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        logger.debug("An attachment is not sent on %s.", self.channel)

    async def send_elements(self, recipient_id: str, elements: Any, **kwargs: Any) -> None:
        logger.debug("Elements are not sent on %s.", self.channel)


class MessengerInput:
    """Mixin for the three connectors (listed before Rasa's connector class in the bases)."""

    REQUIRED: tuple[str, ...] = ()
    enabled: bool = False

    @classmethod
    def settings(cls, credentials: dict[str, Any] | None) -> dict[str, str] | None:
        settings = channel_settings(cls.name(), credentials, cls.REQUIRED)  # type: ignore[attr-defined]
        if settings is not None:
            try:
                id_secret()
            except MissingSecret as error:
                raise RasaException(f"Channel '{cls.name()}' is on, but {error}") from None  # type: ignore[attr-defined]
        return settings

    def health_blueprint(self, name: str) -> Blueprint:
        blueprint = Blueprint(name, __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "off"})

        return blueprint

    # --- per connector ------------------------------------------------------------
    def format(self, text: str | None, buttons: Sequence[dict[str, Any]], answer: Any) -> list[Any]:
        raise NotImplementedError

    async def send_formatted(self, recipient: str, message: Any) -> None:
        raise NotImplementedError

    # --- shared -------------------------------------------------------------------
    def output_for(self, recipient: str) -> MessengerOutput:
        return MessengerOutput(self.name(), recipient, self.format, self.send_formatted)  # type: ignore[attr-defined]

    def key_for(self, raw_id: str) -> str:
        return conversation_key(self.name(), raw_id)  # type: ignore[attr-defined]

    async def deliver(
        self,
        agent: Any,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        raw_id: str,
        texts: Sequence[str],
    ) -> None:
        """Handle one provider update's text(s) for the person `raw_id` (see the module docstring)."""
        key = self.key_for(raw_id)
        output = self.output_for(raw_id)
        with log_privacy.handling(raw_id, *texts):
            for text in texts:
                if is_delete_confirmation(text):
                    deletion = await confirm_deletion(agent, key)
                    await self._tell(output, deletion.reply)
                    return
                if not service_available(agent, key):
                    await self._tell(output, response_text("utter_service_unavailable", getattr(agent, "domain", None)))
                    return
                try:
                    await on_new_message(UserMessage(text, output, key, input_channel=self.name(), metadata=None))  # type: ignore[attr-defined]
                except Exception as error:  # the provider must get its 200 anyway, or it retries
                    logger.error("A %s message could not be handled: %s", self.name(), type(error).__name__)  # type: ignore[attr-defined]

    async def _tell(self, output: MessengerOutput, text: str) -> None:
        try:
            await output.send_reply(text)
        except Exception as error:
            logger.error("Could not send a %s reply: %s", self.name(), type(error).__name__)  # type: ignore[attr-defined]
