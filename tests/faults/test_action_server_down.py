"""Faults: the action server is down or hangs → a German apology within seconds, then normal answers again."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.content.knowledge import KnowledgeBase
from tests.servers import ROOT, HungServer, Stack, running_stack

pytestmark = pytest.mark.e2e

TIMEOUT = 3  # RUECKENBOT_ACTION_TIMEOUT for this stack, seconds
RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
APOLOGY = RESPONSES["utter_service_unavailable"][0]["text"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = {"RUECKENBOT_ACTION_TIMEOUT": str(TIMEOUT)}
    with running_stack(Path(tmp_path_factory.mktemp("faults")), env=env) as servers:
        yield servers


def timed_say(stack: Stack, sender: str, text: str) -> tuple[str, float]:
    start = time.monotonic()
    replies = stack.say(sender, text)
    return "\n".join(r.get("text", "") for r in replies), time.monotonic() - start


def test_the_apology_is_plain_german_with_the_emergency_numbers() -> None:
    assert APOLOGY.startswith("Entschuldigung") and "112" in APOLOGY and "116117" in APOLOGY


def verdict(kb: KnowledgeBase, therapy: str) -> str:
    """The page's verdict on a treatment's benefit: in every answer on whether it helps."""
    claim = kb.verdict(therapy)
    assert claim is not None
    return claim.text


def test_action_server_down_then_back(stack: Stack, kb: KnowledgeBase) -> None:
    sender = str(uuid.uuid4())
    answer = verdict(kb, "akupunktur")
    assert answer in timed_say(stack, sender, "Hilft Akupunktur?")[0]

    stack.stop("actions")
    text, seconds = timed_say(stack, sender, "Und die Nebenwirkungen?")
    assert text == APOLOGY and seconds < 3, (text, seconds)
    # warning signs are answered by the action too: the apology still names 112
    text, seconds = timed_say(stack, str(uuid.uuid4()), "Ich kann meine Beine plötzlich nicht mehr spüren")
    assert text == APOLOGY and seconds < 3, (text, seconds)

    stack.start_actions()
    text, _ = timed_say(stack, sender, "Hilft Massage?")
    assert verdict(kb, "massage") in text, stack.log_tail()


def test_hung_action_server_gets_the_apology_within_the_timeout(stack: Stack, kb: KnowledgeBase) -> None:
    sender = str(uuid.uuid4())
    stack.stop("actions")
    hung = HungServer(stack.action_port)
    try:
        text, seconds = timed_say(stack, sender, "Hilft Akupunktur?")
    finally:
        hung.close()
    assert text == APOLOGY, text
    assert TIMEOUT - 0.5 <= seconds < TIMEOUT + 1.5, seconds  # one wait, not one per call

    stack.start_actions()
    text, _ = timed_say(stack, sender, "Hilft Akupunktur?")
    assert verdict(kb, "akupunktur") in text, stack.log_tail()
