"""Replace personal data in a message by placeholders, before the review report shows it.

`pseudonymise(text)` returns the text with

    e-mail addresses             → [E-Mail]      (also "name(at)web.de", "anna punkt maier at gmx punkt de")
    phone numbers                → [Telefon]     (also spoken: "null eins sieben …"); 112, 116117,
                                                 0800 111 0 111 and the other public numbers stay
    dates and years of birth     → [Geburtsdatum] (after "geb.", "geboren am", "Jahrgang", "*", before
                                                 "geboren"); other dates ("MRT vom 12.01.2024") stay
    street, house number,        → [Adresse]     ("Lindenstraße 12", "Am Rosenweg 7, 34117 Kassel",
    postcode and town, Postfach                  "Postfach 12 34")
    insurance and other ID numbers → [Nummer]
    names                        → [Name]        after "ich heiße", "mein Name ist", "Name:", "bin der/die",
                                                 titles (Frau, Herr, Dr.), relatives ("mein Mann Dieter
                                                 Sommer"), greetings at the end ("LG Micha"), next to an
                                                 address or number, a known first name with a surname, or
                                                 alone on the last line

It is a tested set of patterns (tests/review/test_pseudonymise.py, on tests/review/
personal_data.yml), with the word lists in tools/review/patterns.yml and the lexicon in
tools/review/lexicon.py. It errs towards replacing: a report must not show who wrote.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tools.review.lexicon import Lexicon, Patterns, fold, lexicon, patterns

EMAIL, PHONE, NAME, BIRTH, ADDRESS, NUMBER = (
    "[E-Mail]",
    "[Telefon]",
    "[Name]",
    "[Geburtsdatum]",
    "[Adresse]",
    "[Nummer]",
)
PLACEHOLDERS = (EMAIL, PHONE, NAME, BIRTH, ADDRESS, NUMBER)

_UPPER = "A-ZÄÖÜÀ-ÞŁŚŹŻĆŃŠŽČŘĐİ"
_TLD = r"(?:de|com|net|org|at|ch|eu|info|biz|io|me|email|online|nl|fr|it|pl|tr|uk|us)"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}", re.UNICODE)
_EMAIL_SPELLED = re.compile(
    r"[\w+-]+(?:(?:\s*\.\s*|\s+(?:punkt|dot)\s+)[\w+-]+)*"
    r"\s*(?:\(at\)|\[at\]|\{at\}|\(ät\)|\s(?:at|ät|bei)\s)\s*"
    r"[\w-]+(?:(?:\s*\.\s*|\s*\((?:dot|punkt)\)\s*|\s+(?:punkt|dot)\s+)[\w-]+)*(?:\s*\.\s*|\s*\((?:dot|punkt)\)\s*|\s+(?:punkt|dot)\s+)"
    + _TLD
    + r"\b",
    re.IGNORECASE,
)

_MONTHS = r"(?:Januar|Jänner|Februar|März|Maerz|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|Jan|Feb|Mär|Apr|Jun|Jul|Aug|Sep|Sept|Okt|Nov|Dez)\.?"
_DATE = (
    r"(?:\d{1,2}\.\s?\d{1,2}\.\s?(?:19|20)?\d{2}(?!\d)"
    r"|\d{1,2}/\d{1,2}/(?:19|20)?\d{2}(?!\d)"
    r"|\d{1,2}\.?\s?" + _MONTHS + r"\s(?:19|20)\d{2}(?!\d)"
    r"|(?:19|20)\d{2}-\d{2}-\d{2}(?!\d))"
)
_YEAR = r"(?:19|20)\d{2}(?!\d)"
_BIRTH_AFTER_CUE = re.compile(
    r"(?P<cue>(?<![\w])(?:geb(?:oren)?\.?|geburtsdatum|geburtstag|geb\.?\s?-?\s?datum|\*)\s*:?\s*(?:am\s+|im\s+jahr(?:e)?\s+|in\s+)?)"
    r"(?P<date>" + _DATE + "|" + _YEAR + ")",
    re.IGNORECASE,
)
_BIRTH_YEAR_CUE = re.compile(
    r"(?P<before>(?P<subject>[\w]+)\s+(?:ist|war|sind)\s+)?(?P<cue>(?<![\w])(?:jahrgang|jg\.?|baujahr)\s*:?\s*)(?P<date>"
    + _YEAR
    + r"|'?\d{2}(?!\d))",
    re.IGNORECASE,
)
_BIRTH_BEFORE_CUE = re.compile(
    r"(?P<date>" + _DATE + "|" + _YEAR + r")(?=(?:\s+[\w.]+){0,3}?\s+(?:geboren|auf\s+die\s+welt|zur\s+welt))",
    re.IGNORECASE,
)

_ID_NUMBER = re.compile(
    r"(?P<cue>(?:versicherten|versicherungs|kunden|mitglieds|patienten|personal|ausweis|steuer|renten|fall)[-\s]?"
    r"(?:nummer|nr\.?|id)\s*:?\s*)(?P<number>[A-Z0-9][A-Z0-9 -]{4,}[A-Z0-9])"
    r"|(?P<bare>\b[A-Z]\d{9}\b|\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){3,7}(?:\s?[A-Z0-9]{1,4})?\b)",
    re.IGNORECASE,
)

_PHONE = re.compile(r"(?<![\w/.,])(?:(?:\+|00)\s?[1-9]|\(?0)[\d \t/()\-–.]{4,}\d(?![\d])")
_DIGIT_WORDS = r"(?:null|eins|zwei|zwo|drei|vier|fünf|fuenf|sechs|sieben|acht|neun)"
_PHONE_SPOKEN = re.compile(r"\b" + _DIGIT_WORDS + r"(?:[\s,]+" + _DIGIT_WORDS + r"){5,}\b", re.IGNORECASE)

_HOUSE = r"\d{1,4}\s?[a-zA-Z]?(?:\s?[-/]\s?\d{1,4}[a-zA-Z]?)*(?![\d,.]\d)"
_UNITS = r"(?:km|m|cm|mm|mal|minuten|min|stunden|std|tag|tage|tagen|woche|wochen|monat|monate|monaten|jahr|jahre|jahren|ssw|%|euro|€|kg|g|mg|grad|°)"
_POSTCODE_TOWN = re.compile(
    r"(?<![\d.,/])(?P<country>\b[A-Z]{1,2}-)?\b(?P<code>\d{4,5})[ \t]+(?P<town>[" + _UPPER + r"][\w-]+"
    r"(?:\s+(?:im|am|an\s+der|in\s+der|ob\s+der|bei)\s+[" + _UPPER + r"][\w-]+|\s*\([" + _UPPER + r"][\w-]+\))?)"
)
_POSTFACH = re.compile(r"\bPostfach\s+\d[\d ]{0,8}\d\b", re.IGNORECASE)
_STREET_PREFIXES = r"(?:Am|An\s+der|An\s+den|An\s+dem|Auf\s+der|Auf\s+dem|Auf\s+den|Im|In\s+der|In\s+den|Zum|Zur|Unter\s+den|Hinter\s+der|Hinter\s+dem|Vor\s+dem|Bei\s+der|Alte|Alter|Altes)"

_WORD = re.compile(r"\[[^\]\n]{1,20}\]|[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+|\n|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalpha()

    @property
    def is_capitalised(self) -> bool:
        return self.text[:1].isupper() and self.is_word

    @property
    def is_placeholder(self) -> bool:
        return self.text in PLACEHOLDERS


class Pseudonymiser:
    def __init__(self, words: Lexicon | None = None, lists: Patterns | None = None) -> None:
        self.lex = words or lexicon()
        self.pat = lists or patterns()
        endings = "|".join(re.escape(e) for e in self.pat.street_endings)
        self._street = re.compile(
            r"(?P<street>(?:\b["
            + _UPPER
            + r"][\w.-]*[ \t]+){0,2}\b[\w-]*?(?i:"
            + endings
            + r"))(?P<dot>\.?)[ \t]*(?P<house>"
            + _HOUSE
            + r")(?!\s*(?i:"
            + _UNITS
            + r")\b)(?![\w])",
        )
        self._street_prefixed = re.compile(
            r"\b"
            + _STREET_PREFIXES
            + r"[ \t]+(?:["
            + _UPPER
            + r"][\w-]*[ \t]+){0,2}["
            + _UPPER
            + r"][\w-]*[ \t]+"
            + _HOUSE
            + r"(?=\s*,?\s*(?:[A-Z]{1,2}-)?\d{4,5}\s+["
            + _UPPER
            + r"])"
        )

    # --- the whole ------------------------------------------------------------
    def __call__(self, text: str) -> str:
        if not text:
            return text
        for step in (self._emails, self._births, self._id_numbers, self._phones, self._addresses, self._names):
            text = step(text)
        return text

    # --- e-mail, birth dates, numbers, phones, addresses ------------------------
    def _emails(self, text: str) -> str:
        text = _EMAIL.sub(EMAIL, text)
        return _EMAIL_SPELLED.sub(EMAIL, text)

    def _births(self, text: str) -> str:
        text = _BIRTH_AFTER_CUE.sub(lambda m: m.group("cue") + BIRTH, text)

        def year(match: re.Match[str]) -> str:
            subject = match.group("subject")
            if subject and fold(subject) not in self.pat.relations and fold(subject) not in {"ich", "er", "sie", "man"}:
                if subject[:1].isupper() and self.lex.is_common(subject):  # "Meine Matratze ist Jahrgang 2010"
                    return match.group(0)
            return (match.group("before") or "") + match.group("cue") + BIRTH

        text = _BIRTH_YEAR_CUE.sub(year, text)
        return _BIRTH_BEFORE_CUE.sub(BIRTH, text)

    def _id_numbers(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            if match.group("bare"):
                return NUMBER
            return match.group("cue") + NUMBER

        return _ID_NUMBER.sub(replace, text)

    def _phones(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            raw = match.group(0)
            digits = re.sub(r"\D", "", raw)
            if digits in self.pat.public_numbers or len(digits) < 7 or len(digits) > 16:
                return raw
            if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{2,4}", raw.strip()):  # a date, not a number
                return raw
            if "\n" in raw:
                return raw
            return PHONE

        text = _PHONE.sub(replace, text)
        return _PHONE_SPOKEN.sub(PHONE, text)

    def _addresses(self, text: str) -> str:
        text = _POSTFACH.sub(ADDRESS, text)
        text = self._street_prefixed.sub(ADDRESS, text)

        def street(match: re.Match[str]) -> str:
            words = match.group("street").split()
            last = words[-1]
            if not last[:1].isupper() and not re.search(
                r"(?:straße|strasse|str|allee|gasse)$", last.rstrip(".").lower()
            ):
                return match.group(0)  # "schwanger 5": a lower-case word is a street only with a clear ending
            bare = (
                last.rstrip(".").lower() in self.pat.street_endings or fold(last.rstrip(".")) in self.pat.street_endings
            )
            if bare and len(words) == 1 and "-" not in last:
                return match.group(0)  # "Weg 3" alone is not a street
            if bare and len(words) > 1 and not words[-2][:1].isupper():
                return match.group(0)
            # keep leading words that are not part of the street name ("Wohne Hauptstr. 5a")
            lead = []
            while len(words) > 1 and (fold(words[0]) in self.pat.stopwords or self.lex.is_common(words[0])):
                if not bare or len(words) > 2:
                    lead.append(words.pop(0))
                else:
                    break
            prefix = " ".join(lead)
            return (prefix + " " if prefix else "") + ADDRESS

        text = self._street.sub(street, text)

        def town(match: re.Match[str]) -> str:
            name = match.group("town").split()[0].strip("()")
            before = text[max(0, match.start() - 12) : match.start()]
            code = match.group("code")
            if self.lex.is_place(name) or not self.lex.is_common(name):
                return ADDRESS
            if len(code) == 5 and (ADDRESS in before or re.search(r"\b(?:in|aus|wohne|wohnen)\s*$", before)):
                return ADDRESS
            return match.group(0)

        return _POSTCODE_TOWN.sub(town, text)

    # --- names ------------------------------------------------------------------
    def _names(self, text: str) -> str:
        tokens = [Token(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
        if not tokens:
            return text
        mostly_lower = sum(t.is_capitalised for t in tokens) <= max(1, len(tokens) // 12)
        shouting = sum(t.text.isupper() for t in tokens if t.is_word) > 0.6 * max(1, sum(t.is_word for t in tokens))
        spans: list[tuple[int, int]] = []  # token index ranges [first, last]
        ctx = _Context(self, tokens, text, mostly_lower, shouting)
        for finder in (
            ctx.after_introducer,
            ctx.after_bin,
            ctx.after_hier_ist,
            ctx.after_title,
            ctx.after_relation,
            ctx.after_closing,
            ctx.appositive_ich,
            ctx.before_hier,
            ctx.next_to_contact,
            ctx.first_and_last_name,
            ctx.last_line,
        ):
            spans.extend(finder())
        if not spans:
            return text
        # merge and replace from the end
        chars: list[tuple[int, int]] = sorted((tokens[a].start, tokens[b].end) for a, b in spans)
        merged: list[list[int]] = []
        for start, end in chars:
            if merged and start <= merged[-1][1] + 1 and text[merged[-1][1] : start].strip() in ("", "-"):
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in reversed(merged):
            text = text[:start] + NAME + text[end:]
        return text


class _Context:
    """The name finders of one message: each returns token index ranges (first, last) of names."""

    def __init__(
        self, owner: Pseudonymiser, tokens: list[Token], text: str, mostly_lower: bool, shouting: bool
    ) -> None:
        self.o, self.lex, self.pat = owner, owner.lex, owner.pat
        self.t, self.text, self.mostly_lower, self.shouting = tokens, text, mostly_lower, shouting
        self.folded = [fold(t.text) for t in tokens]

    # --- what a name token is -----------------------------------------------------
    def _initial(self, i: int) -> bool:
        tok = self.t[i]
        return len(tok.text) == 1 and tok.text.isupper() and i + 1 < len(self.t) and self.t[i + 1].text == "."

    def _gap(self, i: int, j: int) -> str:
        return self.text[self.t[i].end : self.t[j].start]

    def nameish(self, i: int, first: bool = True, lower_ok: bool = False) -> bool:
        """Could token i be (the start of) a name?"""
        tok = self.t[i]
        if not tok.is_word or tok.is_placeholder:
            return False
        word, folded = tok.text, self.folded[i]
        if folded in self.pat.stopwords or folded in self.pat.not_names or folded in self.pat.titles and first:
            return False
        if folded in self.pat.closing_words or folded in self.pat.introducer_words:
            return False  # "Mfg", "Grüsse", "Name"
        if self._initial(i):
            return True
        if len(word) > 1 and word.isupper() and not self.shouting:
            return False  # an abbreviation: TENS, LWS, MRT
        if not tok.is_capitalised and not self.shouting:
            # lower_ok: True = a known first name; "any" = also an unknown word in a lower-case message
            if not lower_ok:
                return False
            if self.lex.is_first_name(word) or not first and self.lex.is_surname(word):
                return True
            return lower_ok == "any" and self.mostly_lower and folded not in self.lex.all_words and len(word) > 2
        if self.lex.is_first_name(word) or self.lex.is_surname(word):
            return True
        if "-" in word:  # "PENS-Behandlung" is a thing, "Meier-Keller" and "Al-Khatib" are people
            parts = word.split("-")
            head = parts[0]
            if not (self.lex.is_first_name(head) or self.lex.is_surname(head)) and (
                self.lex.is_common(parts[-1]) or self.lex.is_common(head)
            ):
                return False
        if not first:
            return not self.lex.is_common(word) or self.lex.is_place(word) and not self.lex.is_common(word)
        return not self.lex.is_common(word)

    def run(self, i: int, lower_ok: bool = False, limit: int = 4, any_capital: bool = False) -> tuple[int, int] | None:
        """The name starting at token i: up to `limit` name words (initials, particles, hyphens)."""
        if i >= len(self.t) or not self.nameish(i, first=True, lower_ok=lower_ok):
            return None
        last = i + 1 if self._initial(i) else i
        words = 1
        j = last + 1
        while j < len(self.t) and words < limit:
            gap = self._gap(j - 1, j)
            if gap not in (" ", "") or "\n" in gap:
                break
            folded = self.folded[j]
            if folded in {
                "von",
                "van",
                "de",
                "zu",
                "ten",
                "ter",
                "da",
                "di",
                "del",
                "al",
                "el",
                "bin",
                "ibn",
            } and j + 1 < len(self.t):
                if self.t[j + 1].is_capitalised and self._gap(j, j + 1) == " ":
                    j += 1
                    continue
                break
            if not (
                self.nameish(j, first=False, lower_ok=lower_ok)
                or any_capital
                and self.t[j].is_capitalised
                and folded not in self.pat.stopwords
            ):
                break
            last = j + 1 if self._initial(j) else j
            words += 1
            j = last + 1
        return (i, last)

    def _skip_titles(self, i: int) -> int:
        while i < len(self.t) and (self.folded[i] in self.pat.titles or self.folded[i] == "."):
            if self.folded[i] in self.pat.titles and i + 1 < len(self.t) and self.t[i + 1].text == ".":
                i += 2
            else:
                i += 1
        return i

    def _phrase_at(self, i: int, phrase: str) -> int | None:
        """Index after `phrase` (folded words, ':' allowed after) if it starts at token i."""
        words = phrase.split()
        if i + len(words) > len(self.t):
            return None
        for k, word in enumerate(words):
            if self.folded[i + k] != fold(word):
                return None
            if k and self._gap(i + k - 1, i + k).strip():
                return None
        return i + len(words)

    # --- the finders --------------------------------------------------------------
    def after_introducer(self) -> list[tuple[int, int]]:
        found = []
        for i in range(len(self.t)):
            for phrase in self.pat.introducers:
                end = self._phrase_at(i, phrase)
                if end is None:
                    continue
                single = len(phrase.split()) == 1  # "Name:", "Patientin:" need the colon
                if single:
                    if end >= len(self.t) or self.t[end].text != ":":
                        continue
                    end += 1
                elif end < len(self.t) and self.t[end].text == ":":
                    end += 1
                start = self._skip_titles(end)
                span = self.run(start, lower_ok="any", any_capital=True)
                if span:
                    found.append(span)
                break
        return found

    def after_bin(self) -> list[tuple[int, int]]:
        found = []
        for i, folded in enumerate(self.folded):
            if folded != "bin" or (i + 1 < len(self.t) and self.folded[i + 1] in {"ich", "nicht"}):
                continue
            j = i + 1
            article = j < len(self.t) and self.folded[j] in {"der", "die", "de", "d"}
            if article:
                j += 1
            j = self._skip_titles(j)
            span = self.run(j, lower_ok="any" if article else True, any_capital=True)
            if not span:
                continue
            # without an article one word must be a known first name ("Ich bin Kevin", not "Ich bin Schreiner")
            if not article and span[0] == span[1] and not self.lex.is_first_name(self.t[span[0]].text):
                continue
            found.append(span)
        return found

    def after_hier_ist(self) -> list[tuple[int, int]]:
        """'Hier ist Waltraud Pohl', 'hier spricht Lea'."""
        found = []
        for i in range(len(self.t) - 2):
            if self.folded[i] == "hier" and self.folded[i + 1] in {"ist", "spricht", "schreibt"}:
                span = self.run(self._skip_titles(i + 2))
                if span:
                    found.append(span)
        return found

    def after_title(self) -> list[tuple[int, int]]:
        found = []
        for i, folded in enumerate(self.folded):
            if folded not in self.pat.titles or not self.t[i].is_capitalised:
                continue
            if (
                folded in {"frau", "herr", "herrn"}
                and i
                and self.folded[i - 1]
                in {"meine", "mein", "meiner", "meinen", "ihre", "ihr", "unsere", "seine", "die", "der", "den"}
            ):
                continue  # "meine Frau hat" is a relation, handled there
            j = self._skip_titles(i)
            if j == i or (j < len(self.t) and self.folded[j] in self.pat.not_names):
                continue
            span = self.run(j, any_capital=False)
            if span:
                found.append(span)
        return found

    def after_relation(self) -> list[tuple[int, int]]:
        found = []
        owners = {
            "mein",
            "meine",
            "meinen",
            "meinem",
            "meiner",
            "meines",
            "unser",
            "unsere",
            "unseren",
            "unserem",
            "unserer",
        }
        for i, folded in enumerate(self.folded):
            if folded not in owners or i + 1 >= len(self.t) or self.folded[i + 1] not in self.pat.relations:
                continue
            j = i + 2
            while j < len(self.t) and self.t[j].text in {",", "(", ":"}:
                j += 1
            j = self._skip_titles(j)
            span = self.run(j)
            if not span:
                continue
            first, last = span
            single = first == last
            if single and not (
                self.lex.is_first_name(self.t[first].text) or not self.lex.is_common(self.t[first].text)
            ):
                continue
            found.append(span)
        return found

    def after_closing(self) -> list[tuple[int, int]]:
        found = []
        for i in range(len(self.t)):
            for phrase in self.pat.closings:
                end = self._phrase_at(i, phrase)
                if end is None:
                    continue
                j = end
                # "Gruß aus dem Allgäu, Xaver Mayr"
                if j < len(self.t) and self.folded[j] == "aus":
                    k = j + 1
                    while k < len(self.t) and self.folded[k] in {"dem", "der", "den"}:
                        k += 1
                    if k < len(self.t) and self.t[k].is_word and k + 1 < len(self.t) and self.t[k + 1].text == ",":
                        j = k + 1
                while j < len(self.t) and self.t[j].text in {",", ":", "\n", "-", "–", "!", "."}:
                    j += 1
                if j < len(self.t) and self.folded[j] in {"ihr", "ihre", "euer", "eure", "dein", "deine", "dir"}:
                    j += 1
                j = self._skip_titles(j)
                span = self.run(j, lower_ok=True, any_capital=True)
                if span:
                    found.append(span)
                break
        return found

    def appositive_ich(self) -> list[tuple[int, int]]:
        found = []
        for i, folded in enumerate(self.folded[:-2]):
            if folded == "ich" and self.t[i + 1].text == ",":
                span = self.run(self._skip_titles(i + 2))
                if span and span[1] + 1 < len(self.t) and self.t[span[1] + 1].text == ",":
                    found.append(span)
        return found

    def before_hier(self) -> list[tuple[int, int]]:
        """'Ahmad Al-Khatib hier.', 'Piotr Wiśniewski mein Name'."""
        found = []
        for i in range(len(self.t)):
            if i and self.t[i - 1].text not in {".", "!", "?", ",", "\n", "–", "-", ":"}:
                continue
            span = self.run(i, any_capital=True)
            if not span:
                continue
            nxt = span[1] + 1
            if nxt < len(self.t) and (
                self.folded[nxt] == "hier"
                and (nxt + 1 >= len(self.t) or not self.t[nxt + 1].is_word)
                or self._phrase_at(nxt, "mein name") is not None
                or self._phrase_at(nxt, "am apparat") is not None
            ):
                found.append(span)
        return found

    def next_to_contact(self) -> list[tuple[int, int]]:
        """A name of two or more words right before or after an address, phone or e-mail."""
        found = []
        labels = {"tel", "telefon", "handy", "mobil", "mail", "e-mail", "email", "fon"}
        for i in range(len(self.t)):
            if i and self.t[i - 1].is_capitalised and self._gap(i - 1, i) == " ":
                continue  # not the start of a run
            span = self.run(i)
            if not span or span[1] == span[0]:
                continue
            nxt, prev = span[1] + 1, span[0] - 1
            after = (
                nxt + 1 < len(self.t)
                and self.t[nxt].text in {",", "(", "|", "/"}
                and (self.t[nxt + 1].is_placeholder or self.folded[nxt + 1] in labels)
            )
            before = prev >= 1 and self.t[prev].text in {",", "–", "-", "|"} and self.t[prev - 1].is_placeholder
            if after or before:
                found.append(span)
        return found

    def first_and_last_name(self) -> list[tuple[int, int]]:
        """A known first name followed by a surname-like word, wherever it stands: 'Maria Theresia Steinbauer'."""
        found = []
        for i, tok in enumerate(self.t):
            if not tok.is_capitalised or not self.lex.is_first_name(tok.text) or self.lex.is_common(tok.text):
                continue
            if i + 1 >= len(self.t) or self._gap(i, i + 1) != " " or not self.t[i + 1].is_capitalised:
                continue
            nxt = self.t[i + 1].text
            if self.lex.is_surname(nxt) or self.lex.is_first_name(nxt) or not self.lex.is_common(nxt):
                span = self.run(i)
                if span and span[1] > span[0]:
                    found.append(span)
        return found

    def last_line(self) -> list[tuple[int, int]]:
        """A signature: the last sentence or line is only a name ('… Breisgau. Karin', 'Klaus Jansen')."""
        cut = None
        for i in range(len(self.t) - 1, -1, -1):
            abbreviation = i and self.t[i].text == "." and self.t[i - 1].is_word and len(self.t[i - 1].text) <= 2
            if self.t[i].text in {".", "!", "?", "\n"} and not abbreviation:
                cut = i
                break
        if cut is None or cut == len(self.t) - 1:
            return []
        start = cut + 1
        if start < len(self.t) and self.folded[start] in {"ihr", "ihre", "euer", "eure", "dein", "deine"}:
            start += 1
        start = self._skip_titles(start)
        span = self.run(start, lower_ok=True, any_capital=True)
        if not span:
            return []
        rest = self.t[span[1] + 1 :]
        # a name, then at most a short addition: ", Einkauf", "(82)", an e-mail in brackets
        if len(rest) > 4 or any(t.text in {".", "!", "?"} for t in rest[1:]):
            return []
        first = self.t[span[0]].text
        if span[0] == span[1] and not (self.lex.is_first_name(first) or self._initial(span[0])):
            # one word alone: a name the lemma table knows as written ("Karin"), never an unknown word
            if self.lex.is_common(first) or fold(first) not in self.lex.all_words or not first[:1].isupper():
                return []
        return [span]


_DEFAULT: Pseudonymiser | None = None


def pseudonymise(text: str) -> str:
    """`text` with personal data replaced by placeholders ([E-Mail], [Telefon], [Name], …)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Pseudonymiser()
    return _DEFAULT(text)


Replacer = Callable[[str], str]
