"""Telegram connector: Rasa's TelegramInput with a secret-token check, a configurable API server and our formatting.

credentials.yml (values from the environment, see bot.server.channels.env):

    bot.server.channels.telegram.TelegramInput:
      access_token: "${TELEGRAM_ACCESS_TOKEN}"     # from BotFather; unset → channel off
      secret_token: "${TELEGRAM_SECRET_TOKEN}"     # the secret_token given to setWebhook; checked when set
      api_url: "${TELEGRAM_API_URL:-https://api.telegram.org}"

Differences from Rasa 3.6's connector: the `X-Telegram-Bot-Api-Secret-Token` header
is compared in constant time (403 otherwise) instead of calling getMe on every
update; the webhook is registered once by the operator (README), not at start;
replies are HTML with an inline keyboard (bot.server.messenger_format); "/start" greets;
"/loeschen" asks whether to delete the person's data (the intent `delete_my_data`),
and the "Ja, alles löschen" button deletes it without reaching Rasa's processor
(bot.server.channels.forget).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from aiogram.types import Update
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.constants import USER_INTENT_RESTART
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.server.channels.env import channel_settings
from bot.server.channels.forget import DELETE_REQUEST_PAYLOAD, confirm_deletion, is_delete_confirmation
from bot.server.messenger_format import telegram_messages

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram sends "/start" when someone opens the bot; Rasa would read it as an unknown intent.
START_COMMAND = "/start"
GREET_PAYLOAD = "/greet"
# "Meine Daten löschen" as a command (Telegram commands allow only a-z, 0-9 and _).
DELETE_COMMAND = "/loeschen"


def command_payload(text: str) -> str:
    """The intent payload for our Telegram commands ("/start", "/loeschen", also as "/loeschen@MeinBot")."""
    command = text.strip().split("@", 1)[0].lower()
    if command == START_COMMAND:
        return GREET_PAYLOAD
    if command == DELETE_COMMAND:
        return DELETE_REQUEST_PAYLOAD
    return text


class TelegramOutput(RasaTelegramOutput):
    """Sends to the configured Bot API server, formatted by bot.server.messenger_format."""

    def __init__(self, access_token: str, api_url: str = DEFAULT_API_URL) -> None:
        Bot.__init__(self, access_token, server=TelegramAPIServer.from_base(api_url))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_formatted(recipient_id, text, [])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], button_type: str | None = None, **kwargs: Any
    ) -> None:
        await self._send_formatted(recipient_id, text, buttons)

    async def _send_formatted(self, recipient_id: str, text: str, buttons: list[dict[str, Any]]) -> None:
        for message in telegram_messages(text, buttons):
            await self.send_message(recipient_id, **message)


class TelegramInput(RasaTelegramInput):
    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        settings = channel_settings(cls.name(), credentials, ("access_token",))
        if settings is None:
            return cls(None, None, None, enabled=False)
        return cls(
            settings["access_token"],
            verify=None,
            webhook_url=None,
            secret_token=settings.get("secret_token") or None,
            api_url=settings.get("api_url") or DEFAULT_API_URL,
        )

    def __init__(
        self,
        access_token: str | None,
        verify: str | None,
        webhook_url: str | None,
        debug_mode: bool = False,
        *,
        secret_token: str | None = None,
        api_url: str = DEFAULT_API_URL,
        enabled: bool = True,
    ) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode)
        self.secret_token = secret_token
        self.api_url = api_url
        self.enabled = enabled

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.access_token, self.api_url)

    def secret_matches(self, request: Request) -> bool:
        if not self.secret_token:
            return True
        given = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(given.encode("utf-8"), self.secret_token.encode("utf-8"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = Blueprint("telegram_webhook", __name__)

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "off"})

        if not self.enabled:
            return telegram_webhook
        out_channel = self.get_output_channel()

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not self.secret_matches(request):
                logger.warning("Telegram update with a wrong or missing %s rejected.", SECRET_HEADER)
                return response.text("forbidden", status=403)
            try:
                body = request.json
                update = Update(**(json.loads(body) if isinstance(body, str) else body))
            except Exception:  # anything unparsable is the sender's fault
                return response.text("bad request", status=400)

            if self._is_button(update):
                msg = update.callback_query.message
                text = update.callback_query.data
                await self._answer_callback(out_channel, update.callback_query.id)
            elif self._is_edited_message(update):
                msg = update.edited_message
                text = msg.text
            elif update.message is not None and self._is_user_message(update.message):
                msg = update.message
                text = msg.text.replace("/bot", "")
            else:
                return response.text("success")  # stickers, photos, channel posts …: nothing to answer
            if msg is None or text is None:
                return response.text("success")
            text = command_payload(text)

            sender_id = str(msg.chat.id)
            if is_delete_confirmation(text):
                deletion = await confirm_deletion(getattr(request.app.ctx, "agent", None), sender_id)
                try:
                    await out_channel.send_text_message(sender_id, deletion.reply)
                except Exception:
                    logger.exception("Could not tell a Telegram user the result of deleting their data.")
                return response.text("success")
            metadata = self.get_metadata(request)
            texts = [text, GREET_PAYLOAD] if text == INTENT_MESSAGE_PREFIX + USER_INTENT_RESTART else [text]
            try:
                for each in texts:
                    await on_new_message(
                        UserMessage(each, out_channel, sender_id, input_channel=self.name(), metadata=metadata)
                    )
            except Exception:
                logger.exception("Exception when handling a Telegram update.")
                if self.debug_mode:
                    raise
            return response.text("success")

        return telegram_webhook

    @staticmethod
    async def _answer_callback(out_channel: TelegramOutput, callback_query_id: str) -> None:
        """Stop the button's spinner in the app."""
        try:
            await out_channel.answer_callback_query(callback_query_id)
        except TelegramAPIError as error:
            logger.warning("answerCallbackQuery failed: %s", error)
