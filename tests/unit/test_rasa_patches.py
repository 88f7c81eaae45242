"""bot.server.rasa_patches: the session length limit and the cached event-type lookup, on Rasa's own classes."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.server import rasa_patches
from tests.servers import ROOT

rasa_patches.apply()


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def conversation(domain: Domain, *turns: tuple[str, dict]) -> DialogueStateTracker:
    """A tracker with one session: per turn a user message and the slots the bot set."""
    events: list[Event] = [SessionStarted(), ActionExecuted("action_listen")]
    for text, slots in turns:
        events.append(UserUttered(text, {"name": "ask_effectiveness", "confidence": 1.0}))
        events += [SlotSet(name, value) for name, value in slots.items()]
        events += [ActionExecuted("action_answer_fact"), ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events("someone", events, domain.slots)


def test_user_turns_are_counted_from_the_session_start(domain: Domain) -> None:
    tracker = conversation(domain, ("a", {}), ("b", {}), ("c", {}))
    assert rasa_patches.user_turns_in_session(tracker) == 3
    tracker.update(Restarted(), domain)
    assert rasa_patches.user_turns_in_session(tracker) == 0
    tracker.update(UserUttered("d", {"name": "greet", "confidence": 1.0}), domain)
    assert rasa_patches.user_turns_in_session(tracker) == 1


def test_a_continued_session_carries_the_slots_over(domain: Domain) -> None:
    tracker = conversation(
        domain,
        ("Hilft Akupunktur?", {"therapy": "akupunktur", "aspect": "wirksamkeit"}),
        ("Und Risiken?", {"aspect": "risiken"}),
    )
    before = len(tracker.events)
    rasa_patches.continue_in_new_session(tracker, domain)
    new = list(tracker.events)[before:]
    assert isinstance(new[0], SessionStarted) and new[0].metadata == {"reason": "max_turns"}
    assert isinstance(new[-1], ActionExecuted) and new[-1].action_name == "action_listen"
    assert tracker.get_slot("therapy") == "akupunktur"
    assert tracker.get_slot("aspect") == "risiken"
    assert rasa_patches.user_turns_in_session(tracker) == 0
    # the old session's events are still in the tracker; only the current session counts
    assert (
        len(tracker.events) > len(new) and len(list(tracker.applied_events())) == len(new) - 1
    )  # without session_started


def test_session_length_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUECKENBOT_SESSION_MAX_TURNS", raising=False)
    assert rasa_patches.session_max_turns() == rasa_patches.DEFAULT_SESSION_MAX_TURNS
    monkeypatch.setenv("RUECKENBOT_SESSION_MAX_TURNS", "0")
    assert rasa_patches.session_max_turns() == 0
    monkeypatch.setenv("RUECKENBOT_SESSION_MAX_TURNS", "viele")
    assert rasa_patches.session_max_turns() == rasa_patches.DEFAULT_SESSION_MAX_TURNS


def test_event_types_resolve_as_in_rasa() -> None:
    for _ in range(2):  # the second time from the cache
        assert Event.resolve_by_type("slot") is SlotSet
        assert Event.resolve_by_type("user") is UserUttered
        assert Event.from_parameters({"event": "session_started"}) == SessionStarted()
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")
