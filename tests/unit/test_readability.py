"""Readability (tools.readability): the German formulas, our sentence split, what is read, the limits."""

from __future__ import annotations

from pathlib import Path

import pytest
import textstat

from bot.content.knowledge import KnowledgeBase
from tests.fixtures.project import claim_line, copy_project, new_problems, replace
from tools.readability import (
    MAX_WSTF,
    MIN_AMSTAD,
    Answer,
    answers,
    hardest,
    is_label,
    problems,
    score,
    score_all,
    sentences,
    table,
    therapy_names,
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
STAGES = frozenset({"knowledge", "readability"})


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


def test_placeholders_and_treatment_names_are_not_read() -> None:
    assert score("Was möchten Sie über {therapy_name} wissen?") == score("Was möchten Sie über wissen?")
    names = ("Magnetfeldtherapie",)
    assert score("Zu Nebenwirkungen einer Magnetfeldtherapie sagt die Seite nichts.", names) == score(
        "Zu Nebenwirkungen einer sagt die Seite nichts."
    )


def test_titles_and_buttons_are_labels_not_texts() -> None:
    assert is_label("Andere Behandlung")
    assert is_label("Danke für Ihre Rückmeldung!")  # fewer than 6 words
    assert is_label("Informationen zu passiven Behandlungen bei chronischen Rückenschmerzen")  # a heading
    assert not is_label(PLAIN)


def test_a_hard_text_fails_with_file_line_advice_and_the_make_command() -> None:
    """Issue 17: the hint named a command that fails outside the virtual environment; now `make lesbarkeit`."""
    hard = Answer(
        "massage/risiken", "knowledge/claims/massage.yml:12", HARD, "Die Antwort auf „Massage: Nebenwirkungen“"
    )
    plain = Answer("massage/kosten", "knowledge/claims/massage.yml:20", PLAIN)
    result = score(HARD)
    amstad, wstf = f"{result.amstad:.1f}".replace(".", ","), f"{result.wstf:.1f}".replace(".", ",")
    assert problems([(hard, result), (plain, score(PLAIN))]) == [
        f"knowledge/claims/massage.yml:12: Die Antwort auf „Massage: Nebenwirkungen“ ist schwer zu lesen: "
        f"Flesch-Amstad {amstad} (mindestens 50) und Wiener Sachtextformel {wstf} (höchstens 10). So beheben Sie "
        f"es: teilen Sie Sätze mit mehr als 15 Wörtern (der längste hat 25), nehmen Sie kürzere Alltagswörter und "
        f"erklären Sie ein Fachwort in einem eigenen Satz; die schwersten Texte zeigt „make lesbarkeit“ "
        f"(docs/EDITING.md, „Lesbarkeit“)"
    ]


def test_every_text_a_person_reads_is_measured(kb: KnowledgeBase) -> None:
    found = answers(kb, ROOT)
    ids = {answer.id for answer in found}
    for therapy in kb.therapies:  # the composed default answer of every treatment × aspect
        for aspect in kb.aspects:
            assert any(i == f"{therapy}/{aspect}" for i in ids) or any(a.id.startswith(f"{therapy}/") for a in found), (
                therapy,
                aspect,
            )
    assert {"akupunktur/wirksamkeit", "thema/uebersicht", "disclaimer", "utter_goodbye"} <= ids
    assert any(i.startswith("interface_texts/answer.") for i in ids)
    assert any(i.startswith("sicherheit/") for i in ids)  # knowledge/safety.yml
    assert any(i.endswith("/silent") for i in ids) and any(i.startswith("detail/") for i in ids)


def test_a_composed_answer_points_to_its_hardest_part(kb: KnowledgeBase) -> None:
    answer = next(a for a in answers(kb, ROOT) if a.id == "akupunktur/wirksamkeit")
    assert answer.origin.startswith(("knowledge/claims/akupunktur.yml:", "knowledge/general.yml:"))
    assert "akupunktur.kurzfristig" in answer.what
    origins = {a.id: a.origin for a in answers(kb, ROOT)}
    line = int(origins["utter_goodbye"].split(":")[1])
    assert "Auf Wiedersehen" in (ROOT / "domain.yml").read_text(encoding="utf-8").splitlines()[line - 1]


def test_the_fact_store_meets_the_limits(kb: KnowledgeBase) -> None:
    """Everything composed from knowledge/ is ours to keep plain (domain.yml and the interface texts too:
    `make check` judges them)."""
    scored = score_all(kb, ROOT)
    from_knowledge = [(a, s) for a, s in scored if a.origin.startswith("knowledge/")]
    assert len(from_knowledge) > len(kb.therapies) * len(kb.aspects)
    assert problems(from_knowledge) == []
    assert min(s.amstad for _, s in from_knowledge) >= MIN_AMSTAD
    assert max(s.wstf for _, s in from_knowledge) <= MAX_WSTF


def test_table_lists_the_hardest_first(kb: KnowledgeBase) -> None:
    scored = score_all(kb, ROOT)
    top = hardest(scored, 10)
    assert [s.amstad for _, s in top] == sorted(s.amstad for _, s in top)
    assert top[0][1].amstad == min(s.amstad for _, s in scored)
    printed = table(scored).splitlines()
    assert printed[0].split() == ["Text", "Amstad", "WSTF", "Wörter/Satz", "Silben/Wort", "Ort"]
    assert printed[2].startswith(top[0][0].id[:40])
    assert printed[-1].startswith(f"Lesbarkeit von {len(scored)} Texten: Flesch-Amstad mindestens ")


def test_treatment_names_come_from_knowledge(kb: KnowledgeBase) -> None:
    names = therapy_names(kb)
    assert {t.name for t in kb.therapies.values()} <= set(names)


# -- on a copy of the project ------------------------------------------------------------
def test_a_hard_claim_fails_in_make_check(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    project = copy_project(tmp_path / "project")
    path = project / "knowledge/claims/massage.yml"
    replace(
        path,
        "Auf Massageöl reagieren manche Menschen allergisch, etwa mit einem Ausschlag auf der Haut.",
        HARD.replace("verursachen", "verursachen, manche allergisch"),
    )
    line = claim_line(path, "allergie", "text")
    found = new_problems(project, tmp_path_factory.getbasetemp(), STAGES)
    assert found, "a hard text must fail"
    assert all(p.startswith(f"knowledge/claims/massage.yml:{line}: ") for p in found), found
    assert all(" ist schwer zu lesen: Flesch-Amstad " in p and "„make lesbarkeit“" in p for p in found)
    assert any(p.split(": ", 1)[1].startswith("Die Antwort auf „Massage: Nebenwirkungen“") for p in found)
