"""The chat widget in Debian's headless Chromium against the real bot (action server + Rasa server).

One browser session (widget_session.mjs, playwright-core from web/node_modules) walks through the
conversation once and reports what it saw; each test below judges one part of it. Screenshots go
to tests/artifacts/ (and are copied to docs/screenshots/ for the README).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.content.knowledge import KnowledgeBase
from tests.servers import ROOT, Stack, running_stack

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SESSION_SCRIPT = Path(__file__).with_name("widget_session.mjs")
ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENSHOTS = ROOT / "docs" / "screenshots"
LISTED_ORIGIN = "https://www.example-klinik.de"


def tracker_rows(db: Path, sender_id: str) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender_id,)).fetchone()[0]


def senders(db: Path) -> set[str]:
    with sqlite3.connect(db) as connection:
        return {row[0] for row in connection.execute("SELECT DISTINCT sender_id FROM events")}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not (ROOT / "web" / "dist" / "rueckenbot.js").exists():
        pytest.fail("the widget is not built; run `make web`")
    with running_stack(
        Path(tmp_path_factory.mktemp("stack")), env={"RUECKENBOT_ALLOWED_ORIGINS": LISTED_ORIGIN}
    ) as servers:
        yield servers


@pytest.fixture(scope="module")
def run(stack: Stack) -> dict[str, Any]:
    """Run the browser session once; answer its checkpoint with the tracker rows of its sender."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium chromium-driver")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    db = stack.workdir / "conversations.db"
    started = time.monotonic()
    process = subprocess.Popen(
        ["node", str(SESSION_SCRIPT)],
        env={**stack.env, "BOT_URL": stack.url, "ARTIFACTS": str(ARTIFACTS), "CHROMIUM": str(CHROMIUM)},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    result: dict[str, Any] = {"rows_before_delete": None}
    try:
        for line in process.stdout:
            if line.startswith("CHECKPOINT "):
                sender = json.loads(line.split(" ", 1)[1])["sessionId"]
                result["rows_before_delete"] = tracker_rows(db, sender)
                process.stdin.write("continue\n")
                process.stdin.flush()
            elif line.startswith("OBSERVATIONS "):
                result["obs"] = json.loads(line.split(" ", 1)[1])
        process.wait(timeout=240)
    finally:
        if process.poll() is None:
            process.kill()
    stderr = process.stderr.read()
    if process.returncode != 0 or "obs" not in result:
        pytest.fail(f"the browser session failed ({process.returncode}):\n{stderr[-4000:]}\n{stack.log_tail()}")
    result["seconds"] = time.monotonic() - started
    result["db"] = db
    print(f"browser session: {result['seconds']:.1f} s")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name in ("widget-desktop.png", "widget-phone.png"):
        shutil.copyfile(ARTIFACTS / name, SCREENSHOTS / name)
    return result


def test_demo_page_opens_with_the_introduction_disclaimer_privacy_note_and_start_buttons(
    run: dict[str, Any], kb: KnowledgeBase
) -> None:
    opening = run["obs"]["opening"]
    assert opening["panelVisible"]
    text = "\n".join(opening["texts"])
    assert "Rückenbot" in text and kb.disclaimer in text
    assert "Datenschutz" in text and "Meine Daten löschen" in text
    assert len(opening["buttons"]) >= 3


def test_answer_has_the_source_as_a_working_link_and_the_disclaimer(run: dict[str, Any], kb: KnowledgeBase) -> None:
    answer = run["obs"]["answer"]
    text = "\n".join(answer["replies"])
    assert kb.fact("akupunktur", "wirksamkeit").text in text
    assert kb.disclaimer in text
    assert answer["typingShown"], "no typing indicator while waiting"
    [link] = answer["sourceLinks"]
    assert link["href"] == kb.page.url
    assert link["text"].startswith("IQWiG, gesundheitsinformation.de") and "Abschnitt" in link["text"]
    assert link["target"] == "_blank" and "noopener" in link["rel"]
    assert link["clickable"], "the source link is covered by something else"


def test_live_region_announces_only_the_new_message(run: dict[str, Any], kb: KnowledgeBase) -> None:
    live = run["obs"]["answer"]["live"]
    assert kb.fact("akupunktur", "wirksamkeit").text in live
    assert "Hallo! Ich bin Rückenbot" not in live  # the greeting before it is not read again
    assert run["obs"]["reload"]["live"] == ""  # restoring after a reload announces nothing


def test_quick_reply_is_tapped_and_answered(run: dict[str, Any], kb: KnowledgeBase) -> None:
    quick = run["obs"]["quickReply"]
    assert quick["title"] == "Nebenwirkungen"
    assert quick["lastUser"].endswith("Nebenwirkungen")
    assert kb.fact("akupunktur", "risiken").text in "\n".join(quick["replies"])
    assert quick["focused"] == "rb-input"


def test_conversation_is_kept_across_a_reload_with_the_same_sender(run: dict[str, Any], kb: KnowledgeBase) -> None:
    obs = run["obs"]
    assert obs["reload"]["after"] == obs["reload"]["before"]
    assert obs["reload"]["sessionId"] == obs["storage"]["sessionId"]
    # the server kept the context too: "Wer zahlt das?" is about Akupunktur
    assert kb.fact("akupunktur", "kosten").text in "\n".join(obs["reload"]["followUp"])


def test_session_id_is_a_random_uuid_in_session_storage_and_never_shown(run: dict[str, Any]) -> None:
    storage = run["obs"]["storage"]
    session_id = storage["sessionId"]
    assert len(session_id) == 36 and session_id[14] == "4"
    assert storage["localStorageKeys"] == []
    assert session_id not in storage["pageText"]
    assert session_id not in storage["html"]


def test_delete_my_data_removes_the_conversation_from_the_tracker_store(run: dict[str, Any]) -> None:
    deletion = run["obs"]["deletion"]
    assert run["rows_before_delete"] > 0
    assert tracker_rows(run["db"], deletion["sessionId"]) == 0
    assert any(d["type"] == "confirm" for d in run["obs"]["dialogs"])
    assert deletion["messages"] == [deletion["live"]] and "gelöscht" in deletion["live"]
    assert deletion["newSessionId"] != deletion["sessionId"]
    assert len(senders(run["db"])) >= 2  # the other conversations are still there


def test_the_widget_talks_over_a_websocket(run: dict[str, Any]) -> None:
    """One connection that stays on one server process: several Rasa workers need no sticky sessions."""
    assert run["obs"]["websockets"] >= 1
    assert run["obs"]["pollingRequests"] == 0


def test_no_request_leaves_the_bots_origin(run: dict[str, Any]) -> None:
    obs = run["obs"]
    assert obs["requests"] > 10
    assert obs["foreignRequests"] == []
    assert obs["pageErrors"] == []


def test_html_in_a_message_is_shown_as_text_and_runs_nothing(run: dict[str, Any]) -> None:
    xss = run["obs"]["xss"]
    assert xss["lastUser"] == xss["payload"]
    assert xss["images"] == 0 and not xss["flag"]
    assert not any(d["type"] == "alert" for d in run["obs"]["dialogs"])
    assert xss["replies"], "the bot did not answer after the HTML message"


def test_input_is_limited_with_a_german_hint(run: dict[str, Any]) -> None:
    length = run["obs"]["length"]
    assert length["value"] == 500
    assert "höchstens 500 Zeichen" in length["hint"]


def test_keyboard_alone(run: dict[str, Any]) -> None:
    keyboard = run["obs"]["keyboard"]
    order = keyboard["order"]
    expected = ["Chat schließen", "Neu starten", "Meine Daten löschen", "Unterhaltung", "rb-input", "Senden"]
    assert [item for item in order if item in expected][: len(expected)] == expected, order
    assert order.index("Unterhaltung") < order.index("Hilft Akupunktur?") < order.index("rb-input")
    assert keyboard["quickViaKeyboard"] == "rb-suggestion"
    assert keyboard["closed"] == {"panelHidden": True, "focused": "rb-launcher"}
    assert keyboard["reopened"] == {"panelVisible": True, "focused": "rb-input"}


@pytest.mark.parametrize("view", ["desktop", "phone", "zoom200"])
def test_axe_finds_no_serious_or_critical_violations(run: dict[str, Any], view: str) -> None:
    violations = run["obs"]["axeDesktop"] if view == "desktop" else run["obs"][view]["axe"]
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == []


@pytest.mark.parametrize("view", ["phone", "zoom200"])
def test_fits_small_screens_without_covering_the_input(run: dict[str, Any], view: str, kb: KnowledgeBase) -> None:
    result = run["obs"][view]
    assert kb.fact("akupunktur", "wirksamkeit").text in "\n".join(result["answer"])
    for layout in (result["layoutOpening"], result["layout"]):
        width, height = layout["viewport"]["width"], layout["viewport"]["height"]
        assert layout["scrollWidth"] <= width and layout["panelOverflowX"] <= 0
        assert layout["panel"]["right"] <= width and layout["panel"]["left"] >= 0
        assert layout["input"]["bottom"] <= height and layout["send"]["right"] <= width
        assert layout["inputReachable"]
    assert run["obs"]["panelScrolled"] == 0


def test_screenshots_are_saved(run: dict[str, Any]) -> None:
    for name in ("widget-desktop.png", "widget-phone.png", "widget-zoom200.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000


def test_socket_io_accepts_only_listed_origins_and_its_own(stack: Stack) -> None:
    def status(origin: str) -> int:
        url = f"{stack.url}/socket.io/?EIO=4&transport=polling"
        return requests.get(url, headers={"Origin": origin}, timeout=10).status_code

    assert status(LISTED_ORIGIN) == 200
    assert status(stack.url) == 200
    assert status("https://evil.example") == 400
    assert status("http://127.0.0.1:1") == 400


def test_demo_page_and_widget_files_are_served_by_the_bot(stack: Stack) -> None:
    page = requests.get(f"{stack.url}/", timeout=10)
    assert page.status_code == 200 and "/widget/rueckenbot.js" in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    for path in ("/widget/rueckenbot.js", "/widget/rueckenbot.css"):
        assert requests.get(f"{stack.url}{path}", timeout=10).status_code == 200
    assert requests.get(f"{stack.url}/widget/../credentials.yml", timeout=10).status_code == 404
