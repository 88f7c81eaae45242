"""Readability (tools.readability): the German formulas, our sentence split, the limits."""

from __future__ import annotations

from pathlib import Path

import pytest
import textstat

from bot.content.knowledge import KnowledgeBase
from tools.readability import (
    MAX_WSTF,
    MIN_AMSTAD,
    Answer,
    answers,
    hardest,
    problems,
    score,
    score_all,
    sentences,
    table,
)

ROOT = Path(__file__).resolve().parents[2]
PLAIN = (
    "Massagen können Schmerzen kurz lindern. Das hält aber nicht lange an. "
    "Fragen Sie Ihre Ärztin oder Ihren Arzt, was Ihnen hilft."
)
HARD = (
    "Die therapeutische Applikation manueller Massagetechniken kann insbesondere bei unsachgemäßer "
    "Druckausübung vorübergehende Schmerzverstärkungen sowie allergische Hautreaktionen auf verwendete "
    "Massageöle verursachen, weshalb eine sorgfältige Anamnese empfehlenswert erscheint."
)


def test_amstad_and_wstf_follow_the_published_formulas() -> None:
    # 3 words, 1 sentence, 3 syllables, all one-syllable and short:
    # Amstad = 180 - 3 - 58.5 * 1; WSTF 1 = 0.1672 * 3 - 0.0327 * 100 - 0.875
    result = score("Ich bin hier.")
    assert result.amstad == 118.5
    assert result.wstf == pytest.approx(-3.6)


@pytest.mark.parametrize(
    ("word", "syllables"),
    [("Behandlung", 3), ("Rückenschmerzen", 4), ("Krankenkasse", 4), ("Nebenwirkungen", 5), ("Arzt", 1)],
)
def test_textstat_counts_german_syllables(word: str, syllables: int) -> None:
    """The German hyphenation dictionary is in use (English rules would count 'Krankenkasse' as 3)."""
    assert textstat.syllable_count(word) == syllables


def test_plain_text_is_easy_and_hard_text_is_hard() -> None:
    plain, hard = score(PLAIN), score(HARD)
    assert plain.amstad >= 65 and plain.wstf <= 6, plain
    assert hard.amstad < 0 and hard.wstf > 15, hard


def test_short_sentences_count_as_sentences() -> None:
    """textstat drops sentences of one or two words; a greeting is a sentence for a reader."""
    assert sentences("Auf Wiedersehen! Ich wünsche Ihnen alles Gute.") == [
        "Auf Wiedersehen!",
        "Ich wünsche Ihnen alles Gute.",
    ]
    assert textstat.sentence_count("Auf Wiedersehen! Ich wünsche Ihnen alles Gute.") == 1


def test_dates_abbreviations_and_lists() -> None:
    assert len(sentences("Die Seite wurde am 20.08.2025 aktualisiert. Sie nennt Chenot et al. 2017.")) == 2
    assert sentences("Rufen Sie 112, wenn Sie das bemerken:\n- Fieber\n- Schwäche in den Beinen") == [
        "Rufen Sie 112, wenn Sie das bemerken:",
        "Fieber",
        "Schwäche in den Beinen",
    ]


def test_placeholders_are_not_read() -> None:
    assert score("Was möchten Sie über {therapy_name} wissen?") == score("Was möchten Sie über wissen?")


def test_hard_answer_fails_the_limits_with_file_line_and_advice() -> None:
    hard = Answer("massage/risiken", "knowledge/facts/massage.yml:12", HARD)
    plain = Answer("massage/kosten", "knowledge/facts/massage.yml:20", PLAIN)
    result = score(HARD)
    assert problems([(hard, result), (plain, score(PLAIN))]) == [
        f"knowledge/facts/massage.yml:12: answer 'massage/risiken' is too hard to read: "
        f"Flesch-Amstad {result.amstad:.1f} (must be 50 or more) and Wiener Sachtextformel {result.wstf:.1f} "
        f"(must be 10 or less); split sentences longer than 15 words (the longest has 25), use shorter everyday "
        f"words and explain a technical term in a sentence of its own (docs/EDITING.md, Lesbarkeit)"
    ]


def test_every_fact_store_answer_meets_the_limits(kb: KnowledgeBase) -> None:
    """The fact store is ours to keep plain; the domain's replies are checked by `make check` too."""
    scored = [(a, score(a.text)) for a in answers(kb, ROOT) if not a.origin.startswith("domain.yml")]
    assert len(scored) == len(kb.facts) + len(kb.topics) + 1  # + the disclaimer
    assert problems(scored) == []
    assert min(s.amstad for _, s in scored) >= MIN_AMSTAD and max(s.wstf for _, s in scored) <= MAX_WSTF


def test_answers_cover_facts_topics_disclaimer_and_domain(kb: KnowledgeBase) -> None:
    ids = {answer.id for answer in answers(kb, ROOT)}
    assert {"akupunktur/wirksamkeit", "topics/warnzeichen", "disclaimer", "utter_goodbye"} <= ids
    origins = {answer.id: answer.origin for answer in answers(kb, ROOT)}
    assert origins["utter_goodbye"].startswith("domain.yml:")
    line = int(origins["utter_goodbye"].split(":")[1])
    assert "Auf Wiedersehen" in (ROOT / "domain.yml").read_text(encoding="utf-8").splitlines()[line - 1]


def test_table_lists_the_hardest_first(kb: KnowledgeBase) -> None:
    scored = score_all(kb, ROOT)
    top = hardest(scored, 10)
    assert len(top) == 10
    assert [s.amstad for _, s in top] == sorted(s.amstad for _, s in top)
    assert top[0][1].amstad == min(s.amstad for _, s in scored)
    printed = table(scored).splitlines()
    assert printed[0].split() == ["answer", "Amstad", "WSTF", "words/sentence", "syllables/word", "where"]
    assert printed[2].startswith(top[0][0].id)
    assert printed[-1].startswith(f"readability of {len(scored)} answers: Flesch-Amstad min ")
