"""`action_answer_fact`: the one action that answers medical questions from the fact store."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import (
    ACTIVE_TREATMENTS,
    ASK_QUOTE,
    ASPECT_BY_INTENT,
    DESCRIBED_BY,
    INFORM_THERAPY,
    INTENT_BY_ASPECT,
    OVERVIEW,
    PERSONAL_ADVICE,
    TOPIC_BY_INTENT,
    answer_message,
    entity_values,
    in_group_member,
    knowledge,
    rasa_buttons,
    refers_to_both,
    safety_texts,
    still_describes,
    therapy_entities,
)
from bot.content.answers import (
    VERDICT_PREMISES,
    ConditionKind,
    Question,
    aspect_choice_buttons,
    fact_answer,
    general_answer,
    general_silence,
    other_treatment_answer,
    quote_answer,
    therapy_choice_buttons,
    topic_answer,
)
from bot.content.knowledge import KnowledgeBase
from bot.texts import texts
from components.matching import language_words, sentence_spans, tokenize

# The general answer to a question about passive and active treatments together.
BOTH_TOPICS = "passiv_und_aktiv"
# role of an `asked` aspect the question sentence named, in a message that also tells
# (components/detail_extractor.py sets it)
QUESTION_ROLE = "frage"
# How sure the classifier must be for its aspect to stand before the one the words name: below
# UNSURE the words' one aspect comes first; below SURE a detail of the question sentence does
SURE = 0.9
UNSURE = 0.7
# a belief that the health insurance pays (details.yml, premises: cost)
COST_PREMISE = "cost"
SAFETY_PREMISE = "safety"  # a belief that nothing can happen ("da kann man nix falsch machen")
# the general topic on who pays (knowledge/general.yml)
COSTS_TOPIC = "kosten_allgemein"
# role of a `detail` only told, not asked ("Seit meinem Bandscheibenvorfall … Was ist PENS?")
TOLD_ROLE = "erzaehlt"


def _not_meant(text: str, entity: dict[str, Any]) -> bool:
    """Is the treatment named right after "ohne" ("die Variante ohne Nadeln")?"""
    start = entity.get("start")
    if not isinstance(start, int):
        return False
    before = tokenize(text[:start])
    return bool(before) and before[-1].norm in language_words("not_meant")


def _therapies(kb: KnowledgeBase, tracker: Tracker, intent: str | None) -> list[str]:
    """Named in this message (a description right after a sibling treatment resolved to the
    sibling; one named as not meant left out where another is named), else the `therapy` and
    `more_therapies` slots (follow-up "Und die Kosten?"). A bare "andere Behandlung"
    (inform_therapy without a name) asks anew."""
    remembered = tracker.get_slot("therapy")
    text = tracker.latest_message.get("text") or ""
    named = therapy_entities(tracker, kb.therapies)
    meant = [e for e in named if not _not_meant(text, e)]
    if meant and len({e["value"] for e in meant}) < len({e["value"] for e in named}):
        named = meant
    ids = [e["value"] for e in named]
    if (
        len(named) == 1
        and ids[0] != remembered
        and (named[0].get("extractor") == DESCRIBED_BY or still_describes(kb, remembered, named[0].get("text") or ""))
        and still_describes(kb, remembered, text)
    ):
        # "Und blutet das, wenn die mit den Nadeln reinstechen?" right after PENS: the needles are
        # PENS's own, so still PENS (a name said outright, "Und Akupunktur?", is that treatment)
        return [remembered]
    if remembered in kb.therapies and len(ids) == 2 and remembered in ids:
        # "und die Version mit Nadeln statt Pads?" right after TENS: the word that named another
        # treatment (needles: Akupunktur) describes a sibling in the group (PENS), beside the
        # treatment talked about, named as what is not meant
        other = next(e for e in named if e["value"] != remembered)
        group = kb.therapies[remembered].part_of or remembered
        sibling = in_group_member(kb, remembered, other.get("text") or "")
        if sibling is not None and (kb.therapies[other["value"]].part_of or other["value"]) != group:
            return [sibling]
    if remembered in kb.therapies and len(ids) <= 1:
        group = kb.therapies[remembered].part_of or remembered
        outside_group = not ids or (kb.therapies[ids[0]].part_of or ids[0]) != group
        if outside_group:
            sibling = in_group_member(kb, remembered, text)
            if sibling is not None:
                return [sibling]
        elif ids == [group] and group != remembered and still_describes(kb, remembered, text):
            return [remembered]  # "Kommt der Strom durch die Haut?" after TENS: still TENS
    if ids or intent == INFORM_THERAPY:
        return ids
    if remembered not in kb.therapies:
        return []
    # a follow-up after an answer on two or three treatments asks about all of them
    more = [t for t in tracker.get_slot("more_therapies") or [] if t in kb.therapies and t != remembered]
    earlier = tracker.get_slot("earlier_therapy")
    if not more and earlier in kb.therapies and earlier != remembered and refers_to_both(kb, text):
        return [earlier, remembered]  # "Evidenz für beide Verfahren?" after PENS, then TENS
    return [remembered, *more]


def _asked_outside_details(kb: KnowledgeBase, tracker: Tracker) -> list[str]:
    """The aspects named in words, except a word inside a detail of another aspect: "wirken" in
    "wie soll Elektrotherapie eigentlich wirken" asks how it works (the detail `mechanismus`, which
    brings the verdict anyway), so "… und kann bei der PENS was passieren?" keeps its part."""
    entities = tracker.latest_message.get("entities", [])
    spans = [
        (e["start"], e["end"], kb.details[e["value"]].aspect)
        for e in entities
        if e.get("entity") == "detail" and e.get("value") in kb.details and isinstance(e.get("start"), int)
    ]
    return list(
        dict.fromkeys(
            e["value"]
            for e in entities
            if e.get("entity") == "asked"
            and not (
                isinstance(e.get("start"), int)
                and any(a <= e["start"] and e.get("end", 0) <= b and aspect != e["value"] for a, b, aspect in spans)
            )
        )
    )


def _said_apart(tracker: Tracker, detail: str, other: str) -> bool:
    """Does the message name `detail` in words of its own, not only in the words of `other`?"""
    entities = tracker.latest_message.get("entities", [])
    theirs = {
        (e.get("start"), e.get("end")) for e in entities if e.get("entity") == "detail" and e.get("value") == other
    }
    return any(
        e.get("entity") == "detail" and e.get("value") == detail and (e.get("start"), e.get("end")) not in theirs
        for e in entities
    )


def _aspects(
    kb: KnowledgeBase,
    tracker: Tracker,
    intent: str | None,
    details: list[str],
    told: AbstractSet[str] = frozenset(),
    believed: bool = False,
) -> list[str]:
    """Which aspects to answer, first the main one.

    From the intent; a detail that decides its aspect wins ("Was ist besser …?" asks whether
    it helps); for a bare treatment or a personal question the detail's aspect, else the
    `aspect` slot. A second aspect named in the message ("… und was kostet das?") is
    answered too; a personal question also hears whether the treatment helps."""
    asked = [a for a in _asked_outside_details(kb, tracker) if a in kb.aspects]
    confidence = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)
    # "Der Laser kostet 400 Euro. Ist das sinnvoll?": the question sentence asks, the rest tells;
    # "… Was sagen denn die Studien zu Osteopathie?": a detail asked there asks its aspect too,
    # unless the classifier is sure of another (it read the whole message, the sentences may lack
    # their question marks)
    in_question = list(
        dict.fromkeys(
            e.get("value") if e.get("entity") == "asked" else kb.details[e.get("value")].aspect
            for e in tracker.latest_message.get("entities", [])
            if e.get("role") == QUESTION_ROLE
            and (
                (e.get("entity") == "asked" and e.get("value") in kb.aspects)
                or (
                    e.get("entity") == "detail"
                    and confidence < SURE
                    and e.get("value") in kb.details
                    and not kb.details[e.get("value")].only_in_its_aspect
                )
            )
        )
    )
    # "Meine Gelenke sind steif geworden, wäre Mobilisation gut?": a complaint, not a question about side effects
    details = [d for d in details if d in kb.details and not kb.details[d].only_in_its_aspect]
    winning = [kb.details[d].aspect for d in details if d in kb.details and kb.details[d].aspect_wins]
    primary = winning[0] if winning else ASPECT_BY_INTENT.get(intent or "")
    if not winning and not in_question and confidence < UNSURE:
        # "Wer blecht'n ditte, die Mobilisation, die Kasse oda icke?" read as a method question, and
        # not surely: the one aspect the words name comes first, the classifier's guess second; where
        # they name none, the aspect of the details asked ("wer darf sich Osteopath nennen")
        named = asked or list(dict.fromkeys(kb.details[d].aspect for d in details if d not in told))
        if len(named) == 1 and primary not in (None, *named):
            in_question = named
    if not winning and not in_question and len(asked) >= 2 and primary not in asked:
        # "massage hilft das überhaupt was u kann dabei was passieren" read as a method question:
        # the words ask two parts of their own, and those are what was asked
        in_question = asked[:2]
    if not winning and primary is not None and in_question and primary not in in_question:
        # the classifier read the whole message; the question sentence names another aspect: that
        # comes first, the classifier's one second
        asked = [*in_question, primary]
        primary = in_question[0]
    slot = tracker.get_slot("aspect")
    concerns = [kb.details[d].aspect for d in details if d in kb.details and kb.details[d].aspect != "methode"]
    if primary is None and intent == INFORM_THERAPY and slot in kb.aspects and not concerns:
        # "und bei der sanften Variante?": the same question as before, about another treatment
        # (words that describe a treatment are no question of their own; "Marcumar" is one)
        primary = slot
    if primary is None and in_question:
        # "… Ich würde trotzdem gern wieder hingehen. Was kann beim Einrenken passieren?" (a request
        # for personal advice): the question sentence names the aspect, before any detail told
        primary = in_question[0]
    if primary is None:
        from_detail = [kb.details[d].aspect for d in details if d in kb.details]
        primary = (from_detail or [None])[0]
    if primary is None and intent in (PERSONAL_ADVICE, INFORM_THERAPY) and asked:
        # "Osteopathie und Chiropraktik – ist das gleich?" read as a bare name: its words still ask
        primary = asked[0]
    if primary is None:
        primary = slot if slot in kb.aspects else None
    if primary is None and intent == PERSONAL_ADVICE:
        primary = "wirksamkeit"
    if primary is None:
        return []
    others = [a for a in asked if a != primary]
    if not others:
        # a detail asked of another aspect is a second part ("Kann ich mich an den Nadeln infizieren,
        # und ist es egal, wo sie hinkommen?"); one only told beside the question is not, nor
        # whether it helps where a belief in it is answered with the verdict anyway
        others = [
            kb.details[d].aspect
            for d in details
            if d not in told
            and kb.details[d].aspect != primary
            and not (believed and kb.details[d].aspect == "wirksamkeit")
        ]
    if intent == PERSONAL_ADVICE and "wirksamkeit" != primary:
        others = ["wirksamkeit", *others]
    elif primary == "kosten" and entity_values(tracker, "personal") and "wirksamkeit" not in others:
        # "Soll ich das Geld dafür ausgeben?": whether to pay is whether it is worth it
        others = [*others[:1], "wirksamkeit"] if others else ["wirksamkeit"]
    chosen = [primary, *others[:1]]
    # "Was ist TENS genau? Und ist es gefährlich?": two question sentences, each asking its own
    # aspect, in the order asked (within one sentence the classifier's reading stays first: "Wie
    # soll Akupunktur wirken, was ist die Idee dahinter?" asks how it works)
    spans = sentence_spans(tracker.latest_message.get("text") or "")
    where: dict[str, int] = {}
    for e in tracker.latest_message.get("entities", []):
        start = e.get("start")
        if e.get("entity") == "asked" and e.get("value") in chosen and isinstance(start, int):
            sentence = next((i for i, (a, b) in enumerate(spans) if a <= start < b), -1)
            where.setdefault(e["value"], sentence)
    if len(chosen) == 2 and all(a in where for a in chosen) and where[chosen[0]] != where[chosen[1]]:
        chosen.sort(key=where.__getitem__)
    return chosen


class ActionAnswerFact(Action):
    """Answer treatment questions from the fact store, fitted to what was asked.

    Reads intent, entities (therapy, detail, premise, asked, condition, sign_mention) and
    the slots therapy, aspect and claims; sets therapy, aspect and claims (the claim ids
    behind the answer, for "Was steht genau auf der Seite?").
    Missing therapy → ask which one, with buttons; missing aspect → ask what about it.
    """

    def name(self) -> str:
        return "action_answer_fact"

    @staticmethod
    def earlier(kb: KnowledgeBase, tracker: Tracker, now: str) -> str | None:
        """The treatment talked about before this answer's, if it was another one."""
        before = tracker.get_slot("therapy")
        if before in kb.therapies and before != now:
            return before
        kept = tracker.get_slot("earlier_therapy")
        return kept if kept in kb.therapies and kept != now else None

    @staticmethod
    def names_one_group(kb: KnowledgeBase, tracker: Tracker) -> bool:
        """The message names one treatment, and it is a group (Elektrotherapie, manuelle Therapie)."""
        named = [e["value"] for e in therapy_entities(tracker, kb.therapies)]
        return len(named) == 1 and any(t.part_of == named[0] for t in kb.therapies.values())

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        kb = knowledge()
        interface = texts()
        intent = (tracker.latest_message.get("intent") or {}).get("name")

        details = [d for d in entity_values(tracker, "detail") if d in kb.details]
        if "vergleich" in details and "aktiv" in details and len(therapy_entities(tracker, kb.therapies)) >= 2:
            # "Laser oder Magnetfeld, was hilft besser?" compares the two; "was hilft besser" alone
            # asks what helps instead (active treatment)
            details = [d for d in details if d != "aktiv" or _said_apart(tracker, "aktiv", "vergleich")]
        told = {
            e.get("value")
            for e in tracker.latest_message.get("entities", [])
            if e.get("entity") == "detail" and e.get("role") == TOLD_ROLE
        }
        premises = entity_values(tracker, "premise")
        # a belief about who pays ("… deshalb zahlt sie ja auch die Kasse"), told beside the question
        cost_believed = COST_PREMISE in premises
        premises = [p for p in premises if p != COST_PREMISE]
        # a belief in how it works has claims of its own ("Energiebahnen … nicht nachgewiesen") and
        # is answered with the verdict as well; it goes first where beliefs of several kinds stand
        premise = "mechanism" if "mechanism" in premises else (premises or [None])[0]
        # "da kann man nix falsch machen, hilft doch, oder?": the belief in a benefit gets the verdict
        # first; the belief in safety is answered with the risks as a second part (below)
        safety_believed = SAFETY_PREMISE in premises
        if premise == SAFETY_PREMISE:
            premise = next((p for p in premises if p in VERDICT_PREMISES), premise)

        if intent in (ACTIVE_TREATMENTS, OVERVIEW) and "passiv" in details and therapy_entities(tracker, kb.therapies):
            # "Ist Laser aktiv oder passiv?", "Gehört Akupunktur zu den passiven Behandlungen?": what
            # passive means comes first (general_first), then what the page says about the treatment
            intent = INTENT_BY_ASPECT["methode"]
        elif intent == OVERVIEW and "methode" in entity_values(tracker, "asked") and self.names_one_group(kb, tracker):
            # "Welche Verfahren fallen unter Elektrotherapie?": the methods of one group the page
            # describes, not the overview of all passive treatments
            intent = INTENT_BY_ASPECT["methode"]
        elif intent == ACTIVE_TREATMENTS and therapy_entities(tracker, kb.therapies):
            # "Kann ich statt Gymnastik nicht einfach mein TENS-Gerät nehmen?": what the page says
            # about active treatment, then about the passive one named, as a question whether it helps
            intent = INTENT_BY_ASPECT["wirksamkeit"]
            details = [*details, "aktiv"] if "aktiv" not in details and "aktiv" in kb.details else details

        if intent in TOPIC_BY_INTENT:
            topic = TOPIC_BY_INTENT[intent]
            if topic == "uebersicht" and premise in ("benefit", "proof", "tag"):
                topic = "einordnung"  # "… sind doch die beste Behandlung?": where passive treatments stand
            other = {"uebersicht": "aktiv", "aktive_behandlungen": "passiv"}.get(topic)
            if other in details and BOTH_TOPICS in kb.topics:
                topic = BOTH_TOPICS  # "Was heißt passiv? Und was ist dann aktiv?": both, side by side
            lead = [c for d in details for c in kb.general_claims(d) if not c.advice][:1]
            # a passive treatment named, or passive and active set side by side ("Unterschied zwischen
            # aktiven und passiven Behandlungen, und welche Sorte wirkt besser?"): a comparison the page makes
            named = bool(entity_values(tracker, "therapy")) or topic == BOTH_TOPICS
            # "Was ist der Unterschied passiv und aktiv? Und warum zahlt die Kasse die passiven nicht?"
            costs = (
                COSTS_TOPIC in kb.topics
                and topic in ("uebersicht", "einordnung", "aktive_behandlungen", BOTH_TOPICS)
                and "kosten" in entity_values(tracker, "asked")
            )
            then = list(kb.topics[COSTS_TOPIC]) if costs else []
            answer = topic_answer(
                kb, interface, topic, lead=lead, silence=general_silence(kb, details, named), then=then
            )
            dispatcher.utter_message(**answer_message(answer, kind="topic"))
            return [SlotSet("claims", list(answer.claims))]

        if intent == ASK_QUOTE:
            answer = quote_answer(kb, interface, tracker.get_slot("claims") or [])
            if answer is None:
                dispatcher.utter_message(text=interface.get("answer.quote_none"))
            else:
                dispatcher.utter_message(**answer_message(answer, kind="quote"))
            return []

        therapies = _therapies(kb, tracker, intent)
        aspects = _aspects(kb, tracker, intent, details, told, believed=premise in VERDICT_PREMISES)
        if safety_believed and aspects and "risiken" not in aspects:
            # "Massage ist harmlos, also hilft sie doch?": what the page says about risks, so the belief
            # that nothing can happen is not left standing
            aspects = [aspects[0], "risiken"]
        elif cost_believed and aspects and "kosten" not in aspects:
            # the belief is answered too (most passive treatments are IGeL); it is more exact than a
            # second part read from a told word ("hat bei mir immer Strom gemacht")
            aspects = [aspects[0], "kosten"]

        if not therapies:
            if entity_values(tracker, "needs_context"):
                # "Wia wead des Weda am Wochaend?" as a first message: only "des" made it look like a
                # question about a treatment, and no treatment came before it
                dispatcher.utter_message(response="utter_out_of_scope")
                return []
            others = entity_values(tracker, "other_treatment")
            scope_names = safety_texts().scope_names
            if others and others[0] in scope_names:
                answer = other_treatment_answer(kb, interface, scope_names[others[0]], (aspects or [None])[0])
                dispatcher.utter_message(**answer_message(answer, kind="topic"))
                return [SlotSet("claims", list(answer.claims))]
            answer = general_answer(kb, interface, details, (aspects or [None])[0])
            if answer is not None and intent != INFORM_THERAPY:
                dispatcher.utter_message(**answer_message(answer, kind="topic"))
                # "Was kostet so eine Behandlung?" → "Ich meine die Massage.": the aspect asked stays
                # for the treatment named next
                asked = [SlotSet("aspect", aspects[0])] if aspects else []
                return [*asked, SlotSet("claims", list(answer.claims))]
            if intent == PERSONAL_ADVICE:
                # the referral, then what the page says to everyone (it decides nothing for a person)
                answer = topic_answer(kb, interface, "persoenlich", silence=general_silence(kb, details))
                dispatcher.utter_message(**answer_message(answer, kind="topic"))
                return [SlotSet("claims", list(answer.claims))]
            if intent == "ask_costs":
                # The page's general statement on costs answers "Wer zahlt das?" on its own.
                answer = topic_answer(kb, interface, COSTS_TOPIC, silence=general_silence(kb, details))
                message = answer_message(answer, kind="topic")
                message["buttons"] = rasa_buttons(therapy_choice_buttons(kb, "kosten"))
                dispatcher.utter_message(**message)
                return [SlotSet("aspect", "kosten"), SlotSet("claims", list(answer.claims))]
            dispatcher.utter_message(
                response="utter_ask_therapy", buttons=rasa_buttons(therapy_choice_buttons(kb, (aspects or [None])[0]))
            )
            return [SlotSet("aspect", (aspects or [None])[0])]

        if not aspects:
            therapy = kb.therapies[therapies[0]]
            dispatcher.utter_message(
                response="utter_ask_aspect",
                therapy_name=therapy.name,
                buttons=rasa_buttons(aspect_choice_buttons(kb, therapy.id)),
            )
            return [SlotSet("therapy", therapy.id), SlotSet("more_therapies", None)]

        safety = safety_texts()
        named = [
            e
            for e in tracker.latest_message.get("entities", [])
            if e.get("entity") == "condition" and e.get("value") in safety.scope_names
        ][:1]
        # a condition by the word the person used ("Diabetes"); a state by its name ("schwanger" reads
        # "die Schwangerschaft" in "Was die Schwangerschaft für diese Behandlung bedeutet …")
        conditions = [
            safety.scope_names[e["value"]]
            if e["value"] in safety.states or not e.get("text")
            else e["text"][:1].upper() + e["text"][1:]
            for e in named
        ]
        question = Question(
            therapies=tuple(therapies),
            aspects=tuple(aspects),
            details=tuple(details),
            told=tuple(d for d in details if d in told),
            premise=premise,
            personal=intent == PERSONAL_ADVICE or bool(entity_values(tracker, "personal")),
            conditions=tuple(conditions),
            condition_kind=(
                ConditionKind.STATE
                if any(e["value"] in safety.states for e in named)
                else ConditionKind.CIRCUMSTANCE
                if any(e.get("role") == "circumstance" for e in named)
                else ConditionKind.NAMED
            ),
            safety_line=safety.mention_line if entity_values(tracker, "sign_mention") else None,
        )
        answer = fact_answer(kb, interface, question)
        dispatcher.utter_message(**answer_message(answer))
        return [
            SlotSet("therapy", answer.therapy),
            SlotSet("more_therapies", list(dict.fromkeys(t for t, _ in answer.cells if t != answer.therapy)) or None),
            SlotSet("earlier_therapy", self.earlier(kb, tracker, answer.therapy)),
            SlotSet("aspect", answer.aspect),
            SlotSet("claims", list(answer.claims)),
        ]
