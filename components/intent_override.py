"""Replace a message's intent, the way Rasa's FallbackClassifier does it.

The new intent gets confidence 1.0 and heads the ranking, so no policy and no later
component can outvote it; the classifier's own ranking stays below it for the record.
"""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message


def override_intent(message: Message, intent: str) -> None:
    new = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [r for r in (message.data.get(INTENT_RANKING_KEY) or []) if r.get(INTENT_NAME_KEY) != intent]
    message.data[INTENT] = new
    message.data[INTENT_RANKING_KEY] = [new, *ranking]


def intent_name(message: Message) -> str | None:
    return (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
