"""Shared fixtures: the real fact store, and a writable copy for breaking it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeBase, load_knowledge

ROOT = Path(__file__).resolve().parent.parent


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
    """The real bot (action server + Rasa server, REST) shared by the quality suites
    (tests/nlu, tests/safety, tests/answers): started once, stopped at the end."""
    from tests.servers import running_stack

    with running_stack(tmp_path_factory.mktemp("quality-stack")) as servers:
        yield servers
