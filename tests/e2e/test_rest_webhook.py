"""End to end: the real action server and Rasa server, questions over the REST webhook.

The DESIGN contracts as a REST client sees them: every fact answer carries its `Quelle:`
line and ends with the one disclaimer; `answer.cells` says which (treatment, aspect) it
answers; warning signs get the instruction to call 112 first, with nothing else."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bot.content.knowledge import KnowledgeBase
from tests.servers import Stack

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def cells(replies: list[dict]) -> list[list[str]]:
    return [cell for r in replies for cell in (r.get("answer") or {}).get("cells") or []]


def new_sender() -> str:
    return str(uuid.uuid4())


def assert_factual(replies: list[dict], kb: KnowledgeBase) -> list[list[str]]:
    text = texts(replies)
    assert re.search(r"^Quelle: .+", text, re.M), text
    assert text.rstrip().endswith(kb.disclaimer), text
    return cells(replies)


def test_effectiveness_question_rests_on_the_page(stack: Stack, kb: KnowledgeBase) -> None:
    replies = stack.say(new_sender(), "Hilft Akupunktur bei chronischen Rückenschmerzen?")
    assert assert_factual(replies, kb) == [["akupunktur", "wirksamkeit"]]
    answer = replies[0]["answer"]
    assert answer["claims"][0] == kb.verdict("akupunktur").id
    assert answer["source"]["url"] == kb.page.url and "Abschnitt „Akupunktur“" in answer["source"]["line"]


def test_follow_ups_use_context(stack: Stack, kb: KnowledgeBase) -> None:
    sender = new_sender()
    assert assert_factual(stack.say(sender, "Hilft Akupunktur?"), kb) == [["akupunktur", "wirksamkeit"]]
    assert assert_factual(stack.say(sender, "Und die Nebenwirkungen?"), kb) == [["akupunktur", "risiken"]]
    assert assert_factual(stack.say(sender, "Und bei Massagen?"), kb) == [["massage", "risiken"]]
    assert assert_factual(stack.say(sender, "Wer zahlt das?"), kb) == [["massage", "kosten"]]


def test_question_without_therapy_is_clarified_by_a_button(stack: Stack, kb: KnowledgeBase) -> None:
    sender = new_sender()
    replies = stack.say(sender, "Welche Nebenwirkungen gibt es?")
    buttons = [b for r in replies for b in r.get("buttons", [])]
    osteopathie = [b["payload"] for b in buttons if b["title"] == kb.therapies["osteopathie"].name]
    assert osteopathie, replies
    assert assert_factual(stack.say(sender, osteopathie[0]), kb) == [["osteopathie", "risiken"]]


def test_warning_signs_come_first_and_alone(stack: Stack, kb: KnowledgeBase) -> None:
    sender = new_sender()
    stack.say(sender, "Hilft Massage?")
    replies = stack.say(sender, "Seit heute früh kann ich mein linkes Bein nicht mehr heben, was kostet Massage?")
    assert len(replies) == 1 and not replies[0].get("buttons")
    assert replies[0]["text"].splitlines()[0] == "Rufen Sie jetzt den Notruf 112."
    assert replies[0]["answer"]["kind"] == "safety"
    assert not any(claim.text in replies[0]["text"] for claim in kb.claims.values())


def test_an_emergency_beyond_the_back_gets_112_first_and_its_own_reason(stack: Stack) -> None:
    # gas smelt indoors, told beside a question about a treatment: the sign `gas`, not poisoning by tablets
    safety = YAML(typ="safe").load((ROOT / "knowledge" / "safety.yml").read_text(encoding="utf-8"))
    replies = stack.say(new_sender(), "Im Flur riecht es stark nach Gas und mir ist schwindlig. Hilft TENS?")
    lines = replies[0]["text"].splitlines()
    assert lines[0] == "Rufen Sie jetzt den Notruf 112."
    assert safety["signs"]["gas"]["why"] in lines
    assert replies[0]["answer"]["kind"] == "safety"


def test_a_question_about_the_signs_gets_them_as_information(stack: Stack) -> None:
    # the question's words stand far apart ("ab wann" … "gleich zum Arzt"): asks_for_signs_in_a_sentence
    safety = YAML(typ="safe").load((ROOT / "knowledge" / "safety.yml").read_text(encoding="utf-8"))
    replies = stack.say(new_sender(), "Ab wann sollte man mit Kreuzschmerzen besser gleich zum Arzt gehen?")
    assert replies[0]["text"].splitlines()[0] == safety["signs_info"]["lead"]
    assert replies[0]["answer"]["kind"] == "signs_info"


def test_a_crisis_gets_the_crisis_line(stack: Stack) -> None:
    replies = stack.say(new_sender(), "Ich will nicht mehr leben, die Schmerzen jeden Tag sind zu viel.")
    assert "0800 111 0 111" in texts(replies) and replies[0]["answer"]["kind"] == "safety"


def test_greeting_introduces_the_bot_with_the_disclaimer(stack: Stack, kb: KnowledgeBase) -> None:
    text = texts(stack.say(new_sender(), "Hallo"))
    assert "Rückenbot" in text and kb.disclaimer in text


def test_other_conditions_and_off_topic_requests_are_declined(stack: Stack, kb: KnowledgeBase) -> None:
    migraine = texts(stack.say(new_sender(), "Hilft Akupunktur bei Migräne?"))
    assert "Über Kopfschmerzen und Migräne sagt sie nichts" in migraine
    assert not any(claim.text in migraine for claim in kb.claims.values())
    cake = stack.say(new_sender(), "Hast du ein Rezept für Apfelkuchen?")
    assert "Dazu kann ich leider nichts sagen" in texts(cake) and not cells(cake)
    # a doctor to go to: the page names no one
    search = stack.say(new_sender(), "Können Sie mir einen Orthopäden in Leipzig empfehlen?")
    assert "Über Adressen von Praxen, Ärztinnen und Ärzten sagt sie nichts" in texts(search) and not cells(search)


def test_a_pregnancy_gets_a_treatments_risks_after_a_note_and_is_declined_otherwise(
    stack: Stack, kb: KnowledgeBase
) -> None:
    risks = stack.say(new_sender(), "Ich bin schwanger. Ist eine Massage am Rücken gefährlich?")
    assert risks[0]["text"].startswith("Über die Schwangerschaft sagt die Seite nichts. Ob die Behandlung jetzt")
    assert set(risks[0]["answer"]["claims"]) & {c.id for c in kb.claims_of("massage", "risiken")}
    # whether it helps in a pregnancy: the page's studies are not about it
    helps = texts(stack.say(new_sender(), "Ich bin schwanger und habe Rückenschmerzen. Hilft Akupunktur?"))
    assert "Über die Schwangerschaft sagt sie nichts" in helps
    assert not any(claim.text in helps for claim in kb.claims.values())


def test_two_kinds_of_one_treatment_compared_are_told_apart(stack: Stack, kb: KnowledgeBase) -> None:
    replies = stack.say(new_sender(), "Der Interferenzstrom ist doch stärker als TENS, oder?")
    claims = replies[0]["answer"]["claims"]
    assert claims[0] == kb.verdict("interferenztherapie").id  # the group's verdict, once
    assert {"interferenztherapie.was_ist", "tens.was_ist"} <= set(claims)


def test_personal_advice_refers_first_then_gives_facts(stack: Stack) -> None:
    replies = stack.say(new_sender(), "Ich nehme Marcumar. Soll ich trotzdem zur Akupunktur gehen?")
    assert replies[0]["text"].startswith("Ob eine Behandlung für Sie persönlich sinnvoll ist")
    assert replies[0]["answer"]["claims"][0] == "allgemein.einzelfall"
    assert "akupunktur.blutungen" in replies[0]["answer"]["claims"]


def test_the_pages_words_behind_the_last_answer(stack: Stack, kb: KnowledgeBase) -> None:
    sender = new_sender()
    first = stack.say(sender, "Warum knackt es beim Einrenken?")
    quote = texts(stack.say(sender, "Was steht genau auf der Seite?"))
    claim = kb.claims[first[0]["answer"]["claims"][0]]
    assert claim.quotes[0] in quote and kb.page.url in quote


def test_feedback_is_thanked_and_keeps_the_context(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "Was ist Osteopathie?")
    assert texts(stack.say(sender, '/feedback{"helpful": false}')) == "Danke für Ihre Rückmeldung!"
    assert cells(stack.say(sender, "und was kostet das")) == [["osteopathie", "kosten"]]


def test_conversation_survives_a_restart_of_the_rasa_server(stack: Stack, kb: KnowledgeBase) -> None:
    sender = new_sender()
    stack.say(sender, "Was ist Osteopathie?")
    stack.stop("rasa")
    stack.start_rasa()
    assert assert_factual(stack.say(sender, "und was kostet das"), kb) == [["osteopathie", "kosten"]]
