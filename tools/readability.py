"""Readability of every text a person reads: German Flesch (Amstad) and Wiener Sachtextformel.

`make check` fails on any text that is harder than the limits below (their reasons are in
docs/EDITING.md, "Lesbarkeit"); `make lesbarkeit` (`python -m tools.readability`) prints the
hardest texts as a table.

What is read: the answer the bot composes for every treatment × aspect and for every detail
a claim or silence answers (bot.content.answers.fact_answer), the general answers (topics),
every text under `silent:` (claims/*.yml, details.yml), the disclaimer, every text response
in domain.yml, every text in interface_texts.yml, and the replies of knowledge/safety.yml (per
warning sign: its tier's first line, the sign's `why`, the tier's `after`; the general warning;
the line added to an answer about risks).

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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import textstat
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.content.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from bot.texts import Texts, load_texts

ROOT = Path(__file__).resolve().parent.parent
textstat.set_lang("de")  # Amstad's constants and the German hyphenation dictionary

# The limits (why these values: docs/EDITING.md, "Lesbarkeit").
MIN_AMSTAD = 50.0  # Flesch-Amstad: 0 = very hard … 100 = very easy; 50-60 "mittelschwer"
MAX_WSTF = 10.0  # Wiener Sachtextformel 1: roughly the school year (4 = very easy … 15 = very hard)

# Titles, button labels and a short "Danke!" are too short for a formula: not measured. A text
# of fewer words, or one line without a full stop, question or exclamation mark or colon (a
# heading: "Informationen zu passiven Behandlungen …"), is a label, not a text to read through.
MIN_WORDS = 6

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
    id: str  # "akupunktur/wirksamkeit", "thema/uebersicht", "utter_goodbye", "interface_texts/answer.and"
    origin: str  # "Datei:Zeile", for messages to editors
    text: str
    what: str = ""  # how a message names it ("Die Antwort auf „Akupunktur: Wirkung“")

    @property
    def label(self) -> str:
        return self.what or f"Der Text '{self.id}'"


def sentences(text: str) -> list[str]:
    """Split a text into sentences; every line of a bullet list counts as one."""
    text = ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", "\u2024"), text)  # one-dot leader: not a stop
    result: list[str] = []
    for line in text.splitlines():
        line = line.strip().removeprefix("- ").strip()
        result.extend(part for part in SENTENCE_END.split(line) if part.strip())
    return result


def without_names(text: str, names: tuple[str, ...]) -> str:
    """The text without the treatments' names (and words that start with one: "Traktionsbehandlung")."""
    if not names:
        return text
    pattern = r"(?<!\w)(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")[\w-]*"
    return re.sub(pattern, "", text, flags=re.IGNORECASE)


def score(text: str, names: tuple[str, ...] = ()) -> Score:
    """Amstad and WSTF 1 of one text (placeholders and the treatments' `names` not counted)."""
    text = re.sub(r"[ \t]+", " ", PLACEHOLDER.sub("", without_names(text, names)))
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


def _yaml(path: Path) -> object:
    try:
        return YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except Exception:  # a missing or broken file is reported by the YAML stage of make check
        return None


def _key_line(node: object, key: object) -> int:
    if isinstance(node, CommentedMap) and key in node:
        return node.lc.key(key)[0] + 1
    if isinstance(node, CommentedSeq) and isinstance(key, int):
        return node.lc.item(key)[0] + 1
    return 1


def knowledge_answers(kb: KnowledgeBase, root: Path, texts: Texts) -> list[Answer]:
    """What the bot composes from knowledge/: fact answers, topics, silences, the disclaimer.

    A composed answer is made of several texts; its `origin` is the hardest of them (that is
    where an editor starts), and `what` names the claims it is made of.
    """
    from bot.content.answers import Question, fact_answer, topic_answer
    from tools.content_rules import ClaimLines

    lines = ClaimLines(root)
    names = therapy_names(kb)
    found: list[Answer] = []
    seen: set[str] = set()

    def hardest_part(parts: list[tuple[str, str]]) -> str:
        return min(parts, key=lambda part: score(part[1], names).amstad)[0] if parts else "knowledge/:1"

    def composed(answer_id: str, title: str, therapy: str, question: Question) -> None:
        try:
            answer = fact_answer(kb, texts, question)
        except (KeyError, ValueError, IndexError):  # a broken fact store is reported by its own stage
            return
        if answer.body in seen:
            return
        seen.add(answer.body)
        parts = [(lines.key(kb.claims[c].origin, "text"), kb.claims[c].text) for c in answer.claims if c in kb.claims]
        parts += [(lines.key(s.origin, "text"), s.text) for s in kb.silences.get(therapy, ()) if s.text in answer.body]
        used = ", ".join(answer.claims) or "keine Aussage"
        what = f"Die Antwort auf „{title}“ (aus: {used})"
        found.append(Answer(answer_id, hardest_part(parts), answer.body, what))

    for therapy in kb.therapies.values():
        for aspect in kb.aspects.values():
            question = Question(therapies=(therapy.id,), aspects=(aspect.id,))
            composed(f"{therapy.id}/{aspect.id}", f"{therapy.name}: {aspect.label}", therapy.id, question)
    for therapy in kb.therapies.values():
        for detail in kb.details.values():
            question = Question(therapies=(therapy.id,), aspects=(detail.aspect,), details=(detail.id,))
            title = f"{therapy.name}: {detail.id}"
            composed(f"{therapy.id}/{detail.aspect}/{detail.id}", title, therapy.id, question)

    general = _yaml(root / "knowledge" / "general.yml")
    topics = general.get("topics") if isinstance(general, CommentedMap) else None
    for topic_id in kb.topics:
        try:
            body = topic_answer(kb, texts, topic_id).body
        except (KeyError, ValueError, IndexError):
            continue
        origin = f"knowledge/general.yml:{_key_line(topics, topic_id)}"
        found.append(Answer(f"thema/{topic_id}", origin, body, f"Die allgemeine Antwort '{topic_id}'"))

    done: set[str] = set()
    for therapy, silences in kb.silences.items():
        for silence in silences:
            if silence.origin not in done:
                done.add(silence.origin)
                what = f"Der Text unter 'silent:' zu '{therapy}'"
                found.append(Answer(f"{therapy}/silent", lines.key(silence.origin, "text"), silence.text, what))
    details = _yaml(root / "knowledge" / "details.yml")
    detail_nodes = details.get("details") if isinstance(details, CommentedMap) else None
    for detail in kb.details.values():
        if detail.silent:
            node = detail_nodes.get(detail.id) if isinstance(detail_nodes, CommentedMap) else None
            origin = f"knowledge/details.yml:{_key_line(node, 'silent')}"
            what = f"Der Text 'silent:' des Details '{detail.id}'"
            found.append(Answer(f"detail/{detail.id}", origin, detail.silent, what))

    sources = _yaml(root / "knowledge" / "sources.yml")
    origin = f"knowledge/sources.yml:{_key_line(sources, 'disclaimer')}"
    found.append(Answer("disclaimer", origin, kb.disclaimer, "Der Hinweis am Ende jeder Antwort ('disclaimer')"))
    return found


def _strings(node: object, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], int, str]]:
    """(path, line, text) of every string in a YAML tree."""
    if isinstance(node, CommentedMap):
        items = list(node.items())
    elif isinstance(node, CommentedSeq):
        items = list(enumerate(node))
    else:
        return
    for key, value in items:
        if isinstance(value, str):
            yield (*path, str(key)), _key_line(node, key), value
        else:
            yield from _strings(value, (*path, str(key)))


def file_answers(root: Path) -> list[Answer]:
    """The texts outside the fact store: domain.yml, interface_texts.yml, knowledge/safety.yml."""
    found: list[Answer] = []
    domain = _yaml(root / "domain.yml")
    responses = domain.get("responses") if isinstance(domain, CommentedMap) else None
    for name, variants in (responses or {}).items():
        for variant in variants or []:
            if isinstance(variant, CommentedMap) and isinstance(variant.get("text"), str):
                origin = f"domain.yml:{_key_line(variant, 'text')}"
                found.append(Answer(str(name), origin, variant["text"], f"Die Antwort '{name}'"))
    for path, line, text in _strings(_yaml(root / "interface_texts.yml")):
        key = ".".join(path)
        found.append(Answer(f"interface_texts/{key}", f"interface_texts.yml:{line}", text, f"Der Text '{key}'"))
    found.extend(safety_answers(root))
    return found


def safety_answers(root: Path) -> list[Answer]:
    """The safety replies as a person reads them: first line, why, what to do (knowledge/safety.yml)."""
    safety = _yaml(root / "knowledge" / "safety.yml")
    if not isinstance(safety, CommentedMap):
        return []
    found = []
    tiers = safety.get("tiers") if isinstance(safety.get("tiers"), CommentedMap) else CommentedMap()
    signs = safety.get("signs") if isinstance(safety.get("signs"), CommentedMap) else CommentedMap()
    for sign_id, sign in signs.items():
        tier = tiers.get(sign.get("tier")) if isinstance(sign, CommentedMap) else None
        if not isinstance(tier, CommentedMap):
            continue
        why = sign.get("why") or ""
        text = "\n".join(str(part) for part in (tier.get("lead"), why, tier.get("after")) if part)
        origin = f"knowledge/safety.yml:{_key_line(sign, 'why') if why else _key_line(tier, 'lead')}"
        found.append(Answer(f"sicherheit/{sign_id}", origin, text, f"Die Antwort auf das Warnzeichen '{sign_id}'"))
    for tier_id, tier in tiers.items():
        if isinstance(tier, CommentedMap):
            text = "\n".join(str(part) for part in (tier.get("lead"), tier.get("after")) if part)
            origin = f"knowledge/safety.yml:{_key_line(tier, 'lead')}"
            found.append(Answer(f"sicherheit/{tier_id}", origin, text, f"Die Antwort der Stufe '{tier_id}'"))
    warning = safety.get("general_warning")
    if isinstance(warning, CommentedMap) and isinstance(warning.get("text"), str):
        origin = f"knowledge/safety.yml:{_key_line(warning, 'text')}"
        found.append(Answer("sicherheit/general_warning", origin, warning["text"], "Die allgemeine Warnung"))
    info = safety.get("signs_info")
    if isinstance(info, CommentedMap) and isinstance(info.get("lead"), str):
        origin = f"knowledge/safety.yml:{_key_line(info, 'lead')}"
        found.append(
            Answer("sicherheit/signs_info", origin, info["lead"], "Der erste Satz der Warnzeichen als Auskunft")
        )
    if isinstance(safety.get("mention_line"), str):
        origin = f"knowledge/safety.yml:{_key_line(safety, 'mention_line')}"
        found.append(Answer("sicherheit/mention_line", origin, safety["mention_line"], "Der Text 'mention_line'"))
    return found


def answers(kb: KnowledgeBase | None, root: Path, texts: Texts | None = None) -> list[Answer]:
    """Every text a person can read (without the fact store's answers when `kb` is None)."""
    found = []
    if kb is not None:
        if texts is None:
            texts = load_texts(root / "interface_texts.yml")
        found.extend(knowledge_answers(kb, root, texts))
    found.extend(file_answers(root))
    return found


def _number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def problems(scored: list[tuple[Answer, Score]]) -> list[str]:
    """One `Datei:Zeile: …` line per text that is harder than the limits, with what to change."""
    found = []
    for answer, result in scored:
        reasons = []
        if result.amstad < MIN_AMSTAD:
            reasons.append(f"Flesch-Amstad {_number(result.amstad)} (mindestens {MIN_AMSTAD:.0f})")
        if result.wstf > MAX_WSTF:
            reasons.append(f"Wiener Sachtextformel {_number(result.wstf)} (höchstens {MAX_WSTF:.0f})")
        if not reasons:
            continue
        advice = "nehmen Sie kürzere Alltagswörter und erklären Sie ein Fachwort in einem eigenen Satz"
        if result.longest_sentence > LONG_SENTENCE:
            advice = (
                f"teilen Sie Sätze mit mehr als {LONG_SENTENCE} Wörtern (der längste hat "
                f"{result.longest_sentence}), " + advice
            )
        found.append(
            f"{answer.origin}: {answer.label} ist schwer zu lesen: {' und '.join(reasons)}. "
            f"So beheben Sie es: {advice}; die schwersten Texte zeigt „make lesbarkeit“ "
            f"(docs/EDITING.md, „Lesbarkeit“)"
        )
    return found


def is_label(text: str) -> bool:
    """A title or button label: too short, or a single line without any sentence mark."""
    text = PLACEHOLDER.sub("", text).strip()
    if textstat.lexicon_count(text) < MIN_WORDS:
        return True
    return "\n" not in text and not re.search(r"[.!?:]", text)


def therapy_names(kb: KnowledgeBase | None) -> tuple[str, ...]:
    """The treatments' names: the reader asked about them, so they do not count as hard words."""
    if kb is None:
        return ()
    names = {t.name for t in kb.therapies.values()} | {t.short_name for t in kb.therapies.values() if t.short_name}
    return tuple(sorted(n for n in names if n))


def score_all(kb: KnowledgeBase | None, root: Path, texts: Texts | None = None) -> list[tuple[Answer, Score]]:
    """Every text with its score; texts of fewer than MIN_WORDS words (titles, buttons) are left out."""
    names = therapy_names(kb)
    scored = []
    for answer in answers(kb, root, texts):
        if not is_label(answer.text):
            scored.append((answer, score(answer.text, names)))
    return scored


def hardest(scored: list[tuple[Answer, Score]], count: int = 10) -> list[tuple[Answer, Score]]:
    """The `count` hardest texts, lowest Amstad first (WSTF breaks ties)."""
    return sorted(scored, key=lambda item: (item[1].amstad, -item[1].wstf))[:count]


def table(scored: list[tuple[Answer, Score]], count: int = 10) -> str:
    """The hardest texts with what makes them hard: sentence length and word length."""
    header = f"{'Text':40} {'Amstad':>6} {'WSTF':>5} {'Wörter/Satz':>11} {'Silben/Wort':>11}  Ort"
    lines = [header, "-" * len(header)]
    for answer, result in hardest(scored, count):
        lines.append(
            f"{answer.id[:40]:40} {_number(result.amstad):>6} {_number(result.wstf):>5} "
            f"{_number(result.words_per_sentence):>11} {result.syllables_per_word:11.2f}  {answer.origin}".replace(
                ".", ",", 0
            )
        )
    lines += ["-" * len(header), summary(scored)]
    return "\n".join(lines)


def summary(scored: list[tuple[Answer, Score]]) -> str:
    """One line: how plain the texts are overall, against the limits."""
    if not scored:
        return "Lesbarkeit: keine Texte gefunden."
    amstad = [s.amstad for _, s in scored]
    wstf = [s.wstf for _, s in scored]
    return (
        f"Lesbarkeit von {len(scored)} Texten: Flesch-Amstad mindestens {_number(min(amstad))}, "
        f"Median {_number(statistics.median(amstad))} (Grenze: mindestens {MIN_AMSTAD:.0f}); Wiener "
        f"Sachtextformel höchstens {_number(max(wstf))}, Median {_number(statistics.median(wstf))} "
        f"(Grenze: höchstens {MAX_WSTF:.0f}). Die schwersten Texte zeigt „make lesbarkeit“."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="Die schwersten Texte des Bots nach deutscher Lesbarkeit.")
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("-n", type=int, default=15, help="wie viele Texte (Standard: 15)")
    args = parser.parse_args()
    root = args.root.resolve()
    try:
        kb = load_knowledge(root / "knowledge")
    except KnowledgeError as error:
        print("\n".join(error.problems))
        print("Der Faktenspeicher hat Fehler (siehe oben); die Tabelle zeigt nur die übrigen Texte.")
        kb = None
    scored = score_all(kb, root)
    print(table(scored, args.n))
    over = problems(scored)
    if over:
        print(f"{len(over)} Texte liegen über der Grenze; make check nennt sie mit Datei:Zeile.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
