"""Understanding real wording, measured on tests/nlu/testset.yml (issue 13).

The set was written by someone who had read neither the training data nor the fact store
nor any earlier set (how: README, "Quality"). Its twin tests/nlu/reportset.yml is only
measured by `make report` and never used to choose training examples; the earlier sets
live in dev/ as development sets.

- intent accuracy of the NLU on every message ≥ 0.95;
- therapy accuracy ≥ 0.98: the set of treatment ids found equals the labelled set;
- (treatment, aspect) right per message as a user sees it ≥ 0.95: each fact question, after
  its context (earlier messages of the same chat), through the REST webhook of the real bot;
  right when the reply answers every expected cell and no other treatment first.

Figures (also per register) go to results/heldout-summary.txt, printed by `make test-quality`.
"""

from __future__ import annotations

import re

import pytest
import yaml

from tests.servers import MODEL, ROOT
from tools.heldout import agent_parser, load_set, rest_sender, score_conversations, score_parse

pytestmark = pytest.mark.model

TEST_SET = ROOT / "tests" / "nlu" / "testset.yml"
REPORT_SET = ROOT / "tests" / "nlu" / "reportset.yml"
SUMMARY = ROOT / "results" / "heldout-summary.txt"
# Gates are issue 13's targets (intent 0.95, treatment 0.98, (treatment, aspect) 0.95); on test
# set C the bot reached intent 0.953 (409/429), treatment 0.986, (treatment, aspect) 0.966
# (2026-12-01, with the intent vote and the dialect table): two intent messages fewer (407/429) fail `make test`.
MIN_INTENT_ACCURACY = 0.95
MIN_THERAPY_ACCURACY = 0.98
MIN_CELL_ACCURACY = 0.95


def record(line: str) -> None:
    SUMMARY.parent.mkdir(exist_ok=True)
    with SUMMARY.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


@pytest.fixture(scope="module")
def parsed():
    SUMMARY.unlink(missing_ok=True)
    return score_parse(load_set(TEST_SET), agent_parser(MODEL))


def test_the_set_covers_every_treatment_and_aspect() -> None:
    messages = load_set(TEST_SET)
    cells = {cell for m in messages for cell in m.cells}
    assert len(messages) >= 300
    assert len({t for t, _ in cells}) == 16 and len({a for _, a in cells}) == 4


def test_intent_accuracy(parsed) -> None:
    intents, _, confusion = parsed
    record(f"intent accuracy: {intents.overall.accuracy:.3f} ({intents.overall.right}/{intents.overall.total})")
    for register, tally in sorted(intents.by_register.items()):
        record(f"  {register:15} {tally.accuracy:.3f} ({tally.right}/{tally.total})")
    for pair, count in confusion.most_common(10):
        record(f"  confused {count}x: {pair}")
    assert intents.overall.accuracy >= MIN_INTENT_ACCURACY, "\n".join(intents.misses)


def test_therapy_accuracy(parsed) -> None:
    _, therapies, _ = parsed
    record(f"therapy accuracy: {therapies.overall.accuracy:.3f} ({therapies.overall.right}/{therapies.overall.total})")
    for miss in therapies.misses:
        record(f"  {miss}")
    assert therapies.overall.accuracy >= MIN_THERAPY_ACCURACY, "\n".join(therapies.misses)


def test_treatment_and_aspect_as_a_user_sees_them(bot) -> None:
    scores = score_conversations(load_set(TEST_SET), rest_sender(bot.url))
    record(
        f"(treatment, aspect) per message: {scores.overall.accuracy:.3f} ({scores.overall.right}/{scores.overall.total})"
    )
    for register, tally in sorted(scores.by_register.items()):
        record(f"  {register:15} {tally.accuracy:.3f} ({tally.right}/{tally.total})")
    for miss in scores.misses:
        record(f"  {miss}")
    assert scores.overall.accuracy >= MIN_CELL_ACCURACY, "\n".join(scores.misses)


def test_no_held_out_message_is_a_training_example() -> None:
    """Exact repeats (after folding case and punctuation) would measure memory, not understanding."""
    from rasa.shared.nlu.training_data.loading import load_data

    def folded(text: str) -> str:
        return re.sub(r"\W+", " ", text.lower()).strip()

    nlu_files = [p for p in sorted((ROOT / "data").glob("*.yml")) if "\nnlu:" in p.read_text(encoding="utf-8")]
    training = {folded(e.get("text")) for path in nlu_files for e in load_data(str(path)).intent_examples}
    for path in (TEST_SET, REPORT_SET):
        repeated = [m.text for m in load_set(path) if folded(m.text) in training]
        assert repeated == [], path.name
    # the safety and answer sets are held out too
    safety = yaml.safe_load((ROOT / "tests" / "safety" / "messages.yml").read_text(encoding="utf-8"))["messages"]
    answers = yaml.safe_load((ROOT / "tests" / "answers" / "questions.yml").read_text(encoding="utf-8"))["questions"]
    repeated = [m["text"] for m in safety + answers if folded(m["text"]) in training]
    assert repeated == [], "tests/safety/messages.yml, tests/answers/questions.yml"
