"""Custom actions, run against rasa-sdk's Tracker and CollectingDispatcher."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import payload
from actions.fact_answers import ActionAnswerFact
from actions.introduction import ActionIntroduce
from bot.content.answers import Button
from bot.content.knowledge import KnowledgeBase


def tracker(intent: str, entities: list[str] = (), **slots: Any) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "test-user",
            "slots": {"therapy": None, "aspect": None, **slots},
            "latest_message": {
                "text": "…",
                "intent": {"name": intent, "confidence": 0.99},
                "entities": [{"entity": "therapy", "value": value} for value in entities],
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def run(action: Any, state: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, state, {}))
    return dispatcher.messages, events


def test_fact_question_is_answered_and_sets_both_slots(kb: KnowledgeBase) -> None:
    messages, events = run(ActionAnswerFact(), tracker("ask_effectiveness", ["akupunktur"]))
    assert len(messages) == 1
    text = messages[0]["text"]
    assert text.startswith(kb.fact("akupunktur", "wirksamkeit").text)
    assert "\nQuelle: " in text and text.endswith(kb.disclaimer)
    assert events == [SlotSet("therapy", "akupunktur"), SlotSet("aspect", "wirksamkeit")]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/ask_risks{"therapy": "akupunktur"}' in payloads
    assert "/inform_therapy" in payloads


def test_follow_up_without_therapy_uses_the_slot(kb: KnowledgeBase) -> None:
    messages, events = run(ActionAnswerFact(), tracker("ask_risks", therapy="akupunktur", aspect="wirksamkeit"))
    assert messages[0]["text"].startswith(kb.fact("akupunktur", "risiken").text)
    assert events == [SlotSet("therapy", "akupunktur"), SlotSet("aspect", "risiken")]


def test_follow_up_with_only_a_therapy_keeps_the_aspect(kb: KnowledgeBase) -> None:
    messages, events = run(
        ActionAnswerFact(), tracker("inform_therapy", ["massage"], therapy="massage", aspect="risiken")
    )
    assert messages[0]["text"].startswith(kb.fact("massage", "risiken").text)
    assert events == [SlotSet("therapy", "massage"), SlotSet("aspect", "risiken")]


def test_costs_follow_up(kb: KnowledgeBase) -> None:
    messages, _ = run(ActionAnswerFact(), tracker("ask_costs", therapy="massage", aspect="risiken"))
    assert messages[0]["text"].startswith(kb.fact("massage", "kosten").text)


def test_question_without_any_therapy_asks_which_one() -> None:
    messages, events = run(ActionAnswerFact(), tracker("ask_method"))
    assert messages[0]["response"] == "utter_ask_therapy"
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/ask_method{"therapy": "osteopathie"}' in payloads
    assert events == [SlotSet("aspect", "methode")]


def test_cost_question_without_therapy_gets_the_general_statement(kb: KnowledgeBase) -> None:
    messages, events = run(ActionAnswerFact(), tracker("ask_costs"))
    assert messages[0]["text"].startswith(kb.topic("kosten_allgemein").text)
    assert messages[0]["text"].endswith(kb.disclaimer)
    assert '/ask_costs{"therapy": "akupunktur"}' in [b["payload"] for b in messages[0]["buttons"]]
    assert events == [SlotSet("aspect", "kosten")]


def test_another_treatment_asks_anew_even_with_a_remembered_therapy() -> None:
    messages, events = run(ActionAnswerFact(), tracker("inform_therapy", therapy="akupunktur", aspect="kosten"))
    assert messages[0]["response"] == "utter_ask_therapy"
    assert events == [SlotSet("aspect", "kosten")]


def test_therapy_alone_asks_what_about_it(kb: KnowledgeBase) -> None:
    messages, events = run(ActionAnswerFact(), tracker("inform_therapy", ["kinesio_taping"]))
    assert messages[0]["response"] == "utter_ask_aspect"
    assert messages[0]["therapy_name"] == kb.therapies["kinesio_taping"].name
    assert len(messages[0]["buttons"]) == 4
    assert events == [SlotSet("therapy", "kinesio_taping")]


def test_two_therapies_in_one_question(kb: KnowledgeBase) -> None:
    messages, events = run(ActionAnswerFact(), tracker("ask_risks", ["akupunktur", "massage"]))
    assert kb.fact("massage", "risiken").text in messages[0]["text"]
    assert kb.fact("akupunktur", "risiken").text in messages[0]["text"]
    assert events[0] == SlotSet("therapy", "akupunktur")


def test_warning_signs_get_urgent_advice_only(kb: KnowledgeBase) -> None:
    messages, events = run(ActionAnswerFact(), tracker("warning_signs", therapy="massage"))
    assert len(messages) == 1
    assert messages[0]["text"].startswith(kb.topic("warnzeichen").text)
    assert "112" in messages[0]["text"] and "116117" in messages[0]["text"]
    assert messages[0]["buttons"] == []
    assert events == []


def test_general_topics_are_answered_from_the_fact_store(kb: KnowledgeBase) -> None:
    for intent, topic in [
        ("ask_overview", "uebersicht"),
        ("ask_active_treatments", "aktive_behandlungen"),
        ("ask_source", "quellen"),
    ]:
        messages, _ = run(ActionAnswerFact(), tracker(intent))
        assert messages[0]["text"].startswith(kb.topic(topic).text)
        assert "\nQuelle: " in messages[0]["text"]


def test_introduction_fills_in_the_disclaimer(kb: KnowledgeBase) -> None:
    messages, events = run(ActionIntroduce(), tracker("greet"))
    assert messages[0]["response"] == "utter_intro"
    assert messages[0]["disclaimer"] == kb.disclaimer
    assert len(messages[0]["buttons"]) >= 3
    assert events == []


def test_payloads_are_rasa_intent_payloads() -> None:
    assert payload(Button("Kosten", therapy="tens", aspect="kosten")) == '/ask_costs{"therapy": "tens"}'
    assert payload(Button("Akupunktur", therapy="akupunktur")) == '/inform_therapy{"therapy": "akupunktur"}'
    assert payload(Button("Übersicht", topic="uebersicht")) == "/ask_overview"
