"""The website connector's pure parts: origins, session ids, deleting a conversation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.server.channels.forget import delete_conversation
from bot.server.channels.website import OriginCheck, WebsiteInput, is_session_id, parse_origins


def test_origins_from_a_string_a_list_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_origins("https://a.de, https://b.de/") == ["https://a.de", "https://b.de"]
    assert parse_origins(["http://localhost:5005"]) == ["http://localhost:5005"]
    monkeypatch.setenv("RUECKENBOT_ALLOWED_ORIGINS", "https://www.example-klinik.de")
    assert parse_origins("${RUECKENBOT_ALLOWED_ORIGINS:-http://localhost:5005}") == ["https://www.example-klinik.de"]
    monkeypatch.delenv("RUECKENBOT_ALLOWED_ORIGINS")
    assert parse_origins("${RUECKENBOT_ALLOWED_ORIGINS:-http://localhost:5005}") == ["http://localhost:5005"]


@pytest.mark.parametrize("bad", ["*", "www.example.de", "https://www.example.de/seite", "ftp://example.de"])
def test_anything_but_an_origin_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="is not an origin"):
        parse_origins(bad)


def test_origin_check_allows_listed_and_same_origin_only() -> None:
    check = OriginCheck(["https://www.example-klinik.de"])
    own = {"HTTP_HOST": "bot.example.de", "wsgi.url_scheme": "https"}
    assert check("https://www.example-klinik.de", own)
    assert check("https://bot.example.de", own)
    assert not check("https://evil.example", own)
    assert not check("http://bot.example.de", own)
    assert check(None, own)  # no Origin header: not a browser


def test_credentials_build_the_channel() -> None:
    channel = WebsiteInput.from_credentials({"cors_allowed_origins": "https://a.de", "max_message_length": 200})
    assert channel.allowed_origins == ["https://a.de"] and channel.max_message_length == 200
    assert channel.session_persistence and channel.name() == "website"


def test_session_ids_must_be_random_uuids() -> None:
    assert is_session_id("feea8987-a67b-4b9e-bf84-59ecdb1a126c")
    for bad in ("ich", "1", "feea8987a67b4b9ebf8459ecdb1a126c", "feea8987-a67b-1b9e-bf84-59ecdb1a126c", None, 7):
        assert not is_session_id(bad)


def _tracker(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(UserUttered("Hilft Akupunktur?"))
    return tracker


@pytest.mark.parametrize("kind", ["sql", "memory"])
def test_delete_conversation_removes_only_that_sender(kind: str, tmp_path: Path) -> None:
    domain = Domain.empty()
    if kind == "sql":
        store = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    else:
        store = InMemoryTrackerStore(domain)
    wrapped = FailSafeTrackerStore(store)

    async def scenario() -> tuple[int, int, bool, bool]:
        await wrapped.save(_tracker("a"))
        await wrapped.save(_tracker("b"))
        removed = await delete_conversation(wrapped, "a")
        again = await delete_conversation(wrapped, "a")
        return removed, again, await store.exists("a"), await store.exists("b")

    removed, again, a_exists, b_exists = asyncio.run(scenario())
    assert removed > 0 and again == 0
    assert not a_exists and b_exists
