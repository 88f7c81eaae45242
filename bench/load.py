"""Load benchmark: simulated users over REST against the full stack, and against stock Rasa in the same run.

    make bench                      # or: .venv/bin/python -m bench.load --users 50 --messages 10

Setups, each an action server + Rasa server (tests/servers.py `Stack`) started one after the other:

- stock:            Rasa's default pipeline and policies (config-stock.yml, what `rasa init` writes,
                    language de) trained on the same data (`--stock-model`, trained if missing), Rasa's
                    own `rest:` channel, no bot/server/rasa_patches.py; SQLite tracker store, 1 Sanic worker;
- ours, no patches: models/rueckenbot.tar.gz with RUECKENBOT_SPEEDUPS=0 and RUECKENBOT_SESSION_MAX_TURNS=0
                    (Rasa's own validator, event lookup and sessions); SQLite, 1 worker;
- ours:             as deployed by `make run` (credentials.yml, patches on); SQLite, 1 worker;
- ours, production: PostgreSQL tracker store + Redis lock store + 2 Sanic workers (both cores), as the
                    README's production section describes; PostgreSQL and Redis on loopback.

For each: one conversation of 100 messages (latency of message 1 vs 100), then N users × M messages
with follow-ups concurrently (throughput, p50/p95/p99, errors), then 10 users × M messages (p50/p95),
and the peak RSS of all server processes. Before that, the held-out intent and therapy accuracy of
each model on the test set (tests/nlu/testset.yml, parsed and scored by tools.heldout as `make test`
does) and, unless --skip-training, the time of a full `rasa train` of ours. Prints Markdown tables;
exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import MODEL, RASA, RASA_SERVER, ROOT, Stack  # noqa: E402
from tools.heldout import agent_parser, load_set, score_parse  # noqa: E402

HELDOUT = ROOT / "tests" / "nlu" / "testset.yml"
SCRIPT = [
    "Hilft Akupunktur?",
    "Und die Nebenwirkungen?",
    "Und bei Massagen?",
    "Wer zahlt das?",
    "Was ist Osteopathie?",
    "Hilft das?",
    "Welche Behandlungen gibt es?",
    "Hilft TENS bei Rückenschmerzen?",
    "Was kostet das?",
    "Danke",
]


@dataclass
class Setup:
    name: str
    model: Path
    credentials: str | Path = "credentials.yml"
    env: dict[str, str] = field(default_factory=dict)
    production: bool = False  # PostgreSQL + Redis + SANIC_WORKERS=2


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def rss_bytes(pid: int) -> int:
    """Resident memory of a process and its children (Linux /proc)."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            pass
    return total


class PeakRss(threading.Thread):
    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.peak = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, sum(rss_bytes(pid) for pid in self.pids))
            time.sleep(0.2)


def say(session: requests.Session, url: str, sender: str, text: str) -> tuple[float, bool]:
    start = time.perf_counter()
    try:
        response = session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
        ok = response.status_code == 200 and bool(response.json())
    except requests.RequestException:
        ok = False
    return time.perf_counter() - start, ok


def load(url: str, users: int, messages: int) -> dict[str, float]:
    def conversation(_: int) -> list[tuple[float, bool]]:
        sender = str(uuid.uuid4())
        with requests.Session() as session:  # one keep-alive connection per user, as a browser has
            return [say(session, url, sender, SCRIPT[i % len(SCRIPT)]) for i in range(messages)]

    start = time.perf_counter()
    with ThreadPoolExecutor(users) as pool:
        results = [r for conv in pool.map(conversation, range(users)) for r in conv]
    wall = time.perf_counter() - start
    latencies = [t * 1000 for t, _ in results]
    return {
        "throughput": len(results) / wall,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "errors": sum(not ok for _, ok in results),
    }


def long_conversation(url: str, length: int = 100) -> tuple[float, float, int]:
    sender = str(uuid.uuid4())
    with requests.Session() as session:
        results = [say(session, url, sender, SCRIPT[i % len(SCRIPT)]) for i in range(length)]
    latencies = [t * 1000 for t, _ in results]
    # message 1 vs message 100, each as the median of 5 neighbouring turns (the same questions)
    return statistics.median(latencies[:5]), statistics.median(latencies[-5:]), sum(not ok for _, ok in results)


def heldout_accuracy(model: Path) -> tuple[float, float]:
    """Intent and therapy accuracy of a model on the test set (parsed in this process, as `make test` does)."""
    import logging

    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # else Rasa logs every parse at debug level
    intents, therapies, _ = score_parse(load_set(HELDOUT), agent_parser(model))
    return intents.overall.accuracy, therapies.overall.accuracy


def training_seconds() -> float:
    """Wall time of a full `rasa train` of config.yml into a temporary folder (Rasa's cache off), as
    `make train` runs it: through bot.server.rasa_cli, with our patches (plain `rasa` has none)."""
    out = Path(tempfile.mkdtemp(prefix="bench-train-"))
    start = time.perf_counter()
    subprocess.run(
        [*RASA_SERVER, "train", "--force", "--out", str(out), "--quiet"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "RASA_MAX_CACHE_SIZE": "0"},
    )  # fmt: skip
    return time.perf_counter() - start


def training_inputs() -> str:
    """A hash of the training data and domain: the stock model is retrained when they change."""
    digest = hashlib.sha256()
    for path in sorted([ROOT / "domain.yml", ROOT / "config-stock.yml", *(ROOT / "data").rglob("*.yml")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def measure(setup: Setup, args: argparse.Namespace, services: dict) -> dict:
    # the load is a script: the per-conversation rate limit (bot/server/rate_limit.py) would answer
    # the 100-message conversation after its burst of 15, instead of the bot
    env = {"RUECKENBOT_RATE_SENDER": "0", **setup.env}
    if setup.production:
        env |= {"RUECKENBOT_DATABASE_URL": services["postgres"].url, "RUECKENBOT_REDIS_URL": services["redis"].url,
                "SANIC_WORKERS": "2"}  # fmt: skip
    stack = Stack(workdir=Path(tempfile.mkdtemp(prefix="bench-")), env=env, credentials=setup.credentials,
                  model=setup.model)  # fmt: skip
    try:
        stack.start_actions()
        stack.start_rasa()
        rss = PeakRss([p.pid for p in stack.processes.values()])
        rss.start()
        load(stack.url, 10, 2 * len(SCRIPT))  # warm-up (200 messages): every worker, every kind of turn
        first, last, long_errors = long_conversation(stack.url)
        result = load(stack.url, args.users, args.messages)
        result10 = load(stack.url, 10, args.messages)
        rss.running = False
        rss.join()
        print(f"  {setup.name}: done", file=sys.stderr)
        return {"name": setup.name, **result, "p50_10": result10["p50"], "p95_10": result10["p95"],
                "throughput_10": result10["throughput"], "errors": result["errors"] + result10["errors"] + long_errors,
                "msg1": first, "msg100": last, "rss": rss.peak / 2**20}  # fmt: skip
    except Exception:
        print(stack.log_tail(), file=sys.stderr)
        raise
    finally:
        stack.stop_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument(
        "--stock-model", type=Path, default=Path(tempfile.gettempdir()) / "rueckenbot-bench/stock.tar.gz"
    )
    parser.add_argument("--skip-stock", action="store_true")
    parser.add_argument("--skip-production", action="store_true", help="no PostgreSQL/Redis row")
    parser.add_argument("--skip-training", action="store_true", help="do not time a full training of ours")
    args = parser.parse_args()

    stock_credentials = Path(tempfile.mkdtemp(prefix="bench-cred-")) / "credentials.yml"
    stock_credentials.write_text("rest:\n", encoding="utf-8")
    setups = []
    if not args.skip_stock:
        # which training data the stock model saw ("stock.tar.gz" -> "stock.inputs"); a model
        # copied in by hand has no fingerprint and is trained again (a model of NLU alone, such as
        # the one `make report` keeps, answers nothing: no dialogue policy)
        fingerprint = args.stock_model.parent / (args.stock_model.name.removesuffix(".tar.gz") + ".inputs")
        if not args.stock_model.exists() or not fingerprint.exists() or fingerprint.read_text() != training_inputs():
            print(f"training the stock model into {args.stock_model.parent} ...", file=sys.stderr)
            subprocess.run(
                [RASA, "train", "--config", "config-stock.yml", "--out", str(args.stock_model.parent),
                 "--fixed-model-name", args.stock_model.name.removesuffix(".tar.gz"), "--quiet"],
                cwd=ROOT, check=True,
            )  # fmt: skip
            fingerprint.write_text(training_inputs())
        setups.append(Setup("stock Rasa 3.6 (default config)", args.stock_model, stock_credentials))
    setups += [
        Setup("Rückenbot, without our Rasa patches", MODEL,
              env={"RUECKENBOT_SPEEDUPS": "0", "RUECKENBOT_SESSION_MAX_TURNS": "0"}),
        Setup("Rückenbot", MODEL),
    ]  # fmt: skip
    services: dict = {}
    if not args.skip_production:
        from tests.services import Postgres, Redis

        services = {"postgres": Postgres(), "redis": Redis()}
        services["postgres"].setup()
        services["redis"].start()
        setups.append(Setup("Rückenbot, production: PostgreSQL + Redis, 2 workers", MODEL, production=True))

    try:
        accuracy = {model: heldout_accuracy(model) for model in {s.model for s in setups}}
        print("  held-out accuracy: done", file=sys.stderr)
        trained_in = None if args.skip_training else training_seconds()
        rows = [measure(setup, args, services) for setup in setups]
    finally:
        if services:
            services["redis"].stop()
            services["postgres"].teardown()

    base = rows[0]
    print(f"\n{args.users} users × {args.messages} messages over REST (throughput, p50/p95/p99), then 10 users × "
          f"{args.messages} (p50/p95); SQLite and 1 Sanic worker unless named\n")  # fmt: skip
    print("| setup | held-out intent / therapy acc. | msg/s | ×first row | p50 ms | p95 ms | p99 ms ", end="")
    print("| 10 users: msg/s | 10 users: p50 ms | 10 users: p95 ms | errors | msg 1 ms | msg 100 ms | 100/1 ", end="")
    print("| peak RSS MiB |")
    print("| --- " * 16 + "|")
    for setup, r in zip(setups, rows, strict=True):
        intent, therapy = accuracy[setup.model]
        print(
            f"| {r['name']} | {intent:.3f} / {therapy:.3f} | {r['throughput']:.1f} | "
            f"{r['throughput'] / base['throughput']:.2f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | "
            f"{r['throughput_10']:.1f} | {r['p50_10']:.0f} | {r['p95_10']:.0f} | {r['errors']} | {r['msg1']:.0f} | "
            f"{r['msg100']:.0f} | {r['msg100'] / r['msg1']:.2f} | {r['rss']:.0f} |"
        )
    if trained_in is not None:
        print(
            f"\nFull training of config.yml (`rasa train --force` as `make train` runs it, no cache): {trained_in:.0f} s"
        )
    if any(r["errors"] for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
