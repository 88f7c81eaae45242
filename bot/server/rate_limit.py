"""Per-client rate limits for the REST webhook and the widget's socket.io: token buckets per
conversation and per client address, in each Rasa process (nginx adds its own, deploy/nginx.conf).

Settings (environment; `0` switches a limit off):

    RUECKENBOT_RATE_SENDER      messages per minute per conversation (default 30, bursts of 15)
    RUECKENBOT_RATE_IP          messages per minute per client address (default 300, bursts of 100)
    RUECKENBOT_RATE_LOOPBACK    1: limit loopback clients (127.0.0.1, ::1) per address too
                                (default 0: the test suites and local tools talk from loopback;
                                behind a proxy on the same machine set RUECKENBOT_PROXY_HOPS)
    RUECKENBOT_PROXY_HOPS       how many proxies in front add to X-Forwarded-For (default 0: the
                                socket's peer address is the client's; 1 behind deploy/nginx.conf)

A person typing never reaches these numbers; a script does. A request over the limit gets
the German text `channels.rate_limited` (interface_texts.yml), never reaches Rasa, and costs
the server a dictionary look-up. Buckets are kept for at most 50,000 clients (least recently
seen dropped first), so the limiter itself is bounded.
"""

from __future__ import annotations

import ipaddress
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

MAX_CLIENTS = 50_000


@dataclass
class Bucket:
    tokens: float
    updated: float


class TokenBucket:
    """`rate_per_minute` tokens a minute, at most `burst` saved up; one per message."""

    def __init__(self, rate_per_minute: float, burst: float, max_clients: int = MAX_CLIENTS) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = burst
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def allow(self, client: str, now: float | None = None) -> bool:
        if not self.enabled:
            return True
        now = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.pop(client, None)
            if bucket is None:
                bucket = Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            allowed = bucket.tokens >= 1
            if allowed:
                bucket.tokens -= 1
            self._buckets[client] = bucket
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            return allowed

    def __len__(self) -> int:
        return len(self._buckets)


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    try:
        return max(float(raw), 0.0) if raw else default
    except ValueError:
        return default


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").strip("[]")).is_loopback
    except ValueError:
        return False


class RateLimiter:
    """Both buckets and the settings above; `allow(sender_key, address)`."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        sender_rate = _number(env, "RUECKENBOT_RATE_SENDER", 30)
        ip_rate = _number(env, "RUECKENBOT_RATE_IP", 300)
        self.per_sender = TokenBucket(sender_rate, max(sender_rate / 2, 1))
        self.per_address = TokenBucket(ip_rate, max(ip_rate / 3, 1))
        self.limit_loopback = env.get("RUECKENBOT_RATE_LOOPBACK", "0").strip() == "1"
        self.proxy_hops = int(_number(env, "RUECKENBOT_PROXY_HOPS", 0))

    def client_address(self, peer: str | None, forwarded_for: str | None) -> str:
        """The client's address: the peer's, or (behind `proxy_hops` proxies) from X-Forwarded-For."""
        if self.proxy_hops and forwarded_for:
            hops = [part.strip() for part in forwarded_for.split(",") if part.strip()]
            if len(hops) >= self.proxy_hops:
                return hops[-self.proxy_hops]
        return peer or ""

    def allow(self, sender_key: str | None, address: str | None) -> bool:
        if address and (self.limit_loopback or not is_loopback(address)):
            if not self.per_address.allow(address):
                return False
        return sender_key is None or self.per_sender.allow(sender_key)
