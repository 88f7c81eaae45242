"""Shared fixtures: the real fact store, and a writable copy for breaking it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeBase, load_knowledge

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def read_training_data_quickly() -> None:
    """Tests that load data/ check each annotation without re-checking the schema, as `make
    train` does (bot/server/rasa_patches.py, item 4; tests/unit/test_rasa_patches.py shows
    that errors stay Rasa's own)."""
    from bot.server.rasa_patches import speed_up_reading_training_data

    speed_up_reading_training_data()


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A copy of knowledge/ that a test may break."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, target)
    return target


@pytest.fixture(scope="session")
def bot(tmp_path_factory: pytest.TempPathFactory):
    """The real bot (action server + Rasa server, REST, default settings) shared by every test that
    needs no settings of its own: the quality suites (tests/nlu, tests/safety, tests/answers) and the
    end-to-end tests; started once per pytest run, stopped at the end. Each test talks under its own
    sender, so the tests do not see each other's conversations."""
    from tests.servers import running_stack

    # Socket.io clients of the tests leave long-polls open; stopping Rasa need not wait the
    # 15 s Sanic grants them (no test here checks a graceful shutdown; tests/production does).
    env = {"SANIC_GRACEFUL_SHUTDOWN_TIMEOUT": "2"}
    with running_stack(tmp_path_factory.mktemp("bot"), env=env) as servers:
        yield servers


@pytest.fixture(scope="session")
def stack(bot):
    """The shared bot under the name the end-to-end tests use; a module that needs its own settings
    (an environment, channels, a debug log) defines its own `stack`, which takes precedence."""
    return bot
