"""Content rules (tools/content_rules.py): each rule on its own, then each mistake on a copy of the project.

The fixture tests make the mistake in a copy of the real files and assert the exact line
`make check` prints for it (file, line, what is wrong, how to fix it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.project import claim_line, copy_project, line_of, new_problems, replace
from tools.content_rules import HEDGES, hedges_in, keeps, numbers_in, sentences

STAGES = frozenset({"knowledge", "content"})
SOURCE = "knowledge/source/iqwig-passive-behandlungen.txt"


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("content")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def hedge(name: str):
    return next(h for h in HEDGES if h.name == name)


# -- the rules on their own ------------------------------------------------------------
def test_hedges_are_found_in_a_quote_longest_first() -> None:
    found = hedges_in("Ernsthafte Komplikationen sind sehr selten. Dazu könnte es kommen.")
    assert [(h.name, words) for h, words in found] == [("sehr selten", "sehr selten"), ("könnte", "könnte")]
    assert [h.name for h, _ in hedges_in("können chronische Rückenschmerzen allenfalls kurzfristig lindern")] == [
        "kurzfristig",
        "allenfalls",
    ]


def test_a_noun_is_no_hedge() -> None:
    """ "Möglichkeiten" is not "möglicherweise"; "Schein-Akupunktur" is not "scheinen"."""
    assert hedges_in("Ob eine der beschriebenen Möglichkeiten im Einzelfall sinnvoll ist") == []
    assert hedges_in("kaum besser als eine Schein-Akupunktur")[0][0].name == "kaum"
    assert len(hedges_in("kaum besser als eine Schein-Akupunktur")) == 1


@pytest.mark.parametrize(
    ("name", "text", "kept"),
    [
        ("nicht sicher nachgewiesen", "Dafür gibt es keinen sicheren Nachweis.", True),
        ("nicht sicher nachgewiesen", "Das ist nicht nachgewiesen.", False),
        ("kurzfristig", "Sie hilft höchstens für kurze Zeit.", True),
        ("kurzfristig", "Sie hilft nur kurz.", False),
        ("höchstens", "Nutzen Sie das allenfalls zusätzlich.", True),
        ("die meisten", "Die meisten zahlt die Kasse nicht.", True),
        ("die meisten", "Die Kasse zahlt sie nicht.", False),
        ("nicht nachgewiesen", "Dass es hilft, ist nicht belegt.", True),
        ("nicht nachgewiesen", "Es ist wirkungslos.", False),
        ("widersprüchlich", "Die Studien widersprechen sich.", True),
        ("diskutiert", "Besprochen wird, dass …", True),
    ],
)
def test_equivalents_keep_a_hedge_and_nothing_else_does(name: str, text: str, kept: bool) -> None:
    assert keeps(text, hedge(name)) is kept


def test_numbers_prices_and_shares_in_digits_or_words() -> None:
    assert numbers_in("kostet etwa 30 Euro, in drei von zehn Fällen, 50 %") == {
        "30",
        "euro",
        "3",
        "10",
        "50",
        "prozent",
    }
    assert numbers_in("Nadeln, die nur einmal benutzt werden") == set()  # "einmal" counts nothing
    assert numbers_in("Auf Wiedersehen") == set()


def test_dates_and_abbreviations_do_not_end_a_sentence() -> None:
    assert len(sentences("Die Seite wurde am 20. August 2025 aktualisiert. Sie nennt Chenot et al. 2017.")) == 2
    assert len(sentences("Z. B. Massagen. Oder Akupunktur.")) == 2


# -- each mistake on a copy of the project -------------------------------------------------
def test_a_claim_that_loses_its_hedges(project: Path, tmp: Path) -> None:
    """Issue 17: an answer that lost "allenfalls kurzfristig" (the page's "wenn überhaupt, nur kurz") passed."""
    path = project / "knowledge/claims/akupunktur.yml"
    replace(
        path,
        "Akupunktur kann chronische Rückenschmerzen allenfalls kurzfristig lindern.",
        "Akupunktur lindert chronische Rückenschmerzen.",
    )
    line = claim_line(path, "kurzfristig", "text")
    fix_short = "übernehmen Sie „kurzfristig“ in den Text oder ein erlaubtes gleichwertiges Wort: kurze zeit, kurzen zeit, kurzen zeitraum, vorübergehend…"
    fix_most = "übernehmen Sie „allenfalls“ in den Text oder ein erlaubtes gleichwertiges Wort: höchstens, wenn überhaupt, bestenfalls"
    assert new_problems(project, tmp, STAGES) == [
        f"knowledge/claims/akupunktur.yml:{line}: Die Aussage 'akupunktur.kurzfristig' lässt die Vorsicht „kurzfristig“ aus dem Zitat weg. So beheben Sie es: {fix_short} (docs/EDITING.md, „Vorsicht bleibt“)",
        f"knowledge/claims/akupunktur.yml:{line}: Die Aussage 'akupunktur.kurzfristig' lässt die Vorsicht „allenfalls“ aus dem Zitat weg. So beheben Sie es: {fix_most} (docs/EDITING.md, „Vorsicht bleibt“)",
    ]


def test_the_advice_that_loses_hoechstens(project: Path, tmp: Path) -> None:
    path = project / "knowledge/general.yml"
    replace(path, "so etwas höchstens als mögliche Ergänzung", "so etwas als mögliche Ergänzung")
    line = claim_line(path, "rat", "text")
    assert new_problems(project, tmp, STAGES) == [
        f"knowledge/general.yml:{line}: Die Aussage 'allgemein.rat' lässt die Vorsicht „höchstens“ aus dem Zitat weg. So beheben Sie es: übernehmen Sie „höchstens“ in den Text oder ein erlaubtes gleichwertiges Wort: allenfalls, wenn überhaupt, bestenfalls (docs/EDITING.md, „Vorsicht bleibt“)"
    ]


def test_a_price_in_a_silent_text(project: Path, tmp: Path) -> None:
    """Issue 17: "kostet etwa 30 Euro pro Sitzung" in an answer for what the page does not say passed."""
    path = project / "knowledge/claims/massage.yml"
    old = "Ob die Krankenkasse eine Massage bezahlt, sagt die Seite nicht."
    line = replace(path, old, old + " Eine Sitzung kostet etwa 30 Euro.")
    assert new_problems(project, tmp, STAGES) == [
        f"knowledge/claims/massage.yml:{line}: Der Text unter 'silent:' zu 'massage' nennt „30“, „Euro“, obwohl die Seite dazu schweigt. So beheben Sie es: streichen Sie Zahlen und Preise: sagen Sie nur, dass die Seite dazu nichts sagt; wer es weiß (Krankenkasse, Ärztin oder Arzt), fügt der Bot selbst an ('refer:')"
    ]


def test_a_number_the_quote_does_not_have(project: Path, tmp: Path) -> None:
    path = project / "knowledge/claims/massage.yml"
    line = replace(path, "sind Massagen nicht gut untersucht.", "sind Massagen in drei Studien nicht gut untersucht.")
    assert new_problems(project, tmp, STAGES) == [
        f"knowledge/claims/massage.yml:{line}: Die Aussage 'massage.nicht_gut_untersucht' nennt „3“, das Zitat aber nicht. So beheben Sie es: nennen Sie nur Zahlen, Anteile und Preise, die im Zitat stehen: nehmen Sie sie aus dem Text, oder nehmen Sie die Worte der Seite, in denen sie stehen, ins Zitat auf"
    ]


def test_quelle_typed_into_a_claim(project: Path, tmp: Path) -> None:
    """Issue 17: "Quelle: IQWiG." typed into a fact text passed."""
    path = project / "knowledge/claims/massage.yml"
    line = replace(path, "sind Massagen nicht gut untersucht.", "sind Massagen nicht gut untersucht. Quelle: IQWiG.")
    assert new_problems(project, tmp, STAGES) == [
        f"knowledge/claims/massage.yml:{line}: Die Aussage 'massage.nicht_gut_untersucht' enthält „Quelle:“. So beheben Sie es: streichen Sie die Quellenangabe aus dem Text: der Bot setzt die Zeile „Quelle: …“ selbst unter jede Antwort"
    ]


def test_quelle_in_a_domain_response(project: Path, tmp: Path) -> None:
    line = replace(
        project / "domain.yml", "Auf Wiedersehen! Ich wünsche", "Auf Wiedersehen! Quelle: IQWiG. Ich wünsche"
    )
    assert new_problems(project, tmp, STAGES) == [
        f"domain.yml:{line}: Die Antwort 'utter_goodbye' enthält „Quelle:“. So beheben Sie es: streichen Sie die Quellenangabe aus dem Text: der Bot setzt die Zeile „Quelle: …“ selbst unter jede Antwort"
    ]


def test_the_disclaimer_inside_a_claim(project: Path, tmp: Path) -> None:
    path = project / "knowledge/claims/massage.yml"
    disclaimer = "Hinweis: Ich bin ein Informations-Bot und ersetze kein Gespräch mit Ihrer Ärztin oder Ihrem Arzt."
    line = replace(path, "sind Massagen nicht gut untersucht.", f"sind Massagen nicht gut untersucht. {disclaimer}")
    problems = new_problems(project, tmp, STAGES)
    assert (
        f"knowledge/claims/massage.yml:{line}: Die Aussage 'massage.nicht_gut_untersucht' enthält den Hinweis am Ende jeder Antwort. So beheben Sie es: streichen Sie ihn aus dem Text: der Bot fügt ihn selbst an (knowledge/sources.yml, 'disclaimer')"
        in problems
    )


def test_a_quote_that_is_not_on_the_page(project: Path, tmp: Path) -> None:
    path = project / "knowledge/claims/massage.yml"
    line = replace(
        path,
        '"Massagen sind bei chronischen Rückenschmerzen nicht gut untersucht."',
        '"Massagen sind bei chronischen Rückenschmerzen schlecht untersucht."',
    )
    assert new_problems(project, tmp, STAGES) == [
        f"knowledge/claims/massage.yml:{line}: Die Aussage 'massage.nicht_gut_untersucht': das Zitat „Massagen sind bei chronischen Rückenschmerzen schlecht untersucht.“ steht so nicht auf der Seite. Bis „Massagen sind bei chronischen Rückenschmerzen“ stimmt es, danach nicht mehr. So beheben Sie es: kopieren Sie die Worte genau aus {SOURCE}, mit denselben Satzzeichen und Bindestrichen; kürzen dürfen Sie nur am Anfang und am Ende"
    ]


def test_a_claim_without_quote(project: Path, tmp: Path) -> None:
    path = project / "knowledge/claims/massage.yml"
    replace(path, '    quote: "Massagen sind bei chronischen Rückenschmerzen nicht gut untersucht."\n', "")
    line = line_of(path, "- id: nicht_gut_untersucht")
    assert new_problems(project, tmp, STAGES) == [
        f"knowledge/claims/massage.yml:{line}: Die Aussage 'massage.nicht_gut_untersucht' hat kein Zitat ('quote:'). So beheben Sie es: kopieren Sie die Worte der Seite, auf denen sie beruht, wörtlich in 'quote: \"…\"' (die Seite: {SOURCE})"
    ]


def test_words_copied_from_the_page(project: Path, tmp: Path) -> None:
    path = project / "knowledge/claims/massage.yml"
    line = replace(
        path,
        '"Bei chronischen Rückenschmerzen sind Massagen nicht gut untersucht."',
        '"Massagen sind bei chronischen Rückenschmerzen nicht gut untersucht."',
    )
    assert new_problems(project, tmp, STAGES) == [
        f"knowledge/claims/massage.yml:{line}: Die Aussage 'massage.nicht_gut_untersucht' übernimmt 8 oder mehr Wörter am Stück von der Seite („massagen sind bei chronischen rückenschmerzen nicht gut untersucht …“). So beheben Sie es: sagen Sie es mit eigenen, einfachen Worten; die genauen Worte der Seite gehören in 'quote:'"
    ]


def test_a_claim_harder_than_the_page(project: Path, tmp: Path) -> None:
    path = project / "knowledge/claims/traktion.yml"
    line = replace(
        path,
        "bei Rückenschmerzen hilft, ist nicht nachgewiesen.",
        "bei Rückenschmerzen hilft, ist nicht nachgewiesen: Sie ist wirkungslos.",
    )
    assert new_problems(project, tmp, STAGES) == [
        f"knowledge/claims/traktion.yml:{line}: Die Aussage 'traktion.nicht_nachgewiesen' sagt „wirkungslos“, das Zitat aber nicht: das macht die Aussage härter als die Seite. So beheben Sie es: sagen Sie nur so viel, wie das Zitat sagt (etwa „nicht nachgewiesen“ statt „wirkungslos“)"
    ]


def test_a_claim_of_three_sentences(project: Path, tmp: Path) -> None:
    path = project / "knowledge/claims/massage.yml"
    line = replace(
        path,
        "sind Massagen nicht gut untersucht.",
        "sind Massagen nicht gut untersucht. Das gilt für alle Formen. Mehr weiß man nicht.",
    )
    assert new_problems(project, tmp, STAGES) == [
        f"knowledge/claims/massage.yml:{line}: Die Aussage 'massage.nicht_gut_untersucht' hat 3 Sätze, erlaubt sind höchstens 2. So beheben Sie es: teilen Sie sie in zwei Aussagen mit je eigenem Zitat, oder kürzen Sie sie"
    ]


def test_a_silent_text_that_does_not_say_so(project: Path, tmp: Path) -> None:
    path = project / "knowledge/claims/massage.yml"
    line = replace(
        path, '"Ob die Krankenkasse eine Massage bezahlt, sagt die Seite nicht."', '"Massagen zahlt die Krankenkasse."'
    )
    assert new_problems(project, tmp, STAGES) == [
        f"knowledge/claims/massage.yml:{line}: Der Text unter 'silent:' zu 'massage' sagt nicht, dass die Seite dazu nichts sagt. So beheben Sie es: beginnen Sie so: „Ob …, sagt die Seite nicht.“ oder „Zu … sagt die Seite nichts.“"
    ]


def test_a_figure_in_a_detail_silence(project: Path, tmp: Path) -> None:
    path = project / "knowledge/details.yml"
    line = replace(
        path,
        '"Was eine Behandlung kostet, steht nicht auf der Seite."',
        '"Was eine Behandlung kostet, steht nicht auf der Seite. Rechnen Sie mit 20 bis 40 €."',
    )
    assert new_problems(project, tmp, STAGES) == [
        f"knowledge/details.yml:{line}: Der Text 'silent:' des Details 'preis' nennt „20“, „40“, „Euro“, obwohl die Seite dazu schweigt. So beheben Sie es: streichen Sie Zahlen und Preise: sagen Sie nur, dass die Seite dazu nichts sagt; wer es weiß (Krankenkasse, Ärztin oder Arzt), fügt der Bot selbst an ('refer:')"
    ]


def test_the_real_fact_store_obeys_every_rule(kb) -> None:
    from tools.content_rules import check_knowledge

    assert check_knowledge(kb, Path(__file__).resolve().parents[2]) == []


def test_quelle_in_an_interface_text_but_not_in_a_source_line(project: Path, tmp: Path) -> None:
    path = project / "interface_texts.yml"
    line = replace(path, 'other_therapy: "Andere Behandlung"', 'other_therapy: "Andere Behandlung (Quelle: IQWiG)"')
    assert new_problems(project, tmp, STAGES) == [
        f"interface_texts.yml:{line}: Der Text 'buttons.other_therapy' enthält „Quelle:“. So beheben Sie es: streichen Sie die Quellenangabe aus dem Text: der Bot setzt die Zeile „Quelle: …“ selbst unter jede Antwort"
    ]


def test_a_silent_text_of_three_sentences(project: Path, tmp: Path) -> None:
    path = project / "knowledge/claims/massage.yml"
    old = "Ob die Krankenkasse eine Massage bezahlt, sagt die Seite nicht."
    line = replace(path, old, old + " Fragen Sie nach. Das hilft oft.")
    assert new_problems(project, tmp, STAGES) == [
        f"knowledge/claims/massage.yml:{line}: Der Text unter 'silent:' zu 'massage' hat 3 Sätze, erlaubt sind höchstens 2. So beheben Sie es: sagen Sie in einem Satz, was die Seite nicht sagt; das Nächstliegende, was sie sagt, nennen Sie mit 'nearest:'"
    ]
