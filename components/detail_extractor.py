"""A Rasa NLU component that finds what a question is about beyond treatment and aspect.

From knowledge/details.yml it finds three entities, which action_answer_fact reads:

- `detail`:  the detail asked ("Marcumar" → blutverduenner, "knackt" → knacken);
- `premise`: a belief the question takes for granted ("hilft doch sicher" → benefit; a
             question ending "…, oder?" → tag);
- `asked`:   every aspect the message asks about ("Was kostet das und ist es gefährlich?"
             → kosten, risiken), so two questions in one message get two answers.

Why a lexicon and not DIET entities: the lists are short, editors keep them, and a word
list is exact about what it finds (see components/matching.py for the pattern language).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.matching import Pattern, compile_group, find, tokenize
from components.yaml_lexicon import YamlLexiconComponent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class DetailExtractor(YamlLexiconComponent, EntityExtractorMixin):
    """Entities `detail`, `premise` and `asked` from the word lists in knowledge/details.yml."""

    def compile(self, lists: dict[str, Any]) -> None:
        self.groups: list[tuple[str, str, tuple[Pattern, ...]]] = []
        for detail_id, entry in (lists.get("details") or {}).items():
            self.groups.append(("detail", str(detail_id), compile_group(entry.get("words") or [])))
        for kind, words in (lists.get("premises") or {}).items():
            self.groups.append(("premise", str(kind), compile_group(words or [])))
        for aspect, words in (lists.get("aspects") or {}).items():
            self.groups.append(("asked", str(aspect), compile_group(words or [])))
        self.agreement_tags = compile_group(lists.get("agreement_tags") or [])

    def agreement_tag(self, text: str, tokens: list) -> dict[str, Any] | None:
        """A `premise` entity when a question ends by asking for agreement ("…, oder?"), also one
        that another question follows ("… weg, oder? Wie lange muss ich es dranlassen?")."""
        for pattern in self.agreement_tags:
            for match in find(pattern, tokens, typos=False):
                after = match.last + 1
                between = text[tokens[match.last].end : tokens[after].start if after < len(tokens) else len(text)]
                if "?" in between:
                    start, end = tokens[match.first].start, tokens[match.last].end
                    return {"entity": "premise", "value": "tag", "start": start, "end": end, "text": text[start:end]}
        return None

    def extract(self, text: str) -> list[dict[str, Any]]:
        tokens = tokenize(text)
        found: list[dict[str, Any]] = []
        for entity, value, patterns in self.groups:
            for pattern in patterns:
                hits = [m for m in find(pattern, tokens) if not m.negated]
                if hits:
                    first = hits[0]
                    start, end = tokens[first.first].start, tokens[first.last].end
                    found.append(
                        {"entity": entity, "value": value, "start": start, "end": end, "text": text[start:end]}
                    )
                    break
        if not any(e["entity"] == "premise" for e in found):
            tag = self.agreement_tag(text.rstrip(), tokens)
            if tag is not None:
                found.append(tag)
        found.sort(key=lambda e: (e["start"], e["entity"]))
        return found

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            found = self.extract(message.get(TEXT) or "")
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(found), add_to_output=True)
        return messages
