"""Punctuation said aloud to a dictation app counts as no word for the intent classifiers.

People who dictate their question often say the marks: "wer bietet akupunktur an komma ärzte
oder heilpraktiker fragezeichen", "tschüss und auf wiederhören Punkt". The classifiers then
count "Fragezeichen", "Komma" and "Punkt" as words. They are no words of what is asked, and
the few dictated examples of the training data taught them odd things ("Punkt Punkt Punkt"
beside a crisis). This component gives such a token an empty lemma, so the word and letter
features (which read lemmas) see the message as if it had been typed.

"Punkt" is a mark only after a word and before a capital, another mark or the end ("Hilft das
Punkt", "… Physio Punkt Was kostet das"), as where the bot's word lists end a sentence
(components/matching.py); "der wunde Punkt" and "Akupunktur-Punkte" stay words.

Placed after the tokenizer and before TypoLemmas and the featurizers.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.matching import fold

POINT = "punkt"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class DictatedMarks(GraphComponent):
    """Empties the lemma of a punctuation mark that was said aloud."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # marks that are no word of a question wherever they stand ("punkt" has its own rule)
        return {"marks": ["fragezeichen", "ausrufezeichen", "komma", "doppelpunkt", "semikolon", "strichpunkt"]}

    def __init__(self, marks: list[str]) -> None:
        self.marks = frozenset(fold(mark.lower()) for mark in marks)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DictatedMarks:
        return cls(list({**cls.get_default_config(), **config}["marks"]))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # messages only, as TypoLemmas: the classifiers learn from the examples as written, and a
        # dictated message is read like the typed ones they mostly are. Emptying the marks in the
        # examples too made a new draw of DIET (development sets C-P: false alarms 19 -> 28)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT]) or []
            marks: list[bool] = []
            for i in range(len(tokens)):
                marks.append(
                    self.is_mark(tokens, i, after_point=i > 0 and marks[i - 1] and self.is_point(tokens[i - 1]))
                )
            if all(marks):
                continue  # a message of nothing but "Punkt" keeps its word
            for token, mark in zip(tokens, marks, strict=True):
                if mark:
                    token.lemma = ""
        return messages

    @staticmethod
    def is_point(token: Token) -> bool:
        return fold(token.text.lower()) == POINT

    def is_mark(self, tokens: list[Token], i: int, after_point: bool = False) -> bool:
        """Whether token i is a mark said aloud (`after_point`: the token before it is a dictated "Punkt")."""
        word = fold(tokens[i].text.lower())
        if word in self.marks:
            return True
        if word != POINT:
            return False
        if after_point:
            return True  # "Punkt Punkt Punkt": dots said aloud
        if i == 0 or not tokens[i - 1].text.isalpha():
            return False
        if i == len(tokens) - 1:
            return True
        following = tokens[i + 1].text
        return following[:1].isupper() or fold(following.lower()) in self.marks
