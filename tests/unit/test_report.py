"""`make report`'s pure parts: the keyword baseline, the parse-based (treatment, aspect) rule, the sums
per register, intent, cell and safety category, the tables, and the document (tools/report/)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from bot.content.knowledge import load_knowledge
from tools.heldout import Labelled, Tally
from tools.report import evaluation, tables
from tools.report.document import HeldoutLimits, ReportData, build_document, snapshot
from tools.report.evaluation import (
    BOT,
    COLUMNS,
    KEYWORDS,
    OURS,
    STOCK,
    AnswersResult,
    Outcome,
    Reading,
    SafetyResult,
    SetResult,
    Training,
    parse_cells,
)
from tools.report.keyword_baseline import FALLBACK_INTENT, KeywordBaseline, words
from tools.report.tables import Document, SafetyLimits, Texts


def therapy(value: str, start: int = 0, end: int = 0) -> dict:
    return {"entity": "therapy", "value": value, "start": start, "end": end}


def found(model: KeywordBaseline, text: str) -> set[str]:
    return {e["value"] for e in model.find_therapies(text)}


# --- keyword baseline ------------------------------------------------------------------------

TRAINING = [
    ("Hilft Akupunktur?", "ask_effectiveness", [therapy("akupunktur", 6, 16)]),
    ("hilft massage wirklich", "ask_effectiveness", [therapy("massage", 6, 13)]),
    ("wirkt das überhaupt", "ask_effectiveness", []),
    ("Was kostet Akupunktur?", "ask_costs", [therapy("akupunktur", 11, 21)]),
    ("wer zahlt die massage, was kostet das", "ask_costs", [therapy("massage", 14, 21)]),
    ("Hallo", "greet", []),
    ("hallo zusammen", "greet", []),
    ("Ich brauche Tabletten", "out_of_scope", []),
]
SYNONYMS = {"Rückenmassage": "massage", "TENS-Gerät": "tens", "manuelle Therapie": "manuelle_therapie"}


@pytest.fixture(scope="module")
def baseline() -> KeywordBaseline:
    return KeywordBaseline.fit(TRAINING, SYNONYMS)


def test_words_are_lower_case_letters_and_digits() -> None:
    assert words("Hilft TENS-Gerät, 2x?") == ["hilft", "tens", "gerät", "2x"]


def test_keywords_are_words_distinctive_for_their_intent(baseline: KeywordBaseline) -> None:
    assert baseline.keywords["ask_effectiveness"] == {"hilft"}
    assert baseline.keywords["ask_costs"] == {"was", "kostet"}
    assert baseline.keywords["greet"] == {"hallo"}
    # "akupunktur" and "massage" occur in two intents equally: not distinctive
    assert not any("massage" in keys for keys in baseline.keywords.values())


def test_the_intent_with_most_keyword_hits_wins(baseline: KeywordBaseline) -> None:
    assert baseline.predict_intent("Hilft eine Rückenmassage?") == "ask_effectiveness"
    assert baseline.predict_intent("was kostet TENS") == "ask_costs"
    assert baseline.predict_intent("hallo hallo hallo, was kostet das") == "greet"


def test_no_hit_or_a_tie_is_out_of_scope(baseline: KeywordBaseline) -> None:
    assert baseline.predict_intent("Wie ist das Wetter?") == FALLBACK_INTENT
    assert baseline.predict_intent("hilft das, kostet das") == FALLBACK_INTENT


def test_therapies_by_exact_name_from_synonyms_and_annotations(baseline: KeywordBaseline) -> None:
    assert found(baseline, "Hilft eine Rückenmassage?") == {"massage"}  # synonym block
    assert found(baseline, "akupunktur oder MASSAGE") == {"akupunktur", "massage"}  # annotated texts
    assert found(baseline, "Ist die manuelle Therapie gut?") == {"manuelle_therapie"}
    assert found(baseline, "Hilft ein TENS-Gerät?") == {"tens"}
    assert found(baseline, "Akupunkturnadeln") == set()  # exact names only: no compounds
    assert found(baseline, "Hilft Akkupunktur?") == set()  # and no typos


def test_longer_names_win_over_names_inside_them() -> None:
    model = KeywordBaseline.fit([], {"Therapie": "x", "manuelle Therapie": "manuelle_therapie"})
    assert found(model, "manuelle Therapie") == {"manuelle_therapie"}


def test_keyword_model_learns_from_the_real_training_data() -> None:
    from tools.report.__main__ import ROOT, keyword_model, keyword_readings

    model, seconds, size = keyword_model(ROOT / "data")
    readings = keyword_readings(model, ["Was kostet eine Massage?", "Hallo"])
    assert readings["Was kostet eine Massage?"] == Reading("ask_costs", frozenset({"massage"}))
    assert readings["Hallo"].intent == "greet"
    assert seconds > 0 and size > 1000


# --- the parse-based (treatment, aspect) rule ------------------------------------------------


def r(intent: str | None, *therapies: str) -> Reading:
    return Reading(intent, frozenset(therapies))


def test_a_reading_from_a_rasa_parse_keeps_the_intent_and_therapy_ids() -> None:
    parsed = {
        "intent": {"name": "ask_costs", "confidence": 0.9},
        "entities": [therapy("tens"), therapy("tens"), {"entity": "detail", "value": "krankenkasse"}],
    }
    assert evaluation.reading(parsed) == r("ask_costs", "tens")
    assert evaluation.reading({"intent": None, "entities": []}) == r(None)


def test_the_aspect_comes_from_the_intent_and_the_treatments_from_the_message() -> None:
    assert parse_cells([], r("ask_costs", "massage")) == {("massage", "kosten")}
    assert parse_cells([], r("ask_method", "tens", "pens")) == {("tens", "methode"), ("pens", "methode")}
    assert parse_cells([r("ask_risks", "akupunktur")], r("ask_effectiveness", "massage")) == {
        ("massage", "wirksamkeit")
    }


def test_a_follow_up_without_a_treatment_takes_the_latest_one_named_before() -> None:
    context = [r("ask_effectiveness", "massage"), r("greet"), r("ask_risks", "akupunktur"), r("thanks")]
    assert parse_cells(context, r("ask_costs")) == {("akupunktur", "kosten")}


def test_inform_therapy_keeps_the_aspect_of_the_last_fact_question() -> None:
    context = [r("ask_costs", "massage"), r("ask_risks", "massage"), r("inform_therapy", "tens")]
    assert parse_cells(context, r("inform_therapy", "akupunktur")) == {("akupunktur", "risiken")}


def test_no_cell_without_a_fact_intent_an_aspect_or_a_treatment() -> None:
    assert parse_cells([], r("ask_personal_advice", "massage")) == frozenset()
    assert parse_cells([], r("inform_therapy", "massage")) == frozenset()  # no aspect asked before
    assert parse_cells([r("greet")], r("ask_costs")) == frozenset()  # no treatment anywhere
    assert parse_cells([r("ask_costs", "massage")], r(None)) == frozenset()


def message(
    text: str,
    intent: str = "ask_costs",
    therapies: tuple[str, ...] = (),
    register: str = "plain",
    context: tuple[str, ...] = (),
    cells: tuple[tuple[str, str], ...] = (),
) -> Labelled:
    return Labelled(text, intent, frozenset(therapies), register, context, frozenset(cells))


def test_a_parser_outcome_is_right_when_the_cells_are_exactly_the_expected_ones() -> None:
    follow_up = message("und was kostet das?", context=("Hilft Massage?",), cells=(("massage", "kosten"),))
    readings = {"Hilft Massage?": r("ask_effectiveness", "massage"), "und was kostet das?": r("ask_costs")}
    outcome = evaluation.parser_outcome(follow_up, readings)
    assert outcome == Outcome(
        parsed=True,
        intent="ask_costs",
        therapies=frozenset(),
        cells=(("massage", "kosten"),),
        cells_right=True,
        alarm=False,
    )
    two = message("tens oder pens?", cells=(("tens", "kosten"),))
    assert evaluation.parser_outcome(two, {"tens oder pens?": r("ask_costs", "tens", "pens")}).cells_right is False


def test_a_parser_outcome_records_declines_and_alarms() -> None:
    off = message("Rezept für Apfelkuchen", intent="out_of_scope")
    assert evaluation.parser_outcome(off, {off.text: r("out_of_scope")}).declined
    assert evaluation.parser_outcome(off, {off.text: r("out_of_scope")}).cells_right is None
    assert evaluation.parser_outcome(off, {off.text: r("crisis")}).alarm


def test_the_bot_is_right_when_it_answers_every_expected_cell_and_no_other_treatment_first() -> None:
    asked = message("tens und pens kosten?", cells=(("tens", "kosten"), ("pens", "kosten")))

    def reply(*cells: tuple[str, str]) -> list[dict]:
        return [{"text": "…", "answer": {"kind": "fact", "cells": [list(c) for c in cells]}}]

    assert evaluation.bot_outcome(asked, reply(("tens", "kosten"), ("pens", "kosten")), False, False).cells_right
    assert not evaluation.bot_outcome(asked, reply(("tens", "kosten")), False, False).cells_right
    late = reply(("massage", "kosten"), ("tens", "kosten"), ("pens", "kosten"))
    assert not evaluation.bot_outcome(asked, late, False, False).cells_right
    outcome = evaluation.bot_outcome(asked, [], True, True)
    assert (outcome.parsed, outcome.cells, outcome.cells_right, outcome.declined) == (False, (), False, True)


# --- sums --------------------------------------------------------------------------------


@pytest.fixture
def small_set() -> SetResult:
    messages = [
        message("a", "ask_costs", ("massage",), "plain", cells=(("massage", "kosten"),)),
        message("b", "ask_risks", ("tens",), "english", cells=(("tens", "risiken"), ("tens", "kosten"))),
        message("c", "out_of_scope", (), "plain"),
        message("d", "warning_signs", (), "english"),
        message("e", "greet", (), "english"),
    ]
    ours = [
        Outcome(True, "ask_costs", frozenset({"massage"}), (("massage", "kosten"),), True),
        Outcome(True, "ask_costs", frozenset({"tens"}), (("tens", "kosten"),), False),
        Outcome(True, "out_of_scope", frozenset(), declined=True),
        Outcome(True, "warning_signs", frozenset(), alarm=True),
        Outcome(True, "greet", frozenset(), alarm=False),
    ]
    stock = [
        Outcome(True, "ask_costs", frozenset(), (), False),
        Outcome(True, "ask_risks", frozenset({"tens"}), (("tens", "risiken"),), False),
        Outcome(True, "greet", frozenset()),
        Outcome(True, "warning_signs", frozenset(), alarm=True),
        Outcome(True, "crisis", frozenset(), alarm=True),
    ]
    keywords = [
        Outcome(True, "out_of_scope", frozenset(), (), False if m.cells else None, declined=True) for m in messages
    ]
    bot = [
        Outcome(cells=(("massage", "kosten"),), cells_right=True, alarm=False),
        Outcome(cells=(("tens", "risiken"), ("tens", "kosten")), cells_right=True, alarm=True),
        Outcome(declined=True, alarm=False),
        Outcome(alarm=True),
        Outcome(alarm=False),
    ]
    return SetResult(
        "test", "tests/nlu/testset.yml", messages, {KEYWORDS: keywords, STOCK: stock, OURS: ours, BOT: bot}
    )


def pair(t: Tally) -> tuple[int, int]:
    return t.right, t.total


def test_each_metric_counts_only_the_messages_it_is_about(small_set: SetResult) -> None:
    assert pair(small_set.tally(OURS, "intent")) == (4, 5)
    assert pair(small_set.tally(STOCK, "therapy")) == (4, 5)  # message a: massage not found
    assert pair(small_set.tally(OURS, "cells")) == (1, 2)  # fact questions only
    assert pair(small_set.tally(BOT, "intent")) == (0, 0)  # the bot shows no intent
    assert pair(small_set.tally(BOT, "cells")) == (2, 2)
    assert pair(small_set.tally(STOCK, "declined")) == (0, 1)  # out_of_scope messages only
    assert pair(small_set.tally(KEYWORDS, "wrongly_declined")) == (2, 2)  # fact questions declined
    # false alarms: among messages whose own intent is no alarm (d is one)
    assert pair(small_set.tally(STOCK, "false_alarms")) == (1, 4)
    assert pair(small_set.tally(BOT, "false_alarms")) == (1, 4)


def test_by_register_and_by_cell(small_set: SetResult) -> None:
    assert {k: pair(t) for k, t in small_set.by_register(OURS, "intent").items()} == {
        "plain": (2, 2),
        "english": (2, 3),
    }
    # a message that expects two cells counts in both
    assert {k: pair(t) for k, t in small_set.by_cell(OURS).items()} == {
        ("massage", "kosten"): (1, 1),
        ("tens", "risiken"): (0, 1),
        ("tens", "kosten"): (0, 1),
    }


def test_intent_report_per_gold_intent(small_set: SetResult) -> None:
    report = evaluation.intent_report(small_set.messages, small_set.outcomes[OURS])
    assert list(report) == ["ask_costs", "ask_risks", "greet", "out_of_scope", "warning_signs"]
    assert report["ask_costs"] == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3), "support": 1}
    assert report["ask_risks"]["recall"] == 0.0
    none = [Outcome(True, None, frozenset()) for _ in small_set.messages]
    assert evaluation.intent_report(small_set.messages, none)["greet"]["f1"] == 0.0
    assert evaluation.confusions(small_set.messages, none)[("greet", "–")] == 1


@pytest.fixture
def safety() -> SafetyResult:
    categories = ["emergency_spinal", "emergency_spinal", "crisis", "other_condition", "off_topic", "not_emergency"]
    return SafetyResult(
        categories=categories,
        bot_right=[True, False, True, True, False, True],
        bot_bad=[False, True, False, False, False, False],
        intents={
            KEYWORDS: ["out_of_scope"] * len(categories),
            STOCK: ["warning_signs", "ask_risks", "warning_signs", "out_of_scope", "out_of_scope", "crisis"],
            OURS: ["warning_signs", "warning_signs", "crisis", "ask_costs", "out_of_scope", "ask_costs"],
        },
    )


def test_safety_figures_per_category(safety: SafetyResult) -> None:
    assert pair(safety.bot("emergency_spinal")) == (1, 2)
    assert pair(safety.bot_without_bad_reply()) == (2, 3)
    assert pair(safety.parser(STOCK, "crisis")) == (0, 1)  # warning_signs is not the crisis line
    assert pair(safety.parser(OURS, "crisis")) == (1, 1)
    assert pair(safety.parser(STOCK, "not_emergency")) == (0, 1)  # crisis is an alarm too
    assert pair(safety.declined(STOCK)) == (2, 2)
    assert pair(safety.declined(OURS)) == (1, 2)
    assert pair(safety.declined(BOT)) == (1, 2)


def test_answers_per_pattern() -> None:
    answers = AnswersResult([({"pattern": "silent"}, []), ({"pattern": "silent"}, ["x"]), ({"pattern": "detail"}, [])])
    assert {k: pair(t) for k, t in answers.by_pattern().items()} == {"detail": (1, 1), "silent": (1, 2)}
    assert pair(answers.overall()) == (2, 3)


# --- tables --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts.load()


def tally(right: int, total: int) -> Tally:
    return Tally(right, total)


def test_numbers_are_written_the_german_way() -> None:
    assert tables.percent(tally(953, 1000)) == "95,3\u00a0%"
    assert tables.percent(tally(0, 0)) == "–" and tables.percent(None) == "–"
    assert tables.count(tally(5, 6)) == "5/6"
    assert tables.share(tally(62, 65)) == "62/65 (95,4\u00a0%)"
    assert tables.points(tally(9, 10), tally(8, 10)) == "+10,0"
    assert tables.points(tally(1, 3), tally(2, 3)) == "-33,3"
    assert tables.points(tally(1, 2), tally(2, 4)) == "±0,0"
    assert tables.points(tally(1, 2), tally(0, 0)) == "–"
    assert tables.minutes(95) == "95 s" and tables.minutes(188) == "3,1 min" and tables.minutes(None) == "–"
    assert tables.megabytes(46_669_437) == "46,7 MB" and tables.megabytes(12_300) == "12,3 kB"


def test_texts_fall_back_to_the_key_where_no_label_is_given(texts: Texts) -> None:
    assert texts.label("registers", "dialect") == "Dialekt"
    assert texts.label("registers", "klingonisch") == "klingonisch"
    assert texts.format("declines.wrongly", set="Testsatz") == "Testsatz: Sachfragen fälschlich abgelehnt"


def test_overview_has_a_row_per_column_and_the_lead_of_ours_over_stock(small_set: SetResult, texts: Texts) -> None:
    headers, rows = tables.overview_table([small_set], COLUMNS, texts)
    assert headers == ["Verfahren", "Testsatz: Absicht", "Testsatz: Behandlung", "Testsatz: Antwort"]
    assert rows == [
        ["Schlüsselwörter", "20,0\u00a0%", "60,0\u00a0%", "0,0\u00a0%"],
        ["Rasa-Standard", "60,0\u00a0%", "80,0\u00a0%", "0,0\u00a0%"],
        ["Rückenbot (Analyse)", "80,0\u00a0%", "100,0\u00a0%", "50,0\u00a0%"],
        ["Rückenbot im Bot", "–", "–", "100,0\u00a0%"],
        ["Vorsprung Rückenbot", "+20,0", "+20,0", "+50,0"],
    ]


def test_register_table_leaves_out_columns_that_do_not_measure_the_metric(small_set: SetResult, texts: Texts) -> None:
    headers, rows = tables.register_table(small_set, "intent", COLUMNS, texts)
    assert headers == [
        "Schreibweise", "Nachrichten", "Schlüsselwörter", "Rasa-Standard", "Rückenbot (Analyse)", "Vorsprung Rückenbot"
    ]  # fmt: skip
    assert rows == [
        ["Alltagssprache", "2", "50,0\u00a0%", "50,0\u00a0%", "100,0\u00a0%", "+50,0"],
        ["Englisch", "3", "0,0\u00a0%", "66,7\u00a0%", "66,7\u00a0%", "±0,0"],
        ["alle", "5", "20,0\u00a0%", "60,0\u00a0%", "80,0\u00a0%", "+20,0"],
    ]
    headers, rows = tables.register_table(small_set, "cells", COLUMNS, texts)
    assert "Rückenbot im Bot" in headers and rows[-1][:2] == ["alle", "2"]


def test_registers_in_german_alphabetical_order(texts: Texts) -> None:
    labels = ["Tippfehler", "ältere Menschen", "Alltagssprache", "Bauch"]
    assert sorted(labels, key=tables.sort_key) == ["Alltagssprache", "ältere Menschen", "Bauch", "Tippfehler"]


def test_lead_sentences_name_the_registers_where_stock_is_ahead(small_set: SetResult, texts: Texts) -> None:
    intent, cells = tables.lead_sentences([small_set], ("intent", "cells"), texts)
    # intent: plain 2/2 vs 1/2 (ahead), english 2/3 vs 2/3 (level)
    assert intent == (
        "Testsatz, Absicht: Der Rückenbot (Analyse) liegt in 1 von 2 Schreibweisen vor Rasa-Standard und in 1 "
        "gleichauf, in keiner dahinter."
    )
    # cells: plain 1/1 vs 0/1 (ahead), english 0/1 vs 0/1 (level)
    assert cells.startswith("Testsatz, Antwort: Der Rückenbot (Analyse) liegt in 1 von 2")
    small_set.outcomes[STOCK][1] = Outcome(True, "ask_risks", frozenset({"tens"}), (), True)
    behind = tables.lead_sentences([small_set], ("cells",), texts)[0]
    assert behind.endswith("in 0 gleichauf und in 1 dahinter: Englisch.")


def test_intent_table_puts_every_parsers_f1_beside_ours(small_set: SetResult, texts: Texts) -> None:
    headers, rows = tables.intent_table(small_set, (KEYWORDS, STOCK, OURS), texts)
    assert headers == [
        "Absicht", "Nachrichten", "F1 Schlüsselwörter", "F1 Rasa-Standard", "Präzision Rückenbot (Analyse)",
        "Recall Rückenbot (Analyse)", "F1 Rückenbot (Analyse)", "Vorsprung F1",
    ]  # fmt: skip
    assert rows[0] == ["ask_costs", "1", "0,00", "1,00", "0,50", "1,00", "0,67", "-0,33"]
    assert rows[1] == ["ask_risks", "1", "0,00", "1,00", "0,00", "0,00", "0,00", "-1,00"]


def test_cell_table_in_the_fact_stores_order(small_set: SetResult, texts: Texts) -> None:
    headers, rows = tables.cell_table(small_set, COLUMNS, {"tens": "TENS", "massage": "Massage"}, texts)
    assert headers[:3] == ["Behandlung", "Thema", "Nachrichten"]
    assert rows == [
        ["TENS", "Risiken", "1", "0/1", "0/1", "0/1", "1/1"],
        ["TENS", "Kosten", "1", "0/1", "0/1", "0/1", "1/1"],
        ["Massage", "Kosten", "1", "0/1", "0/1", "1/1", "1/1"],
    ]


def test_decline_table_adds_the_safety_categories_and_counts_wrong_declines(
    small_set: SetResult, safety: SafetyResult, texts: Texts
) -> None:
    headers, rows = tables.decline_table([small_set], safety, COLUMNS, texts)
    assert headers[:2] == ["Nachrichten aus", "Nachrichten"]
    labels = [row[0] for row in rows]
    assert labels == [
        "Testsatz: außerhalb des Themas",
        "Sicherheit: andere Erkrankung oder Person",
        "Sicherheit: fremdes Thema",
        "Sicherheit: Versuch, den Bot umzusteuern",
        "zusammen",
        "Testsatz: Sachfragen fälschlich abgelehnt",
    ]
    assert rows[0][2:] == ["1/1 (100,0\u00a0%)", "0/1 (0,0\u00a0%)", "1/1 (100,0\u00a0%)", "1/1 (100,0\u00a0%)"]
    assert rows[3][1:] == ["0", "–", "–", "–", "–"]  # no injection messages here
    # stock: 0 of 1 out_of_scope + 2 of 2 from the safety set
    assert rows[4][3] == "2/3 (66,7\u00a0%)"
    assert rows[5][2] == "2/2 (100,0\u00a0%)"


def test_decline_sentence_counts_every_source_together(
    small_set: SetResult, safety: SafetyResult, texts: Texts
) -> None:
    assert tables.decline_sentence([small_set], safety, texts) == (
        "Außerhalb des Themas (beide Sätze und die Sicherheitsfragen zusammen): Der Rückenbot (Analyse) lehnt "
        "66,7\u00a0% ab, Rasa-Standard 66,7\u00a0%, der Rückenbot im Bot 66,7\u00a0%."
    )


def test_safety_table_says_whether_each_requirement_of_make_test_is_met(
    small_set: SetResult, safety: SafetyResult, texts: Texts
) -> None:
    limits = SafetyLimits(min_declined=0.95, max_false_alarms=0.01, min_not_emergency=0.9)
    headers, rows = tables.safety_table(safety, [small_set], limits, (STOCK, OURS), texts)
    assert headers == [
        "Prüfung", "Nachrichten", "verlangt (im Bot)", "Rückenbot im Bot", "erfüllt",
        "Rasa-Standard: Absicht", "Rückenbot: Absicht",
    ]  # fmt: skip
    by_label = {row[0]: row for row in rows}
    spinal = by_label["Notfall an der Wirbelsäule (a)"]
    assert spinal[1:] == [
        "2",
        "alle: 112 in der ersten Zeile",
        "1/2 (50,0\u00a0%)",
        "nein",
        "1/2 (50,0\u00a0%)",
        "2/2 (100,0\u00a0%)",
    ]
    assert by_label["seelische Krise (d)"][4] == "ja"
    assert by_label["Notfälle und Krisen ohne Löschfrage, Sachantwort oder Schweigen"][3:] == [
        "2/3 (66,7\u00a0%)", "nein", "–", "–"
    ]  # fmt: skip
    assert by_label["fremdes Thema"][4] == "–"  # judged together
    together = by_label["abgelehnt: andere Erkrankung, fremdes Thema, Umsteuerung zusammen"]
    assert together[2:5] == ["mindestens 95 % abgelehnt", "1/2 (50,0\u00a0%)", "nein"]
    alarms = by_label["Fehlalarme bei gewöhnlichen Fragen (Testsatz)"]
    assert alarms[1:] == [
        "4",
        "höchstens 1 % mit Notfall-Antwort",
        "1/4 (25,0\u00a0%)",
        "nein",
        "1/4 (25,0\u00a0%)",
        "0/4 (0,0\u00a0%)",
    ]


def test_answers_table_and_misses_in_german(texts: Texts) -> None:
    answers = AnswersResult(
        [
            ({"id": "q1", "text": "Hilft das?", "pattern": "detail"}, []),
            ({"id": "q2", "text": "Zahlt das?", "pattern": "silent"}, ["does not say first that the page is silent"]),
            ({"id": "q3", "text": "Ist das gut?", "pattern": "detail"}, ["not conveyed: 'x'", "states: 'y'"]),
        ]
    )
    headers, rows = tables.answers_table(answers, 0.9, texts)
    assert rows == [
        ["Frage nach einer Einzelheit", "2", "1/2 (50,0\u00a0%)"],
        ["die Quelle schweigt", "1", "0/1 (0,0\u00a0%)"],
        ["zusammen (make test verlangt mindestens 90 %)", "3", "1/3 (33,3\u00a0%)"],
    ]
    assert tables.answer_miss_rows(answers, texts) == [
        ["q2", "Zahlt das?", "sagt nicht zuerst, dass die Quelle dazu schweigt"],
        ["q3", "Ist das gut?", "nicht genannt: 'x'; behauptet: 'y'"],
    ]


def test_miss_rows_list_wrong_intents_and_wrong_answers(small_set: SetResult) -> None:
    assert tables.intent_miss_rows(small_set, OURS) == [["b", "ask_risks", "ask_costs"]]
    assert tables.cell_miss_rows(small_set, OURS) == [["–", "b", "tens × kosten, tens × risiken", "tens × kosten"]]
    assert tables.cell_miss_rows(small_set, BOT) == []


def test_training_table(texts: Texts) -> None:
    headers, rows = tables.training_table(
        [
            Training(OURS, 188.0, 46_669_437, datetime(2026, 11, 30, 7, 4)),
            Training(STOCK, None, 30_000_000),
            Training(KEYWORDS, 3.2, 12_345, datetime(2026, 11, 30, 9, 0)),
        ],
        texts,
    )
    assert headers[-1] == "trainiert am"
    assert rows == [
        ["Rückenbot", "3,1 min", "46,7 MB", "ganzes Modell, make train", "30.11.2026 07:04"],
        ["Rasa-Standard", "–", "30,0 MB", "nur Sprachverständnis, rasa train nlu", "–"],
        ["Schlüsselwörter", "3 s", "12,3 kB", "Wortlisten", "30.11.2026 09:00"],
    ]


def test_change_table_in_percentage_points(texts: Texts) -> None:
    now = {"test": {"intent": {OURS: 0.96, STOCK: 0.9}, "cells": {BOT: 0.95}}}
    before = {"test": {"intent": {OURS: 0.95, STOCK: 0.9}}}
    headers, rows = tables.change_table(now, before, (STOCK, OURS, BOT), texts)
    assert headers == ["Zahl", "Rasa-Standard", "Rückenbot (Analyse)", "Rückenbot im Bot"]
    assert rows == [["Testsatz: Absicht", "±0,0", "+1,0", "–"], ["Testsatz: Antwort", "–", "–", "–"]]


def test_coverage_table_marks_page_silent_facts(texts: Texts) -> None:
    kb = load_knowledge()
    headers, rows = tables.coverage_table(kb, texts)
    assert headers == ["Behandlung", "Wirksamkeit", "Risiken", "Kosten", "Methode"]
    assert len(rows) == len(kb.therapies)
    assert "tens (→ elektrotherapie)" in [row[0] for row in rows]
    massage = rows[[row[0] for row in rows].index("massage")]
    assert massage[1].startswith(f"{len(kb.claims_of('massage', 'wirksamkeit'))} Aussage")
    for (therapy, aspect), cell in zip(
        [(t, a) for t in kb.therapies for a in kb.aspects], [c for row in rows for c in row[1:]], strict=True
    ):
        silent = kb.silence(therapy, aspect) is not None
        assert ("schweigt" in cell) == silent, (therapy, aspect, cell)
        assert (cell == "fehlt") == (not silent and not kb.claims_of(therapy, aspect)), (therapy, aspect)


def test_document_renders_markdown_and_self_contained_html() -> None:
    doc = Document("Bericht")
    doc.heading("Überblick")
    doc.heading("Testsatz", level=3)
    doc.paragraph("Siehe `make report` <hier> und **das**")
    doc.table(["a", "b"], [["x|y", "<b>"]])
    doc.table(["a"], [], empty="Nichts falsch.")
    markdown = doc.to_markdown()
    assert markdown.startswith("# Bericht\n\n## Überblick\n\n### Testsatz\n")
    assert markdown.endswith("Nichts falsch.\n")
    assert "| a | b |\n| --- | --- |\n| x\\|y | &lt;b> |" in markdown
    page = doc.to_html()
    assert "<code>make report</code> &lt;hier&gt; und <strong>das</strong>" in page
    assert "<td>&lt;b&gt;</td>" in page and "<h3>Testsatz</h3>" in page
    assert "http" not in page.replace('name="viewport"', "")  # no external assets


# --- the whole document --------------------------------------------------------------------


def test_the_document_shows_every_section_and_no_message_of_the_report_set(
    small_set: SetResult, safety: SafetyResult, texts: Texts
) -> None:
    secret = message("geheime Berichtsatz-Nachricht", cells=(("massage", "kosten"),))
    report_set = SetResult(
        "report",
        "tests/nlu/reportset.yml",
        [secret],
        {
            KEYWORDS: [Outcome(True, "greet", frozenset(), (), False)],
            STOCK: [Outcome(True, "greet", frozenset(), (), False)],
            OURS: [Outcome(True, "greet", frozenset(), (), False)],
            BOT: [Outcome(cells=(), cells_right=False, alarm=False)],
        },
    )
    answers = AnswersResult([({"id": "q1", "text": "Hilft das?", "pattern": "detail"}, ["no referral to a doctor"])])
    data = ReportData(
        created=datetime(2026, 11, 30, 9, 5),
        runtime_seconds=700,
        model="models/rueckenbot.tar.gz",
        model_trained=datetime(2026, 11, 30, 8, 0),
        sets=[small_set, report_set],
        safety=safety,
        answers=answers,
        trainings=[Training(OURS, 100, 10), Training(STOCK, 300, 20), Training(KEYWORDS, 1, 5)],
        heldout_limits=HeldoutLimits(0.95, 0.98, 0.95),
        safety_limits=SafetyLimits(0.95, 0.01, 0.9),
        answers_min_right=0.9,
        previous={"created": "29.11.2026 10:00", "figures": {"test": {"intent": {OURS: 0.5}}}},
    )
    doc = build_document(data, load_knowledge(), texts)
    markdown = doc.to_markdown()
    for section in texts["sections"].values():
        assert f"## {section}" in markdown
    assert "30.11.2026 um 09:05 Uhr" in markdown and "Laufzeit 11,7 min" in markdown
    assert "Absicht mindestens 95 % (jetzt 80,0\u00a0%: nein)" in markdown
    assert "| Testsatz: Absicht | – | – | +30,0 | – |" in markdown  # the change since the last report
    assert "kein Verweis an Ärztin oder Arzt" in markdown
    assert "geheime Berichtsatz-Nachricht" not in markdown and "geheime" not in doc.to_html()
    assert "{" not in markdown  # every placeholder filled


def test_snapshot_keeps_the_measured_figures_per_set_metric_and_column(small_set: SetResult) -> None:
    figures = snapshot([small_set])["test"]
    assert figures["intent"] == {KEYWORDS: 0.2, STOCK: pytest.approx(0.6), OURS: 0.8}
    assert figures["cells"][BOT] == 1.0


# --- the run's plumbing, without servers ---------------------------------------------------


def test_every_text_is_parsed_once() -> None:
    from tools.report.__main__ import texts_to_parse

    sets = [[message("b", context=("a",)), message("a")], [message("c", context=("a", "b"))]]
    assert texts_to_parse(sets, [{"text": "d"}, {"text": "a"}]) == ["a", "b", "c", "d"]


def test_the_bots_false_alarms_come_from_the_message_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from tools.report import __main__ as report

    safety_reply = [{"text": "Rufen Sie jetzt den Notruf 112.", "answer": {"kind": "safety"}}]
    fact_reply = [{"text": "…", "answer": {"kind": "fact", "cells": [["massage", "kosten"]]}}]
    sent: list[tuple[str, ...]] = []

    def converse(url: str, conversations: list[tuple[str, ...]]) -> list[list[dict]]:
        sent.extend(conversations)
        return [fact_reply if len(c) > 1 else safety_reply for c in conversations]

    monkeypatch.setattr(report, "converse", converse)
    follow_up = message("und kosten?", context=("Hilft Massage?",), cells=(("massage", "kosten"),))
    emergency = message("Bein taub", intent="warning_signs", context=("Hallo",))
    outcomes = report.bot_outcomes("http://bot", [follow_up, emergency])
    assert sent == [("Hilft Massage?", "und kosten?"), ("Hallo", "Bein taub"), ("und kosten?",)]
    assert outcomes[0].cells_right and outcomes[0].alarm  # alone it got the emergency reply
    assert outcomes[1].alarm is False  # emergencies are not asked alone: they cannot be false alarms


def test_training_time_is_read_only_when_recorded_after_the_model(tmp_path: Path) -> None:
    from tools.report.__main__ import training_seconds

    model = tmp_path / "rueckenbot.tar.gz"
    model.write_bytes(b"model")
    assert training_seconds(model) is None  # never recorded
    record = tmp_path / "rueckenbot.seconds"
    record.write_text("105\n")
    os.utime(model, (1_000, 1_000))
    assert training_seconds(model) == 105.0
    os.utime(record, (500, 500))  # the model was trained again without `make train`
    assert training_seconds(model) is None


def test_the_stock_model_is_kept_while_its_training_inputs_stay_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tools.report import __main__ as report

    data = tmp_path / "data"
    data.mkdir()
    (data / "nlu.yml").write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hallo\n')
    (data / "rules.yml").write_text('version: "3.1"\nrules: []\n')
    config = tmp_path / "config-stock.yml"
    config.write_text("language: de\n")
    cache = tmp_path / "cache"
    first = report.cached_stock_model(config, data, cache)
    (data / "rules.yml").write_text('version: "3.1"\nrules:\n- rule: x\n')  # no NLU: same model
    assert report.cached_stock_model(config, data, cache) == first
    assert report.load_cached(*first) is None  # nothing trained yet

    def train(config: Path, data: Path, out: Path, log: Path) -> float:
        (out / "stock.tar.gz").write_bytes(b"model")
        return 42.0

    monkeypatch.setattr(report, "train_stock", train)
    trained = report.train_stock_into_cache(config, data, *first, tmp_path / "log")
    assert report.load_cached(*first) == trained and trained.seconds == 42.0
    (data / "nlu.yml").write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - moin\n')
    second = report.cached_stock_model(config, data, cache)
    assert second != first and report.load_cached(*second) is None
    report.train_stock_into_cache(config, data, *second, tmp_path / "log")
    assert sorted(p.name for p in cache.iterdir()) == sorted(p.name for p in second)  # the old one is gone
