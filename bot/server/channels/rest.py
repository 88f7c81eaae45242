"""REST connector: Rasa's REST webhook behind a check of every request, on conversation keys of its own.

credentials.yml:

    bot.server.channels.rest.RestInput:
      max_message_length: 1000

The URL stays `POST /webhooks/rest/webhook` with `{"sender": "...", "message": "..."}`.
Stock Rasa answers some bad requests with 500 (a JSON body that is not an object)
or passes odd input deep into the stack (a missing sender becomes the shared
conversation "default"). Here, before Rasa sees the request:

- not JSON, not UTF-8, not an object, no or a bad `sender` (1 to 128 of the characters
  A-Z a-z 0-9 . _ ~ : @ + -), a `message` that is not a string, a `metadata` that is not an
  object, an `input_channel` that is not a string → 400 with a German `error` text
  (interface_texts.yml, `api_errors:`);
- the conversation is `rest:<sender>` (bot.server.conversation_keys): a REST client can reach
  no other channel's conversation, whatever it sends as sender;
- `metadata` and `input_channel` are checked and then DROPPED: nothing of them reaches Rasa,
  the tracker store or the action server (stock Rasa stores `metadata` in every user event and
  sends it to the action server on every later turn; `input_channel` is always "rest");
- too many messages from one sender or one client address → 429 with the German text
  `channels.rate_limited` (bot.server.rate_limit);
- control characters and lone surrogates are removed from the message;
- an empty message → the German reply `utter_empty_message`;
- a message longer than `max_message_length` (1000, the chat widget's limit too) →
  the German reply `utter_message_too_long`;
- the "Ja, alles löschen" payload (bot.server.channels.forget) deletes the sender's
  conversation and answers `utter_data_deleted` (or `utter_delete_failed`);
- during a database outage with a full buffer, a new conversation gets `utter_service_unavailable`.

The reply is Rasa's list of messages (`recipient_id` is the client's own sender), plus
`answer` (the answer's structure) on the first message of each composed answer
(docs/answer-structure.md). Nothing of the message is logged (bot.server.log_privacy).
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

from bot.server import log_privacy
from bot.server.channels.env import expand
from bot.server.channels.forget import confirm_deletion, is_delete_confirmation, service_available
from bot.server.conversation_keys import conversation_key
from bot.server.rate_limit import RateLimiter
from bot.server.responses import response_text
from bot.texts import texts

logger = logging.getLogger(__name__)

# a long personal story fits; the widget's limit too (web/src/widget.js, bot/server/channels/website.py)
DEFAULT_MAX_LENGTH = 1000
MAX_SENDER_LENGTH = 128
# C0 and C1 control characters except tab and newline, and lone UTF-16 surrogates
# (JSON may carry "\ud800", which no database or log can encode).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_SENDER = re.compile(rf"[A-Za-z0-9._~:@+\-]{{1,{MAX_SENDER_LENGTH}}}")


class BadRequest(ValueError):
    """A request the bot refuses with 400; the message is German and says what to fix."""


def clean_text(text: str) -> str:
    """The message without control characters and lone surrogates, stripped."""
    return _CONTROL.sub(" ", text).strip()


def _error(key: str, **values: Any) -> BadRequest:
    return BadRequest(texts().get(f"api_errors.{key}", **values))


def parse_body(body: bytes) -> dict[str, Any]:
    """The request's JSON object, or BadRequest."""
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise _error("not_utf8") from e
    except (ValueError, RecursionError) as e:
        raise _error("not_json") from e
    if not isinstance(data, dict):
        raise _error("not_object")
    return data


def check_sender(sender: Any) -> str:
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip():
        raise _error("sender_missing")
    if not _SENDER.fullmatch(sender):
        raise _error("sender_invalid", limit=MAX_SENDER_LENGTH)
    return sender


def check_message(data: dict[str, Any]) -> str:
    text = data.get("message")
    if text is None:
        return ""
    if not isinstance(text, str):
        raise _error("message_not_text")
    return clean_text(text)


def check_dropped_fields(data: dict[str, Any]) -> None:
    """`metadata` and `input_channel` are checked for their type (as before), then dropped."""
    if data.get("metadata") is not None and not isinstance(data["metadata"], dict):
        raise _error("metadata_not_object")
    if data.get("input_channel") is not None and not isinstance(data["input_channel"], str):
        raise _error("input_channel_not_text")


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

    def __init__(self, max_message_length: int = DEFAULT_MAX_LENGTH, limiter: RateLimiter | None = None) -> None:
        self.max_message_length = max_message_length
        self.limiter = limiter or RateLimiter()
        texts().require("channels.rate_limited", *(f"api_errors.{k}" for k in texts().section("api_errors")))

    @staticmethod
    def _reply(sender: str, text: str, status: int = 200) -> HTTPResponse:
        headers = {"Retry-After": "10"} if status == 429 else None
        return response.json([{"recipient_id": sender, "text": text}], status=status, headers=headers)

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
            check_dropped_fields(data)
        except BadRequest as e:
            return response.json({"error": str(e)}, status=400)
        key = conversation_key(self.name(), sender)
        address = self.limiter.client_address(request.ip, request.headers.get("X-Forwarded-For"))
        if not self.limiter.allow(key, address):
            return self._reply(sender, texts().get("channels.rate_limited"), status=429)
        with log_privacy.handling(sender, text):
            if not text:
                return self._reply(sender, response_text("utter_empty_message", domain))
            if len(text) > self.max_message_length:
                return self._reply(
                    sender, response_text("utter_message_too_long", domain, limit=self.max_message_length)
                )
            if is_delete_confirmation(text):
                return self._reply(sender, (await confirm_deletion(agent, key)).reply)
            if not service_available(agent, key):
                return self._reply(sender, response_text("utter_service_unavailable", domain))
        request.ctx.rueckenbot = {"sender": sender, "key": key, "message": text}
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
            data = request.ctx.rueckenbot
            collector = StructuredCollector()
            with log_privacy.handling(data["sender"], data["message"]):
                try:
                    await on_new_message(
                        UserMessage(data["message"], collector, data["key"], input_channel=self.name(), metadata=None)
                    )
                except Exception as error:  # noqa: BLE001 - the log names the error's type, never the message
                    logger.error("REST message could not be handled: %s", type(error).__name__)
            for message in collector.messages:  # the client's own id, not the conversation key
                message["recipient_id"] = data["sender"]
            return response.json(collector.messages)

        blueprint.middleware("request")(self.check_request)  # Sanic 21.12 blueprints register only as a decorator
        return blueprint


__all__ = ["BadRequest", "RestInput", "check_sender", "clean_text", "parse_body"]
