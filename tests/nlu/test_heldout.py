"""Held-out NLU quality: messages written apart from the training data.

tests/nlu/heldout.yml was written by someone who saw neither the training data nor
an earlier set; tests/nlu/dev.yml is that earlier set, which guided later
training-data work and so is no longer held out (kept for `make report`).

Intent accuracy comes from `rasa test nlu` itself (its intent_report.json).
Therapy accuracy (tools/nlu_eval.py, shared with `make report`) is stricter than
Rasa's token-level entity report: a message counts as right only if the set of
canonical therapy ids found equals the expected set (the value is what the bot
acts on).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import MODEL, ROOT

pytestmark = pytest.mark.model

HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
SUMMARY = ROOT / "results" / "heldout-summary.txt"  # printed by `make test-nlu`
MIN_INTENT_ACCURACY = 0.90
MIN_THERAPY_ACCURACY = 0.95


@pytest.fixture(scope="module")
def rasa_report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("nlu-results")
    rasa = str(Path(sys.executable).with_name("rasa"))
    subprocess.run(
        [rasa, "test", "nlu", "--nlu", str(HELDOUT), "--model", str(MODEL), "--out", str(out), "--quiet"],
        cwd=ROOT, check=True,
    )  # fmt: skip
    return json.loads((out / "intent_report.json").read_text())


def record(line: str) -> None:
    SUMMARY.parent.mkdir(exist_ok=True)
    with SUMMARY.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def test_heldout_set_is_large_enough() -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    assert len(load_data(str(HELDOUT)).training_examples) >= 150


def test_heldout_intent_accuracy(rasa_report: dict) -> None:
    accuracy = rasa_report["accuracy"]
    record(
        f"held-out intent accuracy (rasa test nlu): {accuracy:.3f}, macro F1 {rasa_report['macro avg']['f1-score']:.3f}"
    )
    assert accuracy >= MIN_INTENT_ACCURACY


def test_heldout_therapy_accuracy() -> None:
    from tools.nlu_eval import labelled_examples, model_entity_finder, score_therapies

    examples = [(text, entities) for text, _intent, entities in labelled_examples(str(HELDOUT))]
    score = score_therapies(examples, model_entity_finder(str(MODEL)))
    wrong = [str(miss) for miss in score.misses]
    record(
        f"held-out therapy accuracy (value set per message): {score.accuracy:.3f} ({len(wrong)} of {score.total} wrong)"
    )
    for line in wrong:
        record(f"  {line}")
    assert score.accuracy >= MIN_THERAPY_ACCURACY, "\n".join(wrong)


def test_no_heldout_message_is_a_training_example() -> None:
    """Exact repeats (after folding case and punctuation) would measure memory, not understanding."""
    import re

    from rasa.shared.nlu.training_data.loading import load_data

    def folded(text: str) -> str:
        return re.sub(r"\W+", " ", text.lower()).strip()

    training = {folded(e.get("text")) for e in load_data(str(ROOT / "data" / "nlu")).intent_examples}
    repeated = [e.get("text") for e in load_data(str(HELDOUT)).intent_examples if folded(e.get("text")) in training]
    assert repeated == []
