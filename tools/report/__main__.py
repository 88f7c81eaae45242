"""`make report`: evaluate our NLU, Rasa's stock pipeline and a keyword baseline on the
held-out set, replay the test stories, and write reports/report.md and reports/report.html.

Run it through `make report` (which trains our model first when needed).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from tools.report import tables
from tools.report.tables import Document, PipelineResult

ROOT = Path(__file__).resolve().parents[2]
RASA = str(Path(sys.executable).with_name("rasa"))
OURS, STOCK, KEYWORDS = "Rückenbot (config.yml)", "Rasa-Standard (config-stock.yml)", "Schlüsselwörter (Baseline)"
T = TypeVar("T")


class Steps:
    """Runs the steps one after another, each under a progress bar of elapsed seconds.

    The bar's length is the step's duration in the last report (reports/previous.json), if any.
    """

    def __init__(self, total: int, estimates: dict[str, float]) -> None:
        self.total, self.done, self.start = total, 0, time.monotonic()
        self.estimates, self.durations = estimates, dict[str, float]()

    def run(self, title: str, step: Callable[[], T]) -> T:
        from tqdm import tqdm

        self.done += 1
        began = time.monotonic()
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["result"] = step()
            except BaseException as error:  # re-raised in the main thread
                outcome["error"] = error

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        estimate = self.estimates.get(title)
        bar_format = "{desc}: {bar} {elapsed}" + (" of ~{total:.0f} s" if estimate else "")
        with tqdm(
            desc=f"[{self.done}/{self.total}] {title}", total=estimate, bar_format=bar_format, file=sys.stdout
        ) as bar:
            while worker.is_alive():
                worker.join(timeout=0.5)
                elapsed = time.monotonic() - began
                bar.n = min(elapsed, estimate) if estimate else elapsed
                bar.refresh()
        self.durations[title] = time.monotonic() - began
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]


def rasa(*args: str, log: Path, check: bool = True) -> int:
    """Run the rasa CLI with its output in `log` (shown only when it fails and `check` is set)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as output:
        code = subprocess.run([RASA, *args, "--quiet"], cwd=ROOT, stdout=output, stderr=subprocess.STDOUT).returncode
    if check and code != 0:
        tail = log.read_text(encoding="utf-8").splitlines()[-30:]
        raise SystemExit("\n".join([*tail, f"rasa {' '.join(args)} failed (exit {code}); full output: {log}"]))
    return code


def quiet_logging() -> None:
    """Keep Rasa's in-process logs and warnings off the progress bars."""
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)


@contextlib.contextmanager
def stderr_to(log: Path) -> Iterator[None]:
    """Send this process's stderr (Rasa's and TensorFlow's warnings) to `log` meanwhile."""
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    with log.open("w", encoding="utf-8") as file:
        os.dup2(file.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def rasa_test_nlu(model: Path, heldout: Path, out: Path) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    rasa("test", "nlu", "--nlu", str(heldout), "--model", str(model), "--out", str(out), log=out.with_suffix(".log"))
    return json.loads((out / "intent_report.json").read_text(encoding="utf-8"))


def therapy_score(find: Callable[[str], Any], examples: list[tuple[str, str, list]]) -> Any:
    from tools.nlu_eval import score_therapies

    return score_therapies([(text, entities) for text, _intent, entities in examples], find)


def stories(stories_dir: Path, model: Path, out: Path) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    code = rasa(
        "test", "core", "--stories", str(stories_dir), "--model", str(model),
        "--fail-on-prediction-errors", "--out", str(out), log=out.with_suffix(".log"), check=False,
    )  # fmt: skip
    report_file = out / "story_report.json"
    accuracy = json.loads(report_file.read_text())["conversation_accuracy"] if report_file.exists() else {}
    failed = out / "failed_test_stories.yml"
    return {
        "passed": code == 0,
        "correct": accuracy.get("correct"),
        "total": accuracy.get("total"),
        "failed_stories": failed.read_text(encoding="utf-8") if code != 0 and failed.exists() else "",
    }


def keyword_baseline(data: Path, examples: list[tuple[str, str, list]]) -> tuple[PipelineResult, Any]:
    from rasa.shared.importers.importer import TrainingDataImporter

    from tools.nlu_eval import score_therapies
    from tools.report.keyword_baseline import KeywordBaseline

    began = time.monotonic()
    # every NLU file under data/, as `rasa train` finds them
    training = TrainingDataImporter.load_from_dict(training_data_paths=[str(data)]).get_nlu_data()
    model = KeywordBaseline.fit(
        [(e.get("text"), e.get("intent"), e.get("entities") or []) for e in training.intent_examples],
        training.entity_synonyms,
    )
    train_seconds = time.monotonic() - began
    report = tables.classification_report(
        [intent for _text, intent, _entities in examples],
        [model.predict_intent(text) for text, _intent, _entities in examples],
    )
    therapies = score_therapies([(text, entities) for text, _intent, entities in examples], model.find_therapies)
    return PipelineResult(KEYWORDS, report, therapies.accuracy, train_seconds), therapies


def training_seconds(model: Path) -> float | None:
    """How long `make train` took for this model (models/<name>.seconds), if it was measured."""
    record = model.with_suffix("").with_suffix(".seconds")
    try:
        if record.stat().st_mtime < model.stat().st_mtime:
            return None  # the model was trained again without `make train`
        return float(record.read_text().strip())
    except (OSError, ValueError):
        return None


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def build_document(
    results: list[PipelineResult],
    heldout: Path,
    n_examples: int,
    errors: list[dict[str, Any]],
    therapy_misses: list[Any],
    story_result: dict[str, Any],
    confusion_png: Path | None,
    previous: dict[str, Any] | None,
    created: str,
) -> Document:
    from bot.content.knowledge import load_knowledge

    ours, others = results[0], results[1:]
    doc = Document("Rückenbot: Qualitätsbericht NLU")
    doc.paragraph(
        f"Erstellt {created} mit `make report`. Testsatz: `{shown(heldout)}` "
        f"({n_examples} Nachrichten, nicht in den Trainingsdaten). Alle drei Verfahren lernen aus denselben "
        "Trainingsdaten (`data/`)."
    )
    doc.heading("Überblick")
    doc.table(tables.HEADLINE_HEADERS, tables.headline_rows(results))
    doc.paragraph(
        "Intent-Genauigkeit: Anteil der Nachrichten mit der richtigen Absicht (`nlu_fallback` zählt als falsch). "
        "Makro-F1: Mittel der F1-Werte aller Intents, jeder Intent zählt gleich. Behandlungs-Genauigkeit: "
        "Anteil der Nachrichten, bei denen die Menge der erkannten Behandlungen genau stimmt (auch: keine erkannt, "
        "wenn keine genannt ist). Trainingszeit: Rückenbot = das ganze Modell von `make train` (NLU und "
        "Dialogregeln; gemessen beim letzten Training), Rasa-Standard = `rasa train nlu`, "
        "Schlüsselwörter = Wörter zählen. Die Zeiten hängen von der Last auf dem Rechner ab."
    )
    doc.paragraph(
        "Rasa-Standard legt keinen Zufallswert fest (`random_seed`): Seine Zahlen schwanken von Lauf zu Lauf, "
        "gemessen um bis zu 0.1 in der Intent-Genauigkeit. Unser `config.yml` setzt `random_seed: 42`: Seine "
        "Zahlen sind bei gleichen Daten wiederholbar."
    )
    status = "alle bestanden" if story_result["passed"] else "**FEHLER**"
    if story_result["total"] is None:
        counts = "kein Ergebnis, siehe `results/report/stories.log`"
    else:
        counts = f"{story_result['correct']} von {story_result['total']} Gesprächen richtig"
    doc.paragraph(
        f"Testgespräche (`tests/stories`, `rasa test core --fail-on-prediction-errors`): {status} ({counts})."
    )
    if story_result["failed_stories"]:
        doc.preformatted(story_result["failed_stories"])

    doc.heading("Veränderung seit dem letzten Bericht")
    if previous is None:
        doc.paragraph("Kein früherer Bericht (`reports/previous.json`): Der nächste Lauf vergleicht mit diesem.")
    else:
        doc.paragraph(f"Verglichen mit dem Bericht vom {previous['created']} (Testsatz `{previous['heldout']}`).")
        summaries = {r.name: r.summary() for r in results}
        doc.table(tables.HEADLINE_CHANGE_HEADERS, tables.headline_changes(summaries, previous["pipelines"]))
        doc.table(
            tables.CHANGE_HEADERS,
            tables.intent_changes(tables.intent_scores(ours.intent_report), previous["intents"]),
        )

    doc.heading("Intents im Einzelnen (Rückenbot)")
    doc.table(*tables.per_intent_rows(ours, others))
    doc.paragraph(
        "Präzision: Von den Nachrichten, die der Bot diesem Intent zuordnet, wie viele gehören wirklich dazu. "
        "Recall: Von den Nachrichten dieses Intents, wie viele erkennt der Bot. F1 verbindet beide."
    )
    if confusion_png is not None:
        doc.heading("Verwechslungsmatrix (Rückenbot)")
        doc.paragraph("Zeilen: richtiger Intent, Spalten: erkannter Intent. Alles außerhalb der Diagonale ist falsch.")
        doc.image(confusion_png, "Verwechslungsmatrix der Intents")

    doc.heading(f"Falsch erkannte Nachrichten (Rückenbot, {len(errors)})")
    doc.table(["Nachricht", "richtig", "erkannt", "Konfidenz"], tables.misclassified_rows(errors))
    doc.heading(f"Falsch erkannte Behandlungen (Rückenbot, {len(therapy_misses)})")
    doc.table(
        ["Nachricht", "richtig", "erkannt"],
        [[m.text, ", ".join(sorted(m.expected)) or "–", ", ".join(sorted(m.found)) or "–"] for m in therapy_misses],
    )

    doc.heading("Abdeckung des Faktenspeichers (Behandlung × Thema)")
    doc.paragraph(
        f"„Fakt“: Die Quelle sagt dazu etwas. „{tables.SILENT}“: Die Quelle macht keine eigene Angabe "
        "(`page_silent: true`); der Bot sagt das und nennt die allgemeine Aussage. „fehlt“: kein Eintrag."
    )
    doc.table(*tables.coverage_table(load_knowledge()))
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=ROOT / "models/rueckenbot.tar.gz")
    parser.add_argument("--heldout", type=Path, default=ROOT / "tests/nlu/heldout.yml")
    parser.add_argument("--stories", type=Path, default=ROOT / "tests/stories")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--stock-config", type=Path, default=ROOT / "config-stock.yml")
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    parser.add_argument("--results", type=Path, default=ROOT / "results/report")
    args = parser.parse_args()
    heldout, out, results_dir = args.heldout.resolve(), args.out.resolve(), args.results.resolve()
    if not heldout.exists():
        sys.exit(f"{heldout}: held-out set not found; pass --heldout (make report HELDOUT=...)")
    out.mkdir(parents=True, exist_ok=True)

    with stderr_to(results_dir / "report.log"):
        quiet_logging()
        from tools.nlu_eval import labelled_examples, model_entity_finder

        examples = labelled_examples(str(heldout))
        previous_file = out / "previous.json"
        previous = json.loads(previous_file.read_text(encoding="utf-8")) if previous_file.exists() else None
        steps = Steps(8, (previous or {}).get("step_seconds", {}))
        ours_report = steps.run(
            "rasa test nlu (Rückenbot)", lambda: rasa_test_nlu(args.model, heldout, results_dir / "ours")
        )
        ours_therapies = steps.run(
            "Behandlungen (Rückenbot)", lambda: therapy_score(model_entity_finder(str(args.model)), examples)
        )
        story_result = steps.run(
            "rasa test core (Testgespräche)", lambda: stories(args.stories, args.model, results_dir / "stories")
        )
        with tempfile.TemporaryDirectory(prefix="rueckenbot-stock-") as tmp:
            stock_model = Path(tmp) / "stock.tar.gz"

            def train_stock() -> float:
                began = time.monotonic()
                rasa(
                    "train", "nlu", "--config", str(args.stock_config), "--nlu", str(args.data),
                    "--out", tmp, "--fixed-model-name", "stock", log=results_dir / "stock-train.log",
                )  # fmt: skip
                return time.monotonic() - began

            stock_seconds = steps.run("rasa train nlu (Rasa-Standard)", train_stock)
            stock_report = steps.run(
                "rasa test nlu (Rasa-Standard)", lambda: rasa_test_nlu(stock_model, heldout, results_dir / "stock")
            )
            stock_therapies = steps.run(
                "Behandlungen (Rasa-Standard)", lambda: therapy_score(model_entity_finder(str(stock_model)), examples)
            )
        keyword_result, _ = steps.run("Schlüsselwort-Baseline", lambda: keyword_baseline(args.data, examples))

        results = [
            PipelineResult(
                OURS,
                ours_report,
                ours_therapies.accuracy,
                training_seconds(args.model),
            ),
            PipelineResult(STOCK, stock_report, stock_therapies.accuracy, stock_seconds),
            keyword_result,
        ]

        def write() -> None:
            confusion = results_dir / "ours" / "intent_confusion_matrix.png"
            png = None
            if confusion.exists():
                png = out / confusion.name
                shutil.copyfile(confusion, png)
            errors_file = results_dir / "ours" / "intent_errors.json"
            errors = json.loads(errors_file.read_text(encoding="utf-8")) if errors_file.exists() else []
            created = datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")
            doc = build_document(
                results, heldout, len(examples), errors, ours_therapies.misses, story_result, png, previous, created
            )
            (out / "report.md").write_text(doc.to_markdown(), encoding="utf-8")
            (out / "report.html").write_text(doc.to_html(), encoding="utf-8")
            snapshot = {
                "created": created,
                "heldout": shown(heldout),
                "pipelines": {r.name: r.summary() for r in results},
                "intents": tables.intent_scores(ours_report),
                "step_seconds": steps.durations,
            }
            previous_file.write_text(json.dumps(snapshot, indent=2, ensure_ascii=False), encoding="utf-8")

        steps.run("Bericht schreiben", write)
    print()
    print(tables.markdown_table(tables.HEADLINE_HEADERS, tables.headline_rows(results)))
    print(f"\nBericht: {out / 'report.md'} und {out / 'report.html'}")
    if not story_result["passed"]:
        print("Achtung: Testgespräche fehlgeschlagen (siehe Bericht).")


if __name__ == "__main__":
    main()
