"""The TherapyExtractor NLU component, trained on the real training data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from components.therapy_extractor import TherapyExtractor

ROOT = Path(__file__).resolve().parents[2]


def message(text: str) -> Message:
    """A message with simple word tokens (hyphenated words stay one token, as in spaCy)."""
    tokens = [Token(m.group(), m.start()) for m in re.finditer(r"[\w-]+", text)]
    return Message(data={"text": text, "text_tokens": tokens})


@pytest.fixture(scope="module")
def extractor(tmp_path_factory: pytest.TempPathFactory) -> TherapyExtractor:
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    resource = Resource("therapy_extractor")
    context = ExecutionContext(graph_schema=None, model_id="test")
    component = TherapyExtractor.create({}, storage, resource, context)
    nlu_files = [p for p in sorted((ROOT / "data").glob("*.yml")) if "\nnlu:" in p.read_text(encoding="utf-8")]
    data = load_data(str(nlu_files[0]))
    for path in nlu_files[1:]:
        data = data.merge(load_data(str(path)))
    component.train(data)
    return TherapyExtractor.load({}, storage, resource, context)  # as Rasa does after training


def values(extractor: TherapyExtractor, text: str) -> list[str]:
    return [e["value"] for e in extractor.extract(message(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hilft akkupunktur", ["akupunktur"]),  # typo
        ("bei dera nadlerei ko nix passiern", ["akupunktur"]),  # Bavarian: the needling
        ("was ist osteophatie", ["osteopathie"]),  # transposed letters
        ("wer zahlt die massge", ["massage"]),
        ("Ist eine Rückenmassage sinnvoll", ["massage"]),  # compound
        ("ruecken massage", ["massage"]),
        ("Was kostet eine Akupunkturbehandlung", ["akupunktur"]),
        ("Mein TENS-Gerät piept", ["tens"]),  # hyphenated compound
        ("darf man einrenken lassen", ["manipulation"]),  # everyday word
        ("war beim Chiropraktiker", ["manuelle_therapie"]),
        ("das mit den Nadeln", ["akupunktur"]),
        ("hilft Reizstrom", ["elektrotherapie"]),
        ("kinesio tape oder kinesiotape", ["kinesio_taping", "kinesio_taping"]),
        ("manuele therapie", ["manuelle_therapie"]),  # typo in a phrase
        ("Akupunktur oder Osteopathie", ["akupunktur", "osteopathie"]),
        # a name's adjectives in another case than the training data has them
        ("Was versteht man unter transkutaner elektrischer Nervenstimulation?", ["tens"]),
        ("mit manueller Therapie", ["manuelle_therapie"]),
        # dictation splits a long name in three, or a three-word name in five
        ("ist ost theo pathie gefährlich", ["osteopathie"]),
        ("was ist die per kutane elektrische nerven stimulation", ["pens"]),
        # two neighbouring letters swapped in a short name, or a letter typed twice
        ("wiviel kostet pnes", ["pens"]),
        ("hilft penns bei rückenschmerzen", ["pens"]),
        ("was kostet peens", ["pens"]),
        # the soft consonants of Saxon speech
        ("was machd'n so ä Osteobaad eischendlich", ["osteopathie"]),
        ("hilfd die Agubunkdur", ["akupunktur"]),
        # Kölsch little needles; electric current in English
        ("Wat kost dat met de Nädelche?", ["akupunktur"]),
        ("does electric current help my back?", ["elektrotherapie"]),
    ],
)
def test_finds_the_canonical_therapy(extractor: TherapyExtractor, text: str, expected: list[str]) -> None:
    assert values(extractor, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "meistens tut es nachts weh",
        "welche tabletten helfen",
        "ich habe Rückenschmerzen",
        "Hallo, guten Tag",
        # a typo with the first letter wrong is no name ("passiern" is one letter from "massiern")
        "bei da Therapie ko gar nix passiern",
        "nach der Chemotherapie",
        # nor in a compound's tail ("gstherapie" is one letter from "ustherapie", US-Therapie)
        "kann man auf die aktive Übungstherapie verzichten?",
        # two words joined are one letter from a name, but the first is a function word
        # ("zur Behandlung" is no "Zugbehandlung")
        "Ich suche etwas zur Behandlung meiner Schmerzen.",
    ],
)
def test_leaves_ordinary_words_alone(extractor: TherapyExtractor, text: str) -> None:
    assert values(extractor, text) == []


def test_reports_span_text_and_extractor(extractor: TherapyExtractor) -> None:
    msg = message("Hilft eine Rückenmassage?")
    extractor.process([msg])
    [entity] = msg.get("entities")
    assert (entity["start"], entity["end"], entity["text"]) == (11, 24, "Rückenmassage")
    assert entity["extractor"] == "TherapyExtractor"


@pytest.mark.parametrize(
    "text",
    ["was passiert da genau", "worauf basieren die aussagen", "wie passieren solche unfälle", "ne frage zu allem"],
)
def test_correct_german_words_are_not_taken_for_typos(extractor: TherapyExtractor, text: str) -> None:
    assert values(extractor, text) == []


def test_a_neighbouring_word_does_not_widen_a_name(extractor: TherapyExtractor) -> None:
    [entity] = extractor.extract(message("was kostet ne thaimassage"))
    assert (entity["text"], entity["value"]) == ("thaimassage", "massage")


def test_a_name_split_in_words_is_the_first_close_name_in_order_not_the_closest() -> None:
    # `NearNames` replaced a loop that stopped at the first name within the typos: comparing the
    # text only with names near its length, in one call into rapidfuzz, must give the same name,
    # also where a later name is closer
    import random

    from rapidfuzz.distance import DamerauLevenshtein

    from components.therapy_extractor import NearNames

    assert NearNames(["osteopathx", "osteopathie"], 2).first("osteopatie") == "osteopathx"
    assert NearNames([], 1).first("massage") is None
    rng = random.Random(7)
    for _ in range(2000):
        terms = ["".join(rng.choice("abcde") for _ in range(rng.randint(3, 7))) for _ in range(25)]
        text = "".join(rng.choice("abcde") for _ in range(rng.randint(3, 7)))
        for typos in (1, 2):
            near = NearNames(terms, typos)
            loop = next((t for t in terms if DamerauLevenshtein.distance(text, t, score_cutoff=typos) <= typos), None)
            assert near.first(text) == loop
            assert near.first(text) == loop  # a second time, from the names it remembered for this length


def test_a_compound_is_the_first_long_name_it_starts_or_ends_with(extractor: TherapyExtractor) -> None:
    # the heads and tails of a word looked up must give the name a loop over every long name
    # (longest first, then in the lexicon's order) gave: the one that starts or ends it first
    import random

    def loop(compact: str) -> str | None:
        return next((t for t in extractor._long_terms if compact.startswith(t) or compact.endswith(t)), None)

    rng = random.Random(11)
    names = extractor._long_terms
    words = ["rueckenmassage", "akupunkturbehandlung", "massagen", "tensgeraet", "haus", "ruecken"]
    for _ in range(3000):
        head, tail = rng.choice(names), rng.choice(names)
        filler = "".join(rng.choice("aeirnst") for _ in range(rng.randint(0, 6)))
        words += [head + filler, filler + tail, head + filler + tail, head[: rng.randint(1, len(head))] + tail]
    assert sum(loop(word) is not None for word in words) > 9000
    for word in words:
        assert extractor._compound_head_or_tail(word) == loop(word), word


def test_a_word_with_typos_finds_what_comparing_it_with_every_long_name_found(extractor: TherapyExtractor) -> None:
    # step 3 compares a word only with the names Indel distance leaves worth comparing; it must
    # find what comparing it with each long name in order found: words with up to three slips,
    # compounds with a slip in their head or tail, and plain words
    import random

    every = extractor._long_terms
    rng = random.Random(5)
    letters = "abcdefghiklmnoprstuvwz"

    def slipped(word: str) -> str:
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(word))
            kind = rng.randrange(4)
            if kind == 0:
                word = word[:i] + rng.choice(letters) + word[i + 1 :]
            elif kind == 1:
                word = word[:i] + rng.choice(letters) + word[i:]
            elif kind == 2 and len(word) > 3:
                word = word[:i] + word[i + 1 :]
            elif i + 1 < len(word):
                word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        return word

    words = ["rueckenschmerzen", "krankengymnastik", "wärmepflaster", "akupunktiert", "massagesessel"]
    for _ in range(600):
        name = rng.choice(every)
        filler = "".join(rng.choice(letters) for _ in range(rng.randint(3, 8)))
        words += [slipped(name), filler + slipped(name), slipped(name) + filler]
    found = [extractor._match_norm_anew(word) for word in words]
    candidates = extractor._typo_candidates
    try:
        extractor._typo_candidates = lambda compact: every
        assert [extractor._match_norm_anew(word) for word in words] == found
    finally:
        extractor._typo_candidates = candidates
    assert sum(f is not None and f[1] < 0.95 for f in found) > len(words) / 3  # many found by step 3
