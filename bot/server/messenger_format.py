"""Per-channel formatting of the bot's replies for Telegram, Facebook Messenger and WhatsApp (Twilio).

Pure functions: they take what Rasa hands to an output channel, the message's `text`, its
`buttons` ({title, payload}) and, for composed answers, its `answer` (the structure described
in docs/answer-structure.md), and return what the provider's API should receive. The
connectors in `bot.server.channels` only send what these functions return.

A composed answer is rendered from its structure, never from its text: `answer.body`, then
`answer.source` (`line`, `url`) and `answer.disclaimer`, which always go out together, with
the last chunk of the body when they fit. Telegram links the source to the page, WhatsApp
gives it its own line, Facebook shows the line (Messenger makes its address a link). A message
without `answer` (a domain response) is only split at the provider's limit.

Feedback (issue 16): under every `answer.kind == "fact"` message, never under anything else,
Telegram shows 👍 👎 as a row of the inline keyboard, Facebook as two quick replies. WhatsApp
has no buttons, only numbered options; there the two options are added only where they do
not crowd the answer: when the reply still goes out as one message and offers at most five
other options (a fact answer's usual five: three aspects, another treatment, the original
text), on one extra line ("Hilfreich? 6 – 👍  7 – 👎"). The payloads are those of
docs/answer-structure.md. Every word a person reads comes from interface_texts.yml
(`channels:`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.texts import texts

# Provider limits.
TELEGRAM_TEXT_LIMIT = 4096  # characters per message
TELEGRAM_CALLBACK_DATA_LIMIT = 64  # bytes of callback_data per inline button
FACEBOOK_TEXT_LIMIT = 2000  # characters per message
FACEBOOK_MAX_QUICK_REPLIES = 13
FACEBOOK_QUICK_REPLY_TITLE_LIMIT = 20
WHATSAPP_TEXT_LIMIT = 1600  # characters per Twilio message body
WHATSAPP_MAX_OPTIONS_WITH_FEEDBACK = 5  # more options than this and the feedback would crowd the answer

FEEDBACK_HELPFUL = '/feedback{"helpful": true}'
FEEDBACK_NOT_HELPFUL = '/feedback{"helpful": false}'

_URL = re.compile(r"https?://[^\s<>\"]+")
_SENTENCE_END = re.compile(r"(?<=[.!?…:])\s+")
_NUMBER_REPLY = re.compile(r"\s*(\d{1,2})\s*[.)]?\s*")

Button = dict[str, Any]


# --- the message's parts --------------------------------------------------------------


@dataclass(frozen=True)
class Parts:
    """What a channel draws: the body, the source line and its link, the disclaimer, the buttons."""

    body: str
    source_line: str = ""
    source_url: str = ""
    disclaimer: str = ""
    buttons: tuple[Button, ...] = ()
    kind: str = ""

    @property
    def feedback(self) -> bool:
        return self.kind == "fact"

    def tail(self, source: str | None = None) -> str:
        """The source line (as given, or as the channel drew it) and the disclaimer, one per line."""
        line = self.source_line if source is None else source
        return "\n".join(part for part in (line, self.disclaimer) if part)


def parts(text: str | None, buttons: Sequence[Button] | None = (), answer: Any = None) -> Parts:
    """The parts of one message: from `answer` when it is a composed answer, else the text as body."""
    clean_buttons = tuple(
        b for b in (buttons or ()) if isinstance(b, dict) and isinstance(b.get("title"), str)
        and isinstance(b.get("payload"), str)
    )  # fmt: skip
    if isinstance(answer, dict) and isinstance(answer.get("body"), str):
        source = answer.get("source") if isinstance(answer.get("source"), dict) else {}
        return Parts(
            body=answer["body"].strip(),
            source_line=str(source.get("line") or "").strip(),
            source_url=str(source.get("url") or "").strip(),
            disclaimer=str(answer.get("disclaimer") or "").strip(),
            buttons=clean_buttons,
            kind=str(answer.get("kind") or ""),
        )
    return Parts(body=(text or "").strip(), buttons=clean_buttons)


def feedback_buttons() -> list[Button]:
    t = texts()
    return [
        {"title": t.get("channels.feedback.helpful"), "payload": FEEDBACK_HELPFUL},
        {"title": t.get("channels.feedback.not_helpful"), "payload": FEEDBACK_NOT_HELPFUL},
    ]


# --- splitting ------------------------------------------------------------------------

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
        items = [part for part in pattern.split(text) if part.strip()]
        if len(items) > 1:
            result: list[tuple[str, str]] = []
            for index, part in enumerate(items):
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


def split_reply(body: str, tail: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Chunks of a reply within `limit`: the body split, the tail (source and disclaimer) kept whole after it."""
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
    """Escape text for Telegram's HTML parse mode and turn addresses in it into links."""
    out: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;)")
        out.append(html.escape(text[position : match.start()], quote=False))
        out.append(f'<a href="{html.escape(url)}">{html.escape(url, quote=False)}</a>')
        position = match.start() + len(url)
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


def telegram_source(line: str, url: str) -> str:
    """The source line in HTML with the page linked: its address in the line becomes the link,
    or, where the line does not show it, a link `channels.telegram.source_link` follows."""
    escaped = html.escape(line, quote=False)
    if not url:
        return escaped
    link_url = html.escape(url)
    shown = html.escape(url, quote=False)
    if shown in escaped:
        return escaped.replace(shown, f'<a href="{link_url}">{shown}</a>', 1)
    return (
        f'{escaped} <a href="{link_url}">{html.escape(texts().get("channels.telegram.source_link"), quote=False)}</a>'
    )


def telegram_keyboard(buttons: Sequence[Button], feedback: bool = False) -> dict[str, Any] | None:
    """An inline keyboard, one button per row, 👍 👎 side by side last; payloads over 64 bytes are left out."""
    rows = [
        [{"text": button["title"], "callback_data": button["payload"]}]
        for button in buttons
        if len(button["payload"].encode("utf-8")) <= TELEGRAM_CALLBACK_DATA_LIMIT
    ]
    if feedback:
        rows.append([{"text": b["title"], "callback_data": b["payload"]} for b in feedback_buttons()])
    return {"inline_keyboard": rows} if rows else None


def telegram_messages(text: str | None, buttons: Sequence[Button] = (), answer: Any = None) -> list[dict[str, Any]]:
    """`sendMessage` parameters (without chat_id) for one message; the keyboard goes with the last one."""
    p = parts(text, buttons, answer)
    tail = "\n".join(
        part for part in (telegram_source(p.source_line, p.source_url), html.escape(p.disclaimer, quote=False)) if part
    )
    # the body split as the person reads it, each chunk measured after escaping; the tail kept whole
    measure: Callable[[str], int] = lambda chunk: len(telegram_html(chunk))  # noqa: E731
    chunks = [telegram_html(chunk) for chunk in split_text(p.body, TELEGRAM_TEXT_LIMIT, measure)]
    if tail:
        if chunks and len(chunks[-1]) + 1 + len(tail) <= TELEGRAM_TEXT_LIMIT:
            chunks[-1] += "\n" + tail
        else:
            chunks.append(tail)
    messages: list[dict[str, Any]] = [
        {"text": chunk, "parse_mode": "HTML", "disable_web_page_preview": True} for chunk in chunks if chunk
    ]
    keyboard = telegram_keyboard(p.buttons, p.feedback)
    if messages and keyboard:
        messages[-1]["reply_markup"] = keyboard
    return messages


# --- Facebook Messenger ---------------------------------------------------------------


def facebook_title(title: str) -> str:
    if len(title) <= FACEBOOK_QUICK_REPLY_TITLE_LIMIT:
        return title
    return title[: FACEBOOK_QUICK_REPLY_TITLE_LIMIT - 1].rstrip() + "…"


def facebook_quick_replies(buttons: Sequence[Button], feedback: bool = False) -> list[dict[str, str]]:
    extra = feedback_buttons() if feedback else []
    chosen = [*list(buttons)[: FACEBOOK_MAX_QUICK_REPLIES - len(extra)], *extra]
    return [{"content_type": "text", "title": facebook_title(b["title"]), "payload": b["payload"]} for b in chosen]


def facebook_messages(text: str | None, buttons: Sequence[Button] = (), answer: Any = None) -> list[dict[str, Any]]:
    """Send API `message` objects for one message; the quick replies go with the last one."""
    p = parts(text, buttons, answer)
    chunks = split_reply(p.body, p.tail(), FACEBOOK_TEXT_LIMIT - 1)  # "below 2,000"
    messages: list[dict[str, Any]] = [{"text": chunk} for chunk in chunks]
    quick_replies = facebook_quick_replies(p.buttons, p.feedback)
    if messages and quick_replies:
        messages[-1]["quick_replies"] = quick_replies
    return messages


# --- WhatsApp via Twilio --------------------------------------------------------------


def whatsapp_option(number: int, title: str) -> str:
    return texts().get("channels.whatsapp.option", number=number, title=title)


def whatsapp_options(buttons: Sequence[Button], feedback: bool = False) -> str:
    """Numbered options ("1 – Nebenwirkungen"), one per line, the feedback on one line, and how to answer."""
    t = texts()
    lines = [whatsapp_option(number, button["title"]) for number, button in enumerate(buttons, start=1)]
    if feedback:
        first = len(buttons) + 1
        helpful, not_helpful = (b["title"] for b in feedback_buttons())
        lines.append(
            t.get("channels.whatsapp.feedback_line", helpful=whatsapp_option(first, helpful),
                  not_helpful=whatsapp_option(first + 1, not_helpful))
        )  # fmt: skip
    return "\n".join([*lines, t.get("channels.whatsapp.reply_hint")])


def whatsapp_shows_feedback(p: Parts) -> bool:
    """The feedback options go under a fact answer that stays one message with at most five other options."""
    if not p.feedback or len(p.buttons) > WHATSAPP_MAX_OPTIONS_WITH_FEEDBACK:
        return False
    single = split_reply(p.body, p.tail(), WHATSAPP_TEXT_LIMIT)
    options = whatsapp_options(p.buttons, feedback=True)
    return len(single) == 1 and len(single[0] + "\n\n" + options) <= WHATSAPP_TEXT_LIMIT


def whatsapp_messages(text: str | None, buttons: Sequence[Button] = (), answer: Any = None) -> list[str]:
    """Message bodies for one message; the numbered options follow the last body, in it when they fit."""
    p = parts(text, buttons, answer)
    bodies = split_reply(p.body, p.tail(), WHATSAPP_TEXT_LIMIT)
    if not p.buttons and not whatsapp_shows_feedback(p):
        return bodies
    options = whatsapp_options(p.buttons, feedback=whatsapp_shows_feedback(p))
    if bodies and len(bodies[-1] + "\n\n" + options) <= WHATSAPP_TEXT_LIMIT:
        bodies[-1] = bodies[-1] + "\n\n" + options
    else:
        bodies.extend(split_text(options, WHATSAPP_TEXT_LIMIT))
    return bodies


def bare_number(text: str | None) -> int | None:
    """The number if the text is nothing but a number ("2", "2.", " 2 "), else None."""
    match = _NUMBER_REPLY.fullmatch(text or "")
    return int(match.group(1)) if match else None


def resolve_numbered_reply(text: str, options: Sequence[Button]) -> str | None:
    """The payload of the option a bare number picks, or None."""
    number = bare_number(text)
    if number is not None and 1 <= number <= len(options):
        return options[number - 1]["payload"]
    return None


def last_offered_options(events: Iterable[dict[str, Any]]) -> list[Button]:
    """The numbered options of the bot's last message with options since the person last wrote
    (tracker events as dicts): its buttons, and the feedback options where WhatsApp showed them."""
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "user":
            return []
        if kind == "bot":
            data = event.get("data") or {}
            answer = (event.get("metadata") or {}).get("answer")
            p = parts(event.get("text"), data.get("buttons") or [], answer)
            options = list(p.buttons) + (feedback_buttons() if whatsapp_shows_feedback(p) else [])
            if options:
                return options
    return []


def last_offered_buttons(events: Iterable[dict[str, Any]]) -> list[Button]:
    """The buttons of the bot's last message with buttons since the person last wrote."""
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "user":
            return []
        if kind == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            if buttons:
                return list(buttons)
    return []
