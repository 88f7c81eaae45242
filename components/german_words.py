"""Every correctly spelled German word form spacy-lookups-data's German lemma table knows.

Used at run time by the lexicon matchers (a correctly spelled German word is never taken
for a typo of a treatment name) and by tools/spacy_pipeline.py when it builds the pipeline.
"""

from __future__ import annotations

import gzip
import json
from importlib import resources


def german_lemma_table() -> dict[str, str]:
    # spaCy's Table keeps only hashes of its keys, so read the raw strings.
    data = resources.files("spacy_lookups_data") / "data" / "de_lemma_lookup.json.gz"
    with gzip.open(data.open("rb"), "rt", encoding="utf-8") as handle:
        return json.load(handle)


def german_word_forms() -> set[str]:
    """Every correctly spelled German word form the lemma table knows, lower-case."""
    table = german_lemma_table()
    return {word.lower() for word in table} | {lemma.lower() for lemma in table.values()}
