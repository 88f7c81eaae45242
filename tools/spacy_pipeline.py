"""Build the project's German spaCy pipeline from packages on PyPI only.

`de_core_news_sm` is published as a GitHub release asset and cannot be installed
on every host, so the default config loads this pipeline instead: spaCy's own
German tokenizer plus the lookup lemmatizer whose tables come from
`spacy-lookups-data`. The lookup table is keyed by the written form ("Massagen"),
so we add lower-case and capitalised keys: patients write "massagen" in a
messenger and sentences start with "Hilft".

Usage: python -m tools.spacy_pipeline OUTPUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import spacy

from components.german_words import german_lemma_table

PIPELINE_NAME = "rueckenbot_de"


def _case_variants(table: dict[str, str]) -> dict[str, str]:
    """Return extra keys (lower-case, capitalised) that the table lacks."""
    extra: dict[str, str] = {}
    for form, lemma in table.items():
        for variant in (form.lower(), form[:1].upper() + form[1:]):
            if variant not in table and variant not in extra:
                extra[variant] = lemma
    return extra


def build(output_dir: Path) -> spacy.language.Language:
    nlp = spacy.blank("de")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the German tables from spacy-lookups-data
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    for form, lemma in _case_variants(german_lemma_table()).items():
        table[form] = lemma
    nlp.meta["name"] = PIPELINE_NAME
    nlp.meta["description"] = "German tokenizer and lookup lemmatizer (spaCy + spacy-lookups-data), built for Rückenbot"
    output_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output_dir)
    return nlp


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tools.spacy_pipeline OUTPUT_DIR")
    nlp = build(Path(sys.argv[1]))
    print(f"spaCy pipeline '{PIPELINE_NAME}' written to {sys.argv[1]} ({', '.join(nlp.pipe_names)})")


if __name__ == "__main__":
    main()
