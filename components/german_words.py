"""Every correctly spelled German word form spacy-lookups-data's German lemma table knows,
and the English ones its English table knows.

Used at run time by the lexicon matchers (a correctly spelled German word is never taken
for a typo of a treatment name; a correctly spelled German or English word never for a typo
of a sign: people write English fragments, and "wearing" is no "tearing") and by
tools/spacy_pipeline.py when it builds the pipeline.
"""

from __future__ import annotations

import gzip
import json
from importlib import resources


def german_lemma_table() -> dict[str, str]:
    return _lemma_table("de")


def _lemma_table(language: str) -> dict[str, str]:
    # spaCy's Table keeps only hashes of its keys, so read the raw strings.
    data = resources.files("spacy_lookups_data") / "data" / f"{language}_lemma_lookup.json.gz"
    with gzip.open(data.open("rb"), "rt", encoding="utf-8") as handle:
        return json.load(handle)


def german_word_forms() -> set[str]:
    """Every correctly spelled German word form the lemma table knows, lower-case."""
    return _word_forms("de")


def english_word_forms() -> set[str]:
    """Every English word form (inflected and base) the English lemma table knows, lower-case."""
    return _word_forms("en")


def _word_forms(language: str) -> set[str]:
    table = _lemma_table(language)
    return {word.lower() for word in table} | {lemma.lower() for lemma in table.values()}
