"""A turn's latency over REST, code trees side by side: is the bot still as quick as it was?

    .venv/bin/python -m bench.turns TREE:MODEL TREE:MODEL [...] [--rounds 2] [--messages 500]

Each TREE is a checkout of this project (the working copy, or a `git worktree` of an older commit
with its own model trained there, and `build/` linked in for the spaCy pipeline). For each tree in
turn (the order rotates from round to round, so a slow minute of the machine hits each alike), an
action server and a Rasa server start from that tree on loopback ports, 60 messages warm them up,
then the next `--messages` messages of the development sets `dev/nlu_dev_n.yml` to `_p.yml` go one
by one, each from a new sender: the time from request to reply is one turn. Messages over 500
characters are left out (older trees answered them with a request for a shorter message).

Prints per tree the median, mean and 95th percentile over all rounds, and each round's median as a
ratio to the first tree's. Issue 13 asks a turn to stay within 10 % of the day it was filed (commit
1e1058f, 28.11.2026); docs/performance.md has the runs. Not a test: timings belong in reports.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import RASA, ROOT, free_port, wait_for  # noqa: E402
from tools.heldout import load_set  # noqa: E402

SETS = [ROOT / "dev" / f"nlu_dev_{name}.yml" for name in "nop"]
WARM_UP = 60
MAX_LENGTH = 500


def turns(tree: Path, model: Path, messages: list[str]) -> list[float]:
    """Milliseconds per turn of `messages`, after the warm-up, against a fresh stack of `tree`."""
    work = Path(tempfile.mkdtemp(prefix="bench-turns-"))
    rasa_port, action_port = free_port(), free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),  # the tree's own components and actions, not this checkout's
        "RUECKENBOT_ACTION_URL": f"http://127.0.0.1:{action_port}/webhook",
        "RUECKENBOT_TRACKER_DB": str(work / "conversations.db"),
        "RASA_TELEMETRY_ENABLED": "false",
        "RUECKENBOT_RATE_SENDER": "0",  # the per-conversation limit is for people, not for this load
    }
    # trees from before bot/server/ started Rasa through `rasa run` (their channels applied the patches)
    server = [sys.executable, "-m", "bot.server.rasa_cli"] if (tree / "bot/server/rasa_cli.py").exists() else [RASA]
    processes = [
        subprocess.Popen(
            [RASA, "run", "actions", "--port", str(action_port), "--actions", "actions"],
            cwd=tree, env=env, stdout=(work / "actions.log").open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
        ),
    ]  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{action_port}/health", processes[0])
        processes.append(
            subprocess.Popen(
                [*server, "run", "--model", str(model), "--port", str(rasa_port), "--endpoints", "endpoints.yml",
                 "--credentials", "credentials.yml"],
                cwd=tree, env=env, stdout=(work / "rasa.log").open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
            )
        )  # fmt: skip
        wait_for(f"http://127.0.0.1:{rasa_port}/", processes[1])
        session = requests.Session()
        url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
        times = []
        for i, text in enumerate(messages):
            began = time.perf_counter()
            response = session.post(url, json={"sender": str(uuid.uuid4()), "message": text}, timeout=60)
            elapsed = (time.perf_counter() - began) * 1000
            response.raise_for_status()
            if not response.json():
                raise SystemExit(f"{tree}: no reply (logs in {work})")
            if i >= WARM_UP:
                times.append(elapsed)
        return times
    finally:
        for process in reversed(processes):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("setups", nargs="+", help="TREE:MODEL")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args()
    setups = [(Path(tree).resolve(), Path(model).resolve()) for tree, model in (s.split(":", 1) for s in args.setups)]
    texts = [m.text for path in SETS for m in load_set(path) if len(m.text) <= MAX_LENGTH]
    messages = texts[: WARM_UP + args.messages]
    runs: dict[Path, list[list[float]]] = {tree: [] for tree, _ in setups}
    for round_ in range(args.rounds):
        shift = round_ % len(setups)
        for tree, model in setups[shift:] + setups[:shift]:
            times = turns(tree, model, messages)
            runs[tree].append(times)
            print(f"round {round_ + 1}, {tree}: median {statistics.median(times):.1f} ms", file=sys.stderr)
    first = runs[setups[0][0]]
    print("| tree | turns | median ms | mean ms | p95 ms | round medians / first tree's |")
    print("| --- | --- | --- | --- | --- | --- |")
    for tree, _ in setups:
        times = sorted(t for run in runs[tree] for t in run)
        ratios = ", ".join(
            f"{statistics.median(r) / statistics.median(f):.2f}" for r, f in zip(runs[tree], first, strict=True)
        )
        p95 = times[int(0.95 * (len(times) - 1))]
        print(
            f"| {tree} | {len(times)} | {statistics.median(times):.1f} | {statistics.mean(times):.1f} | {p95:.1f} | {ratios} |"
        )


if __name__ == "__main__":
    main()
