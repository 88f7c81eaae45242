"""A Rasa NLU component that finds therapy names, forgiving typos and compounds.

Why not Rasa's RegexEntityExtractor with a lookup table: it matches whole words
exactly, so "Rückenmassage", "TENS-Gerät", "massge" or "osteophatie" are missed.
This extractor learns its lexicon from the training data itself (every
`synonym:` entry and every annotated `therapy` span, see data/nlu/therapies.yml)
and matches in three steps, from strict to forgiving:

1. exact words and phrases ("manuelle Therapie", "Nadeln"), after folding case,
   umlauts and hyphens ("ruecken" == "rücken", "kinesio-tape" == "kinesio tape");
2. compounds: a word that starts or ends with a known name ("Rückenmassage",
   "Akupunkturbehandlung", "TENS-Gerät");
3. a name split in two words ("kiro praktik"), joined, exact or with typos; split in
   three ("ost theo pathie", as dictation splits long words), joined, for long names;
4. small typos (Damerau-Levenshtein distance 1, or 2 for long names) in names of
   at least 6 letters, always with the first letter right ("passiern" is no "massiern");
   a long name also in the soft consonants of Saxon and Franconian speech ("Osteobaad"
   for Osteopath: p/b, t/d, k/g, an h after a consonant and doubled letters count as the
   same, nothing else may differ); short names such as "TENS" or "Laser" match exactly, with
   two neighbouring letters swapped ("pnes") or with a letter typed twice ("penns"), so
   "meistens" never becomes TENS. A correctly spelled German word is never taken for a typo
   ("passiert" is not "massiert"): the word forms of spacy-lookups-data's German lemma table
   tell which words are spelled right.

It emits the canonical id as the entity value, so no synonym mapper is needed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, Indel
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import dump_obj_as_json_to_file, read_json_file

from components.german_words import german_word_forms
from components.matching import language_words, with_one_letter_less

LEXICON_FILE = "lexicon.json"
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """Lower-case, fold umlauts and ß, turn every non-letter run into one space."""
    return _NON_WORD.sub(" ", text.lower().translate(_FOLD)).strip()


@functools.cache
def _listed(section: str) -> frozenset[str]:
    """A word list of knowledge/language.yml as this extractor spells words ("gerät" → "geraet")."""
    return frozenset(normalize(word).replace(" ", "") for word in language_words(section))


_ADJECTIVE_ENDING = re.compile(r"(?<=[a-z]{4})(em|en|er|es|e)$")
_ADJECTIVE_ENDINGS = ("e", "em", "en", "er", "es")


def _declined(term: str) -> set[str]:
    """The other case endings of a multi-word name's adjectives (every word but the last that
    ends like a German adjective: -e, -em, -en, -er, -es)."""
    words = term.split(" ")
    if len(words) < 2:
        return set()
    forms: list[list[str]] = []
    for index, word in enumerate(words):
        stem = _ADJECTIVE_ENDING.sub("", word) if index < len(words) - 1 else None
        forms.append([stem + ending for ending in _ADJECTIVE_ENDINGS] if stem and stem != word else [word])
    variants = {""}
    for options in forms:
        variants = {f"{v} {o}".strip() for v in variants for o in options}
    variants.discard(term)
    return variants


# Saxon and Franconian speech softens p, t, k to b, d, g and lengthens vowels ("Osteobaad",
# "Agubunkdur"): names are compared in that softened form too, for names of 7 letters or more
_HARD_TO_SOFT = str.maketrans("ptk", "bdg")
_H_AFTER_CONSONANT = re.compile(r"(?<=[^aeiouäöü])h")
_DOUBLED = re.compile(r"(.)\1+")
MIN_SOFTENED_LENGTH = 7


def softened(word: str) -> str:
    """A word as Saxon or Franconian speech may write it: "osteopath" and "osteobaad" → "osdeobad"."""
    return _DOUBLED.sub(r"\1", _H_AFTER_CONSONANT.sub("", word.translate(_HARD_TO_SOFT)))


class NearNames:
    """The first name of a list, in its order, within `typos` typos of a text (Damerau-Levenshtein),
    without comparing the text with each of some 2,600 names for every word of a message:

    - one typo: two words within one typo share a form with at most one letter left out of each
      (as in components/matching.py), so the text's forms look up the few names worth comparing;
    - two typos: a name is never closer than the difference in length, so the text is compared only
      with the names whose length is near its own; and a typo is at most two letters left out or
      put in (a letter changed or two swapped: one out, one in), so only names within twice the
      typos of such steps (rapidfuzz's Indel distance, counted many letters at once) are worth the
      slower Damerau-Levenshtein distance (0.02 instead of 0.67 ms per message, docs/performance.md)."""

    def __init__(self, names: list[str], typos: int) -> None:
        self.names = names
        self.typos = typos
        self._near_length: dict[int, list[str]] = {}
        # built when the model loads, not on someone's first message (about 45,000 forms)
        self._by_form: dict[str, list[int]] = {}
        if typos == 1:
            for position, name in enumerate(names):
                for form in with_one_letter_less(name):
                    self._by_form.setdefault(form, []).append(position)

    def first(self, text: str) -> str | None:
        if self.typos == 1:
            by_form = self._by_form
            positions = sorted({p for form in with_one_letter_less(text) for p in by_form.get(form, ())})
            return next(
                (self.names[p] for p in positions if DamerauLevenshtein.distance(text, self.names[p]) <= 1), None
            )
        near = self._near_length.get(len(text))
        if near is None:
            # in the list's order, so the first close one here is the first close one of the list
            near = self._near_length[len(text)] = [n for n in self.names if abs(len(n) - len(text)) <= self.typos]
        worth = process.extract(
            text, near, scorer=Indel.distance, processor=None, score_cutoff=2 * self.typos, limit=None
        )
        # in the list's order, so the first close one here is the first close one of the list
        for index in sorted(index for _, _, index in worth):
            if DamerauLevenshtein.distance(text, near[index], score_cutoff=self.typos) <= self.typos:
                return near[index]
        return None


@dataclass(frozen=True)
class _Word:
    norm: str  # normalized text; hyphenated words keep their parts: "tens geraet"
    start: int
    end: int

    @property
    def compact(self) -> str:
        return self.norm.replace(" ", "")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class TherapyExtractor(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "entity": "therapy",
            # names shorter than this only match exactly
            "min_fuzzy_length": 6,
            # names at least this long allow two typos instead of one
            "two_typos_length": 9,
            # "per kutane elektrische nerven stimulation": a three-word name dictated in five
            "max_phrase_words": 5,
        }

    @staticmethod
    def required_components() -> list[type]:
        return [Tokenizer]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        lexicon: dict[str, str] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._set_lexicon(lexicon or {})

    def _set_lexicon(self, lexicon: dict[str, str]) -> None:
        self.lexicon = dict(lexicon)
        # a name's adjectives in every case: "transkutane elektrische Nervenstimulation" also as
        # "unter transkutaner elektrischer Nervenstimulation", "manuelle Therapie" as "manueller Therapie"
        for term, value in lexicon.items():
            for variant in _declined(term):
                self.lexicon.setdefault(variant, value)
        lexicon = self.lexicon
        # joined forms, so "kinesio tape" also matches "kinesiotape"
        self._compact = {term.replace(" ", ""): value for term, value in lexicon.items()}
        # long names, longest first, for compounds and typos
        self._long_terms = sorted(
            (t for t in self._compact if len(t) >= self._config["min_fuzzy_length"]), key=len, reverse=True
        )
        # each long name's place in that order, for the compounds (see `_compound_head_or_tail`)
        self._long_rank = {term: rank for rank, term in enumerate(self._long_terms)}
        # their places by length, for the names worth comparing with a word (see `_typo_candidates`)
        self._long_by_length: dict[int, list[int]] = {}
        for rank, term in enumerate(self._long_terms):
            self._long_by_length.setdefault(len(term), []).append(rank)
        # the long names a name split in two or three words may be (see `extract`)
        self._pair_terms = NearNames([t for t in self._long_terms if len(t) >= self._config["two_typos_length"]], 1)
        self._triple_terms = NearNames([t for t in self._long_terms if len(t) >= 10], 2)
        # long names in their softened form ("osdeobad"), for dialect spellings
        self._softened = {softened(t): t for t in self._long_terms if len(t) >= MIN_SOFTENED_LENGTH}
        # short one-word names ("tens", "pens", "laser"), for two letters swapped
        self._short_terms = [t for t in lexicon if " " not in t and 4 <= len(t) < self._config["min_fuzzy_length"]]
        # multi-word names long enough for a typo ("manuele therapie"), by word count
        long_phrases: dict[int, list[str]] = {}
        for term in lexicon:
            if " " in term and len(term) > self._config["two_typos_length"]:
                long_phrases.setdefault(term.count(" ") + 1, []).append(term.replace(" ", ""))
        self._long_phrases = {size: NearNames(names, 1) for size, names in long_phrases.items()}
        # a word is looked up up to three times per message (alone, and as a part of a name split in
        # two or three), and most words come again in the next messages: each is worked out once
        self._match_norm = functools.lru_cache(maxsize=20_000)(self._match_norm_anew)

    @staticmethod
    @functools.cache
    def _known_words() -> frozenset[str]:
        # loaded once per process (about 1 s of CPU); `load` does it at start, not on someone's first message
        return frozenset(normalize(word) for word in german_word_forms())

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TherapyExtractor:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TherapyExtractor:
        try:
            with model_storage.read_from(resource) as directory:
                lexicon = read_json_file(directory / LEXICON_FILE)
        except ValueError:
            lexicon = {}
        cls._known_words()
        return cls(config, model_storage, resource, lexicon)

    # -- training ----------------------------------------------------------
    def train(self, training_data: TrainingData) -> Resource:
        entity = self._config["entity"]
        values = {
            e["value"]
            for example in training_data.entity_examples
            for e in example.get(ENTITIES, [])
            if e.get("entity") == entity
        }
        lexicon: dict[str, str] = {}
        for value in values:
            lexicon[normalize(value)] = value
        for form, value in training_data.entity_synonyms.items():
            if value in values:
                lexicon.setdefault(normalize(form), value)
        for example in training_data.entity_examples:
            for e in example.get(ENTITIES, []):
                if e.get("entity") == entity:
                    lexicon.setdefault(normalize(example.get(TEXT)[e["start"] : e["end"]]), e["value"])
        lexicon.pop("", None)
        self._set_lexicon(lexicon)
        with self._model_storage.write_to(self._resource) as directory:
            dump_obj_as_json_to_file(directory / LEXICON_FILE, lexicon)
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    # -- inference ---------------------------------------------------------
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            found = self.extract(message)
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(found), add_to_output=True)
        return messages

    def _words(self, message: Message) -> list[_Word]:
        tokens = message.get("text_tokens") or []
        words = []
        for token in tokens:
            norm = normalize(token.text)
            if norm:
                words.append(_Word(norm, token.start, token.end))
        return words

    def _max_typos(self, term: str) -> int:
        return 2 if len(term) >= self._config["two_typos_length"] else 1

    def _match_word(self, word: _Word) -> tuple[str, float] | None:
        return self._match_norm(word.norm)

    def _compound_head_or_tail(self, compact: str) -> str | None:
        """The first long name, longest first, that `compact` starts or ends with: its heads and
        tails looked up, instead of testing each of some 2,600 names for every new word."""
        for length in range(len(compact), self._config["min_fuzzy_length"] - 1, -1):
            found = [t for t in (compact[:length], compact[-length:]) if t in self._long_rank]
            if found:
                return min(found, key=self._long_rank.__getitem__)
        return None

    def _typo_candidates(self, compact: str) -> list[str]:
        """The long names, in their order, that step 3 of `_match_norm_anew` may find in `compact`;
        every other one it would skip. A name within n typos (Damerau-Levenshtein) is within 2n
        letters left out or put in (rapidfuzz's Indel distance, counted many letters at once;
        a changed or swapped letter is one out and one in): so the whole word is compared only
        with names near its length within 4 such steps, a compound's head and tail (one typo) only
        with names of their length within 2. Before, each word new to the extractor went through
        all 2,600 names in Python (about 1 ms)."""
        ranks: set[int] = set()
        near = [r for length in range(len(compact) - 2, len(compact) + 3) for r in self._long_by_length.get(length, ())]
        ranks.update(self._within_indel(compact, near, 4))
        for length, same_length in self._long_by_length.items():
            if length >= 7 and len(compact) > length + 2:
                ranks.update(self._within_indel(compact[:length], same_length, 2))
                ranks.update(self._within_indel(compact[-length:], same_length, 2))
        return [self._long_terms[rank] for rank in sorted(ranks)]

    def _within_indel(self, text: str, ranks: list[int], steps: int) -> list[int]:
        names = [self._long_terms[rank] for rank in ranks]
        found = process.extract(text, names, scorer=Indel.distance, processor=None, score_cutoff=steps, limit=None)
        return [ranks[index] for _, _, index in found]

    def _match_norm_anew(self, norm: str) -> tuple[str, float] | None:
        """A word's treatment, by `norm` alone; `_match_norm` remembers it (see `_set_lexicon`)."""
        compact = norm.replace(" ", "")
        # 1. exact, the whole word or a hyphen part ("tens" in "tens-gerät")
        if compact in self._compact:
            return self._compact[compact], 1.0
        for part in norm.split():
            if part in self.lexicon:
                return self.lexicon[part], 1.0
        # 2. compounds: "rueckenmassage" ends with "massage"
        term = self._compound_head_or_tail(compact)
        if term is not None:
            return self._compact[term], 0.95
        # 3. typos, in the whole word or in a compound's head or tail
        if (
            len(compact) >= self._config["min_fuzzy_length"] - 1
            and compact not in self._known_words()
            and compact not in _listed("not_names")
        ):
            best: tuple[int, str] | None = None
            for term in self._typo_candidates(compact):
                limit = self._max_typos(term)
                if abs(len(compact) - len(term)) <= limit:
                    distance = DamerauLevenshtein.distance(compact, term, score_cutoff=limit)
                    # a typo only where the first letter is right: "passiern" is no "massiern"
                    if distance > 0 and compact[0] != term[0]:
                        continue
                    if distance <= limit and (best is None or distance < best[0]):
                        best = (distance, term)
                elif len(compact) > len(term) + 2 and len(term) >= 7:
                    for piece in (compact[: len(term)], compact[-len(term) :]):
                        # here too the first letter must be right: the tail "gstherapie" of
                        # "Übungstherapie" is no "US-Therapie"
                        if (
                            piece[0] == term[0]
                            and DamerauLevenshtein.distance(piece, term, score_cutoff=1) <= 1
                            and best is None
                        ):
                            best = (1, term)
            if best is None and len(compact) >= MIN_SOFTENED_LENGTH and softened(compact) in self._softened:
                best = (2, self._softened[softened(compact)])
            if best is not None:
                return self._compact[best[1]], 0.9 - 0.1 * best[0]
        # 4. a short name with two neighbouring letters swapped ("pnes", "tesn") or a letter typed
        #    twice ("penns", "tenns"), never a German word
        if 4 <= len(compact) < self._config["min_fuzzy_length"] and compact not in self._known_words():
            single = re.sub(r"(.)\1+", r"\1", compact)
            if single != compact and single in self._short_terms:
                return self.lexicon[single], 0.8
            for term in self._short_terms:
                if len(term) == len(compact) and sorted(term) == sorted(compact):
                    if DamerauLevenshtein.distance(compact, term, score_cutoff=1) == 1:
                        return self.lexicon[term], 0.8
        return None

    def extract(self, message: Message) -> list[dict[str, Any]]:
        words = self._words(message)
        used = [False] * len(words)
        found: list[dict[str, Any]] = []

        def emit(first: int, last: int, value: str, confidence: float) -> None:
            for i in range(first, last + 1):
                used[i] = True
            start, end = words[first].start, words[last].end
            found.append(
                {
                    "entity": self._config["entity"],
                    "start": start,
                    "end": end,
                    "value": value,
                    "text": message.get(TEXT)[start:end],
                    "confidence_entity": confidence,
                }
            )

        # phrases first, longest first, so "manuelle Therapie" wins over "Therapie"
        for size in range(self._config["max_phrase_words"], 1, -1):
            for first in range(len(words) - size + 1):
                span = range(first, first + size)
                if any(used[i] for i in span):
                    continue
                phrase = " ".join(words[i].norm for i in span)
                compact = phrase.replace(" ", "")
                value = self.lexicon.get(phrase) or self._compact.get(compact)
                if value is None and len(compact) >= self._config["two_typos_length"] and size in self._long_phrases:
                    term = self._long_phrases[size].first(compact)
                    value = self._compact[term] if term else None
                if value is not None:
                    emit(first, first + size - 1, value, 1.0)
        # a name split in two ("kiro praktik", "Magnet feld"): the two words joined, exact or with typos
        for i in range(len(words) - 1):
            if used[i] or used[i + 1]:
                continue
            joined = words[i].compact + words[i + 1].compact
            if len(joined) < self._config["two_typos_length"]:
                continue
            value = self._compact.get(joined)
            if (
                value is None
                and min(len(words[i].compact), len(words[i + 1].compact)) >= 3
                and words[i].norm not in _listed("function_words")
                and self._match_word(words[i]) is None
                and self._match_word(words[i + 1]) is None
            ):
                term = self._pair_terms.first(joined)
                value = self._compact[term] if term else None
            if value is not None:
                emit(i, i + 1, value, 0.85)
        # a long name split in three ("ost theo pathie"): joined, exact or with up to two typos
        for i in range(len(words) - 2):
            span = words[i : i + 3]
            if any(used[i : i + 3]) or any(w.norm in _listed("function_words") or len(w.compact) < 3 for w in span):
                continue
            if any(self._match_word(w) is not None for w in span):
                continue
            joined = "".join(w.compact for w in span)
            value = self._compact.get(joined)
            if value is None and len(joined) >= 10:
                term = self._triple_terms.first(joined)
                value = self._compact[term] if term else None
            if value is not None:
                emit(i, i + 2, value, 0.8)
        for i, word in enumerate(words):
            if not used[i]:
                match = self._match_word(word)
                if match is not None:
                    emit(i, i, *match)
        found.sort(key=lambda e: e["start"])
        return found
