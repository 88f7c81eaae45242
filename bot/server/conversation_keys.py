"""Conversation keys: the id under which a channel's conversation is stored, locked and logged.

Every channel stores its conversations under a key that no other channel can produce:

    REST        rest:<sender>                 the client's own id (letters, digits, . _ ~ : @ + -)
    website     web:<session uuid>            the widget's random UUID
    Telegram    tg:<HMAC-SHA256 of the chat id>
    Facebook    fb:<HMAC-SHA256 of the page-scoped id (PSID)>
    WhatsApp    wa:<HMAC-SHA256 of the phone number ("whatsapp:+49…")>

So a REST client that sends `"sender": "whatsapp:+491511234567"` talks in the conversation
`rest:whatsapp:+491511234567`, never in that person's WhatsApp conversation, and the tracker
store, the lock store, the logs and a database dump hold no chat id, PSID or phone number in
clear. The messenger keys are keyed hashes (HMAC) with `RUECKENBOT_ID_SECRET`: without the
secret nobody can compute the key of a known phone number (and so find or delete that
person's conversation), and the same person gets the same key on every instance that shares
the secret. `make run` creates the secret for one machine in var/id_secret on first start
(tools/run_servers.py); several machines must share one (docs/threat-model.md).

`log_id(key)` is the short form for logs: enough to tell conversations apart in one log,
useless to find the person.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping

SECRET_VARIABLE = "RUECKENBOT_ID_SECRET"
MIN_SECRET_LENGTH = 32  # characters; `make run` writes 64 hex digits

# channel name (Rasa's `InputChannel.name()`) → key prefix
PREFIXES: dict[str, str] = {
    "rest": "rest",
    "website": "web",
    "telegram": "tg",
    "facebook": "fb",
    "twilio": "wa",
}
HASHED = frozenset({"telegram", "facebook", "twilio"})
# what a key looks like (the REST sender's characters are the widest part)
KEY_PATTERN = re.compile(r"\b(?:rest|web|tg|fb|wa):[A-Za-z0-9._~:@+\-]+")
HASH_HEX_DIGITS = 32  # 128 bits of the HMAC: no collisions among any number of real people

_process_salt = secrets.token_bytes(16)  # for log ids when no secret is set (REST/widget only)


class MissingSecret(RuntimeError):
    """A messenger channel is on, but RUECKENBOT_ID_SECRET is not set (or too short)."""


def id_secret(environ: Mapping[str, str] | None = None) -> bytes:
    """The HMAC secret from the environment; MissingSecret when unset or shorter than 32 characters."""
    value = (os.environ if environ is None else environ).get(SECRET_VARIABLE, "").strip()
    if len(value) < MIN_SECRET_LENGTH:
        raise MissingSecret(
            f"{SECRET_VARIABLE} is {'too short' if value else 'not set'}: the messenger channels store "
            f"conversations under a keyed hash of the chat id / phone number and need a secret of at least "
            f"{MIN_SECRET_LENGTH} characters (e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`; "
            "`make run` creates one in var/id_secret). Every instance must use the same one."
        )
    return value.encode("utf-8")


def conversation_key(channel: str, raw_id: str, environ: Mapping[str, str] | None = None) -> str:
    """The key under which `channel` stores the conversation of `raw_id`.

    `channel` is the channel's name (`rest`, `website`, `telegram`, `facebook`, `twilio`) or its
    prefix (`web`, `tg`, `fb`, `wa`). Tests call this to find a conversation's rows.
    """
    name = next((n for n, p in PREFIXES.items() if channel in (n, p)), None)
    if name is None:
        raise ValueError(f"unknown channel {channel!r}")
    raw_id = str(raw_id)
    prefix = PREFIXES[name]
    if name not in HASHED:
        return f"{prefix}:{raw_id}"
    digest = hmac.new(id_secret(environ), f"{prefix}:{raw_id}".encode(), hashlib.sha256).hexdigest()
    return f"{prefix}:{digest[:HASH_HEX_DIGITS]}"


def channel_of(key: str) -> str | None:
    """The channel name of a key (`rest`, `website`, …), or None for a key of no channel."""
    prefix = key.split(":", 1)[0]
    return next((name for name, p in PREFIXES.items() if p == prefix), None)


def log_id(key: str) -> str:
    """A short, stable-per-deployment pseudonym of a key for logs: `<prefix>:#<10 hex digits>`."""
    try:
        secret = id_secret()
    except MissingSecret:
        secret = _process_salt
    prefix = key.split(":", 1)[0] if ":" in key else "?"
    digest = hmac.new(secret, b"log:" + key.encode("utf-8", "replace"), hashlib.sha256).hexdigest()
    return f"{prefix}:#{digest[:10]}"
