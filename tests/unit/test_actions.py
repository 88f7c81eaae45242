"""Custom actions, run against rasa-sdk's Tracker and CollectingDispatcher (as in RasaHQ/financial-demo:
each test asserts the messages sent and the exact list of events returned)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import payload
from actions.decline import ActionDecline
from actions.fact_answers import ActionAnswerFact
from actions.feedback import ActionFeedback
from actions.introduction import ActionIntroduce
from actions.safety import ActionSafetyReply
from bot.content.answers import Button
from bot.content.knowledge import KnowledgeBase


def tracker(intent: str, entities: list[tuple[str, ...]] | list[str] = (), text: str = "…", **slots: Any) -> Tracker:
    """An entity is a therapy id, (entity, value) or (entity, value, role)."""
    items = [("therapy", e) if isinstance(e, str) else e for e in entities]
    return Tracker.from_dict(
        {
            "sender_id": "test-user",
            "slots": {
                "therapy": None,
                "more_therapies": None,
                "earlier_therapy": None,
                "aspect": None,
                "claims": None,
                **slots,
            },
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 0.99},
                "entities": [
                    {
                        "entity": item[0],
                        "value": item[1],
                        "text": item[1],
                        **({"role": item[2]} if len(item) > 2 else {}),
                    }
                    for item in items
                ],
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def run(action: Any, state: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, state, {}))
    return dispatcher.messages, events


def slots(events: list[Any]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_fact_question_is_answered_with_structure_and_sets_the_slots(kb: KnowledgeBase) -> None:
    messages, events = run(ActionAnswerFact(), tracker("ask_effectiveness", ["akupunktur"]))
    assert len(messages) == 1
    message = messages[0]
    assert message["text"].startswith(kb.verdict("akupunktur").text)
    assert "\nQuelle: " in message["text"] and message["text"].endswith(kb.disclaimer)
    assert message["answer"]["kind"] == "fact" and message["answer"]["cells"] == [["akupunktur", "wirksamkeit"]]
    assert message["answer"]["source"]["url"] == kb.page.url
    assert events == [
        SlotSet("therapy", "akupunktur"),
        SlotSet("more_therapies", None),
        SlotSet("earlier_therapy", None),
        SlotSet("aspect", "wirksamkeit"),
        SlotSet("claims", list(message["answer"]["claims"])),
    ]
    payloads = [b["payload"] for b in message["buttons"]]
    assert (
        '/ask_risks{"therapy": "akupunktur"}' in payloads and "/inform_therapy" in payloads and "/ask_quote" in payloads
    )


def test_a_pregnancy_beside_a_risk_question_is_named_before_the_facts(kb: KnowledgeBase) -> None:
    # the entity's text may be "schwanger" or "pregnant": a state reads by its name from knowledge/scope.yml
    entities = ["akupunktur", ("condition", "schwangerschaft", "circumstance")]
    messages, _ = run(ActionAnswerFact(), tracker("ask_risks", entities, text="Akupunktur, bin schwanger: gefährlich?"))
    body = messages[0]["answer"]["body"]
    # the referral before the facts, and that the page's risks are not about a pregnancy (no reassurance)
    assert body.startswith("Über die Schwangerschaft sagt die Seite nichts. Ob die Behandlung jetzt für Sie in Frage")
    assert "bezieht sich nicht auf die Schwangerschaft:" in body
    assert set(messages[0]["answer"]["claims"]) & {c.id for c in kb.claims_of("akupunktur", "risiken")}


def test_follow_up_without_therapy_uses_the_slot() -> None:
    _, events = run(ActionAnswerFact(), tracker("ask_risks", therapy="akupunktur", aspect="wirksamkeit"))
    assert slots(events)["therapy"] == "akupunktur" and slots(events)["aspect"] == "risiken"


def test_a_follow_up_after_two_treatments_asks_about_both() -> None:
    # "Was ist TENS und was ist PENS?" then "und was kosten die beiden?"
    _, first = run(ActionAnswerFact(), tracker("ask_method", ["tens", "pens"]))
    assert slots(first)["therapy"] == "tens" and slots(first)["more_therapies"] == ["pens"]
    state = tracker("ask_costs", therapy="tens", more_therapies=["pens"], aspect="methode")
    messages, events = run(ActionAnswerFact(), state)
    assert messages[0]["answer"]["cells"] == [["tens", "kosten"], ["pens", "kosten"]]
    # after PENS and then TENS in turns of their own, "beide Verfahren" are these two
    _, second = run(ActionAnswerFact(), tracker("ask_method", ["tens"], therapy="pens", aspect="methode"))
    assert slots(second)["earlier_therapy"] == "pens"
    both = tracker("ask_effectiveness", text="Evidenz für beide Verfahren?", therapy="tens", earlier_therapy="pens")
    assert run(ActionAnswerFact(), both)[0][0]["answer"]["cells"] == [["pens", "wirksamkeit"], ["tens", "wirksamkeit"]]
    alone = tracker("ask_effectiveness", text="Und hilft das?", therapy="tens", earlier_therapy="pens")
    assert run(ActionAnswerFact(), alone)[0][0]["answer"]["cells"] == [["tens", "wirksamkeit"]]
    # a treatment named anew leaves the others behind
    _, named = run(ActionAnswerFact(), tracker("ask_costs", ["massage"], therapy="tens", more_therapies=["pens"]))
    assert slots(named)["therapy"] == "massage" and slots(named)["more_therapies"] is None


def test_follow_up_with_only_a_therapy_keeps_the_aspect() -> None:
    _, events = run(ActionAnswerFact(), tracker("inform_therapy", ["massage"], therapy="akupunktur", aspect="kosten"))
    assert slots(events)["therapy"] == "massage" and slots(events)["aspect"] == "kosten"


def test_a_sibling_described_after_a_group_member_is_that_sibling() -> None:
    """ "und das mit den Nadeln?" right after TENS is PENS (the other electrotherapy), not Akupunktur."""
    state = tracker("inform_therapy", ["akupunktur"], text="und das mit den Nadeln?", therapy="tens", aspect="risiken")
    _, events = run(ActionAnswerFact(), state)
    assert slots(events)["therapy"] == "pens" and slots(events)["aspect"] == "risiken"


def test_a_sibling_described_beside_the_member_talked_about_is_that_sibling() -> None:
    """ "und die Version mit Nadeln statt Pads?" right after TENS: PENS, neither Akupunktur nor TENS."""
    text = "und die Version mit Nadeln statt Pads?"
    state = tracker("inform_therapy", ["akupunktur", "tens"], text=text, therapy="tens", aspect="methode")
    state.latest_message["entities"][0]["text"] = "Nadeln"
    state.latest_message["entities"][1]["text"] = "Pads"
    assert slots(run(ActionAnswerFact(), state)[1])["therapy"] == "pens"
    # two treatments named outright beside the one talked about stay both
    state = tracker("ask_risks", ["akupunktur", "tens"], text="Akupunktur oder TENS?", therapy="tens")
    assert slots(run(ActionAnswerFact(), state)[1])["therapy"] == "akupunktur"


def test_a_treatment_named_as_not_meant_is_left_out() -> None:
    """ "Und die Variante ohne Nadeln, nur mit Elektroden auf der Haut?" right after PENS: TENS,
    not Akupunktur (the needles are what is not meant)."""
    text = "Und die Variante ohne Nadeln, nur mit Elektroden auf der Haut?"
    state = tracker("inform_therapy", ["akupunktur", "tens"], text=text, therapy="pens", aspect="methode")
    for entity, word in zip(state.latest_message["entities"], ("Nadeln", "Elektroden auf der Haut"), strict=True):
        entity.update(text=word, start=text.index(word), end=text.index(word) + len(word))
    messages, events = run(ActionAnswerFact(), state)
    assert messages[0]["answer"]["cells"] == [["tens", "methode"]]
    # alone, the treatment after "ohne" is still what the message is about ("Gibt es Massage ohne Öl?")
    alone = "Geht Akupunktur auch ohne Nadeln?"
    state = tracker("ask_method", ["akupunktur"], text=alone)
    state.latest_message["entities"][0].update(start=alone.index("Akupunktur"), end=alone.index("Akupunktur") + 10)
    assert run(ActionAnswerFact(), state)[0][0]["answer"]["cells"][0] == ["akupunktur", "methode"]


def test_a_request_for_advice_hears_first_the_aspect_its_question_sentence_asks() -> None:
    """A long story read as a request for personal advice that ends "Was kann beim Einrenken
    passieren?": the risks first, though a detail of another aspect was told before."""
    entities = [("therapy", "manipulation"), ("detail", "knacken", "erzaehlt"), ("asked", "risiken", "frage")]
    text = "Es knackte laut, danach ging es mir besser. Was kann beim Einrenken passieren?"
    state = tracker("ask_personal_advice", entities, text=text)
    assert run(ActionAnswerFact(), state)[0][0]["answer"]["cells"][0] == ["manipulation", "risiken"]


def test_a_description_in_the_words_of_the_treatment_talked_about_stays_with_it() -> None:
    """ "Und blutet das, wenn die da mit den Nadeln reinstechen?" right after PENS is still PENS,
    though needles alone would describe Akupunktur."""
    text = "Und blutet das, wenn die da mit den Nadeln reinstechen?"
    described = ("therapy", "akupunktur", None)
    state = tracker("ask_risks", [described], text=text, therapy="pens", aspect="methode")
    state.latest_message["entities"][0]["extractor"] = "TherapyDescriptions"
    assert slots(run(ActionAnswerFact(), state)[1])["therapy"] == "pens"
    # the needles named as a treatment of their own (the lexicon reads "Nadeln" as Akupunktur): still PENS
    named = tracker("ask_risks", [("therapy", "akupunktur")], text=text, therapy="pens")
    named.latest_message["entities"][0]["text"] = "Nadeln"
    assert slots(run(ActionAnswerFact(), named)[1])["therapy"] == "pens"
    # named outright, Akupunktur it is
    state = tracker("ask_risks", ["akupunktur"], text="Und blutet es bei Akupunktur mit den Nadeln?", therapy="pens")
    assert slots(run(ActionAnswerFact(), state)[1])["therapy"] == "akupunktur"


def test_a_treatment_named_outright_after_a_group_member_stays_itself() -> None:
    state = tracker("inform_therapy", ["akupunktur"], text="Und Akupunktur?", therapy="tens", aspect="risiken")
    assert slots(run(ActionAnswerFact(), state)[1])["therapy"] == "akupunktur"


def test_the_detail_decides_the_aspect_of_a_bare_treatment() -> None:
    state = tracker("inform_therapy", ["akupunktur", ("detail", "blutverduenner")], aspect="kosten")
    messages, events = run(ActionAnswerFact(), state)
    assert slots(events)["aspect"] == "risiken"
    assert messages[0]["answer"]["claims"][0] == "akupunktur.blutungen"


def test_two_aspects_asked_get_two_parts(kb: KnowledgeBase) -> None:
    state = tracker("ask_costs", ["massage", ("asked", "kosten"), ("asked", "risiken")])
    message = run(ActionAnswerFact(), state)[0][0]
    assert message["answer"]["cells"] == [["massage", "kosten"], ["massage", "risiken"]]


@pytest.mark.parametrize(
    ("text", "starts", "cells"),
    [
        # "Was ist TENS genau? Und ist es gefährlich?" filed as a risk question: what it is comes first
        ("Was ist TENS genau? Und ist es gefährlich?", (8, 0, 28), [["tens", "methode"], ["tens", "risiken"]]),
        # in one sentence the classifier's aspect stays first ("Wie soll TENS wirken, was ist die Idee?")
        ("Was ist die Idee von TENS, ist es gefährlich?", (19, 0, 30), [["tens", "risiken"], ["tens", "methode"]]),
    ],
)
def test_two_aspects_asked_in_two_question_sentences_are_answered_in_the_order_asked(
    text: str, starts: tuple[int, ...], cells: list[list[str]]
) -> None:
    state = tracker("ask_risks", ["tens", ("asked", "methode"), ("asked", "risiken")], text=text)
    for entity, start in zip(state.latest_message["entities"], starts, strict=True):
        entity["start"] = start
    assert run(ActionAnswerFact(), state)[0][0]["answer"]["cells"] == cells


def test_the_question_sentence_decides_the_aspect_before_the_classifier(kb: KnowledgeBase) -> None:
    # "Mein Orthopäde bietet mir Laser für 400 Euro an. Ist das sinnvoll?": filed as a cost question
    state = tracker("ask_costs", ["lasertherapie", ("asked", "wirksamkeit", "frage")])
    message = run(ActionAnswerFact(), state)[0][0]
    assert message["answer"]["cells"] == [["lasertherapie", "wirksamkeit"], ["lasertherapie", "kosten"]]
    assert message["text"].startswith(kb.verdict("lasertherapie").text)
    # without the role (the whole message asks both) the classifier's aspect comes first
    state = tracker("ask_costs", ["lasertherapie", ("asked", "wirksamkeit")])
    assert run(ActionAnswerFact(), state)[0][0]["answer"]["cells"][0] == ["lasertherapie", "kosten"]


def test_set_side_by_side_the_aspect_asked_leads(kb: KnowledgeBase) -> None:
    # "Welche Risiken bringt die Manipulation im Vergleich zur Mobilisation mit sich?"
    entities = ["manipulation", "mobilisation", ("asked", "risiken", "frage"), ("detail", "vergleich_offen", "frage")]
    message = run(ActionAnswerFact(), tracker("ask_risks", entities))[0][0]
    assert message["answer"]["cells"][0] == ["manipulation", "risiken"]
    assert kb.details["vergleich_offen"].silent not in message["text"]
    # "Akupunktur im Vergleich zu Massage?": nothing else asked, so whether one helps better
    state = tracker("ask_effectiveness", ["akupunktur", "massage", ("detail", "vergleich_offen", "frage")])
    assert run(ActionAnswerFact(), state)[0][0]["text"].startswith(kb.details["vergleich_offen"].silent)


def test_a_fact_question_that_asks_for_a_personal_decision_refers_first(kb: KnowledgeBase) -> None:
    # "Soll ich die Lasertherapie machen, hilft das überhaupt?" filed as a question on the effect
    state = tracker("ask_effectiveness", ["lasertherapie", ("personal", "true")])
    text = run(ActionAnswerFact(), state)[0][0]["text"]
    assert text.startswith(kb.claims["allgemein.einzelfall"].text)
    assert kb.verdict("lasertherapie").text in text
    plain = run(ActionAnswerFact(), tracker("ask_effectiveness", ["lasertherapie"]))[0][0]["text"]
    assert not plain.startswith(kb.claims["allgemein.einzelfall"].text)


def test_a_detail_asked_of_another_aspect_is_a_second_part() -> None:
    # "Can I get an infection from the needles, and does it matter where they go?"
    state = tracker("ask_risks", ["akupunktur", ("detail", "infektion"), ("detail", "punkte")])
    cells = run(ActionAnswerFact(), state)[0][0]["answer"]["cells"]
    assert cells == [["akupunktur", "risiken"], ["akupunktur", "wirksamkeit"]]
    # only told beside the question ("Seit meinem Bandscheibenvorfall … Was ist PENS?"): no second part
    state = tracker("ask_method", ["pens", ("detail", "bandscheibe", "erzaehlt")])
    message = run(ActionAnswerFact(), state)[0][0]
    assert message["answer"]["cells"] == [["pens", "methode"]]
    assert "Bandscheibenvorfall" not in message["text"].split("\n")[0][:80]


def test_a_belief_in_a_mechanism_is_answered_before_other_beliefs(kb: KnowledgeBase) -> None:
    # "… die Energiekanäle geöffnet und dann heilt der Rücken. Wie viele Termine …?": "heilt" was found first
    state = tracker(
        "ask_effectiveness", ["akupunktur", ("premise", "benefit"), ("premise", "mechanism"), ("detail", "sitzungen")]
    )
    claims = run(ActionAnswerFact(), state)[0][0]["answer"]["claims"]
    mechanism = [c.id for c in kb.claims_of("akupunktur", detail="mechanismus") if "nachweis" in c.details]
    assert mechanism and mechanism[0] in claims


def test_personal_advice_with_a_treatment_refers_first_then_gives_facts() -> None:
    state = tracker("ask_personal_advice", ["manipulation", ("detail", "osteoporose")])
    message = run(ActionAnswerFact(), state)[0][0]
    assert message["answer"]["claims"][0] == "allgemein.einzelfall"
    assert message["text"].startswith("Ob eine Behandlung für Sie persönlich sinnvoll ist")
    assert "manuelle_therapie.risikofaktoren" in message["answer"]["claims"]


def test_personal_advice_without_a_treatment_refers_and_says_what_helps_most(kb: KnowledgeBase) -> None:
    messages, _ = run(ActionAnswerFact(), tracker("ask_personal_advice"))
    assert messages[0]["answer"]["claims"][0] == "allgemein.einzelfall"
    assert "allgemein.aktiv_am_besten" in messages[0]["answer"]["claims"]


def test_a_treatment_the_page_does_not_describe_is_not_declined() -> None:
    messages, _ = run(ActionAnswerFact(), tracker("ask_effectiveness", [("other_treatment", "waerme")]))
    assert messages[0]["text"].startswith(
        "Über Wärmebehandlungen wie Wärmflasche, Fango oder Rotlicht sagt die Seite nichts."
    )


def test_a_warning_sign_mentioned_in_a_risk_question_adds_what_to_do() -> None:
    state = tracker("ask_risks", ["manipulation", ("sign_mention", "beine_gelaehmt")])
    message = run(ActionAnswerFact(), state)[0][0]
    assert "112" in message["answer"]["body"].splitlines()[-1]


def test_question_without_any_therapy_asks_which_one() -> None:
    messages, events = run(ActionAnswerFact(), tracker("ask_risks"))
    assert messages[0]["response"] == "utter_ask_therapy"
    assert len(messages[0]["buttons"]) >= 5
    assert events == [SlotSet("aspect", "risiken")]


def test_cost_question_without_therapy_gets_the_general_statement(kb: KnowledgeBase) -> None:
    messages, events = run(ActionAnswerFact(), tracker("ask_costs"))
    assert kb.claim("allgemein.igel").text in messages[0]["text"]
    assert slots(events)["aspect"] == "kosten"


def test_another_treatment_asks_anew_even_with_a_remembered_therapy() -> None:
    messages, _ = run(ActionAnswerFact(), tracker("inform_therapy", therapy="akupunktur", aspect="kosten"))
    assert messages[0]["response"] == "utter_ask_therapy"


def test_therapy_alone_asks_what_about_it() -> None:
    messages, events = run(ActionAnswerFact(), tracker("inform_therapy", ["osteopathie"]))
    assert messages[0]["response"] == "utter_ask_aspect" and messages[0]["therapy_name"] == "Osteopathie"
    assert events == [SlotSet("therapy", "osteopathie"), SlotSet("more_therapies", None)]


def test_two_parts_named_in_words_win_over_a_third_the_classifier_guessed() -> None:
    # "massage hilft das überhaupt was u kann dabei was passieren" read as a method question
    entities = ["massage", ("asked", "wirksamkeit"), ("asked", "risiken")]
    messages, _ = run(
        ActionAnswerFact(), tracker("ask_method", entities, text="massage hilft das was u kann was passieren")
    )
    assert messages[0]["answer"]["cells"] == [["massage", "wirksamkeit"], ["massage", "risiken"]]


def test_a_bare_name_with_words_of_an_aspect_is_answered_for_that_aspect() -> None:
    # "Osteopathie und Chiropraktik – ist das gleich?" taken for a bare name: the words ask what it is
    state = tracker("inform_therapy", ["osteopathie", ("asked", "methode")], text="Osteopathie – ist das gleich?")
    _, events = run(ActionAnswerFact(), state)
    assert SlotSet("aspect", "methode") in events
    # after an answer the aspect of the conversation still wins: "Und Massage, was ist damit?"
    state = tracker(
        "inform_therapy", ["massage", ("asked", "methode")], text="Und was ist mit Massage?", aspect="kosten"
    )
    _, events = run(ActionAnswerFact(), state)
    assert SlotSet("aspect", "kosten") in events


def test_general_topics_are_answered_from_the_fact_store(kb: KnowledgeBase) -> None:
    for intent, topic in (("ask_overview", "uebersicht"), ("ask_active_treatments", "aktive_behandlungen")):
        message = run(ActionAnswerFact(), tracker(intent))[0][0]
        assert kb.topics[topic][0].text in message["text"]
        assert message["answer"]["kind"] == "topic"


def test_a_question_about_passive_and_active_treatments_gets_both(kb: KnowledgeBase) -> None:
    # "Was heißt passiv? Und was ist dann aktiv?", whichever of the two the classifier chose
    for intent in ("ask_overview", "ask_active_treatments"):
        message = run(ActionAnswerFact(), tracker(intent, [("detail", "passiv"), ("detail", "aktiv")]))[0][0]
        assert message["answer"]["claims"][:1] == ["allgemein.passiv"]
        assert {"allgemein.aktiv_bedeutung", "allgemein.aktiv_am_besten"} <= set(message["answer"]["claims"])
    # "… und welche Sorte wirkt besser?": the page does compare these two, so no silence on comparisons
    for intent in ("ask_overview", "ask_active_treatments"):
        entities = [("detail", "passiv"), ("detail", "aktiv"), ("detail", "vergleich")]
        message = run(ActionAnswerFact(), tracker(intent, entities))[0][0]
        assert not message["text"].startswith(kb.details["vergleich"].silent)
        assert "allgemein.aktiv_am_besten" in message["answer"]["claims"]
    # the overview alone stays the overview
    alone = run(ActionAnswerFact(), tracker("ask_overview", [("detail", "passiv")]))[0][0]
    assert "allgemein.aktiv_bedeutung" not in alone["answer"]["claims"]


def test_a_general_question_says_first_what_the_page_does_not_say(kb: KnowledgeBase) -> None:
    # "Yoga oder Pilates, was ist besser?": the page compares no treatments
    message = run(ActionAnswerFact(), tracker("ask_active_treatments", [("detail", "vergleich")]))[0][0]
    assert message["text"].startswith(kb.details["vergleich"].silent)
    # "Wer zahlt Yoga, was kostet das?": the page names no price
    costs = run(ActionAnswerFact(), tracker("ask_costs", [("detail", "preis")]))[0][0]
    assert costs["text"].startswith(kb.details["preis"].silent)


def test_a_personal_question_with_a_complaint_hears_whether_the_treatment_helps(kb: KnowledgeBase) -> None:
    # "Meine Gelenke sind steif geworden. Wäre Mobilisation eine gute Idee für mich?"
    state = tracker("ask_personal_advice", ["mobilisation", ("detail", "beschwerden")])
    message = run(ActionAnswerFact(), state)[0][0]
    assert message["answer"]["aspect"] == "wirksamkeit"
    assert not any(c.startswith("manuelle_therapie.nebenwirk") for c in message["answer"]["claims"])


def test_the_page_words_behind_the_last_answer() -> None:
    message = run(ActionAnswerFact(), tracker("ask_quote", claims=["akupunktur.punkte"]))[0][0]
    assert message["answer"]["kind"] == "quote" and "keine Rolle spielt" in message["text"]
    nothing_yet = run(ActionAnswerFact(), tracker("ask_quote"))[0][0]
    assert "noch keine Antwort" in nothing_yet["text"]


def test_an_emergency_gets_112_first_and_nothing_else(kb: KnowledgeBase) -> None:
    messages, events = run(ActionSafetyReply(), tracker("warning_signs", [("sign", "herz")]))
    assert len(messages) == 1 and events == []
    lines = messages[0]["text"].splitlines()
    assert lines[0] == "Rufen Sie jetzt den Notruf 112."
    assert "Herzinfarkt" in lines[1]
    assert "nicht von der IQWiG-Seite" in messages[0]["text"]
    assert not messages[0].get("buttons")
    assert messages[0]["answer"]["kind"] == "safety" and messages[0]["answer"]["tier"] == "notruf"


def test_a_crisis_gets_the_crisis_line() -> None:
    text = run(ActionSafetyReply(), tracker("crisis", [("sign", "krise")]))[0][0]["text"]
    assert "0800 111 0 111" in text and "112" in text


def test_a_crisis_next_to_an_emergency_gets_both_emergency_first() -> None:
    text = run(ActionSafetyReply(), tracker("warning_signs", [("sign", "krise"), ("sign", "blase_darm")]))[0][0]["text"]
    assert text.startswith("Rufen Sie jetzt den Notruf 112.") and "0800 111 0 111" in text


def test_urgent_signs_get_todays_advice_with_116117() -> None:
    text = run(ActionSafetyReply(), tracker("warning_signs", [("sign", "fieber")]))[0][0]["text"]
    assert text.startswith("Bitte lassen Sie das heute noch ärztlich abklären.") and "116117" in text


def test_a_question_about_the_signs_gets_them_as_information_not_as_an_alarm() -> None:
    message = run(ActionSafetyReply(), tracker("warning_signs", [("sign_question", "true")]))[0][0]
    assert not message["text"].startswith("Rufen Sie jetzt")
    assert "Notruf 112" in message["text"] and "116117" in message["text"] and "0800 111 0 111" in message["text"]
    assert message["answer"]["kind"] == "signs_info" and "nicht von der IQWiG-Seite" in message["text"]


def test_a_reported_sign_outweighs_the_question_about_signs() -> None:
    message = run(ActionSafetyReply(), tracker("warning_signs", [("sign_question", "true"), ("sign", "herz")]))[0][0]
    assert message["text"].startswith("Rufen Sie jetzt den Notruf 112.") and message["answer"]["kind"] == "safety"


def test_warning_signs_without_a_known_sign_get_the_list_with_both_numbers() -> None:
    text = run(ActionSafetyReply(), tracker("warning_signs"))[0][0]["text"]
    assert "112" in text.splitlines()[0] and "116117" in text
    # the classifier's alarm without a sign may be a crisis it took for an emergency: the crisis line too
    assert "0800 111 0 111" in text


def test_another_condition_is_declined_by_name() -> None:
    messages, _ = run(ActionDecline(), tracker("out_of_scope", [("condition", "kopf")]))
    assert (
        messages[0]["response"] == "utter_other_condition" and messages[0]["condition"] == "Kopfschmerzen und Migräne"
    )
    messages, _ = run(ActionDecline(), tracker("out_of_scope"))
    assert messages[0]["response"] == "utter_out_of_scope"


def test_feedback_gets_one_thank_you_and_changes_nothing() -> None:
    messages, events = run(ActionFeedback(), tracker("feedback", [("helpful", "false")], therapy="massage"))
    assert [m["response"] for m in messages] == ["utter_feedback_thanks"] and events == []


def test_introduction_fills_in_the_disclaimer(kb: KnowledgeBase) -> None:
    messages, _ = run(ActionIntroduce(), tracker("greet"))
    assert messages[0]["response"] == "utter_intro" and messages[0]["disclaimer"] == kb.disclaimer
    assert len(messages[0]["buttons"]) == 4


def test_payloads_are_rasa_intent_payloads() -> None:
    assert payload(Button("x", therapy="tens", aspect="kosten")) == '/ask_costs{"therapy": "tens"}'
    assert payload(Button("x", therapy="tens")) == '/inform_therapy{"therapy": "tens"}'
    assert payload(Button("x", topic="quellen")) == "/ask_source"
    assert payload(Button("x", topic="originaltext")) == "/ask_quote"


def test_a_message_only_a_word_that_refers_back_ties_to_the_topic_is_declined_without_a_treatment_before() -> None:
    # "Wie spät ist es in New York?" as a first message: nothing to refer back to
    messages, events = run(ActionAnswerFact(), tracker("ask_method", [("needs_context", "true")]))
    assert messages[0]["response"] == "utter_out_of_scope"
    assert events == []


def test_a_message_that_refers_back_is_answered_about_the_conversations_treatment() -> None:
    state = tracker("ask_risks", [("needs_context", "true")], therapy="massage", aspect="wirksamkeit")
    _, events = run(ActionAnswerFact(), state)
    assert slots(events)["therapy"] == "massage"


def test_active_treatment_asked_beside_a_passive_one_answers_both(kb: KnowledgeBase) -> None:
    # "Kann ich statt Gymnastik nicht einfach mein TENS-Gerät nehmen?": what the page says about
    # active treatment first, then whether TENS helps, as a fact answer with its slots
    messages, events = run(ActionAnswerFact(), tracker("ask_active_treatments", ["tens"]))
    answer = messages[0]["answer"]
    assert answer["kind"] == "fact" and answer["cells"] == [["tens", "wirksamkeit"]]
    assert answer["claims"][0] == "allgemein.aktiv_am_besten"
    assert kb.verdict("tens").id in answer["claims"]
    assert slots(events)["therapy"] == "tens" and slots(events)["aspect"] == "wirksamkeit"
    # without a treatment named it stays the general answer
    messages, _ = run(ActionAnswerFact(), tracker("ask_active_treatments"))
    assert messages[0]["answer"]["kind"] == "topic"


def test_whether_a_named_treatment_is_passive_is_a_method_question(kb: KnowledgeBase) -> None:
    # "Ist Laser aktiv oder passiv?" (read as a question about active treatment or the overview):
    # what passive means first, then what the page says about the laser
    for intent in ("ask_active_treatments", "ask_overview"):
        state = tracker(intent, ["lasertherapie", ("detail", "passiv"), ("detail", "aktiv")])
        messages, events = run(ActionAnswerFact(), state)
        answer = messages[0]["answer"]
        assert answer["kind"] == "fact" and answer["cells"][0] == ["lasertherapie", "methode"]
        assert answer["claims"][0] == "allgemein.passiv"
        assert slots(events)["therapy"] == "lasertherapie" and slots(events)["aspect"] == "methode"


def test_which_methods_belong_to_a_group_is_the_groups_method_question(kb: KnowledgeBase) -> None:
    # "Welche Verfahren fallen unter Elektrotherapie?" read as the overview of passive treatments
    state = tracker("ask_overview", ["elektrotherapie", ("asked", "methode")])
    messages, events = run(ActionAnswerFact(), state)
    assert messages[0]["answer"]["cells"][0] == ["elektrotherapie", "methode"]
    assert slots(events)["therapy"] == "elektrotherapie" and slots(events)["aspect"] == "methode"
    # one treatment that is no group ("Welche Verfahren gibt es außer Massage?") keeps the overview
    messages, _ = run(ActionAnswerFact(), tracker("ask_overview", ["massage", ("asked", "methode")]))
    assert messages[0]["answer"]["kind"] == "topic"


def test_the_group_named_in_words_that_still_describe_the_member_keeps_the_member() -> None:
    # "Kommt der Strom durch die Haut?" right after TENS: "Strom" names Elektrotherapie, but
    # "durch die Haut" is TENS; "Und Elektrotherapie allgemein?" is the group
    state = tracker("ask_method", ["elektrotherapie"], text="Kommt der Strom durch die Haut?", therapy="tens")
    messages, events = run(ActionAnswerFact(), state)
    assert slots(events)["therapy"] == "tens"
    state = tracker("ask_method", ["elektrotherapie"], text="Und Elektrotherapie allgemein?", therapy="tens")
    messages, events = run(ActionAnswerFact(), state)
    assert slots(events)["therapy"] == "elektrotherapie"


def test_a_detail_asked_in_the_question_sentence_asks_its_aspect_first(kb: KnowledgeBase) -> None:
    # a story read as a risk question by the classifier, ending "Was sagen denn die Studien zu Osteopathie?"
    entities = ["osteopathie", ("detail", "nachweis", "frage")]
    state = tracker("ask_risks", entities)
    state.latest_message["intent"]["confidence"] = 0.58  # the classifier read the whole story, unsure
    messages, _ = run(ActionAnswerFact(), state)
    assert messages[0]["answer"]["cells"][0] == ["osteopathie", "wirksamkeit"]
    # a sure classifier keeps its aspect first ("in der apotheke gibts die doch auch oder? was kostet so eins")
    state = tracker("ask_costs", ["tens", ("detail", "geraet", "frage")])
    messages, _ = run(ActionAnswerFact(), state)
    assert messages[0]["answer"]["cells"][0] == ["tens", "kosten"]


def test_the_one_aspect_the_words_name_comes_before_an_unsure_guess(kb: KnowledgeBase) -> None:
    # "Wer blecht'n ditte, die Mobilisation beim Physio, die Kasse oda icke?" read as a method question
    state = tracker("ask_method", ["mobilisation", ("asked", "kosten")])
    state.latest_message["intent"]["confidence"] = 0.57
    messages, _ = run(ActionAnswerFact(), state)
    assert messages[0]["answer"]["cells"][0] == ["mobilisation", "kosten"]
    # no aspect in words, one detail asked: "wer darf sich osteopath nennen, ist das ne richtige ausbildung"
    state = tracker("ask_risks", ["osteopathie", ("detail", "ausbildung")])
    state.latest_message["intent"]["confidence"] = 0.46
    messages, _ = run(ActionAnswerFact(), state)
    assert messages[0]["answer"]["cells"][0] == ["osteopathie", "methode"]


def test_a_belief_that_the_insurance_pays_is_answered_beside_the_question(kb: KnowledgeBase) -> None:
    # "… deshalb zahlt sie ja auch die Kasse. Reicht das dann als Behandlung?"
    entities = ["kurzwellen_diathermie", ("premise", "cost"), ("detail", "ergaenzung")]
    messages, _ = run(ActionAnswerFact(), tracker("ask_effectiveness", entities))
    answer = messages[0]["answer"]
    assert answer["cells"] == [["kurzwellen_diathermie", "wirksamkeit"], ["kurzwellen_diathermie", "kosten"]]
    assert "allgemein.igel" in answer["claims"]
    # beside a second part read from a told word ("hat bei mir immer Strom gemacht"), the belief wins
    told = ["elektrotherapie", ("premise", "cost"), ("asked", "methode"), ("asked", "wirksamkeit")]
    cells = run(ActionAnswerFact(), tracker("ask_effectiveness", told))[0][0]["answer"]["cells"]
    assert cells == [["elektrotherapie", "wirksamkeit"], ["elektrotherapie", "kosten"]]


def test_a_general_answer_keeps_the_aspect_for_the_treatment_named_next(kb: KnowledgeBase) -> None:
    # "Was kostet so eine Behandlung?" (the page's general word on costs) → "Ich meine die Massage."
    general = tracker("ask_costs", [("detail", "preis"), ("asked", "kosten")], text="Was kostet so eine Behandlung?")
    messages, events = run(ActionAnswerFact(), general)
    assert messages[0]["answer"]["kind"] == "topic" and slots(events)["aspect"] == "kosten"
    named = tracker("inform_therapy", ["massage"], text="Ich meine die Massage.", aspect=slots(events)["aspect"])
    assert run(ActionAnswerFact(), named)[0][0]["answer"]["cells"] == [["massage", "kosten"]]


def test_a_belief_that_nothing_can_happen_gets_the_verdict_first_and_the_risks(kb: KnowledgeBase) -> None:
    # "da kann man nix falsch machen mit akupunktur, besser als garnix oder?"
    entities = ["akupunktur", ("premise", "safety"), ("premise", "benefit"), ("premise", "tag")]
    answer = run(ActionAnswerFact(), tracker("ask_effectiveness", entities))[0][0]["answer"]
    assert answer["cells"] == [["akupunktur", "wirksamkeit"], ["akupunktur", "risiken"]]
    assert answer["claims"][0] == kb.verdict("akupunktur").id
    assert any("risiken" in kb.claims[c].aspects for c in answer["claims"][1:])


def test_whether_to_pay_for_it_hears_whether_it_helps(kb: KnowledgeBase) -> None:
    # "Meine Orthopädin bietet Ultraschall als Selbstzahlerleistung an. Soll ich das Geld dafür ausgeben?"
    personal = tracker("ask_costs", ["ultraschall", ("detail", "igel"), ("personal", "true")])
    message = run(ActionAnswerFact(), personal)[0][0]
    assert message["answer"]["cells"] == [["ultraschall", "kosten"], ["ultraschall", "wirksamkeit"]]
    # without "soll ich" it stays a question about costs
    plain = run(ActionAnswerFact(), tracker("ask_costs", ["ultraschall", ("detail", "igel")]))[0][0]
    assert plain["answer"]["cells"] == [["ultraschall", "kosten"]]


def test_a_general_question_with_a_second_part_on_costs_answers_both(kb: KnowledgeBase) -> None:
    # "Was ist der Unterschied passiv und aktiv? Und warum zahlt die Kasse die passiven meistens nicht?"
    entities = [("detail", "passiv"), ("detail", "aktiv"), ("asked", "kosten")]
    message = run(ActionAnswerFact(), tracker("ask_overview", entities))[0][0]
    claims = message["answer"]["claims"]
    assert claims[:1] == ["allgemein.passiv"] and claims[-1] == "allgemein.igel"
    # without a word of costs, no word on who pays
    alone = run(ActionAnswerFact(), tracker("ask_overview", entities[:2]))[0][0]
    assert "allgemein.igel" not in alone["answer"]["claims"]


def test_how_it_should_work_and_a_second_part_on_risks_keeps_the_risks(kb: KnowledgeBase) -> None:
    # "wie soll elektrotherapie eigentlich wirken und kann bei der pens auch was passieren?"
    text = "wie soll elektrotherapie eigentlich wirken und kann bei der pens auch was passieren?"
    entities = [
        {"entity": "therapy", "value": "elektrotherapie", "start": 9, "end": 24, "text": "elektrotherapie"},
        {"entity": "therapy", "value": "pens", "start": 60, "end": 64, "text": "pens"},
        {"entity": "detail", "value": "mechanismus", "start": 0, "end": 42, "text": text[0:42]},
        {"entity": "asked", "value": "wirksamkeit", "start": 36, "end": 42, "text": "wirken"},
        {"entity": "asked", "value": "risiken", "start": 70, "end": 84, "text": "was passieren"},
    ]
    asked = tracker("ask_method", text=text)
    asked.latest_message["entities"] = entities
    message = run(ActionAnswerFact(), asked)[0][0]
    assert ["pens", "risiken"] in message["answer"]["cells"]


def test_two_treatments_compared_get_the_silence_on_comparing(kb: KnowledgeBase) -> None:
    # "Laser oder Magnetfeld, was hilft besser?": "was hilft besser" also reads as "what helps instead"
    compare = tracker(
        "ask_effectiveness", ["lasertherapie", "magnetfeldtherapie"], text="Laser oder Magnetfeld, was hilft besser?"
    )
    compare.latest_message["entities"] += [
        {"entity": "detail", "value": "vergleich", "start": 23, "end": 39, "text": "was hilft besser"},
        {"entity": "detail", "value": "aktiv", "start": 23, "end": 39, "text": "was hilft besser"},
    ]
    message = run(ActionAnswerFact(), compare)[0][0]
    assert message["text"].startswith(kb.details["vergleich"].silent)
