"""`make review` on a tracker store written here (SQLite, the columns Rasa writes): what is listed,
how it is grouped, the weekly figures, and that no sender id or personal data reaches the report.
The same through the real bot is in test_report_e2e.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from tests.review.fake_store import DAY, NOW, SENDERS, bot, conversation_events, user, write_store
from tools.review import analysis, conversations, render
from tools.review.__main__ import main, parse_since
from tools.review.pseudonymise import pseudonymise


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return write_store(tmp_path / "conversations.db", conversation_events())


def read(store: Path) -> tuple[list[conversations.Turn], float | None]:
    events, oldest = conversations.read_events(f"sqlite:///{store}")
    return list(conversations.turns(events)), oldest


def build(store: Path, since_days: float | None = 7) -> analysis.Review:
    turns, oldest = read(store)
    since = None if since_days is None else NOW - since_days * DAY
    return analysis.build(turns, since=since, oldest=oldest, retention_days=30, pseudonymise=pseudonymise)


# --- reading and classifying -------------------------------------------------------------
def test_turns_know_what_happened(store: Path) -> None:
    turns, oldest = read(store)
    assert oldest == pytest.approx(NOW - 8 * DAY)
    outcomes = [(t.text, t.outcome, t.is_feedback) for t in turns]
    assert ("hilft akupunktur?", "answered", False) in outcomes
    assert ("blubb bla", "fallback", False) in outcomes
    assert ("massage", "clarified", False) in outcomes
    assert ("Ich heiße Gerda Müller, hilft Akupunktur bei Migräne?", "declined", False) in outcomes
    assert ("mein bein ist taub, tel 030 1234567", "emergency", False) in outcomes
    feedback = [t for t in turns if t.is_feedback]
    rated = {(f.helpful, f.rated.therapy if f.rated else None, f.comment) for f in feedback}
    assert rated == {
        (False, "akupunktur", "zu lang, ruf mich an 0171 2345678"),
        (True, None, None),
        (True, "massage", None),
    }
    assert {t.conversation for t in turns} == {1, 2, 3}
    assert not any(hasattr(t, "sender_id") for t in turns)


def test_a_missing_store_is_a_clear_german_error(tmp_path: Path) -> None:
    with pytest.raises(conversations.StoreError, match="gibt es nicht"):
        conversations.read_events(f"sqlite:///{tmp_path / 'nowhere.db'}")


def test_the_store_url_comes_from_the_bots_settings() -> None:
    assert str(conversations.database_url({"RUECKENBOT_TRACKER_DB": "var/x.db"})) == "sqlite:///var/x.db"
    url = conversations.database_url({"RUECKENBOT_DATABASE_URL": "postgres://u:secret@db:5432/rb"})
    assert str(url) == "postgresql://u:secret@db:5432/rb"
    url = conversations.database_url(
        {
            "RUECKENBOT_DB_DIALECT": "postgresql",
            "RUECKENBOT_DB_HOST": "db",
            "RUECKENBOT_DB_PASSWORD": "pw",
            "RUECKENBOT_DB_USER": "u",
        }
    )
    assert conversations.describe(url) == "postgresql://u:***@db:5432/rueckenbot"


# --- what the review lists ---------------------------------------------------------------
def test_the_review_lists_each_reason_most_frequent_first(store: Path) -> None:
    review = build(store)
    listed = {reason: [(i.text, i.count) for g in groups for i in g.items] for reason, groups in review.groups.items()}
    assert listed["fallback"] == [("blubb bla", 2)]  # the feedback payload of an old model is not a fallback
    assert listed["declined"] == [("Ich heiße [Name], hilft Akupunktur bei Migräne?", 1)]
    assert listed["clarified"] == [("massage", 1)]  # the button tap is not listed
    assert listed["emergency"] == []  # older than 7 days
    assert listed["thumbs_down"] == [("hilft akupunktur?", 1)]
    down = review.groups["thumbs_down"][0].items[0]
    assert down.rated.startswith("Akupunktur kann") and down.comments == ["zu lang, ruf mich an [Telefon]"]
    assert [i.number for i in review.items] == list(range(1, len(review.items) + 1))
    fallback = review.groups["fallback"][0]
    assert (fallback.intent, fallback.band) == ("ask_effectiveness", "below")  # the best guess below the threshold


def test_since_all_lists_older_messages_too(store: Path) -> None:
    review = build(store, since_days=None)
    assert [i.text for g in review.groups["emergency"] for i in g.items] == ["mein bein ist taub, tel [Telefon]"]


def test_similar_wordings_are_grouped_and_sorted_by_frequency() -> None:
    base = NOW
    events = {
        f"rest:{n}": [
            user(text, "nlu_fallback", 0.4, base + n, guess="ask_risks"),
            bot("Nicht verstanden.", base + n, utter="utter_please_rephrase"),
        ]
        for n, text in enumerate(
            [
                "ist nadeln stechen gefährlich",
                "ist nadeln stechen gefährlich",
                "nadeln stechen gefährlich??",
                "wie teuer ist das",
                "ist nadeln stechen gefährlich",
            ]
        )  # fmt: skip
    }
    turns = [t for sender, evs in events.items() for t in conversations.turns((sender, e) for e in evs)]
    review = analysis.build(turns, since=None, oldest=base, retention_days=30, pseudonymise=pseudonymise)
    (group,) = review.groups["fallback"]
    assert [[(i.text, i.count) for i in c.items] for c in group.clusters] == [
        [("ist nadeln stechen gefährlich", 3), ("nadeln stechen gefährlich??", 1)],
        [("wie teuer ist das", 1)],
    ]


def test_weekly_shares_and_ratings(store: Path) -> None:
    weeks = build(store).weeks
    assert len(weeks) == 2
    old, new = weeks
    assert old.messages == 2 and old.shares["emergency"] == 0.5 and old.shares["answered"] == 0.5
    assert old.ratings == {"massage": (1, 0)}
    assert new.messages == 6  # feedback is no message
    assert new.counts == {"answered": 1, "declined": 1, "clarified": 2, "fallback": 2, "emergency": 0}
    assert new.ratings == {"akupunktur": (0, 1), "unknown": (1, 0)}


def test_confidence_bands() -> None:
    assert [analysis.band(c, 0.4) for c in (None, 0.2, 0.45, 0.7, 0.9, 1.0)] == [
        "none",
        "below",
        "low",
        "medium",
        "high",
        "rule",
    ]


def test_since_accepts_days_weeks_and_all() -> None:
    assert [parse_since(v) for v in ("7", "7d", "2w", "14 Tage", "all", "")] == [7, 7, 14, 14, None, None]
    with pytest.raises(ValueError, match="--since"):
        parse_since("gestern")


# --- the files ---------------------------------------------------------------------------
def test_command_writes_german_html_and_yaml_without_sender_ids(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("RUECKENBOT_TRACKER_DB", str(store))
    monkeypatch.setenv("RUECKENBOT_RETENTION_DAYS", "21")
    out = tmp_path / "reports"
    assert main(["--since", "all", "--out", str(out)]) == 0
    html = (out / "review.html").read_text(encoding="utf-8")
    text = (out / "review.yml").read_text(encoding="utf-8")
    for sender in SENDERS:
        for part in [sender, *sender.split(":")[1:]]:
            assert part not in html and part not in text
    for personal in ("Gerda", "Müller", "0171 2345678", "030 1234567"):
        assert personal not in html and personal not in text
    assert '<html lang="de">' in html and "Entwicklung nach Wochen" in html
    assert html.index("Entwicklung nach Wochen") < html.index("<table")  # the first table is the weekly one
    assert "nach 21 Tagen gelöscht" in html and "RUECKENBOT_RETENTION_DAYS" in html and "8 Tage alt" in html
    assert "<link" not in html and "<script" not in html and "http" not in html.split("</style>")[0]  # self-contained
    document = yaml.safe_load(text)
    first = document["messages"][0]
    assert set(first) >= {"nr", "reason", "text", "bot_thought", "reply", "intent", "therapy"}
    assert first["intent"] is None and first["therapy"] is None
    assert "geschrieben" in capsys.readouterr().out


def test_html_escapes_what_people_typed(tmp_path: Path) -> None:
    events = {
        "rest:x": [user("<script>alert(1)</script> & co", "nlu_fallback", 0.4), bot("?", utter="utter_please_rephrase")]
    }
    turns, oldest = read(write_store(tmp_path / "c.db", events))
    review = analysis.build(turns, since=None, oldest=oldest, retention_days=30, pseudonymise=pseudonymise)
    html = render.html(review)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert yaml.safe_load(render.review_yml(review, ["ask_risks"], ["akupunktur"]))["messages"][0]["text"].startswith(
        "<script>"
    )


def test_an_empty_store_gives_a_report_that_says_so(tmp_path: Path) -> None:
    turns, oldest = read(write_store(tmp_path / "e.db", {}))
    review = analysis.build(turns, since=None, oldest=oldest, retention_days=30, pseudonymise=pseudonymise,
                            now=dt.datetime.now())  # fmt: skip
    html = render.html(review)
    assert "Noch keine Nachrichten gespeichert." in html and "Es sind noch keine Nachrichten gespeichert." in html


def test_command_without_store_fails_in_german(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("RUECKENBOT_TRACKER_DB", str(tmp_path / "none.db"))
    assert main(["--out", str(tmp_path)]) == 1
    assert "Fehler: Keine gespeicherten Gespräche gefunden" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()  # reading never creates a database


def test_an_unreachable_database_is_a_clear_german_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from tests.servers import free_port

    monkeypatch.setenv("RUECKENBOT_DATABASE_URL", f"postgresql://postgres@127.0.0.1:{free_port()}/rueckenbot")
    assert main(["--out", str(tmp_path)]) == 1
    assert "Fehler: Die Datenbank postgresql://postgres@127.0.0.1" in capsys.readouterr().err
