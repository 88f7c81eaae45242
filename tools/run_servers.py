"""Start the action server and the Rasa server together; Ctrl-C stops both.

Used by `make run` (both servers, REST and socket.io) and `make shell` (action
server plus Rasa's terminal chat). Ports come from RASA_PORT and ACTION_PORT.

- Both servers listen on 127.0.0.1 only, unless RASA_INTERFACE names another address
  (e.g. `RASA_INTERFACE=0.0.0.0 make run` on a machine whose firewall or proxy protects
  the ports: the action server has no authentication).
- Every `rasa` command goes through the project's launcher, `python -m bot.server.rasa_cli`,
  which applies bot/server/rasa_patches.py (and keeps personal data out of the logs).
- RUECKENBOT_ID_SECRET (the key of the conversation ids' HMAC, bot/server/conversation_keys.py):
  taken from the environment when set; otherwise read from var/id_secret, which the first
  start creates (64 random hex digits, readable only by its owner, never committed: var/ is in
  .gitignore). That is right for one machine; several machines must share one secret
  (docs/threat-model.md).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA = [sys.executable, "-m", "bot.server.rasa_cli"]  # the project's launcher (patches applied)
SECRET_FILE = ROOT / "var" / "id_secret"
DEFAULT_INTERFACE = "127.0.0.1"


def id_secret(environ: dict[str, str], secret_file: Path = SECRET_FILE) -> str:
    """RUECKENBOT_ID_SECRET from the environment, else from `secret_file`, created on first use."""
    from bot.server.conversation_keys import MIN_SECRET_LENGTH, SECRET_VARIABLE

    given = environ.get(SECRET_VARIABLE, "").strip()
    if given:
        return given
    if secret_file.exists():
        stored = secret_file.read_text(encoding="utf-8").strip()
        if len(stored) >= MIN_SECRET_LENGTH:
            return stored
    secret_file.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    descriptor = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    print(f"Created {secret_file.relative_to(ROOT) if secret_file.is_relative_to(ROOT) else secret_file} "
          "(RUECKENBOT_ID_SECRET for this machine; keep it, or stored conversations can no longer be found).")  # fmt: skip
    return value


def server_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment both servers get: the id secret, and SANIC_HOST for the action server."""
    env = dict(os.environ if environ is None else environ)
    from bot.server.conversation_keys import SECRET_VARIABLE

    env[SECRET_VARIABLE] = id_secret(env)
    env["SANIC_HOST"] = interface(env)  # rasa-sdk's action server reads it
    return env


def interface(environ: dict[str, str]) -> str:
    return environ.get("RASA_INTERFACE", "").strip() or DEFAULT_INTERFACE


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


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    # A session of its own: Ctrl-C reaches only us, and we stop the servers in order.
    return subprocess.Popen(command, cwd=ROOT, start_new_session=True, env=env)


def action_server_command(port: str) -> list[str]:
    return [*RASA, "run", "actions", "--port", port, "--actions", "actions"]


def rasa_server_command(model: str, port: str, host: str = DEFAULT_INTERFACE) -> list[str]:
    return [
        *RASA,
        "run",
        "--interface",
        host,
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
    env = server_environment()
    host = interface(env)
    local = "127.0.0.1" if host in ("0.0.0.0", "::", DEFAULT_INTERFACE) else host

    # Ctrl-C must work even where the shell started us with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    processes = [start(action_server_command(action_port), env)]
    try:
        if not wait_until_up(f"http://{local}:{action_port}/health", processes[0], timeout=120):
            print("The action server did not start; see the messages above.", file=sys.stderr)
            return 1
        if args.shell:
            shell = [*RASA, "shell", "--model", args.model, "--endpoints", "endpoints.yml", "--port", rasa_port,
                     "--interface", host]  # fmt: skip
            return subprocess.call(shell, cwd=ROOT, env=env)
        processes.append(start(rasa_server_command(args.model, rasa_port, host), env))
        if not wait_until_up(f"http://{local}:{rasa_port}/", processes[1], timeout=300):
            print("The Rasa server did not start; see the messages above.", file=sys.stderr)
            return 1
        print(
            "\nRückenbot is running.\n"
            f"  REST:      POST http://{local}:{rasa_port}/webhooks/rest/webhook  "
            '{"sender": "me", "message": "Hilft Akupunktur?"}\n'
            f"  chat:      http://{local}:{rasa_port}/  (the chat widget's demo page)\n"
            f"  socket.io: http://{local}:{rasa_port}/socket.io\n"
            f"  listening on {host} (RASA_INTERFACE)\n"
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
