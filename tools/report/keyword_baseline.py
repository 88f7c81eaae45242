"""A plain keyword baseline for the report: no learning beyond counting words.

Intents: each intent's most distinctive words in the training data (words that
occur in at least `min_count` of its examples, and mostly in its examples); a
message gets the intent whose keywords it contains most often. No hit, or a tie,
gives `out_of_scope`. Therapies: exact look-up of the names the training data
lists (its `synonym:` blocks and annotated entity texts), longest name first.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

FALLBACK_INTENT = "out_of_scope"
WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


@dataclass(frozen=True)
class KeywordBaseline:
    keywords: dict[str, frozenset[str]]  # intent -> its keywords
    names: dict[str, str]  # lower-case therapy name -> canonical id

    @classmethod
    def fit(
        cls,
        examples: Iterable[tuple[str, str, Iterable[Mapping[str, Any]]]],
        synonyms: Mapping[str, str] = {},
        per_intent: int = 20,
        min_count: int = 2,
        min_share: float = 0.5,
    ) -> KeywordBaseline:
        """Learn from (text, intent, entities) examples and a synonym -> id map."""
        in_intent: dict[str, Counter[str]] = defaultdict(Counter)  # intent -> word -> examples
        overall: Counter[str] = Counter()
        names = {name.lower(): value for name, value in synonyms.items()}
        for text, intent, entities in examples:
            unique = set(words(text))
            in_intent[intent].update(unique)
            overall.update(unique)
            for entity in entities:
                if entity.get("entity") == "therapy" and "start" in entity:
                    names.setdefault(text[entity["start"] : entity["end"]].lower(), str(entity["value"]))
        keywords = {}
        for intent, counts in in_intent.items():
            scored = [
                (count * count / overall[word], word)
                for word, count in counts.items()
                if count >= min_count and count / overall[word] >= min_share
            ]
            keywords[intent] = frozenset(word for _score, word in sorted(scored, reverse=True)[:per_intent])
        return cls(keywords, names)

    def predict_intent(self, text: str) -> str:
        tokens = words(text)
        hits = {intent: sum(token in keys for token in tokens) for intent, keys in self.keywords.items()}
        best = max(hits.values(), default=0)
        winners = [intent for intent, count in hits.items() if count == best]
        return winners[0] if best > 0 and len(winners) == 1 else FALLBACK_INTENT

    def find_therapies(self, text: str) -> list[dict[str, Any]]:
        """Therapy entities by exact name, whole words only, longest names first, no overlaps."""
        lowered = text.lower()
        taken = [False] * len(lowered)
        found = []
        for name in sorted(self.names, key=len, reverse=True):
            for match in re.finditer(rf"(?<![^\W_]){re.escape(name)}(?![^\W_])", lowered):
                if not any(taken[match.start() : match.end()]):
                    taken[match.start() : match.end()] = [True] * (match.end() - match.start())
                    found.append({"entity": "therapy", "value": self.names[name], "start": match.start()})
        return sorted(found, key=lambda entity: entity["start"])
