"""Judging a reply to one of the tricky questions of tests/answers/questions.yml (issue 12).

Shared by tests/answers/test_answers.py (which gates `make test` on it) and `make report`
(which shows the figure per pattern). A question counts as right when its replies:

- convey every fact (the replies' `answer.claims` include a claim that carries it);
- state nothing of `must_not_state`;
- where the page is silent, say so first (in the first sentence; for two-part questions:
  in some sentence);
- where a referral is required, name the doctor.
"""

from __future__ import annotations

import re
from typing import Any

# how the bot says that the page is silent (knowledge/: silent texts, details.yml, scope replies)
SILENCE = re.compile(
    r"sagt (die Seite|sie) (nicht|nichts|wenig)|steht nicht auf der Seite|beschreibt die Seite nicht"
    r"|vergleicht die Seite nicht|Über .+ sagt sie nichts"
)
REFERRAL = re.compile(r"Ärztin|Arzt")


def folded(text: str) -> str:
    return " ".join(text.lower().split())


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]


def judge(question: dict[str, Any], convey: list[list[str]], replies: list[dict[str, Any]]) -> list[str]:
    """What is wrong with the reply (empty when right). `convey`: per fact, the claim ids that carry it."""
    text = "\n".join(r.get("text", "") for r in replies)
    claims = {c for r in replies for c in (r.get("answer") or {}).get("claims") or []}
    body = next(((r.get("answer") or {}).get("body") for r in replies if r.get("answer")), text)
    problems = []
    for item, ids in zip(question.get("must_convey") or [], convey, strict=False):
        if not claims & set(ids):
            problems.append(f"not conveyed: {item['quote'][:60]!r}")
    for phrase in question.get("must_not_state") or []:
        if folded(phrase) in folded(text):
            problems.append(f"states: {phrase!r}")
    if question.get("silent"):
        where = body if question["pattern"] == "two_part" else first_sentence(body)
        if not SILENCE.search(where):
            problems.append("does not say first that the page is silent")
    if question.get("must_refer") and not REFERRAL.search(text):
        problems.append("no referral to a doctor")
    return problems
