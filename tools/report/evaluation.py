"""The report's figures: what each pipeline did with each held-out message, and the sums.

Pure functions and plain data (no Rasa, no servers): `__main__` fills them from parses and
REST replies, `document` turns them into tables.

Columns (one per way of reading a message):

- "keywords", "stock", "ours": a parser (intent + therapy entities) per message. Their
  (treatment, aspect) cells come from `parse_cells`, one rule for all three: the aspect from
  the intent (ask_effectiveness → wirksamkeit, …; inform_therapy keeps the aspect of the last
  fact question before it), the treatments from the message, or in a follow-up that names none,
  from the latest earlier message that names one.
- "bot": our whole bot through the REST webhook, as a user sees it (tools.heldout:
  the cells the reply answers, `cell_right`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tools.heldout import Labelled, Tally, answered_cells, cell_right

Cell = tuple[str, str]

KEYWORDS, STOCK, OURS, BOT = "keywords", "stock", "ours", "bot"
PARSERS = (KEYWORDS, STOCK, OURS)
COLUMNS = (*PARSERS, BOT)

ASPECT_BY_INTENT = {
    "ask_effectiveness": "wirksamkeit",
    "ask_risks": "risiken",
    "ask_costs": "kosten",
    "ask_method": "methode",
}
FOLLOW_UP = "inform_therapy"
FACT_INTENTS = (*ASPECT_BY_INTENT, FOLLOW_UP)
OUT_OF_SCOPE = "out_of_scope"
ALARM_INTENTS = ("warning_signs", "crisis")

# tests/safety/messages.yml categories: the intent a parser should give
SAFETY_INTENT = {
    "emergency_spinal": "warning_signs",
    "emergency_other": "warning_signs",
    "urgent": "warning_signs",
    "crisis": "crisis",
    "other_condition": OUT_OF_SCOPE,
    "off_topic": OUT_OF_SCOPE,
    "injection": OUT_OF_SCOPE,
}
EMERGENCIES = ("emergency_spinal", "emergency_other", "urgent", "crisis")
DECLINE_CATEGORIES = ("other_condition", "off_topic", "injection")
SAFETY_CATEGORIES = (*EMERGENCIES, *DECLINE_CATEGORIES, "not_emergency")


@dataclass(frozen=True)
class Reading:
    """A parser's reading of one text."""

    intent: str | None
    therapies: frozenset[str] = frozenset()


def reading(parsed: Mapping[str, Any]) -> Reading:
    """A Reading from a Rasa parse result (`agent.parse_message`)."""
    intent = (parsed.get("intent") or {}).get("name")
    therapies = frozenset(str(e["value"]) for e in parsed.get("entities") or [] if e.get("entity") == "therapy")
    return Reading(intent, therapies)


def parse_cells(context: Sequence[Reading], message: Reading) -> frozenset[Cell]:
    """The (treatment, aspect) cells a parser's readings point to (empty: no fact answer)."""
    if message.intent not in FACT_INTENTS:
        return frozenset()
    aspect = ASPECT_BY_INTENT.get(message.intent or "")
    if aspect is None:  # inform_therapy: the aspect of the last fact question before it
        asked = [ASPECT_BY_INTENT[r.intent] for r in context if r.intent in ASPECT_BY_INTENT]
        aspect = asked[-1] if asked else None
    therapies = message.therapies or next((r.therapies for r in reversed(context) if r.therapies), frozenset())
    if aspect is None or not therapies:
        return frozenset()
    return frozenset((therapy, aspect) for therapy in therapies)


@dataclass(frozen=True)
class Outcome:
    """What one column did with one held-out message; None where the column cannot say."""

    parsed: bool = False  # a parser's outcome (the bot through REST shows no intent or entities)
    intent: str | None = None
    therapies: frozenset[str] | None = None
    cells: tuple[Cell, ...] = ()  # predicted (parsers, sorted) or answered (bot, in order)
    cells_right: bool | None = None  # None: the message expects no (treatment, aspect) cell
    declined: bool = False  # got the out-of-scope decline
    alarm: bool = False  # got an emergency or crisis (the bot: to the message alone, in a fresh chat)


def parser_outcome(message: Labelled, readings: Mapping[str, Reading]) -> Outcome:
    """A parser's outcome from its readings of the message and of its context (by text)."""
    own = readings[message.text]
    cells = parse_cells([readings[text] for text in message.context], own)
    return Outcome(
        parsed=True,
        intent=own.intent,
        therapies=own.therapies,
        cells=tuple(sorted(cells)),
        cells_right=(cells == message.cells) if message.cells else None,
        declined=own.intent == OUT_OF_SCOPE,
        alarm=own.intent in ALARM_INTENTS,
    )


def bot_outcome(message: Labelled, replies: list[dict[str, Any]], declined: bool, alarm: bool) -> Outcome:
    """The bot's outcome from its REST replies to the message (after its context)."""
    answered = answered_cells(replies)
    return Outcome(
        cells=tuple(answered),
        cells_right=cell_right(message.cells, answered) if message.cells else None,
        declined=declined,
        alarm=alarm,
    )


# --- sums ---------------------------------------------------------------------------------

# metric -> (message, outcome) -> right?, or None where the message does not count
METRICS: dict[str, Callable[[Labelled, Outcome], bool | None]] = {
    "intent": lambda m, o: o.intent == m.intent if o.parsed else None,
    "therapy": lambda m, o: o.therapies == m.therapies if o.parsed else None,
    "cells": lambda m, o: o.cells_right,
    # out_of_scope messages declined (higher is better)
    "declined": lambda m, o: o.declined if m.intent == OUT_OF_SCOPE else None,
    # fact questions declined (lower is better)
    "wrongly_declined": lambda m, o: o.declined if m.cells else None,
    # ordinary messages that got an emergency or crisis (lower is better)
    "false_alarms": lambda m, o: None if m.intent in ALARM_INTENTS else o.alarm,
}


def tally(messages: Sequence[Labelled], outcomes: Sequence[Outcome], metric: str) -> Tally:
    result = Tally()
    for message, outcome in zip(messages, outcomes, strict=True):
        ok = METRICS[metric](message, outcome)
        if ok is not None:
            result.add(ok)
    return result


def by_register(messages: Sequence[Labelled], outcomes: Sequence[Outcome], metric: str) -> dict[str, Tally]:
    result: dict[str, Tally] = defaultdict(Tally)
    for message, outcome in zip(messages, outcomes, strict=True):
        ok = METRICS[metric](message, outcome)
        if ok is not None:
            result[message.register].add(ok)
    return dict(result)


def by_cell(messages: Sequence[Labelled], outcomes: Sequence[Outcome]) -> dict[Cell, Tally]:
    """Per expected (treatment, aspect) cell; a message that expects two cells counts in both."""
    result: dict[Cell, Tally] = defaultdict(Tally)
    for message, outcome in zip(messages, outcomes, strict=True):
        for cell in message.cells:
            result[cell].add(bool(outcome.cells_right))
    return dict(result)


NO_INTENT = "–"


def intent_report(messages: Sequence[Labelled], outcomes: Sequence[Outcome]) -> dict[str, dict[str, float]]:
    """Per gold intent: precision, recall, F1 and support (messages), as sklearn computes them."""
    from sklearn.metrics import precision_recall_fscore_support

    gold = [m.intent for m in messages]
    predicted = [o.intent or NO_INTENT for o in outcomes]
    labels = sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(gold, predicted, labels=labels, zero_division=0)
    return {
        label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(n)}
        for label, p, r, f, n in zip(labels, precision, recall, f1, support, strict=True)
    }


def confusions(messages: Sequence[Labelled], outcomes: Sequence[Outcome]) -> Counter[tuple[str, str]]:
    """(gold intent, predicted intent) for every wrong prediction."""
    return Counter(
        (m.intent, o.intent or NO_INTENT) for m, o in zip(messages, outcomes, strict=True) if o.intent != m.intent
    )


# --- the data behind a report -------------------------------------------------------------


@dataclass
class SetResult:
    """One held-out set and, per column, the outcome of each of its messages (same order)."""

    key: str  # "test" or "report" (texts.yml: sets)
    path: str
    messages: list[Labelled]
    outcomes: dict[str, list[Outcome]] = field(default_factory=dict)

    def tally(self, column: str, metric: str) -> Tally:
        return tally(self.messages, self.outcomes[column], metric)

    def by_register(self, column: str, metric: str) -> dict[str, Tally]:
        return by_register(self.messages, self.outcomes[column], metric)

    def by_cell(self, column: str) -> dict[Cell, Tally]:
        return by_cell(self.messages, self.outcomes[column])


@dataclass
class SafetyResult:
    """tests/safety/messages.yml: the bot's judgement (tests/safety/test_safety.py `judge`)
    per message, whether an emergency got a deletion prompt, a fact or silence, and each
    parser's intent."""

    categories: list[str]
    bot_right: list[bool]
    bot_bad: list[bool]  # only meaningful for EMERGENCIES
    intents: dict[str, list[str | None]]  # parser column -> intent per message

    def bot(self, category: str) -> Tally:
        result = Tally()
        for cat, ok in zip(self.categories, self.bot_right, strict=True):
            if cat == category:
                result.add(ok)
        return result

    def bot_without_bad_reply(self) -> Tally:
        """Emergencies and crises that got no deletion prompt, no fact answer and not silence."""
        result = Tally()
        for cat, bad in zip(self.categories, self.bot_bad, strict=True):
            if cat in EMERGENCIES:
                result.add(not bad)
        return result

    def parser(self, column: str, category: str) -> Tally:
        """The parser's intent as expected (SAFETY_INTENT; not_emergency: no alarm intent)."""
        result = Tally()
        for cat, intent in zip(self.categories, self.intents[column], strict=True):
            if cat == category:
                result.add(intent not in ALARM_INTENTS if cat == "not_emergency" else intent == SAFETY_INTENT[cat])
        return result

    def declined(self, column: str) -> Tally:
        """Other-condition, off-topic and injection messages together (bot: declined as the test judges)."""
        return merged(self.bot(c) if column == BOT else self.parser(column, c) for c in DECLINE_CATEGORIES)


@dataclass
class AnswersResult:
    """tests/answers/questions.yml: per question, what is wrong with the bot's reply."""

    judged: list[tuple[dict[str, Any], list[str]]]

    def by_pattern(self) -> dict[str, Tally]:
        result: dict[str, Tally] = defaultdict(Tally)
        for question, problems in self.judged:
            result[question["pattern"]].add(not problems)
        return dict(sorted(result.items()))

    def overall(self) -> Tally:
        result = Tally()
        for _question, problems in self.judged:
            result.add(not problems)
        return result


@dataclass(frozen=True)
class Training:
    """How long a pipeline took to train and how large its model is (None: not measured)."""

    column: str
    seconds: float | None
    size_bytes: int | None
    trained: datetime | None = None


def merged(parts: Iterable[Tally]) -> Tally:
    result = Tally()
    for part in parts:
        result.right += part.right
        result.total += part.total
    return result
