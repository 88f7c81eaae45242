"""`action_safety_reply`: what to do now, for emergencies and crises (knowledge/safety.yml).

The NLU decided (components/safety_guard.py): intent `warning_signs` or `crisis`, entity
`sign` for each sign found. The reply's first line says what to do; nothing competes with
it (no buttons, no fact). Its `Quelle:` line says that it does not come from the page.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import entity_values, knowledge, safety_texts


class ActionSafetyReply(Action):
    def name(self) -> str:
        return "action_safety_reply"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        signs = entity_values(tracker, "sign")
        texts = safety_texts()
        # a question about the signs themselves gets them as information ("kind": "signs_info")
        asked = not signs and bool(entity_values(tracker, "sign_question"))
        reply = texts.signs_reply() if asked else texts.reply(signs, crisis_intent=intent == "crisis")
        disclaimer = knowledge().disclaimer
        dispatcher.utter_message(
            text=f"{reply.body}\n{reply.source}\n{disclaimer}",
            answer={
                "kind": "signs_info" if asked else "safety",
                "tier": reply.tier,
                "signs": list(reply.signs),
                "body": reply.body,
                "source": {"line": reply.source},
                "disclaimer": disclaimer,
            },
        )
        return []
