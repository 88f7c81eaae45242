"""Website connector: Rasa's socket.io channel plus the chat widget, an origin allow-list and data deletion.

credentials.yml:

    bot.server.channels.website.WebsiteInput:
      cors_allowed_origins: "${RUECKENBOT_ALLOWED_ORIGINS:-http://localhost:5005,http://127.0.0.1:5005}"

Differences from Rasa 3.6's SocketIOInput:

- Origins: Rasa passes `cors_allowed_origins=[]` to python-socketio, which turns the
  Origin check off. Here a browser may connect only from a listed origin (comma- or
  space-separated, or a YAML list) or from the bot's own origin (the demo page).
- Sessions: the widget makes a random UUID per browser session; ids that are not
  UUIDs are refused, so nobody can pick a guessable id. Messages are always
  session-persistent; the conversation is stored as `web:<uuid>` (bot.server.conversation_keys),
  a key no other channel can produce.
- Bot messages reach the widget as one `bot_uttered` event each, carrying Rasa's message
  dict as docs/answer-structure.md describes it: the whole `text`, `buttons` ({title,
  payload}), and `answer` for composed answers (Rasa's SocketIOOutput split the text at blank
  lines and dropped `answer`). `quick_replies` repeats the buttons for widgets that read those.
- Too many messages from one session or one client address: the German text
  `channels.rate_limited` (bot.server.rate_limit), and the message does not reach the bot.
- Input: control characters are removed (bot.server.channels.rest.clean_text); an empty
  message gets the German reply `utter_empty_message`, one longer than
  `max_message_length` (1000, as in the widget and the REST channel) `utter_message_too_long`;
  a message without a valid session id gets `session_rejected`.
- "Meine Daten löschen": the socket event `delete_session` (the widget's button)
  deletes the sender's conversation from the tracker store (bot.server.channels.forget) and
  answers `session_deleted`. The same happens when the chat's own "Ja, alles löschen"
  button (after "Meine Daten löschen" in the chat) sends its payload: the reply
  `utter_data_deleted` comes first, then `session_deleted`, so the widget clears its
  transcript and starts a new session as after its button.
- The demo page at `/` and the widget's files under `/widget/` (web/, built by `make web`).
  Every response of the server carries `X-Content-Type-Options: nosniff` and
  `Referrer-Policy: no-referrer`; the demo page also its Content-Security-Policy and
  `X-Frame-Options: DENY`; `Strict-Transport-Security` is added when the request came over
  HTTPS (Rasa started with a certificate, or `RUECKENBOT_HSTS=1` behind a TLS proxy).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.server import log_privacy
from bot.server.channels.env import expand
from bot.server.channels.forget import confirm_deletion, forget_sender, is_delete_confirmation, service_available
from bot.server.channels.rest import DEFAULT_MAX_LENGTH, clean_text
from bot.server.conversation_keys import conversation_key
from bot.server.rate_limit import RateLimiter
from bot.server.responses import response_text
from bot.texts import texts

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[3]
WEB_DIR = ROOT / "web"
WIDGET_DIR = WEB_DIR / "dist"
DEMO_PAGE = WEB_DIR / "demo.html"
WIDGET_ROUTE = "/widget"
DEFAULT_ORIGINS = "http://localhost:5005,http://127.0.0.1:5005"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")

# The demo page loads only the bot's own files; nothing else may run or be fetched.
DEMO_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
# On every response (the widget's files, JSON, socket.io's polling).
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
HSTS = "max-age=31536000"


def add_security_headers(request: Request, response_: HTTPResponse) -> None:
    """Response middleware: the headers above, and HSTS where the request came over HTTPS."""
    for name, value in SECURITY_HEADERS.items():
        response_.headers.setdefault(name, value)
    if request.scheme in ("https", "wss") or os.environ.get("RUECKENBOT_HSTS", "").strip() == "1":
        response_.headers.setdefault("Strict-Transport-Security", HSTS)


def parse_origins(value: Any) -> list[str]:
    """Origins from a YAML list or a comma/space separated string; `${VAR:-default}` expanded."""
    items = value if isinstance(value, list) else re.split(r"[,\s]+", expand(value))
    origins = []
    for item in items:
        origin = expand(item).rstrip("/")
        if not origin:
            continue
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise ValueError(f"cors_allowed_origins: '{origin}' is not an origin like https://www.example.de")
        origins.append(origin)
    return origins


def is_session_id(value: Any) -> bool:
    """True for a random (version 4) UUID in its usual lower-case form."""
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


class OriginCheck:
    """python-socketio's origin callable: a listed origin, or the bot's own (same-origin page)."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self.allowed = set(allowed)

    def __call__(self, origin: str | None, environ: dict[str, Any] | None = None) -> bool:
        if not origin:
            return True  # not a browser (browsers always send Origin on socket.io requests)
        if origin in self.allowed:
            return True
        environ = environ or {}
        host = environ.get("HTTP_HOST")
        return bool(host) and origin == f"{environ.get('wsgi.url_scheme', 'http')}://{host}"


class WebsiteBlueprint(SocketBlueprint):
    """Attaches socket.io, the demo page at `/` and the widget files to the Sanic app."""

    def __init__(self, channel: WebsiteInput, sio: AsyncServer, *args: Any, **kwargs: Any) -> None:
        super().__init__(sio, channel.socketio_path, *args, **kwargs)
        self.ctx.channel = channel

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        self.ctx.channel.app = app
        if WIDGET_DIR.is_dir():
            app.static(WIDGET_ROUTE, str(WIDGET_DIR), name="rueckenbot_widget")
        else:
            logger.error("The chat widget is not built (%s missing): run `make web`.", WIDGET_DIR)

        async def demo_page(request: Request) -> HTTPResponse | None:
            # Rasa's own "/" route says hello; the demo page takes its place.
            if request.path == "/" and request.method in ("GET", "HEAD"):
                return await response.file(str(DEMO_PAGE), headers=DEMO_HEADERS, mime_type="text/html")
            return None

        app.register_middleware(demo_page, "request")
        app.register_middleware(add_security_headers, "response")
        super().register(app, options)


class WebsiteOutput(SocketIOOutput):
    """One `bot_uttered` per bot message, the message dict as docs/answer-structure.md describes it."""

    def __init__(self, sio: AsyncServer, bot_message_evt: str, room: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.room = room

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        text = message.get("text")
        buttons = [
            {"title": b["title"], "payload": b["payload"]}
            for b in (message.get("buttons") or message.get("quick_replies") or [])
            if isinstance(b, dict) and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str)
        ]
        if not text and not buttons:
            return  # images, custom JSON …: the widget shows text and buttons only
        out: dict[str, Any] = {"text": text or ""}
        if buttons:
            out["buttons"] = buttons
            out["quick_replies"] = [{"content_type": "text", **b} for b in buttons]
        if isinstance(message.get("answer"), dict):
            out["answer"] = message["answer"]
        await self.sio.emit(self.bot_message_evt, out, room=self.room)


class WebsiteInput(SocketIOInput):
    """socket.io channel for the website widget (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        return "website"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            allowed_origins=parse_origins(credentials.get("cors_allowed_origins", DEFAULT_ORIGINS)),
            max_message_length=int(expand(credentials.get("max_message_length")) or DEFAULT_MAX_LENGTH),
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
        )

    def __init__(
        self,
        allowed_origins: Iterable[str] = (),
        max_message_length: int = DEFAULT_MAX_LENGTH,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        socketio_path: str = "/socket.io",
    ) -> None:
        super().__init__(
            user_message_evt=user_message_evt,
            bot_message_evt=bot_message_evt,
            session_persistence=True,
            socketio_path=socketio_path,
        )
        self.allowed_origins = list(allowed_origins)
        self.max_message_length = max_message_length
        self.app: Sanic | None = None
        self.limiter = RateLimiter()
        texts().require("channels.rate_limited")

    async def delete_session(self, session_id: str) -> int:
        """Delete this session's conversation from the agent's tracker store, under its lock."""
        return await forget_sender(self.app.ctx.agent, conversation_key(self.name(), session_id))

    def client_address(self, sid: str) -> str:
        environ = self.sio.get_environ(sid) or {}
        request = environ.get("sanic.request")
        return self.limiter.client_address(getattr(request, "ip", None), environ.get("HTTP_X_FORWARDED_FOR"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=OriginCheck(self.allowed_origins))
        bp = WebsiteBlueprint(self, sio, "website_webhook", __name__)
        self.sio = sio

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("session_request")
        async def session_request(sid: str, data: dict | None) -> None:
            session_id = (data or {}).get("session_id")
            if not is_session_id(session_id):
                await sio.emit("session_rejected", {"reason": "invalid session id"}, room=sid)
                return
            for room in sio.rooms(sid):  # "Neu starten": the old conversation's replies no longer come here
                if room not in (sid, session_id):
                    await sio.leave_room(sid, room)
            await sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: dict) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            text = data.get("message")
            if not is_session_id(session_id):
                logger.warning("Refused a socket.io message without a valid session id.")
                await sio.emit("session_rejected", {"reason": "invalid session id"}, room=sid)
                return
            text = clean_text(text) if isinstance(text, str) else ""
            agent = getattr(getattr(self.app, "ctx", None), "agent", None)
            domain = getattr(agent, "domain", None)
            key = conversation_key(self.name(), session_id)
            if not self.limiter.allow(key, self.client_address(sid)):
                await sio.emit(self.bot_message_evt, {"text": texts().get("channels.rate_limited")}, room=sid)
                return
            with log_privacy.handling(session_id, text):
                if not text:
                    reply = response_text("utter_empty_message", domain)
                    await sio.emit(self.bot_message_evt, {"text": reply}, room=sid)
                    return
                if len(text) > self.max_message_length:
                    reply = response_text("utter_message_too_long", domain, limit=self.max_message_length)
                    await sio.emit(self.bot_message_evt, {"text": reply}, room=sid)
                    return
                if is_delete_confirmation(text):
                    deletion = await confirm_deletion(agent, key)
                    await sio.emit(self.bot_message_evt, {"text": deletion.reply}, room=sid)
                    if deletion.deleted:
                        await sio.emit("session_deleted", {"deleted": True}, room=sid)
                        await sio.leave_room(sid, session_id)
                    return
                if not service_available(agent, key):
                    reply = response_text("utter_service_unavailable", domain)
                    await sio.emit(self.bot_message_evt, {"text": reply}, room=sid)
                    return
                output = WebsiteOutput(sio, self.bot_message_evt, session_id)
                try:
                    await on_new_message(UserMessage(text, output, key, input_channel=self.name(), metadata=None))
                except Exception as error:  # noqa: BLE001 - never the message in the log
                    logger.error("A widget message could not be handled: %s", type(error).__name__)

        @sio.on("delete_session")
        async def delete_session(sid: str, data: dict | None) -> None:
            session_id = (data or {}).get("session_id")
            if not is_session_id(session_id):
                await sio.emit("session_deleted", {"deleted": False}, room=sid)
                return
            try:
                await self.delete_session(session_id)
                deleted = True
            except Exception as error:  # the person must hear that it did not work
                logger.error("Deleting a conversation failed: %s", type(error).__name__)
                deleted = False
            await sio.emit("session_deleted", {"deleted": deleted}, room=sid)
            await sio.leave_room(sid, session_id)

        return bp
