"""Follow-ups in context (issue 13), end to end over REST: each conversation is a list of
turns; each turn says which (treatment, aspect) the bot must answer. Follow-ups refer back
by pronoun, by aspect only, by treatment only, by description right after a treatment of the
same group ("und das mit den Nadeln?" after TENS is PENS), or by naming only the group."""

from __future__ import annotations

import uuid

import pytest

from tests.servers import Stack

pytestmark = pytest.mark.e2e

# (message, expected cell) — the first turn of each conversation sets the context
# fmt: off
CONVERSATIONS: list[list[tuple[str, tuple[str, str]]]] = [
    [("Hilft Akupunktur gegen Rückenschmerzen?", ("akupunktur", "wirksamkeit")),
     ("und was kostet das?", ("akupunktur", "kosten")),
     ("Ist das gefährlich?", ("akupunktur", "risiken")),
     ("und bei Massage?", ("massage", "risiken")),
     ("wie funktioniert das eigentlich", ("massage", "methode"))],
    [("Was ist TENS?", ("tens", "methode")),
     ("und das mit den Nadeln?", ("pens", "methode")),
     ("hat das Nebenwirkungen?", ("pens", "risiken")),
     ("und bei der Interferenztherapie?", ("interferenztherapie", "risiken")),
     ("und bei Elektrotherapie allgemein?", ("elektrotherapie", "risiken"))],
    [("Ist eine Mobilisation der Wirbelsäule riskant?", ("mobilisation", "risiken")),
     ("und das mit dem schnellen Ruck, wo es knackt?", ("manipulation", "risiken")),
     ("bringt das überhaupt was", ("manipulation", "wirksamkeit")),
     ("und bei den manuellen Therapien insgesamt?", ("manuelle_therapie", "wirksamkeit")),
     ("zahlt die Kasse das?", ("manuelle_therapie", "kosten"))],
    [("was kostet osteopathie", ("osteopathie", "kosten")),
     ("und kinesio tape?", ("kinesio_taping", "kosten")),
     ("hilft das wenigstens?", ("kinesio_taping", "wirksamkeit")),
     ("und laser?", ("lasertherapie", "wirksamkeit")),
     ("nebenwirkungen?", ("lasertherapie", "risiken"))],
    [("Wie soll eine Magnetfeldtherapie wirken?", ("magnetfeldtherapie", "methode")),
     ("Und ist sie belegt?", ("magnetfeldtherapie", "wirksamkeit")),
     ("und Ultraschall?", ("ultraschall", "wirksamkeit")),
     ("und die Kosten?", ("ultraschall", "kosten")),
     ("und bei der Streckbehandlung?", ("traktion", "kosten"))],
    [("does acupuncture help for back pain", ("akupunktur", "wirksamkeit")),
     ("and side effects?", ("akupunktur", "risiken")),
     ("and massage?", ("massage", "risiken")),
     ("who pays for it", ("massage", "kosten"))],
    [("Sehr geehrte Damen und Herren, welche Risiken hat eine Kurzwellen-Diathermie?", ("kurzwellen_diathermie", "risiken")),
     ("Und wie wirkt dieses Verfahren?", ("kurzwellen_diathermie", "methode")),
     ("Und die Osteopathie?", ("osteopathie", "methode")),
     ("Ist der Nutzen nachgewiesen?", ("osteopathie", "wirksamkeit"))],
    [("hilft massage bei meinem kreuz", ("massage", "wirksamkeit")),
     ("und des mit de nodln?", ("akupunktur", "wirksamkeit")),
     ("und was kost des", ("akupunktur", "kosten")),
     ("und tens", ("tens", "kosten")),
     ("und das mit dem strom durch nadeln", ("pens", "kosten"))],
    [("Gibt es Risiken bei der Manipulation?", ("manipulation", "risiken")),
     ("und bei der sanften Variante, wo die Gelenke nur langsam bewegt werden?", ("mobilisation", "risiken")),
     ("was ist das genau", ("mobilisation", "methode")),
     ("und Akupunktur?", ("akupunktur", "methode"))],
    [("Zahlt die Krankenkasse eine Akupunktur?", ("akupunktur", "kosten")),
     ("und eine Massage?", ("massage", "kosten")),
     ("und wie sieht es mit Osteopathie aus?", ("osteopathie", "kosten")),
     ("und bringt die was?", ("osteopathie", "wirksamkeit")),
     ("und Einrenken?", ("manipulation", "wirksamkeit"))],
    [("Welche Nebenwirkungen hat eine Massage?", ("massage", "risiken")),
     ("und wie lange hält die Wirkung?", ("massage", "wirksamkeit")),
     ("und das bunte Tape?", ("kinesio_taping", "wirksamkeit")),
     ("was ist das überhaupt", ("kinesio_taping", "methode")),
     ("und die Magnetfeldmatte?", ("magnetfeldtherapie", "methode"))],
]
# fmt: on


def test_there_are_at_least_40_follow_up_turns() -> None:
    assert sum(len(turns) - 1 for turns in CONVERSATIONS) >= 40


@pytest.mark.parametrize("turns", CONVERSATIONS, ids=[turns[0][0][:40] for turns in CONVERSATIONS])
def test_follow_ups_answer_the_treatment_and_aspect_meant(stack: Stack, turns) -> None:
    sender = str(uuid.uuid4())
    for message, expected in turns:
        replies = stack.say(sender, message)
        answered = [tuple(cell) for r in replies for cell in (r.get("answer") or {}).get("cells") or []]
        assert answered[:1] == [expected], f"{message!r}: expected {expected}, got {answered or replies}"
