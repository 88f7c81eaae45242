"""The fact store: schema, completeness, grounding rules, and clear German errors for editors.

No test lists the treatments: they are read from knowledge/therapies.yml, so a new treatment
needs no change here (docs/EDITING.md, "Eine neue Behandlung").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bot.content.knowledge import REQUIRED_TOPICS, KnowledgeBase, KnowledgeError, load_knowledge
from tools.content_rules import COPIED_RUN, check_knowledge, copied_run, page_runs, sentences

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_ASPECTS = {"wirksamkeit", "risiken", "kosten", "methode"}


def yaml(path: Path) -> object:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def therapy_ids() -> list[str]:
    return list(yaml(ROOT / "knowledge" / "therapies.yml")["therapies"])


def test_the_treatments_are_the_same_everywhere(kb: KnowledgeBase) -> None:
    """knowledge/therapies.yml is the one list: the domain's slot values and the names follow it."""
    ids = therapy_ids()
    assert list(kb.therapies) == ids
    assert yaml(ROOT / "domain.yml")["slots"]["therapy"]["values"] == ids
    names = {block["synonym"] for block in yaml(ROOT / "data" / "therapy_names.yml")["nlu"] if "synonym" in block}
    assert names == set(ids)
    assert set(kb.aspects) == CONTRACT_ASPECTS


@pytest.mark.parametrize("therapy", therapy_ids())
def test_every_treatment_has_a_verdict_and_every_aspect(kb: KnowledgeBase, therapy: str) -> None:
    assert kb.verdict(therapy) is not None
    for aspect in CONTRACT_ASPECTS:
        assert kb.claims_of(therapy, aspect) or kb.silence(therapy, aspect=aspect), (therapy, aspect)
    assert set(REQUIRED_TOPICS) <= set(kb.topics)


def test_every_claim_is_short_quoted_and_in_our_own_words(kb: KnowledgeBase) -> None:
    runs = page_runs(kb.page.text)
    for claim in kb.claims.values():
        assert claim.quotes and all(q in kb.page.text for q in claim.quotes), claim.origin
        assert 1 <= len(sentences(claim.text)) <= 2, claim.origin
        assert copied_run(claim.text, runs) is None, f"{claim.origin}: {COPIED_RUN} words copied from the page"
        assert "Quelle:" not in claim.text and kb.disclaimer not in claim.text, claim.origin


def test_the_page_is_part_of_the_project(kb: KnowledgeBase) -> None:
    assert (ROOT / "knowledge" / "source" / "iqwig-passive-behandlungen.txt").is_file()
    assert "allenfalls kurzfristig lindern" in kb.page.text


def test_every_content_rule_holds(kb: KnowledgeBase) -> None:
    assert check_knowledge(kb, ROOT) == []


# The page's own hedges in the verdicts, which plainer rewrites must not drop (source README:
# "kurzfristig" stays "kurzfristig", "nicht nachgewiesen" is not "wirkungslos").
VERDICT_HEDGES = {
    "akupunktur": ["kurzfristig"],
    "massage": ["nicht nachgewiesen"],
    "elektrotherapie": ["nicht belegt"],
    "osteopathie": ["widersp"],  # widersprüchlich / widersprechen sich
    **{t: ["nicht nachgewiesen"] for t in ("traktion", "kinesio_taping", "lasertherapie", "ultraschall")},
}


@pytest.mark.parametrize(("therapy", "hedges"), sorted(VERDICT_HEDGES.items()))
def test_verdicts_keep_the_pages_hedges(kb: KnowledgeBase, therapy: str, hedges: list[str]) -> None:
    verdict = kb.verdict(therapy)
    for hedge in hedges:
        assert hedge in verdict.text, f"{verdict.origin}: keep the page's hedge '{hedge}'"


def test_rare_complications_stay_very_rare(kb: KnowledgeBase) -> None:
    assert any("sehr selten" in c.text for c in kb.claims_of("manipulation", "risiken"))


def test_general_answers_keep_their_hedges(kb: KnowledgeBase) -> None:
    topic = " ".join(c.text for c in kb.topics["uebersicht"])
    assert "kurzfristig" in topic or "kurze Zeit" in topic
    assert "meisten" in " ".join(c.text for c in kb.topics["kosten_allgemein"])
    for claim in kb.claims.values():
        assert "wirkungslos" not in claim.text.lower() and "alle passiven behandlungen" not in claim.text.lower()


def test_silences_say_so_and_name_no_figure(kb: KnowledgeBase) -> None:
    for silences in kb.silences.values():
        for silence in silences:
            assert re.search(r"Seite", silence.text) and not re.search(r"\d|€|Euro", silence.text), silence.origin


# -- clear German errors ---------------------------------------------------------------------
def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(root)
    return error.value.problems


def test_every_problem_has_file_line_and_fix(knowledge_copy: Path) -> None:
    _break(knowledge_copy / "claims" / "traktion.yml", "section: sonstige", "section: gibt_es_nicht")
    _break(knowledge_copy / "claims" / "massage.yml", "therapy: massage", "therapy: waermetherapie")
    problems = _problems(knowledge_copy)
    assert problems
    assert all(re.match(r"knowledge/[\w/]+\.yml:\d+: .+\. So beheben Sie es: .+", p) for p in problems), problems


def test_an_unknown_section(knowledge_copy: Path) -> None:
    _break(knowledge_copy / "claims" / "traktion.yml", "section: sonstige", "section: gibt_es_nicht")
    assert any(
        re.match(
            r"knowledge/claims/traktion\.yml:\d+: Aussage 'traktion\.\w+': unbekannter Abschnitt 'gibt_es_nicht'", p
        )
        for p in _problems(knowledge_copy)
    )


def test_a_file_for_an_unknown_treatment(knowledge_copy: Path) -> None:
    _break(knowledge_copy / "claims" / "massage.yml", "therapy: massage", "therapy: waermetherapie")
    problems = _problems(knowledge_copy)
    assert any(
        p.startswith("knowledge/claims/massage.yml:") and "unbekannte Behandlung 'waermetherapie'" in p
        for p in problems
    )
    assert any("keine Datei knowledge/claims/massage.yml" in p for p in problems)


def test_an_unknown_aspect(knowledge_copy: Path) -> None:
    _break(knowledge_copy / "claims" / "traktion.yml", "aspects: [wirksamkeit]", "aspects: [preis]")
    assert any(
        re.match(r"knowledge/claims/traktion\.yml:\d+: Aussage 'traktion\.\w+': unbekannter Aspekt 'preis'", p)
        for p in _problems(knowledge_copy)
    )


def test_an_empty_text(knowledge_copy: Path) -> None:
    path = knowledge_copy / "claims" / "traktion.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'text: "Dass eine Traktionsbehandlung[^"]*"', 'text: ""', text, count=1), encoding="utf-8")
    assert any(
        re.match(r"knowledge/claims/traktion\.yml:\d+: Aussage 'traktion\.nicht_nachgewiesen' hat kein 'text'", p)
        for p in _problems(knowledge_copy)
    )


def test_an_unknown_detail_in_answered_with(knowledge_copy: Path) -> None:
    _break(
        knowledge_copy / "details.yml",
        "answered_with: [schein, aktiv, studienvergleich]",
        "answered_with: [schein, gibtsnicht]",
    )
    assert any(
        re.match(r"knowledge/details\.yml:\d+: 'answered_with' nennt das unbekannte Detail 'gibtsnicht'", p)
        for p in _problems(knowledge_copy)
    )
