"""`make review-apply` on a copy of the project's data: marked messages become examples in the right
NLU file, in the JSON entity form, never twice, never from or into a test set, and `make check`'s
own checks find nothing new."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
import yaml

from tools.review.apply import apply, existing_examples, plain, texts_of_test_sets, training_text

ROOT = Path(__file__).resolve().parents[2]
COPIED = (
    "data",
    "knowledge",
    "dev",
    "domain.yml",
    "config.yml",
    "endpoints.yml",
    "credentials.yml",
    "interface_texts.yml",
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of what review-apply and tools/check.py read: data/, knowledge/, the Rasa files, the test sets."""
    root = tmp_path / "project"
    root.mkdir()
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        elif source.exists():
            shutil.copy2(source, root / name)
    shutil.copytree(
        ROOT / "tests",
        root / "tests",
        ignore=lambda _d, names: [n for n in names if n.endswith((".py", ".mjs", ".pyc")) or n == "__pycache__"],
    )
    return root


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def first_example(path: Path, intent: str) -> str:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    block = next(item for item in document["nlu"] if item.get("intent") == intent)
    return re.sub(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))", r"\1", block["examples"].splitlines()[0][2:])


def review_file(root: Path, messages: list[dict]) -> Path:
    """A reports/review.yml as `make review` writes it, after an editor marked some messages."""
    entries = []
    for number, message in enumerate(messages, start=1):
        entries.append({
            "nr": number, "reason": "fallback", "reason_de": "Nicht verstanden", "count": 1, "text": message["text"],
            "bot_thought": {"intent": "ask_effectiveness", "confidence": 0.31, "therapy": None, "aspect": None, "in_words": "…"},
            "reply": "Das habe ich leider nicht verstanden.",
            "intent": message.get("intent"), "therapy": message.get("therapy"),
        })  # fmt: skip
    path = root / "reports" / "review.yml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        "# Kommentar\n"
        + yaml.safe_dump({"generated": "2026-11-30 06:00", "messages": entries}, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return path


def test_marked_messages_become_examples_in_the_right_file(project: Path) -> None:
    data = project / "data"
    known = first_example(data / "nlu.yml", "ask_effectiveness")
    test_text = next(iter(texts_of_test_sets(project)))
    protected = {**fingerprint(project / "tests"), **{f"dev/{k}": v for k, v in fingerprint(project / "dev").items()}}
    before = {p.name: p.read_text(encoding="utf-8") for p in data.glob("*.yml")}
    path = review_file(project, [
        {"text": "bringt akkupunktur bei hexenschuss wirklich was? Gruß [Name]", "intent": "ask_effectiveness"},
        {"text": "wie backe ich einen apfelkuchen mit zimt", "intent": "out_of_scope"},
        {"text": "servus beinand, grüß euch", "intent": "greet"},
        {"text": known, "intent": "ask_effectiveness"},
        {"text": known, "intent": "ask_risks"},
        {"text": test_text, "intent": "ask_effectiveness"},
        {"text": "wie wird das wetter morgen", "intent": "ask_weather"},
        {"text": "das lasse ich, wie es ist"},
        {"text": "hilft tens bei ischias im bein wirklich", "intent": "ask_effectiveness", "therapy": "pens"},
        {"text": "was kostet eine rückenmassage beim physio eigentlich", "intent": "ask_costs"},
        {"text": "nein danke, behalten", "intent": "keep_my_data"},
    ])  # fmt: skip

    outcome = apply(path, data, root=project)

    nlu, safety, conversation = (
        (data / n).read_text(encoding="utf-8") for n in ("nlu.yml", "nlu_safety.yml", "nlu_conversation.yml")
    )
    assert (
        '- bringt [akkupunktur]{"entity": "therapy", "value": "akupunktur"} bei hexenschuss wirklich was? Gruß Max Mustermann\n'
        in nlu
    )
    assert "    - wie backe ich einen apfelkuchen mit zimt\n" in safety
    assert "    - servus beinand, grüß euch\n" in conversation
    assert '- hilft [tens]{"entity": "therapy", "value": "pens"} bei ischias im bein wirklich\n' in nlu
    assert '- was kostet eine [rückenmassage]{"entity": "therapy", "value": "massage"} beim physio eigentlich\n' in nlu
    assert len(outcome.added) == 5
    # each in the block of its intent, and the files still parse as Rasa reads them
    from rasa.shared.nlu.training_data.loading import load_data

    files = [data / n for n in ("nlu.yml", "nlu_safety.yml", "nlu_conversation.yml", "therapy_names.yml")]
    training = load_data(str(files[0]), language="de").merge(*(load_data(str(p), language="de") for p in files[1:]))
    by_text = {m.get("text"): m for m in training.training_examples}
    assert (
        by_text["bringt akkupunktur bei hexenschuss wirklich was? Gruß Max Mustermann"].get("intent")
        == "ask_effectiveness"
    )
    assert by_text["wie backe ich einen apfelkuchen mit zimt"].get("intent") == "out_of_scope"
    assert by_text["servus beinand, grüß euch"].get("intent") == "greet"
    assert by_text["was kostet eine rückenmassage beim physio eigentlich"].get("intent") == "ask_costs"
    assert [
        (e["value"], e["start"], e["end"]) for e in by_text["hilft tens bei ischias im bein wirklich"].get("entities")
    ] == [("pens", 6, 10)]
    # the rest: told why, in German, with file and line
    messages = "\n".join(outcome.notes + outcome.errors)
    assert "steht schon in data/nlu.yml" in messages and "aber für ask_effectiveness" in messages
    assert "steht wörtlich im Testsatz" in messages
    assert 'die Absicht "ask_weather" gibt es nicht' in messages
    assert '"keep_my_data" kommt nur von einem Knopf' in messages
    assert '"tens" wird als pens markiert' in messages
    assert all(line.startswith("reports/review.yml:") for line in outcome.notes + outcome.errors)
    line = int(re.search(r"review\.yml:(\d+): Nr\. 6", messages).group(1))
    assert path.read_text(encoding="utf-8").splitlines()[line - 1] == "- nr: 6"
    # nothing else changed; the test sets not at all
    for name, text in before.items():
        if name not in ("nlu.yml", "nlu_safety.yml", "nlu_conversation.yml"):
            assert (data / name).read_text(encoding="utf-8") == text
    assert {
        **fingerprint(project / "tests"),
        **{f"dev/{k}": v for k, v in fingerprint(project / "dev").items()},
    } == protected
    # no placeholder and no real personal data in the training data
    assert "[Name]" not in nlu


def test_applying_twice_adds_nothing(project: Path) -> None:
    path = review_file(project, [{"text": "bringt kinesiotape beim hexenschuss was", "intent": "ask_effectiveness"}])
    first = apply(path, project / "data", root=project)
    second = apply(path, project / "data", root=project)
    assert len(first.added) == 1 and not second.added and second.skipped == 1
    assert (project / "data" / "nlu.yml").read_text(encoding="utf-8").count("beim hexenschuss was\n") == 1


def test_nothing_marked_says_what_to_do(project: Path) -> None:
    outcome = apply(review_file(project, [{"text": "hallo"}]), project / "data", root=project)
    assert not outcome.added and 'hat ein "intent:"' in outcome.notes[0]
    missing = apply(project / "reports" / "nope.yml", project / "data", root=project)
    assert "make review" in missing.errors[0]


def test_make_checks_find_nothing_new(project: Path) -> None:
    from tools.check import check

    before = set(check(project))
    path = review_file(project, [
        {"text": "bringt akkupunktur bei hexenschuss wirklich was? LG [Name], [Telefon]", "intent": "ask_effectiveness"},
        {"text": "wer zahlt mir das [Adresse] ding mit den nadeln", "intent": "ask_costs", "therapy": "akupunktur"},
        {"text": "Servus beinand", "intent": "greet"},
    ])  # fmt: skip
    assert len(apply(path, project / "data", root=project).added) == 3
    assert set(check(project)) - before == set()


def test_training_text_has_stand_ins_and_no_brackets() -> None:
    text = training_text("Ich heiße [Name],\n[Telefon] {x} [14:32]")
    assert text == "Ich heiße Max Mustermann, 0123 4567890 (x) (14:32)"
    assert (
        plain('hilft [Akupunktur]{"entity": "therapy", "value": "akupunktur"}  wirklich?')
        == "hilft akupunktur wirklich?"
    )


def test_every_training_example_is_known(project: Path) -> None:
    examples = existing_examples(project / "data")
    assert len(examples) > 1000
    assert {e.file.name for e in examples.values()} >= {
        "nlu.yml",
        "nlu_topics.yml",
        "nlu_safety.yml",
        "nlu_conversation.yml",
    }
