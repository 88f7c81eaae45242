"""Reads a misspelled word as the word of the training data it most likely is.

The intent classifiers count words by their lemma. A word typed with a slip ("wer bezhalt das",
"was kotset das", "kan man sich da verbrenen") is a word they never saw, so its vote is lost,
and in a short question it was the word that told what is asked. This component gives such a
word the lemma of the training word one slip away (two in long words): a letter missing, added,
changed, or two neighbours swapped. The letter n-gram features still see what was typed.

A word is left as it is when it is short, when the training data has it, or when it is a
correctly spelled German or English word (spacy-lookups-data's word forms, as for the lexicon
matchers): "passiert" is no slip of "massiert". The first letter must be right, as people rarely
slip there. Of several words equally close, the one the training data uses most wins.

A word split in two by a slip or a dictation app ("heil praktiker", "neben wirkungen", "auf
wieder hören", "Oste Opathie") counts as the training word the two make when joined (or that
word with a slip, where a part is no word of its own): the first part gets its lemma and the
second none. Both parts must have three letters at least and the joined word eight, so short
pairs ("zu hause", "wie viel") stay as they are.

A word of dialect counts as the standard word it stands for (knowledge/dialect.yml, the table
every word list of the bot reads): "Soi i mi eirenka lassn" as "soll ich mich …", "Wat is
Osteopathie, un helpt dat" as "was ist …, … das". Development sets C-P, parse: dialect 439 -> 442
of 474 (7 gained, 4 lost: Swiss "öppis passiere" had been learnt as it is), no other register moved.

All of this acts on messages only: the classifiers learn from the examples as written.

The vocabulary is learned from the training data and stored with the model. Placed after the
tokenizer and before the featurizers (after DictatedMarks, whose emptied marks it leaves alone).
"""

from __future__ import annotations

import collections
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import dump_obj_as_json_to_file, read_json_file

from components.matching import fold, known_words, standard_word

VOCABULARY_FILE = "vocabulary.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class TypoLemmas(GraphComponent):
    """Sets the lemma of a misspelled token to that of the nearest word of the training data."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # shorter words are left alone: one slip turns too many short words into others
            "min_length": 4,
            # from this length on two slips are forgiven ("schwangerschft", "phsyiotherapeut")
            "two_slips_length": 9,
            # a word split in two is joined when each part has this many letters ...
            "join_min_part": 3,
            # ... and the joined word this many
            "join_min_length": 8,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: dict[str, list] | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._set_vocabulary(vocabulary or {})

    def _set_vocabulary(self, vocabulary: dict[str, list]) -> None:
        # folded word -> [lemma, how often the training data has it]
        self._vocabulary = vocabulary
        self._by_first_letter: dict[str, list[str]] = collections.defaultdict(list)
        for word in vocabulary:
            self._by_first_letter[word[0]].append(word)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TypoLemmas:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TypoLemmas:
        try:
            with model_storage.read_from(resource) as directory:
                vocabulary = read_json_file(directory / VOCABULARY_FILE)
        except ValueError:
            vocabulary = {}  # not trained: every word stays as it is
        known_words()  # loaded at start (about 1 s), not on someone's first message
        return cls(config, model_storage, resource, vocabulary)

    def train(self, training_data: TrainingData) -> Resource:
        counts: collections.Counter[str] = collections.Counter()
        lemmas: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        for example in training_data.training_examples:
            for token in example.get(TOKENS_NAMES[TEXT]) or []:
                word = fold(token.text.lower())
                if word.isalpha():
                    counts[word] += 1
                    lemmas[word][token.lemma or token.text] += 1
        vocabulary = {word: [lemmas[word].most_common(1)[0][0], count] for word, count in counts.items()}
        self._set_vocabulary(vocabulary)
        with self._model_storage.write_to(self._resource) as directory:
            dump_obj_as_json_to_file(directory / VOCABULARY_FILE, vocabulary)
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # every training word is in the vocabulary; split words are joined in messages only, so
        # the classifiers learn from the examples as written (as for DictatedMarks)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT]) or []
            joined = self._join_split_words(message.get(TEXT) or "", tokens)
            for i, token in enumerate(tokens):
                if i in joined or token.lemma == "":
                    continue  # a part of a joined word, or a mark said aloud (DictatedMarks)
                lemma = self.lemma_of(token.text)
                if lemma is not None:
                    token.lemma = lemma
        return messages

    def _join_split_words(self, text: str, tokens: list[Token]) -> set[int]:
        """Gives the first of two tokens that form one training word the lemma of that word and
        the second none; returns the positions of both."""
        joined: set[int] = set()
        for i in range(len(tokens) - 1):
            first, second = tokens[i], tokens[i + 1]
            if i in joined or "" in (first.lemma, second.lemma) or text[first.end : second.start] not in (" ", "-"):
                continue
            lemma = self.lemma_of_split(first.text, second.text)
            if lemma is not None:
                first.lemma, second.lemma = lemma, ""
                joined |= {i, i + 1}
        return joined

    def lemma_of_split(self, first: str, second: str) -> str | None:
        """The lemma of the training word that `first` and `second` make when joined, or None."""
        parts = [fold(part.lower()) for part in (first, second)]
        word = "".join(parts)
        if (
            not all(part.isalpha() for part in parts)
            or min(len(part) for part in parts) < self._config["join_min_part"]
            or len(word) < self._config["join_min_length"]
        ):
            return None
        if word in self._vocabulary:
            return self._vocabulary[word][0]
        if all(part in self._vocabulary or part in known_words() for part in parts):
            # two words of their own ("Laser Therapien"): joined only where the training data has the whole
            return None
        return self.lemma_of(word)  # "Oste Opathie": a joined word with a slip

    def lemma_of(self, text: str) -> str | None:
        """The lemma of the training word `text` is a slip or a dialect form of, or None."""
        word = fold(text.lower())
        if not word.isalpha():
            return None
        standard = standard_word(word)
        if standard != word and standard in self._vocabulary:
            # a word of dialect, read as the standard word it stands for, as every word list reads it
            return self._vocabulary[standard][0]
        if len(word) < self._config["min_length"] or word in self._vocabulary:
            return None
        if word in known_words():
            return None
        slips = 2 if len(word) >= self._config["two_slips_length"] else 1
        candidates = process.extract(
            word,
            self._by_first_letter.get(word[0], ()),
            scorer=DamerauLevenshtein.distance,
            score_cutoff=slips,
            limit=None,
        )
        if not candidates:
            return None
        nearest, distance, _ = min(candidates, key=lambda c: (c[1], -self._vocabulary[c[0]][1]))
        return self._vocabulary[nearest][0]
