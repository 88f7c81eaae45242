"""Word patterns for the lexicon components: the small language editors write in YAML.

A pattern is a word or a phrase, written lower case (umlauts and ß either way):

- `taub`      the word itself, after folding case and umlauts (Rücken = Ruecken = Rucken);
              a long word (7+ letters) that is not itself a German word also matches
              with one typo ("lähmunng"), so dictation and typing slips are found; a word
              ending in -en also matches its southern German form without the e ("Augn",
              "Knochn" for Augen, Knochen) where that is no German word;
- `taub*`     every word that starts so: taub, taube, Taubheit;
- `*schmerz*` every word that contains it: Kopfschmerzen, Spannungskopfschmerz;
- `*weh`      every word that ends so: Kopfweh, Bauchweh;
- `kein gefühl`      words in a row;
- `kann ... nicht`   "..." allows up to four words in between.

Words of dialects and everyday speech are read as the standard word they stand for, in
messages and patterns alike ("wia oft" is "wie oft", "koa" is "kein"; knowledge/dialect.yml).

A group is a list of patterns (any one matches); a rule is a list of groups that must all
match somewhere in the message ("bein*" and "taub*" → "mein linkes Bein ist taub").
A match is negated when a negator ("kein", "ohne", "no"; knowledge/language.yml) stands right
before it ("kein Fieber"), unless the pattern itself starts with that word ("kein gefühl").

Pure Python: the NLU components (Rasa server) and the action server both use it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import DamerauLevenshtein

_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "’": "'", "é": "e", "è": "e"})
# People write "Rücken", "Ruecken" and "Rucken": all three become "rucken" (in words and patterns alike).
# Not a word of two letters: "UE" (unerwünschte Ereignisse) would be "u", the "und" of shorthand.
_SPELLED_UMLAUT = re.compile(r"(?<=[a-z])(ae|oe|ue)|^(ae|oe|ue)(?=[a-z])")
# money emoji are words of their own ("und 💰?" asks about the costs)
MONEY_EMOJI = "💰💶💸💵"
_TOKEN = re.compile(rf"[\w€]+(?:['’][\w]+)?|[{MONEY_EMOJI}]")
_DIALECT_ARTICLE = re.compile(r"[dsDS]['’]\w{3,}")
DIALECT_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "dialect.yml"
LANGUAGE_FILE = DIALECT_FILE.with_name("language.yml")
GAP = "..."
MAX_GAP = 4
MIN_TYPO_LENGTH = 7
# marks three letters of a message (`Tokens.keys`) apart from its words
_PIECE_MARK = "\x00"


# words an umlaut keeps apart from another: "zählt" (counts) folded would be "zahlt" (pays)
_KEEP_APART = re.compile(r"z(?:ä|ae)hl")


def fold(text: str) -> str:
    """Lower case, umlauts without dots (ä, ae → a), ß → ss, typographic apostrophes made plain."""
    text = _KEEP_APART.sub("zehl", text.lower())
    return _SPELLED_UMLAUT.sub(lambda m: (m.group(1) or m.group(2))[0], text.translate(_FOLD))


@dataclass(frozen=True)
class Token:
    norm: str
    start: int
    end: int
    # a sentence ends before this word ("Ich vertrage keine Öle. Kann ich trotzdem …?"): a
    # negator before that end denies nothing after it
    after_stop: bool = False


@functools.cache
def dialect_words() -> dict[str, str]:
    """Dialect word → the standard word it stands for, both folded (knowledge/dialect.yml)."""
    from ruamel.yaml import YAML

    lists = YAML(typ="safe").load(DIALECT_FILE.read_text(encoding="utf-8"))
    words = lists.get("words") if isinstance(lists, dict) else None
    # an entry of the wrong shape is skipped here and named by `make check`
    return {
        fold(form): fold(str(standard))
        for standard, forms in (words.items() if isinstance(words, dict) else ())
        if isinstance(forms, list)
        for form in forms
        if isinstance(form, str) and " " not in form
    }


@functools.cache
def language_words(section: str) -> tuple[str, ...]:
    """One word list of knowledge/language.yml (negators, sentence starts, …), lower case."""
    from ruamel.yaml import YAML

    lists = YAML(typ="safe").load(LANGUAGE_FILE.read_text(encoding="utf-8"))
    words = lists.get(section) if isinstance(lists, dict) else None
    # an entry of the wrong shape is skipped here and named by `make check`
    return tuple(word.lower() for word in (words if isinstance(words, list) else ()) if isinstance(word, str))


@functools.cache
def negators() -> frozenset[str]:
    """Words that deny the word of a list after them ("kein Fieber"), folded."""
    return frozenset(fold(word) for word in language_words("negators"))


def standard_word(norm: str) -> str:
    """A folded word as the word lists read it: "wia" → "wie", "koa" → "kein"."""
    return dialect_words().get(norm, norm)


class Tokens(tuple):
    """The tokens of one text. Read-only, so that one tokenization serves every word list that reads
    the message (safety, scope and detail lexicons, each several times), and what they ask of it is
    worked out once: the message's words for `_could_match`, and each pattern's matches (`find`)."""

    @functools.cached_property
    def words(self) -> tuple[frozenset[str], frozenset[str]]:
        return _message_words(tuple(token.norm for token in self))

    @functools.cached_property
    def found(self) -> tuple[dict[int, tuple[Match, ...]], dict[int, tuple[Match, ...]]]:
        """Each pattern's matches by its id: without typos, with typos. Keys are plain numbers and
        most values the empty tuple, so the thousands of entries of a message give Python's garbage
        collector nothing to track (with a tuple per entry it ran whole-heap collections, and the
        95th percentile of a parse rose from 190 to 400 ms)."""
        return {}, {}

    @functools.cached_property
    def patterns(self) -> list[Pattern]:
        """The patterns of `found`: kept alive so that no new pattern can take over their ids."""
        return []

    @functools.cached_property
    def joined(self) -> str:
        return " " + " ".join(token.norm for token in self) + " "

    def possible(self, typos: bool) -> frozenset[str]:
        """The words of compiled patterns that may stand in this text: its own words, and with
        typos the pattern words its dialect forms and slips may be (see `_could_match`). Worked
        out again when patterns were compiled since (tests and tools compile theirs on the way)."""
        words, typo_forms = self.words
        if not typos:
            return words
        cached = self.__dict__.get("_possible")
        if cached is None or cached[0] != len(_registered):
            loose = set(words)
            for word in words:
                loose.update(_BY_DIALECT_FORM.get(word, ()))
            for form in typo_forms:
                loose.update(_BY_DELETION.get(form, ()))
            cached = self.__dict__["_possible"] = (len(_registered), frozenset(loose))
        return cached[1]

    def keys(self, typos: bool) -> frozenset[str]:
        """What a pattern's `key` must be among for the pattern to match here: the `possible`
        words, and every three letters of the joined words (marked, so that no word is taken for
        them) for the patterns of `*` parts only."""
        name = "_keys_typos" if typos else "_keys"
        cached = self.__dict__.get(name)
        if cached is None or cached[0] != len(_registered):
            joined = self.joined
            pieces = {_PIECE_MARK + joined[i : i + 3] for i in range(len(joined) - 2)}
            cached = self.__dict__[name] = (len(_registered), self.possible(typos) | pieces)
        return cached[1]

    @functools.cached_property
    def sentences(self) -> dict[tuple[int, int], Tokens]:
        return {}

    def within(self, start: int, end: int) -> Tokens:
        """The tokens that start in text[start:end] (a sentence): every sign of the safety lexicon
        looks at each sentence on its own."""
        part = self.sentences.get((start, end))
        if part is None:
            part = self.sentences[start, end] = Tokens(t for t in self if start <= t.start < end)
        return part


def within(tokens: Sequence[Token], start: int, end: int) -> Sequence[Token]:
    """The tokens that start in text[start:end], in order."""
    if isinstance(tokens, Tokens):
        return tokens.within(start, end)
    return [t for t in tokens if start <= t.start < end]


@functools.lru_cache(maxsize=16)
def tokenize(text: str) -> Tokens:
    """Words of `text`, folded and read in standard German (knowledge/dialect.yml), with their
    character offsets in `text`. An apostrophe joins a word ("war's" → "wars"), except after a
    dialect article: "d'Augn", "s'Kreuz" are two words. The same text gives the same (read-only)
    tokens: each component of one message asks for them again."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        norm = fold(match.group()).replace("'", "")
        start = match.start()
        after_stop = bool(tokens) and _STOP.search(text, tokens[-1].end, start) is not None
        if _DIALECT_ARTICLE.match(match.group()):
            tokens.append(Token(norm[0], start, start + 1, after_stop))
            norm, start, after_stop = norm[1:], start + 2, False
        tokens.append(Token(standard_word(norm), start, match.end(), after_stop))
    return Tokens(tokens)


# A sentence: up to its end mark or a line break. A period after an abbreviation ("chron.",
# "z. B.", "bzw.", "Pat.") or an ordinal ("in der 24. Woche") ends none; after a number
# followed by a word that starts sentences ("Ich bin 81. Darf ich …"), a year ("seit 2019.")
# or a vertebra ("L4/5.") it does. A dictated end mark ("… Fragezeichen", "… Punkt") ends a sentence
# like "?" and ".".
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
# an end mark between two words (for negators, which deny only within their sentence)
_STOP = re.compile(r"[.!?\n]")


@functools.cache
def _no_sentence_end() -> re.Pattern[str]:
    """Periods that end no sentence (knowledge/language.yml: abbreviations, sentence starts)."""
    # an empty list matches nothing ("(?!)"), not every period
    abbreviations = "|".join(re.escape(word) for word in language_words("abbreviations")) or "(?!)"
    starts = "|".join(re.escape(word) for word in language_words("sentence_starts")) or "(?!)"
    return re.compile(
        # letters with periods one after the other ("z.B.", "d.h.") are one abbreviation
        rf"(?<![\w.])(?:(?:[a-zäöü]\.)+|(?:{abbreviations})\.)" rf"|(?<![\w/.])\d{{1,3}}\.(?=\s*(?!(?:{starts})\b)\w)",
        re.IGNORECASE,
    )


QUESTION_WORD = re.compile(r"\bfragezeichen\b", re.IGNORECASE)
# End marks said aloud to a dictation app ("… weg davon Punkt Hilft das Fragezeichen"): "Punkt" only
# after a word and before a capital or the end, so "der wunde Punkt der Sache" stays one sentence
_SPOKEN_MARKS = r"(?i:\bfragezeichen\b|\bausrufezeichen\b)|(?<=[^\W\d] )(?i:punkt)"
_DICTATED_END = re.compile(_SPOKEN_MARKS + r"(?=\s*$|\s+[A-ZÄÖÜ])")
# In a message that says other marks aloud too ("… Rückenschmerzen Komma …", "… Fragezeichen"), the
# app wrote what was said in lower case as often as not: there "Punkt" after a word may end a sentence
# before any word ("… auf Rezept Punkt der Arzt hat …"). Only where a story's sentences are weighed
# one against the other (`dictated=True`: components/asked_treatments.py); the safety and scope rules
# keep the strict reading, which the safety development sets were measured with.
_DICTATED = re.compile(r"(?i)\b(?:komma|fragezeichen|ausrufezeichen|doppelpunkt)\b")
_DICTATED_END_LOOSE = re.compile(_SPOKEN_MARKS + r"(?=\s*$|\s+[^\W\d])")


def sentence_spans(text: str, dictated: bool = False) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a message (`dictated`: also "Punkt" before a small letter
    in a message that says other marks aloud)."""
    masked = _no_sentence_end().sub(lambda m: m.group().replace(".", "\u2024"), text)  # same length: offsets stay
    ends = _DICTATED_END_LOOSE if dictated and _DICTATED.search(text) else _DICTATED_END
    masked = ends.sub(lambda m: m.group()[:-1] + ("?" if m.group()[0] in "Ff" else "."), masked)
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(masked)]


def _asks_unmarked(sentence: str) -> bool:
    """A last sentence typed without "?" that starts with a question word ("und wie gefährlich
    ist das"): people in a hurry leave the mark out; one ending in "." or "!" only tells."""
    if sentence.rstrip()[-1:] in (".", "!"):
        return False
    words = [standard_word(fold(t)) for t in re.findall(r"\w+", sentence)[:2]]
    if words and words[0] in language_words("question_leads"):
        # "und hat eins davon nebenwirkungen": after a lead, a verb first asks too
        asking = {
            standard_word(fold(w)) for w in (*language_words("question_words"), *language_words("question_verbs"))
        }
        return len(words) > 1 and words[1] in asking
    return bool(words) and words[0] in language_words("question_words")


@functools.cache
def _indirect_questions() -> tuple[Pattern, ...]:
    """knowledge/language.yml `indirect_questions` (a broken pattern is named by `make check`)."""
    patterns = []
    for source in language_words("indirect_questions"):
        try:
            patterns.append(compile_pattern(source))
        except PatternError:
            continue
    return tuple(patterns)


def question_spans(text: str, dictated: bool = False) -> list[tuple[int, int]]:
    """Where the sentences that ask stand: those ending in "?" (or a dictated "Fragezeichen"),
    a last sentence without a mark that starts with a question word, and a question asked as a
    statement ("Ich weiß gar nicht, was das heißen soll.", "Ich möchte wissen, ob TENS hilft.")."""
    spans = sentence_spans(text, dictated)
    return [
        (start, end)
        for i, (start, end) in enumerate(spans)
        if text[start:end].rstrip().endswith("?")
        or QUESTION_WORD.search(text[start:end])
        or (i == len(spans) - 1 and i > 0 and _asks_unmarked(text[start:end]))
        or first_match(_indirect_questions(), tokenize(text[start:end])) is not None
    ]


@functools.cache
def known_words() -> frozenset[str]:
    """Correctly spelled German and English words: never taken for a typo of a pattern word
    (the patterns hold English words too, and people write English fragments)."""
    from components.german_words import english_word_forms, german_word_forms

    return frozenset(fold(word) for word in german_word_forms() | english_word_forms())


# Every word of a compiled pattern by the forms of a message word that would let it match with
# typos: its southern form without the e ("augn" → "augen"), and, for a word long enough for a
# typo, each form of it with one letter left out. A message's tokens turn their own words and
# forms into the pattern words they may stand for (`Tokens.possible`) with a few lookups here,
# instead of every pattern comparing its words with the message's.
_BY_DIALECT_FORM: dict[str, set[str]] = {}
_BY_DELETION: dict[str, set[str]] = {}
_registered: set[str] = set()


def _register(word: str) -> None:
    if word in _registered:
        return
    part = Part("word", word)
    if part.dialect_form:
        _BY_DIALECT_FORM.setdefault(part.dialect_form, set()).add(word)
    if len(word) >= MIN_TYPO_LENGTH:
        for form in part.deletions:
            _BY_DELETION.setdefault(form, set()).add(word)
    _registered.add(word)  # last: `Tokens.possible` counts these to see whether it is up to date


@dataclass(frozen=True)
class Part:
    kind: str  # "word", "prefix", "suffix", "infix", "gap"
    value: str = ""

    def matches(self, token: str, typos: bool) -> bool:
        if self.kind == "word":
            if token == self.value:
                return True
            if typos and self.dialect_form and token == self.dialect_form and token not in known_words():
                return True
            return (
                typos
                and len(self.value) >= MIN_TYPO_LENGTH
                and abs(len(token) - len(self.value)) <= 1
                and token not in known_words()
                and DamerauLevenshtein.distance(token, self.value, score_cutoff=1) <= 1
            )
        if self.kind == "prefix":
            return token.startswith(self.value)
        if self.kind == "suffix":
            return token.endswith(self.value)
        return self.value in token  # infix

    @functools.cached_property
    def probe(self) -> str:
        """What the words of a message, joined by spaces (`Tokens.joined`), must contain for a
        prefix, suffix or infix part to match one of them."""
        return {"prefix": " " + self.value, "suffix": self.value + " "}.get(self.kind, self.value)

    @functools.cached_property
    def deletions(self) -> frozenset[str]:
        """The word and every form of it with one letter left out: a token within one typo of the
        word shares at least one of these with the token's own (see `_could_match`)."""
        return with_one_letter_less(self.value)

    @functools.cached_property
    def dialect_form(self) -> str | None:
        """Bavarian and Austrian speech drop the e of a final -en: "augen" → "augn"."""
        if self.kind == "word" and len(self.value) >= 4 and self.value.endswith("en") and self.value[-3] not in "aeiou":
            return self.value[:-2] + "n"
        return None


@dataclass(frozen=True)
class Pattern:
    source: str
    parts: tuple[Part, ...]

    @functools.cached_property
    def words(self) -> tuple[Part, ...]:
        """The whole words of the pattern (not `*` parts, not gaps): each must stand in a message
        the pattern matches, spelled so or within one typo."""
        return tuple(part for part in self.parts if part.kind == "word")

    @functools.cached_property
    def key(self) -> str | None:
        """What the pattern needs in a message (`Tokens.keys`), by which `Group` files it: its first
        whole word; for a pattern of `*` parts only, three letters its longest part needs in the
        joined words ("*schmerz*" → "erz"). None for a `*` part of fewer than three letters."""
        if self.words:
            return self.words[0].value
        probe = max((part.probe for part in self.parts if part.kind != "gap"), key=len)
        return _PIECE_MARK + probe[-3:] if len(probe) >= 3 else None

    @property
    def starts_with_negator(self) -> bool:
        first = self.parts[0]
        return first.kind == "word" and first.value in negators()


class PatternError(ValueError):
    """A pattern an editor wrote cannot be read; the message says why, in German."""


def compile_pattern(source: str) -> Pattern:
    words = str(source).split()
    if not words:
        raise PatternError("leeres Muster; schreiben Sie ein Wort oder streichen Sie die Zeile")
    parts: list[Part] = []
    for word in words:
        if word == GAP:
            if not parts or parts[-1].kind == "gap":
                raise PatternError(f"'{source}': '...' muss zwischen zwei Wörtern stehen")
            parts.append(Part("gap"))
            continue
        folded = fold(word).replace("'", "")
        core = folded.strip("*")
        if not core or not (re.fullmatch(r"[\w€]+", core) or (len(core) == 1 and core in MONEY_EMOJI)):
            raise PatternError(
                f"'{source}': '{word}' ist kein Wort; erlaubt sind Buchstaben, Ziffern, Geld-Emojis und * am Anfang oder Ende"
            )
        if folded.startswith("*") and folded.endswith("*"):
            parts.append(Part("infix", core))
        elif folded.endswith("*"):
            parts.append(Part("prefix", core))
        elif folded.startswith("*"):
            parts.append(Part("suffix", core))
        else:
            parts.append(Part("word", standard_word(core)))
            _register(parts[-1].value)
    if parts[-1].kind == "gap":
        raise PatternError(f"'{source}': '...' muss zwischen zwei Wörtern stehen")
    return Pattern(str(source), tuple(parts))


@dataclass(frozen=True)
class Match:
    pattern: Pattern
    first: int  # token index
    last: int  # token index, inclusive
    negated: bool


def crosses_a_sentence_end(match: Match, tokens: Sequence[Token]) -> bool:
    """Does a match of words in a row (a pattern without "...") run over a sentence's end ("Bringt
    das wos? Is ma …" holds "was ist" only so)? The safety lists keep such matches: "… dass es
    aufhört. Für immer." is written with a pause."""
    if any(part.kind == "gap" for part in match.pattern.parts):
        return False
    return any(t.after_stop for t in tokens[match.first + 1 : match.last + 1])


def _match_from(parts: Sequence[Part], tokens: Sequence[Token], i: int, typos: bool) -> int | None:
    """Index of the last token if `parts` match starting at token i, else None."""
    if not parts:
        return i - 1
    part = parts[0]
    if part.kind == "gap":
        for skip in range(0, MAX_GAP + 1):
            end = _match_from(parts[1:], tokens, i + skip, typos)
            if end is not None:
                return end
        return None
    if i >= len(tokens) or not part.matches(tokens[i].norm, typos):
        return None
    return _match_from(parts[1:], tokens, i + 1, typos)


def with_one_letter_less(word: str) -> frozenset[str]:
    """The word and every form of it with one letter left out."""
    return frozenset({word, *(word[:i] + word[i + 1 :] for i in range(len(word)))})


@functools.lru_cache(maxsize=4096)
def _message_words(norms: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The words of a message, and the words with one letter left out of those that could be typos
    (not known words): what `_could_match` compares a pattern's words with."""
    unknown = [norm for norm in norms if len(norm) >= MIN_TYPO_LENGTH - 1 and norm not in known_words()]
    return frozenset(norms), frozenset().union(*(with_one_letter_less(norm) for norm in unknown))


def _could_match(pattern: Pattern, tokens: Sequence[Token], typos: bool) -> bool:
    """False when a whole word of the pattern is surely missing from the message: a quick test that
    spares the word-by-word search for most patterns (`make check` runs the safety signs over every
    training example). Two words within one typo (Damerau-Levenshtein distance 1: a letter changed,
    added, left out or two swapped) always share a form with at most one letter left out."""
    if isinstance(tokens, Tokens):
        # the same test, and for the parts with * one more: no word starts, ends or contains so
        possible, joined = tokens.possible(typos), tokens.joined
        for part in pattern.parts:
            if part.kind == "word":
                if part.value not in possible:
                    return False
            elif part.kind != "gap" and part.probe not in joined:
                return False
        return True
    if not pattern.words:
        return True
    # a part of a message (one sentence)
    words, typo_forms = _message_words(tuple(token.norm for token in tokens))
    for part in pattern.words:
        if part.value in words:
            continue
        if typos and part.dialect_form in words:
            continue
        if typos and len(part.value) >= MIN_TYPO_LENGTH and not part.deletions.isdisjoint(typo_forms):
            continue
        return False
    return True


class Group(tuple):
    """Patterns of which any one may match, in the editors' order (`compile_group`), filed by
    what each needs in a message (`Pattern.key`). A message's words then pick the few patterns of a
    group that can match it: the lexicons hold about 9,000 patterns, and trying each of them for
    every message (a set lookup and a call apiece) was most of the time the word lists took."""

    @functools.cached_property
    def by_key(self) -> dict[str | None, tuple[int, ...]]:
        """Pattern positions by what they need (None: nothing that could be looked up)."""
        filed: dict[str | None, list[int]] = {}
        for i, pattern in enumerate(self):
            filed.setdefault(pattern.key, []).append(i)
        return {key: tuple(positions) for key, positions in filed.items()}

    @functools.cached_property
    def needed(self) -> frozenset[str]:
        return frozenset(key for key in self.by_key if key is not None)

    @functools.cached_property
    def _of_key(self) -> dict[str | None, tuple[Pattern, ...]]:
        """The patterns of `by_key`, for the usual answers of `needing` without sorting."""
        return {key: tuple(self[i] for i in positions) for key, positions in self.by_key.items()}

    def needing(self, words: frozenset[str]) -> Sequence[Pattern]:
        """The patterns that need one of `words` (`Tokens.keys`) or nothing, in the group's order."""
        keys = self.needed.intersection(words)
        of_key = self._of_key
        if not keys:  # most groups for most messages
            return of_key.get(None, ())
        if len(keys) == 1 and None not in of_key:
            return of_key[next(iter(keys))]
        by_key = self.by_key
        positions = [i for key in keys for i in by_key[key]]
        positions.extend(by_key.get(None, ()))
        positions.sort()
        return [self[i] for i in positions]


def may_match(patterns: Iterable[Pattern], tokens: Sequence[Token], typos: bool = True) -> Iterable[Pattern]:
    """The patterns that may match `tokens`, in order: every other one needs a word (or three
    letters) the message lacks (the same test as `find`'s first, made once per group instead of
    once per pattern)."""
    if not isinstance(tokens, Tokens):
        return patterns
    keys = tokens.keys(typos)
    if isinstance(patterns, Group):
        return patterns.needing(keys)
    return [pattern for pattern in patterns if pattern.key is None or pattern.key in keys]


def matches_of(patterns: Iterable[Pattern], tokens: Sequence[Token], typos: bool = True) -> Iterator[Match]:
    """Every match of every pattern of a group, pattern by pattern in the group's order."""
    for pattern in may_match(patterns, tokens, typos):
        yield from find(pattern, tokens, typos)


def covered_by(groups: Iterable[tuple[Pattern, ...]], tokens: Sequence[Token]) -> set[int]:
    """The positions of the tokens that a pattern of one of the groups matches."""
    return {i for group in groups for m in matches_of(group, tokens) for i in range(m.first, m.last + 1)}


def nothing_else(said: set[int], fillers: Iterable[tuple[Pattern, ...]], tokens: Sequence[Token]) -> bool:
    """Do the positions `said` and the words of `fillers` make up the whole message ("Ich kann nicht
    mehr.", "Hallo, guten Tag.", "NW?")? Fillers alone make nothing."""
    return bool(said) and len(said | covered_by(fillers, tokens)) == len(tokens)


def find(pattern: Pattern, tokens: Sequence[Token], typos: bool = True) -> tuple[Match, ...]:
    """Every place where `pattern` matches, each marked negated or not."""
    if not isinstance(tokens, Tokens):
        return _find(pattern, tokens, typos)
    if pattern.key is not None and pattern.key not in tokens.keys(typos):
        return ()  # most patterns: as quick as remembering
    found = tokens.found[typos]
    matches = found.get(id(pattern))
    if matches is None:
        matches = found[id(pattern)] = _find(pattern, tokens, typos)
        tokens.patterns.append(pattern)
    return matches


def _find(pattern: Pattern, tokens: Sequence[Token], typos: bool) -> tuple[Match, ...]:
    if not _could_match(pattern, tokens, typos):
        return ()
    found = []
    for i in range(len(tokens)):
        end = _match_from(pattern.parts, tokens, i, typos)
        if end is None:
            continue
        negated = not pattern.starts_with_negator and any(
            tokens[j].norm in negators() and not any(t.after_stop for t in tokens[j + 1 : i + 1])
            for j in range(max(0, i - 2), i)
        )
        found.append(Match(pattern, i, end, negated))
    return tuple(found)


def first_match(
    patterns: Iterable[Pattern],
    tokens: Sequence[Token],
    typos: bool = True,
    unless: Iterable[Pattern] = (),
    negatable: bool = True,
) -> Match | None:
    """The first pattern of a group that matches (not negated), or None. A match that lies within a
    match of an `unless` pattern is another word ("Muskel Kater" is no tomcat). `negatable=False`:
    a negator before the match does not deny it (a word of time: "hatte ich nie, jetzt …")."""
    covered: set[int] | None = None  # the words of `unless` matches, looked for only once a match needs them
    for pattern in may_match(patterns, tokens, typos):
        for match in find(pattern, tokens, typos):
            if match.negated and negatable:
                continue
            if covered is None:
                covered = {i for m in matches_of(unless, tokens, typos) for i in range(m.first, m.last + 1)}
            if not covered.intersection(range(match.first, match.last + 1)):
                return match
    return None


@dataclass(frozen=True)
class Rule:
    """Groups that must all match somewhere in the message."""

    groups: tuple[tuple[Pattern, ...], ...]

    @functools.cached_property
    def needs(self) -> tuple[frozenset[str], ...]:
        """For each group whose every pattern needs something (`Pattern.key`): what they need."""
        return tuple(group.needed for group in self.groups if isinstance(group, Group) and None not in group.by_key)

    def match(self, tokens: Sequence[Token], typos: bool = True, unless: Iterable[Pattern] = ()) -> list[Match] | None:
        if isinstance(tokens, Tokens):
            # a group none of whose patterns can match rules the rule out: one set test each, before
            # any group is tried (most rules, for most messages)
            keys = tokens.keys(typos)
            if any(need.isdisjoint(keys) for need in self.needs):
                return None
        matches = []
        for group in self.groups:
            found = first_match(group, tokens, typos, unless=unless)
            if found is None:
                return None
            matches.append(found)
        return matches


def compile_group(value: object) -> Group:
    """A YAML group: one pattern (a string) or a list of patterns."""
    items = value if isinstance(value, list) else [value]
    return Group(compile_pattern(str(item)) for item in items)


def compile_rule(value: object) -> Rule:
    """A YAML rule: a pattern, or a list of groups (each a pattern or a list of patterns)."""
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return Rule(tuple(compile_group(group) for group in value))
    return Rule((compile_group(value),))
