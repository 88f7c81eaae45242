"""`make report`: our pipeline, Rasa's stock pipeline and a keyword baseline side by side on both
held-out sets, with the safety, out-of-scope and answer figures of the quality suites, written to
reports/report.md and reports/report.html (German, for editors).

In one run:

1. trains Rasa's stock pipeline (config-stock.yml, NLU only) on data/ into a temporary folder
   (kept in $TMPDIR/rueckenbot-report/ for the next run while data/ and config-stock.yml stay
   the same; --fresh-stock trains anyway);
2. starts our bot (action server + Rasa server, tests/servers.py `Stack`) and sends through its
   REST webhook every message of tests/nlu/testset.yml and tests/nlu/reportset.yml (each after
   its context, in a fresh chat; ordinary messages with a context once more alone, for false
   alarms), of tests/safety/messages.yml and of tests/answers/questions.yml;
3. parses every message and context with our model, the stock model and the keyword baseline.

The bot's replies are judged by the quality suites' own rules (tools.heldout,
tests/safety/test_safety.py, tools.answer_quality), so the figures are those of `make test`.

    python -m tools.report [--model models/rueckenbot.tar.gz] [--fresh-stock | --stock-model path]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import yaml

from tools.heldout import Labelled, load_set
from tools.report import evaluation, tables
from tools.report.document import HeldoutLimits, ReportData, build_document, snapshot
from tools.report.evaluation import (
    ALARM_INTENTS,
    BOT,
    COLUMNS,
    EMERGENCIES,
    KEYWORDS,
    OURS,
    STOCK,
    AnswersResult,
    Reading,
    SafetyResult,
    SetResult,
    Training,
)
from tools.report.tables import SafetyLimits, Texts

ROOT = Path(__file__).resolve().parents[2]
RASA = str(Path(sys.executable).with_name("rasa"))
SETS = {"test": ROOT / "tests/nlu/testset.yml", "report": ROOT / "tests/nlu/reportset.yml"}
SAFETY_SET = ROOT / "tests/safety/messages.yml"
QUESTIONS = ROOT / "tests/answers/questions.yml"
EXPECTED = ROOT / "tests/answers/expected.yml"
# tests/safety/test_safety.py allows at most 10 % of not_emergency messages an emergency reply
NOT_EMERGENCY_MIN = 0.90
WORKERS = 4  # conversations sent at once (each conversation's messages in order)
STOCK_CACHE = Path(tempfile.gettempdir()) / "rueckenbot-report"
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


# --- training --------------------------------------------------------------------------------


def train_stock(config: Path, data: Path, out: Path, log: Path) -> float:
    """`rasa train nlu` of the stock config into `out`/stock.tar.gz; its wall time in seconds."""
    began = time.monotonic()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as output:
        code = subprocess.run(
            [RASA, "train", "nlu", "--config", str(config), "--nlu", str(data), "--out", str(out),
             "--fixed-model-name", "stock", "--quiet"],
            cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, env={**os.environ, "RASA_MAX_CACHE_SIZE": "0"},
        ).returncode  # fmt: skip
    if code != 0:
        tail = log.read_text(encoding="utf-8").splitlines()[-30:]
        raise SystemExit("\n".join([*tail, f"rasa train nlu --config {config} failed (exit {code}); log: {log}"]))
    return time.monotonic() - began


def training_fingerprint(config: Path, data: Path) -> str:
    """What the stock model depends on: Rasa's version, its config, and the NLU files under data/."""
    import rasa

    digest = hashlib.sha256(rasa.__version__.encode())
    digest.update(config.read_bytes())
    for path in sorted(data.rglob("*.yml")):
        content = path.read_bytes()
        if content.startswith(b"nlu:") or b"\nnlu:" in content:
            digest.update(path.relative_to(data).as_posix().encode() + b"\0" + content)
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class StockModel:
    path: Path
    seconds: float | None
    trained: datetime | None


def cached_stock_model(config: Path, data: Path, cache: Path = STOCK_CACHE) -> tuple[Path, Path]:
    """Where the stock model for these training inputs is kept, and its record (seconds, date)."""
    fingerprint = training_fingerprint(config, data)
    return cache / f"stock-{fingerprint}.tar.gz", cache / f"stock-{fingerprint}.json"


def load_cached(model: Path, record: Path) -> StockModel | None:
    try:
        info = json.loads(record.read_text(encoding="utf-8"))
        return StockModel(model, info["seconds"], datetime.fromisoformat(info["trained"])) if model.exists() else None
    except (OSError, ValueError, KeyError):
        return None


def train_stock_into_cache(config: Path, data: Path, model: Path, record: Path, log: Path) -> StockModel:
    """Train, then keep only this model in the cache (a half-trained one never lands there)."""
    model.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=model.parent) as tmp:
        seconds = train_stock(config, data, Path(tmp), log)
        for old in model.parent.glob("stock-*"):
            old.unlink()
        (Path(tmp) / "stock.tar.gz").replace(model)
    trained = datetime.now().astimezone()
    record.write_text(json.dumps({"seconds": seconds, "trained": trained.isoformat()}), encoding="utf-8")
    return StockModel(model, seconds, trained)


def training_seconds(model: Path) -> float | None:
    """How long `make train` took for this model (models/<name>.seconds), if it was measured."""
    record = model.with_suffix("").with_suffix(".seconds")
    try:
        if record.stat().st_mtime < model.stat().st_mtime:
            return None  # the model was trained again without `make train`
        return float(record.read_text().strip())
    except (OSError, ValueError):
        return None


def modified(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime).astimezone()


def keyword_model(data: Path) -> tuple[Any, float, int]:
    """The keyword baseline learnt from every NLU file under data/; its seconds and size (JSON)."""
    from rasa.shared.importers.importer import TrainingDataImporter

    from tools.report.keyword_baseline import KeywordBaseline

    began = time.monotonic()
    training = TrainingDataImporter.load_from_dict(
        domain_path=str(ROOT / "domain.yml"), training_data_paths=[str(data)]
    ).get_nlu_data()
    model = KeywordBaseline.fit(
        [(e.get("text"), e.get("intent"), e.get("entities") or []) for e in training.intent_examples],
        training.entity_synonyms,
    )
    seconds = time.monotonic() - began
    size = len(json.dumps({k: sorted(v) for k, v in model.keywords.items()} | {"names": model.names}).encode())
    return model, seconds, size


# --- reading messages ------------------------------------------------------------------------


def texts_to_parse(sets: Iterable[list[Labelled]], safety: list[dict[str, Any]]) -> list[str]:
    """Every message and context text once, in a stable order."""
    seen: dict[str, None] = {}
    for messages in sets:
        for message in messages:
            for text in (*message.context, message.text):
                seen.setdefault(text, None)
    for item in safety:
        seen.setdefault(item["text"], None)
    return list(seen)


def parse_all(parse: Callable[[str], dict[str, Any]], texts: Sequence[str]) -> dict[str, Reading]:
    return {text: evaluation.reading(parse(text)) for text in texts}


def keyword_readings(model: Any, texts: Sequence[str]) -> dict[str, Reading]:
    return {
        text: Reading(
            model.predict_intent(text),
            frozenset(str(e["value"]) for e in model.find_therapies(text) if e.get("entity") == "therapy"),
        )
        for text in texts
    }


def converse(url: str, conversations: Sequence[Sequence[str]], workers: int = WORKERS) -> list[list[dict[str, Any]]]:
    """Each conversation in a fresh chat over REST (its messages in order, conversations side by side);
    the replies to each conversation's last message."""
    import requests

    local = threading.local()

    def run(conversation: Sequence[str]) -> list[dict[str, Any]]:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        sender = f"report-{uuid.uuid4()}"
        replies: list[dict[str, Any]] = []
        for text in conversation:
            response = local.session.post(
                f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
            )
            response.raise_for_status()
            replies = response.json()
        return replies

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, conversations))


def bot_outcomes(url: str, messages: list[Labelled]) -> list[evaluation.Outcome]:
    """The bot's outcome per message: replies after the context; false alarms from the message alone."""
    from tests.safety.test_safety import is_declined, kind

    alone = [m for m in messages if m.context and m.intent not in ALARM_INTENTS]
    replies = converse(url, [(*m.context, m.text) for m in messages] + [(m.text,) for m in alone])
    in_context, by_itself = replies[: len(messages)], dict(zip(alone, replies[len(messages) :], strict=True))
    outcomes = []
    for message, reply in zip(messages, in_context, strict=True):
        single = by_itself.get(message, reply) if message.context else reply
        outcomes.append(evaluation.bot_outcome(message, reply, is_declined(reply), kind(single) == "safety"))
    return outcomes


def bot_safety_and_answers(
    url: str, safety: list[dict[str, Any]], questions: list[dict[str, Any]], expected: dict[str, Any]
) -> tuple[list[bool], list[bool], AnswersResult]:
    from tests.safety.test_safety import is_delete_prompt, judge, kind
    from tools.answer_quality import judge as judge_answer

    replies = converse(url, [(m["text"],) for m in safety] + [(q["text"],) for q in questions])
    safety_replies, answer_replies = replies[: len(safety)], replies[len(safety) :]
    right = [judge(m["category"], reply) for m, reply in zip(safety, safety_replies, strict=True)]
    bad = [
        m["category"] in EMERGENCIES and (not reply or is_delete_prompt(reply) or kind(reply) in ("fact", "topic"))
        for m, reply in zip(safety, safety_replies, strict=True)
    ]
    judged = [
        (q, judge_answer(q, expected[q["id"]], reply)) for q, reply in zip(questions, answer_replies, strict=True)
    ]
    return right, bad, AnswersResult(judged)


def limits() -> tuple[HeldoutLimits, SafetyLimits, float]:
    """The thresholds of `make test`, from the quality suites themselves."""
    from tests.answers.test_answers import MIN_RIGHT
    from tests.nlu.test_heldout import MIN_CELL_ACCURACY, MIN_INTENT_ACCURACY, MIN_THERAPY_ACCURACY
    from tests.safety.test_safety import MAX_FALSE_ALARMS, MIN_DECLINED

    return (
        HeldoutLimits(MIN_INTENT_ACCURACY, MIN_THERAPY_ACCURACY, MIN_CELL_ACCURACY),
        SafetyLimits(MIN_DECLINED, MAX_FALSE_ALARMS, NOT_EMERGENCY_MIN),
        MIN_RIGHT,
    )


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


# --- the run ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "models/rueckenbot.tar.gz")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--stock-config", type=Path, default=ROOT / "config-stock.yml")
    stock_args = parser.add_mutually_exclusive_group()
    stock_args.add_argument("--fresh-stock", action="store_true", help="train the stock model even if one is kept")
    stock_args.add_argument(
        "--stock-model", type=Path, help="use this trained stock model instead of training one (no training time)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    parser.add_argument("--results", type=Path, default=ROOT / "results/report", help="logs")
    args = parser.parse_args()
    model, out, results_dir = args.model.resolve(), args.out.resolve(), args.results.resolve()
    if not model.exists():
        sys.exit(f"{shown(model)}: no trained model; run `make train` first")
    began = time.monotonic()
    texts = Texts.load()
    out.mkdir(parents=True, exist_ok=True)
    previous_file = out / "previous.json"
    previous = json.loads(previous_file.read_text(encoding="utf-8")) if previous_file.exists() else None

    sets = {key: load_set(path) for key, path in SETS.items()}
    safety = yaml.safe_load(SAFETY_SET.read_text(encoding="utf-8"))["messages"]
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    expected = yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))
    to_parse = texts_to_parse(sets.values(), safety)
    heldout_limits, safety_limits, answers_min_right = limits()

    with stderr_to(results_dir / "report.log"), tempfile.TemporaryDirectory(prefix="rueckenbot-report-") as tmp:
        quiet_logging()
        # `make train` may replace the model meanwhile: the bot and the parse both use this copy
        ours = Training(OURS, training_seconds(model), model.stat().st_size, modified(model))
        snapshot_model = Path(tmp) / model.name
        shutil.copy2(model, snapshot_model)
        if args.stock_model is not None:
            stock, to_train = StockModel(args.stock_model.resolve(), None, None), None
        else:
            cached, record = cached_stock_model(args.stock_config, args.data)
            stock = None if args.fresh_stock else load_cached(cached, record)
            to_train = (cached, record) if stock is None else None
            if stock is not None and stock.trained is not None:
                print(texts.format("steps.stock_kept", date=stock.trained.strftime("%d.%m.%Y %H:%M")))
        steps = Steps(6 + len(sets) + (to_train is not None), (previous or {}).get("step_seconds", {}))
        # first, from the same data/ as the stock model
        keywords, keyword_seconds, keyword_size = steps.run(texts["steps.keywords"], lambda: keyword_model(args.data))
        if to_train is not None:
            stock = steps.run(
                texts["steps.stock_training"],
                lambda: train_stock_into_cache(
                    args.stock_config, args.data, *to_train, results_dir / "stock-train.log"
                ),
            )
        assert stock is not None

        from tests.servers import Stack

        stack = Stack(workdir=Path(tmp), model=snapshot_model)
        try:
            steps.run(texts["steps.start_bot"], lambda: (stack.start_actions(), stack.start_rasa()))
            bot = {
                key: steps.run(
                    texts.format("steps.bot_set", set=texts.label("sets", key)),
                    lambda messages=messages: bot_outcomes(stack.url, messages),
                )
                for key, messages in sets.items()
            }
            safety_right, safety_bad, answers = steps.run(
                texts["steps.bot_safety"], lambda: bot_safety_and_answers(stack.url, safety, questions, expected)
            )
        except Exception:
            print(stack.log_tail(), file=sys.stdout)
            raise
        finally:
            stack.stop_all()

        from tools.heldout import agent_parser

        readings = {
            OURS: steps.run(texts["steps.parse_ours"], lambda: parse_all(agent_parser(snapshot_model), to_parse)),
            STOCK: steps.run(texts["steps.parse_stock"], lambda: parse_all(agent_parser(stock.path), to_parse)),
        }
        readings[KEYWORDS] = keyword_readings(keywords, to_parse)

        results = []
        for key, messages in sets.items():
            outcomes = {c: [evaluation.parser_outcome(m, readings[c]) for m in messages] for c in readings}
            outcomes[BOT] = bot[key]
            results.append(SetResult(key, shown(SETS[key]), messages, {c: outcomes[c] for c in COLUMNS}))
        safety_result = SafetyResult(
            [m["category"] for m in safety],
            safety_right,
            safety_bad,
            {c: [readings[c][m["text"]].intent for m in safety] for c in readings},
        )
        trainings = [
            ours,
            Training(STOCK, stock.seconds, stock.path.stat().st_size, stock.trained),
            Training(KEYWORDS, keyword_seconds, keyword_size, datetime.now().astimezone()),
        ]

        def write() -> None:
            from bot.content.knowledge import load_knowledge

            data = ReportData(
                created=datetime.now().astimezone(),
                runtime_seconds=time.monotonic() - began,
                model=shown(model),
                model_trained=ours.trained,
                sets=results,
                safety=safety_result,
                answers=answers,
                trainings=trainings,
                heldout_limits=heldout_limits,
                safety_limits=safety_limits,
                answers_min_right=answers_min_right,
                previous=previous,
            )
            doc = build_document(data, load_knowledge(), texts)
            (out / "report.md").write_text(doc.to_markdown(), encoding="utf-8")
            (out / "report.html").write_text(doc.to_html(), encoding="utf-8")

        steps.run(texts["steps.write"], write)
        record = {
            "created": datetime.now().astimezone().strftime("%d.%m.%Y %H:%M"),
            "figures": snapshot(results),
            "step_seconds": steps.durations,
        }
        previous_file.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")

    print()
    print(tables.markdown_table(*tables.overview_table(results, COLUMNS, texts)))
    print()
    print(tables.markdown_table(*tables.safety_table(safety_result, results, safety_limits, (STOCK, OURS), texts)))
    runtime = tables.minutes(time.monotonic() - began)
    print("\n" + texts.format("done", md=shown(out / "report.md"), html=shown(out / "report.html"), runtime=runtime))


if __name__ == "__main__":
    main()
