"""`make check` (tools.check): one test per kind of editing mistake, each asserting the exact message.

Each test copies the real project into a temporary folder, breaks one thing and
runs `check(root)`. The expected line is the one the editor has to fix, found by
searching the copied file, so the tests keep working when the files grow.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tools.check import check
from tools.readability import score

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PARTS = (
    "knowledge", "data", "tests/stories", "domain.yml", "config.yml", "endpoints.yml", "credentials.yml",
)  # fmt: skip
THERAPY_IDS = (
    "akupunktur, elektrotherapie, tens, pens, interferenztherapie, manuelle_therapie, mobilisation, manipulation, "
    "massage, osteopathie, traktion, kinesio_taping, kurzwellen_diathermie, lasertherapie, magnetfeldtherapie, "
    "ultraschall"
)


def copy_project(target: Path) -> Path:
    for part in PROJECT_PARTS:
        source, copy = ROOT / part, target / part
        if source.is_dir():
            shutil.copytree(source, copy)
        else:
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, copy)
    return target


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """What `make check` says about the unbroken project (the lines a break must not add to)."""
    return check(copy_project(tmp_path_factory.mktemp("clean")))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def without_line(problem: str) -> str:
    return re.sub(r"^([^:]+):\d+: ", r"\1: ", problem)


def new_problems(root: Path, baseline: list[str]) -> list[str]:
    """The problems a break added (an edit may move a known problem to another line)."""
    known = {without_line(problem) for problem in baseline}
    return [problem for problem in check(root) if without_line(problem) not in known]


def replace(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in the file; return the 1-based line where it started."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {path}"
    start = text.index(old)
    path.write_text(text[:start] + new + text[start + len(old) :], encoding="utf-8")
    return text.count("\n", 0, start) + 1


def line_of(path: Path, needle: str, after: int = 0) -> int:
    """1-based number of the first line after line `after` that contains `needle`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if number > after and needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_the_real_project_links_up(baseline: list[str]) -> None:
    """No false alarms: the real files are consistent (readability is judged in test_readability)."""
    assert [problem for problem in baseline if "too hard to read" not in problem] == []


# -- YAML syntax ---------------------------------------------------------------
def test_wrong_indentation_names_the_line(project: Path, baseline: list[str]) -> None:
    line = replace(project / "data/rules.yml", "      - action: utter_goodbye", "     - action: utter_goodbye")
    assert new_problems(project, baseline) == [
        f"data/rules.yml:{line}: broken YAML: the indentation does not match the lines above; line it up with them"
    ]


def test_unclosed_quote_names_the_entry_where_it_opened(project: Path, baseline: list[str]) -> None:
    line = replace(project / "domain.yml", 'alles Gute."', "alles Gute.")
    assert new_problems(project, baseline) == [
        f"domain.yml:{line}: broken YAML: a quote opened in this entry is not closed, "
        f"or a line below is indented wrongly"
    ]


def test_duplicate_key(project: Path, baseline: list[str]) -> None:
    line = replace(project / "knowledge/facts/massage.yml", "  kosten:", "  risiken:")
    assert new_problems(project, baseline) == [
        f"knowledge/facts/massage.yml:{line}: broken YAML: the same key appears twice in one block; "
        f"delete or rename one of them"
    ]


def test_unclosed_list(project: Path, baseline: list[str]) -> None:
    line = replace(project / "knowledge/facts/tens.yml", "sections: [elektrotherapie]", "sections: [elektrotherapie")
    assert new_problems(project, baseline) == [
        f"knowledge/facts/tens.yml:{line}: broken YAML: a [...] list is not closed; check its ',' and ']'"
    ]


def test_tab_instead_of_spaces(project: Path, baseline: list[str]) -> None:
    line = replace(project / "data/nlu/general.yml", "- intent: ask_source", "-\tintent: ask_source")
    assert new_problems(project, baseline) == [
        f"data/nlu/general.yml:{line}: broken YAML: there is a tab or another odd character; "
        f"indent with spaces only"
    ]


# -- the fact store's schema and sources (bot.content.knowledge) ----------------------
def test_fact_without_text(project: Path, baseline: list[str]) -> None:
    path = project / "knowledge/facts/osteopathie.yml"
    start = line_of(path, "  risiken:")
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    end = line_of(path, "    sections:", after=start)
    path.write_text("".join(text[:start] + text[end - 1 :]), encoding="utf-8")  # drop the text lines
    assert new_problems(project, baseline) == [
        f"knowledge/facts/osteopathie.yml:{start + 1}: fact osteopathie/risiken has no text; "
        f"write one in plain German"
    ]


def test_missing_aspect(project: Path, baseline: list[str]) -> None:
    replace(project / "knowledge/facts/tens.yml", "  methode:", "  methoden:")
    problems = new_problems(project, baseline)
    line = line_of(project / "knowledge/facts/tens.yml", "  methoden:")
    assert problems == [
        f"knowledge/facts/tens.yml:{line}: unknown aspect 'methoden'; "
        f"use one of: wirksamkeit, risiken, kosten, methode",
        "knowledge/facts/tens.yml:1: missing fact tens/methode; every therapy needs an answer for every aspect "
        "(say so where the page is silent)",
    ]


def test_fact_cites_unknown_section(project: Path, baseline: list[str]) -> None:
    line = replace(project / "knowledge/facts/akupunktur.yml", "sections: [akupunktur]", "sections: [akupunktur_neu]")
    sections = "einleitung, gut_zu_wissen, akupunktur, elektrotherapie, mobilisation_manipulation, massagen, " + (
        "osteopathie, sonstige, ueber_die_seite"
    )
    assert new_problems(project, baseline) == [
        f"knowledge/facts/akupunktur.yml:{line}: fact akupunktur/risiken cites unknown section 'akupunktur_neu'; "
        f"known sections: {sections}"
    ]


# -- names and training data ---------------------------------------------------
def test_therapy_without_names(project: Path, baseline: list[str]) -> None:
    path = project / "data/nlu/therapies.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index("- synonym: traktion\n")
    end = text.index("- synonym:", start + 1)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    line = line_of(project / "knowledge/therapies.yml", "  traktion:")
    assert new_problems(project, baseline) == [
        f"knowledge/therapies.yml:{line}: therapy 'traktion' has no names in data/nlu; add a 'synonym: traktion' "
        f"block to data/nlu/therapies.yml listing how people write it"
    ]


def test_two_therapies_claim_one_name(project: Path, baseline: list[str]) -> None:
    path = project / "data/nlu/therapies.yml"
    line = replace(path, "    - Rückenmassage\n", "    - Nadeln\n    - Rückenmassage\n")
    first = line_of(path, "    - Nadeln")
    assert new_problems(project, baseline) == [
        f"data/nlu/therapies.yml:{line}: 'Nadeln' is a name of both 'massage' and 'akupunktur' "
        f"(data/nlu/therapies.yml:{first}); keep it under one therapy"
    ]


def test_annotation_disagrees_with_the_names(project: Path, baseline: list[str]) -> None:
    path = project / "data/nlu/faq.yml"
    old = '[nadeln]{"entity": "therapy", "value": "akupunktur"}'
    line = replace(path, old, '[nadeln]{"entity": "therapy", "value": "massage"}')
    first = line_of(project / "data/nlu/therapies.yml", "    - Nadeln")
    assert new_problems(project, baseline) == [
        f"data/nlu/faq.yml:{line}: 'nadeln' is marked as 'massage' here but listed as a name of 'akupunktur' "
        f"(data/nlu/therapies.yml:{first}); use the same therapy in both places"
    ]


@pytest.mark.parametrize(
    ("file", "old", "new", "step", "how"),
    [
        (
            "data/nlu/faq.yml",
            '[Reizstrom]{"entity": "therapy", "value": "elektrotherapie"}',
            '[Reizstrom]{"entity": "therapy", "value": "reizstrom"}',
            None,
            "write [text](therapy:ID)",
        ),
        ("data/stories.yml", "- therapy: massage", "- therapy: reizstrom", "      - ", "write 'therapy: ID'"),
        (
            "tests/stories/test_conversations.yml",
            "[akkupunktur](therapy:akupunktur)",
            "[akkupunktur](therapy:reizstrom)",
            "      - ",
            "write [text](therapy:ID)",
        ),
        (
            "domain.yml",
            '{"therapy": "akupunktur"}',
            '{"therapy": "reizstrom"}',
            "        - title:",
            'write {"therapy": "ID"}',
        ),
    ],
    ids=["nlu-example", "story-entity", "test-story-text", "button-payload"],
)
def test_entity_value_that_is_no_therapy_id(
    project: Path, baseline: list[str], file: str, old: str, new: str, step: str | None, how: str
) -> None:
    line = replace(project / file, old, new)
    if step is not None:  # reported at the line where the story step or the button starts
        lines = (project / file).read_text(encoding="utf-8").splitlines()
        line = next(n for n in range(line, 0, -1) if lines[n - 1].startswith(step))
    assert new_problems(project, baseline) == [
        f"{file}:{line}: therapy value 'reizstrom' is not a therapy id; {how} with one of: {THERAPY_IDS}"
    ]


def test_domain_slot_lacks_a_therapy(project: Path, baseline: list[str]) -> None:
    replace(project / "domain.yml", "      - ultraschall\n", "")
    line = line_of(project / "domain.yml", "    values:")
    assert new_problems(project, baseline) == [
        f"domain.yml:{line}: slot 'therapy' lacks value 'ultraschall'; add it under slots > therapy > values"
    ]


# -- rules and stories -------------------------------------------------------
def test_rule_uses_unknown_response(project: Path, baseline: list[str]) -> None:
    line = replace(project / "data/rules.yml", "- action: utter_goodbye", "- action: utter_goodby")
    assert new_problems(project, baseline) == [
        f"data/rules.yml:{line}: action 'utter_goodby' is not in domain.yml; add it under 'responses' (utter_...) "
        f"or 'actions', or fix the spelling"
    ]


def test_story_uses_unknown_intent(project: Path, baseline: list[str]) -> None:
    line = replace(project / "data/stories.yml", "- intent: ask_costs", "- intent: ask_cost")
    assert new_problems(project, baseline) == [
        f"data/stories.yml:{line}: intent 'ask_cost' is not in domain.yml; add it under 'intents' or fix the spelling"
    ]


# -- a new treatment, end to end, exactly as docs/EDITING.md shows it -----------
def walkthrough_blocks() -> list[str]:
    """The YAML blocks of the Wärmetherapie walkthrough, in the order the editor adds them."""
    text = (ROOT / "docs/EDITING.md").read_text(encoding="utf-8")
    section = text[text.index("## 5. Eine neue Behandlung") : text.index("## 6. ")]
    return re.findall(r"```yaml\n(.*?)```", section, flags=re.S)


def add_waermetherapie(root: Path, with_examples: bool = True) -> None:
    therapy, slot_values, names, examples, facts = walkthrough_blocks()
    with (root / "knowledge/therapies.yml").open("a", encoding="utf-8") as file:
        file.write(therapy)
    replace(root / "domain.yml", "      - ultraschall\n", slot_values)
    with (root / "data/nlu/therapies.yml").open("a", encoding="utf-8") as file:
        file.write("\n" + names)
    if with_examples:
        # the documented block starts with the intent's header, so it goes in place of that header
        replace(root / "data/nlu/faq.yml", "- intent: ask_effectiveness\n  examples: |\n", examples)
        for moved in ("    - bringt wärme was bei rückenschmerzen\n", "    - Ist Fango gut für den Rücken?\n"):
            replace(root / "data/nlu/general.yml", moved, "")
    (root / "knowledge/facts/waermetherapie.yml").write_text(facts, encoding="utf-8")


def test_a_new_treatment_added_as_documented_is_clean(project: Path, baseline: list[str]) -> None:
    add_waermetherapie(project)
    assert new_problems(project, baseline) == []


def test_a_new_treatment_without_examples(project: Path, baseline: list[str]) -> None:
    add_waermetherapie(project, with_examples=False)
    line = line_of(project / "knowledge/therapies.yml", "  waermetherapie:")
    assert new_problems(project, baseline) == [
        f"knowledge/therapies.yml:{line}: therapy 'waermetherapie' appears in no NLU example; "
        f"add questions like '- hilft [Name](therapy:waermetherapie)?' to data/nlu/faq.yml"
    ]


# -- readability ---------------------------------------------------------------
HARD = (
    "Die therapeutische Applikation manueller Massagetechniken kann insbesondere bei unsachgemäßer "
    "Druckausübung vorübergehende Schmerzverstärkungen sowie allergische Hautreaktionen auf verwendete "
    "Massageöle verursachen, weshalb eine sorgfältige Anamnese empfehlenswert erscheint."
)


def test_hard_answer_fails_with_advice(project: Path, baseline: list[str]) -> None:
    path = project / "knowledge/facts/massage.yml"
    line = line_of(path, "  risiken:") + 1
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    end = line_of(path, "    sections:", after=line)
    path.write_text(
        "".join(text[: line - 1]) + f"    text: >-\n      {HARD}\n" + "".join(text[end - 1 :]), encoding="utf-8"
    )
    result = score(HARD)
    assert new_problems(project, baseline) == [
        f"knowledge/facts/massage.yml:{line}: answer 'massage/risiken' is too hard to read: "
        f"Flesch-Amstad {result.amstad:.1f} (must be 50 or more) and Wiener Sachtextformel {result.wstf:.1f} "
        f"(must be 10 or less); split sentences longer than 15 words (the longest has 25), use shorter everyday "
        f"words and explain a technical term in a sentence of its own (docs/EDITING.md, Lesbarkeit)"
    ]
