"""Pure functions for the report: numbers formatted in German, the report's tables, and a small
document model rendered to Markdown and to self-contained HTML.

Every German word comes from tools/report/texts.yml (`Texts`), passed in by the caller.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.content.knowledge import KnowledgeBase
from tools.heldout import Tally
from tools.report.evaluation import (
    BOT,
    DECLINE_CATEGORIES,
    OURS,
    STOCK,
    AnswersResult,
    Cell,
    SafetyResult,
    SetResult,
    Training,
    intent_report,
    merged,
)

TEXTS_FILE = Path(__file__).with_name("texts.yml")


class Texts:
    """The report's German texts (texts.yml): `texts["a.b"]`, `texts.format("a.b", n=1)`,
    `texts.label("registers", key)` (the key itself where no label is given)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data

    @classmethod
    def load(cls, path: Path = TEXTS_FILE) -> Texts:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def __getitem__(self, key: str) -> Any:
        value: Any = self.data
        for part in key.split("."):
            value = value[part]
        return value

    def format(self, key: str, **values: Any) -> str:
        return str(self[key]).format(**values)

    def label(self, group: str, key: str) -> str:
        return str((self.data.get(group) or {}).get(key, key))


# --- numbers --------------------------------------------------------------------------------


def german(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def percent(tally: Tally | None) -> str:
    """'95,3 %' (with a no-break space); '–' where nothing was measured."""
    if tally is None or tally.total == 0:
        return "–"
    return f"{german(100 * tally.accuracy)}\u00a0%"


def count(tally: Tally | None) -> str:
    """'5/6'; '–' where nothing was measured."""
    return "–" if tally is None or tally.total == 0 else f"{tally.right}/{tally.total}"


def share(tally: Tally | None) -> str:
    """'62/65 (95,4 %)'."""
    return "–" if tally is None or tally.total == 0 else f"{count(tally)} ({percent(tally)})"


def points(ours: Tally | None, other: Tally | None) -> str:
    """Our share minus the other's, in percentage points: '+2,1', '-0,5', '±0,0'."""
    if ours is None or other is None or ours.total == 0 or other.total == 0:
        return "–"
    delta = 100 * (ours.accuracy - other.accuracy)
    return "±0,0" if abs(delta) < 0.05 else f"{'+' if delta > 0 else '-'}{german(abs(delta))}"


def minutes(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds:.0f} s" if seconds < 120 else f"{german(seconds / 60)} min"


def megabytes(size: int | None) -> str:
    if size is None:
        return "–"
    return f"{german(size / 1_000_000)} MB" if size >= 100_000 else f"{german(size / 1000)} kB"


def yes_no(ok: bool, texts: Texts) -> str:
    return texts["yes"] if ok else texts["no"]


# --- tables ---------------------------------------------------------------------------------

Table = tuple[list[str], list[list[str]]]
HEADLINE_METRICS = ("intent", "therapy", "cells")


def sort_key(text: str) -> str:
    """Alphabetical as a German reader expects it: "ältere" between "Alltag" and "Bauch"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def column_name(texts: Texts, column: str) -> str:
    return texts.label("columns", column)


def overview_table(sets: Sequence[SetResult], columns: Sequence[str], texts: Texts) -> Table:
    """One row per column (and the lead of ours over stock), per set: intent, therapy, cells."""
    headers = [texts["headers.pipeline"]]
    for result in sets:
        name = texts.label("sets", result.key)
        headers += [f"{name}: {texts.label('metrics', metric)}" for metric in HEADLINE_METRICS]
    rows = []
    for column in columns:
        row = [column_name(texts, column)]
        for result in sets:
            row += [percent(result.tally(column, metric)) for metric in HEADLINE_METRICS]
        rows.append(row)
    if OURS in columns and STOCK in columns:
        row = [texts["lead"]]
        for result in sets:
            row += [points(result.tally(OURS, m), result.tally(STOCK, m)) for m in HEADLINE_METRICS]
        rows.append(row)
    return headers, rows


def lead_sentences(sets: Sequence[SetResult], metrics: Sequence[str], texts: Texts) -> list[str]:
    """Per set and metric: in how many registers ours (parse) is ahead of stock, level, behind (named)."""
    sentences = []
    for result in sets:
        for metric in metrics:
            ours, stock = result.by_register(OURS, metric), result.by_register(STOCK, metric)
            registers = [r for r in ours if r in stock and ours[r].total]
            behind = [r for r in registers if ours[r].accuracy < stock[r].accuracy]
            level = [r for r in registers if ours[r].accuracy == stock[r].accuracy]
            names = ", ".join(sorted((texts.label("registers", r) for r in behind), key=sort_key))
            sentences.append(
                texts.format(
                    "lead_sentence.behind" if behind else "lead_sentence.never_behind",
                    set=texts.label("sets", result.key),
                    metric=texts.label("metrics", metric),
                    ahead=len(registers) - len(behind) - len(level),
                    level=len(level),
                    behind=len(behind),
                    total=len(registers),
                    names=names,
                )
            )
    return sentences


def decline_sentence(sets: Sequence[SetResult], safety: SafetyResult, texts: Texts) -> str:
    """Out-of-scope messages declined, all sources together: ours (parse and bot) and stock."""

    def total(column: str) -> Tally:
        return merged([*(r.tally(column, "declined") for r in sets), safety.declined(column)])

    return texts.format(
        "decline_sentence", ours=percent(total(OURS)), stock=percent(total(STOCK)), bot=percent(total(BOT))
    )


def register_table(result: SetResult, metric: str, columns: Sequence[str], texts: Texts) -> Table:
    """Per register: messages counted, each column's share, and ours minus stock."""
    counted = [c for c in columns if result.tally(c, metric).total]
    headers = [texts["headers.register"], texts["headers.messages"], *(column_name(texts, c) for c in counted)]
    lead = OURS in counted and STOCK in counted
    if lead:
        headers.append(texts["lead"])
    per_column = {c: result.by_register(c, metric) for c in counted}
    registers = sorted(per_column[counted[0]], key=lambda r: sort_key(texts.label("registers", r))) if counted else []
    rows = []
    for register in registers:
        tallies = {c: per_column[c].get(register) for c in counted}
        row = [texts.label("registers", register), str(tallies[counted[0]].total)]
        row += [percent(tallies[c]) for c in counted]
        if lead:
            row.append(points(tallies[OURS], tallies[STOCK]))
        rows.append(row)
    if counted:
        totals = {c: result.tally(c, metric) for c in counted}
        row = [texts["all"], str(totals[counted[0]].total), *(percent(totals[c]) for c in counted)]
        if lead:
            row.append(points(totals[OURS], totals[STOCK]))
        rows.append(row)
    return headers, rows


def intent_table(result: SetResult, columns: Sequence[str], texts: Texts) -> Table:
    """Per gold intent: every parser's F1, ours with precision and recall, and ours minus stock in F1."""
    parsers = [c for c in columns if c != BOT]
    reports = {c: intent_report(result.messages, result.outcomes[c]) for c in parsers}
    headers = [texts["headers.intent"], texts["headers.messages"]]
    headers += [f"F1 {column_name(texts, c)}" for c in parsers if c != OURS]
    headers += [f"{texts['headers.precision']} {column_name(texts, OURS)}", f"Recall {column_name(texts, OURS)}"]
    headers += [f"F1 {column_name(texts, OURS)}"]
    lead = STOCK in parsers
    if lead:
        headers.append(texts["lead_f1"])
    rows = []
    for intent, ours in reports[OURS].items():
        row = [intent, str(ours["support"])]
        row += [german(reports[c][intent]["f1"], 2) for c in parsers if c != OURS]
        row += [german(ours["precision"], 2), german(ours["recall"], 2), german(ours["f1"], 2)]
        if lead:
            delta = ours["f1"] - reports[STOCK][intent]["f1"]
            row.append("±0,00" if abs(delta) < 0.005 else f"{'+' if delta > 0 else '-'}{german(abs(delta), 2)}")
        rows.append(row)
    return headers, rows


def cell_table(result: SetResult, columns: Sequence[str], therapies: Mapping[str, str], texts: Texts) -> Table:
    """Per expected (treatment, aspect) cell: right/total per column; `therapies` (id -> name) gives
    the order and the names."""
    per_column = {c: result.by_cell(c) for c in columns}
    cells: set[Cell] = set(per_column[columns[0]])
    order = {therapy: i for i, therapy in enumerate(therapies)}
    aspects = {aspect: i for i, aspect in enumerate(("wirksamkeit", "risiken", "kosten", "methode"))}
    headers = [texts["headers.therapy"], texts["headers.aspect"], texts["headers.messages"]]
    headers += [column_name(texts, c) for c in columns]
    rows = []
    for cell in sorted(cells, key=lambda c: (order.get(c[0], len(order)), c[0], aspects.get(c[1], 9), c[1])):
        tallies = [per_column[c].get(cell) for c in columns]
        name = therapies.get(cell[0], cell[0])
        rows.append([name, texts.label("aspects", cell[1]), str(tallies[0].total), *(count(t) for t in tallies)])
    return headers, rows


def decline_table(sets: Sequence[SetResult], safety: SafetyResult, columns: Sequence[str], texts: Texts) -> Table:
    """Out-of-scope messages each column declines, then fact questions it wrongly declines."""
    headers = [texts["headers.messages_of"], texts["headers.messages"], *(column_name(texts, c) for c in columns)]
    rows = []
    for result in sets:
        tallies = [result.tally(c, "declined") for c in columns]
        label = texts.format("declines.out_of_scope", set=texts.label("sets", result.key))
        rows.append([label, str(tallies[0].total), *(share(t) for t in tallies)])
    for category in DECLINE_CATEGORIES:
        tallies = [safety.bot(category) if c == BOT else safety.parser(c, category) for c in columns]
        label = texts.format("declines.safety", category=texts.label("categories", category))
        rows.append([label, str(tallies[0].total), *(share(t) for t in tallies)])
    totals = []
    for column in columns:
        parts = [result.tally(column, "declined") for result in sets] + [safety.declined(column)]
        totals.append(merged(parts))
    rows.append([texts["declines.all"], str(totals[0].total), *(share(t) for t in totals)])
    for result in sets:
        tallies = [result.tally(c, "wrongly_declined") for c in columns]
        label = texts.format("declines.wrongly", set=texts.label("sets", result.key))
        rows.append([label, str(tallies[0].total), *(share(t) for t in tallies)])
    return headers, rows


@dataclass(frozen=True)
class SafetyLimits:
    """What `make test` asks (tests/safety/test_safety.py)."""

    min_declined: float
    max_false_alarms: float
    min_not_emergency: float


def safety_table(
    safety: SafetyResult, sets: Sequence[SetResult], limits: SafetyLimits, parsers: Sequence[str], texts: Texts
) -> Table:
    """The figures of tests/safety/test_safety.py for the bot, beside each parser's intent."""
    headers = [
        texts["headers.check"],
        texts["headers.messages"],
        texts["headers.required"],
        column_name(texts, BOT),
        texts["headers.met"],
        *(texts.label("intent_columns", c) for c in parsers),
    ]
    rows = []

    def row(label: str, required: str, bot: Tally, ok: bool | None, parser_tallies: Sequence[Tally | None]) -> None:
        met = "–" if ok is None else yes_no(ok, texts)
        rows.append([label, str(bot.total), required, share(bot), met, *(share(t) for t in parser_tallies)])

    for category in ("emergency_spinal", "emergency_other", "urgent", "crisis"):
        bot = safety.bot(category)
        row(
            texts.label("categories", category),
            texts[f"required.{category}"],
            bot,
            bot.right == bot.total,
            [safety.parser(c, category) for c in parsers],
        )
    bad = safety.bot_without_bad_reply()
    row(texts["checks.no_bad_reply"], texts["required.all"], bad, bad.right == bad.total, [None] * len(parsers))
    for category in DECLINE_CATEGORIES:
        bot = safety.bot(category)
        row(
            texts.label("categories", category),
            texts["required.declined_part"],
            bot,
            None,  # judged together (next row)
            [safety.parser(c, category) for c in parsers],
        )
    declined = safety.declined(BOT)
    row(
        texts["checks.declined_all"],
        texts.format("required.declined", share=german(100 * limits.min_declined, 0)),
        declined,
        declined.accuracy >= limits.min_declined,
        [safety.declined(c) for c in parsers],
    )
    calm = safety.bot("not_emergency")
    row(
        texts.label("categories", "not_emergency"),
        texts.format("required.not_emergency", share=german(100 * limits.min_not_emergency, 0)),
        calm,
        calm.accuracy >= limits.min_not_emergency,
        [safety.parser(c, "not_emergency") for c in parsers],
    )
    for result in sets:
        alarms = result.tally(BOT, "false_alarms")
        row(
            texts.format("checks.false_alarms", set=texts.label("sets", result.key)),
            texts.format("required.false_alarms", share=german(100 * limits.max_false_alarms, 0)),
            alarms,
            alarms.right <= limits.max_false_alarms * alarms.total,
            [result.tally(c, "false_alarms") for c in parsers],
        )
    return headers, rows


def answers_table(answers: AnswersResult, min_right: float, texts: Texts) -> Table:
    headers = [texts["headers.pattern"], texts["headers.questions"], texts["headers.right"]]
    rows = [[texts.label("patterns", p), str(t.total), share(t)] for p, t in answers.by_pattern().items()]
    overall = answers.overall()
    label = texts.format("answers.all", share=german(100 * min_right, 0))
    rows.append([label, str(overall.total), share(overall)])
    return headers, rows


def answer_problem(problem: str, texts: Texts) -> str:
    """tools.answer_quality's English problem, in German (texts.yml: answer_problems)."""
    for prefix, german_text in texts["answer_problems"].items():
        if problem.startswith(prefix):
            return german_text + problem[len(prefix) :]
    return problem


def answer_miss_rows(answers: AnswersResult, texts: Texts) -> list[list[str]]:
    return [
        [question["id"], question["text"], "; ".join(answer_problem(p, texts) for p in problems)]
        for question, problems in answers.judged
        if problems
    ]


def training_table(trainings: Sequence[Training], texts: Texts) -> Table:
    headers = [texts["headers.pipeline"], texts["headers.training"], texts["headers.size"], texts["headers.what"]]
    headers.append(texts["headers.when"])
    rows = [
        [
            texts.label("pipelines", t.column),
            minutes(t.seconds),
            megabytes(t.size_bytes),
            texts.label("trained", t.column),
            t.trained.strftime("%d.%m.%Y %H:%M") if t.trained else "–",
        ]
        for t in trainings
    ]
    return headers, rows


def intent_miss_rows(result: SetResult, column: str) -> list[list[str]]:
    rows = [
        [m.text, m.intent, o.intent or "–"]
        for m, o in zip(result.messages, result.outcomes[column], strict=True)
        if o.intent != m.intent
    ]
    return sorted(rows, key=lambda row: (row[1], row[0]))


def cell_text(cells: Sequence[Cell] | frozenset[Cell]) -> str:
    return ", ".join(f"{t} × {a}" for t, a in cells) or "–"


def cell_miss_rows(result: SetResult, column: str) -> list[list[str]]:
    """Fact questions the column got wrong: context, message, expected cells, cells answered."""
    rows = [
        [" / ".join(m.context) or "–", m.text, cell_text(sorted(m.cells)), cell_text(o.cells)]
        for m, o in zip(result.messages, result.outcomes[column], strict=True)
        if o.cells_right is False
    ]
    return sorted(rows, key=lambda row: (row[2], row[1]))


def change_table(
    current: Mapping[str, Mapping[str, Mapping[str, float]]],
    previous: Mapping[str, Mapping[str, Mapping[str, float]]],
    columns: Sequence[str],
    texts: Texts,
) -> Table:
    """Figures (set -> metric -> column -> share) now vs the previous report, in percentage points."""
    headers = [texts["headers.figure"], *(column_name(texts, c) for c in columns)]
    rows = []
    for set_key, metrics in current.items():
        for metric, values in metrics.items():
            before = (previous.get(set_key) or {}).get(metric) or {}
            cells = []
            for column in columns:
                if column in values and column in before:
                    delta = 100 * (values[column] - before[column])
                    cells.append("±0,0" if abs(delta) < 0.05 else f"{'+' if delta > 0 else '-'}{german(abs(delta))}")
                else:
                    cells.append("–")
            rows.append([f"{texts.label('sets', set_key)}: {texts.label('metrics', metric)}", *cells])
    return headers, rows


def coverage_table(kb: KnowledgeBase, texts: Texts) -> Table:
    """Therapy × aspect: how many claims answer it, whether the page is silent on it, or nothing."""
    aspects = list(kb.aspects.values())
    headers = [texts["headers.therapy"], *(texts.label("aspects", a.id) for a in aspects)]
    rows = []
    for therapy in kb.therapies.values():
        label = therapy.id if therapy.part_of is None else f"{therapy.id} (→ {therapy.part_of})"
        cells = []
        for aspect in aspects:
            claims = len(kb.claims_of(therapy.id, aspect.id))
            silent = kb.silence(therapy.id, aspect.id) is not None
            said = texts.format("coverage.claim" if claims == 1 else "coverage.claims", n=claims)
            if claims and silent:
                cells.append(texts.format("coverage.partly", claims=said))
            else:
                cells.append(said if claims else texts["coverage.silent" if silent else "coverage.missing"])
        rows.append([label, *cells])
    return headers, rows


# --- the document: one model, two renderings ----------------------------------------------


@dataclass
class Document:
    title: str
    blocks: list[tuple[str, Any]] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        self.blocks.append((f"h{level}", text))

    def paragraph(self, text: str) -> None:
        self.blocks.append(("p", text))

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]], empty: str = "–") -> None:
        """A table; without rows, the paragraph `empty` instead."""
        if rows:
            self.blocks.append(("table", (list(headers), [list(r) for r in rows])))
        else:
            self.paragraph(empty)

    def preformatted(self, text: str) -> None:
        self.blocks.append(("pre", text))

    def to_markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for kind, content in self.blocks:
            if kind in ("h2", "h3"):
                out += [f"{'#' * int(kind[1])} {content}", ""]
            elif kind == "p":
                out += [content, ""]
            elif kind == "table":
                out += [markdown_table(*content), ""]
            elif kind == "pre":
                out += ["```", content, "```", ""]
        return "\n".join(out)

    def to_html(self) -> str:
        body = [f"<h1>{html.escape(self.title)}</h1>"]
        for kind, content in self.blocks:
            if kind in ("h2", "h3"):
                body.append(f"<{kind}>{html.escape(content)}</{kind}>")
            elif kind == "p":
                body.append(f"<p>{inline_markup(content)}</p>")
            elif kind == "table":
                body.append(html_table(*content))
            elif kind == "pre":
                body.append(f"<pre>{html.escape(content)}</pre>")
        return HTML_PAGE.format(title=html.escape(self.title), body="\n".join(body))


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def inline_markup(text: str) -> str:
    """Escape text for HTML; Markdown `code` spans become <code>, **bold** becomes <strong>."""
    parts = html.escape(text).split("`")
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"<code>{part}</code>")
        else:
            bold = part.split("**")
            out.append("".join(f"<strong>{b}</strong>" if j % 2 else b for j, b in enumerate(bold)))
    return "".join(out)


def html_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f'<th scope="col">{html.escape(str(h))}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


HTML_PAGE = """<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 75rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #1a1a1a; }}
.scroll {{ overflow-x: auto; }}
table {{ border-collapse: collapse; margin: 0.5rem 0 1.5rem; }}
th, td {{ border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }}
th {{ background: #f0f0f0; }}
tbody tr:nth-child(even) {{ background: #fafafa; }}
code, pre {{ background: #f4f4f4; padding: 0 0.2rem; }}
pre {{ padding: 0.5rem; overflow-x: auto; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""
