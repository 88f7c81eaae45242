"""The chat widget in Debian's headless Chromium against the real bot (action server + Rasa server).

One browser session (widget_session.mjs, playwright-core from web/node_modules) walks through the
conversation once and reports what it saw; each test below judges one part of it. Screenshots go
to tests/artifacts/ (and are copied to docs/screenshots/ for the README).

The texts the session looks for come from where an editor writes them: interface_texts.yml
(`widget:`) and domain.yml, never from a copy here.
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
from ruamel.yaml import YAML

from bot.content.knowledge import KnowledgeBase
from bot.texts import load_texts
from tests.servers import ROOT, Stack, running_stack

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SESSION_SCRIPT = Path(__file__).with_name("widget_session.mjs")
ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENSHOTS = ROOT / "docs" / "screenshots"
LISTED_ORIGIN = "https://www.example-klinik.de"
# What the person types after 👎: quotes, braces and a backslash must arrive as typed (JSON-escaped).
COMMENT = 'Zu wenig über die Kosten, "bitte" mehr {Details} \\ danke'
EMERGENCY = "Ich habe plötzlich kein Gefühl mehr zwischen den Beinen und am Po. Was ist das?"

WIDGET = load_texts().raw("widget")
DOMAIN = YAML(typ="safe").load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def response(name: str) -> dict[str, Any]:
    """The first variant of a response in domain.yml."""
    return DOMAIN["responses"][name][0]


def said(replies: list[str]) -> list[str]:
    """The bot's messages as seen, without the name a screen reader reads before each."""
    return [r.replace(WIDGET["bot"], "", 1).strip() for r in replies]


def fold(text: str) -> str:
    return " ".join(text.split())


def assert_shows_answer(shown: dict[str, Any], therapy: str, aspect: str) -> None:
    """The bot answered (therapy, aspect) from the page, and the widget shows that answer's body."""
    answer = shown["structure"]
    assert answer is not None, shown["replies"]
    assert (answer["kind"], answer["therapy"], answer["aspect"]) == ("fact", therapy, aspect)
    seen = fold("\n".join(shown["replies"]))
    for line in answer["body"].splitlines():
        assert fold(line.lstrip("-• ")) in seen


# The widget's session id `<uuid>` may be stored as `web:<uuid>` (conversations keyed by channel).
SENDER_MATCH = "(sender_id = ? OR sender_id LIKE '%:' || ?)"


def tracker_rows(db: Path, sender_id: str) -> int:
    with sqlite3.connect(db) as connection:
        query = f"SELECT COUNT(*) FROM events WHERE {SENDER_MATCH}"
        return connection.execute(query, (sender_id, sender_id)).fetchone()[0]


def feedback_events(db: Path, sender_id: str) -> list[dict[str, Any]]:
    """The entities of every `feedback` message of one conversation, in order."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            f"SELECT data FROM events WHERE {SENDER_MATCH} AND type_name = 'user' AND intent_name = 'feedback' ORDER BY id",
            (sender_id, sender_id),
        ).fetchall()
    return [{e["entity"]: e["value"] for e in json.loads(data)["parse_data"]["entities"]} for (data,) in rows]


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
    texts = {
        "yes_name": WIDGET["feedback"]["yes_name"],
        "no_name": WIDGET["feedback"]["no_name"],
        "delete_data": WIDGET["delete_data"],
        "delete_yes": response("utter_confirm_delete")["buttons"][0]["title"],
        "comment": COMMENT,
        "emergency": EMERGENCY,
    }
    process = subprocess.Popen(
        ["node", str(SESSION_SCRIPT)],
        env={**stack.env, "BOT_URL": stack.url, "ARTIFACTS": str(ARTIFACTS), "CHROMIUM": str(CHROMIUM),
             "TEXTS": json.dumps(texts)},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    result: dict[str, Any] = {"rows_before_delete": None}
    try:
        for line in process.stdout:
            if line.startswith("CHECKPOINT "):
                sender = json.loads(line.split(" ", 1)[1])["sessionId"]
                result["rows_before_delete"] = tracker_rows(db, sender)
                result["feedback"] = feedback_events(db, sender)
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
    assert WIDGET["privacy"] in text
    assert len(opening["buttons"]) >= 3


def test_every_interface_text_comes_from_interface_texts_yml(run: dict[str, Any]) -> None:
    shown = run["obs"]["interface"]
    for key, value in shown.items():
        if key == "demo_page":
            assert value == WIDGET["demo_page"]
        elif key in ("bot", "you"):  # read aloud before each message
            assert value.strip() == WIDGET[key]
        else:
            assert value == WIDGET[key], key


def test_answer_has_the_source_as_a_working_link_and_the_disclaimer(run: dict[str, Any], kb: KnowledgeBase) -> None:
    answer = run["obs"]["answer"]
    assert_shows_answer(answer, "akupunktur", "wirksamkeit")
    assert kb.disclaimer in "\n".join(answer["replies"])
    assert answer["typingShown"], "no typing indicator while waiting"
    [link] = answer["sourceLinks"]
    assert link["href"] == kb.page.url
    assert link["target"] == "_blank" and "noopener" in link["rel"]
    assert link["clickable"], "the source link is covered by something else"


def test_answer_is_rendered_from_its_structure_not_from_its_text(run: dict[str, Any], kb: KnowledgeBase) -> None:
    """Body, then "Quelle: „Title“ (the link), Abschnitt „…“ (Stand …)", then the disclaimer: from `answer`."""
    answer = run["obs"]["answer"]
    source = answer["structure"]["source"]
    texts = load_texts()
    page = texts.get("widget.source_link", title=kb.page.title)
    [link] = answer["sourceLinks"]
    assert link["href"] == source["url"] and link["text"].startswith(page)
    # the parts of the page as the bot's own source line names them (answer.* texts, headings in „…“)
    plain = {s.label for s in kb.sections.values() if not s.heading}
    headings = [texts.get("answer.heading", label=label) for label in source["sections"] if label not in plain]
    assert len(headings) == 1, source["sections"]  # "Hilft Akupunktur?" rests on one section with a heading
    named = [texts.get("answer.section_one", headings=headings[0])]
    named += [label for label in source["sections"] if label in plain]
    sections = named[0] if len(named) == 1 else ", ".join(named[:-1]) + f" {texts.get('answer.and')} {named[-1]}"
    expected = texts.get("widget.source", page=page, sections=sections, updated=source["updated"])
    assert answer["source"].replace(" " + WIDGET["new_window"], "") == expected
    assert sections in answer["structure"]["source"]["line"]  # worded as in the text the REST channel sends
    assert answer["disclaimer"] == answer["structure"]["disclaimer"] == kb.disclaimer
    assert source["url"] not in answer["bodyText"]  # the address is the link's target, not text to read
    assert "rb-kind-fact" in answer["classes"]


def test_fact_answer_offers_feedback_as_a_group_of_two_real_buttons(run: dict[str, Any]) -> None:
    feedback = WIDGET["feedback"]
    [group] = run["obs"]["answer"]["feedback"]
    assert group["role"] == "group" and group["name"] == feedback["question"]
    assert group["buttons"] == [
        {"type": "button", "name": feedback["yes_name"], "shown": feedback["yes"]},
        {"type": "button", "name": feedback["no_name"], "shown": feedback["no"]},
    ]


def test_thumbs_up_sends_feedback_and_gets_one_thank_you_without_interrupting(run: dict[str, Any]) -> None:
    up = run["obs"]["thumbsUp"]
    feedback = WIDGET["feedback"]
    assert up["lastUser"] == feedback["yes_sent"]  # words, not the payload
    assert said(up["replies"]) == [response("utter_feedback_thanks")["text"]]
    assert response("utter_feedback_thanks")["text"] in up["live"]  # read aloud
    assert up["focused"] == "rb-input"  # focus moves on, it is not lost with the buttons
    assert up["groupsLeft"] == 0  # one vote per answer
    assert up["suggestionsAfter"] == up["suggestionsBefore"] > 0  # the next questions are still offered


def test_thumbs_down_by_keyboard_with_a_comment(run: dict[str, Any]) -> None:
    down = run["obs"]["thumbsDown"]
    feedback = WIDGET["feedback"]
    thanks = response("utter_feedback_thanks")["text"]
    assert down["path"][-1] == feedback["no_name"], down["path"]  # reached with Shift+Tab alone
    assert down["focusedField"] == {
        "className": "rb-comment-input",
        "label": feedback["comment_label"].format(limit=200),
        "maxLength": 200,
        "buttons": [feedback["comment_send"], feedback["comment_skip"]],
    }
    assert down["afterTap"]["lastUser"] == feedback["no_sent"]
    assert down["afterTap"]["focused"] == "rb-comment-input" and down["afterTap"]["fieldVisible"]
    assert said(down["thanks"]) == [thanks]
    assert down["commentUser"] == COMMENT
    assert said(down["commentReplies"]) == [thanks]
    assert down["focusedAfterComment"] == "rb-input" and down["formsLeft"] == 0
    assert down["suggestionsLeft"] > 0


def test_feedback_is_stored_in_the_conversation_as_sent(run: dict[str, Any]) -> None:
    assert run["feedback"] == [{"helpful": True}, {"helpful": False}, {"helpful": False, "comment": COMMENT}]


def test_emergency_reply_is_shown_as_sent_with_nothing_added(run: dict[str, Any]) -> None:
    safety = run["obs"]["safety"]
    assert "rb-kind-safety" in safety["classes"]
    assert "112" in safety["text"].splitlines()[0]
    assert safety["feedback"] == 0 and safety["buttons"] == 0


def test_live_region_announces_only_the_new_message(run: dict[str, Any]) -> None:
    live = run["obs"]["answer"]["live"]
    assert fold(run["obs"]["answer"]["structure"]["body"].splitlines()[0]) in fold(live)
    assert "Hallo! Ich bin Rückenbot" not in live  # the greeting before it is not read again
    assert run["obs"]["reload"]["live"] == ""  # restoring after a reload announces nothing


def test_quick_reply_is_tapped_and_answered(run: dict[str, Any]) -> None:
    quick = run["obs"]["quickReply"]
    assert quick["title"] == "Nebenwirkungen"
    assert quick["lastUser"].endswith("Nebenwirkungen")
    assert_shows_answer(quick, "akupunktur", "risiken")
    assert quick["focused"] == "rb-input"


def test_conversation_is_kept_across_a_reload_with_the_same_sender(run: dict[str, Any]) -> None:
    obs = run["obs"]
    assert obs["reload"]["after"] == obs["reload"]["before"]
    assert obs["reload"]["sessionId"] == obs["storage"]["sessionId"]
    # the server kept the context too: "Wer zahlt das?" is about Akupunktur
    assert_shows_answer(obs["reload"]["followUp"], "akupunktur", "kosten")


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
    assert deletion["newSessionId"] != deletion["sessionId"]
    assert len(senders(run["db"])) >= 2  # the other conversations are still there


def test_delete_button_asks_in_the_bots_words_and_the_bots_reply_stays_in_view(run: dict[str, Any]) -> None:
    """After "Ja, alles löschen" the transcript goes; what the person sees is utter_data_deleted from domain.yml."""
    deletion = run["obs"]["deletion"]
    asked = deletion["asked"]
    assert asked["lastUser"] == WIDGET["delete_data"]
    assert response("utter_confirm_delete")["text"] in "\n".join(asked["question"])
    assert asked["buttons"] == [b["title"] for b in response("utter_confirm_delete")["buttons"]]
    assert run["obs"]["dialogs"] == []  # no browser dialog: the bot asks
    deleted = response("utter_data_deleted")["text"]
    assert deletion["bodies"] == [deleted]
    assert deleted in deletion["live"]
    assert [e["text"] for e in deletion["transcript"]] == [deleted]  # kept across a reload, too


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
    assert length["value"] == 1000
    assert length["hint"] == WIDGET["limit_reached"].format(limit=1000)


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
def test_fits_small_screens_without_covering_the_input(run: dict[str, Any], view: str) -> None:
    result = run["obs"][view]
    assert_shows_answer(result["answer"], "akupunktur", "wirksamkeit")
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
