"""The answer composer: text, `Quelle:` line, disclaimer and buttons, without Rasa."""

from __future__ import annotations

from bot.content.answers import OTHER_THERAPY, fact_answer, source_line, therapy_choice_buttons, topic_answer
from bot.content.knowledge import KnowledgeBase


def test_fact_answer_is_body_then_source_then_disclaimer(kb: KnowledgeBase) -> None:
    answer = fact_answer(kb, ["akupunktur"], "wirksamkeit")
    lines = answer.text.split("\n")
    assert answer.body == kb.fact("akupunktur", "wirksamkeit").text
    assert lines[-1] == kb.disclaimer
    assert lines[-2].startswith("Quelle: IQWiG, gesundheitsinformation.de")
    assert "Abschnitte „Akupunktur“ und „Einleitung“" in lines[-2]
    assert "Stand 20.08.2025" in lines[-2] and kb.page.url in lines[-2]


def test_buttons_offer_the_other_aspects_and_another_treatment(kb: KnowledgeBase) -> None:
    answer = fact_answer(kb, ["massage"], "risiken")
    aspects = [b.aspect for b in answer.buttons if b.aspect]
    assert sorted(aspects) == ["kosten", "methode", "wirksamkeit"]
    assert all(b.therapy == "massage" for b in answer.buttons if b.aspect)
    assert answer.buttons[-1].topic == OTHER_THERAPY


def test_two_therapies_are_answered_together_with_both_sections(kb: KnowledgeBase) -> None:
    answer = fact_answer(kb, ["akupunktur", "osteopathie"], "wirksamkeit")
    assert kb.fact("akupunktur", "wirksamkeit").text in answer.body
    assert kb.fact("osteopathie", "wirksamkeit").text in answer.body
    assert "Abschnitte" in answer.source_line and "„Osteopathie“" in answer.source_line


def test_source_line_cites_references(kb: KnowledgeBase) -> None:
    line = source_line(kb, [kb.topic("warnzeichen")])
    assert line.startswith("Quelle: Chenot JF")
    assert "2017" in line


def test_warning_answer_has_no_buttons_and_no_treatment_facts(kb: KnowledgeBase) -> None:
    answer = topic_answer(kb, "warnzeichen")
    assert answer.buttons == ()
    assert answer.text.endswith(kb.disclaimer)
    for fact in kb.facts.values():
        assert fact.text not in answer.text


def test_therapy_choice_fits_messenger_limits(kb: KnowledgeBase) -> None:
    buttons = therapy_choice_buttons(kb, "kosten")
    assert 5 <= len(buttons) <= 13  # Facebook allows at most 13 quick replies
    assert all(len(b.title) <= 20 for b in buttons)
    assert {b.therapy for b in buttons} >= {"akupunktur", "massage", "osteopathie", "elektrotherapie"}
    assert "tens" not in {b.therapy for b in buttons}, "group members are reached by typing"
