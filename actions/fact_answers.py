"""`action_answer_fact`: the one action that answers medical questions from the fact store."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import (
    ASPECT_BY_INTENT,
    INFORM_THERAPY,
    TOPIC_BY_INTENT,
    answer_message,
    knowledge,
    rasa_buttons,
    therapies_in_latest_message,
)
from bot.content.answers import aspect_choice_buttons, fact_answer, therapy_choice_buttons, topic_answer


class ActionAnswerFact(Action):
    """Answer (therapy, aspect) from the fact store, using context for follow-ups.

    - therapy: named in this message, else the `therapy` slot (follow-up "Und die
      Kosten?"); a bare "andere Behandlung" (inform_therapy without a name) asks anew.
    - aspect: from the intent, else the `aspect` slot (follow-up "Und bei Massage?").
    Missing therapy → ask which one, with buttons; missing aspect → ask what about it.
    """

    def name(self) -> str:
        return "action_answer_fact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        kb = knowledge()
        intent = (tracker.latest_message.get("intent") or {}).get("name")

        if intent in TOPIC_BY_INTENT:
            dispatcher.utter_message(**answer_message(topic_answer(kb, TOPIC_BY_INTENT[intent])))
            return []

        mentioned = therapies_in_latest_message(tracker, kb.therapies)
        remembered = tracker.get_slot("therapy")
        if mentioned or intent == INFORM_THERAPY:
            therapies = mentioned
        else:
            therapies = [remembered] if remembered in kb.therapies else []

        aspect = ASPECT_BY_INTENT.get(intent) or tracker.get_slot("aspect")
        if aspect not in kb.aspects:
            aspect = None

        if not therapies:
            if intent == "ask_costs":
                # The page's general statement on costs answers "Wer zahlt das?" on its own.
                answer = topic_answer(kb, "kosten_allgemein")
                dispatcher.utter_message(text=answer.text, buttons=rasa_buttons(therapy_choice_buttons(kb, aspect)))
            else:
                dispatcher.utter_message(
                    response="utter_ask_therapy", buttons=rasa_buttons(therapy_choice_buttons(kb, aspect))
                )
            return [SlotSet("aspect", aspect)]

        if aspect is None:
            therapy = kb.therapies[therapies[0]]
            dispatcher.utter_message(
                response="utter_ask_aspect",
                therapy_name=therapy.name,
                buttons=rasa_buttons(aspect_choice_buttons(kb, therapy.id)),
            )
            return [SlotSet("therapy", therapy.id)]

        dispatcher.utter_message(**answer_message(fact_answer(kb, therapies, aspect)))
        return [SlotSet("therapy", therapies[0]), SlotSet("aspect", aspect)]
