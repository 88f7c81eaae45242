"""A Rasa NLU component that recognises emergencies and crises before anything else.

Runs last in the NLU pipeline, after the classifiers, Rasa's FallbackClassifier and the
scope guard, on every channel (every message goes through the NLU pipeline; button
payloads do not, and no button sends an emergency). Where a sign of knowledge/safety.yml
is found, the intent becomes `warning_signs` (tiers notruf, heute) or `crisis` (tier krise)
with confidence 1.0, and entity `sign` names each sign found, so the reply can say what to
do and why. No other intent can outvote it, and a confident classifier cannot hide it.

The classifier still counts: a message it takes for `warning_signs` or `crisis` with
confidence of at least `classifier_threshold` (config.yml) keeps that intent even when no
sign is found (the reply then lists the warning signs); a less sure guess without a sign
falls back to the classifier's next intent, so ordinary questions rarely get alarms.

A sign of the tiers notruf and heute in a question about a risk ("Kann man vom Einrenken
gelähmt werden?"; how this is told: `only_mentioned`) does not decide: the classifier does, and
its alarm then needs `mentioned_threshold` (the words say it is a question); the sign is passed
on as entity `sign_mention`, so the fact answer can add one line on what to do if it happens.
The same threshold holds where no sign is found and the message asks about an aspect of a
treatment of the page, with no word that it is happening now (`asks_about_a_treatment`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.detail_extractor import QUESTION_ROLE
from components.intent_override import override_intent
from components.matching import (
    Match,
    Pattern,
    Rule,
    Token,
    Tokens,
    compile_group,
    compile_rule,
    covered_by,
    first_match,
    matches_of,
    nothing_else,
    sentence_spans,
    tokenize,
    within,
)
from components.scope_guard import INTENT_BY_ASPECT
from components.yaml_lexicon import YamlLexiconComponent

WARNING_SIGNS = "warning_signs"
CRISIS = "crisis"
# the entity that marks a question about the warning signs themselves (see asks_for_signs)
SIGN_QUESTION = "sign_question"
CRISIS_TIER = "krise"


@dataclass(frozen=True)
class Sign:
    id: str
    tier: str
    alone: tuple[Pattern, ...]
    together: tuple[Rule, ...]
    # rules whose groups must all stand in one sentence: a word of time or strength says something
    # only of its own sentence ("Mir ist jetzt schwindlig", not "… wird mir schwindlig. Sie macht jetzt …")
    together_in_a_sentence: tuple[Rule, ...] = ()
    # a sign about the past ("nach Krebs neue Rückenschmerzen"): words of the past do not make it a question
    history: bool = False
    # words in which an `alone` pattern means something else ("Soll ich mir das antun?" is no crisis)
    unless: tuple[Pattern, ...] = ()
    # phrases that are the sign only when the message says nothing else beside `whole_fillers`
    # ("Ich kann nicht mehr." on its own; "Ich kann nicht mehr sitzen" says what is meant)
    whole: tuple[Pattern, ...] = ()
    whole_fillers: tuple[Pattern, ...] = ()

    @functools.cached_property
    def needs(self) -> frozenset[str] | None:
        """What any of the sign's patterns needs in a message (`Pattern.key`); None where one of
        them needs nothing that could be looked up."""
        patterns = [*self.alone, *self.unless, *self.whole]
        patterns += [
            p for rule in (*self.together, *self.together_in_a_sentence) for group in rule.groups for p in group
        ]
        keys = {pattern.key for pattern in patterns}
        return None if None in keys else frozenset(keys)

    def may_occur(self, tokens: Sequence[Token]) -> bool:
        """False when no pattern of the sign can match the message (most signs, for most messages):
        one set test instead of a look at each of their groups. A sentence's keys are among its
        message's, so the test holds for the sentences too."""
        return self.needs is None or not isinstance(tokens, Tokens) or not self.needs.isdisjoint(tokens.keys(True))

    def find(self, tokens: Sequence[Token], sentences: list[tuple[int, int]] | None = None) -> Match | None:
        """The first match of the sign; `sentences` (spans of the message's sentences) bound the
        rules of `together_in_a_sentence` (without them, the whole message is one sentence)."""
        found = self.find_all(tokens, sentences)
        return found[0] if found else None

    def find_all(self, tokens: Sequence[Token], sentences: list[tuple[int, int]] | None = None) -> list[Match]:
        """The matches of the first pattern or rule that finds the sign: one for `alone`, one per
        group for a rule (each group's sentence may tell whether it happens now)."""
        if not self.may_occur(tokens):
            return []
        match = first_match(self.alone, tokens, unless=self.unless)
        if match is not None:
            return [match]
        for rule in self.together:
            matches = rule.match(tokens, unless=self.unless)
            if matches:
                return matches
        for a, b in sentences or [(0, tokens[-1].end if tokens else 0)]:
            first = next((i for i, t in enumerate(tokens) if a <= t.start < b), None)
            if first is None:
                continue
            inside = within(tokens, a, b)
            for rule in self.together_in_a_sentence:
                matches = rule.match(inside, unless=self.unless)
                if matches:  # token indices of the whole message
                    return [replace(m, first=m.first + first, last=m.last + first) for m in matches]
        said = list(matches_of(self.whole, tokens))
        if said and nothing_else(covered_by((self.whole,), tokens), (self.whole_fillers,), tokens):
            return [said[0]]
        return []

    def denied(self, tokens: Sequence[Token]) -> bool:
        """The message says the sign is absent ("kein Fieber", "keinen Unfall", "keine Taubheit":
        the last group of a `together` rule holds what happens, "taub*" beside "bein*"), or its
        words stand where they mean something else (`unless`: "Fieber hob i koans", "d Fiaß san ned taub")."""
        return self.may_occur(tokens) and (
            any(m.negated for m in matches_of(self.alone, tokens))
            or any(m.negated for rule in self.together for m in matches_of(rule.groups[-1], tokens))
            or any(True for _ in matches_of(self.unless, tokens))
        )


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SafetyGuard(YamlLexiconComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # an alarm only the classifier raised stands from this confidence on; where the lexicon
        # found the sign only asked about ("Kann man vom Einrenken einen Schlaganfall kriegen?"),
        # from `mentioned_threshold` on
        # `emergency_doubt`: a crisis only the classifier found, with an emergency its second guess
        # from this confidence on, is answered as an emergency: 112 first, the crisis line after
        # (a parent who collapsed or a burn read as a crisis must not lose the 112 line)
        return {"file": None, "classifier_threshold": 0.4, "mentioned_threshold": 0.9, "emergency_doubt": 0.03}

    def compile(self, lists: dict[str, Any]) -> None:
        whole_fillers = compile_group(lists.get("whole_fillers") or [])
        self.signs = [
            Sign(
                id=str(sign_id),
                tier=str(entry.get("tier")),
                alone=compile_group(entry.get("alone") or []),
                together=tuple(compile_rule(rule) for rule in entry.get("together") or []),
                together_in_a_sentence=tuple(compile_rule(rule) for rule in entry.get("together_in_a_sentence") or []),
                history=bool(entry.get("history")),
                unless=compile_group(entry.get("unless") or []),
                whole=compile_group(entry.get("whole") or []),
                whole_fillers=whole_fillers if entry.get("whole") else (),
            )
            for sign_id, entry in (lists.get("signs") or {}).items()
        ]
        self.report = compile_group(lists.get("report") or [])
        self.hypothetical = compile_group(lists.get("hypothetical") or [])
        self.now = compile_group(lists.get("now") or [])
        self.not_now = compile_group(lists.get("not_now") or [])
        self.mention_only = compile_group(lists.get("mention_only") or [])
        self.crisis_told = compile_group(lists.get("crisis_told") or [])
        self.not_me = compile_group(lists.get("not_me") or [])
        self.asks_for_signs = compile_group(lists.get("asks_for_signs") or [])
        self.asks_for_signs_in_a_sentence = tuple(
            compile_rule(rule) for rule in lists.get("asks_for_signs_in_a_sentence") or []
        )

    def asks_about_the_signs(self, message: Message, entities: list[dict[str, Any]], tokens: Sequence[Token]) -> bool:
        """A question about the warning signs themselves, no treatment named, no crisis felt by
        the classifier ("Wann muss ich mit Rückenschmerzen sofort zum Arzt?")."""
        if any(e.get("entity") == "therapy" for e in entities):
            return False
        if (message.get("intent") or {}).get("name") == CRISIS:
            return False
        if first_match(self.asks_for_signs, tokens) is not None:
            return True
        # words further apart than a pattern's gap allows, within one sentence ("Ab wann sollte man
        # mit Kreuzschmerzen besser gleich zum Arzt gehen?"); a sentence keeps "wann" of one question
        # away from "Notaufnahme" in a story told beside it
        for start, end in sentence_spans(message.get(TEXT) or ""):
            inside = within(tokens, start, end)
            if inside and any(rule.match(inside) for rule in self.asks_for_signs_in_a_sentence):
                return True
        return False

    def only_mentioned(self, tokens: Sequence[Token]) -> bool | None:
        """Do these words ask about a sign rather than report it? (order: knowledge/safety.yml;
        None: no word of the lists)"""
        for words, mentioned in (
            (self.report, False),
            (self.hypothetical, True),
            (self.now, False),
            (self.mention_only, True),
        ):
            # "Hatte ich noch nie, jetzt …": a negator before a word of now denies nothing
            found = first_match(words, tokens, unless=() if mentioned else self.not_now, negatable=mentioned)
            if found is not None:
                return mentioned
        return None

    def sign_only_mentioned(self, match: Match, tokens: Sequence[Token], sentences: list[tuple[int, int]]) -> bool:
        """The sentence of the sign decides ("Stimmt das? … mein Kollege liegt grad am Boden und
        zuckt": the second sentence reports); where its words say nothing, the whole message."""
        start = tokens[match.first].start
        sentence = next(((a, b) for a, b in sentences if a <= start < b), None)
        if sentence is not None:
            own = self.only_mentioned(within(tokens, *sentence))
            if own is not None:
                return own
        return bool(self.only_mentioned(tokens))

    def own_sentence_reports(self, match: Match, tokens: Sequence[Token], sentences: list[tuple[int, int]]) -> bool:
        """Do the words of the match's own sentence say that it happens now ("Seit einer Stunde …")?"""
        start = tokens[match.first].start
        sentence = next(((a, b) for a, b in sentences if a <= start < b), None)
        if sentence is None:
            return False
        return self.only_mentioned(within(tokens, *sentence)) is False

    def crisis_only_told(
        self, sign: Sign, match: Match, tokens: Sequence[Token], sentences: list[tuple[int, int]]
    ) -> bool:
        """Crisis words told of someone else long past or of a character in a book, in their own
        sentence (`crisis_told`), and none in any other sentence: not the writer's crisis now."""
        start = tokens[match.first].start
        # the sentence of the match (the whole message where no sentence is found)
        sentence = next(((a, b) for a, b in sentences if a <= start < b), (0, tokens[-1].end))
        if first_match(self.crisis_told, within(tokens, *sentence)) is None:
            return False
        return sign.find([t for t in tokens if not sentence[0] <= t.start < sentence[1]]) is None

    def signs_in(self, text: str) -> tuple[list[tuple[Sign, Match]], list[tuple[Sign, Match]], Sequence[Token]]:
        """(signs the message reports, signs it only mentions in a question about risks, tokens)."""
        tokens = tokenize(text)
        sentences = sentence_spans(text)
        every = {sign.id: matches for sign in self.signs if (matches := sign.find_all(tokens, sentences))}
        found = [(sign, every[sign.id][0]) for sign in self.signs if sign.id in every]
        if not found:
            return [], [], tokens
        found = [
            (s, m) for s, m in found if s.tier != CRISIS_TIER or not self.crisis_only_told(s, m, tokens, sentences)
        ]
        # a rule's words may stand in several sentences ("Vor einem Jahr sah man eine Aussackung an
        # der Bauchschlagader. Seit einer Stunde habe ich heftige Schmerzen."): a later one whose own
        # words report (not the whole message's) is enough
        reported = [
            (s, m)
            for s, m in found
            if s.tier == CRISIS_TIER
            or s.history
            or not self.sign_only_mentioned(m, tokens, sentences)
            or any(self.own_sentence_reports(each, tokens, sentences) for each in every[s.id][1:])
        ]
        mentioned = [(s, m) for s, m in found if (s, m) not in reported]
        return reported, mentioned, tokens

    def asks_about_a_treatment(self, entities: list[dict[str, Any]], tokens: Sequence[Token]) -> bool:
        """No sign found, and the message asks something about a treatment of the page ("ich habe
        ein geschwächtes Immunsystem, ist PENS dann gefährlich für mich?", "… Soll ich mich da
        einrenken lassen?") or the page's topic in its question sentence ("… Was ist denn nun der
        Unterschied zwischen aktiven und passiven Behandlungen?"): an alarm only the classifier
        raised then needs `mentioned_threshold`, unless the words say it is happening now ("seit
        heute", "plötzlich"; not a "jetzt" of `not_now`: "das ist jetzt drei Jahre her")."""
        kinds = {e.get("entity") for e in entities}
        about_a_treatment = "therapy" in kinds and bool(kinds & {"asked", "personal"})
        asks_the_topic = any(e.get("entity") == "asked" and e.get("role") == QUESTION_ROLE for e in entities)
        return (about_a_treatment or asks_the_topic) and not self.says_now(tokens)

    def says_now(self, tokens: Sequence[Token]) -> bool:
        """A word of now that is no phrase of `not_now`; a negator before it denies nothing."""
        return first_match(self.now, tokens, unless=self.not_now, negatable=False) is not None

    def doubt_unsure_alarm(
        self, message: Message, mentioned: bool = False, instead: str | None = None, denied: bool = False
    ) -> None:
        """An alarm only the classifier raised, and not surely: take its next guess instead, or
        `instead` (the intent of the aspect the words ask about: "gefährlich" → ask_risks).
        `mentioned`: the lexicon found a sign, but in a question about a risk, not a report.
        `denied`: the only signs are denied ("kein Fieber, keine Taubheit") and nothing happens now:
        no warning signs, however sure the classifier (it reads the words, not the "kein")."""
        intent = message.get("intent") or {}
        if intent.get("name") not in (WARNING_SIGNS, CRISIS):
            return
        threshold = self._config["mentioned_threshold" if mentioned else "classifier_threshold"]
        if intent.get("confidence", 0.0) >= threshold and not (denied and intent.get("name") == WARNING_SIGNS):
            return
        ranking = [
            r
            for r in message.get("intent_ranking") or []
            if r.get("name") not in (WARNING_SIGNS, CRISIS, "nlu_fallback")
        ]
        if instead is not None:
            override_intent(message, instead)
        elif ranking:
            override_intent(message, ranking[0]["name"])

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or text.startswith("/"):
                continue
            reported, mentioned, tokens = self.signs_in(text)
            entities = list(message.get(ENTITIES) or [])
            for entity, found in (("sign", reported), ("sign_mention", mentioned)):
                for sign, match in found:
                    start, end = tokens[match.first].start, tokens[match.last].end
                    entities.append(
                        {
                            "entity": entity,
                            "value": sign.id,
                            "start": start,
                            "end": end,
                            "text": text[start:end],
                            "extractor": type(self).__name__,
                        }
                    )
            if reported:
                only_crisis = all(sign.tier == CRISIS_TIER for sign, _ in reported)
                override_intent(message, CRISIS if only_crisis else WARNING_SIGNS)
            elif self.asks_about_the_signs(message, entities, tokens):
                # answered with the list of signs (action_safety_reply), not with an alarm
                override_intent(message, WARNING_SIGNS)
                entities.append({"entity": SIGN_QUESTION, "value": "true", "extractor": type(self).__name__})
                message.set(ENTITIES, entities, add_to_output=True)
            else:
                self.alarm_behind_a_fallback(message)
                if (message.get("intent") or {}).get("name") in (WARNING_SIGNS, CRISIS):
                    self.doubt_classifier_alarm(message, mentioned, entities, tokens)
            if not reported:
                self.doubt_classifier_crisis(message)
            if reported or mentioned:
                message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def doubt_classifier_alarm(
        self,
        message: Message,
        mentioned: list[tuple[Sign, Match]],
        entities: list[dict[str, Any]],
        tokens: Sequence[Token],
    ) -> None:
        """An alarm the classifier raised without a sign the lexicon reports: is it doubtful?"""
        # "Ich hatte keinen Unfall und kein Fieber, nur …": signs denied, and nothing said to
        # happen now, are no report either
        # "Ich habe keins, ich will nur vorbereitet sein": the person says it is not theirs
        denied = (
            any(sign.denied(tokens) for sign in self.signs) or first_match(self.not_me, tokens) is not None
        ) and not self.says_now(tokens)
        # crisis words found but only told (of a character in a book, of someone's crisis long past)
        told = any(sign.tier == CRISIS_TIER and sign.find(tokens) is not None for sign in self.signs)
        asks = bool(mentioned) or denied or told or self.asks_about_a_treatment(entities, tokens)
        asked = [
            INTENT_BY_ASPECT[e["value"]]
            for e in entities
            if e.get("entity") == "asked" and e.get("value") in INTENT_BY_ASPECT
        ]
        self.doubt_unsure_alarm(message, mentioned=asks, instead=asked[0] if asked else None, denied=denied)

    def alarm_behind_a_fallback(self, message: Message) -> None:
        """Rasa's FallbackClassifier found the classifier torn between its first two guesses. Where the
        first is an alarm and the alarms together are as sure as an alarm of the classifier must be
        (`classifier_threshold`), the alarm stands: "an emergency 0.40, a crisis 0.38" is a person in
        danger, not a message to say again. The checks after this (a question about a treatment,
        signs denied) then judge it as any alarm of the classifier."""
        if (message.get("intent") or {}).get("name") != "nlu_fallback":
            return
        ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
        if not ranking or ranking[0].get("name") not in (WARNING_SIGNS, CRISIS):
            return
        together = sum(r.get("confidence", 0.0) for r in ranking if r.get("name") in (WARNING_SIGNS, CRISIS))
        if together >= self._config["classifier_threshold"]:
            message.set("intent", {"name": ranking[0]["name"], "confidence": together}, add_to_output=True)

    def doubt_classifier_crisis(self, message: Message) -> None:
        """A crisis only the classifier found, and an emergency not far behind: the warning reply
        leads with 112 and carries the crisis line too (knowledge/safety.yml general_warning)."""
        if (message.get("intent") or {}).get("name") != CRISIS:
            return
        ranking = {r.get("name"): r.get("confidence", 0.0) for r in message.get("intent_ranking") or []}
        if ranking.get(WARNING_SIGNS, 0.0) >= self._config.get("emergency_doubt", 0.03):
            override_intent(message, WARNING_SIGNS)
