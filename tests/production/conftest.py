"""The production shape on loopback: a throwaway PostgreSQL cluster, redis-server, one action
server and two Rasa server instances sharing them (as behind a load balancer).

Needs Debian's `postgresql` and `redis-server` (.ci/run installs them when missing).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.servers import MODEL, Stack
from tests.services import Postgres, Redis

API_TOKEN = "test-api-token"


@dataclass
class Cluster:
    postgres: Postgres
    redis: Redis
    a: Stack  # Rasa instance A (and the action server)
    b: Stack  # Rasa instance B, with the HTTP API on behind a token

    def restart(self, instance: Stack, extra_args: list[str] = ()) -> None:
        instance.stop("rasa")
        instance.start_rasa(list(extra_args))

    def log(self, instance: Stack) -> str:
        return (instance.workdir / "rasa.log").read_text(errors="replace")


B_ARGS = ["--enable-api", "--auth-token", API_TOKEN]


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}; run `make train`")
    postgres, redis_server = Postgres(), Redis()
    postgres.setup()
    redis_server.start()
    common = {"RUECKENBOT_REDIS_URL": redis_server.url, "RUECKENBOT_DB_RETRY_SECONDS": "1"}
    # A names the database by one DSN, B by the separate variables: both ways, one database.
    a = Stack(workdir=tmp_path_factory.mktemp("rasa-a"), env={**common, "RUECKENBOT_DATABASE_URL": postgres.url})
    b_env = {
        **common,
        "RUECKENBOT_DB_DIALECT": "postgresql",
        "RUECKENBOT_DB_HOST": "127.0.0.1",
        "RUECKENBOT_DB_PORT": str(postgres.port),
        "RUECKENBOT_DB_NAME": postgres.database,
        "RUECKENBOT_DB_USER": "postgres",
        "RUECKENBOT_DB_PASSWORD": "",
    }
    b = Stack(workdir=tmp_path_factory.mktemp("rasa-b"), env=b_env, action_port=a.action_port)
    try:
        a.start_actions()
        errors: list[BaseException] = []

        def start(instance: Stack, args: list[str]) -> None:
            try:
                instance.start_rasa(args)
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=start, args=(a, [])), threading.Thread(target=start, args=(b, B_ARGS))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        yield Cluster(postgres, redis_server, a, b)
    except Exception:
        print(a.log_tail(), (b.workdir / "rasa.log").read_text(errors="replace")[-3000:])
        raise
    finally:
        b.stop_all()
        a.stop_all()
        redis_server.stop()
        postgres.teardown()
