"""Start the real action server and Rasa server for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "rueckenbot.tar.gz"
RASA = str(Path(sys.executable).with_name("rasa"))
# The Rasa server starts through the project's launcher, which applies the fenced patches
# (bot/server/rasa_cli.py), as `make run` does.
RASA_SERVER = [sys.executable, "-m", "bot.server.rasa_cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before {url} answered")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@dataclass
class Stack:
    """One action server and one Rasa server on free loopback ports."""

    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    # which channels the Rasa server opens (a path relative to the project, or absolute)
    credentials: str | Path = "credentials.yml"
    model: Path = MODEL

    def __post_init__(self) -> None:
        self.env = {
            **os.environ,
            "RUECKENBOT_ACTION_URL": f"http://127.0.0.1:{self.action_port}/webhook",
            "RUECKENBOT_TRACKER_DB": str(self.workdir / "conversations.db"),
            "RASA_TELEMETRY_ENABLED": "false",
            **self.env,
        }

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def _log(self, name: str):
        return open(self.workdir / f"{name}.log", "ab")

    def start_actions(self) -> None:
        process = subprocess.Popen(
            [RASA, "run", "actions", "--port", str(self.action_port), "--actions", "actions"],
            cwd=ROOT, env=self.env, stdout=self._log("actions"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.processes["actions"] = process
        wait_for(f"http://127.0.0.1:{self.action_port}/health", process)

    def start_rasa(self, extra_args: list[str] = ()) -> None:
        process = subprocess.Popen(
            [*RASA_SERVER, "run", "--model", str(self.model), "--port", str(self.rasa_port), "--endpoints", "endpoints.yml",
             "--credentials", str(self.credentials), *extra_args],
            cwd=ROOT, env=self.env, stdout=self._log("rasa"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.processes["rasa"] = process
        wait_for(f"{self.url}/", process)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # with its Sanic workers (own process group)
                process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def say(self, sender: str, message: str) -> list[dict]:
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
        )
        response.raise_for_status()
        return response.json()

    def log_tail(self) -> str:
        return "\n".join((self.workdir / f"{n}.log").read_text(errors="replace")[-3000:] for n in ("actions", "rasa"))


class HungServer:
    """A fake action server: accepts connections on a loopback port and never answers."""

    def __init__(self, port: int) -> None:
        import threading

        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(connection)  # kept open, never read or answered

    def close(self) -> None:
        for connection in self.connections:
            connection.close()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


@contextmanager
def running_stack(workdir: Path, env: dict[str, str] | None = None) -> Iterator[Stack]:
    """Start actions + Rasa for a test module; print both logs if start-up fails; always stop."""
    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}; run `make train`")
    servers = Stack(workdir=workdir, env=env or {})
    try:
        servers.start_actions()
        servers.start_rasa()
    except Exception:
        print(servers.log_tail())
        servers.stop_all()
        raise
    try:
        yield servers
    finally:
        servers.stop_all()
