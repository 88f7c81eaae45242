"""Telegram connector: signed updates only, conversation keys, HTML replies with an inline keyboard.

credentials.yml (values from the environment, see bot.server.channels.env):

    bot.server.channels.telegram.TelegramInput:
      access_token: "${TELEGRAM_ACCESS_TOKEN}"     # from BotFather
      secret_token: "${TELEGRAM_SECRET_TOKEN}"     # the secret_token given to setWebhook
      api_url: "${TELEGRAM_API_URL:-https://api.telegram.org}"

Both unset → channel off. One without the other → the bot refuses to start, naming the
missing variable: without the secret token anyone could forge updates for any chat id.
Every update must carry the `X-Telegram-Bot-Api-Secret-Token` header, compared in
constant time (403 otherwise). The webhook is registered once by the operator (README),
not at start. Replies are HTML with an inline keyboard (bot.server.messenger_format): the
source line links to the page, fact answers get 👍 👎. "/start" greets; the delete command
(`channels.telegram.delete_command` in interface_texts.yml, "/loeschen") asks whether to
delete the person's data (intent `delete_my_data`); the rest is the shared messenger base
(bot.server.channels.messenger): the chat id is stored only as `tg:` + HMAC.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from aiogram.types import Update
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.constants import USER_INTENT_RESTART
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.server.channels.forget import DELETE_REQUEST_PAYLOAD
from bot.server.channels.messenger import MessengerInput
from bot.server.messenger_format import telegram_messages
from bot.texts import texts

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram sends "/start" when someone opens the bot; Rasa would read it as an unknown intent.
START_COMMAND = "/start"
GREET_PAYLOAD = "/greet"


def delete_command() -> str:
    """ "Meine Daten löschen" as a command (interface_texts.yml: channels.telegram.delete_command)."""
    return "/" + texts().get("channels.telegram.delete_command").lstrip("/")


def command_payload(text: str) -> str:
    """The intent payload for our Telegram commands ("/start", "/loeschen", also as "/loeschen@MeinBot")."""
    command = text.strip().split("@", 1)[0].lower()
    if command == START_COMMAND:
        return GREET_PAYLOAD
    if command == delete_command():
        return DELETE_REQUEST_PAYLOAD
    return text


class TelegramInput(MessengerInput, RasaTelegramInput):
    REQUIRED = ("access_token", "secret_token")

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        settings = cls.settings(credentials)
        if settings is None:
            return cls(None, None, None, enabled=False)
        return cls(
            settings["access_token"],
            verify=None,
            webhook_url=None,
            secret_token=settings["secret_token"],
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
        self._bot: Bot | None = None

    @property
    def bot(self) -> Bot:
        """One Bot API client per channel (its HTTP session is reused)."""
        if self._bot is None:
            self._bot = Bot(self.access_token, server=TelegramAPIServer.from_base(self.api_url))
        return self._bot

    def get_output_channel(self) -> Any:  # Rasa's API: no person to send to without a chat id
        return None

    def format(self, text: str | None, buttons: Sequence[dict[str, Any]], answer: Any) -> list[dict[str, Any]]:
        return telegram_messages(text, buttons, answer)

    async def send_formatted(self, recipient: str, message: dict[str, Any]) -> None:
        await self.bot.send_message(recipient, **message)

    def secret_matches(self, request: Request) -> bool:
        if not self.secret_token:  # cannot happen: from_credentials requires it
            return False
        given = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(given.encode("utf-8"), self.secret_token.encode("utf-8"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = self.health_blueprint("telegram_webhook")
        if not self.enabled:
            return telegram_webhook

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not self.secret_matches(request):
                logger.warning("Telegram update with a wrong or missing %s rejected.", SECRET_HEADER)
                return response.text("forbidden", status=403)
            try:
                body = request.json
                if not isinstance(body, dict):
                    raise ValueError("not an object")
                update = Update(**body)
                if self._is_button(update):
                    msg = update.callback_query.message
                    text = update.callback_query.data
                    await self._answer_callback(update.callback_query.id)
                elif self._is_edited_message(update):
                    msg = update.edited_message
                    text = msg.text
                elif update.message is not None and self._is_user_message(update.message):
                    msg = update.message
                    text = msg.text.replace("/bot", "")
                else:
                    return response.text("success")  # stickers, photos, channel posts …: nothing to answer
                if msg is None or not isinstance(text, str) or msg.chat is None or msg.chat.id is None:
                    return response.text("success")
                chat_id = str(int(msg.chat.id))
            except Exception:  # anything unparsable is the sender's fault
                return response.text("bad request", status=400)
            text = command_payload(text)
            texts_ = [text, GREET_PAYLOAD] if text == INTENT_MESSAGE_PREFIX + USER_INTENT_RESTART else [text]
            await self.deliver(getattr(request.app.ctx, "agent", None), on_new_message, chat_id, texts_)
            return response.text("success")

        return telegram_webhook

    async def _answer_callback(self, callback_query_id: str) -> None:
        """Stop the button's spinner in the app."""
        try:
            await self.bot.answer_callback_query(callback_query_id)
        except TelegramAPIError as error:
            logger.warning("answerCallbackQuery failed: %s", type(error).__name__)
