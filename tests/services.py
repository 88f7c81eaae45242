"""PostgreSQL and Redis on loopback, for the production tests and the load benchmark.

Needs Debian's `postgresql` and `redis-server` (.ci/run installs them when missing).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from tests.servers import free_port

REDIS_PASSWORD = "test-redis-secret"


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if not path:
        raise RuntimeError(f"PostgreSQL's {name} not found: apt-get install postgresql (.ci/run does)")
    return path


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its programs as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Postgres:
    """A cluster in a temporary directory on a free loopback port, trust authentication."""

    port: int = field(default_factory=free_port)
    datadir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="rueckenbot-pg-")))
    database: str = "rueckenbot"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"

    def setup(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.datadir, "postgres", "postgres")
        subprocess.run(
            as_postgres([pg_bin("initdb"), "-D", str(self.datadir / "data"), "-U", "postgres", "--auth=trust",
                         "-E", "UTF8", "--locale=C.UTF-8"]),
            check=True, capture_output=True,
        )  # fmt: skip
        self.start()
        subprocess.run(
            [pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", self.database],
            check=True,
            capture_output=True,
        )

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", str(self.datadir / "data"), *args]), check=True,
                       capture_output=True, timeout=60)  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -h 127.0.0.1 -k {self.datadir}"
        self.pg_ctl("-o", options, "-l", str(self.datadir / "postgres.log"), "-w", "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "-w", "stop")

    def teardown(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.datadir, ignore_errors=True)

    def user_messages(self, sender_id: str) -> list[str]:
        """The texts of the sender's user events, in stored order."""
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
                    {"s": sender_id},
                ).fetchall()
        finally:
            engine.dispose()
        return [json.loads(row[0]).get("text") for row in rows]

    def event_types(self, sender_id: str) -> list[tuple[str, str | None]]:
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.text("SELECT type_name, action_name FROM events WHERE sender_id = :s ORDER BY id"),
                    {"s": sender_id},
                ).fetchall()
        finally:
            engine.dispose()
        return [(row[0], row[1]) for row in rows]


@dataclass
class Redis:
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://:{REDIS_PASSWORD}@127.0.0.1:{self.port}/1"

    def start(self) -> None:
        server = shutil.which("redis-server")
        if not server:
            raise RuntimeError("redis-server not found: apt-get install redis-server (.ci/run does)")
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--requirepass", REDIS_PASSWORD],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, password=REDIS_PASSWORD)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
