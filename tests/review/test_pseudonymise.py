"""The review report's pseudonymiser on tests/review/personal_data.yml (written apart from the code).

Every `personal:` substring must be gone; the messages without personal data should stay as
they are (the figure is printed and written to results/review-pseudonymise.txt). The public
numbers and medical shorthand of the bot's own domain must survive.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tools.review.pseudonymise import PLACEHOLDERS, pseudonymise

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MESSAGES = yaml.safe_load((HERE / "personal_data.yml").read_text(encoding="utf-8"))["messages"]
PERSONAL = [m for m in MESSAGES if m["personal"]]
HARMLESS = [m for m in MESSAGES if not m["personal"]]


def test_the_set_is_big_enough() -> None:
    assert len(PERSONAL) >= 50 and len(HARMLESS) >= 20


def test_nothing_personal_is_left() -> None:
    left = []
    for message in PERSONAL:
        out = pseudonymise(message["text"])
        left += [(item, out) for item in message["personal"] if item in out]
    items = sum(len(m["personal"]) for m in PERSONAL)
    changed = [m["text"] for m in HARMLESS if pseudonymise(m["text"]) != m["text"]]
    summary = (
        f"Pseudonymiser on tests/review/personal_data.yml: {len(left)} of {items} personal items left in "
        f"{len(PERSONAL)} messages; {len(changed)} of {len(HARMLESS)} harmless messages changed."
    )
    (ROOT / "results").mkdir(exist_ok=True)
    (ROOT / "results" / "review-pseudonymise.txt").write_text(summary + "\n", encoding="utf-8")
    print(summary)
    assert not left, "\n".join(f"{item!r} still in: {out}" for item, out in left)


def test_harmless_messages_stay_as_they_are() -> None:
    changed = [(m["text"], pseudonymise(m["text"])) for m in HARMLESS if pseudonymise(m["text"]) != m["text"]]
    # measured: 0; a changed harmless message is a loss for the editor, not a leak
    assert len(changed) <= 1, "\n".join(f"{a}\n  -> {b}" for a, b in changed)


@pytest.mark.parametrize(
    "kept",
    [
        "112",
        "116117",
        "116 117",
        "0800 111 0 111",
        "seit 3 Jahren",
        "L4/L5",
        "L5/S1",
        "C5/C6",
        "12.01.2024",
        "M54.5",
        "2000 Schritte",
        "Jahrgang 2010",
        "Dr. Google",
    ],
)
def test_public_numbers_and_medical_shorthand_survive(kept: str) -> None:
    texts = [m["text"] for m in HARMLESS if kept in m["text"]]
    assert texts, f"{kept!r} is not in the harmless messages"
    for text in texts:
        assert kept in pseudonymise(text)


def test_placeholders_name_what_was_replaced() -> None:
    out = pseudonymise(
        "Ich heiße Gerda Müller, geb. 3.4.1956, Lindenstraße 12, 80331 München, Tel. 0171 2345678, gerda@example.org"
    )
    for placeholder in ("[Name]", "[Geburtsdatum]", "[Adresse]", "[Telefon]", "[E-Mail]"):
        assert placeholder in out, out
    assert not re.search(r"\d{4,}", out), out


def test_pseudonymising_twice_changes_nothing_more() -> None:
    for message in MESSAGES:
        once = pseudonymise(message["text"])
        assert pseudonymise(once) == once


def test_an_answer_of_the_bot_keeps_its_numbers() -> None:
    reply = (
        "Rufen Sie jetzt den Notruf 112.\nDie Telefonseelsorge ist kostenlos für Sie da, Tag und Nacht: "
        "0800 111 0 111 oder 0800 111 0 222. Den ärztlichen Bereitschaftsdienst erreichen Sie unter 116117."
    )
    assert pseudonymise(reply) == reply


def _texts(node: object) -> list[str]:
    """`text:` values and NLU example lines anywhere in a YAML document."""
    if isinstance(node, dict):
        found = [node["text"]] if isinstance(node.get("text"), str) else []
        if isinstance(node.get("examples"), str):
            found += [line.strip()[2:] for line in node["examples"].splitlines() if line.strip().startswith("- ")]
        return found + [t for key, value in node.items() if key not in ("text", "examples") for t in _texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in _texts(value)]
    return []


def test_held_out_questions_lose_only_signatures() -> None:
    """The held-out and dev sets (written apart: no personal data, some invented signatures) stay as they are."""
    examples = []
    for folder in ("tests/nlu", "tests/safety", "dev"):
        for path in sorted((ROOT / folder).glob("*.yml")):
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
            examples += [re.sub(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))", r"\1", t) for t in _texts(document)]
    assert len(examples) > 100
    changed = [(e, pseudonymise(e)) for e in examples if pseudonymise(e) != e]
    not_signature = [(a, b) for a, b in changed if not re.search(r"(Grüßen|Grüße|Gruß|LG|MfG),?\s+\[Name\]\W*$", b)]
    print(f"held-out messages: {len(changed)} of {len(examples)} changed, {len(not_signature)} other than a signature")
    assert len(not_signature) <= len(examples) // 100, "\n".join(f"{a}\n  -> {b}" for a, b in not_signature)


def test_placeholders_are_the_documented_ones() -> None:
    assert PLACEHOLDERS == ("[E-Mail]", "[Telefon]", "[Name]", "[Geburtsdatum]", "[Adresse]", "[Nummer]")
