"""`action_feedback`: the "Hilfreich? 👍 👎" buttons under a fact answer.

The feedback itself is the user event (intent `feedback`, entities `helpful` and, from the
widget, `comment`), stored in the conversation like every message, so deletion and
retention cover it and `make review` finds it next to the answer it rates. The reply is
one short thank-you; nothing else changes (slots stay, the conversation goes on).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher


class ActionFeedback(Action):
    def name(self) -> str:
        return "action_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_feedback_thanks")
        return []
