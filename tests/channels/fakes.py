"""Fake provider APIs (Telegram Bot API, Facebook Graph API, Twilio) on 127.0.0.1, recording what the bot sends."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]


# A responder gets the recorded request and returns (status, JSON body).
Responder = Callable[[Recorded], tuple[int, Any]]


def _flat(pairs: dict[str, list[str]]) -> dict[str, str]:
    return {key: values[-1] for key, values in pairs.items()}


class FakeAPI:
    """One HTTP server in a thread; every request is recorded, answered by `responder`."""

    def __init__(self, responder: Responder) -> None:
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                content_type = self.headers.get("Content-Type", "")
                if "json" in content_type:
                    body = json.loads(raw or b"{}")
                else:
                    body = _flat(parse_qs(raw.decode("utf-8"), keep_blank_values=True))
                url = urlsplit(self.path)
                recorded = Recorded(self.command, url.path, _flat(parse_qs(url.query)), dict(self.headers), body)
                with fake._lock:
                    fake.requests.append(recorded)
                status, answer = responder(recorded)
                data = json.dumps(answer).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def matching(self, predicate: Callable[[Recorded], bool]) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if predicate(r)]

    def wait_for(self, predicate: Callable[[Recorded], bool], count: int = 1, timeout: float = 30) -> list[Recorded]:
        """The matching requests once at least `count` arrived (the webhooks answer after sending, so at once)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.matching(predicate)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


_ids = itertools.count(1000)


def telegram_responder(request: Recorded) -> tuple[int, Any]:
    if request.path.endswith("/sendMessage"):
        chat_id = int(request.body["chat_id"])
        message = {"message_id": next(_ids), "date": 0, "chat": {"id": chat_id, "type": "private"}}
        return 200, {"ok": True, "result": {**message, "text": request.body.get("text", "")}}
    return 200, {"ok": True, "result": True}


def facebook_responder(request: Recorded) -> tuple[int, Any]:
    recipient = request.body.get("recipient", {}).get("id", "")
    return 200, {"recipient_id": recipient, "message_id": f"mid.{next(_ids)}"}


def twilio_responder(request: Recorded) -> tuple[int, Any]:
    body = request.body
    sid = f"SM{next(_ids):032d}"
    return 201, {
        "sid": sid,
        "status": "queued",
        "to": body.get("To"),
        "from": body.get("From"),
        "body": body.get("Body"),
    }
