"""`make review` reads PostgreSQL when the bot's settings name it (RUECKENBOT_DATABASE_URL or
RUECKENBOT_DB_*), as bot/server/stores.py does. Needs Debian's postgresql, like the production suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.review.fake_store import SENDERS, conversation_events, write_store
from tools.review.__main__ import main

pytestmark = pytest.mark.production


@pytest.fixture(scope="module")
def postgres() -> Iterator[object]:
    from tests.services import Postgres

    server = Postgres()
    server.setup()
    try:
        yield server
    finally:
        server.teardown()


@pytest.mark.parametrize("how", ["url", "variables"])
def test_review_from_postgresql(postgres: object, how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = postgres.url  # type: ignore[attr-defined]
    database = f"review_{how}"
    import sqlalchemy as sa

    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {database}"))
        connection.execute(sa.text(f"CREATE DATABASE {database}"))
    admin.dispose()
    target = url.rsplit("/", 1)[0] + f"/{database}"
    write_store(target, conversation_events())
    for name in ("RUECKENBOT_TRACKER_DB", "RUECKENBOT_DATABASE_URL", "RUECKENBOT_DB_DIALECT"):
        monkeypatch.delenv(name, raising=False)
    if how == "url":
        monkeypatch.setenv("RUECKENBOT_DATABASE_URL", target)
    else:
        monkeypatch.setenv("RUECKENBOT_DB_DIALECT", "postgresql")
        monkeypatch.setenv("RUECKENBOT_DB_HOST", "127.0.0.1")
        monkeypatch.setenv("RUECKENBOT_DB_PORT", str(postgres.port))  # type: ignore[attr-defined]
        monkeypatch.setenv("RUECKENBOT_DB_NAME", database)
        monkeypatch.setenv("RUECKENBOT_DB_USER", "postgres")
    assert main(["--since", "all", "--out", str(tmp_path)]) == 0
    text = (tmp_path / "review.yml").read_text(encoding="utf-8")
    reasons = {m["reason"] for m in yaml.safe_load(text)["messages"]}
    assert reasons == {"fallback", "declined", "clarified", "emergency", "thumbs_down"}
    assert not any(sender in text for sender in SENDERS)
