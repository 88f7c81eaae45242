"""Shared glue: the fact store (loaded once), intent names, and Rasa button payloads."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker

from bot.content.answers import OTHER_THERAPY, Answer, Button
from bot.content.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeBase, load_knowledge

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
    "warning_signs": "warnzeichen",
}
INTENT_BY_TOPIC = {topic: intent for intent, topic in TOPIC_BY_INTENT.items()}
INTENT_BY_TOPIC["kosten_allgemein"] = "ask_costs"
INTENT_BY_TOPIC[OTHER_THERAPY] = "inform_therapy"

INFORM_THERAPY = "inform_therapy"


@lru_cache(maxsize=1)
def knowledge() -> KnowledgeBase:
    """The fact store, loaded and validated once per action-server process."""
    return load_knowledge(os.environ.get("RUECKENBOT_KNOWLEDGE_DIR", DEFAULT_KNOWLEDGE_DIR))


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


def answer_message(answer: Answer) -> dict[str, Any]:
    """Keyword arguments for `dispatcher.utter_message` carrying one composed answer."""
    return {"text": answer.text, "buttons": rasa_buttons(answer.buttons)}


def therapies_in_latest_message(tracker: Tracker, known: dict[str, Any]) -> list[str]:
    """Distinct canonical therapy ids the NLU found in the latest message, in order."""
    found: list[str] = []
    for entity in tracker.latest_message.get("entities", []):
        value = entity.get("value")
        if entity.get("entity") == "therapy" and value in known and value not in found:
            found.append(value)
    return found
