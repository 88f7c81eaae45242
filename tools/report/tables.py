"""Pure functions for the report: metrics, tables, the change since the last report,
and a small document model rendered to Markdown and to self-contained HTML."""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content.knowledge import KnowledgeBase

# keys of a classification report that are not intents
SUMMARY_KEYS = frozenset({"accuracy", "macro avg", "weighted avg", "micro avg"})


def classification_report(targets: Sequence[str], predictions: Sequence[str]) -> dict[str, Any]:
    """The same report `rasa test nlu` writes to intent_report.json (sklearn's), for any classifier."""
    from sklearn.metrics import classification_report as sklearn_report

    report = sklearn_report(targets, predictions, output_dict=True, zero_division=0)
    report.setdefault("accuracy", sum(t == p for t, p in zip(targets, predictions, strict=True)) / len(targets))
    return report


def intent_scores(report: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """Per intent: precision, recall, f1-score, support (only intents that occur in the test set)."""
    return {
        intent: {key: float(values[key]) for key in ("precision", "recall", "f1-score", "support")}
        for intent, values in sorted(report.items())
        if intent not in SUMMARY_KEYS and isinstance(values, Mapping) and values.get("support", 0) > 0
    }


@dataclass(frozen=True)
class PipelineResult:
    name: str
    intent_report: dict[str, Any]
    therapy_accuracy: float
    train_seconds: float | None

    @property
    def accuracy(self) -> float:
        return float(self.intent_report["accuracy"])

    @property
    def macro_f1(self) -> float:
        return float(self.intent_report["macro avg"]["f1-score"])

    def summary(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "therapy_accuracy": self.therapy_accuracy,
            "train_seconds": self.train_seconds,
        }


def number(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} s"


def signed(delta: float | None) -> str:
    if delta is None:
        return "–"
    return "±0.000" if abs(delta) < 0.0005 else f"{delta:+.3f}"


HEADLINE_HEADERS = ["Pipeline", "Intent-Genauigkeit", "Makro-F1", "Behandlungs-Genauigkeit", "Trainingszeit"]


def headline_rows(results: Sequence[PipelineResult]) -> list[list[str]]:
    return [
        [r.name, number(r.accuracy), number(r.macro_f1), number(r.therapy_accuracy), seconds(r.train_seconds)]
        for r in results
    ]


def per_intent_rows(ours: PipelineResult, others: Sequence[PipelineResult]) -> tuple[list[str], list[list[str]]]:
    """Our precision/recall/F1 per intent, with the other pipelines' F1 beside it."""
    headers = ["Intent", "Präzision", "Recall", "F1", "Beispiele"] + [f"F1 {o.name}" for o in others]
    other_scores = [intent_scores(o.intent_report) for o in others]
    rows = []
    for intent, s in intent_scores(ours.intent_report).items():
        row = [intent, number(s["precision"]), number(s["recall"]), number(s["f1-score"]), f"{s['support']:.0f}"]
        row += [number(scores.get(intent, {}).get("f1-score")) for scores in other_scores]
        rows.append(row)
    return headers, rows


CHANGE_HEADERS = ["Intent", "F1 vorher", "F1 jetzt", "Änderung F1", "Änderung Recall", "Änderung Präzision"]


def intent_changes(
    current: Mapping[str, Mapping[str, float]], previous: Mapping[str, Mapping[str, float]]
) -> list[list[str]]:
    """One row per intent in either report, biggest drop in F1 first; new or removed intents show '–'."""

    def delta(intent: str, key: str) -> float | None:
        if intent in current and intent in previous:
            return current[intent][key] - previous[intent][key]
        return None

    def order(intent: str) -> tuple[float, str]:
        change = delta(intent, "f1-score")
        return (change if change is not None else 0.0, intent)

    rows = []
    for intent in sorted(set(current) | set(previous), key=order):
        rows.append(
            [
                intent,
                number(previous.get(intent, {}).get("f1-score")),
                number(current.get(intent, {}).get("f1-score")),
                signed(delta(intent, "f1-score")),
                signed(delta(intent, "recall")),
                signed(delta(intent, "precision")),
            ]
        )
    return rows


def headline_changes(
    current: Mapping[str, Mapping[str, Any]], previous: Mapping[str, Mapping[str, Any]]
) -> list[list[str]]:
    """Per pipeline in both reports: the change of accuracy, macro F1 and therapy accuracy."""
    rows = []
    for name, now in current.items():
        before = previous.get(name)
        if before is None:
            continue
        rows.append([name] + [signed(now[key] - before[key]) for key in ("accuracy", "macro_f1", "therapy_accuracy")])
    return rows


SILENT = "Quelle schweigt"


def coverage_table(kb: KnowledgeBase) -> tuple[list[str], list[list[str]]]:
    """Therapy × aspect: 'Fakt' where the page says something, SILENT where page_silent, 'fehlt' if absent."""
    aspects = list(kb.aspects.values())
    headers = ["Behandlung"] + [a.id for a in aspects]
    rows = []
    for therapy in kb.therapies.values():
        label = therapy.id if therapy.part_of is None else f"{therapy.id} (→ {therapy.part_of})"
        cells = []
        for aspect in aspects:
            fact = kb.facts.get((therapy.id, aspect.id))
            cells.append("fehlt" if fact is None else SILENT if fact.page_silent else "Fakt")
        rows.append([label, *cells])
    return headers, rows


# --- the document: one model, two renderings ---------------------------------


@dataclass
class Document:
    title: str
    blocks: list[tuple[str, Any]] = field(default_factory=list)

    def heading(self, text: str) -> None:
        self.blocks.append(("h2", text))

    def paragraph(self, text: str) -> None:
        self.blocks.append(("p", text))

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]], empty: str = "Keine.") -> None:
        """A table; without rows, the paragraph `empty` instead."""
        if rows:
            self.blocks.append(("table", (list(headers), [list(r) for r in rows])))
        else:
            self.paragraph(empty)

    def image(self, path: Path, alt: str) -> None:
        self.blocks.append(("img", (path, alt)))

    def preformatted(self, text: str) -> None:
        self.blocks.append(("pre", text))

    def to_markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for kind, content in self.blocks:
            if kind == "h2":
                out += [f"## {content}", ""]
            elif kind == "p":
                out += [content, ""]
            elif kind == "table":
                out += [markdown_table(*content), ""]
            elif kind == "img":
                path, alt = content
                out += [f"![{alt}]({path.name})", ""]
            elif kind == "pre":
                out += ["```", content, "```", ""]
        return "\n".join(out)

    def to_html(self) -> str:
        body = [f"<h1>{html.escape(self.title)}</h1>"]
        for kind, content in self.blocks:
            if kind == "h2":
                body.append(f"<h2>{html.escape(content)}</h2>")
            elif kind == "p":
                body.append(f"<p>{inline_code(content)}</p>")
            elif kind == "table":
                body.append(html_table(*content))
            elif kind == "img":
                path, alt = content
                data = base64.b64encode(path.read_bytes()).decode("ascii")
                body.append(f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">')
            elif kind == "pre":
                body.append(f"<pre>{html.escape(content)}</pre>")
        return HTML_PAGE.format(title=html.escape(self.title), body="\n".join(body))


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def inline_code(text: str) -> str:
    """Escape text for HTML and turn Markdown `code` spans into <code>."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def html_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


HTML_PAGE = """<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #1a1a1a; }}
table {{ border-collapse: collapse; margin: 0.5rem 0 1.5rem; }}
th, td {{ border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }}
th {{ background: #f0f0f0; }}
tbody tr:nth-child(even) {{ background: #fafafa; }}
img {{ max-width: 100%; border: 1px solid #ccc; }}
code, pre {{ background: #f4f4f4; padding: 0 0.2rem; }}
pre {{ padding: 0.5rem; overflow-x: auto; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


HEADLINE_CHANGE_HEADERS = [
    "Pipeline",
    "Änderung Intent-Genauigkeit",
    "Änderung Makro-F1",
    "Änderung Behandlungs-Genauigkeit",
]


def misclassified_rows(errors: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """Rows from rasa's intent_errors.json: message, expected, predicted, confidence; by expected intent."""
    rows = [
        [
            e["text"],
            e["intent"],
            e["intent_prediction"]["name"] or "–",
            number(e["intent_prediction"].get("confidence"), 2),
        ]
        for e in errors
    ]
    return sorted(rows, key=lambda row: (row[1], row[0]))
