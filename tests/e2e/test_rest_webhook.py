"""End to end: the real action server and Rasa server, questions over the REST webhook."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.content.knowledge import KnowledgeBase
from tests.servers import Stack, running_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(Path(tmp_path_factory.mktemp("stack"))) as servers:
        yield servers


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def new_sender() -> str:
    return str(uuid.uuid4())


def assert_factual(replies: list[dict], kb: KnowledgeBase) -> str:
    text = texts(replies)
    assert re.search(r"^Quelle: .+", text, re.M), text
    assert text.rstrip().endswith(kb.disclaimer), text
    return text


def test_effectiveness_question(stack: Stack, kb: KnowledgeBase) -> None:
    replies = stack.say(new_sender(), "hilft akkupunktur bei rückenschmerzen?")
    text = assert_factual(replies, kb)
    assert kb.fact("akupunktur", "wirksamkeit").text in text
    assert re.search(r"^Quelle: .*Abschnitte? „Akupunktur“", text, re.M), text
    assert any(b["payload"].startswith("/ask_risks") for b in replies[-1].get("buttons", []))


def test_follow_ups_use_context(stack: Stack, kb: KnowledgeBase) -> None:
    sender = new_sender()
    assert kb.fact("akupunktur", "wirksamkeit").text in texts(stack.say(sender, "Hilft Akupunktur?"))
    assert kb.fact("akupunktur", "risiken").text in assert_factual(stack.say(sender, "Und die Nebenwirkungen?"), kb)
    assert kb.fact("massage", "risiken").text in assert_factual(stack.say(sender, "Und bei Massagen?"), kb)
    assert kb.fact("massage", "kosten").text in assert_factual(stack.say(sender, "Wer zahlt das?"), kb)


def test_question_without_therapy_is_clarified_by_a_button(stack: Stack, kb: KnowledgeBase) -> None:
    sender = new_sender()
    replies = stack.say(sender, "Ist das gefährlich?")
    buttons = replies[-1].get("buttons", [])
    osteopathie = [b["payload"] for b in buttons if b["title"] == kb.therapies["osteopathie"].name]
    assert osteopathie, replies
    assert kb.fact("osteopathie", "risiken").text in assert_factual(stack.say(sender, osteopathie[0]), kb)


def test_warning_signs_come_first(stack: Stack, kb: KnowledgeBase) -> None:
    replies = stack.say(new_sender(), "ich kann seit heute morgen mein linkes bein kaum noch bewegen")
    text = texts(replies)
    assert "112" in text and "116117" in text
    assert "Chenot" in text
    assert not any(fact.text in text for fact in kb.facts.values())


def test_greeting_introduces_the_bot_with_the_disclaimer(stack: Stack, kb: KnowledgeBase) -> None:
    replies = stack.say(new_sender(), "Hallo")
    text = texts(replies)
    assert "Rückenbot" in text and kb.disclaimer in text
    assert len(replies[-1].get("buttons", [])) >= 3


def test_out_of_scope_and_advice_do_not_guess(stack: Stack, kb: KnowledgeBase) -> None:
    advice = texts(stack.say(new_sender(), "Soll ich mir Akupunktur machen lassen?"))
    assert "Ärztin" in advice and not any(f.text in advice for f in kb.facts.values())
    other = texts(stack.say(new_sender(), "welche tabletten helfen gegen migräne"))
    assert "passiven Behandlungen" in other and not any(f.text in other for f in kb.facts.values())


def test_conversation_survives_a_restart_of_the_rasa_server(stack: Stack, kb: KnowledgeBase) -> None:
    sender = new_sender()
    stack.say(sender, "Was ist Osteopathie?")
    stack.stop("rasa")
    stack.start_rasa()
    assert kb.fact("osteopathie", "kosten").text in texts(stack.say(sender, "und was kostet das"))
