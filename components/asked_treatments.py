"""In a story, the treatments the question asks about.

People tell what they have tried before they ask: "Massage, Fango, Akupunktur, Spritzen. Geholfen
hat alles nur kurz. Jetzt schlägt mir ein Bekannter Osteopathie vor. Ist Osteopathie wirksamer?"
The question is about Osteopathie; the treatments of the story are what the person knows. Where
the sentences that ask name a treatment, a treatment named only in the sentences that tell is
left out of the message's `therapy` entities, so the answer is about what was asked.

Every treatment of the message stays where the question names none ("Der Physiotherapeut macht
Mobilisation, der Chiropraktiker renkt ein. Was ist der Unterschied?"), where it only describes
one (a description may be the named treatment's: "ein TENS-Gerät … Muss da etwas unter die Haut
gestochen werden?"), and where it refers to several (knowledge/therapies.yml `both_words`: "Hilft
das eine oder das andere?"). A message of one sentence asks in all of it or in none, so it keeps
every treatment. Sentences and questions are found as everywhere else in the bot
(components/matching.py).

A treatment named only as what another is compared with ("Der Arzt hat Manualtherapie
aufgeschrieben. Ist das sowas wie Massage?") is left out first, where another treatment is named.

Where the questions name no treatment, a treatment named only in sentences that tell what was
tried before ("Vor zwei Jahren habe ich TENS ausprobiert, ohne großen Erfolg. Jetzt ist von
Interferenztherapie die Rede. Was ist das genau?", knowledge/therapies.yml `tried_words`) is left
out, where another is named in a sentence that does not; not where the question compares
(`group_and_member_words`: "Was ist der Unterschied?") or refers to several (`both_words`).

Runs after the TherapyExtractor and TherapyDescriptions, which find the treatments named and
described.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.matching import (
    compile_group,
    first_match,
    matches_of,
    question_spans,
    sentence_spans,
    tokenize,
    within,
)
from components.therapy_descriptions import TherapyDescriptions
from components.yaml_lexicon import YamlLexiconComponent

ENTITY = "therapy"
DESCRIBER = TherapyDescriptions.__name__


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class AskedTreatments(YamlLexiconComponent):
    """Keeps the treatments a story's question names."""

    def compile(self, lists: dict[str, Any]) -> None:
        self.several = compile_group([str(w) for w in lists.get("both_words") or []])
        self.compared = compile_group([str(w) for w in lists.get("compared_words") or []])
        self.tried = compile_group([str(w) for w in lists.get("tried_words") or []])
        self.comparing = compile_group([str(w) for w in lists.get("group_and_member_words") or []])

    def without_compared(self, text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The entities without a treatment named only as what another is compared with ("Ist das
        sowas wie Massage?", knowledge/therapies.yml `compared_words`), where another is named and
        no word refers to both ("so ähnlich wie TENS, und welche von beiden ist besser untersucht")."""
        tokens = tokenize(text)
        if first_match(self.several, tokens) is not None:
            return entities
        # where a compared treatment may start: the word after the comparison, or after its article
        starts = {t.start for m in matches_of(self.compared, tokens) for t in tokens[m.last + 1 : m.last + 3]}
        therapies = [e for e in entities if e.get("entity") == ENTITY and "start" in e]
        compared = {e.get("value") for e in therapies if int(e["start"]) in starts}
        others = {e.get("value") for e in therapies if int(e["start"]) not in starts} - compared
        if not compared or not others:
            return entities
        return [e for e in entities if e.get("entity") != ENTITY or e.get("value") not in compared]

    def asked_only(self, text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The entities without the treatments named only outside the sentences that ask, where
        those sentences name a treatment; else the entities as they are."""
        entities = self.without_compared(text, entities)
        therapies = [e for e in entities if e.get("entity") == ENTITY and "start" in e]
        if len({e.get("value") for e in therapies}) < 2:
            return entities
        questions = question_spans(text)
        asked = [e for e in therapies if any(a <= int(e["start"]) < b for a, b in questions)]
        if not any(e.get("extractor") != DESCRIBER for e in asked):
            return entities
        tokens = tokenize(text)
        if any(first_match(self.several, within(tokens, a, b)) is not None for a, b in questions):
            return entities
        kept = {e.get("value") for e in asked}
        return [e for e in entities if e.get("entity") != ENTITY or e.get("value") in kept]

    def without_tried_before(self, text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The entities without the treatments named only in sentences that tell what was tried
        before, where the questions name no treatment and another is named in a sentence that does
        not tell that; else the entities as they are."""
        therapies = [e for e in entities if e.get("entity") == ENTITY and "start" in e]
        questions = question_spans(text, dictated=True)
        if len({e.get("value") for e in therapies}) < 2 or not questions:
            return entities
        if any(a <= int(e["start"]) < b for e in therapies for a, b in questions):
            return entities
        tokens = tokenize(text)
        if first_match(self.several, tokens) is not None or any(
            first_match(self.comparing, within(tokens, a, b)) is not None for a, b in questions
        ):
            return entities
        earlier, now = set(), set()
        for a, b in sentence_spans(text, dictated=True):
            named = {e.get("value") for e in therapies if a <= int(e["start"]) < b}
            if named:
                tried = first_match(self.tried, within(tokens, a, b)) is not None
                (earlier if tried else now).update(named)
        dropped = earlier - now
        if not dropped or not now:
            return entities
        return [e for e in entities if e.get("entity") != ENTITY or e.get("value") not in dropped]

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            text = message.get(TEXT) or ""
            kept = self.without_tried_before(text, self.asked_only(text, entities))
            if len(kept) != len(entities):
                message.set(ENTITIES, kept, add_to_output=True)
        return messages
