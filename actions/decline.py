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

from actions.conversation import entity_values, safety_texts


class ActionDecline(Action):
    def name(self) -> str:
        return "action_decline"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        names = safety_texts().scope_names
        conditions = [names[c] for c in entity_values(tracker, "condition") if c in names]
        if conditions:
            dispatcher.utter_message(response="utter_other_condition", condition=conditions[0])
        else:
            dispatcher.utter_message(response="utter_out_of_scope")
        return []
