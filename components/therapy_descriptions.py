"""A Rasa NLU component that recognises treatments described rather than named.

"das Gerät mit den Klebepads" is TENS, "Nadeln mit Strom" is PENS, "wo man auf einer Liege
liegt und eine Maschine zieht" is Traktion. The rules live with the treatments, in
knowledge/therapies.yml (`descriptions:`; pattern language: components/matching.py).

Each rule is matched within one sentence. Words every member of a group has (`shared_words`:
electrodes, tingling) describe the member named beside them, not a second one.

Runs after the TherapyExtractor. A description adds a `therapy` entity for its treatment
and removes the names the extractor found inside it: "Nadeln" (Akupunktur) and "Strom"
(Elektrotherapie) within "Nadeln mit Strom" are parts of the description of PENS.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.matching import (
    Rule,
    compile_group,
    compile_rule,
    first_match,
    fold,
    language_words,
    sentence_spans,
    tokenize,
    within,
)
from components.yaml_lexicon import YamlLexiconComponent

ENTITY = "therapy"
# articles and prepositions (knowledge/language.yml): no word of a treatment's name of its own
FUNCTION_WORDS = frozenset(fold(w) for w in language_words("function_words"))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class TherapyDescriptions(YamlLexiconComponent, EntityExtractorMixin):
    def compile(self, lists: dict[str, Any]) -> None:
        therapies = lists.get("therapies") or {}
        # a group described beside one of its members is that member ("mit den Händen die Gelenke
        # ganz sanft bewegt" describes manual therapy and, more closely, Mobilisation)
        self.group_of = {
            str(t): str(entry["part_of"])
            for t, entry in therapies.items()
            if isinstance(entry, dict) and entry.get("part_of")
        }
        # the words that tell a member of a group ("Nadeln" for PENS): beside that member's name they
        # are part of it, no second treatment ("PENS mit den Nadeln" is not also Akupunktur)
        self.own_words = self._lists_of(therapies, "in_group_words")
        # words that fit every member of a group (electrodes and tingling: TENS and Interferenzstrom)
        self.shared_words = self._lists_of(therapies, "shared_words")
        # words with which a group and its member are both meant ("Unterschied zwischen
        # Elektrotherapie und TENS"); without them the member is the treatment meant
        self.both_meant = compile_group([str(w) for w in lists.get("group_and_member_words") or []])
        self.rules: list[tuple[str, Rule]] = [
            (str(therapy), compile_rule(rule))
            for therapy, rules in (lists.get("descriptions") or {}).items()
            for rule in rules or []
        ]

    @staticmethod
    def _lists_of(therapies: dict[str, Any], key: str) -> dict[str, Any]:
        """Each treatment's word list under `key`, compiled (treatments without one left out)."""
        return {
            str(t): compile_group([str(w) for w in entry.get(key) or []])
            for t, entry in therapies.items()
            if isinstance(entry, dict) and entry.get(key)
        }

    def describe(self, text: str) -> list[dict[str, Any]]:
        """One entity per description found (the span from its first to its last matched word).
        A description lies within one sentence: in a story, "ein Gerät mit Klebepads" in one
        sentence and "wenn der Rücken wieder zieht" in the next describe no traction."""
        tokens = tokenize(text)
        sentences = [within(tokens, start, end) for start, end in sentence_spans(text)]
        found = []
        for therapy, rule in self.rules:
            for sentence in sentences:
                matches = rule.match(sentence)
                if not matches:
                    continue
                start = sentence[min(m.first for m in matches)].start
                end = sentence[max(m.last for m in matches)].end
                if any(e["value"] == therapy and e["start"] <= start < e["end"] for e in found):
                    continue
                words = [sentence[i] for m in matches for i in range(m.first, m.last + 1)]
                found.append(
                    {"entity": ENTITY, "value": therapy, "start": start, "end": end, "text": text[start:end],
                     "confidence_entity": 0.9, "words": words}
                )  # fmt: skip
        groups = {self.group_of.get(d["value"]) for d in found}
        return [d for d in found if d["value"] not in groups]

    def told_by_name(self, text: str, described: dict[str, Any], named: set[str]) -> bool:
        """A description made only of words that fit its whole group (and of a named sibling's own
        words) describes the sibling named beside it: "vier Elektroden, es kribbelt, die nennen das
        Interferenzstrom" is no TENS as well. Unless the two are set side by side ("Unterschied")."""
        group = self.group_of.get(described["value"])
        siblings = [t for t in named if t != described["value"] and self.group_of.get(t) == group]
        if group not in self.shared_words or not siblings:
            return False
        if first_match(self.both_meant, tokenize(text)) is not None:
            return False
        fitting = [self.shared_words[group]] + [self.own_words[t] for t in siblings if t in self.own_words]
        return all(any(first_match(words, [w]) is not None for words in fitting) for w in described["words"])

    def absorbed(self, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Without the names that are only words of another treatment named beside them."""
        named = {e.get("value") for e in entities if e.get("entity") == ENTITY}

        def belongs_elsewhere(e: dict[str, Any]) -> bool:
            # the name's own words, not its article ("durch die Nadeln" beside PENS: "die" is no word of PENS)
            words = [w for w in tokenize(str(e.get("text") or "")) if w.norm not in FUNCTION_WORDS]
            return bool(words) and any(
                other != e.get("value")
                and other in self.own_words
                and all(first_match(self.own_words[other], [w]) is not None for w in words)
                for other in named
            )

        return [e for e in entities if e.get("entity") != ENTITY or not belongs_elsewhere(e)]

    def without_groups_beside_members(self, text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """ "Einrenken beim Chiropraktiker", "TENS, also Elektrotherapie": a group named beside one of
        its members is that member (the group's name says who provides it or what it belongs to),
        unless the message sets the two side by side (`group_and_member_words`)."""
        named = {e.get("value") for e in entities if e.get("entity") == ENTITY}
        groups = {self.group_of[t] for t in named if t in self.group_of} & named
        if not groups or first_match(self.both_meant, tokenize(text)) is not None:
            return entities
        return [e for e in entities if e.get("entity") != ENTITY or e.get("value") not in groups]

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            described = self.describe(message.get(TEXT) or "")
            entities = self.absorbed(message.get(ENTITIES, []))
            named = {e.get("value") for e in entities if e.get("entity") == ENTITY}
            text = message.get(TEXT) or ""
            described = [
                {k: v for k, v in d.items() if k != "words"} for d in described if not self.told_by_name(text, d, named)
            ]
            if len(entities) != len(message.get(ENTITIES, [])):
                message.set(ENTITIES, entities, add_to_output=True)
            if not described:
                continue
            kept = [
                e
                for e in message.get(ENTITIES, [])
                if e.get("entity") != ENTITY
                or e.get("value") in {d["value"] for d in described}
                # a name that overlaps the description is part of it ("einem Nadeln" in "Nadeln … Strom")
                or not any(e.get("start", -1) < d["end"] and e.get("end", -1) > d["start"] for d in described)
            ]
            new = [
                d
                for d in described
                if not any(k.get("entity") == ENTITY and k.get("value") == d["value"] for k in kept)
            ]
            # a name in another sentence may be a word of the treatment described ("Nadeln mit Strom …
            # Ich habe Angst vor Nadeln": the needles of PENS, not Akupunktur)
            message.set(ENTITIES, self.absorbed(kept + self.add_extractor_name(new)), add_to_output=True)
        for message in messages:
            entities = message.get(ENTITIES, [])
            resolved = self.without_groups_beside_members(message.get(TEXT) or "", entities)
            if len(resolved) != len(entities):
                message.set(ENTITIES, resolved, add_to_output=True)
        return messages
