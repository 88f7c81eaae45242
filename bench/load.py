"""Load benchmark: simulated users over REST against the full stack, and against stock Rasa in the same run.

    make bench                      # or: .venv/bin/python -m bench.load --users 50 --messages 10

Each setup is an action server + Rasa server + SQLite tracker store (tests/servers.py `Stack`):

- stock:          Rasa's default pipeline and policies (bench/stock-config.yml, what `rasa init` writes,
                  language de) trained on the same data (`--stock-model`, trained if missing), Rasa's own
                  `rest:` channel, no bot/rasa_patches.py;
- ours, stock validator: models/rueckenbot.tar.gz with RUECKENBOT_CACHED_VALIDATOR=0;
- ours:           models/rueckenbot.tar.gz as deployed (credentials.yml, patches on).

For each: one conversation of 100 messages (latency of message 1 vs 100), then N users × M messages
with follow-ups concurrently (throughput, p50/p95/p99, errors), then 10 users × M messages (p95),
and the peak RSS of both server processes. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import MODEL, RASA, ROOT, Stack  # noqa: E402

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


def say(url: str, sender: str, text: str) -> tuple[float, bool]:
    start = time.perf_counter()
    try:
        response = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
        ok = response.status_code == 200 and bool(response.json())
    except requests.RequestException:
        ok = False
    return time.perf_counter() - start, ok


def load(url: str, users: int, messages: int) -> dict[str, float]:
    def conversation(_: int) -> list[tuple[float, bool]]:
        sender = str(uuid.uuid4())
        return [say(url, sender, SCRIPT[i % len(SCRIPT)]) for i in range(messages)]

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


def long_conversation(url: str, length: int = 100) -> tuple[float, float]:
    sender = str(uuid.uuid4())
    latencies = [say(url, sender, SCRIPT[i % len(SCRIPT)])[0] * 1000 for i in range(length)]
    # message 1 vs message 100, each as the median of 5 neighbouring turns (the same questions)
    first = statistics.median(latencies[:5])
    last = statistics.median(latencies[-5:])
    return first, last


def measure(name: str, model: Path, credentials: Path | str, env: dict[str, str], args: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    stack = Stack(workdir=workdir, env=env, credentials=credentials)
    try:
        stack.start_actions()
        process_args = ["--model", str(model)]
        stack.start_rasa()  # starts with MODEL; restart on the wanted model below if different
        if model != MODEL:
            stack.stop("rasa")
            import tests.servers as servers

            saved = servers.MODEL
            servers.MODEL = model
            try:
                stack.start_rasa()
            finally:
                servers.MODEL = saved
        del process_args
        rss = PeakRss([p.pid for p in stack.processes.values()])
        rss.start()
        for text in SCRIPT:  # warm-up
            say(stack.url, "warm-up", text)
        first, last = long_conversation(stack.url)
        result = load(stack.url, args.users, args.messages)
        result10 = load(stack.url, 10, args.messages)
        rss.running = False
        rss.join()
        print(f"  {name}: done", file=sys.stderr)
        return {"name": name, **result, "p95_10": result10["p95"], "errors": result["errors"] + result10["errors"],
                "msg1": first, "msg100": last, "rss": rss.peak / 2**20}  # fmt: skip
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
    args = parser.parse_args()

    stock_credentials = Path(tempfile.mkdtemp(prefix="bench-cred-")) / "credentials.yml"
    stock_credentials.write_text("rest:\n", encoding="utf-8")
    rows = []
    if not args.skip_stock:
        if not args.stock_model.exists():
            print(f"training the stock model into {args.stock_model.parent} ...", file=sys.stderr)
            subprocess.run(
                [RASA, "train", "--config", "bench/stock-config.yml", "--out", str(args.stock_model.parent),
                 "--fixed-model-name", args.stock_model.name.removesuffix(".tar.gz"), "--quiet"],
                cwd=ROOT, check=True,
            )  # fmt: skip
        rows.append(measure("stock Rasa 3.6 (default config)", args.stock_model, stock_credentials, {}, args))
    rows.append(
        measure("Rückenbot, stock validator", MODEL, "credentials.yml", {"RUECKENBOT_CACHED_VALIDATOR": "0"}, args)
    )
    rows.append(measure("Rückenbot", MODEL, "credentials.yml", {}, args))

    base = rows[0]
    print(f"\n{args.users} users × {args.messages} messages over REST, SQLite tracker store, 1 Sanic worker\n")
    print("| setup | msg/s | ×stock | p50 ms | p95 ms | p99 ms | p95 ms, 10 users | errors ", end="")
    print("| msg 1 ms | msg 100 ms | 100/1 | peak RSS MiB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['name']} | {r['throughput']:.1f} | {r['throughput'] / base['throughput']:.2f} | {r['p50']:.0f} | "
            f"{r['p95']:.0f} | {r['p99']:.0f} | {r['p95_10']:.0f} | {r['errors']} | {r['msg1']:.0f} | "
            f"{r['msg100']:.0f} | {r['msg100'] / r['msg1']:.2f} | {r['rss']:.0f} |"
        )
    if any(r["errors"] for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
