"""The fact store: schema, completeness, grounding rules, and clear errors for editors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content.knowledge import REQUIRED_TOPICS, KnowledgeBase, KnowledgeError, load_knowledge

CONTRACT_THERAPIES = {
    "akupunktur", "elektrotherapie", "tens", "pens", "interferenztherapie", "manuelle_therapie",
    "mobilisation", "manipulation", "massage", "osteopathie", "traktion", "kinesio_taping",
    "kurzwellen_diathermie", "lasertherapie", "magnetfeldtherapie", "ultraschall",
}  # fmt: skip
CONTRACT_ASPECTS = {"wirksamkeit", "risiken", "kosten", "methode"}
SOURCE_TEXT = Path(__file__).resolve().parents[3] / "shared" / "source" / "iqwig-passive-behandlungen.txt"


def test_therapies_and_aspects_are_the_contract(kb: KnowledgeBase) -> None:
    assert set(kb.therapies) == CONTRACT_THERAPIES
    assert set(kb.aspects) == CONTRACT_ASPECTS


def test_every_therapy_has_every_aspect(kb: KnowledgeBase) -> None:
    missing = [(t, a) for t in CONTRACT_THERAPIES for a in CONTRACT_ASPECTS if (t, a) not in kb.facts]
    assert missing == []
    assert set(REQUIRED_TOPICS) <= set(kb.topics)


@pytest.mark.parametrize("key", sorted((t, a) for t in CONTRACT_THERAPIES for a in CONTRACT_ASPECTS))
def test_fact_is_short_plain_and_sourced(kb: KnowledgeBase, key: tuple[str, str]) -> None:
    fact = kb.fact(*key)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", fact.text) if s]
    assert 2 <= len(sentences) <= 5, f"{fact.origin}: {len(sentences)} sentences"
    assert fact.sections, fact.origin
    assert "Quelle:" not in fact.text and kb.disclaimer not in fact.text


def test_silent_facts_say_so_and_costs_point_to_the_krankenkasse(kb: KnowledgeBase) -> None:
    for (_therapy, aspect), fact in kb.facts.items():
        if fact.page_silent:
            assert re.search(r"keine (eigene )?Angabe|keine Angaben|nichts", fact.text), fact.origin
        if aspect == "kosten":
            # the page gives no cost statement for a single treatment
            assert fact.page_silent, fact.origin
            assert "Krankenkasse" in fact.text, fact.origin
            assert "meisten" in fact.text, f"{fact.origin}: keep the page's hedge 'die meisten'"


def test_hedges_are_not_hardened(kb: KnowledgeBase) -> None:
    texts = [f.text for f in kb.facts.values()] + [t.text for t in kb.topics.values()]
    for text in texts:
        assert "wirkungslos" not in text.lower()
        assert "alle passiven behandlungen" not in text.lower()


def test_no_sentence_is_pasted_from_the_source(kb: KnowledgeBase) -> None:
    if not SOURCE_TEXT.exists():
        pytest.skip(f"source page not found at {SOURCE_TEXT}")
    words = re.findall(r"\w+", SOURCE_TEXT.read_text(encoding="utf-8").lower())
    source_runs = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
    for fact in list(kb.facts.values()) + list(kb.topics.values()):
        fact_words = re.findall(r"\w+", fact.text.lower())
        copied = [" ".join(fact_words[i : i + 8]) for i in range(len(fact_words) - 7)]
        assert not [run for run in copied if run in source_runs], fact.origin


def test_warning_topic_names_both_numbers_and_the_guideline(kb: KnowledgeBase) -> None:
    warning = kb.topic("warnzeichen")
    assert "112" in warning.text and "116117" in warning.text
    assert warning.references == ("chenot2017",)
    assert warning.text.index("112") < warning.text.index("116117"), "the emergency number comes first"


def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(root)
    return error.value.problems


def test_fact_without_source_is_rejected_with_file_and_line(knowledge_copy: Path) -> None:
    path = knowledge_copy / "facts" / "massage.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    broken = [line for line in lines if not line.strip().startswith("sections:")]
    path.write_text("\n".join(broken) + "\n", encoding="utf-8")
    problems = _problems(knowledge_copy)
    assert any(re.match(r"knowledge/facts/massage\.yml:\d+: fact massage/\w+ has no source", p) for p in problems)


def test_unknown_therapy_is_rejected(knowledge_copy: Path) -> None:
    _break(knowledge_copy / "facts" / "massage.yml", "therapy: massage", "therapy: waermetherapie")
    problems = _problems(knowledge_copy)
    assert any(
        p.startswith("knowledge/facts/massage.yml:") and "unknown therapy 'waermetherapie'" in p for p in problems
    )
    assert any("missing fact massage/" in p for p in problems)


def test_unknown_aspect_is_rejected(knowledge_copy: Path) -> None:
    _break(knowledge_copy / "facts" / "tens.yml", "  kosten:", "  preis:")
    problems = _problems(knowledge_copy)
    assert any(re.match(r"knowledge/facts/tens\.yml:\d+: unknown aspect 'preis'", p) for p in problems)


def test_empty_text_is_rejected(knowledge_copy: Path) -> None:
    path = knowledge_copy / "facts" / "osteopathie.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  risiken:")
    end = text.index("    sections:", start)
    path.write_text(text[:start] + '  risiken:\n    text: ""\n' + text[end:], encoding="utf-8")
    problems = _problems(knowledge_copy)
    assert any(
        re.match(r"knowledge/facts/osteopathie\.yml:\d+: fact osteopathie/risiken has no text", p) for p in problems
    )


def test_unknown_section_and_bad_yaml_are_reported(knowledge_copy: Path) -> None:
    _break(knowledge_copy / "facts" / "akupunktur.yml", "sections: [akupunktur", "sections: [akupunktur_neu")
    (knowledge_copy / "topics.yml").write_text("topics:\n  uebersicht: [unclosed\n", encoding="utf-8")
    problems = _problems(knowledge_copy)
    assert any(
        "unknown section 'akupunktur_neu'" in p and p.startswith("knowledge/facts/akupunktur.yml:") for p in problems
    )
    assert any(p.startswith("knowledge/topics.yml:") and "not valid YAML" in p for p in problems)


# The page's own hedges, which plainer rewrites must not drop (source README: "kurzfristig"
# stays "kurzfristig", "nicht nachgewiesen" is not "wirkungslos").
PAGE_HEDGES = {
    ("akupunktur", "wirksamkeit"): ["kurzfristig"],
    ("massage", "wirksamkeit"): ["vorübergehend", "nicht nachgewiesen"],
    ("elektrotherapie", "wirksamkeit"): ["nicht belegt"],
    ("osteopathie", "wirksamkeit"): ["widersp"],  # widersprüchlich / widersprechen sich
    ("manipulation", "risiken"): ["sehr selten"],
    **{
        (t, "wirksamkeit"): ["nicht nachgewiesen"]
        for t in ("traktion", "kinesio_taping", "lasertherapie", "ultraschall")
    },
}


@pytest.mark.parametrize(("key", "hedges"), sorted(PAGE_HEDGES.items()))
def test_page_hedges_are_kept(kb: KnowledgeBase, key: tuple[str, str], hedges: list[str]) -> None:
    for hedge in hedges:
        assert hedge in kb.fact(*key).text, f"{kb.fact(*key).origin}: keep the page's hedge '{hedge}'"


def test_general_answers_keep_their_hedges(kb: KnowledgeBase) -> None:
    assert "kurzfristig" in kb.topic("uebersicht").text
    assert "meisten" in kb.topic("kosten_allgemein").text
