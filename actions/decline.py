"""`action_decline`: a clear no for what the page does not cover.

A treatment for another condition, person or examination (entity `condition`, from
components/scope_guard.py) gets `utter_other_condition` naming it; anything else out of
scope gets `utter_out_of_scope`. Both say what the bot can do instead.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import safety_texts


class ActionDecline(Action):
    def name(self) -> str:
        return "action_decline"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        texts = safety_texts()
        conditions = []
        for entity in tracker.latest_message.get("entities", []):
            topic = entity.get("value")
            if entity.get("entity") != "condition" or topic not in texts.scope_names:
                continue
            word = str(entity.get("text") or "")
            # a general topic ("andere Beschwerden") is named by the person's own word
            named = word[:1].upper() + word[1:] if topic in texts.named_by_text and word else texts.scope_names[topic]
            conditions.append(named)
        if conditions:
            dispatcher.utter_message(response="utter_other_condition", condition=conditions[0])
        else:
            dispatcher.utter_message(response="utter_out_of_scope")
        return []
