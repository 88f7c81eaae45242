"""Which written words are names, places or ordinary German words (for the pseudonymiser).

Three sources, all read once per process:

- german-nouns (PyPI; WiktionaryDE, CC BY-SA 4.0): about 100,000 German nouns with
  every case form, and which entries are first names ("Vorname"), surnames ("Nachname")
  or places ("Toponym"). It tells "Meinung" (a noun) from "Karin" (a name).
- spacy-lookups-data's German lemma table (components/german_words.py): its lower-case
  entries are verbs, adjectives and other words that are never a name.
- data/therapy_names.yml: every treatment name, which is never a person ("Kinesio-Taping").
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PATTERNS_FILE = Path(__file__).with_name("patterns.yml")
_NAME_MARKS = ("Vorname", "Nachname", "Toponym", "Eigenname")


def fold(word: str) -> str:
    """Lower case with ß → ss, for comparing words however they were typed."""
    return word.lower().replace("ß", "ss").replace("’", "'")


@dataclass(frozen=True)
class Lexicon:
    first_names: frozenset[str]  # folded
    surnames: frozenset[str]  # folded
    places: frozenset[str]  # folded
    nouns: frozenset[str]  # common nouns in every case form, as written ("Meinung", "Meinungen")
    words: frozenset[str]  # folded lower-case words of the lemma table (verbs, adjectives, …)
    all_words: frozenset[str]  # folded, every word form the lemma table knows (names included)
    therapy_words: frozenset[str]  # folded words of treatment names

    def is_first_name(self, word: str) -> bool:
        return fold(word) in self.first_names

    def is_surname(self, word: str) -> bool:
        return fold(word) in self.surnames

    def is_place(self, word: str) -> bool:
        return fold(word) in self.places

    def is_common(self, word: str) -> bool:
        """An ordinary German word (a noun, verb, adjective …) or a treatment name."""
        folded = fold(word)
        if folded in self.words or folded in self.therapy_words:
            return True
        return word in self.nouns or word[:1].upper() + word[1:].lower() in self.nouns


@dataclass(frozen=True)
class Patterns:
    """The word lists of tools/review/patterns.yml, folded."""

    public_numbers: frozenset[str]
    titles: frozenset[str]
    relations: frozenset[str]
    closings: tuple[str, ...]
    introducers: tuple[str, ...]
    not_names: frozenset[str]
    stopwords: frozenset[str]
    street_endings: tuple[str, ...]
    closing_words: frozenset[str] = frozenset()  # every word of a closing ("mfg", "grüsse")
    introducer_words: frozenset[str] = frozenset()


@functools.cache
def patterns(path: Path = PATTERNS_FILE) -> Patterns:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    def words(key: str) -> list[str]:
        return [fold(str(item)) for item in data.get(key) or []]

    closing_words = {w for phrase in words("closings") for w in phrase.split()}
    closing_words |= {
        "freundliche",
        "freundlichen",
        "herzliche",
        "herzlichen",
        "liebe",
        "lieben",
        "viele",
        "vielen",
        "beste",
        "besten",
        "schöne",
        "schönen",
        "mit",
    }
    return Patterns(
        closing_words=frozenset(fold(w) for w in closing_words),
        introducer_words=frozenset(w for phrase in words("introducers") for w in phrase.split()),
        public_numbers=frozenset(re.sub(r"\D", "", str(n)) for n in data.get("public_numbers") or []),
        titles=frozenset(words("titles")),
        relations=frozenset(words("relations")),
        # longest first, so "gruß gott" wins over "gruß"
        closings=tuple(sorted(set(words("closings")), key=len, reverse=True)),
        introducers=tuple(sorted(set(words("introducers")), key=len, reverse=True)),
        not_names=frozenset(words("not_names")),
        stopwords=frozenset(words("stopwords")),
        # as written and folded: "straße" and "strasse"
        street_endings=tuple(
            sorted(
                {str(e).lower() for e in data.get("street_endings") or []} | set(words("street_endings")),
                key=len,
                reverse=True,
            )
        ),
    )


def _german_nouns_csv() -> Path:
    spec = importlib.util.find_spec("german_nouns")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("Das Paket german-nouns fehlt: bitte `make setup` ausführen.")
    return Path(next(iter(spec.submodule_search_locations))) / "nouns.csv"


def _therapy_words() -> set[str]:
    path = ROOT / "data" / "therapy_names.yml"
    words: set[str] = set()
    if path.exists():
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in [item.get("synonym", "")] + str(item.get("examples", "")).splitlines():
                words.update(fold(w) for w in re.findall(r"[^\W\d_]+", line.lstrip("- ")))
    return words


@functools.cache
def lexicon() -> Lexicon:
    from components.german_words import german_lemma_table

    first, last, places, nouns = set(), set(), set(), set()
    with _german_nouns_csv().open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        for row in rows:
            lemma, pos = row[0], row[1]
            if "Vorname" in pos:
                first.add(fold(lemma))
            if "Nachname" in pos:
                last.add(fold(lemma))
            if "Toponym" in pos:
                places.add(fold(lemma))
            if not any(mark in pos for mark in _NAME_MARKS) and any(row[2:7]):  # a common noun has a gender
                nouns.add(lemma)
                nouns.update(cell for cell in row[7:] if cell)
    table = german_lemma_table()
    forms = set(table) | set(table.values())
    lower = {fold(w) for w in forms if w[:1].islower()}
    return Lexicon(
        first_names=frozenset(first),
        surnames=frozenset(last),
        places=frozenset(places),
        nouns=frozenset(nouns),
        words=frozenset(lower),
        all_words=frozenset(fold(w) for w in forms),
        therapy_words=frozenset(_therapy_words()),
    )
