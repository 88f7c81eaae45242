"""Per-channel formatting of the bot's replies for Telegram, Facebook Messenger and WhatsApp (Twilio).

Pure functions: they take the text and the buttons ({title, payload}) Rasa hands
to an output channel and return what the provider's API should receive. The
connectors in `bot.server.channels` only send what these functions return.

A factual answer ends with a line starting with `Quelle:` followed by the
disclaimer. That tail is never split from the rest of the answer's last part nor
split itself: it always goes out as one piece, together with the last chunk of
the answer when it fits.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

SOURCE_PREFIX = "Quelle:"

# Provider limits.
TELEGRAM_TEXT_LIMIT = 4096  # characters per message
TELEGRAM_CALLBACK_DATA_LIMIT = 64  # bytes of callback_data per inline button
FACEBOOK_TEXT_LIMIT = 2000  # characters per message
FACEBOOK_MAX_QUICK_REPLIES = 13
FACEBOOK_QUICK_REPLY_TITLE_LIMIT = 20
WHATSAPP_TEXT_LIMIT = 1600  # characters per Twilio message body

WHATSAPP_REPLY_HINT = "Antworten Sie mit der Nummer."

_URL = re.compile(r"https?://[^\s<>\"]+")
_SENTENCE_END = re.compile(r"(?<=[.!?…:])\s+")
_NUMBER_REPLY = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")

Button = dict[str, Any]


# --- splitting ------------------------------------------------------------------------


def split_source_tail(text: str) -> tuple[str, str]:
    """Split a reply into (body, tail); the tail runs from the last `Quelle:` line to the end.

    Replies without a `Quelle:` line have an empty tail.
    """
    lines = text.strip().split("\n")
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].startswith(SOURCE_PREFIX):
            return "\n".join(lines[:index]).strip(), "\n".join(lines[index:]).strip()
    return text.strip(), ""


_SPLITTERS = (
    ("\n\n", re.compile(r"\n{2,}")),
    ("\n", re.compile(r"\n")),
    (" ", _SENTENCE_END),
    (" ", re.compile(r"\s+")),
)


def _pieces(text: str, limit: int, measure: Callable[[str], int], glue: str = "") -> list[tuple[str, str]]:
    """(glue, piece) pairs that each fit: paragraphs, else lines, else sentences, else words, else characters.

    `glue` is what stood before the piece in the text, so joining glue + piece restores it.
    """
    if measure(text) <= limit:
        return [(glue, text)]
    for separator, pattern in _SPLITTERS:
        parts = [part for part in pattern.split(text) if part.strip()]
        if len(parts) > 1:
            result: list[tuple[str, str]] = []
            for index, part in enumerate(parts):
                result.extend(_pieces(part.strip(), limit, measure, glue if index == 0 else separator))
            return result
    # One unbreakable word longer than the limit: cut it.
    cut = limit
    while cut > 1 and measure(text[:cut]) > limit:
        cut -= 1
    return [(glue, text[:cut]), *_pieces(text[cut:], limit, measure, "")]


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Split text into chunks of at most `limit` (as measured), preferring paragraph, then sentence boundaries."""
    text = text.strip()
    if not text:
        return []
    chunks: list[str] = []
    for glue, piece in _pieces(text, limit, measure):
        if chunks and measure(chunks[-1] + glue + piece) <= limit:
            chunks[-1] += glue + piece
        else:
            chunks.append(piece)
    return chunks


def split_reply(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Chunks of a reply within `limit`; the `Quelle:` line and the disclaimer stay together, after the body."""
    body, tail = split_source_tail(text)
    chunks = split_text(body, limit, measure)
    if not tail:
        return chunks
    if chunks and measure(chunks[-1] + "\n" + tail) <= limit:
        chunks[-1] = chunks[-1] + "\n" + tail
    elif measure(tail) <= limit:
        chunks.append(tail)
    else:  # cannot happen with the real source line; never lose it
        chunks.extend(split_text(tail, limit, measure))
    return chunks


# --- Telegram (parse mode HTML) -------------------------------------------------------


def telegram_html(text: str) -> str:
    """Escape text for Telegram's HTML parse mode and turn URLs into links."""
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;)")
        end = match.start() + len(url)
        parts.append(html.escape(text[position : match.start()], quote=False))
        parts.append(f'<a href="{html.escape(url)}">{html.escape(url, quote=False)}</a>')
        position = end
    parts.append(html.escape(text[position:], quote=False))
    return "".join(parts)


def telegram_keyboard(buttons: Sequence[Button]) -> dict[str, Any] | None:
    """An inline keyboard, one button per row; buttons whose payload exceeds 64 bytes are left out."""
    rows = [
        [{"text": button["title"], "callback_data": button["payload"]}]
        for button in buttons
        if len(button["payload"].encode("utf-8")) <= TELEGRAM_CALLBACK_DATA_LIMIT
    ]
    return {"inline_keyboard": rows} if rows else None


def telegram_messages(text: str, buttons: Sequence[Button] = ()) -> list[dict[str, Any]]:
    """`sendMessage` parameters (without chat_id) for one reply; the keyboard goes with the last message."""
    chunks = split_reply(text, TELEGRAM_TEXT_LIMIT, lambda chunk: len(telegram_html(chunk)))
    messages: list[dict[str, Any]] = [
        {"text": telegram_html(chunk), "parse_mode": "HTML", "disable_web_page_preview": True} for chunk in chunks
    ]
    keyboard = telegram_keyboard(buttons)
    if messages and keyboard:
        messages[-1]["reply_markup"] = keyboard
    return messages


# --- Facebook Messenger ---------------------------------------------------------------


def facebook_title(title: str) -> str:
    if len(title) <= FACEBOOK_QUICK_REPLY_TITLE_LIMIT:
        return title
    return title[: FACEBOOK_QUICK_REPLY_TITLE_LIMIT - 1].rstrip() + "…"


def facebook_quick_replies(buttons: Sequence[Button]) -> list[dict[str, str]]:
    return [
        {"content_type": "text", "title": facebook_title(button["title"]), "payload": button["payload"]}
        for button in buttons[:FACEBOOK_MAX_QUICK_REPLIES]
    ]


def facebook_messages(text: str, buttons: Sequence[Button] = ()) -> list[dict[str, Any]]:
    """Send API `message` objects for one reply; the quick replies go with the last message."""
    chunks = split_reply(text, FACEBOOK_TEXT_LIMIT - 1)  # "below 2,000"
    messages: list[dict[str, Any]] = [{"text": chunk} for chunk in chunks]
    quick_replies = facebook_quick_replies(buttons)
    if messages and quick_replies:
        messages[-1]["quick_replies"] = quick_replies
    return messages


# --- WhatsApp via Twilio --------------------------------------------------------------


def whatsapp_options(buttons: Sequence[Button]) -> str:
    """Numbered options ("1 – Nebenwirkungen"), one per line, and how to answer."""
    lines = [f"{number} – {button['title']}" for number, button in enumerate(buttons, start=1)]
    return "\n".join([*lines, WHATSAPP_REPLY_HINT])


def whatsapp_messages(text: str, buttons: Sequence[Button] = ()) -> list[str]:
    """Message bodies for one reply; the numbered options follow the last body, in the same message if it fits."""
    bodies = split_reply(text, WHATSAPP_TEXT_LIMIT)
    if not buttons:
        return bodies
    options = whatsapp_options(buttons)
    if bodies and len(bodies[-1] + "\n\n" + options) <= WHATSAPP_TEXT_LIMIT:
        bodies[-1] = bodies[-1] + "\n\n" + options
    else:
        bodies.extend(split_text(options, WHATSAPP_TEXT_LIMIT))
    return bodies


def bare_number(text: str | None) -> int | None:
    """The number if the text is nothing but a number ("2", "2.", " 2 "), else None."""
    match = _NUMBER_REPLY.match(text or "")
    return int(match.group(1)) if match else None


def resolve_numbered_reply(text: str, buttons: Sequence[Button]) -> str | None:
    """The payload of the option a bare number picks, or None."""
    number = bare_number(text)
    if number is not None and 1 <= number <= len(buttons):
        return buttons[number - 1]["payload"]
    return None


def last_offered_buttons(events: Iterable[dict[str, Any]]) -> list[Button]:
    """The buttons of the bot's last reply with buttons since the person last wrote (tracker events as dicts)."""
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "user":
            return []
        if kind == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            if buttons:
                return list(buttons)
    return []
