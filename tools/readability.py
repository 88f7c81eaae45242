"""Readability of every answer the bot can send: German Flesch (Amstad) and Wiener Sachtextformel.

`make check` fails on any answer that is harder than the limits below (their
reasons are in docs/EDITING.md); `python -m tools.readability` prints the hardest
answers as a table.

Word and syllable counts come from textstat (German hyphenation dictionary via
pyphen). The two formulas are computed here from those counts, because
textstat's own sentence count is made for English and miscounts our texts:

- it ignores every "sentence" of one or two words (to skip abbreviations like
  "Mr."), so "Auf Wiedersehen! Ich wünsche Ihnen alles Gute." counts as ONE
  sentence of seven words, which punishes exactly the short sentences we want;
- it ends a sentence at every full stop, also inside "et al." or "20.08.2025";
- a bullet list without full stops (the warning signs) becomes one huge sentence.

textstat's German syllable count (pyphen's hyphenation dictionary) was checked
by hand: it loses a syllable where German hyphenation may not split off a single
letter ("oder", "über", "Akupunktur") and gains one in "-tion" ("Mobilisation").
Over all our answers the errors mostly cancel out: 1.87 syllables per word
against 1.90 by counting vowel groups (which errs the other way, on "Studien",
"Osteopathie"); with vowel groups Amstad would be about two points lower. Good
enough for a limit, not for ranking texts a point or two apart.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

import textstat
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from bot.content.knowledge import KnowledgeBase, load_knowledge

ROOT = Path(__file__).resolve().parent.parent
textstat.set_lang("de")  # Amstad's constants and the German hyphenation dictionary

# The limits (why these values: docs/EDITING.md, "Lesbarkeit").
MIN_AMSTAD = 50.0  # Flesch-Amstad: 0 = very hard … 100 = very easy; 50-60 "mittelschwer"
MAX_WSTF = 10.0  # Wiener Sachtextformel 1: roughly the school year (4 = very easy … 15 = very hard)

# Advice only, not a limit: plain-language guides keep sentences to 15 words or fewer.
LONG_SENTENCE = 15

# Placeholders the actions fill in; they are not words the reader sees as written.
PLACEHOLDER = re.compile(r"\{\w+\}")
# Abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = re.compile(r"\b(et al|z\. ?B|u\. ?a|d\. ?h|bzw|ca|etc|Nr|Dr|ggf|evtl|vgl|usw)\.")
# A sentence ends at . ! ? followed by space and a capital, digit or opening quote.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ0-9„\"])")


@dataclass(frozen=True)
class Score:
    amstad: float
    wstf: float
    words_per_sentence: float
    syllables_per_word: float
    longest_sentence: int  # in words


@dataclass(frozen=True)
class Answer:
    id: str  # "akupunktur/wirksamkeit", "topics/quellen", "utter_intro"
    origin: str  # "file:line", for messages to editors
    text: str


def sentences(text: str) -> list[str]:
    """Split a text into sentences; every line of a bullet list counts as one."""
    text = ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", "\u2024"), text)  # one-dot leader: not a stop
    result: list[str] = []
    for line in text.splitlines():
        line = line.strip().removeprefix("- ").strip()
        result.extend(part for part in SENTENCE_END.split(line) if part.strip())
    return result


def score(text: str) -> Score:
    """Amstad and WSTF 1 of one text (placeholders removed)."""
    text = re.sub(r"[ \t]+", " ", PLACEHOLDER.sub("", text))
    words = textstat.lexicon_count(text)
    parts = sentences(text)
    n_sentences = max(1, len(parts))
    if words == 0:
        return Score(amstad=100.0, wstf=0.0, words_per_sentence=0.0, syllables_per_word=0.0, longest_sentence=0)
    asl = words / n_sentences  # average sentence length in words
    asw = textstat.syllable_count(text) / words  # average syllables per word
    amstad = 180 - asl - 58.5 * asw
    # WSTF 1 (Bamberger & Vanecek): percentages of words with 3+ syllables (MS), with more
    # than 6 letters (IW) and with one syllable (ES), and the sentence length (SL).
    ms = 100 * textstat.polysyllabcount(text) / words
    iw = 100 * textstat.long_word_count(text) / words
    es = 100 * textstat.monosyllabcount(text) / words
    wstf = 0.1935 * ms + 0.1672 * asl + 0.1297 * iw - 0.0327 * es - 0.875
    return Score(
        amstad=round(amstad, 1),
        wstf=round(wstf, 1),
        words_per_sentence=asl,
        syllables_per_word=asw,
        longest_sentence=max((textstat.lexicon_count(part) for part in parts), default=0),
    )


def answers(kb: KnowledgeBase, root: Path) -> list[Answer]:
    """Every text a user can read: facts, topics, the disclaimer and the domain's text responses."""
    found = [Answer(f"{therapy}/{aspect}", fact.origin, fact.text) for (therapy, aspect), fact in kb.facts.items()]
    found += [Answer(f"topics/{topic_id}", topic.origin, topic.text) for topic_id, topic in kb.topics.items()]
    sources = YAML(typ="rt").load((root / "knowledge" / "sources.yml").read_text(encoding="utf-8"))
    line = sources.lc.key("disclaimer")[0] + 1 if isinstance(sources, CommentedMap) and "disclaimer" in sources else 1
    found.append(Answer("disclaimer", f"knowledge/sources.yml:{line}", kb.disclaimer))
    domain = YAML(typ="rt").load((root / "domain.yml").read_text(encoding="utf-8"))
    responses = domain.get("responses") if isinstance(domain, CommentedMap) else None
    for name, variants in (responses or {}).items():
        for variant in variants or []:
            if isinstance(variant, CommentedMap) and isinstance(variant.get("text"), str):
                found.append(Answer(str(name), f"domain.yml:{variant.lc.key('text')[0] + 1}", variant["text"]))
    return found


def problems(scored: list[tuple[Answer, Score]]) -> list[str]:
    """One `file:line: …` line per answer that is harder than the limits, with what to change."""
    found = []
    for answer, result in scored:
        reasons = []
        if result.amstad < MIN_AMSTAD:
            reasons.append(f"Flesch-Amstad {result.amstad:.1f} (must be {MIN_AMSTAD:.0f} or more)")
        if result.wstf > MAX_WSTF:
            reasons.append(f"Wiener Sachtextformel {result.wstf:.1f} (must be {MAX_WSTF:.0f} or less)")
        if not reasons:
            continue
        advice = "use shorter everyday words and explain a technical term in a sentence of its own"
        if result.longest_sentence > LONG_SENTENCE:
            advice = (
                f"split sentences longer than {LONG_SENTENCE} words (the longest has {result.longest_sentence}), "
                + advice
            )
        found.append(
            f"{answer.origin}: answer '{answer.id}' is too hard to read: {' and '.join(reasons)}; "
            f"{advice} (docs/EDITING.md, Lesbarkeit)"
        )
    return found


def score_all(kb: KnowledgeBase, root: Path) -> list[tuple[Answer, Score]]:
    return [(answer, score(answer.text)) for answer in answers(kb, root)]


def hardest(scored: list[tuple[Answer, Score]], count: int = 10) -> list[tuple[Answer, Score]]:
    """The `count` hardest answers, lowest Amstad first (WSTF breaks ties)."""
    return sorted(scored, key=lambda item: (item[1].amstad, -item[1].wstf))[:count]


def table(scored: list[tuple[Answer, Score]], count: int = 10) -> str:
    """The hardest answers with what makes them hard: sentence length and word length."""
    header = f"{'answer':34} {'Amstad':>6} {'WSTF':>5} {'words/sentence':>14} {'syllables/word':>14}  where"
    lines = [header, "-" * len(header)]
    for answer, result in hardest(scored, count):
        lines.append(
            f"{answer.id:34} {result.amstad:6.1f} {result.wstf:5.1f} {result.words_per_sentence:14.1f} "
            f"{result.syllables_per_word:14.2f}  {answer.origin}"
        )
    lines += ["-" * len(header), summary(scored)]
    return "\n".join(lines)


def summary(scored: list[tuple[Answer, Score]]) -> str:
    """One line: how plain the answers are overall, against the limits."""
    amstad = [s.amstad for _, s in scored]
    wstf = [s.wstf for _, s in scored]
    return (
        f"readability of {len(scored)} answers: Flesch-Amstad min {min(amstad):.1f}, "
        f"median {statistics.median(amstad):.1f} (limit >= {MIN_AMSTAD:.0f}); Wiener Sachtextformel "
        f"max {max(wstf):.1f}, median {statistics.median(wstf):.1f} (limit <= {MAX_WSTF:.0f}); "
        f"hardest: python -m tools.readability"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="List the hardest answers by German readability.")
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("-n", type=int, default=10, help="how many answers to list (default 10)")
    args = parser.parse_args()
    root = args.root.resolve()
    scored = score_all(load_knowledge(root / "knowledge"), root)
    print(table(scored, args.n))
    return 1 if problems(scored) else 0


if __name__ == "__main__":
    sys.exit(main())
