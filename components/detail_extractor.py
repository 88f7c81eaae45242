"""A Rasa NLU component that finds what a question is about beyond treatment and aspect.

From knowledge/details.yml it finds three entities, which action_answer_fact reads:

- `detail`:  the detail asked ("Marcumar" → blutverduenner, "knackt" → knacken);
- `premise`: a belief the question takes for granted ("hilft doch sicher" → benefit; a
             question ending "…, oder?" → tag);
- `asked`:   every aspect the message asks about ("Was kostet das und ist es gefährlich?"
             → kosten, risiken), so two questions in one message get two answers; role
             `frage` where the question sentences of a message that also tells decided it
             (a `detail` has role `frage` there, or `erzaehlt` where it is found only in
             the sentences that tell);
- `personal`: the question asks for a decision about the person ("Soll ich …?", "für mich"),
             so the answer says first that their doctor decides with them.

Where a message tells something and then asks ("Der Laser kostet 400 Euro. Ist das
sinnvoll?"), the question sentences decide what is asked: aspects and the details marked
`asked_only` count there only, once the question sentences name an aspect or a detail of
their own ("400 Euro" told is no question about the price).

Why a lexicon and not DIET entities: the lists are short, editors keep them, and a word
list is exact about what it finds (see components/matching.py for the pattern language).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.matching import (
    Match,
    Pattern,
    compile_group,
    crosses_a_sentence_end,
    find,
    first_match,
    fold,
    matches_of,
    may_match,
    question_spans,
    standard_word,
    tokenize,
)
from components.yaml_lexicon import YamlLexiconComponent

QUESTION_ROLE = "frage"  # role of an `asked` aspect found in the question sentence of a message that also tells
TOLD_ROLE = "erzaehlt"  # role of a `detail` found only in the sentences that tell, not in those that ask


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class DetailExtractor(YamlLexiconComponent, EntityExtractorMixin):
    """Entities `detail`, `premise` and `asked` from the word lists in knowledge/details.yml."""

    def compile(self, lists: dict[str, Any]) -> None:
        self.groups: list[tuple[str, str, tuple[Pattern, ...]]] = []
        # a detail's `unless`: words around a hit that make it another thing ("besser als nichts" compares
        # with nothing, so it is no comparison of treatments)
        self.unless: dict[str, tuple[Pattern, ...]] = {}
        self.detail_aspect: dict[str, str] = {}
        for detail_id, entry in (lists.get("details") or {}).items():
            self.groups.append(("detail", str(detail_id), compile_group(entry.get("words") or [])))
            self.detail_aspect[str(detail_id)] = str(entry.get("aspect") or "")
            if entry.get("unless"):
                self.unless[str(detail_id)] = compile_group(entry.get("unless"))
        for kind, words in (lists.get("premises") or {}).items():
            self.groups.append(("premise", str(kind), compile_group(words or [])))
        for aspect, words in (lists.get("aspects") or {}).items():
            self.groups.append(("asked", str(aspect), compile_group(words or [])))
        # set phrases whose words ask nothing ("Ich möchte in Erfahrung bringen, ob …" asks neither
        # about experiences nor whether a treatment brings anything)
        self.idioms = compile_group(lists.get("idioms") or [])
        self.agreement_tags = compile_group(lists.get("agreement_tags") or [])
        # words that may stand between "was sind" and the aspect it asks for ("… eigentlich die Risiken")
        self.question_fillers = {standard_word(fold(str(w))) for w in lists.get("question_fillers") or []}
        self.personal = compile_group(lists.get("personal") or [])
        self.not_personal = compile_group(lists.get("not_personal") or [])
        # details that are only asked, never told: they count in a question sentence (see above)
        self.asked_only = {
            str(detail_id)
            for detail_id, entry in (lists.get("details") or {}).items()
            if isinstance(entry, dict) and entry.get("asked_only")
        }

    @staticmethod
    def question_spans(text: str) -> list[tuple[int, int]]:
        """Where the sentences that ask stand (components/matching.py)."""
        return question_spans(text)

    def agreement_tag(self, text: str, tokens: list) -> dict[str, Any] | None:
        """A `premise` entity when a question ends by asking for agreement ("…, oder?"), also one
        that another question follows ("… weg, oder? Wie lange muss ich es dranlassen?")."""
        for pattern in self.agreement_tags:
            for match in find(pattern, tokens, typos=False):
                after = match.last + 1
                between = text[tokens[match.last].end : tokens[after].start if after < len(tokens) else len(text)]
                if "?" in between:
                    start, end = tokens[match.first].start, tokens[match.last].end
                    return {"entity": "premise", "value": "tag", "start": start, "end": end, "text": text[start:end]}
        return None

    def without_what_is_of_another_aspect(self, hits_by_group: list, tokens: list) -> list:
        """ "Was sind eigentlich die Risiken?" asks for the risks, not what the treatment is: a hit of
        the aspect `methode` that only `question_fillers` separate from another aspect's hit is dropped;
        so is one before a detail of another aspect ("What does the evidence say?" asks whether it helps)."""
        others = [
            m
            for entity, value, per_pattern in hits_by_group
            if (entity == "asked" and value != "methode")
            or (entity == "detail" and self.detail_aspect.get(value) not in ("", "methode"))
            for hits in per_pattern
            for m in hits
        ]

        def inside_another(m: Match) -> bool:
            # "Wie gut funktioniert TENS?" asks whether it helps: the aspect's own phrase covers the
            # words that "wie ... funktioniert" (what it is) finds only through its gap
            return any(
                o.first <= m.first and m.last <= o.last
                for entity, value, per_pattern in hits_by_group
                if entity == "asked" and value != "methode"
                for hits in per_pattern
                for o in hits
            )

        def leads_to_another(m: Match) -> bool:
            # within one sentence: "Was ist es? Hilft es?" asks both
            return any(
                0 <= o.first - m.last - 1 <= 3
                and all(t.norm in self.question_fillers for t in tokens[m.last + 1 : o.first])
                and not any(t.after_stop for t in tokens[m.last + 1 : o.first + 1])
                for o in others
            )

        return [
            (
                entity,
                value,
                [[m for m in hits if not leads_to_another(m) and not inside_another(m)] for hits in per_pattern],
            )
            if entity == "asked" and value == "methode"
            else (entity, value, per_pattern)
            for entity, value, per_pattern in hits_by_group
        ]

    def extract(self, text: str) -> list[dict[str, Any]]:
        tokens = tokenize(text)
        questions = self.question_spans(text)

        def in_question(match: Match) -> bool:
            return any(a <= tokens[match.first].start < b for a, b in questions)

        # per group, per pattern (in the editors' order) the places it is found
        # a denied belief is none ("ist nicht bewiesen"); a detail or aspect denied is still what
        # the message is about ("dann brauch ich kein Sport mehr", "ohne Rezept", "keine Nebenwirkungen?");
        # a detail's hit within one of its `unless` phrases is another thing ("besser als nichts"), and
        # any hit within an idiom
        def covered(phrases: tuple[Pattern, ...]) -> set[int]:
            """The places of the words inside a match of any of `phrases`."""
            return {i for m in matches_of(phrases, tokens) for i in range(m.first, m.last + 1)}

        in_idioms = covered(self.idioms)
        hits_by_group = []
        for entity, value, patterns in self.groups:
            excepted = in_idioms | covered(self.unless.get(value, ()) if entity == "detail" else ())
            # (the patterns that cannot match are left out: they would add only empty lists)
            per_pattern = [
                [
                    m
                    for m in find(pattern, tokens)
                    if not (m.negated and entity == "premise")
                    and not excepted.intersection(range(m.first, m.last + 1))
                    # "Bringt des Einrenkn übahaupt wos? Is ma jo eh nix ausgrenkt?" asks no "was ist"
                    and not crosses_a_sentence_end(m, tokens)
                ]
                for pattern in may_match(patterns, tokens)
            ]
            hits_by_group.append((entity, value, per_pattern))
        hits_by_group = self.without_what_is_of_another_aspect(hits_by_group, tokens)
        told = any(not any(a <= token.start < b for a, b in questions) for token in tokens)
        # the message tells and asks, and its question sentences name something asked of their own
        asks_itself = (
            bool(questions)
            and told
            and any(
                entity in ("asked", "detail") and any(in_question(m) for hits in per_pattern for m in hits)
                for entity, value, per_pattern in hits_by_group
            )
        )
        found: list[dict[str, Any]] = []
        for entity, value, per_pattern in hits_by_group:
            only_asked = asks_itself and (entity == "asked" or (entity == "detail" and value in self.asked_only))
            for hits in per_pattern:
                hits = [m for m in hits if in_question(m)] if only_asked else hits
                if hits:
                    start, end = tokens[hits[0].first].start, tokens[hits[0].last].end
                    item = {"entity": entity, "value": value, "start": start, "end": end, "text": text[start:end]}
                    if only_asked and entity == "asked":
                        item["role"] = QUESTION_ROLE  # the question sentence asks it, whatever came before
                    elif asks_itself and entity == "detail":
                        # asked in the question sentence ("… Was sagen denn die Studien?"), or only told
                        # ("Seit meinem Bandscheibenvorfall …")
                        # (by any of its patterns: "wo … die Nadeln reinkommen?" beside "die Punkte" told)
                        asked_here = any(in_question(m) for other in per_pattern for m in other)
                        item["role"] = QUESTION_ROLE if asked_here else TOLD_ROLE
                    found.append(item)
                    break
        # a belief about who pays ("zahlt ja die Kasse") is no answer to whether it helps: the tag still counts
        if not any(e["entity"] == "premise" and e["value"] != "cost" for e in found):
            tag = self.agreement_tag(text.rstrip(), tokens)
            if tag is not None:
                found.append(tag)
        personal = first_match(self.personal, tokens, unless=self.not_personal)
        if personal is not None:
            start, end = tokens[personal.first].start, tokens[personal.last].end
            found.append({"entity": "personal", "value": "true", "start": start, "end": end, "text": text[start:end]})
        found.sort(key=lambda e: (e["start"], e["entity"]))
        return found

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            found = self.extract(message.get(TEXT) or "")
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(found), add_to_output=True)
        return messages
