"""Per-channel formatting (bot.server.messenger_format), without Rasa or any network.

Not marked `channels`: these are fast unit tests and run with `make test-unit`.
"""

from __future__ import annotations

import re

import pytest

from actions.conversation import answer_message, rasa_buttons
from bot.content.answers import aspect_choice_buttons, fact_answer, start_buttons, therapy_choice_buttons, topic_answer
from bot.content.knowledge import KnowledgeBase
from bot.server.messenger_format import (
    FACEBOOK_TEXT_LIMIT,
    TELEGRAM_CALLBACK_DATA_LIMIT,
    TELEGRAM_TEXT_LIMIT,
    WHATSAPP_TEXT_LIMIT,
    facebook_messages,
    last_offered_buttons,
    resolve_numbered_reply,
    split_reply,
    split_source_tail,
    split_text,
    telegram_html,
    telegram_messages,
    whatsapp_messages,
)

SOURCE = (
    "Quelle: IQWiG, gesundheitsinformation.de, „Passive Behandlungen“, Abschnitt „Akupunktur“ "
    "(Stand 20.08.2025): https://www.gesundheitsinformation.de/passive.html"
)
DISCLAIMER = "Hinweis: Ich bin ein Informations-Bot und ersetze kein Gespräch mit Ihrer Ärztin oder Ihrem Arzt."
BUTTONS = [
    {"title": "Nebenwirkungen", "payload": '/ask_risks{"therapy": "akupunktur"}'},
    {"title": "Kosten", "payload": '/ask_costs{"therapy": "akupunktur"}'},
    {"title": "Andere Behandlung", "payload": "/inform_therapy"},
]


def long_body(sentences: int) -> str:
    return " ".join(f"Satz Nummer {i} erklärt etwas über Akupunktur & Co. <wichtig>." for i in range(sentences))


def factual(body: str) -> str:
    return f"{body}\n{SOURCE}\n{DISCLAIMER}"


def assert_tail_intact(chunks: list[str]) -> None:
    """Exactly one chunk holds the source line, immediately followed by the disclaimer, at its end."""
    holding = [c for c in chunks if "Quelle:" in c]
    assert len(holding) == 1 and holding[0] is chunks[-1], chunks
    assert chunks[-1].endswith("Quelle:" + SOURCE.split("Quelle:")[1] + "\n" + DISCLAIMER)


# --- splitting ------------------------------------------------------------------------


def test_source_tail_is_the_source_line_and_everything_after_it() -> None:
    body, tail = split_source_tail(factual("Antwort."))
    assert body == "Antwort."
    assert tail == f"{SOURCE}\n{DISCLAIMER}"
    assert split_source_tail("Hallo!") == ("Hallo!", "")


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
        chunks = split_reply(factual(long_body(sentences)), 2000)
        assert all(len(c) <= 2000 for c in chunks)
        assert_tail_intact(chunks)


def test_tail_goes_alone_when_it_does_not_fit_after_the_body() -> None:
    body = "a" * 900 + "."
    chunks = split_reply(factual(body), 1000)
    assert chunks == [body, f"{SOURCE}\n{DISCLAIMER}"]


# --- Telegram -------------------------------------------------------------------------


def test_telegram_escapes_html_and_links_the_source() -> None:
    rendered = telegram_html('A & B <i> "x" see https://example.org/a?b=1&c=2.')
    assert rendered == (
        'A &amp; B &lt;i&gt; "x" see <a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a>.'
    )


def test_telegram_message_has_inline_keyboard_and_html() -> None:
    [message] = telegram_messages(factual("Hilft & schadet <kaum>."), BUTTONS)
    assert message["parse_mode"] == "HTML"
    assert message["text"].startswith("Hilft &amp; schadet &lt;kaum&gt;.\nQuelle: ")
    assert '<a href="https://www.gesundheitsinformation.de/passive.html">' in message["text"]
    assert message["text"].endswith(DISCLAIMER)
    rows = message["reply_markup"]["inline_keyboard"]
    assert rows == [[{"text": b["title"], "callback_data": b["payload"]}] for b in BUTTONS]


def test_telegram_splits_long_answers_within_4096_after_escaping() -> None:
    messages = telegram_messages(factual(long_body(150)), BUTTONS)
    assert len(messages) > 1
    assert all(len(m["text"]) <= TELEGRAM_TEXT_LIMIT for m in messages)
    assert "reply_markup" in messages[-1] and all("reply_markup" not in m for m in messages[:-1])
    assert "Quelle:" in messages[-1]["text"] and messages[-1]["text"].endswith(DISCLAIMER)


def test_telegram_drops_buttons_whose_payload_exceeds_64_bytes() -> None:
    too_long = {"title": "x", "payload": "/" + "a" * 64}
    [message] = telegram_messages("Hallo", [too_long])
    assert "reply_markup" not in message


def test_every_button_the_bot_offers_fits_telegram_callback_data(kb: KnowledgeBase) -> None:
    buttons = [*start_buttons(kb), *therapy_choice_buttons(kb, None)]
    for therapy in kb.therapies:
        buttons += aspect_choice_buttons(kb, therapy)
        for aspect in kb.aspects:
            buttons += fact_answer(kb, [therapy], aspect).buttons
            buttons += therapy_choice_buttons(kb, aspect)
    for button in rasa_buttons(buttons):
        assert len(button["payload"].encode()) <= TELEGRAM_CALLBACK_DATA_LIMIT, button


# --- Facebook -------------------------------------------------------------------------


def test_facebook_quick_replies_at_most_13_with_short_titles() -> None:
    many = [{"title": f"Eine sehr lange Behandlung {i}", "payload": f"/p{i}"} for i in range(20)]
    [message] = facebook_messages("Welche?", many)
    replies = message["quick_replies"]
    assert len(replies) == 13
    assert all(len(r["title"]) <= 20 and r["content_type"] == "text" for r in replies)
    assert replies[0] == {"content_type": "text", "title": "Eine sehr lange Beh…", "payload": "/p0"}


def test_facebook_splits_below_2000_at_sentence_boundaries() -> None:
    messages = facebook_messages(factual(long_body(100)), BUTTONS)
    assert len(messages) > 1
    assert all(len(m["text"]) < FACEBOOK_TEXT_LIMIT for m in messages)
    assert all(re.search(r"[.!?]$", m["text"]) for m in messages[:-1])
    assert_tail_intact([m["text"] for m in messages])
    assert [r["title"] for r in messages[-1]["quick_replies"]] == [b["title"] for b in BUTTONS]
    assert all("quick_replies" not in m for m in messages[:-1])


# --- WhatsApp -------------------------------------------------------------------------


def test_whatsapp_numbers_the_options_after_the_answer() -> None:
    [body] = whatsapp_messages(factual("Kurz."), BUTTONS)
    assert body == (
        f"Kurz.\n{SOURCE}\n{DISCLAIMER}\n\n"
        "1 – Nebenwirkungen\n2 – Kosten\n3 – Andere Behandlung\nAntworten Sie mit der Nummer."
    )


def test_whatsapp_long_answer_keeps_source_with_disclaimer_and_limit() -> None:
    bodies = whatsapp_messages(factual(long_body(80)), BUTTONS)
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


def test_last_offered_buttons_are_those_since_the_last_user_message() -> None:
    events = [
        {"event": "user", "text": "Hilft Akupunktur?"},
        {"event": "bot", "text": "Antwort", "data": {"buttons": BUTTONS}},
        {"event": "action", "name": "action_listen"},
    ]
    assert last_offered_buttons(events) == BUTTONS
    assert last_offered_buttons([*events, {"event": "user", "text": "1"}]) == []
    assert last_offered_buttons([*events, {"event": "user"}, {"event": "bot", "data": {}}]) == []


# --- the real answers -----------------------------------------------------------------


@pytest.mark.parametrize("channel", ["telegram", "facebook", "whatsapp"])
def test_real_answers_keep_source_and_disclaimer_on_every_channel(kb: KnowledgeBase, channel: str) -> None:
    answers = [fact_answer(kb, [t], a) for t in kb.therapies for a in kb.aspects]
    answers += [topic_answer(kb, topic) for topic in ("uebersicht", "aktive_behandlungen", "quellen")]
    for answer in answers:
        message = answer_message(answer)
        if channel == "telegram":
            texts = [m["text"] for m in telegram_messages(message["text"], message["buttons"])]
        elif channel == "facebook":
            texts = [m["text"] for m in facebook_messages(message["text"], message["buttons"])]
        else:
            texts = whatsapp_messages(message["text"], message["buttons"])
        holding = [t for t in texts if "Quelle:" in t]
        assert len(holding) == 1, texts
        assert kb.disclaimer in holding[0]
        assert holding[0].index("Quelle:") < holding[0].index(kb.disclaimer)
