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
  session-persistent (the id is the Rasa sender id).
- Input: control characters are removed (bot.server.channels.rest.clean_text); an empty
  message gets the German reply `utter_empty_message`, one longer than
  `max_message_length` (500, as in the widget and the REST channel) `utter_message_too_long`;
  a message without a valid session id gets `session_rejected`.
- "Meine Daten löschen": the socket event `delete_session` (the widget's button)
  deletes the sender's conversation from the tracker store (bot.server.channels.forget) and
  answers `session_deleted`. The same happens when the chat's own "Ja, alles löschen"
  button (after "Meine Daten löschen" in the chat) sends its payload: the reply
  `utter_data_deleted` comes first, then `session_deleted`, so the widget clears its
  transcript and starts a new session as after its button.
- The demo page at `/` and the widget's files under `/widget/` (web/, built by `make web`).
"""

from __future__ import annotations

import logging
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

from bot.server import rasa_patches
from bot.server.channels.env import expand
from bot.server.channels.forget import confirm_deletion, forget_sender, is_delete_confirmation
from bot.server.channels.rest import DEFAULT_MAX_LENGTH, clean_text

rasa_patches.apply()

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent.parent
WEB_DIR = ROOT / "web"
WIDGET_DIR = WEB_DIR / "dist"
DEMO_PAGE = WEB_DIR / "demo.html"
WIDGET_ROUTE = "/widget"
DEFAULT_ORIGINS = "http://localhost:5005,http://127.0.0.1:5005"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

# The demo page loads only the bot's own files; nothing else may run or be fetched.
DEMO_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


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
    return isinstance(value, str) and bool(_UUID.match(value))


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
        super().register(app, options)


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

    async def delete_session(self, session_id: str) -> int:
        """Delete this sender's conversation from the agent's tracker store, under the sender's lock."""
        return await forget_sender(self.app.ctx.agent, session_id)

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
            if not text:
                reply = rasa_patches.response_text(response="utter_empty_message", domain=domain)
                await sio.emit(self.bot_message_evt, {"text": reply}, room=sid)
                return
            if len(text) > self.max_message_length:
                reply = rasa_patches.response_text(
                    response="utter_message_too_long", domain=domain, limit=self.max_message_length
                )
                await sio.emit(self.bot_message_evt, {"text": reply}, room=sid)
                return
            if is_delete_confirmation(text):
                deletion = await confirm_deletion(agent, session_id)
                await sio.emit(self.bot_message_evt, {"text": deletion.reply}, room=sid)
                if deletion.deleted:
                    await sio.emit("session_deleted", {"deleted": True}, room=sid)
                    await sio.leave_room(sid, session_id)
                return
            output = SocketIOOutput(sio, self.bot_message_evt)
            await on_new_message(UserMessage(text, output, session_id, input_channel=self.name(), metadata={}))

        @sio.on("delete_session")
        async def delete_session(sid: str, data: dict | None) -> None:
            session_id = (data or {}).get("session_id")
            if not is_session_id(session_id):
                await sio.emit("session_deleted", {"deleted": False}, room=sid)
                return
            try:
                await self.delete_session(session_id)
                deleted = True
            except Exception:  # the person must hear that it did not work
                logger.exception("Deleting a conversation failed.")
                deleted = False
            await sio.emit("session_deleted", {"deleted": deleted}, room=sid)
            await sio.leave_room(sid, session_id)

        return bp
