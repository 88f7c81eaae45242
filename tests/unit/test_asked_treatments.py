"""AskedTreatments: in a story, the treatments its question names (components/asked_treatments.py)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.asked_treatments import DESCRIBER, AskedTreatments
from tests.fixtures.lexicon import lexicon_component


@pytest.fixture(scope="module")
def component() -> AskedTreatments:
    return lexicon_component(AskedTreatments, "therapies.yml")


def named(text: str, *names: tuple[str, str], extractor: str = "TherapyExtractor") -> list[dict]:
    """`therapy` entities for the last place each word stands in the text."""
    entities = []
    for word, value in names:
        start = text.rindex(word)
        entities.append(
            {"entity": "therapy", "value": value, "start": start, "end": start + len(word), "extractor": extractor}
        )
    return entities


def values(entities: list[dict]) -> list[str]:
    return [e["value"] for e in entities if e["entity"] == "therapy"]


def kept_after(component: AskedTreatments, text: str, *names: tuple[str, str]) -> list[str]:
    """The treatments left after the component read a message naming `names`."""
    message = Message(data={"text": text, "entities": named(text, *names)})
    component.process([message])
    return values(message.get("entities"))


def test_the_treatments_of_the_story_give_way_to_the_one_asked_about(component: AskedTreatments) -> None:
    text = (
        "Ich habe gegen meine Rückenschmerzen so ziemlich alles probiert: Massage, Akupunktur, Spritzen. "
        "Jetzt schlägt mir ein Bekannter Osteopathie vor. Ist Osteopathie wirksamer als das?"
    )
    entities = named(text, ("Massage", "massage"), ("Akupunktur", "akupunktur"), ("Osteopathie", "osteopathie"))
    entities.append({"entity": "detail", "value": "vergleich", "start": text.index("wirksamer"), "end": 0})
    message = Message(data={"text": text, "entities": entities})
    component.process([message])
    assert values(message.get("entities")) == ["osteopathie"]
    assert any(e["entity"] == "detail" for e in message.get("entities"))  # other entities stay


def test_a_follow_up_after_a_story_asks_about_the_treatment_it_names(component: AskedTreatments) -> None:
    text = "Ich muss aufs Geld schauen, die Osteopathie ist mir zu teuer. Und wie ist es bei der Akupunktur?"
    entities = named(text, ("Osteopathie", "osteopathie"), ("Akupunktur", "akupunktur"))
    assert values(component.asked_only(text, entities)) == ["akupunktur"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # the question names none
        (
            "Der Physiotherapeut macht Mobilisation, der Chiropraktiker renkt ein. Was ist der Unterschied?",
            (("Mobilisation", "mobilisation"), ("renkt ein", "manipulation")),
        ),
        # it names both
        (
            "Ich habe Rückenschmerzen. Was hilft mehr, Massage oder Akupunktur?",
            (("Massage", "massage"), ("Akupunktur", "akupunktur")),
        ),
        # it refers to both (knowledge/therapies.yml both_words)
        (
            "Erst wurde ich massiert, dann kam ein Tape drauf. Hilft das eine oder das andere, und was soll die "
            "Massage?",
            (("Tape", "kinesio_taping"), ("Massage", "massage")),
        ),
    ],
)
def test_every_treatment_stays(component: AskedTreatments, text: str, names: tuple) -> None:
    entities = named(text, *names)
    assert component.asked_only(text, entities) == entities


def test_a_treatment_the_question_only_describes_may_be_the_one_named_before(component: AskedTreatments) -> None:
    text = "Meine Tochter hat mir ein TENS-Gerät gebracht. Muss da etwas unter die Haut gestochen werden?"
    entities = named(text, ("TENS", "tens")) + named(text, ("unter die Haut gestochen", "pens"), extractor=DESCRIBER)
    assert component.asked_only(text, entities) == entities


@pytest.mark.parametrize(
    ("text", "names", "kept"),
    [
        # the treatment compared with is not asked about; the one the story names is
        (
            "Der Arzt hat Manualtherapie aufgeschrieben. Ist das sowas wie Massage? Was macht der Therapeut da?",
            (("Manualtherapie", "manuelle_therapie"), ("Massage", "massage")),
            ["manuelle_therapie"],
        ),
        (
            "Ich soll zu einer Interferenz-Behandlung. Meine Mutter sagt, das wäre so etwas wie eine TENS. Was ist das?",
            (("Interferenz-Behandlung", "interferenztherapie"), ("TENS", "tens")),
            ["interferenztherapie"],
        ),
        # both asked about
        (
            "ist die Magnetfeldtherapie so ähnlich wie TENS, und welche von beiden ist besser untersucht",
            (("Magnetfeldtherapie", "magnetfeldtherapie"), ("TENS", "tens")),
            ["magnetfeldtherapie", "tens"],
        ),
        # compared with, but nothing else named: it stays
        ("Gibt es sowas wie Akupunktur mit Strom?", (("Akupunktur", "akupunktur"),), ["akupunktur"]),
    ],
)
def test_a_treatment_only_compared_with_is_not_asked_about(
    component: AskedTreatments, text: str, names: tuple, kept: list[str]
) -> None:
    assert kept_after(component, text, *names) == kept


@pytest.mark.parametrize(
    ("text", "names", "kept"),
    [
        # tried before, then the one talked about now: the question asks about that one
        (
            "Vor zwei Jahren habe ich TENS ausprobiert, ohne großen Erfolg. Jetzt ist beim Orthopäden von "
            "Interferenztherapie die Rede. Was ist das genau?",
            (("TENS", "tens"), ("Interferenztherapie", "interferenztherapie")),
            ["interferenztherapie"],
        ),
        (
            "Bisher hatte ich nur Krankengymnastik und ab und zu Massagen. Jetzt steht manuelle Therapie auf "
            "meinem Rezept. Was wird da eigentlich gemacht?",
            (("Massagen", "massage"), ("manuelle Therapie", "manuelle_therapie")),
            ["manuelle_therapie"],
        ),
        # "nix gebracht": what did not help was tried
        (
            "Akupunktur hat bei mir nix gebracht. Jetzt hat mir jemand von Nadeln unter Strom erzählt. Gibt's dazu belege?",
            (("Akupunktur", "akupunktur"), ("Nadeln unter Strom", "pens")),
            ["pens"],
        ),
        # every treatment named as tried before: nothing to choose, all stay
        (
            "Ich habe schon Massage und Akupunktur ausprobiert. Was hat mehr Chancen?",
            (("Massage", "massage"), ("Akupunktur", "akupunktur")),
            ["massage", "akupunktur"],
        ),
        # the question compares: both stay
        (
            "Früher hatte ich Massagen. Jetzt macht der Physio Mobilisation. Was ist der Unterschied?",
            (("Massagen", "massage"), ("Mobilisation", "mobilisation")),
            ["massage", "mobilisation"],
        ),
        # the question refers to both: both stay
        (
            "Früher hatte ich Massagen. Jetzt macht der Physio Mobilisation. Hilft eins von beiden?",
            (("Massagen", "massage"), ("Mobilisation", "mobilisation")),
            ["massage", "mobilisation"],
        ),
        # no word of a trial: both stay
        (
            "Der Physiotherapeut macht Mobilisation. Der Chiropraktiker macht Manipulation. Was kostet das?",
            (("Mobilisation", "mobilisation"), ("Manipulation", "manipulation")),
            ["mobilisation", "manipulation"],
        ),
    ],
)
def test_a_treatment_tried_before_is_not_asked_about(
    component: AskedTreatments, text: str, names: tuple, kept: list[str]
) -> None:
    assert kept_after(component, text, *names) == kept


def test_a_dictated_story_is_read_sentence_by_sentence(component: AskedTreatments) -> None:
    text = (
        "ich bin 53 Komma habe Rückenschmerzen Punkt vorher hatte ich schon Massagen Punkt der Arzt hat mich "
        "heute eingerenkt Punkt muss ich das selbst bezahlen Fragezeichen"
    )
    assert kept_after(component, text, ("Massagen", "massage"), ("eingerenkt", "manipulation")) == ["manipulation"]
