"""Shared glue for the actions: the fact store and texts (loaded once), what the NLU found
in the latest message, and how an answer becomes a Rasa message."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker

from bot.content.answers import OTHER_THERAPY, QUOTE, Answer, Button
from bot.content.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeBase, load_knowledge
from bot.content.safety import SafetyTexts, load_safety_texts
from components.matching import compile_group, first_match, tokenize

# Intents that ask about one aspect of a therapy.
ASPECT_BY_INTENT = {
    "ask_effectiveness": "wirksamkeit",
    "ask_risks": "risiken",
    "ask_costs": "kosten",
    "ask_method": "methode",
}
INTENT_BY_ASPECT = {aspect: intent for intent, aspect in ASPECT_BY_INTENT.items()}

# Intents answered by a general topic of the fact store.
TOPIC_BY_INTENT = {
    "ask_overview": "uebersicht",
    "ask_active_treatments": "aktive_behandlungen",
    "ask_source": "quellen",
}
INTENT_BY_TOPIC = {topic: intent for intent, topic in TOPIC_BY_INTENT.items()}
INTENT_BY_TOPIC["kosten_allgemein"] = "ask_costs"
INTENT_BY_TOPIC[OTHER_THERAPY] = "inform_therapy"
INTENT_BY_TOPIC[QUOTE] = "ask_quote"

INFORM_THERAPY = "inform_therapy"
ACTIVE_TREATMENTS = "ask_active_treatments"
OVERVIEW = "ask_overview"
PERSONAL_ADVICE = "ask_personal_advice"
ASK_QUOTE = "ask_quote"


@lru_cache(maxsize=1)
def knowledge() -> KnowledgeBase:
    """The fact store, loaded and checked once per action-server process."""
    return load_knowledge(os.environ.get("RUECKENBOT_KNOWLEDGE_DIR", DEFAULT_KNOWLEDGE_DIR))


@lru_cache(maxsize=1)
def safety_texts() -> SafetyTexts:
    return load_safety_texts(os.environ.get("RUECKENBOT_KNOWLEDGE_DIR", DEFAULT_KNOWLEDGE_DIR))


def payload(button: Button) -> str:
    """Rasa's `/intent{"entity": "value"}` payload for a button."""
    if button.topic is not None:
        return f"/{INTENT_BY_TOPIC[button.topic]}"
    intent = INTENT_BY_ASPECT[button.aspect] if button.aspect is not None else INFORM_THERAPY
    if button.therapy is None:
        return f"/{intent}"
    return f"/{intent}{json.dumps({'therapy': button.therapy})}"


def rasa_buttons(buttons: tuple[Button, ...] | list[Button]) -> list[dict[str, Any]]:
    return [{"title": b.title, "payload": payload(b)} for b in buttons]


def answer_message(answer: Answer, kind: str = "fact") -> dict[str, Any]:
    """Keyword arguments for `dispatcher.utter_message`: the plain text every channel can show,
    the buttons, and the answer as structure under `answer` (Rasa keeps it in the message's
    metadata; channels render it: a link in the widget and on Telegram, a line on WhatsApp)."""
    return {
        "text": answer.text,
        "buttons": rasa_buttons(answer.buttons),
        "answer": {
            "kind": kind,
            "body": answer.body,
            "source": answer.source.as_dict(),
            "disclaimer": answer.disclaimer,
            "claims": list(answer.claims),
            "therapy": answer.therapy,
            "aspect": answer.aspect,
            "cells": [list(cell) for cell in answer.cells],
        },
    }


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    """Distinct values of one entity in the latest message, in order."""
    found: list[str] = []
    for item in tracker.latest_message.get("entities", []):
        value = item.get("value")
        if item.get("entity") == entity and isinstance(value, str) and value not in found:
            found.append(value)
    return found


# the NLU component that finds treatments by description (components/therapy_descriptions.py)
DESCRIBED_BY = "TherapyDescriptions"


def therapy_entities(tracker: Tracker, known: dict[str, Any]) -> list[dict[str, Any]]:
    """The therapy entities of the latest message (known ids only), one per id, in order."""
    seen: set[str] = set()
    result = []
    for item in tracker.latest_message.get("entities", []):
        value = item.get("value")
        if item.get("entity") == "therapy" and value in known and value not in seen:
            seen.add(value)
            result.append(item)
    return result


def in_group_member(kb: KnowledgeBase, previous: str | None, text: str) -> str | None:
    """The member of the previous treatment's group that `text` describes, if any.

    "und das mit den Nadeln?" right after TENS means PENS (the other member with needles),
    not Akupunktur; "und das mit dem Ruck?" after Mobilisation means Manipulation."""
    if previous not in kb.therapies:
        return None
    group = kb.therapies[previous].part_of or previous
    tokens = tokenize(text)
    for member in kb.members(group):
        if member.id != previous and member.in_group_words:
            if first_match(compile_group(list(member.in_group_words)), tokens) is not None:
                return member.id
    return None


def refers_to_both(kb: KnowledgeBase, text: str) -> bool:
    """Do the words refer to the two treatments talked about last ("für beide Verfahren")?"""
    return bool(kb.both_words) and first_match(compile_group(list(kb.both_words)), tokenize(text)) is not None


def still_describes(kb: KnowledgeBase, previous: str | None, text: str) -> bool:
    """Do the words still describe the member talked about? "Kommt der Strom durch die Haut?"
    right after TENS names the group (Strom) but asks about TENS (through the skin)."""
    if previous not in kb.therapies or not kb.therapies[previous].in_group_words:
        return False
    return first_match(compile_group(list(kb.therapies[previous].in_group_words)), tokenize(text)) is not None
