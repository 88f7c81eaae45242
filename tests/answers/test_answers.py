"""Answer the question that was asked (issue 12), measured on tests/answers/questions.yml.

The questions were written from the page alone by someone who had not seen the fact store
or the training data; each lists the page facts the reply must convey (as the page's own
words), what it must not state, whether the page is silent on what is asked, and whether
the reply must refer to a doctor. tests/answers/expected.yml maps each fact to the claims
that carry it. A question counts as right when, through the REST webhook of the real bot:

- every fact is conveyed (the reply's `answer.claims` include a claim that carries it);
- nothing of `must_not_state` appears in the reply;
- where the page is silent, the first sentence says so (for two-part questions: some sentence);
- where a referral is required, the reply names the doctor.

`make test` fails below MIN_RIGHT (0.90, issue 12's target).
Figures and misses: results/answers-summary.txt.
"""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
import yaml

from tests.servers import ROOT
from tools.answer_quality import judge

pytestmark = pytest.mark.model

QUESTIONS = ROOT / "tests" / "answers" / "questions.yml"
EXPECTED = ROOT / "tests" / "answers" / "expected.yml"
SUMMARY = ROOT / "results" / "answers-summary.txt"
# Just below what the bot reached (2026-11-30: 83/114 = 0.728 with four sentences for every
# answer; 89/114 = 0.781 since a two-part question has six; 90/114 = 0.789 with the training
# data of personal stories; 92/114 = 0.807 since a silence comes before general statements and
# the verdict right after the nearest fact; 97/114 = 0.851 since general answers say the page's
# silence first and the advice has room where it was asked; 98/114 = 0.860 on 1.12. since the
# word lists read dialect as standard German); 104/114 = 0.912 on 4.12. since two kinds of one treatment
# compared are told apart, a treatment's file may give a detail's silence with its nearest fact, and a
# pregnancy beside a risk question gets the risks after a note). Issue 12's target; the misses are
# listed in results/answers-summary.txt.
MIN_RIGHT = 0.90


@pytest.fixture(scope="module")
def judged(bot) -> list[tuple[dict, list[str]]]:
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    expected = yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))
    return [(q, judge(q, expected[q["id"]], bot.say(f"answers-{uuid.uuid4()}", q["text"]))) for q in questions]


def test_every_fact_to_convey_is_mapped_to_a_claim(kb) -> None:
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    expected = yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))
    for question in questions:
        convey = expected[question["id"]]
        assert len(convey) == len(question.get("must_convey") or []), question["id"]
        assert all(ids and set(ids) <= set(kb.claims) for ids in convey), question["id"]


def test_the_set_is_large_and_covers_every_pattern() -> None:
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    patterns = Counter(q["pattern"] for q in questions)
    assert len(questions) >= 80
    assert set(patterns) >= {"false_premise", "detail", "silent", "personal", "two_part"}


def test_tricky_questions_are_answered_as_asked(judged) -> None:
    right = [q for q, problems in judged if not problems]
    by_pattern: dict[str, list[int]] = {}
    for question, problems in judged:
        by_pattern.setdefault(question["pattern"], [0, 0])
        by_pattern[question["pattern"]][0] += not problems
        by_pattern[question["pattern"]][1] += 1
    SUMMARY.parent.mkdir(exist_ok=True)
    lines = [f"tricky questions answered as asked: {len(right)}/{len(judged)} ({len(right) / len(judged):.3f})"]
    lines += [f"  {pattern:14} {ok}/{total}" for pattern, (ok, total) in sorted(by_pattern.items())]
    lines += [f"  {q['id']} {q['text'][:70]!r}: {'; '.join(p)}" for q, p in judged if p]
    SUMMARY.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(right) / len(judged) >= MIN_RIGHT, "\n".join(lines)
