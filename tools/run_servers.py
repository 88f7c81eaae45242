"""Start the action server and the Rasa server together; Ctrl-C stops both.

Used by `make run` (both servers, REST and socket.io) and `make shell` (action
server plus Rasa's terminal chat). Ports come from RASA_PORT and ACTION_PORT.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).with_name("rasa"))


def wait_until_up(url: str, process: subprocess.Popen, timeout: float) -> bool:
    """Poll `url` until it answers, the process dies, or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    return False


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def start(command: list[str]) -> subprocess.Popen:
    # A session of its own: Ctrl-C reaches only us, and we stop the servers in order.
    return subprocess.Popen(command, cwd=ROOT, start_new_session=True)


def start_action_server(port: str) -> subprocess.Popen:
    return start([RASA, "run", "actions", "--port", port, "--actions", "actions"])


def rasa_server_command(model: str, port: str) -> list[str]:
    return [
        RASA,
        "run",
        "--model",
        model,
        "--port",
        port,
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--shell", action="store_true", help="chat in the terminal instead of serving channels")
    args = parser.parse_args()
    rasa_port = os.environ.get("RASA_PORT", "5005")
    action_port = os.environ.get("ACTION_PORT", "5055")
    (ROOT / "var").mkdir(exist_ok=True)

    # Ctrl-C must work even where the shell started us with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    processes = [start_action_server(action_port)]
    try:
        if not wait_until_up(f"http://localhost:{action_port}/health", processes[0], timeout=120):
            print("The action server did not start; see the messages above.", file=sys.stderr)
            return 1
        if args.shell:
            shell = [RASA, "shell", "--model", args.model, "--endpoints", "endpoints.yml", "--port", rasa_port]
            return subprocess.call(shell, cwd=ROOT)
        processes.append(start(rasa_server_command(args.model, rasa_port)))
        if not wait_until_up(f"http://localhost:{rasa_port}/", processes[1], timeout=300):
            print("The Rasa server did not start; see the messages above.", file=sys.stderr)
            return 1
        print(
            "\nRückenbot is running.\n"
            f"  REST:      POST http://localhost:{rasa_port}/webhooks/rest/webhook  "
            '{"sender": "me", "message": "Hilft Akupunktur?"}\n'
            f"  chat:      http://localhost:{rasa_port}/  (the chat widget's demo page)\n"
            f"  socket.io: http://localhost:{rasa_port}/socket.io\n"
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        print("A server stopped unexpectedly; stopping the other one.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping Rückenbot …", flush=True)
        return 0
    finally:
        stop(processes)


if __name__ == "__main__":
    sys.exit(main())
