"""`action_decline`: a clear no for what the page does not cover.

A treatment for another condition, person or examination (entity `condition`, from
components/scope_guard.py) gets `utter_other_condition` naming it; anything else out of
scope gets `utter_out_of_scope`. Both say what the bot can do instead. A passive treatment the
page does not describe (entity `other_treatment`: Fango, Wärme …) gets what the page says about
passive treatments in general, after saying that it says nothing about that one.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import answer_message, entity_values, knowledge, safety_texts
from bot.content.answers import other_treatment_answer
from bot.texts import texts as texts_of_interface


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
            return []
        others = [o for o in entity_values(tracker, "other_treatment") if o in texts.scope_names]
        if others:
            # a passive treatment the page does not describe ("Hilft Fango?"): the page says nothing
            # about it; what it says about passive treatments in general is the nearest fact
            kb = knowledge()
            asked = [a for a in entity_values(tracker, "asked") if a in kb.aspects]
            answer = other_treatment_answer(
                kb, texts_of_interface(), texts.scope_names[others[0]], (asked or [None])[0]
            )
            dispatcher.utter_message(**answer_message(answer, kind="topic"))
            return [SlotSet("claims", list(answer.claims))]
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
