"""The report's document: every section, built from the measured data (pure: no Rasa, no servers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.content.knowledge import KnowledgeBase
from tools.report import tables
from tools.report.evaluation import (
    BOT,
    COLUMNS,
    OURS,
    PARSERS,
    STOCK,
    AnswersResult,
    SafetyResult,
    SetResult,
    Training,
)
from tools.report.tables import Document, SafetyLimits, Texts

# the figures kept in reports/previous.json for the next report's "change" table
SNAPSHOT_METRICS = ("intent", "therapy", "cells", "declined")


@dataclass(frozen=True)
class HeldoutLimits:
    """What `make test` asks on the test set (tests/nlu/test_heldout.py)."""

    intent: float
    therapy: float
    cells: float


@dataclass
class ReportData:
    created: datetime
    runtime_seconds: float
    model: str
    model_trained: datetime | None
    sets: list[SetResult]
    safety: SafetyResult
    answers: AnswersResult
    trainings: list[Training]
    heldout_limits: HeldoutLimits
    safety_limits: SafetyLimits
    answers_min_right: float
    previous: Mapping[str, Any] | None = None


def snapshot(sets: Sequence[SetResult]) -> dict[str, dict[str, dict[str, float]]]:
    """set -> metric -> column -> share, for the next report's change table."""
    return {
        result.key: {
            metric: {c: result.tally(c, metric).accuracy for c in COLUMNS if result.tally(c, metric).total}
            for metric in SNAPSHOT_METRICS
        }
        for result in sets
    }


def gate_verdict(result: SetResult, limits: HeldoutLimits, texts: Texts) -> str:
    figures = {
        "intent": (result.tally(OURS, "intent"), limits.intent),
        "therapy": (result.tally(OURS, "therapy"), limits.therapy),
        "cells": (result.tally(BOT, "cells"), limits.cells),
    }
    parts = [
        texts.format(
            "test_gate.part",
            metric=texts.label("metrics", metric),
            share=tables.percent(tally),
            required=tables.german(100 * required, 0),
            met=tables.yes_no(tally.accuracy >= required, texts),
        )
        for metric, (tally, required) in figures.items()
    ]
    return texts.format("test_gate.sentence", parts="; ".join(parts))


def build_document(data: ReportData, kb: KnowledgeBase, texts: Texts) -> Document:
    doc = Document(texts["title"])
    model_date = data.model_trained.strftime("%d.%m.%Y %H:%M") if data.model_trained else "–"
    doc.paragraph(
        texts.format(
            "created",
            date=data.created.strftime("%d.%m.%Y"),
            time=data.created.strftime("%H:%M"),
            runtime=tables.minutes(data.runtime_seconds),
            model=data.model,
            model_date=model_date,
            sets=", ".join(f"`{r.path}` ({len(r.messages)})" for r in data.sets),
        )
    )
    doc.heading(texts["sections.meaning"])
    for paragraph in texts["meaning"]:
        doc.paragraph(paragraph.strip())

    doc.heading(texts["sections.overview"])
    doc.table(*tables.overview_table(data.sets, COLUMNS, texts))
    test_set = next((r for r in data.sets if r.key == "test"), None)
    if test_set is not None:
        doc.paragraph(gate_verdict(test_set, data.heldout_limits, texts))
    doc.paragraph(texts["notes.overview"].strip())
    for sentence in tables.lead_sentences(data.sets, ("intent", "cells"), texts):
        doc.paragraph(sentence)
    doc.paragraph(tables.decline_sentence(data.sets, data.safety, texts))

    doc.heading(texts["sections.declines"])
    doc.paragraph(texts["notes.declines"].strip())
    doc.table(*tables.decline_table(data.sets, data.safety, COLUMNS, texts))

    doc.heading(texts["sections.safety"])
    doc.paragraph(texts["notes.safety"].strip())
    doc.table(*tables.safety_table(data.safety, data.sets, data.safety_limits, (STOCK, OURS), texts))

    doc.heading(texts["sections.answers"])
    doc.paragraph(texts["notes.answers"].strip())
    doc.table(*tables.answers_table(data.answers, data.answers_min_right, texts))

    doc.heading(texts["sections.training"])
    doc.table(*tables.training_table(data.trainings, texts))
    doc.paragraph(texts["notes.training"].strip())

    doc.heading(texts["sections.registers"])
    doc.paragraph(texts["notes.registers"].strip())
    for result in data.sets:
        for metric in tables.HEADLINE_METRICS:
            doc.heading(f"{texts.label('sets', result.key)}: {texts.label('metrics', metric)}", level=3)
            doc.table(*tables.register_table(result, metric, COLUMNS, texts))

    doc.heading(texts["sections.intents"])
    doc.paragraph(texts["notes.intents"].strip())
    for result in data.sets:
        doc.heading(texts.label("sets", result.key), level=3)
        doc.table(*tables.intent_table(result, PARSERS, texts))

    doc.heading(texts["sections.cells"])
    doc.paragraph(texts["notes.cells"].strip())
    therapies = {t.id: t.name for t in kb.therapies.values()}
    for result in data.sets:
        doc.heading(texts.label("sets", result.key), level=3)
        doc.table(*tables.cell_table(result, COLUMNS, therapies, texts))

    doc.heading(texts["sections.misses"])
    doc.paragraph(texts["notes.misses"].strip())
    if test_set is not None:
        doc.heading(texts["misses.intents"], level=3)
        doc.table(
            [texts["headers.message"], texts["headers.expected"], texts["headers.got"]],
            tables.intent_miss_rows(test_set, OURS),
            empty=texts["none"],
        )
        doc.heading(texts["misses.cells"], level=3)
        doc.table(
            [texts["headers.context"], texts["headers.message"], texts["headers.expected"], texts["headers.answered"]],
            tables.cell_miss_rows(test_set, BOT),
            empty=texts["none"],
        )
    doc.heading(texts["misses.answers"], level=3)
    doc.table(
        [texts["headers.id"], texts["headers.question"], texts["headers.problem"]],
        tables.answer_miss_rows(data.answers, texts),
        empty=texts["none"],
    )

    doc.heading(texts["sections.changes"])
    previous = data.previous
    if not previous or "figures" not in previous:
        doc.paragraph(texts["notes.no_previous"])
    else:
        doc.paragraph(texts.format("notes.previous", created=previous.get("created", "–")))
        doc.table(*tables.change_table(snapshot(data.sets), previous["figures"], COLUMNS, texts))

    doc.heading(texts["sections.coverage"])
    doc.paragraph(texts["notes.coverage"].strip())
    doc.table(*tables.coverage_table(kb, texts))
    return doc
