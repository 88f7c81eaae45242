"""`make test-security`: the real servers, every channel on (against fake provider APIs), logs at DEBUG.

Collected only when asked for (`pytest -m security`, as `make test-security` does), so that
`make test-unit`'s marker expression does not start servers.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.channels.fakes import FakeAPI, facebook_responder, telegram_responder, twilio_responder
from tests.servers import MODEL, ROOT, Stack, wait_for

TELEGRAM_TOKEN = "123456:TEST-token-for-the-fake-api"
TELEGRAM_SECRET = "telegram-test-secret"
FB_VERIFY = "fb-test-verify"
FB_SECRET = "fb-test-app-secret"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-test-auth-token"
TWILIO_NUMBER = "whatsapp:+14155238886"
ID_SECRET = "security-test-id-secret-" + "1" * 40
LAUNCHER = [str(Path(__import__("sys").executable)), "-m", "bot.server.rasa_cli"]


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool:
    return "security" not in (config.option.markexpr or "")


class DebugStack(Stack):
    """Both servers through the project's launcher, with logs at DEBUG."""

    def start_actions(self) -> None:
        process = subprocess.Popen(
            [*LAUNCHER, "run", "actions", "--port", str(self.action_port), "--actions", "actions", "--debug"],
            cwd=ROOT, env={**self.env, "SANIC_HOST": "127.0.0.1"}, stdout=self._log("actions"),
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.processes["actions"] = process
        wait_for(f"http://127.0.0.1:{self.action_port}/health", process)

    def start_rasa(self, extra_args: list[str] = ()) -> None:
        process = subprocess.Popen(
            [*LAUNCHER, "run", "--interface", "127.0.0.1", "--model", str(self.model), "--port", str(self.rasa_port),
             "--endpoints", "endpoints.yml", "--credentials", str(self.credentials), "--debug", *extra_args],
            cwd=ROOT, env=self.env, stdout=self._log("rasa"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.processes["rasa"] = process
        wait_for(f"{self.url}/", process)

    def logs(self) -> str:
        return "\n".join((self.workdir / f"{n}.log").read_text(errors="replace") for n in ("actions", "rasa"))


@dataclass
class Fakes:
    telegram: FakeAPI
    facebook: FakeAPI
    twilio: FakeAPI


@pytest.fixture(scope="session")
def fakes() -> Iterator[Fakes]:
    servers = Fakes(
        FakeAPI(telegram_responder).start(), FakeAPI(facebook_responder).start(), FakeAPI(twilio_responder).start()
    )
    yield servers
    for server in (servers.telegram, servers.facebook, servers.twilio):
        server.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, fakes: Fakes) -> Iterator[DebugStack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}; run `make train`")
    env = {
        "TELEGRAM_ACCESS_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": fakes.telegram.url,
        "FACEBOOK_VERIFY_TOKEN": FB_VERIFY,
        "FACEBOOK_APP_SECRET": FB_SECRET,
        "FACEBOOK_PAGE_ACCESS_TOKEN": "fb-test-page-token",
        "FACEBOOK_API_URL": fakes.facebook.url,
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_WHATSAPP_NUMBER": TWILIO_NUMBER,
        "TWILIO_WEBHOOK_URL": "",
        "TWILIO_API_URL": fakes.twilio.url,
        "RUECKENBOT_ID_SECRET": ID_SECRET,
        "RUECKENBOT_PROXY_HOPS": "1",  # X-Forwarded-For names the client (tests of the per-address limit)
        "RUECKENBOT_HSTS": "1",
        # the fuzz clients leave socket.io long-polls open; stopping need not wait 15 s for them
        "SANIC_GRACEFUL_SHUTDOWN_TIMEOUT": "2",
    }
    servers = DebugStack(workdir=Path(tmp_path_factory.mktemp("security")), env=env)
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
