"""Held-out message sets (tests/nlu/testset.yml, tests/nlu/reportset.yml) and how they are scored.

A set is a list of messages, each labelled by someone who never saw the training data:

    - text: "und was kostet das?"
      intent: ask_costs
      therapy: []                       # treatments named or described in the message itself
      context: ["Hilft Massage?"]       # earlier messages of the same chat (follow-ups only)
      answer: [[massage, kosten]]       # the (treatment, aspect) cells a user should get answered
      register: messenger

Two ways to score, both used by `make test` and `make report`:

- parse: the NLU alone on each message (intent, and the set of therapy ids it finds);
- as a user sees it: the message, after its context, through the REST webhook of the running
  bot; right when the reply answers every expected (treatment, aspect) cell and no other
  treatment first (`answer.cells` in the reply's structure).
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FACT_INTENTS = ("ask_effectiveness", "ask_risks", "ask_costs", "ask_method", "inform_therapy")


@dataclass(frozen=True)
class Labelled:
    text: str
    intent: str
    therapies: frozenset[str]
    register: str
    context: tuple[str, ...] = ()
    cells: frozenset[tuple[str, str]] = frozenset()


def load_set(path: Path | str) -> list[Labelled]:
    with Path(path).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    messages = []
    for item in data["messages"]:
        context = item.get("context") or []
        messages.append(
            Labelled(
                text=str(item["text"]),
                intent=str(item["intent"]),
                therapies=frozenset(item.get("therapy") or []),
                register=str(item.get("register", "plain")),
                context=tuple(c if isinstance(c, str) else c["text"] for c in context),
                cells=frozenset(tuple(cell) for cell in item.get("answer") or []),
            )
        )
    return messages


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass
class Scores:
    """Accuracy overall and per register, and the misses (for the report and test output)."""

    overall: Tally = field(default_factory=Tally)
    by_register: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_intent: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: list[str] = field(default_factory=list)

    def add(self, message: Labelled, ok: bool, miss: str) -> None:
        self.overall.add(ok)
        self.by_register[message.register].add(ok)
        self.by_intent[message.intent].add(ok)
        if not ok:
            self.misses.append(miss)


def score_parse(
    messages: Iterable[Labelled], parse: Callable[[str], dict[str, Any]]
) -> tuple[Scores, Scores, Counter[str]]:
    """(intent scores, therapy scores, confusion counts "expected -> got") of an NLU parser."""
    intents, therapies, confusion = Scores(), Scores(), Counter()
    for message in messages:
        result = parse(message.text)
        got = (result.get("intent") or {}).get("name")
        intents.add(message, got == message.intent, f"{message.text!r}: {message.intent} -> {got}")
        if got != message.intent:
            confusion[f"{message.intent} -> {got}"] += 1
        found = frozenset(e["value"] for e in result.get("entities", []) if e.get("entity") == "therapy")
        therapies.add(
            message, found == message.therapies, f"{message.text!r}: {sorted(message.therapies)} -> {sorted(found)}"
        )
    return intents, therapies, confusion


def answered_cells(replies: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The (treatment, aspect) cells a list of REST replies answered, in order."""
    cells: list[tuple[str, str]] = []
    for reply in replies:
        for cell in (reply.get("answer") or {}).get("cells") or []:
            cells.append((cell[0], cell[1]))
    return cells


def cell_right(expected: frozenset[tuple[str, str]], answered: list[tuple[str, str]]) -> bool:
    return bool(answered) and expected <= set(answered) and answered[0] in expected


def score_conversations(messages: Iterable[Labelled], send: Callable[[str, str], list[dict[str, Any]]]) -> Scores:
    """Per message as a user sees it: context first, then the message, in a fresh chat."""
    scores = Scores()
    for message in messages:
        if not message.cells:
            continue
        sender = f"heldout-{uuid.uuid4()}"
        for earlier in message.context:
            send(sender, earlier)
        answered = answered_cells(send(sender, message.text))
        expected = sorted(message.cells)
        scores.add(message, cell_right(message.cells, answered), f"{message.text!r}: {expected} -> {answered}")
    return scores


def rest_sender(url: str) -> Callable[[str, str], list[dict[str, Any]]]:
    import requests

    session = requests.Session()

    def send(sender: str, text: str) -> list[dict[str, Any]]:
        response = session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30)
        response.raise_for_status()
        return response.json()

    return send


def agent_parser(model: Path | str) -> Callable[[str], dict[str, Any]]:
    """Parse with a trained Rasa model in this process (NLU only, no action server)."""
    import asyncio

    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()

    def parse(text: str) -> dict[str, Any]:
        return loop.run_until_complete(agent.parse_message(text))

    return parse
