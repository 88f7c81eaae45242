"""REST connector: Rasa's `RestInput` with its handling unchanged, behind a check of every request.

credentials.yml:

    bot.server.channels.rest.RestInput:
      max_message_length: 500

The URL stays `POST /webhooks/rest/webhook` with `{"sender": "...", "message": "..."}`.
Stock Rasa answers some bad requests with 500 (a JSON body that is not an object)
or passes odd input deep into the stack (a missing sender becomes the shared
conversation "default"). Here, before Rasa sees the request:

- not JSON, not UTF-8, not an object, no or a bad `sender` (a string of at most
  128 printable characters), a `message` that is not a string → 400 with a German
  `error` text;
- control characters and lone surrogates are removed from the message;
- an empty message → the German reply `utter_empty_message`;
- a message longer than `max_message_length` (500, the chat widget's limit too) →
  the German reply `utter_message_too_long`;
- the "Ja, alles löschen" payload (bot.server.channels.forget) deletes the sender's
  conversation and answers `utter_data_deleted` (or `utter_delete_failed`).

Importing this module applies bot.server.rasa_patches (the Rasa server loads it via credentials.yml).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from rasa.core.channels import rest
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.server import rasa_patches
from bot.server.channels.env import expand
from bot.server.channels.forget import confirm_deletion, is_delete_confirmation

rasa_patches.apply()

logger = logging.getLogger(__name__)

DEFAULT_MAX_LENGTH = 500  # the widget's limit too (web/src/widget.js, bot/server/channels/website.py)
MAX_SENDER_LENGTH = 128
# C0 and C1 control characters except tab and newline, and lone UTF-16 surrogates
# (JSON may carry "\ud800", which no database or log can encode).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_SENDER = re.compile(r"^[^\x00-\x1f\x7f-\x9f\ud800-\udfff]+$")


class BadRequest(ValueError):
    """A request the bot refuses with 400; the message is German and says what to fix."""


def clean_text(text: str) -> str:
    """The message without control characters and lone surrogates, stripped."""
    return _CONTROL.sub(" ", text).strip()


def parse_body(body: bytes) -> dict[str, Any]:
    """The request's JSON object, or BadRequest."""
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise BadRequest("Die Anfrage ist nicht in UTF-8 kodiert.") from e
    except ValueError as e:
        raise BadRequest("Die Anfrage ist kein gültiges JSON.") from e
    if not isinstance(data, dict):
        raise BadRequest('Die Anfrage muss ein JSON-Objekt sein: {"sender": "...", "message": "..."}.')
    return data


def check_sender(sender: Any) -> str:
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequest('Es fehlt "sender": eine Kennung der Unterhaltung, z. B. eine zufällige UUID.')
    if len(sender) > MAX_SENDER_LENGTH or not _SENDER.match(sender):
        raise BadRequest(f'"sender" darf höchstens {MAX_SENDER_LENGTH} druckbare Zeichen lang sein.')
    return sender


def check_message(data: dict[str, Any]) -> str:
    text = data.get("message")
    if text is None:
        return ""
    if not isinstance(text, str):
        raise BadRequest('"message" muss ein Text sein.')
    return clean_text(text)


class StructuredCollector(CollectingOutputChannel):
    """Rasa's collector, plus the answer's structure (`answer`: source, claims, cells) that the
    action server sends with each composed answer, on the first message it produced."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        before = len(self.messages)
        await super().send_response(recipient_id, message)
        answer = message.get("answer")
        if isinstance(answer, dict) and len(self.messages) > before:
            self.messages[before]["answer"] = answer


class RestInput(rest.RestInput):
    """`RestInput` with the request checks above; `name()` stays "rest" (URL unchanged)."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(max_message_length=int(expand(credentials.get("max_message_length")) or DEFAULT_MAX_LENGTH))

    def __init__(self, max_message_length: int = DEFAULT_MAX_LENGTH) -> None:
        self.max_message_length = max_message_length

    def _reply(self, request: Request, sender: str, text: str) -> HTTPResponse:
        return response.json([{"recipient_id": sender, "text": text}])

    async def check_request(self, request: Request) -> HTTPResponse | None:
        """None when Rasa may handle the request (its JSON cleaned), else the answer to send."""
        if request.method != "POST" or not request.path.endswith("/webhook"):
            return None
        agent = getattr(request.app.ctx, "agent", None)
        domain = getattr(agent, "domain", None)
        try:
            data = parse_body(request.body)
            sender = check_sender(data.get("sender"))
            text = check_message(data)
            metadata = data.get("metadata")
            channel = data.get("input_channel")
            if metadata is not None and not isinstance(metadata, dict):
                raise BadRequest('"metadata" muss ein JSON-Objekt sein.')
            if channel is not None and not isinstance(channel, str):
                raise BadRequest('"input_channel" muss ein Text sein.')
        except BadRequest as e:
            return response.json({"error": str(e)}, status=400)
        if not text:
            return self._reply(
                request, sender, rasa_patches.response_text(response="utter_empty_message", domain=domain)
            )
        if len(text) > self.max_message_length:
            too_long = rasa_patches.response_text(
                response="utter_message_too_long", domain=domain, limit=self.max_message_length
            )
            return self._reply(request, sender, too_long)
        if is_delete_confirmation(text):
            return self._reply(request, sender, (await confirm_deletion(agent, sender)).reply)
        request.parsed_json = {**data, "sender": sender, "message": text}
        return None

    def blueprint(self, on_new_message: Any) -> Blueprint:
        """Rasa's two routes (health, webhook) with the request checks above; no streaming.

        Rasa's own webhook logs the message text when handling fails; this one logs nothing
        of the message (health data), only that it failed."""
        blueprint = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            data = request.parsed_json
            collector = StructuredCollector()
            try:
                await on_new_message(
                    UserMessage(
                        data["message"],
                        collector,
                        data["sender"],
                        input_channel=self.name(),
                        metadata=None,
                    )
                )
            except Exception as error:  # noqa: BLE001 - the log names the error's type, never the message
                logger.error("REST message could not be handled: %s", type(error).__name__)
            return response.json(collector.messages)

        blueprint.middleware("request")(self.check_request)  # Sanic 21.12 blueprints register only as a decorator
        return blueprint


__all__ = ["BadRequest", "RestInput", "check_sender", "clean_text", "parse_body"]
