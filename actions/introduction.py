"""`action_introduce`: the opening message (what the bot is, what it answers, the disclaimer)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import knowledge, rasa_buttons
from bot.content.answers import start_buttons
from bot.texts import texts


class ActionIntroduce(Action):
    """Send `utter_intro` from the domain with the one fixed disclaimer filled in."""

    def name(self) -> str:
        return "action_introduce"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(
            response="utter_intro", disclaimer=knowledge().disclaimer, buttons=rasa_buttons(start_buttons(texts()))
        )
        return []
