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

At most four sentences before the `Quelle:` line, six for a question with two parts (two
treatments or two aspects), plus a note that frames the answer; the advice "höchstens
ergänzend …" is said once, even for two treatments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum

from bot.content.knowledge import GENERAL, Claim, Detail, KnowledgeBase
from bot.texts import Texts

# How long an answer may be before the `Quelle:` line. One question, one short answer; a question
# with two parts (two treatments or two aspects: "Wie funktioniert das und ist es sicher?") needs
# room for both, or the second part is cut off. A note that frames the answer (the person's
# condition, "ich entscheide nichts für Sie") does not take room from what was asked.
MAX_SENTENCES = 4
MAX_SENTENCES_TWO_PARTS = 6
# "Sind Massage, Akupunktur und Osteopathie gefährlich?": three treatments, one aspect, one short part each
MAX_SENTENCES_THREE_PARTS = 7
MAX_THERAPIES_ONE_ASPECT = 3
MAX_THERAPIES_TWO_ASPECTS = 2
# Room kept free for the next part while one part is said: a silence and its nearest fact, or one
# claim of two sentences. What answers the detail asked may take room beyond its part's share, but
# not this, or the second part is cut to a bare "Dazu sagt die Seite nichts."
PART_ROOM = 2
# Where a premise is a claim about benefit, proof or mechanism, the verdict answers it.
VERDICT_PREMISES = {"benefit", "proof", "mechanism", "tag"}
# the page's sentence that the doctor clears whether an option makes sense in the single case: first in
# an answer to a personal question ("Soll ich …?"), so the bot decides nothing for the person
PERSONAL_LEAD = "allgemein.einzelfall"
# Topic ids of the general answers, and the button that switches to another treatment.
OTHER_THERAPY = "andere_behandlung"
QUOTE = "originaltext"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ„\"])")


def sentence_count(text: str) -> int:
    return len([s for s in SENTENCE_END.split(text.strip()) if s])


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


class ConditionKind(Enum):
    """What a condition named beside the question is; its note (interface_texts.yml) comes first."""

    NAMED = "answer.condition_note"  # named next to the back ("Nacken- und Schulterschmerzen")
    CIRCUMSTANCE = "answer.circumstance_note"  # one the person has, beside a risk question ("Ich habe Diabetes")
    STATE = "answer.state_note"  # a state of the person (a pregnancy): knowledge/scope.yml kind state


@dataclass(frozen=True)
class Question:
    """What the NLU understood of a fact question."""

    therapies: tuple[str, ...]
    aspects: tuple[str, ...]
    details: tuple[str, ...] = ()
    told: tuple[str, ...] = ()  # details only told beside the question ("Seit meinem Bandscheibenvorfall …")
    premise: str | None = None
    personal: bool = False
    conditions: tuple[str, ...] = ()  # names of conditions named beside the question
    condition_kind: ConditionKind = ConditionKind.NAMED  # which note they get
    safety_line: str | None = None  # a line on what to do if a warning sign mentioned happens


@dataclass
class _Draft:
    """Sentences in order, the claims they come from, and how many sentences are used."""

    parts: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    sentences: int = 0
    reserved: int = 0  # sentences kept free for what must come later (the advice)
    refer: list[str] = field(default_factory=list)  # who can tell what the page does not say
    keep_room_for_refer: bool = True  # a one-part answer always says who can tell; a two-part one if room is left
    verdict_room: bool = True  # whether it helps has room beyond its share (not when another part was asked)
    limit: int = MAX_SENTENCES  # sentences for the whole answer
    aspects: tuple[str, ...] = ()  # the aspects asked, in the answer's order
    family: dict[str, str] = field(default_factory=dict)  # treatment -> its group ("tens" -> "elektrotherapie")
    later: int = 0  # sentences kept free for the next part

    def room(self) -> int:
        """Sentences this part may fill beyond its share, leaving the next part its room."""
        return self.limit - self.later

    def fits(self, text: str, budget: int) -> bool:
        # room is kept for what must close the answer: the advice where it was asked, and who can
        # tell what the page does not say (a one-part answer only; two parts keep it if room is left)
        closing = self.reserved + (1 if self.refer and self.keep_room_for_refer else 0)
        return self.sentences + closing + sentence_count(text) <= budget

    def add_claim(self, claim: Claim, budget: int, force: bool = False) -> bool:
        if claim.verdict and self.verdict_room:
            budget = max(budget, self.room())  # whether it helps has room, unless that crowds out a part asked
        if claim in self.claims:
            return False
        said = self.said_less(claim)
        if said is not None:
            # a claim said already rests on part of this one's words: this one says it and more, in its place
            index = self.claims.index(said)
            grown = sentence_count(claim.text) - sentence_count(said.text)
            if not (force or self.sentences + grown <= max(budget, self.room())):
                return False
            self.claims[index], self.parts[self.parts.index(said.text)] = claim, claim.text
            self.sentences += grown
            return True
        if self.repeats(claim) or not (force or self.fits(claim.text, budget)):
            return False
        self.parts.append(claim.text)
        self.claims.append(claim)
        self.sentences += sentence_count(claim.text)
        return True

    def _family(self, claim: Claim) -> str:
        owner = claim.id.split(".")[0]
        return self.family.get(owner, owner)

    def repeats(self, claim: Claim) -> bool:
        """Does a claim of the same file or the same group already say this, resting on the same
        words of the page? ("Die Interferenztherapie funktioniert ähnlich wie die TENS" once, not
        once from its own file and again from the Elektrotherapie's.) Claims of unrelated
        treatments may share a general sentence and each still answer."""
        return any(self._family(c) == self._family(claim) and _page_words(c) & _page_words(claim) for c in self.claims)

    def said_less(self, claim: Claim) -> Claim | None:
        """A claim said already whose page words are all among this one's, and fewer: "Ernste Folgen
        … sind sehr selten." and then "… sehr selten; möglich ist das etwa bei Osteoporose …" say
        the first sentence twice; the second alone says both."""
        words = _page_words(claim)
        return next(
            (
                c
                for c in self.claims
                if self._family(c) == self._family(claim) and _page_words(c) < words and c.text in self.parts
            ),
            None,
        )

    def add_text(self, text: str, budget: int, force: bool = False) -> bool:
        if text in self.parts or (not force and not self.fits(text, budget)):
            return False
        self.parts.append(text)
        self.sentences += sentence_count(text)
        return True


def _page_words(claim: Claim) -> frozenset[str]:
    """The page's words a claim rests on, without the end mark (a quote may stop before the period)."""
    return frozenset(q.rstrip(" .!?") for q in claim.quotes)


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


def _say_silence(
    draft: _Draft, text: str | None, nearest: list[Claim], refer: str | None, budget: int, verdict: Claim | None = None
) -> None:
    """What the page does not say, first (`text`; None where a silence was said already); then
    the nearest thing it does say. `verdict`: whether the treatment helps, said right after the
    nearest fact, before anything more general ("Was ist Traktion?": the page only names it,
    and it is not proven to help)."""
    if text is not None:
        draft.add_text(text, budget, force=not draft.parts)
        # who can tell what the page does not say belongs to the silence said
        if refer and refer not in draft.refer:
            draft.refer.append(refer)
    ordered = [*nearest[:1], verdict, *nearest[1:]] if verdict is not None else nearest
    for index, claim in enumerate(ordered):
        # the nearest fact belongs to the silence: it may use the whole answer's room
        draft.add_claim(claim, max(budget, draft.room()) if index == 0 and claim is not verdict else budget)


def _cell(
    kb: KnowledgeBase, therapy: str, aspect: str, question: Question, said: set[str], draft: _Draft, budget: int
) -> None:
    """Add what answers (therapy, aspect) for this question to the draft, within budget.

    `said`: details whose silence the answer already said once for the whole question."""
    verdict = kb.verdict(therapy)
    premise = question.premise
    if premise == "tag" and aspect != "wirksamkeit":
        premise = None  # "…, oder?" after a description asks for a fact, not for a benefit

    # 1. a premise of benefit, proof or mechanism: the verdict first, then what the page
    #    says about the proof (a belief in a mechanism: about that mechanism)
    premised = premise in VERDICT_PREMISES and aspect in ("wirksamkeit", "methode") and verdict is not None
    if premised and premise == "mechanism":
        # a belief in a mechanism ("die Energiebahnen werden freigemacht"): what the page says
        # about that mechanism's proof comes first, then whether the treatment helps
        for claim in kb.claims_of(therapy, detail="mechanismus"):
            if "nachweis" in claim.details and not claim.advice:
                draft.add_claim(claim, budget)
    if premised:
        draft.add_claim(verdict, budget)

    # 2./3. the details asked: the claims that answer them, or what the page does not say
    general: list[Claim] = []
    later: list[Claim] = []
    # a detail of this part's own aspect was asked too ("… und was kostet eine Stunde?")
    own_detail = any(kb.details[d].aspect == aspect for d in question.details if d in kb.details)
    answers_own = any(
        kb.details[d].aspect == aspect
        and any(not c.advice for c in [*kb.claims_of(therapy, detail=d), *kb.general_claims(d)])
        for d in question.details
        if d in kb.details
    )
    if aspect == "wirksamkeit" and verdict is not None and question.details and not answers_own:
        # "Thai-Massage oder klassische, welche ist besser?": whether it helps was asked, and no
        # claim answers more exactly; the details of other aspects follow
        draft.add_claim(verdict, budget)
    for detail_id in question.details:
        detail = kb.details.get(detail_id)
        answering = [c for c in kb.claims_of(therapy, detail=detail_id) if not c.advice]
        # the claim most about this detail first (it names the detail earlier in its list)
        answering.sort(key=lambda c: c.details.index(detail_id) if detail_id in c.details else len(c.details))
        if answering and own_detail and detail_id in said and detail is not None and detail.aspect != aspect:
            # "Wie finde ich eine gute Osteopathin? Und was kostet eine Stunde?": the page's silence on
            # the practice was said first; the costs asked come next, the fact near the silence after them
            later.extend(answering)
            continue
        if answering:
            # the claim that answers the detail asked has room beyond this part's share
            draft.add_claim(answering[0], max(budget, draft.room()))
            for claim in answering[1:]:
                draft.add_claim(claim, budget)
            continue
        silence = kb.silence(therapy, detail=detail_id)
        if silence is not None:
            # only the nearest fact where the silence was said first for the whole question, or where the
            # silence on another part was ("Ist Ohrakupunktur besser?": it compares none; a second sentence
            # on the forms it does not describe would crowd out where the needles go)
            text = None if detail_id in said or _of_another_part(kb, said, detail) else silence.text
            _say_silence(draft, text, [kb.claim(c) for c in silence.nearest], silence.refer, budget)
        elif (
            detail_id not in said
            and detail is not None
            and (detail.general_first or kb.silence(therapy, aspect=detail.aspect) is None)
        ):
            # the page's general statement answers it ("Meine Nachbarin schwört darauf": back pain
            # changes by itself); where the page is silent on the aspect asked, that comes first
            # the first general statement only: beside a treatment, its own claims are what was asked
            # about ("Soll ich die Übungen lassen und nur noch Akupunktur machen?": active treatment
            # helps most, then what the page says about acupuncture, not five sentences on exercise)
            answers = [c for c in kb.general_claims(detail_id) if not c.advice][:1]
            if detail.general_first or kb.silence(therapy, aspect=aspect) is None:
                for claim in answers:
                    draft.add_claim(claim, budget)
            else:
                general.extend(answers)
    if "mechanismus" in question.details and verdict is not None:
        draft.add_claim(verdict, budget)  # "how is it supposed to work" also asks whether it works
    if premised and premise != "mechanism":  # after the details asked: what the page says about the proof
        for claim in kb.claims_of(therapy, detail="nachweis"):
            if not claim.advice:
                draft.add_claim(claim, budget)

    # 4. the aspect's own answer: what the page does not say about it, or its claims
    silence = kb.silence(therapy, aspect=aspect)
    if silence is not None:
        # the nearest thing that matters after the silence on risks or method: whether it helps at all
        helps = verdict if aspect in ("risiken", "methode") else None
        # where the page's silence on the detail asked ("Wie viele Sitzungen …?") was said first, a
        # second one on how it works would only crowd out what the page does say
        text = None if aspect == "methode" and said else silence.text
        _say_silence(draft, text, [kb.claim(c) for c in silence.nearest], silence.refer, budget, helps)
    for claim in general:
        draft.add_claim(claim, budget)
    # a description is not a recommendation: a method answer keeps room to say whether it helps;
    # where another part was asked too, the description asked comes first and the verdict only if room is left
    # (not when whether it helps is a part asked of its own: that part says it)
    keep = (
        sentence_count(verdict.text)
        if aspect == "methode"
        and verdict is not None
        and verdict not in draft.claims
        and draft.verdict_room
        and "wirksamkeit" not in draft.aspects
        else 0
    )
    for claim in kb.claims_of(therapy, aspect):
        if not claim.advice:
            draft.add_claim(claim, budget - keep if claim is not verdict else budget)
    if aspect == "methode" and verdict is not None:
        draft.add_claim(verdict, budget)
    for claim in later:
        draft.add_claim(claim, budget)


def _advice(kb: KnowledgeBase, therapies: Iterable[str]) -> Claim | None:
    for therapy in therapies:
        for claim in kb.therapy_claims.get(therapy, ()):
            if claim.advice:
                return claim
    return None


def _therapies(kb: KnowledgeBase, named: Iterable[str]) -> list[str]:
    """The treatments asked about; a group is left out when one of its members is named too."""
    named = list(dict.fromkeys(named))
    groups = {kb.therapies[t].part_of for t in named if t in kb.therapies}
    return [t for t in named if t not in groups]


def _answers_detail(kb: KnowledgeBase, therapy: str, detail_id: str) -> bool:
    """Does the page say something about this detail for this treatment (a claim that answers it)?
    A silence in the treatment's file only gives the words for what the page does not say."""
    return any(not c.advice for c in kb.claims_of(therapy, detail=detail_id))


def _of_another_part(kb: KnowledgeBase, said: set[str], detail: Detail | None) -> bool:
    """Was the page's silence said already, and only on details of another aspect than this one?"""
    return bool(said) and detail is not None and all(kb.details[d].aspect != detail.aspect for d in said)


def _silence_text(kb: KnowledgeBase, therapies: list[str], detail: Detail) -> str:
    """The words for what the page does not say about a detail: the treatment's own file's where it has
    them ("… für eine Elektrotherapie …", also from its group's file), else knowledge/details.yml's."""
    own = [kb.silence(t, detail=detail.id) for t in therapies]
    texts = {s.text for s in own if s is not None}
    return texts.pop() if len(texts) == 1 and all(own) else str(detail.silent)


# "Wie viele Termine brauche ich? Und wie lange dauert einer?": both silences of the part are said
MAX_QUESTION_SILENCES = 2


def _question_silences(
    kb: KnowledgeBase, therapies: list[str], question: Question, aspects: list[str], draft: _Draft
) -> set[str]:
    """Say once, first, what the page never says about a detail asked for these treatments."""
    said: set[str] = set()
    # what decides the question's aspect first ("Ist Ohrakupunktur besser?": that the page compares none,
    # before that it describes no forms)
    ordered = sorted(question.details, key=lambda d: not (d in kb.details and kb.details[d].aspect_wins))
    for detail_id in ordered:
        detail = kb.details.get(detail_id)
        if detail is None or not detail.silent or len(said) >= MAX_QUESTION_SILENCES:
            continue  # more such sentences would crowd out what the page does say
        if _of_another_part(kb, said, detail):
            continue  # a detail of another part: that part says what the page does say about it
        if detail.only_in_its_aspect and detail.aspect not in aspects:
            continue  # "Soll ich mir das verordnen lassen?" asks whether, not what a prescription costs
        if set(detail.answered_with) & set(question.details):
            continue  # the comparison asked is one the page makes (real or sham acupuncture)
        if detail_id in question.told and detail.aspect not in aspects:
            continue  # told, not asked: "Seit meinem Bandscheibenvorfall … Was ist PENS?" asks what PENS is
        answered = any(_answers_detail(kb, t, detail_id) for t in therapies)
        if detail.always_silent or not answered:
            text = _silence_text(kb, therapies, detail)
            if said:
                # a second silence is said on top, as a condition note is: the page's facts keep their room
                draft.limit += sentence_count(text)
            draft.add_text(text, draft.limit, force=True)
            if detail.refer and detail.refer not in draft.refer:
                draft.refer.append(detail.refer)
            said.add(detail_id)
    return said


def _cell_question(kb: KnowledgeBase, question: Question, aspect: str, aspects: list[str]) -> Question:
    """The question as one cell sees it: a detail belongs to the part of its own aspect
    ("Wie funktioniert Osteopathie und ist sie riskant?": how it works to the method part,
    not again to the risks), or to the first part when no part has its aspect."""
    details = tuple(
        d
        for d in question.details
        if d not in kb.details
        or kb.details[d].aspect == aspect
        or (kb.details[d].aspect not in aspects and aspect == aspects[0] and not kb.details[d].only_in_its_aspect)
    )
    return replace(question, details=details)


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
    aspects = list(dict.fromkeys(question.aspects))[:2]
    asked = _therapies(kb, question.therapies)
    # three treatments get one short part each; with two aspects asked, two treatments (four parts)
    therapies = asked[: MAX_THERAPIES_ONE_ASPECT if len(aspects) == 1 else MAX_THERAPIES_TWO_ASPECTS]
    parts = len(therapies) * len(aspects)
    draft = _Draft(
        # one part; two or four (two treatments or two aspects); three treatments
        limit=MAX_SENTENCES
        if parts == 1
        else MAX_SENTENCES_THREE_PARTS
        if len(therapies) == 3
        else MAX_SENTENCES_TWO_PARTS,
        family={t.id: t.part_of for t in kb.therapies.values() if t.part_of},
    )
    # a risk the page is silent on, named in words ("Metall in der Hüfte"), says it more exactly
    # than the note on the condition it comes with; two such sentences in a row would only confuse
    risk_silence = any(
        d in kb.details
        and kb.details[d].silent
        and kb.details[d].aspect == "risiken"
        and (kb.details[d].always_silent or not any(_answers_detail(kb, t, d) for t in therapies))
        for d in question.details
    )
    # (a state's note always comes: it carries the referral and says that the facts are not about it)
    kind = question.condition_kind
    if question.conditions and not (kind is ConditionKind.CIRCUMSTANCE and risk_silence):
        note = texts.get(kind.value, condition=_joined(list(question.conditions), texts))
        draft.add_text(note, draft.limit, force=True)
        # the page is silent on their condition: who can tell closes the answer, beside the facts' room
        # (a state's note says it first, before the facts)
        draft.limit += sentence_count(note) + (0 if kind is ConditionKind.STATE else 1)
        if kind is not ConditionKind.STATE:
            draft.refer.append("arzt")
    said = _question_silences(kb, therapies, question, aspects, draft)
    if question.personal and not said and not question.conditions and PERSONAL_LEAD in kb.claims:
        # "Soll ich …?": first that the bot decides nothing for them, in the page's own words
        # (the page: whether an option makes sense in the single case is for the doctor to clear)
        lead = kb.claims[PERSONAL_LEAD]
        draft.limit += sentence_count(lead.text)
        draft.add_claim(lead, draft.limit, force=True)
    elif question.personal and "arzt" not in draft.refer:
        # where the page is silent on what they asked (or on their condition), that comes first,
        # and the referral to their doctor closes the answer instead
        draft.refer.append("arzt")
    silenced = {kb.details[d].aspect for d in said}
    if len(aspects) == 2 and aspects[0] in silenced and aspects[1] == "wirksamkeit":
        aspects.reverse()  # the silence answered the first part; whether it helps comes next
    advice = _advice(kb, therapies) if "wirksamkeit" in aspects else None
    cells = [(t, a) for t in therapies for a in aspects]
    draft.aspects = tuple(aspects)
    # the advice closes the answer where room is left; the facts asked come first, unless the
    # advice is what was asked ("Kann ich TENS und Massage kombinieren?", "Warum nur zusätzlich?")
    advice_asked = advice is not None and any(d in advice.details for d in question.details)
    draft.reserved = sentence_count(advice.text) if advice is not None and advice_asked else 0
    # where the advice was asked, it is the nearest thing the page says; who can tell more only if room is left
    # a personal question, or a risk the page is silent on (a pacemaker, blood thinners), always ends
    # with who can tell them, also in a two-part answer
    draft.keep_room_for_refer = (len(cells) == 1 or question.personal or risk_silence) and not advice_asked
    draft.verdict_room = len(cells) == 1 or question.premise in VERDICT_PREMISES or "wirksamkeit" in aspects
    untold: set[str] = set()  # groups of which a treatment asked got nothing of its own
    for index, (therapy, aspect) in enumerate(cells):
        # every cell gets an even share of the room; the last one takes what is left; a cell
        # that got nothing in its share may take more, so each says at least one whole claim
        left = draft.limit - draft.sentences - draft.reserved
        share = max(1, left // (len(cells) - index)) if index < len(cells) - 1 else left
        claims_before, parts_before = len(draft.claims), len(draft.parts)
        draft.later = PART_ROOM if index < len(cells) - 1 else 0
        asked_here = _cell_question(kb, question, aspect, aspects)
        _cell(kb, therapy, aspect, asked_here, said, draft, draft.sentences + draft.reserved + share)
        added = draft.claims[claims_before:]
        family = draft.family.get(therapy, therapy)
        said_own = any(draft._family(c) == family for c in added) or (
            len(draft.parts) - parts_before > len(added)  # a silence on this treatment
        )
        if not said_own:
            # nothing of this treatment fitted in its share ("Akupunktur und Massage kombinieren?": the
            # general sentence on combining took it): one claim more, if the answer has room
            reserved, draft.reserved = draft.reserved, 0
            _cell(kb, therapy, aspect, asked_here, said, draft, draft.limit)
            draft.reserved = reserved
            if aspect == "wirksamkeit" and not any(draft._family(c) == family for c in draft.claims[claims_before:]):
                untold.add(family)
    draft.reserved = draft.later = 0
    if untold:
        # two kinds of one treatment ("Interferenzstrom ist doch stärker als TENS, oder?"): the group's
        # verdict holds for both and was said once; what tells them apart is what each one is
        closing = sentence_count(advice.text) if advice is not None else 0
        for therapy in therapies:
            identity = next((c for c in kb.claims_of(therapy, "methode", "ablauf") if not c.advice), None)
            if identity is not None and draft.family.get(therapy, therapy) in untold:
                draft.add_claim(identity, draft.limit - closing)
    referrals, draft.refer = draft.refer, []
    if advice is not None:
        draft.add_claim(advice, draft.limit if advice_asked else draft.limit - len(referrals))
    for refer in referrals:
        if refer == "arzt" and question.personal and PERSONAL_LEAD in kb.claims:
            # a personal question whose answer had to say a silence first closes with the page's own
            # referral, also where that takes one sentence more: the bot decides nothing for them
            # (where the answer opened with it, once is enough)
            if kb.claims[PERSONAL_LEAD] in draft.claims or draft.add_claim(
                kb.claims[PERSONAL_LEAD], draft.limit, force=True
            ):
                continue
        draft.add_text(texts.get(f"answer.refer_{refer}"), draft.limit)
    left_out = [kb.therapies[t].name for t in asked[len(therapies) :] if t in kb.therapies]
    if left_out:
        # more treatments than one answer holds: say which ones it leaves out, never drop one silently
        draft.add_text(texts.get("answer.more_therapies", therapies=_joined(left_out, texts)), draft.limit, force=True)
    if question.safety_line:
        draft.add_text(question.safety_line, draft.limit, force=True)
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
        "passiv_und_aktiv": [costs, source],
    }.get(topic_id, [])


def general_silence(kb: KnowledgeBase, details: Iterable[str], passive_named: bool = False) -> str | None:
    """What the page does not say about a detail asked without a treatment ("Wie oft soll ich
    Yoga machen?", "Yoga oder Pilates, was ist besser?"): said first, as in a fact answer. One
    sentence is enough; a detail the page's general statements answer is no silence."""
    details = list(details)
    for detail_id in details:
        detail = kb.details.get(detail_id)
        if detail is None or not detail.silent:
            continue
        # `answered_with` only where a passive treatment of the page is named: "Ultraschall ist doch
        # besser als Sport?" compares passive with active, as the page does; "Yoga oder Pilates, was
        # ist besser?" compares two active treatments, which the page does not
        if passive_named and set(detail.answered_with) & set(details):
            continue
        if detail.always_silent or not any(not c.advice for c in kb.general_claims(detail_id)):
            return detail.silent
    return None


def topic_answer(
    kb: KnowledgeBase,
    texts: Texts,
    topic_id: str,
    lead: Iterable[Claim] = (),
    silence: str | None = None,
    then: Iterable[Claim] = (),
) -> Answer:
    """A general answer; `silence` (what the page does not say about the detail asked) first,
    then `lead` claims (answering a detail asked), then the topic's claims, then `then` (the
    second part of the question: "… und warum zahlt die Kasse die passiven nicht?")."""
    lead = [c for c in lead if c not in kb.topics[topic_id]]
    then = [c for c in then if c not in kb.topics[topic_id] and c not in lead]
    claims = lead + list(kb.topics[topic_id])
    claims = claims[: max(len(kb.topics[topic_id]), MAX_SENTENCES) - len(then)] if lead or then else claims
    claims += then
    parts = [c.text for c in claims]
    buttons = _topic_buttons(texts, topic_id)
    if topic_id == "uebersicht":
        # the treatments with a section of their own; the others follow in the claim "weitere"
        main = [t for t in kb.top_level_therapies() if (kb.verdict(t.id) and kb.verdict(t.id).section != "sonstige")]
        names = _joined([t.name for t in main], texts)
        parts.insert(1 + len(lead), texts.get("answer.therapy_list", therapies=names))
        buttons = therapy_choice_buttons(kb, None)[:8] + buttons
    if silence:
        parts.insert(0, silence)
    return Answer(
        body=" ".join(parts),
        source=source_of(kb, texts, claims),
        disclaimer=kb.disclaimer,
        buttons=tuple(buttons),
        claims=tuple(c.id for c in claims),
    )


def general_answer(kb: KnowledgeBase, texts: Texts, details: Iterable[str], aspect: str | None) -> Answer | None:
    """A question about a detail that names no treatment, answered by the page's general
    statements ("Warum reicht es nicht, dass es mir besser ging?"), or None."""
    claims: list[Claim] = []
    # the detail with the most specific answer first ("Warum reicht meine Erfahrung nicht, wo es doch
    # Studien gibt?" asks why experience is not enough, not what the studies found in general)
    for detail_id in sorted(details, key=lambda d: len(kb.general_claims(d))):
        for claim in kb.general_claims(detail_id):
            if claim not in claims and not claim.advice:
                claims.append(claim)
    if not claims:
        return None
    draft = _Draft()
    silence = general_silence(kb, details)
    if silence:
        draft.add_text(silence, MAX_SENTENCES, force=True)
    for claim in claims:
        draft.add_claim(claim, MAX_SENTENCES - (1 if aspect == "wirksamkeit" else 0))
    advice = kb.claims.get(f"{GENERAL}.rat")
    if aspect == "wirksamkeit" and advice is not None:
        draft.add_claim(advice, MAX_SENTENCES)
    return Answer(
        body=" ".join(draft.parts),
        source=source_of(kb, texts, draft.claims),
        disclaimer=kb.disclaimer,
        buttons=tuple(_topic_buttons(texts, "uebersicht")),
        claims=tuple(c.id for c in draft.claims),
        aspect=aspect,
    )


def other_treatment_answer(kb: KnowledgeBase, texts: Texts, name: str, aspect: str | None) -> Answer:
    """A passive treatment the page does not describe: say so, then what it says in general."""
    topic = "kosten_allgemein" if aspect == "kosten" else "andere_behandlung"
    claims = list(kb.topics[topic])
    body = " ".join([texts.get("answer.other_treatment_note", treatment=name), *(c.text for c in claims)])
    return Answer(
        body=body,
        source=source_of(kb, texts, claims),
        disclaimer=kb.disclaimer,
        buttons=tuple(_topic_buttons(texts, "uebersicht")),
        claims=tuple(c.id for c in claims),
        aspect=aspect,
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
    "general_answer",
    "general_silence",
    "other_treatment_answer",
    "quote_answer",
    "source_of",
    "start_buttons",
    "therapy_choice_buttons",
    "topic_answer",
]
