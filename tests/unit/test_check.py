"""`make check` (tools.check, tools.validate): one test per kind of editing mistake, each asserting the message.

Each test copies the project's files into a temporary folder, makes one mistake and runs the
check; the expected line is found by searching the copied file, so the tests keep working when
the files grow. The YAML examples of docs/EDITING.md are applied here, exactly as the guide
shows them, and must pass (or fail with the message the guide promises).
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.fixtures.project import (
    FAST,
    ROOT,
    claim_line,
    copy_project,
    line_of,
    new_problems,
    replace,
    standalone_make_env,
    without_line,
)
from tools import check as check_module
from tools.check import check

GUIDE = ROOT / "docs" / "EDITING.md"
FORMAT = re.compile(r"^[\w./-]+:\d+: \S.*\. So beheben Sie es: \S.*$")


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("check")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def therapy_ids() -> list[str]:
    """The treatments, read from knowledge/therapies.yml (no test lists them)."""
    document = YAML(typ="safe").load((ROOT / "knowledge" / "therapies.yml").read_text(encoding="utf-8"))
    return list(document["therapies"])


# -- YAML syntax --------------------------------------------------------------------------
def test_wrong_indentation_names_the_line(project: Path, tmp: Path) -> None:
    line = replace(project / "data/rules.yml", "      - action: utter_goodbye", "     - action: utter_goodbye")
    assert new_problems(project, tmp) == [
        f"data/rules.yml:{line}: kaputtes YAML: die Einrückung dieser Zeile passt nicht zu den Zeilen darüber. "
        f"So beheben Sie es: richten Sie die Zeile an den Zeilen darüber aus, nur mit Leerzeichen"
    ]


def test_unclosed_quote_names_the_line_where_it_opened(project: Path, tmp: Path) -> None:
    line = replace(project / "domain.yml", 'alles Gute."', "alles Gute.")
    assert new_problems(project, tmp) == [
        f'domain.yml:{line}: kaputtes YAML: in dieser Zeile wird ein Anführungszeichen " geöffnet und nicht '
        f'geschlossen. So beheben Sie es: setzen Sie am Ende des Textes das schließende "'
    ]


def test_duplicate_key(project: Path, tmp: Path) -> None:
    path = project / "knowledge/claims/massage.yml"
    line = claim_line(path, "allergie", "section")
    replace(path, "    section: massagen\nshared", "    section: massagen\n    section: massagen\nshared")
    assert new_problems(project, tmp) == [
        f"knowledge/claims/massage.yml:{line + 1}: kaputtes YAML: 'section:' steht zweimal im selben Block. "
        f"So beheben Sie es: löschen Sie einen der beiden oder benennen Sie ihn um"
    ]


def test_unclosed_list(project: Path, tmp: Path) -> None:
    path = project / "knowledge/claims/traktion.yml"
    line = replace(path, "aspects: [wirksamkeit]", "aspects: [wirksamkeit")
    assert new_problems(project, tmp) == [
        f"knowledge/claims/traktion.yml:{line}: kaputtes YAML: eine Liste in [ ] ist nicht geschlossen. "
        f"So beheben Sie es: prüfen Sie die Kommas und die schließende ]"
    ]


def test_tab_instead_of_spaces(project: Path, tmp: Path) -> None:
    line = replace(project / "data/rules.yml", "      - intent: greet", "\t- intent: greet")
    assert new_problems(project, tmp) == [
        f"data/rules.yml:{line}: kaputtes YAML: die Zeile enthält ein Tabulatorzeichen. "
        f"So beheben Sie es: rücken Sie nur mit Leerzeichen ein, nie mit Tab"
    ]


def test_a_text_line_indented_too_little_inside_a_block(project: Path, tmp: Path) -> None:
    """Issue 17: this was reported on the next line as a missing ':'."""
    path = project / "knowledge/claims/massage.yml"
    start = replace(
        path,
        'text: "Bei chronischen Rückenschmerzen sind Massagen nicht gut untersucht."',
        "text: >-\n      Bei chronischen Rückenschmerzen sind\n     Massagen nicht gut untersucht.",
    )
    assert new_problems(project, tmp) == [
        f"knowledge/claims/massage.yml:{start + 2}: kaputtes YAML: diese Zeile gehört wohl zum Text, der in Zeile "
        f"{start} beginnt, ist aber weniger eingerückt als die Zeilen darüber. So beheben Sie es: rücken Sie sie "
        f"genauso weit ein wie den Text darüber (6 Leerzeichen)"
    ]


def test_a_key_indented_into_a_block_text(project: Path, tmp: Path) -> None:
    """Issue 17: `sections:` indented into the text was reported as "has no source"."""
    path = project / "knowledge/claims/massage.yml"
    old = (
        '    text: "Bei chronischen Rückenschmerzen sind Massagen nicht gut untersucht."\n'
        '    quote: "Massagen sind bei chronischen Rückenschmerzen nicht gut untersucht."\n'
        "    section: massagen\n"
    )
    new = (
        "    text: >-\n      Bei chronischen Rückenschmerzen sind Massagen nicht gut untersucht.\n"
        "      section: massagen\n"
        '    quote: "Massagen sind bei chronischen Rückenschmerzen nicht gut untersucht."\n'
    )
    line = replace(path, old, new)
    assert new_problems(project, tmp) == [
        f"knowledge/claims/massage.yml:{line}: in 'text:' der Aussage 'massage.nicht_gut_untersucht' steht "
        f"„section: …“: die Zeile 'section:' ist so weit eingerückt wie der Text und gehört deshalb zu ihm. "
        f"So beheben Sie es: rücken Sie 'section:' genauso weit ein wie 'text:' (4 Leerzeichen)"
    ]


def test_a_key_indented_under_a_quoted_text(project: Path, tmp: Path) -> None:
    path = project / "knowledge/claims/massage.yml"
    old = '    quote: "Massagen sind bei chronischen Rückenschmerzen nicht gut untersucht."\n    section: massagen'
    line = replace(path, old, old.replace("    section", "      section"))
    assert new_problems(project, tmp) == [
        f"knowledge/claims/massage.yml:{line + 1}: kaputtes YAML: diese Zeile ist weiter eingerückt als 'quote:' "
        f"darüber. So beheben Sie es: rücken Sie sie genauso weit ein wie 'quote:' (4 Leerzeichen)"
    ]


def test_a_pattern_starting_with_a_star_unquoted(project: Path, tmp: Path) -> None:
    line = replace(project / "knowledge/therapies.yml", "[elektrode*, ", "[*elektrode, ")
    assert new_problems(project, tmp) == [
        f"knowledge/therapies.yml:{line}: kaputtes YAML: ein Eintrag beginnt mit *, und YAML liest * am Anfang als "
        f'Verweis auf eine andere Stelle. So beheben Sie es: setzen Sie das Wort in Anführungszeichen, zum Beispiel "*elektrode"'
    ]


# -- the fact store ---------------------------------------------------------------------
def test_a_section_written_as_a_list(project: Path, tmp: Path) -> None:
    path = project / "knowledge/claims/traktion.yml"
    line = replace(path, "    section: sonstige", "    section: [sonstige]")
    assert new_problems(project, tmp) == [
        f"knowledge/claims/traktion.yml:{line}: 'section:' der Aussage 'traktion.nicht_nachgewiesen' ist eine Liste. "
        f"So beheben Sie es: schreiben Sie 'section: sonstige' ohne eckige Klammern"
    ]


def test_the_old_key_sections_with_a_plain_word(project: Path, tmp: Path) -> None:
    """Issue 17: `sections: einleitung` was read letter by letter ('e', 'i', …)."""
    path = project / "knowledge/claims/traktion.yml"
    line = replace(path, "    section: sonstige", "    sections: sonstige")
    assert new_problems(project, tmp) == [
        f"knowledge/claims/traktion.yml:{line}: die Aussage 'traktion.nicht_nachgewiesen' nennt ihren Abschnitt mit "
        f"'sections:'; der Schlüssel heißt 'section:' (ein Abschnitt je Aussage). So beheben Sie es: schreiben Sie "
        f"'section: sonstige'"
    ]


def test_an_unknown_section(project: Path, tmp: Path) -> None:
    path = project / "knowledge/claims/traktion.yml"
    line = replace(path, "    section: sonstige", "    section: einleitung")
    problems = new_problems(project, tmp)
    assert len(problems) == 1
    assert problems[0].startswith(
        f"knowledge/claims/traktion.yml:{line}: Aussage 'traktion.nicht_nachgewiesen': unbekannter Abschnitt "
        f"'einleitung'. So beheben Sie es: nehmen Sie einen von: seitenanfang, gut_zu_wissen, akupunktur"
    )


def test_a_new_treatment_without_its_claims_file(project: Path, tmp: Path) -> None:
    """A missing facts file is reported with the template to create it."""
    path = project / "knowledge/therapies.yml"
    replace(
        path,
        '  ultraschall:\n    name: "Ultraschalltherapie"\n',
        '  ultraschall:\n    name: "Ultraschalltherapie"\n  waermetherapie:\n    name: "Wärmetherapie"\n',
    )
    line = line_of(path, "  waermetherapie:")
    problems = new_problems(project, tmp)
    assert problems[0] == (
        f"knowledge/therapies.yml:{line}: zur Behandlung 'waermetherapie' fehlt die Datei "
        f"knowledge/claims/waermetherapie.yml mit ihren Aussagen. So beheben Sie es: legen Sie die Datei an: "
        f"kopieren Sie die Vorlage aus docs/EDITING.md (Abschnitt „Eine neue Behandlung“, Schritt 3) nach "
        f"knowledge/claims/waermetherapie.yml und schreiben Sie nur, was die Seite über die Behandlung sagt"
    )
    domain_line = line_of(project / "domain.yml", "    values:")
    assert problems[1:] == [
        f"knowledge/therapies.yml:{line}: zur Behandlung 'waermetherapie' stehen keine Namen in "
        f"data/therapy_names.yml. So beheben Sie es: legen Sie dort einen Block an: '- synonym: waermetherapie', "
        f"darunter 'examples: |' und je Zeile '- Name' (Name, Mehrzahl, Tippfehler, Alltagswörter)",
        f"knowledge/therapies.yml:{line}: keine Beispielfrage in data/ nennt die Behandlung 'waermetherapie'. "
        f"So beheben Sie es: ergänzen Sie in data/nlu.yml unter jeder Absicht (ask_effectiveness, ask_risks, "
        f'ask_costs, ask_method) Fragen wie \'- hilft [Name]{{"entity": "therapy", "value": "waermetherapie"}}?\'',
        f"domain.yml:{domain_line}: dem Slot 'therapy' fehlt der Wert 'waermetherapie'. So beheben Sie es: "
        f"ergänzen Sie unter slots > therapy > values die Zeile '      - waermetherapie'",
    ]


# -- word lists --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("file", "old", "new", "pattern"),
    [
        ("knowledge/details.yml", "[studie*, studienlage,", '[studie*, "studien ...", studienlage,', "studien ..."),
        # the questions about the warning signs are word lists like the others, the rules in one sentence too
        ("knowledge/safety.yml", "  - [[wann, ab wann,", '  - [["wann ...", ab wann,', "wann ..."),
    ],
)
def test_an_invalid_pattern(project: Path, tmp: Path, file: str, old: str, new: str, pattern: str) -> None:
    line = replace(project / file, old, new)
    assert new_problems(project, tmp) == [
        f"{file}:{line}: das Muster ist ungültig: '{pattern}': '...' muss zwischen zwei Wörtern "
        f"stehen. So beheben Sie es: erlaubt sind Wörter aus Buchstaben und Ziffern, * am Anfang oder Ende eines "
        f"Wortes und „...“ zwischen zwei Wörtern (components/matching.py; docs/EDITING.md, „Wortlisten“)"
    ]


def test_a_pattern_with_a_colon(project: Path, tmp: Path) -> None:
    path = project / "knowledge/safety.yml"
    line = replace(path, "mention_only: [", "mention_only: [frage: ob, ")
    problems = new_problems(project, tmp)
    assert problems == [
        f"knowledge/safety.yml:{line}: in der Wortliste steht ein Eintrag mit Doppelpunkt (YAML liest ihn als "
        f'Schlüssel: Wert). So beheben Sie es: setzen Sie das Muster in Anführungszeichen: "wort: wort" – oder '
        f"lassen Sie den Doppelpunkt weg"
    ]


def test_a_phrase_in_the_language_lists(project: Path, tmp: Path) -> None:
    path = project / "knowledge/language.yml"
    line = replace(path, "negators: [kein,", 'negators: ["gar nicht", kein,')
    assert new_problems(project, tmp) == [
        f"knowledge/language.yml:{line}: 'gar nicht' in 'negators' ist kein einzelnes Wort. So beheben Sie es: "
        f"schreiben Sie ein Wort ohne Leerzeichen, Ziffern, Punkt oder *"
    ]


def test_a_language_list_missing(project: Path, tmp: Path) -> None:
    path = project / "knowledge/language.yml"
    replace(path, "abbreviations:", "abkuerzungen:")
    assert new_problems(project, tmp) == [
        "knowledge/language.yml:1: es fehlt die Liste 'abbreviations:'. So beheben Sie es: schreiben Sie "
        "'abbreviations: [wort1, wort2]' (siehe die Erklärung über den anderen Listen)"
    ]


# -- names, examples, domain -------------------------------------------------------------------
def test_a_name_under_two_treatments_differing_only_by_hyphen_or_umlaut(project: Path, tmp: Path) -> None:
    """Issue 17: the name finder treats "Akupunktur-Nadeln" and "Akupunkturnadeln" as one name; the check now does too."""
    path = project / "data/therapy_names.yml"
    first = name_line(path, "Akupunkturnadeln")
    line = replace(path, "    - Rückenmassage\n", "    - Rückenmassage\n    - Akupunktur-Nadeln\n")
    assert new_problems(project, tmp) == [
        f"data/therapy_names.yml:{line + 1}: „Akupunktur-Nadeln“ ist ein Name von 'massage' und auch von "
        f"'akupunktur' (data/therapy_names.yml:{first}) (als „Akupunkturnadeln“; Groß-/Kleinschreibung, Umlaute, "
        f"Bindestriche und Leerzeichen zählen nicht). So beheben Sie es: ein Name darf nur zu einer Behandlung "
        f"gehören: streichen Sie ihn bei der falschen"
    ]


def name_line(path: Path, name: str) -> int:
    """Line of the first name in data/therapy_names.yml that the name finder takes for `name`."""
    key = check_module.Checker.name_key(name)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("    - ") and check_module.Checker.name_key(line.strip()[2:]) == key:
            return number
    raise AssertionError(name)


def test_an_annotation_that_disagrees_with_the_names(project: Path, tmp: Path) -> None:
    first = name_line(project / "data/therapy_names.yml", "Reizstrom")
    line = replace(
        project / "data/nlu.yml",
        '[Reizstrom]{"entity": "therapy", "value": "elektrotherapie"}',
        '[Reizstrom]{"entity": "therapy", "value": "tens"}',
    )
    assert new_problems(project, tmp) == [
        f"data/nlu.yml:{line}: „Reizstrom“ ist hier als 'tens' markiert, in data/therapy_names.yml aber ein Name von "
        f"'elektrotherapie' (data/therapy_names.yml:{first}). So beheben Sie es: nehmen Sie an beiden Stellen "
        f"dieselbe Behandlung"
    ]


@pytest.mark.parametrize(
    ("file", "old", "new", "step", "how"),
    [
        (
            "data/nlu.yml",
            '[Reizstrom]{"entity": "therapy", "value": "elektrotherapie"}',
            '[Reizstrom]{"entity": "therapy", "value": "reizstrom"}',
            None,
            'schreiben Sie [Wort]{"entity": "therapy", "value": "kennung"}',
        ),
        (
            "data/stories.yml",
            "- therapy: massage",
            "- therapy: reizstrom",
            "      - ",
            "schreiben Sie 'therapy: kennung'",
        ),
        (
            "domain.yml",
            '{"therapy": "akupunktur"',
            '{"therapy": "reizstrom"',
            "        - title:",
            'schreiben Sie {"therapy": "kennung"}',
        ),
    ],
    ids=["nlu-example", "story-entity", "button-payload"],
)
def test_a_value_that_is_no_therapy_id(
    project: Path, tmp: Path, file: str, old: str, new: str, step: str | None, how: str
) -> None:
    line = replace(project / file, old, new)
    if step is not None:  # reported at the line where the story step or the button starts
        lines = (project / file).read_text(encoding="utf-8").splitlines()
        line = next(n for n in range(line, 0, -1) if lines[n - 1].startswith(step))
    assert new_problems(project, tmp) == [
        f"{file}:{line}: 'reizstrom' ist keine Kennung einer Behandlung. So beheben Sie es: {how}, mit einer "
        f"Kennung aus knowledge/therapies.yml: {', '.join(therapy_ids())}"
    ]


def test_the_domain_lacks_a_treatment(project: Path, tmp: Path) -> None:
    replace(project / "domain.yml", "      - ultraschall\n", "")
    line = line_of(project / "domain.yml", "    values:")
    assert new_problems(project, tmp) == [
        f"domain.yml:{line}: dem Slot 'therapy' fehlt der Wert 'ultraschall'. So beheben Sie es: ergänzen Sie unter "
        f"slots > therapy > values die Zeile '      - ultraschall'"
    ]


def test_a_treatment_without_names(project: Path, tmp: Path) -> None:
    path = project / "data/therapy_names.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index("- synonym: traktion\n")
    path.write_text(text[:start] + text[text.index("- synonym:", start + 1) :], encoding="utf-8")
    line = line_of(project / "knowledge/therapies.yml", "  traktion:")
    assert new_problems(project, tmp) == [
        f"knowledge/therapies.yml:{line}: zur Behandlung 'traktion' stehen keine Namen in data/therapy_names.yml. "
        f"So beheben Sie es: legen Sie dort einen Block an: '- synonym: traktion', darunter 'examples: |' und je "
        f"Zeile '- Name' (Name, Mehrzahl, Tippfehler, Alltagswörter)"
    ]


def test_the_official_name_missing_from_the_names(project: Path, tmp: Path) -> None:
    path = project / "data/therapy_names.yml"
    replace(path, "    - Traktion\n", "")
    first = line_of(path, "- synonym: traktion") + 2
    assert new_problems(project, tmp) == [
        f"data/therapy_names.yml:{first}: der Name „Traktion“ aus knowledge/therapies.yml fehlt unter "
        f"'- synonym: traktion'. So beheben Sie es: ergänzen Sie die Zeile '    - Traktion'"
    ]


def test_a_rule_with_an_unknown_response(project: Path, tmp: Path) -> None:
    line = replace(project / "data/rules.yml", "- action: utter_goodbye", "- action: utter_goodby")
    assert new_problems(project, tmp) == [
        f"data/rules.yml:{line}: die Aktion 'utter_goodby' steht nicht in domain.yml. So beheben Sie es: "
        f"korrigieren Sie den Namen, oder ergänzen Sie sie in domain.yml unter 'responses:' (utter_…) oder 'actions:'"
    ]


def test_a_story_with_an_unknown_intent(project: Path, tmp: Path) -> None:
    line = replace(project / "data/stories.yml", "- intent: ask_costs", "- intent: ask_cost")
    assert new_problems(project, tmp) == [
        f"data/stories.yml:{line}: die Absicht 'ask_cost' steht nicht in domain.yml. So beheben Sie es: korrigieren "
        f"Sie den Namen, oder ergänzen Sie sie in domain.yml unter 'intents:'"
    ]


def test_almost_the_same_example_under_two_intents(project: Path, tmp: Path) -> None:
    first = line_of(
        project / "data/nlu.yml",
        '- hilft [Akupunktur]{"entity": "therapy", "value": "akupunktur"} gegen Rückenschmerzen?',
    )
    path = project / "data/nlu_conversation.yml"
    line = replace(
        path,
        "- intent: goodbye\n  examples: |\n",
        "- intent: goodbye\n  examples: |\n    - Hilft Akupunktur gegen Rückenschmerzen\n",
    )
    assert new_problems(project, tmp) == [
        f"data/nlu.yml:{first}: der Beispielsatz „hilft Akupunktur gegen Rückenschmerzen?“ steht unter "
        f"'ask_effectiveness' und fast gleich auch unter 'goodbye' („Hilft Akupunktur gegen Rückenschmerzen“, "
        f"data/nlu_conversation.yml:{line + 2}). So beheben Sie es: ein Satz darf nur unter einer Absicht stehen: "
        f"löschen Sie ihn dort, wo er nicht hingehört"
    ]


def test_a_crisis_sign_in_an_example_of_another_intent(project: Path, tmp: Path) -> None:
    # the bot answers it with the crisis reply; the classifier must not learn it as a fact question
    line = replace(
        project / "data/nlu_conversation.yml",
        "- intent: goodbye\n  examples: |\n",
        "- intent: goodbye\n  examples: |\n    - Ich habe keine Hoffnung mehr, tschüss\n",
    )
    assert new_problems(project, tmp) == [
        f"data/nlu_conversation.yml:{line + 2}: der Satz steht unter 'goodbye', enthält aber ein Zeichen einer "
        f"Krise („keine Hoffnung mehr“, knowledge/safety.yml); der Bot antwortet darauf mit dem Krisenhinweis, das "
        f"Modell lernte hier etwas anderes. So beheben Sie es: schreiben Sie den Satz ohne diese Worte oder stellen "
        f"Sie ihn unter 'crisis'"
    ]


def test_an_emergency_beside_a_crisis_word_is_no_such_problem(project: Path, tmp: Path) -> None:
    # "vom Dach" is a crisis word, but a fall with breathlessness is an emergency first
    replace(
        project / "data/nlu_conversation.yml",
        "- intent: goodbye\n  examples: |\n",
        "- intent: goodbye\n  examples: |\n    - Nach dem Sturz vom Dach bekomme ich kaum Luft, tschüss\n",
    )
    assert not [p for p in new_problems(project, tmp) if "Krise" in p]


# -- Rasa's own checks (one slow run on a copy with several mistakes) ------------------------------
@pytest.fixture(scope="module")
def rasa_baseline(tmp: Path) -> frozenset[str]:
    clean = copy_project(tmp / "rasa-clean", with_code=True)
    return frozenset(without_line(p) for p in check(clean, rasa=True, stages={"rasa"}))


def rasa_new(root: Path, known: frozenset[str]) -> list[str]:
    return [p for p in check(root, rasa=True, stages={"rasa"}) if without_line(p) not in known]


def test_rasa_findings_in_german_with_file_and_line(tmp_path: Path, rasa_baseline: frozenset[str]) -> None:
    """Issue 17: an example under two intents and a rule that contradicts another passed as clean."""
    project = copy_project(tmp_path / "project", with_code=True)
    example = '- hilft [Akupunktur]{"entity": "therapy", "value": "akupunktur"} gegen Rückenschmerzen?'
    first = line_of(project / "data/nlu.yml", example)
    repeated = (
        replace(
            project / "data/nlu_conversation.yml",
            "- intent: goodbye\n  examples: |\n",
            f"- intent: goodbye\n  examples: |\n    {example}\n",
        )
        + 2
    )
    rule = (
        replace(
            project / "data/rules.yml",
            "rules:\n",
            "rules:\n  - rule: goodbye answered with thanks\n    steps:\n      - intent: goodbye\n      - action: utter_thanks\n\n",
        )
        + 1
    )
    intent = replace(project / "domain.yml", "  - keep_my_data\n", "  - keep_my_data\n  - ask_find_provider\n") + 1
    story = (
        replace(
            project / "data/stories.yml",
            "stories:\n",
            "stories:\n  - story: risks answered with goodbye\n    steps:\n      - intent: ask_risks\n      - action: utter_goodbye\n\n",
        )
        + 1
    )
    problems = rasa_new(project, rasa_baseline)
    assert (
        f"data/nlu.yml:{first}: der Beispielsatz „hilft Akupunktur gegen Rückenschmerzen?“ steht unter der Absicht 'ask_effectiveness' und auch unter 'goodbye' (data/nlu_conversation.yml:{repeated}). So beheben Sie es: ein Satz darf nur unter einer Absicht stehen: löschen Sie ihn dort, wo er nicht hingehört"
        in problems
    )
    assert (
        f"domain.yml:{intent}: die Absicht 'ask_find_provider' steht in domain.yml, hat aber keine Beispielsätze in data/. So beheben Sie es: legen Sie in data/nlu.yml einen Block '- intent: ask_find_provider' mit 'examples: |' an (mindestens 10 Beispiele), oder streichen Sie die Absicht aus domain.yml"
        in problems
    )
    assert (
        f"domain.yml:{intent}: die Absicht 'ask_find_provider' kommt in keiner Regel und keiner Story vor: der Bot weiß nicht, was er darauf antworten soll. So beheben Sie es: schreiben Sie in data/rules.yml eine Regel mit '- intent: ask_find_provider' und der passenden '- action: …'"
        in problems
    )
    contradiction = [p for p in problems if "goodbye answered with thanks" in p]
    assert len(contradiction) == 1, problems
    assert re.match(
        r"data/rules\.yml:\d+: die Regel „[^“]+“ führt zu '(utter_goodbye|utter_thanks)', die Regel „[^“]+“ \(data/rules\.yml:\d+\) in derselben Lage aber zu '(utter_thanks|utter_goodbye)'\. So beheben Sie es: auf dieselbe Absicht darf nur eine Antwort folgen",
        contradiction[0],
    ), contradiction
    assert f"data/rules.yml:{rule}" in contradiction[0]
    stories = [p for p in problems if "risks answered with goodbye" in p]
    assert any(
        p.startswith(f"data/stories.yml:{story}: Storys gehen nach der Absicht 'ask_risks' verschieden weiter")
        for p in stories
    ) or any(
        p.startswith(f"data/stories.yml:{story}: die Story „risks answered with goodbye“ führt zu 'utter_goodbye'")
        for p in stories
    ), problems
    assert all(FORMAT.match(p) for p in problems), problems
    assert not any("Rasa meldet" in p or "auf Englisch" in p for p in problems), problems


def test_a_response_no_rule_uses(tmp_path: Path, rasa_baseline: frozenset[str]) -> None:
    project = copy_project(tmp_path / "project", with_code=True)
    line = (
        replace(
            project / "domain.yml",
            "responses:\n",
            'responses:\n  utter_never_sent:\n    - text: "Das sagt der Bot nie, weil keine Regel es verlangt."\n',
        )
        + 1
    )
    assert rasa_new(project, rasa_baseline) == [
        f"domain.yml:{line}: die Antwort 'utter_never_sent' kommt in keiner Regel und keiner Story vor: der Bot "
        f"sendet sie nie. So beheben Sie es: nutzen Sie sie in data/rules.yml ('- action: utter_never_sent') oder "
        f"streichen Sie sie aus domain.yml"
    ]


# -- the output ------------------------------------------------------------------------------
def run_check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.check", "--root", str(root), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def test_broken_yaml_names_the_stages_it_skipped_and_counts_the_problems(project: Path) -> None:
    replace(project / "data/rules.yml", "      - action: utter_goodbye", "     - action: utter_goodbye")
    result = run_check(project)
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 1
    assert (
        "Nicht geprüft: Rasa-Prüfung (mit Regelkonflikten), weil data/rules.yml kein gültiges YAML ist (siehe oben)."
        in lines
    )
    problems = [line for line in lines if FORMAT.match(line)]
    assert any(line.startswith("data/rules.yml:") for line in problems)
    count = len(problems)
    assert lines[-1] == f"{count} {'Problem' if count == 1 else 'Probleme'} gefunden"
    assert lines[0] == problems[0]  # problems first, then the summary


def test_a_clean_run_ends_with_alles_in_ordnung(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report = check_module.Report(ran=["YAML-Syntax (1 Dateien)"])
    monkeypatch.setattr(check_module, "run", lambda *args, **kwargs: report)
    monkeypatch.setattr(sys, "argv", ["check"])
    assert check_module.main() == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "Alles in Ordnung"


def test_one_problem_is_counted_in_the_singular(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report = check_module.Report(problems=["a.yml:1: x. So beheben Sie es: y"], ran=["YAML-Syntax"])
    monkeypatch.setattr(check_module, "run", lambda *args, **kwargs: report)
    monkeypatch.setattr(sys, "argv", ["check"])
    assert check_module.main() == 1
    assert capsys.readouterr().out.strip().splitlines()[-1] == "1 Problem gefunden"


def run_make_check(tmp_path: Path, status: int, last: str, sigint: object) -> subprocess.CompletedProcess:
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "python").write_text(f"#!/bin/sh\necho '{last}'\nexit {status}\n", encoding="utf-8")
    (fake / "python").chmod(0o755)
    return subprocess.run(
        ["make", "--no-print-directory", "-o", "setup", "check", f"BIN={fake}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=standalone_make_env(),
        preexec_fn=lambda: signal.signal(signal.SIGINT, sigint),  # as a terminal, or a background job, starts make
    )


@pytest.mark.parametrize(("status", "last"), [(1, "2 Probleme gefunden"), (0, "Alles in Ordnung")])
def test_make_check_adds_no_make_error_line(tmp_path: Path, status: int, last: str) -> None:
    """Issue 17: `make: *** … Error 1` looked like one more file:line to fix."""
    result = run_make_check(tmp_path, status, last, signal.SIG_DFL)
    assert result.stdout.strip().splitlines()[-1] == last
    assert "make:" not in result.stderr and "***" not in result.stdout + result.stderr
    assert (result.returncode != 0) == bool(status)


@pytest.mark.parametrize(("status", "last"), [(1, "2 Probleme gefunden"), (0, "Alles in Ordnung")])
def test_make_check_fails_even_where_make_ignores_sigint(tmp_path: Path, status: int, last: str) -> None:
    """Started in the background (SIGINT ignored), make cannot be stopped by SIGINT: a check with
    problems must still fail (it passed as success before), with make's own error line."""
    result = run_make_check(tmp_path, status, last, signal.SIG_IGN)
    assert result.stdout.strip().splitlines()[-1] == last
    assert (result.returncode != 0) == bool(status)


def test_every_message_has_file_line_what_and_fix(project: Path) -> None:
    """Many mistakes at once: every line has the same shape, and every stage still runs."""
    replace(project / "data/therapy_names.yml", "    - Rückenmassage\n", "    - Rückenmassage\n    - Nädeln\n")
    replace(
        project / "knowledge/claims/massage.yml",
        "sind Massagen nicht gut untersucht.",
        "sind Massagen in drei Studien nicht gut untersucht. Quelle: IQWiG.",
    )
    replace(project / "knowledge/details.yml", "[studie*, studienlage,", '[studie*, "... studien", studienlage,')
    replace(project / "data/rules.yml", "- action: utter_goodbye", "- action: utter_goodby")
    replace(project / "domain.yml", "      - ultraschall\n", "")
    report = check_module.run(project, rasa=False)
    assert report.problems and all(FORMAT.match(p) for p in report.problems), [
        p for p in report.problems if not FORMAT.match(p)
    ]
    for stage in ("Faktenspeicher", "Inhaltsregeln", "Wortlisten", "Trainingsdaten und Testsätze"):
        assert stage in report.ran


# -- docs/EDITING.md: every YAML example, applied as the guide shows it -----------------------
def guide_blocks() -> dict[str, str]:
    """The YAML examples of the guide by their marker `<!-- beispiel: name -->` (the indentation of a
    numbered list around a block is removed; the block's own indentation stays, it matters)."""
    text = GUIDE.read_text(encoding="utf-8")
    blocks = {}
    for match in re.finditer(r"<!-- beispiel: ([\w-]+) -->\n( *)```yaml\n(.*?)\n *```", text, flags=re.S):
        indent = match[2]
        lines = [line[len(indent) :] if line.startswith(indent) else line for line in match[3].splitlines()]
        blocks[match[1]] = "\n".join(lines) + "\n"
    return blocks


TESTED_BLOCKS = {
    "antwort-aendern", "beispielfragen", "namen", "detail", "detail-aussage", "neu-behandlung", "neu-domain",
    "neu-aussagen", "neu-namen", "neu-beispiele", "neu-testsatz", "erfunden", "regel-absicht", "regel-antwort",
    "regel-beispiele", "regel", "regel-test", "muster", "gruppen-schweigen",
}  # fmt: skip


def test_the_guides_silence_of_a_group_is_the_fact_stores_and_holds_for_its_members(kb) -> None:
    entry = YAML(typ="safe").load(guide_blocks()["gruppen-schweigen"])["silent"][0]
    for therapy in ("elektrotherapie", "tens", "pens", "interferenztherapie"):
        silence = kb.silence(therapy, detail=entry["details"][0])
        assert silence is not None and silence.text == entry["text"], therapy
        assert list(silence.nearest) == entry["nearest"] and silence.refer == entry["refer"], therapy


def test_every_yaml_example_of_the_guide_is_tested() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert text.count("```yaml") == len(guide_blocks()), "every ```yaml block needs a <!-- beispiel: name --> marker"
    assert set(guide_blocks()) == TESTED_BLOCKS


def test_the_guide_uses_one_annotation_format_and_files_in_the_repository() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert "](therapy:" not in text  # the JSON form only, as the data files use it
    assert "../shared" not in text
    assert "knowledge/source/iqwig-passive-behandlungen.txt" in text
    assert (ROOT / "docs" / "quality-figures.md").exists()


def test_the_guide_lists_every_hedge() -> None:
    from tools.content_rules import HEDGES

    section = GUIDE.read_text(encoding="utf-8").split("### Vorsicht bleibt", 1)[1].split("###", 1)[0]
    for hedge in HEDGES:
        assert hedge.name in section, hedge.name


def insert_after(path: Path, anchor: str, block: str) -> None:
    replace(path, anchor, anchor + block)


def test_quick_guide_examples_pass(project: Path, tmp: Path) -> None:
    blocks = guide_blocks()
    path = project / "knowledge/claims/massage.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: allergie\n")
    end = min(i for i in (text.find("  - id:", start + 1), text.find("\nshared:", start)) if i > 0)
    path.write_text(text[:start] + blocks["antwort-aendern"] + text[end:].lstrip("\n"), encoding="utf-8")
    insert_after(
        project / "data/nlu.yml",
        "- intent: ask_method\n  examples: |\n",
        blocks["beispielfragen"].split("examples: |\n", 1)[1],
    )
    insert_after(
        project / "data/therapy_names.yml",
        "- synonym: kinesio_taping\n  examples: |\n",
        blocks["namen"].split("examples: |\n", 1)[1],
    )
    tens = line_of(project / "knowledge/therapies.yml", "    in_group_words: [elektrode*")
    lines = (project / "knowledge/therapies.yml").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[tens - 1] = blocks["muster"]
    (project / "knowledge/therapies.yml").write_text("".join(lines), encoding="utf-8")
    assert new_problems(project, tmp, FAST | {"readability"}) == []


def test_a_claim_with_a_new_detail_as_the_guide_shows_it(project: Path, tmp: Path) -> None:
    blocks = guide_blocks()
    details = project / "knowledge/details.yml"
    replace(details, "\npremises:", "\n" + blocks["detail"] + "\npremises:")
    insert_after(project / "knowledge/claims/osteopathie.yml", "claims:\n", blocks["detail-aussage"])
    assert new_problems(project, tmp, FAST | {"readability"}) == []


def test_the_guide_example_without_its_hedge_is_stopped(project: Path, tmp: Path) -> None:
    block = guide_blocks()["detail-aussage"].replace("soll eine Störung", "kann eine Störung")
    replace(project / "knowledge/details.yml", "\npremises:", "\n" + guide_blocks()["detail"] + "\npremises:")
    insert_after(project / "knowledge/claims/osteopathie.yml", "claims:\n", block)
    problems = new_problems(project, tmp, FAST)
    assert len(problems) == 1 and "lässt die Vorsicht „sollen“ aus dem Zitat weg" in problems[0]


def test_invented_facts_are_stopped(project: Path, tmp: Path) -> None:
    insert_after(project / "knowledge/claims/traktion.yml", "claims:\n", guide_blocks()["erfunden"])
    problems = new_problems(project, tmp, FAST)
    assert any(
        re.match(
            r"knowledge/claims/traktion\.yml:\d+: Die Aussage 'traktion\.waerme_hilft': das Zitat „Wärme kann "
            r"Rückenschmerzen kurzfristig lindern\.“ steht so nicht auf der Seite\.",
            p,
        )
        for p in problems
    ), problems


def add_muskelenergietechnik(root: Path) -> None:
    """Steps 1 to 4 of the guide's new treatment."""
    blocks = guide_blocks()
    insert_after(
        root / "knowledge/therapies.yml", '  ultraschall:\n    name: "Ultraschalltherapie"\n', blocks["neu-behandlung"]
    )
    replace(root / "domain.yml", "      - ultraschall\n", blocks["neu-domain"])
    (root / "knowledge/claims/muskelenergietechnik.yml").write_text(blocks["neu-aussagen"], encoding="utf-8")
    names = root / "data/therapy_names.yml"
    moved = [
        line.strip()[2:]
        for line in blocks["neu-namen"].splitlines()
        if line.strip().startswith("- ") and "synonym" not in line
    ]
    text = "".join(
        line
        for line in names.read_text(encoding="utf-8").splitlines(keepends=True)
        if line.strip()[2:] not in moved or not line.startswith("    - ")
    )
    names.write_text(text.rstrip("\n") + "\n\n" + blocks["neu-namen"], encoding="utf-8")


def test_a_new_treatment_end_to_end_as_the_guide_shows_it(project: Path, tmp: Path) -> None:
    add_muskelenergietechnik(project)
    problems = new_problems(project, tmp, FAST | {"readability"})
    # what the guide says make check reports now (steps 5 and 6), and nothing else
    kinds = {
        "marked": r"„[^“]*“ ist hier als 'osteopathie' markiert, in data/therapy_names\.yml aber ein Name von 'muskelenergietechnik'",
        "no example": r"keine Beispielfrage in data/ nennt die Behandlung 'muskelenergietechnik'",
        "test set": r"die Nachricht nennt „[^“]*“ \(Behandlung 'muskelenergietechnik'\), ist aber als '\w+' ohne diese Behandlung markiert",
    }
    assert all(any(re.search(pattern, p) for pattern in kinds.values()) for p in problems), problems
    for kind, pattern in kinds.items():
        assert any(re.search(pattern, p) for p in problems), kind
    assert any(p.startswith("tests/nlu/testset.yml:") for p in problems)
    assert any(p.startswith("dev/") for p in problems)
    # step 5: the annotations of the moved names, and new examples
    for path in [*(project / "data").glob("*.yml"), *(project / "dev").glob("*.yml")]:
        text = re.sub(
            r'\[(muskel[^\]]*)\]\{"entity": "therapy", "value": "osteopathie"\}',
            r'[\1]{"entity": "therapy", "value": "muskelenergietechnik"}',
            path.read_text(encoding="utf-8"),
            flags=re.I,
        )
        path.write_text(
            re.sub(
                r"\[(muskel[^\]]*)\]\(therapy:osteopathie\)",
                r'[\1]{"entity": "therapy", "value": "muskelenergietechnik"}',
                text,
                flags=re.I,
            ),
            encoding="utf-8",
        )
    insert_after(
        project / "data/nlu.yml",
        "- intent: ask_effectiveness\n  examples: |\n",
        guide_blocks()["neu-beispiele"].split("examples: |\n", 1)[1],
    )
    # step 6: the test sets' labels, at the lines make check names
    for problem in check(project, stages={"training"}):
        m = re.match(r"((?:tests/nlu|dev)/\w+\.yml):(\d+): die Nachricht nennt", problem)
        if m:
            path = project / m[1]
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            index = int(m[2])  # the lines after `- text:` up to the next message
            while index < len(lines) and not lines[index].lstrip().startswith("- text:"):
                lines[index] = lines[index].replace("osteopathie", "muskelenergietechnik")
                index += 1
            path.write_text("".join(lines), encoding="utf-8")
    messages = YAML(typ="safe").load((project / "tests/nlu/testset.yml").read_text(encoding="utf-8"))["messages"]
    shown = YAML(typ="safe").load(guide_blocks()["neu-testsatz"])[0]
    assert shown in messages  # the guide's example is the fixed entry
    assert new_problems(project, tmp, FAST | {"readability"}) == []


def test_a_rule_as_the_guide_shows_it(tmp_path: Path, rasa_baseline: frozenset[str], tmp: Path) -> None:
    """The guide's rule example passes every stage, Rasa's and readability included (issue 17: its response failed)."""
    project = copy_project(tmp_path / "project", with_code=True)
    blocks = guide_blocks()
    insert_after(project / "domain.yml", "intents:\n", blocks["regel-absicht"])
    insert_after(project / "domain.yml", "responses:\n", blocks["regel-antwort"])
    (project / "data/nlu.yml").write_text(
        (project / "data/nlu.yml").read_text(encoding="utf-8").rstrip("\n") + "\n" + blocks["regel-beispiele"],
        encoding="utf-8",
    )
    insert_after(project / "data/rules.yml", "rules:\n", blocks["regel"] + "\n")
    insert_after(project / "tests/stories/test_conversations.yml", "stories:\n", blocks["regel-test"] + "\n")
    assert new_problems(project, tmp, FAST | {"readability"}) == []
    assert rasa_new(project, rasa_baseline) == []


# -- more mistakes, one line each ------------------------------------------------------------------
YAML_ONLY = frozenset()


def test_a_missing_file(project: Path, tmp: Path) -> None:
    (project / "data/therapy_names.yml").unlink()
    assert new_problems(project, tmp, YAML_ONLY) == [
        "data/therapy_names.yml:1: die Datei fehlt. So beheben Sie es: stellen Sie sie wieder her "
        "(git checkout -- data/therapy_names.yml)"
    ]


def test_a_file_not_saved_as_utf8(project: Path, tmp: Path) -> None:
    path = project / "data/rules.yml"
    path.write_bytes(path.read_text(encoding="utf-8").replace("rules:", "rules: # Grüße").encode("latin-1"))
    assert new_problems(project, tmp, YAML_ONLY) == [
        "data/rules.yml:1: die Datei ist nicht als UTF-8 gespeichert. So beheben Sie es: speichern Sie sie als UTF-8"
    ]


def test_a_colon_inside_a_value(project: Path, tmp: Path) -> None:
    line = replace(project / "domain.yml", '- text: "Auf Wiedersehen!', "- text: Auf Wiedersehen: bis bald!")
    replace(project / "domain.yml", 'alles Gute."', "alles Gute.")
    assert new_problems(project, tmp, YAML_ONLY) == [
        f"domain.yml:{line}: kaputtes YAML: ein Doppelpunkt mit Leerzeichen danach steht mitten in einem Wert. "
        f'So beheben Sie es: setzen Sie den ganzen Text in Anführungszeichen: text: "…"'
    ]


def test_a_broken_knowledge_file_names_the_stages_it_skips(project: Path) -> None:
    replace(project / "knowledge/claims/traktion.yml", "aspects: [wirksamkeit]", "aspects: [wirksamkeit")
    report = check_module.run(project, rasa=False)
    assert ("Faktenspeicher", "knowledge/claims/traktion.yml kein gültiges YAML ist (siehe oben)") in report.skipped
    assert ("Inhaltsregeln", "knowledge/claims/traktion.yml kein gültiges YAML ist (siehe oben)") in report.skipped
    assert any(stage == "Lesbarkeit der Antworten aus knowledge/" for stage, _ in report.skipped)
    assert "Trainingsdaten und Testsätze" in report.ran and "Wortlisten" in report.ran  # the other stages still run


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "knowledge/details.yml",
            "[studie*, studienlage,",
            "[studie*, [studien], studienlage,",
            "in der Wortliste steht eine Liste in der Liste. So beheben Sie es: schreiben Sie die Wörter einer Gruppe "
            'in eine Liste: [wort, wort*, "wort ... wort"]',
        ),
        (
            "knowledge/details.yml",
            "[studie*, studienlage,",
            "[studie*, , studienlage,",
            "in der Wortliste steht ein leerer Eintrag. So beheben Sie es: streichen Sie ihn oder schreiben Sie ein Wort",
        ),
    ],
    ids=["list-in-list", "empty"],
)
def test_word_list_shapes(project: Path, tmp: Path, file: str, old: str, new: str, message: str) -> None:
    line = replace(project / file, old, new)
    problems = new_problems(project, tmp)
    assert problems == [f"{file}:{line}: {message}"] or problems[0].startswith(
        f"{file}:{line}: kaputtes YAML"
    ), problems


def test_an_unknown_kind_of_topic_in_scope_yml(project: Path, tmp: Path) -> None:
    line = replace(project / "knowledge/scope.yml", "kind: medical", "kind: medizinisch")
    assert new_problems(project, tmp) == [
        f"knowledge/scope.yml:{line}: die Art 'medizinisch' gibt es nicht. So beheben Sie es: nehmen Sie eine von: "
        "condition, state, person, procedure, medical (erklärt oben in der Datei)"
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  wirkdauer: ask_effectiveness\n",
            "  wirkdauerr: ask_effectiveness\n",
            "das Detail 'wirkdauerr' gibt es in knowledge/details.yml nicht. So beheben Sie es: nehmen Sie den "
            "Namen eines Details unter details: in knowledge/details.yml",
        ),
        (
            "  mechanismus: ask_method\n",
            "  mechanismus: ask_methode\n",
            "die Absicht 'ask_methode' gibt es in domain.yml nicht. So beheben Sie es: nehmen Sie eine Absicht aus "
            "domain.yml > intents",
        ),
        (
            "  alter: ask_risks\n",
            "  alter: ask_costs\n",
            "das Detail 'alter' gehört in knowledge/details.yml zum Aspekt 'risiken', hier zu 'ask_costs'. So beheben "
            "Sie es: schreiben Sie 'alter: ask_risks'",
        ),
    ],
)
def test_a_detail_mapped_to_an_intent_in_scope_yml_must_exist(
    project: Path, tmp: Path, old: str, new: str, message: str
) -> None:
    line = replace(project / "knowledge/scope.yml", old, new)
    assert new_problems(project, tmp) == [f"knowledge/scope.yml:{line}: {message}"]


def test_names_for_an_unknown_treatment(project: Path, tmp: Path) -> None:
    path = project / "data/therapy_names.yml"
    line = replace(path, "- synonym: traktion\n", "- synonym: streckbank\n")
    problems = new_problems(project, tmp)
    assert problems[0] == (
        f"data/therapy_names.yml:{line}: Namen für die unbekannte Behandlung 'streckbank'. So beheben Sie es: tragen "
        f"Sie 'streckbank' in knowledge/therapies.yml ein oder nehmen Sie eine dieser Kennungen: {', '.join(therapy_ids())}"
    )


def test_a_slot_value_that_is_no_treatment(project: Path, tmp: Path) -> None:
    replace(project / "domain.yml", "      - ultraschall\n", "      - ultraschall\n      - waermetherapie\n")
    line = line_of(project / "domain.yml", "    values:")
    assert new_problems(project, tmp) == [
        f"domain.yml:{line}: der Slot 'therapy' hat den Wert 'waermetherapie', den es in knowledge/therapies.yml "
        f"nicht gibt. So beheben Sie es: tragen Sie die Behandlung dort ein oder streichen Sie den Wert"
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'payload: "/ask_overview"',
            'payload: "ask_overview"',
            "ein Button von '{name}' hat keine gültige 'payload'. So beheben Sie es: schreiben Sie payload: "
            '"/absicht" oder "/absicht{{{{"therapy": "kennung"}}}}"',
        ),
        (
            """payload: '/ask_effectiveness{{"therapy": "akupunktur"}}'""",
            """payload: '/ask_effectiveness{"therapy": "akupunktur"}'""",
            "die payload eines Buttons von '{name}' hat einfache geschweifte Klammern; Rasa liest {{…}} in einer "
            'Antwort als Platzhalter. So beheben Sie es: schreiben Sie die Klammern doppelt: "/absicht{{{{"therapy": '
            '"kennung"}}}}"',
        ),
        (
            'payload: "/ask_overview"',
            'payload: "/ask_overveiw"',
            "ein Button von '{name}' sendet die unbekannte Absicht 'ask_overveiw'. So beheben Sie es: korrigieren "
            "Sie die payload oder ergänzen Sie die Absicht in domain.yml unter 'intents:'",
        ),
    ],
    ids=["no-slash", "unknown-intent", "single-braces"],
)
def test_button_payloads(project: Path, tmp: Path, old: str, new: str, message: str) -> None:
    path = project / "domain.yml"
    line = replace(path, old, new)
    lines = path.read_text(encoding="utf-8").splitlines()
    button = next(n for n in range(line, 0, -1) if lines[n - 1].lstrip().startswith("- title:"))
    name = next(
        lines[n - 1].strip().rstrip(":") for n in range(line, 0, -1) if re.match(r"  utter_\w+:$", lines[n - 1])
    )
    assert new_problems(project, tmp) == [f"domain.yml:{button}: {message.format(name=name)}"]


def test_a_held_out_message_with_an_unknown_treatment(project: Path, tmp: Path) -> None:
    path = project / "tests/nlu/testset.yml"
    line = replace(path, "    therapy: [akupunktur]\n", "    therapy: [akkupunktur]\n")
    lines = path.read_text(encoding="utf-8").splitlines()
    item = next(n for n in range(line, 0, -1) if lines[n - 1].lstrip().startswith("- text:"))
    assert new_problems(project, tmp) == [
        f"tests/nlu/testset.yml:{item}: 'akkupunktur' ist keine Kennung einer Behandlung. So beheben Sie es: "
        f"schreiben Sie 'therapy: [kennung]', mit einer Kennung aus knowledge/therapies.yml: {', '.join(therapy_ids())}"
    ]


def test_a_dev_example_naming_a_treatment_the_set_never_marks(project: Path, tmp: Path) -> None:
    """A new treatment: the development sets still call its questions something else."""
    therapies = project / "knowledge/therapies.yml"
    replace(
        therapies,
        '  ultraschall:\n    name: "Ultraschalltherapie"\n',
        '  ultraschall:\n    name: "Ultraschalltherapie"\n  fango:\n    name: "Fango"\n',
    )
    names = project / "data/therapy_names.yml"
    names.write_text(
        names.read_text(encoding="utf-8") + "\n- synonym: fango\n  examples: |\n    - Fango\n", encoding="utf-8"
    )
    problems = [p for p in new_problems(project, tmp) if p.startswith("dev/nlu_dev_a") or p.startswith("dev/nlu_dev_b")]
    assert problems, "a dev example naming Fango without marking it must be reported"
    assert all(
        re.match(
            r"dev/nlu_dev_[ab]\.yml:\d+: das Beispiel nennt „Fango“ \(Behandlung 'fango'\) ohne Markierung, unter "
            r"'\w+'; kein Beispiel dieser Datei markiert bisher 'fango'\. So beheben Sie es: markieren Sie den Namen",
            p,
        )
        for p in problems
    ), problems


def test_a_composed_answer_over_the_sentence_limit(kb, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.content import answers
    from bot.texts import load_texts
    from tools.content_rules import check_answers

    compose = answers.fact_answer

    def too_long(*args, **kwargs):  # a composer that forgot its budget
        answer = compose(*args, **kwargs)
        return dataclasses.replace(answer, body=answer.body + " Eins. Zwei. Drei. Vier. Fünf.")

    monkeypatch.setattr(answers, "fact_answer", too_long)
    found = check_answers(kb, load_texts(ROOT / "interface_texts.yml"), ROOT)
    assert found
    assert all(
        re.match(
            r"knowledge/[\w/]+\.yml:\d+: die Antwort auf „.+“ hat \d+ Sätze vor der Quellenzeile, erlaubt sind 4 \(aus: .+\)\. So beheben Sie es: kürzen Sie eine dieser Aussagen auf einen Satz$",
            p,
        )
        for p in found
    ), found[:3]


def test_rasa_schema_errors_in_german() -> None:
    from tools.validate import Locator, Translator

    error = Exception(
        "Failed to validate 'data/nlu.yml'. Please make sure the file is correct. Here are the errors found during "
        "validation:\n  in data/nlu.yml:12:\n      Cannot find required key 'examples'.\n  in data/nlu.yml:30:\n"
        "      Key 'exampels' was not defined."
    )
    translator = Translator(ROOT, Locator(ROOT), set(), set())
    assert translator.schema_error(error) == [
        "data/nlu.yml:12: Rasa erwartet hier einen anderen Aufbau: der Schlüssel 'examples:' fehlt. So beheben Sie es: "
        "vergleichen Sie den Block mit einem anderen Block derselben Datei (Namen der Schlüssel, Einrückung, '- ' vor "
        "Listeneinträgen)",
        "data/nlu.yml:30: Rasa erwartet hier einen anderen Aufbau: den Schlüssel 'exampels:' gibt es an dieser Stelle "
        "nicht (Tippfehler oder falsch eingerückt?). So beheben Sie es: vergleichen Sie den Block mit einem anderen "
        "Block derselben Datei (Namen der Schlüssel, Einrückung, '- ' vor Listeneinträgen)",
    ]


def test_rasa_warnings_in_german_with_the_line_rasa_did_not_give() -> None:
    from tools.validate import Locator, Translator

    translator = Translator(ROOT, Locator(ROOT), {"utter_intro"}, {"feedback"})
    intent_line = line_of(ROOT / "domain.yml", "  - greet")
    assert translator.translate("The intent 'greet' is not used in any story or rule.") == [
        f"domain.yml:{intent_line}: die Absicht 'greet' kommt in keiner Regel und keiner Story vor: der Bot weiß "
        f"nicht, was er darauf antworten soll. So beheben Sie es: schreiben Sie in data/rules.yml eine Regel mit "
        f"'- intent: greet' und der passenden '- action: …'"
    ]
    # sent by code or by a button: dropped on purpose (tools/validate.py explains why)
    assert translator.translate("The utterance 'utter_intro' is not used in any story or rule.") == []
    assert (
        translator.translate(
            "The intent 'feedback' is listed in the domain file, but is not found in the NLU training data."
        )
        == []
    )
    unknown = translator.translate("Issue found in 'data/rules.yml': something Rasa says")
    assert unknown[0].startswith(
        "data/rules.yml:1: Rasa kann einen Teil der Trainingsdaten nicht lesen. Rasas Meldung auf Englisch: „"
    )
