"""`make review` on a store the real bot filled: a scripted conversation through the REST channel
(with personal data that must not reach the report), then the command line as `make review` runs it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.servers import ROOT, running_stack

pytestmark = pytest.mark.e2e

FEEDBACK_DOWN = (
    '/feedback{"helpful": false, "comment": "Mein Name ist Gerda Müller, bitte rufen Sie mich an: 0171 2345678"}'
)
# (sender, message) in the order sent; the senders look like the channels' conversation keys
SCRIPT = [
    ("rest:review-geheim-1", "hilft akupunktur bei rückenschmerzen?"),
    ("rest:review-geheim-1", FEEDBACK_DOWN),
    ("rest:review-geheim-1", "und die kosten?"),
    ("rest:review-geheim-1", '/feedback{"helpful": true}'),
    ("rest:review-geheim-2", "Hilft Akupunktur bei Migräne?"),
    (
        "rest:review-geheim-2",
        "Hallo, ich heiße Waltraud Pohl und wohne in der Lindenstraße 12, 80331 München. Wie backe ich Apfelkuchen?",
    ),
    ("rest:review-geheim-2", "massage"),
    (
        "rest:review-geheim-3",
        "mein bein ist plötzlich taub und ich kann das wasser nicht halten, meine nummer ist 030 1234567",
    ),
    # below the fallback threshold with the models trained so far; the test reads what the store says
    ("rest:review-geheim-3", "was ist mit der behandlung"),
    ("rest:review-geheim-4", "was ist mit der behandlung"),
    ("rest:review-geheim-4", "kannst du das nochmal"),
    ("rest:review-geheim-4", "sitzung äh"),
    ("rest:review-geheim-4", "info bitte äh"),
    ("rest:review-geheim-4", "Meine Mail ist tobi.krause93@gmail.com, geboren am 3.4.1956. Hilft das?"),
]
PERSONAL = [
    "Gerda",
    "Müller",
    "0171 2345678",
    "Waltraud",
    "Pohl",
    "Lindenstraße 12",
    "80331",
    "030 1234567",
    "tobi.krause93",
    "3.4.1956",
]


@pytest.fixture(scope="module")
def filled_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("review-stack")
    with running_stack(workdir) as servers:
        for sender, message in SCRIPT:
            servers.say(sender, message)
    return workdir / "conversations.db"


@pytest.fixture(scope="module")
def report(filled_store: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, float, str]:
    out = tmp_path_factory.mktemp("review-out")
    env = {**os.environ, "RUECKENBOT_TRACKER_DB": str(filled_store), "RUECKENBOT_RETENTION_DAYS": "30"}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "tools.review", "--since", "7d", "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    print(f"make review on the e2e store: {seconds:.1f} s; {result.stdout.strip()}")
    html = (out / "review.html").read_text(encoding="utf-8")
    yml = (out / "review.yml").read_text(encoding="utf-8")
    return html, yaml.safe_load(yml), seconds, yml


def listed(document: dict, reason: str) -> dict[str, dict]:
    return {m["text"]: m for m in document["messages"] if m["reason"] == reason}


def test_no_sender_id_and_no_personal_data(filled_store: Path, report: tuple) -> None:
    html, _, _, yml = report
    with sqlite3.connect(filled_store) as db:
        stored = [row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")]
    assert stored, "the bot stored nothing"
    for sender in {s for s, _ in SCRIPT} | set(stored):
        for part in {sender, *sender.split(":")}:
            if len(part) > 4:
                assert part not in html and part not in yml, part
    for personal in PERSONAL:
        assert personal not in html and personal not in yml, personal


def stored_intents(store: Path) -> dict[str, list[str]]:
    """Typed message → the intents the bot's NLU gave it, as the store recorded them."""
    found: dict[str, list[str]] = {}
    with sqlite3.connect(store) as db:
        for text, intent in db.execute(
            "SELECT json_extract(data, '$.text'), intent_name FROM events WHERE type_name = 'user'"
        ):
            found.setdefault(text, []).append(intent)
    return found


def test_every_reason_is_listed_with_reply_and_feedback(filled_store: Path, report: tuple) -> None:
    html, document, _, _ = report
    fallback = listed(document, "fallback")
    below = {
        text: intents
        for text, intents in stored_intents(filled_store).items()
        if "nlu_fallback" in intents and not text.startswith("/")
    }
    assert below, "no scripted message fell below the fallback threshold: pick others for this model"
    for text, intents in below.items():
        assert fallback[text]["count"] == intents.count("nlu_fallback")
        assert "nicht verstanden" in fallback[text]["reply"]
    assert "Hilft Akupunktur bei Migräne?" in listed(document, "declined")
    assert "massage" in listed(document, "clarified")
    emergency = listed(document, "emergency")
    (text,) = [t for t in emergency if t.startswith("mein bein ist plötzlich taub")]
    assert "[Telefon]" in text and emergency[text]["reply"].startswith("Rufen Sie jetzt den Notruf 112")
    down = listed(document, "thumbs_down")["hilft akupunktur bei rückenschmerzen?"]
    assert down["comments"] == ["Mein Name ist [Name], bitte rufen Sie mich an: [Telefon]"]
    assert down["reply"].startswith("Akupunktur") and down["bot_thought"]["therapy"] == "akupunktur"
    # the message with a name and an address is listed (declined or not understood), pseudonymised
    texts = [m["text"] for m in document["messages"]]
    assert any(t.startswith("Hallo, ich heiße [Name] und wohne in der [Adresse]") for t in texts), texts
    # buttons and feedback payloads are not listed as messages
    assert not any(t.startswith("/") for t in texts)
    assert "Antwort nicht hilfreich" in html and "Entwicklung nach Wochen" in html


def test_weekly_table_counts_answers_and_ratings(report: tuple) -> None:
    html, document, seconds, _ = report
    week = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "Akupunktur: 1 👍 / 1 👎" in week  # 👎 on the effectiveness answer, 👍 on the costs answer
    assert week.count("<tr>") == 1
    assert document["retention_days"] == 30 and document["oldest_message"]
    assert seconds < 60
