"""Compose the bot's answers from the fact store: text, source, disclaimer, buttons.

Pure functions over a `KnowledgeBase` and the interface texts; they know nothing of Rasa
or of any channel. An answer is structure (`Answer`): the body, the source it rests on,
the claim ids used, the buttons. Channels draw it their own way; `Answer.text` is the
plain form every channel can show (body, `Quelle:` line, disclaimer).

How a fact answer is chosen (`fact_answer`), for each treatment and aspect asked:

1. a question that takes a benefit or proof for granted ("hilft doch sicher, oder?")
   opens with the treatment's evidence verdict, so the belief is not left standing;
2. the claims that answer the detail asked ("Marcumar" → the claim on blood thinners);
3. where no claim answers the detail, what the page does not say, first, then the
   nearest thing it does say;
4. then the aspect's claims, in the order of the treatment's file, as space allows.

At most four sentences before the `Quelle:` line; the advice "höchstens ergänzend …" is
said once, even for two treatments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.content.knowledge import GENERAL, Claim, KnowledgeBase
from bot.texts import Texts

MAX_SENTENCES = 4
# Where a premise is a claim about benefit, proof or mechanism, the verdict answers it.
VERDICT_PREMISES = {"benefit", "proof", "mechanism", "tag"}
# Topic ids of the general answers, and the button that switches to another treatment.
OTHER_THERAPY = "andere_behandlung"
QUOTE = "originaltext"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ„\"])")


def sentence_count(text: str) -> int:
    return len([s for s in _SENTENCE_END.split(text.strip()) if s])


@dataclass(frozen=True)
class Button:
    title: str
    therapy: str | None = None
    aspect: str | None = None
    topic: str | None = None


@dataclass(frozen=True)
class Source:
    """What an answer rests on: the page and its parts, or (for safety notes) what else."""

    line: str  # the `Quelle:` line as text
    title: str = ""
    url: str = ""
    updated: str = ""
    sections: tuple[str, ...] = ()  # labels of the parts of the page
    references: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "title": self.title,
            "url": self.url,
            "updated": self.updated,
            "sections": list(self.sections),
            "references": list(self.references),
        }


@dataclass(frozen=True)
class Answer:
    body: str
    source: Source
    disclaimer: str
    buttons: tuple[Button, ...] = ()
    claims: tuple[str, ...] = ()
    therapy: str | None = None
    aspect: str | None = None
    cells: tuple[tuple[str, str], ...] = ()  # every (treatment, aspect) the answer covers

    @property
    def text(self) -> str:
        """The whole message: answer, then the `Quelle:` line, then the disclaimer."""
        return f"{self.body}\n{self.source.line}\n{self.disclaimer}"


@dataclass(frozen=True)
class Question:
    """What the NLU understood of a fact question."""

    therapies: tuple[str, ...]
    aspects: tuple[str, ...]
    details: tuple[str, ...] = ()
    premise: str | None = None
    personal: bool = False
    conditions: tuple[str, ...] = ()  # names of conditions named next to the back
    safety_line: str | None = None  # a line on what to do if a warning sign mentioned happens


@dataclass
class _Draft:
    """Sentences in order, the claims they come from, and how many sentences are used."""

    parts: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    sentences: int = 0
    reserved: int = 0  # sentences kept free for what must come later (the advice)
    refer: list[str] = field(default_factory=list)  # who can tell what the page does not say

    def fits(self, text: str, budget: int) -> bool:
        return self.sentences + self.reserved + sentence_count(text) <= budget

    def add_claim(self, claim: Claim, budget: int) -> bool:
        if claim in self.claims or not self.fits(claim.text, budget):
            return False
        self.parts.append(claim.text)
        self.claims.append(claim)
        self.sentences += sentence_count(claim.text)
        return True

    def add_text(self, text: str, budget: int, force: bool = False) -> bool:
        if text in self.parts or (not force and not self.fits(text, budget)):
            return False
        self.parts.append(text)
        self.sentences += sentence_count(text)
        return True


def _joined(items: list[str], texts: Texts) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {texts.get('answer.and')} " + items[-1]


def source_of(kb: KnowledgeBase, texts: Texts, claims: Iterable[Claim]) -> Source:
    """The `Quelle:` line naming the page and the parts of it the claims rest on."""
    claims = list(claims)
    section_ids = list(dict.fromkeys(c.section for c in claims if c.section in kb.sections))
    sections = [kb.sections[s] for s in section_ids]
    headings = [texts.get("answer.heading", label=s.label) for s in sections if s.heading]
    plain = [s.label for s in sections if not s.heading]
    named = []
    if headings:
        key = "answer.section_one" if len(headings) == 1 else "answer.section_many"
        named.append(texts.get(key, headings=_joined(headings, texts)))
    named.extend(plain)
    page = kb.page
    line = texts.get(
        "answer.source_line",
        publisher=page.publisher,
        site=page.site,
        title=page.title,
        sections=_joined(named, texts),
        updated=page.updated,
        url=page.url,
    )
    references = list(dict.fromkeys(r for c in claims for r in c.references))
    if references:
        line += ". " + texts.get("answer.references", references="; ".join(kb.references[r] for r in references))
    return Source(
        line=line,
        title=page.title,
        url=page.url,
        updated=page.updated,
        sections=tuple(s.label for s in sections),
        references=tuple(kb.references[r] for r in references),
    )


def _say_silence(draft: _Draft, text: str, nearest: list[Claim], refer: str | None, budget: int) -> None:
    """What the page does not say, first; then the nearest thing it does say."""
    draft.add_text(text, budget, force=not draft.parts)
    for claim in nearest:
        draft.add_claim(claim, budget)
    if refer and refer not in draft.refer:
        draft.refer.append(refer)


def _cell(
    kb: KnowledgeBase, texts: Texts, therapy: str, aspect: str, question: Question, draft: _Draft, budget: int
) -> None:
    """Add what answers (therapy, aspect) for this question to the draft, within budget."""
    verdict = kb.verdict(therapy)

    # 1. a premise of benefit, proof or mechanism: the verdict first
    if question.premise in VERDICT_PREMISES and aspect in ("wirksamkeit", "methode") and verdict is not None:
        draft.add_claim(verdict, budget)
        if question.premise == "mechanism":
            for claim in kb.claims_of(therapy, detail="mechanismus"):
                if "nachweis" in claim.details:
                    draft.add_claim(claim, budget)

    # 2./3. the details asked: the claims that answer them, or what the page does not say
    for detail_id in question.details:
        detail = kb.details.get(detail_id)
        answering = [c for c in kb.claims_of(therapy, detail=detail_id) if not c.advice]
        if answering:
            for claim in answering:
                draft.add_claim(claim, budget)
        else:
            silence = kb.silence(therapy, detail=detail_id)
            if silence is not None:
                nearest = [kb.claim(c) for c in silence.nearest]
                _say_silence(draft, silence.text, nearest, silence.refer, budget)
            elif detail is not None and detail.silent:
                nearest = [c for c in kb.claims_of(therapy, detail.aspect) if not c.advice]
                nearest += [c for c in kb.general_claims(detail_id) if not c.advice][:1]
                _say_silence(draft, detail.silent, nearest, detail.refer, budget)

    # 4. the aspect's own answer: what the page does not say about it, or its claims
    silence = kb.silence(therapy, aspect=aspect)
    if silence is not None:
        nearest = [kb.claim(c) for c in silence.nearest]
        _say_silence(draft, silence.text, nearest, silence.refer, budget)
    for claim in kb.claims_of(therapy, aspect):
        if not claim.advice:
            draft.add_claim(claim, budget)

    # "How is it supposed to work?" also asks whether it works
    if "mechanismus" in question.details and verdict is not None:
        draft.add_claim(verdict, budget)


def _advice(kb: KnowledgeBase, therapies: Iterable[str]) -> Claim | None:
    for therapy in therapies:
        for claim in kb.therapy_claims.get(therapy, ()):
            if claim.advice:
                return claim
    return None


def follow_up_buttons(kb: KnowledgeBase, texts: Texts, therapy: str, asked: set[str]) -> list[Button]:
    """The other aspects of this therapy, a switch to another treatment, the page's words."""
    buttons = [
        Button(title=aspect.label, therapy=therapy, aspect=aspect.id)
        for aspect in kb.aspects.values()
        if aspect.id not in asked
    ]
    buttons.append(Button(title=texts.get("buttons.other_therapy"), topic=OTHER_THERAPY))
    buttons.append(Button(title=texts.get("buttons.original_text"), topic=QUOTE))
    return buttons


def fact_answer(kb: KnowledgeBase, texts: Texts, question: Question) -> Answer:
    """Answer one or two treatments × one or two aspects, fitted to the question asked."""
    therapies = list(dict.fromkeys(question.therapies))[:2]
    aspects = list(dict.fromkeys(question.aspects))[:2]
    draft = _Draft()
    if question.personal:
        draft.add_text(texts.get("answer.personal_lead"), MAX_SENTENCES, force=True)
    if question.conditions:
        note = texts.get("answer.condition_note", condition=_joined(list(question.conditions), texts))
        draft.add_text(note, MAX_SENTENCES, force=True)
    advice = _advice(kb, therapies) if "wirksamkeit" in aspects else None
    draft.reserved = 1 if advice is not None else 0
    cells = [(t, a) for t in therapies for a in aspects]
    for index, (therapy, aspect) in enumerate(cells):
        # every cell gets an even share of the room; the last one takes what is left
        left = MAX_SENTENCES - draft.sentences - draft.reserved
        share = max(1, left // (len(cells) - index)) if index < len(cells) - 1 else left
        before = draft.sentences
        _cell(kb, texts, therapy, aspect, question, draft, draft.sentences + draft.reserved + share)
        if draft.sentences == before:  # nothing fitted: let this cell have one claim more
            _cell(kb, texts, therapy, aspect, question, draft, draft.sentences + draft.reserved + 2)
    draft.reserved = 0
    if advice is not None:
        draft.add_claim(advice, MAX_SENTENCES)
    for refer in draft.refer:
        draft.add_text(texts.get(f"answer.refer_{refer}"), MAX_SENTENCES)
    if question.safety_line:
        draft.add_text(question.safety_line, MAX_SENTENCES, force=True)
    return Answer(
        body=" ".join(draft.parts),
        source=source_of(kb, texts, draft.claims),
        disclaimer=kb.disclaimer,
        buttons=tuple(follow_up_buttons(kb, texts, therapies[0], set(aspects))),
        claims=tuple(c.id for c in draft.claims),
        therapy=therapies[0],
        aspect=aspects[0],
        cells=tuple(cells),
    )


def therapy_choice_buttons(kb: KnowledgeBase, aspect: str | None) -> list[Button]:
    """One button per top-level treatment (members like TENS are reached by typing)."""
    return [Button(title=t.label, therapy=t.id, aspect=aspect) for t in kb.top_level_therapies()]


def aspect_choice_buttons(kb: KnowledgeBase, therapy: str) -> list[Button]:
    return [Button(title=a.label, therapy=therapy, aspect=a.id) for a in kb.aspects.values()]


def _topic_buttons(texts: Texts, topic_id: str) -> list[Button]:
    """The natural next questions after a general answer."""
    active = Button(title=texts.get("buttons.active"), topic="aktive_behandlungen")
    costs = Button(title=texts.get("buttons.costs"), topic="kosten_allgemein")
    passive = Button(title=texts.get("buttons.passive"), topic="uebersicht")
    source = Button(title=texts.get("buttons.source"), topic="quellen")
    return {
        "uebersicht": [active, costs],
        "aktive_behandlungen": [passive, source],
        "kosten_allgemein": [passive, active],
        "quellen": [passive],
    }.get(topic_id, [])


def topic_answer(kb: KnowledgeBase, texts: Texts, topic_id: str) -> Answer:
    claims = list(kb.topics[topic_id])
    parts = [c.text for c in claims]
    buttons = _topic_buttons(texts, topic_id)
    if topic_id == "uebersicht":
        names = _joined([t.name for t in kb.top_level_therapies()], texts)
        parts.insert(1, texts.get("answer.therapy_list", therapies=names))
        buttons = therapy_choice_buttons(kb, None)[:8] + buttons
    return Answer(
        body=" ".join(parts),
        source=source_of(kb, texts, claims),
        disclaimer=kb.disclaimer,
        buttons=tuple(buttons),
        claims=tuple(c.id for c in claims),
    )


def quote_answer(kb: KnowledgeBase, texts: Texts, claim_ids: Iterable[str]) -> Answer | None:
    """The page's exact words behind the last answer ("Was steht genau auf der Seite?")."""
    claims = [kb.claims[c] for c in claim_ids if c in kb.claims][:4]
    if not claims:
        return None
    lines = [texts.get("answer.quote_intro")]
    for claim in claims:
        label = kb.sections[claim.section].label
        for quote in claim.quotes:
            line = texts.get("answer.quote_line", quote=quote, label=label)
            if line not in lines:
                lines.append(line)
    lines.append(texts.get("answer.quote_link", url=kb.page.url))
    return Answer(
        body="\n".join(lines),
        source=source_of(kb, texts, claims),
        disclaimer=kb.disclaimer,
        claims=tuple(c.id for c in claims),
    )


def start_buttons(texts: Texts) -> list[Button]:
    """Topic buttons for the opening message."""
    return [
        Button(title=texts.get("buttons.overview"), topic="uebersicht"),
        Button(title=texts.get("buttons.example_question"), therapy="akupunktur", aspect="wirksamkeit"),
        Button(title=texts.get("buttons.costs"), topic="kosten_allgemein"),
        Button(title=texts.get("buttons.active"), topic="aktive_behandlungen"),
    ]


__all__ = [
    "GENERAL",
    "OTHER_THERAPY",
    "QUOTE",
    "Answer",
    "Button",
    "Question",
    "Source",
    "aspect_choice_buttons",
    "fact_answer",
    "follow_up_buttons",
    "quote_answer",
    "source_of",
    "start_buttons",
    "therapy_choice_buttons",
    "topic_answer",
]
