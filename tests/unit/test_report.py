"""The report's pure parts: keyword baseline, tables, the change since the last report."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.knowledge import load_knowledge
from tools.nlu_eval import score_therapies, therapy_values
from tools.report import tables
from tools.report.keyword_baseline import FALLBACK_INTENT, KeywordBaseline, words
from tools.report.tables import Document, PipelineResult


def therapy(value: str, start: int = 0, end: int = 0) -> dict:
    return {"entity": "therapy", "value": value, "start": start, "end": end}


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
    def found(text: str) -> set[str]:
        return set(therapy_values(baseline.find_therapies(text)))

    assert found("Hilft eine Rückenmassage?") == {"massage"}  # synonym block
    assert found("akupunktur oder MASSAGE") == {"akupunktur", "massage"}  # annotated texts
    assert found("Ist die manuelle Therapie gut?") == {"manuelle_therapie"}
    assert found("Hilft ein TENS-Gerät?") == {"tens"}
    assert found("Akupunkturnadeln") == set()  # exact names only: no compounds
    assert found("Hilft Akkupunktur?") == set()  # and no typos


def test_longer_names_win_over_names_inside_them() -> None:
    model = KeywordBaseline.fit([], {"Therapie": "x", "manuelle Therapie": "manuelle_therapie"})
    assert therapy_values(model.find_therapies("manuelle Therapie")) == {"manuelle_therapie"}


def test_therapy_score_compares_value_sets_per_message() -> None:
    examples = [
        ("a", [therapy("massage")]),
        ("b", []),
        ("c", [therapy("tens"), therapy("pens")]),
        ("d", [therapy("tens")]),
    ]
    predicted = {"a": [therapy("massage"), therapy("massage")], "b": [], "c": [therapy("tens")], "d": [therapy("pens")]}
    score = score_therapies(examples, lambda text: predicted[text])
    assert score.accuracy == 0.5
    assert [m.text for m in score.misses] == ["c", "d"]
    assert str(score.misses[0]) == "'c': expected ['pens', 'tens'], found ['tens']"


def result(name: str, intents: dict[str, tuple[float, float, float, int]], accuracy: float) -> PipelineResult:
    report: dict = {
        intent: {"precision": p, "recall": r, "f1-score": f, "support": n} for intent, (p, r, f, n) in intents.items()
    }
    report["accuracy"] = accuracy
    report["macro avg"] = {"precision": 0, "recall": 0, "f1-score": sum(v[2] for v in intents.values()) / 2}
    return PipelineResult(name, report, therapy_accuracy=0.95, train_seconds=None)


OURS = result("ours", {"greet": (1.0, 0.5, 2 / 3, 2), "thanks": (0.5, 1.0, 2 / 3, 1)}, 2 / 3)
STOCK = result("stock", {"greet": (1.0, 1.0, 1.0, 2), "nlu_fallback": (0.0, 0.0, 0.0, 0)}, 0.8)


def test_classification_report_matches_rasas_format() -> None:
    report = tables.classification_report(["greet", "greet", "thanks"], ["greet", "thanks", "thanks"])
    assert report["accuracy"] == pytest.approx(2 / 3)
    assert report["greet"] == {"precision": 1.0, "recall": 0.5, "f1-score": pytest.approx(2 / 3), "support": 2}
    assert report["macro avg"]["f1-score"] == pytest.approx(2 / 3)


def test_intent_scores_skip_summaries_and_intents_without_examples() -> None:
    assert list(tables.intent_scores(STOCK.intent_report)) == ["greet"]


def test_headline_rows() -> None:
    rows = tables.headline_rows([OURS, PipelineResult("kw", OURS.intent_report, 1.0, 12.4)])
    assert rows == [["ours", "0.667", "0.667", "0.950", "–"], ["kw", "0.667", "0.667", "1.000", "12 s"]]


def test_per_intent_rows_put_the_other_pipelines_f1_beside_ours() -> None:
    headers, rows = tables.per_intent_rows(OURS, [STOCK])
    assert headers[-1] == "F1 stock"
    assert rows == [
        ["greet", "1.000", "0.500", "0.667", "2", "1.000"],
        ["thanks", "0.500", "1.000", "0.667", "1", "–"],
    ]


def test_intent_changes_worst_first_with_new_and_removed_intents() -> None:
    previous = {
        "greet": {"precision": 1.0, "recall": 1.0, "f1-score": 1.0, "support": 2},
        "thanks": {"precision": 0.5, "recall": 1.0, "f1-score": 2 / 3, "support": 1},
        "goodbye": {"precision": 1.0, "recall": 1.0, "f1-score": 1.0, "support": 1},
    }
    current = tables.intent_scores(OURS.intent_report) | {
        "ask_source": {"precision": 1.0, "recall": 1.0, "f1-score": 1.0, "support": 3}
    }
    assert tables.intent_changes(current, previous) == [
        ["greet", "1.000", "0.667", "-0.333", "-0.500", "±0.000"],
        ["ask_source", "–", "1.000", "–", "–", "–"],
        ["goodbye", "1.000", "–", "–", "–", "–"],
        ["thanks", "0.667", "0.667", "±0.000", "±0.000", "±0.000"],
    ]


def test_headline_changes_only_for_pipelines_in_both_reports() -> None:
    now = {"ours": OURS.summary(), "new": STOCK.summary()}
    before = {"ours": OURS.summary() | {"accuracy": 0.5, "therapy_accuracy": 1.0}}
    assert tables.headline_changes(now, before) == [["ours", "+0.167", "±0.000", "-0.050"]]


def test_coverage_table_marks_page_silent_facts() -> None:
    kb = load_knowledge()
    headers, rows = tables.coverage_table(kb)
    assert headers == ["Behandlung", "wirksamkeit", "risiken", "kosten", "methode"]
    assert len(rows) == len(kb.therapies)
    silent = sum(row.count(tables.SILENT) for row in rows)
    assert silent == sum(fact.page_silent for key, fact in kb.facts.items() if key[0] in kb.therapies)
    assert "tens (→ elektrotherapie)" in [row[0] for row in rows]


def test_misclassified_rows_sorted_by_expected_intent() -> None:
    errors = [
        {"text": "tschüss", "intent": "goodbye", "intent_prediction": {"name": "thanks", "confidence": 0.61}},
        {"text": "na?", "intent": "greet", "intent_prediction": {"name": "nlu_fallback", "confidence": 0.3}},
        {"text": "ciao", "intent": "goodbye", "intent_prediction": {"name": None, "confidence": None}},
    ]
    assert tables.misclassified_rows(errors) == [
        ["ciao", "goodbye", "–", "–"],
        ["tschüss", "goodbye", "thanks", "0.61"],
        ["na?", "greet", "nlu_fallback", "0.30"],
    ]


def test_document_renders_markdown_and_self_contained_html(tmp_path: Path) -> None:
    png = tmp_path / "matrix.png"
    png.write_bytes(b"\x89PNG fake")
    doc = Document("Bericht")
    doc.heading("Überblick")
    doc.paragraph("Siehe `make report` <hier>")
    doc.table(["a", "b"], [["x|y", "<b>"]])
    doc.image(png, "Matrix")
    doc.table(["a"], [], empty="Nichts falsch.")
    markdown = doc.to_markdown()
    assert markdown.endswith("Nichts falsch.\n")
    assert "| a | b |\n| --- | --- |\n| x\\|y | &lt;b> |" in markdown
    assert "![Matrix](matrix.png)" in markdown
    page = doc.to_html()
    assert "<code>make report</code> &lt;hier&gt;" in page
    assert "<td>&lt;b&gt;</td>" in page
    assert 'src="data:image/png;base64,iVBORy' in page
    assert "http" not in page.replace('name="viewport"', "")  # no external assets


def test_training_time_is_read_only_when_recorded_after_the_model(tmp_path: Path) -> None:
    import os

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


def test_keyword_baseline_learns_from_the_real_training_data() -> None:
    from tools.report.__main__ import ROOT, keyword_baseline

    examples = [
        ("Was kostet eine Massage?", "ask_costs", [therapy("massage")]),
        ("Hallo", "greet", []),
    ]
    result, therapies = keyword_baseline(ROOT / "data", examples)
    assert result.accuracy == 1.0
    assert therapies.accuracy == 1.0
    assert result.train_seconds is not None
