"""Therapy accuracy on labelled messages, shared by the held-out test and `make report`.

Stricter than Rasa's token-level entity report: a message counts as right only if
the set of canonical therapy ids found equals the annotated set (the value is what
the bot acts on; where in the sentence it was found does not matter).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

THERAPY = "therapy"


def therapy_values(entities: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """The canonical therapy ids among a message's entities (annotated or predicted)."""
    return frozenset(str(e["value"]) for e in entities if e.get("entity") == THERAPY)


@dataclass(frozen=True)
class TherapyMiss:
    text: str
    expected: frozenset[str]
    found: frozenset[str]

    def __str__(self) -> str:
        return f"{self.text!r}: expected {sorted(self.expected)}, found {sorted(self.found)}"


@dataclass(frozen=True)
class TherapyScore:
    total: int
    misses: list[TherapyMiss] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return 1 - len(self.misses) / self.total if self.total else 0.0


def score_therapies(
    examples: Iterable[tuple[str, Iterable[Mapping[str, Any]]]],
    find: Callable[[str], Iterable[Mapping[str, Any]]],
) -> TherapyScore:
    """Score `find` (text -> predicted entities) on (text, annotated entities) pairs."""
    total = 0
    misses = []
    for text, annotated in examples:
        total += 1
        expected = therapy_values(annotated)
        found = therapy_values(find(text))
        if found != expected:
            misses.append(TherapyMiss(text, expected, found))
    return TherapyScore(total, misses)


def labelled_examples(path: str) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(text, intent, entities) of every example in a Rasa NLU file."""
    from rasa.shared.nlu.training_data.loading import load_data

    return [
        (ex.get("text"), ex.get("intent"), list(ex.get("entities") or [])) for ex in load_data(path).training_examples
    ]


def model_entity_finder(model: str) -> Callable[[str], list[dict[str, Any]]]:
    """A `find` for `score_therapies` that parses with a trained Rasa model (NLU-only or full)."""
    import asyncio

    from rasa.core.agent import Agent

    agent = Agent.load(model)

    def find(text: str) -> list[dict[str, Any]]:
        return asyncio.run(agent.parse_message(text))["entities"]

    return find
