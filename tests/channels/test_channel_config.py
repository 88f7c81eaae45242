"""The messenger connectors read credentials.yml + environment: off when unset, refused when half set,
refused without RUECKENBOT_ID_SECRET, Telegram refused without its secret token.

Not marked `channels`: no servers are started; runs with `make test-unit`.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest
import rasa.shared.utils.io
from rasa.core.channels.channel import register
from rasa.shared.exceptions import RasaException
from sanic import Sanic

from bot.server.channels.env import expand
from bot.server.channels.facebook import FacebookInput
from bot.server.channels.telegram import TelegramInput
from bot.server.channels.twilio import TwilioInput
from tests.conftest import ROOT

CONNECTORS = {
    "bot.server.channels.telegram.TelegramInput": TelegramInput,
    "bot.server.channels.facebook.FacebookInput": FacebookInput,
    "bot.server.channels.twilio.TwilioInput": TwilioInput,
}
VARIABLES = {
    "TELEGRAM_ACCESS_TOKEN": "1:tok",
    "TELEGRAM_SECRET_TOKEN": "tg-secret",
    "TELEGRAM_API_URL": "http://127.0.0.1:1",
    "FACEBOOK_VERIFY_TOKEN": "verify",
    "FACEBOOK_APP_SECRET": "app-secret",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "page-token",
    "FACEBOOK_API_URL": "http://127.0.0.1:2",
    "TWILIO_ACCOUNT_SID": "AC1",
    "TWILIO_AUTH_TOKEN": "tw-token",
    "TWILIO_WHATSAPP_NUMBER": "whatsapp:+1",
    "TWILIO_WEBHOOK_URL": "https://bot.example/webhooks/twilio/webhook",
    "TWILIO_API_URL": "http://127.0.0.1:3",
}
ID_SECRET = "x" * 64  # test value, not a secret


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> dict:
    """credentials.yml read the way Rasa reads it, with every messenger variable unset."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RUECKENBOT_ID_SECRET", ID_SECRET)
    everything = rasa.shared.utils.io.read_config_file(ROOT / "credentials.yml")
    assert set(CONNECTORS) <= set(everything), "credentials.yml names the three messenger connectors"
    return everything


def connectors(credentials: dict) -> dict[str, object]:
    return {cls.name(): cls.from_credentials(credentials[path]) for path, cls in CONNECTORS.items()}


def test_expand_reads_the_environment_with_defaults() -> None:
    env = {"A": "a", "EMPTY": ""}
    assert expand("${A}", env) == "a"
    assert expand("${MISSING}", env) == ""
    assert expand("${MISSING:-https://x}", env) == "https://x"
    assert expand("${EMPTY:-d}", env) == "d"
    assert expand("${A:-d}/path", env) == "a/path"
    assert expand(None, env) == ""


def test_channels_stay_off_when_their_variables_are_unset(credentials: dict) -> None:
    channels = connectors(credentials)
    assert all(not channel.enabled for channel in channels.values())
    app = Sanic("channels_off_test")
    register(list(channels.values()), app, route="/webhooks/")
    paths = {route.path for route in app.router.routes}
    assert {"webhooks/telegram", "webhooks/facebook", "webhooks/twilio"} <= paths
    assert not any(path.endswith("/webhook") for path in paths), "no webhook is open"


def test_channels_read_their_settings_from_the_environment(
    credentials: dict, monkeypatch: pytest.MonkeyPatch
) -> None:  # fmt: skip
    for name, value in VARIABLES.items():
        monkeypatch.setenv(name, value)
    channels = connectors(credentials)
    telegram, facebook, twilio = channels["telegram"], channels["facebook"], channels["twilio"]
    assert all(channel.enabled for channel in channels.values())
    assert (telegram.access_token, telegram.secret_token, telegram.api_url) == (
        "1:tok",
        "tg-secret",
        "http://127.0.0.1:1",
    )
    assert (facebook.fb_verify, facebook.fb_secret, facebook.fb_access_token) == ("verify", "app-secret", "page-token")
    assert facebook.client().graph_url.startswith("http://127.0.0.1:2/v")
    assert (twilio.account_sid, twilio.auth_token, twilio.twilio_number) == ("AC1", "tw-token", "whatsapp:+1")
    assert twilio.webhook_url == VARIABLES["TWILIO_WEBHOOK_URL"]
    assert twilio.client().get_hostname("https://api.twilio.com/2010-04-01/x") == "http://127.0.0.1:3/2010-04-01/x"


def test_defaults_point_at_the_real_providers(credentials: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_ACCESS_TOKEN", "1:tok")
    monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", "tg-secret")
    telegram = connectors(credentials)["telegram"]
    assert telegram.enabled and telegram.api_url == "https://api.telegram.org"


def test_telegram_refuses_to_start_without_its_secret_token(credentials: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the secret token anyone could post forged updates for any chat id (issue 14, item 3)."""
    monkeypatch.setenv("TELEGRAM_ACCESS_TOKEN", "1:tok")
    with pytest.raises(RasaException, match=r"TELEGRAM_SECRET_TOKEN"):
        connectors(credentials)


@pytest.mark.parametrize("secret", [None, "too-short"])
def test_a_messenger_channel_refuses_to_start_without_the_id_secret(
    credentials: dict, monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:  # fmt: skip
    for name, value in VARIABLES.items():
        monkeypatch.setenv(name, value)
    if secret is None:
        monkeypatch.delenv("RUECKENBOT_ID_SECRET")
    else:
        monkeypatch.setenv("RUECKENBOT_ID_SECRET", secret)
    with pytest.raises(RasaException, match="RUECKENBOT_ID_SECRET"):
        connectors(credentials)


@pytest.mark.parametrize("variable", ["FACEBOOK_PAGE_ACCESS_TOKEN", "TWILIO_ACCOUNT_SID"])
def test_a_half_configured_channel_stops_the_start(
    credentials: dict, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:  # fmt: skip
    monkeypatch.setenv(variable, "set")
    with pytest.raises(RasaException, match="half configured"):
        connectors(credentials)


def test_facebook_signature_check() -> None:
    body = b'{"object": "page"}'
    good = "sha256=" + hmac.new(b"s", body, hashlib.sha256).hexdigest()
    assert FacebookInput.validate_hub_signature("s", body, good)
    assert FacebookInput.validate_hub_signature("s", body, "sha1=" + hmac.new(b"s", body, hashlib.sha1).hexdigest())
    assert not FacebookInput.validate_hub_signature("other", body, good)
    assert not FacebookInput.validate_hub_signature("s", body, "md5=" + hashlib.md5(body).hexdigest())
    assert not FacebookInput.validate_hub_signature("s", body, "")
