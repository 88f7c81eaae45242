"""Per-channel formatting (bot.server.messenger_format), without Rasa or any network.

Not marked `channels`: these are fast unit tests and run with `make test-unit`. Composed
answers are drawn from their structure (`answer`), never by parsing `text`.
"""

from __future__ import annotations

import re

import pytest

from actions.conversation import answer_message, rasa_buttons
from bot.content.answers import (
    Question,
    aspect_choice_buttons,
    fact_answer,
    start_buttons,
    therapy_choice_buttons,
    topic_answer,
)
from bot.content.knowledge import KnowledgeBase
from bot.server import messenger_format as fmt
from bot.server.messenger_format import (
    FACEBOOK_TEXT_LIMIT,
    FEEDBACK_HELPFUL,
    FEEDBACK_NOT_HELPFUL,
    TELEGRAM_CALLBACK_DATA_LIMIT,
    TELEGRAM_TEXT_LIMIT,
    WHATSAPP_TEXT_LIMIT,
    facebook_messages,
    last_offered_buttons,
    last_offered_options,
    resolve_numbered_reply,
    split_reply,
    split_text,
    telegram_html,
    telegram_messages,
    whatsapp_messages,
)
from bot.texts import texts

URL = "https://www.gesundheitsinformation.de/passive.html"
SOURCE = f"Quelle: IQWiG, gesundheitsinformation.de, „Passive Behandlungen“, Abschnitt „Akupunktur“ (Stand 20.08.2025): {URL}"
DISCLAIMER = "Hinweis: Ich bin ein Informations-Bot und ersetze kein Gespräch mit Ihrer Ärztin oder Ihrem Arzt."
BUTTONS = [
    {"title": "Nebenwirkungen", "payload": '/ask_risks{"therapy": "akupunktur"}'},
    {"title": "Kosten", "payload": '/ask_costs{"therapy": "akupunktur"}'},
    {"title": "Andere Behandlung", "payload": "/inform_therapy"},
]
HELPFUL = texts().get("channels.feedback.helpful")
NOT_HELPFUL = texts().get("channels.feedback.not_helpful")


def long_body(sentences: int) -> str:
    return " ".join(f"Satz Nummer {i} erklärt etwas über Akupunktur & Co. <wichtig>." for i in range(sentences))


def answer(body: str, kind: str = "fact", source: str = SOURCE, url: str = URL) -> dict:
    return {"kind": kind, "body": body, "source": {"line": source, "url": url}, "disclaimer": DISCLAIMER}


def text_of(body: str) -> str:
    return f"{body}\n{SOURCE}\n{DISCLAIMER}"


def assert_tail_intact(chunks: list[str], source: str = SOURCE) -> None:
    """Exactly one chunk holds the source line, immediately followed by the disclaimer, at its end."""
    holding = [c for c in chunks if "Quelle:" in c]
    assert len(holding) == 1 and holding[0] is chunks[-1], chunks
    assert chunks[-1].endswith(f"{source}\n{DISCLAIMER}")


# --- splitting ------------------------------------------------------------------------


def test_split_text_breaks_at_sentence_ends_below_the_limit() -> None:
    text = long_body(80)
    chunks = split_text(text, 500)
    assert len(chunks) > 1
    assert all(len(c) <= 500 for c in chunks)
    assert all(c.endswith(".") for c in chunks), "every chunk ends at a sentence end"
    assert " ".join(chunks) == text


def test_split_text_keeps_paragraphs_and_cuts_only_unbreakable_words() -> None:
    assert split_text("Eins.\n\nZwei.", 100) == ["Eins.\n\nZwei."]
    assert split_text("Eins.\n\nZwei.", 8) == ["Eins.", "Zwei."]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_source_and_disclaimer_stay_together_with_the_last_chunk() -> None:
    for sentences in (1, 30, 60, 200):
        chunks = split_reply(long_body(sentences), f"{SOURCE}\n{DISCLAIMER}", 2000)
        assert all(len(c) <= 2000 for c in chunks)
        assert_tail_intact(chunks)


def test_tail_goes_alone_when_it_does_not_fit_after_the_body() -> None:
    body = "a" * 900 + "."
    assert split_reply(body, f"{SOURCE}\n{DISCLAIMER}", 1000) == [body, f"{SOURCE}\n{DISCLAIMER}"]


def test_the_structure_is_drawn_not_the_text() -> None:
    """A channel never parses `text`: a different text with the same `answer` gives the same messages."""
    structured = answer("Kurz.")
    for render in (telegram_messages, facebook_messages, whatsapp_messages):
        assert render(text_of("Kurz."), BUTTONS, structured) == render("(anything)", BUTTONS, structured)
    # without `answer`, a text that happens to contain "Quelle:" is just text: no feedback, nothing moved
    [plain] = whatsapp_messages("Quelle: eine Zeile\nNoch eine.", [])
    assert plain == "Quelle: eine Zeile\nNoch eine."


def test_no_channel_reads_the_source_line_out_of_the_text() -> None:
    from pathlib import Path

    for path in Path(fmt.__file__).parent.rglob("*.py"):
        assert "Quelle" not in path.read_text(encoding="utf-8"), f"{path} parses the source line"


# --- Telegram -------------------------------------------------------------------------


def test_telegram_escapes_html_and_links_addresses() -> None:
    rendered = telegram_html('A & B <i> "x" see https://example.org/a?b=1&c=2.')
    assert rendered == (
        'A &amp; B &lt;i&gt; "x" see <a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a>.'
    )


def test_telegram_links_the_source_and_adds_feedback_under_fact_answers() -> None:
    [message] = telegram_messages(text_of("Hilft & schadet <kaum>."), BUTTONS, answer("Hilft & schadet <kaum>."))
    assert message["parse_mode"] == "HTML"
    assert message["text"].startswith("Hilft &amp; schadet &lt;kaum&gt;.\nQuelle: ")
    assert f'<a href="{URL}">{URL}</a>' in message["text"]
    assert message["text"].endswith(DISCLAIMER)
    rows = message["reply_markup"]["inline_keyboard"]
    assert rows[:-1] == [[{"text": b["title"], "callback_data": b["payload"]}] for b in BUTTONS]
    assert rows[-1] == [
        {"text": HELPFUL, "callback_data": FEEDBACK_HELPFUL},
        {"text": NOT_HELPFUL, "callback_data": FEEDBACK_NOT_HELPFUL},
    ]


def test_telegram_source_line_without_the_address_gets_a_link_after_it() -> None:
    line = "Quelle: IQWiG, „Passive Behandlungen“"
    [message] = telegram_messages(None, [], answer("Kurz.", source=line))
    assert f'{line} <a href="{URL}">{texts().get("channels.telegram.source_link")}</a>' in message["text"]


@pytest.mark.parametrize("kind", ["topic", "quote", "safety"])
def test_no_feedback_under_anything_but_fact_answers(kind: str) -> None:
    for render in (telegram_messages, facebook_messages):
        messages = render(None, BUTTONS, answer("Kurz.", kind=kind))
        assert FEEDBACK_HELPFUL not in str(messages)
    assert HELPFUL not in "".join(whatsapp_messages(None, BUTTONS, answer("Kurz.", kind=kind)))
    assert FEEDBACK_HELPFUL not in str(telegram_messages("Eine Antwort ohne Struktur.", BUTTONS))


def test_telegram_splits_long_answers_within_4096_after_escaping() -> None:
    messages = telegram_messages(None, BUTTONS, answer(long_body(150)))
    assert len(messages) > 1
    assert all(len(m["text"]) <= TELEGRAM_TEXT_LIMIT for m in messages)
    assert "reply_markup" in messages[-1] and all("reply_markup" not in m for m in messages[:-1])
    assert "Quelle:" in messages[-1]["text"] and messages[-1]["text"].endswith(DISCLAIMER)


def test_telegram_drops_buttons_whose_payload_exceeds_64_bytes() -> None:
    too_long = {"title": "x", "payload": "/" + "a" * 64}
    [message] = telegram_messages("Hallo", [too_long])
    assert "reply_markup" not in message


def test_every_button_the_bot_offers_fits_telegram_callback_data(kb: KnowledgeBase) -> None:
    buttons = [*start_buttons(texts()), *therapy_choice_buttons(kb, None)]
    for therapy in kb.therapies:
        buttons += aspect_choice_buttons(kb, therapy)
        for aspect in kb.aspects:
            buttons += fact_answer(kb, texts(), Question((therapy,), (aspect,))).buttons
            buttons += therapy_choice_buttons(kb, aspect)
    payloads = [b["payload"] for b in rasa_buttons(buttons)] + [FEEDBACK_HELPFUL, FEEDBACK_NOT_HELPFUL]
    for payload in payloads:
        assert len(payload.encode()) <= TELEGRAM_CALLBACK_DATA_LIMIT, payload


# --- Facebook -------------------------------------------------------------------------


def test_facebook_quick_replies_at_most_13_with_short_titles() -> None:
    many = [{"title": f"Eine sehr lange Behandlung {i}", "payload": f"/p{i}"} for i in range(20)]
    [message] = facebook_messages("Welche?", many)
    replies = message["quick_replies"]
    assert len(replies) == 13
    assert all(len(r["title"]) <= 20 and r["content_type"] == "text" for r in replies)
    assert replies[0] == {"content_type": "text", "title": "Eine sehr lange Beh…", "payload": "/p0"}
    [fact] = facebook_messages(None, many, answer("Kurz."))
    assert len(fact["quick_replies"]) == 13 and [r["payload"] for r in fact["quick_replies"][-2:]] == [
        FEEDBACK_HELPFUL, FEEDBACK_NOT_HELPFUL
    ]  # fmt: skip


def test_facebook_splits_below_2000_at_sentence_boundaries() -> None:
    messages = facebook_messages(None, BUTTONS, answer(long_body(100)))
    assert len(messages) > 1
    assert all(len(m["text"]) < FACEBOOK_TEXT_LIMIT for m in messages)
    assert all(re.search(r"[.!?]$", m["text"]) for m in messages[:-1])
    assert_tail_intact([m["text"] for m in messages])
    assert [r["title"] for r in messages[-1]["quick_replies"]] == [b["title"] for b in BUTTONS] + [HELPFUL, NOT_HELPFUL]
    assert all("quick_replies" not in m for m in messages[:-1])


# --- WhatsApp -------------------------------------------------------------------------


def test_whatsapp_numbers_the_options_and_the_feedback_after_the_answer() -> None:
    [body] = whatsapp_messages(None, BUTTONS, answer("Kurz."))
    assert body == (
        f"Kurz.\n{SOURCE}\n{DISCLAIMER}\n\n"
        "1 – Nebenwirkungen\n2 – Kosten\n3 – Andere Behandlung\n"
        f"Hilfreich? 4 – {HELPFUL}   5 – {NOT_HELPFUL}\nAntworten Sie mit der Nummer."
    )


def test_whatsapp_leaves_the_feedback_out_where_it_would_crowd_the_answer() -> None:
    six = [*BUTTONS, *BUTTONS]
    [body] = whatsapp_messages(None, six, answer("Kurz."))
    assert HELPFUL not in body and "6 – Andere Behandlung" in body
    bodies = whatsapp_messages(None, BUTTONS, answer(long_body(80)))  # more than one message
    assert len(bodies) > 1 and HELPFUL not in "".join(bodies)


def test_whatsapp_long_answer_keeps_source_with_disclaimer_and_limit() -> None:
    bodies = whatsapp_messages(None, BUTTONS, answer(long_body(80)))
    assert all(len(b) <= WHATSAPP_TEXT_LIMIT for b in bodies)
    tail_at = [i for i, b in enumerate(bodies) if "Quelle:" in b]
    assert len(tail_at) == 1 and f"{SOURCE}\n{DISCLAIMER}" in bodies[tail_at[0]]
    assert "1 – Nebenwirkungen" in bodies[-1]


@pytest.mark.parametrize(
    ("reply", "payload"),
    [
        ("1", BUTTONS[0]["payload"]),
        (" 2 ", BUTTONS[1]["payload"]),
        ("3.", "/inform_therapy"),
        ("2)", BUTTONS[1]["payload"]),
    ],
)
def test_a_bare_number_picks_that_option(reply: str, payload: str) -> None:
    assert resolve_numbered_reply(reply, BUTTONS) == payload


@pytest.mark.parametrize("reply", ["0", "4", "12", "2 Kosten", "zwei", "", "1.5"])
def test_other_replies_are_left_to_the_nlu(reply: str) -> None:
    assert resolve_numbered_reply(reply, BUTTONS) is None


def test_last_offered_options_are_those_since_the_last_user_message_with_the_feedback_shown() -> None:
    events = [
        {"event": "user", "text": "Hilft Akupunktur?"},
        {"event": "bot", "text": "Antwort", "data": {"buttons": BUTTONS}, "metadata": {"answer": answer("Kurz.")}},
        {"event": "action", "name": "action_listen"},
    ]
    options = last_offered_options(events)
    assert options[:3] == BUTTONS and [o["payload"] for o in options[3:]] == [FEEDBACK_HELPFUL, FEEDBACK_NOT_HELPFUL]
    assert resolve_numbered_reply("5", options) == FEEDBACK_NOT_HELPFUL
    assert last_offered_buttons(events) == BUTTONS
    assert last_offered_options([*events, {"event": "user", "text": "1"}]) == []
    assert last_offered_options([*events, {"event": "user"}, {"event": "bot", "data": {}}]) == []


# --- the real answers -----------------------------------------------------------------


@pytest.mark.parametrize("channel", ["telegram", "facebook", "whatsapp"])
def test_real_answers_keep_source_and_disclaimer_on_every_channel(kb: KnowledgeBase, channel: str) -> None:
    answers = [fact_answer(kb, texts(), Question((t,), (a,))) for t in kb.therapies for a in kb.aspects]
    messages = [answer_message(a) for a in answers]
    messages += [answer_message(topic_answer(kb, texts(), topic), kind="topic") for topic in ("uebersicht",)]
    for message in messages:
        args = (message["text"], message["buttons"], message["answer"])
        if channel == "telegram":
            rendered = [re.sub(r"<[^>]+>", "", m["text"]) for m in telegram_messages(*args)]
        elif channel == "facebook":
            rendered = [m["text"] for m in facebook_messages(*args)]
        else:
            rendered = whatsapp_messages(*args)
        holding = [t for t in rendered if "Quelle:" in t]
        assert len(holding) == 1, rendered
        assert kb.disclaimer in holding[0]
        assert holding[0].index("Quelle:") < holding[0].index(kb.disclaimer)
