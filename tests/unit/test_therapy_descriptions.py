"""TherapyDescriptions (components/therapy_descriptions.py): treatments described, not named."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.therapy_descriptions import TherapyDescriptions
from tests.fixtures.lexicon import lexicon_component


@pytest.fixture(scope="module")
def describer() -> TherapyDescriptions:
    return lexicon_component(TherapyDescriptions, "therapies.yml")


@pytest.mark.parametrize(
    ("text", "therapy"),
    [
        ("Das Teil mit den Klebe-Pads kribbelt voll, kann das schaden?", "tens"),
        ("and the electric one with the sticky pads?", "tens"),
        ("und hautreizung von den pads, normal oder gefährlich?", "tens"),
        ("Was macht so jemand, der nur mit den Händen nach Verspannungen im Körper tastet?", "osteopathie"),
        ("Nadeln in den Rücken und dann Kabel daran angeschlossen", "pens"),
        ("Und die Variante mit perkutanen Nadelelektroden?", "pens"),
        ("was macht der genau mit den ruckartigen bewegungen", "manipulation"),
        ("Wat sullen dä bunte Klebestriefe op'm Rögge maache?", "kinesio_taping"),
        ("Wo der Therapeut mit den Händen die Wirbelgelenke bewegt – bringt das was?", "manuelle_therapie"),
        ("Sind diese Handgriffe an der Wirbelsäule gefährlich?", "manuelle_therapie"),
        ("Wenn man auf einer Bank mit Gewichten gestreckt wird, zahlt das die Kasse?", "traktion"),
        ("Und dieses Ziehen an der Wirbelsäule, bringt das was?", "traktion"),
        ("Tiefenwärme mit hochfrequenten Strömen, was soll das bringen?", "kurzwellen_diathermie"),
        ("Eine Bestrahlung mit gebündeltem Licht, ist das sicher?", "lasertherapie"),
        ("Therapeutischer US bei LWS-Syndrom: Evidenz?", "ultraschall"),
        ("Hilft es, wenn jemand mit den Händen an den Faszien arbeitet?", "osteopathie"),
        ("MET bei ISG-Blockade sinnvoll?", "osteopathie"),
        ("KMT bei chron. Rückenschmerz – Effekt kurzfristig vs. langfristig?", "massage"),
        ("Un dat met de Nohle un Strom?", "pens"),
        (
            "Und Magnet?",
            "magnetfeldtherapie",
        ),  # the magnet alone, as a follow-up names it  # Kölsch: needles (dialect table) and current
        ("Und Fingerdruck auf die Punkte statt Nadeln?", "massage"),
        ("Is des Nadlstecha teia?", "akupunktur"),
        ("Diese Handgriffe, bei denen es so laut knackt, sind die sicher?", "manipulation"),
        ("Immer wenn die Therapeutin auf den Rücken drückt, knackt es. Was ist das?", "manipulation"),
        # "einrenken" split in the sentence
        ("Mein Chiropraktor renkt mich jedes Mal wieder ein, wie lange hält das?", "manipulation"),
        ("Und die klebenden Streifen, sind die riskant?", "kinesio_taping"),
        ("Und das Strecken auf dem Tisch, was kostet das?", "traktion"),
        ("Sind die Klebebänder, die mir der Physio auf den Rücken geklebt hat, sinnvoll?", "kinesio_taping"),
        # Hessian: having one's back cracked
        ("Is des gefährlich, wenn mer sich de Rigge knacke lässt?", "manipulation"),
        # light shone on the back, with protective glasses
        ("Mein Rücken wurde mit einem Stift bestrahlt, ich musste eine Schutzbrille tragen.", "lasertherapie"),
        ("Das Gerät hat rot geleuchtet, und ich sollte dabei eine Brille tragen.", "lasertherapie"),
        # joints of a compound, pushed slowly to and fro
        ("Die Therapeutin bewegte meine Lendenwirbelgelenke langsam und behutsam.", "mobilisation"),
        ("Sie schiebt meine Wirbel ganz langsam hin und her, ohne Ruck.", "mobilisation"),
        # the currents of a compound: two alternating currents laid over each other
        ("Hilft eigentlich diese Behandlung mit zwei sich überlagernden Wechselströmen?", "interferenztherapie"),
        # the back kneaded: massage; in Palatinate German too
        ("Rücken kneten bei Physio, Kasse zahlt?", "massage"),
        ("Hilft des Durchknete vom Rigge ebbes odder net?", "massage"),
        # the back cracked, one word or in Bavarian ("Knacka-Lassn"); the back pulled and stretched ("Buckl")
        ("Zahlt die Kasse dat Knackenlassen vom Rücken?", "manipulation"),
        ("Bringt des Knacka-Lassn vom Kreiz wos?", "manipulation"),
        ("Is des gfährlich, wenn die am Buckl ziehe und strecke?", "traktion"),
        # colourful stickers ("Pickerl", Austrian) and strips ("Klebestreifa", Swabian)
        ("Wos is'n des mit de bunten Pickerln am Rückn?", "kinesio_taping"),
        ("Zahlt d AOK die bunte Klebestreifa?", "kinesio_taping"),
        # joints moved slowly to and fro ("un": und; "bewesche": bewegen)
        ("Was mache die, wenn se die Gelenke langsam hin un her bewesche?", "mobilisation"),
        ("Wenn die mir de Wirbel so langsam hin- un herbewechn, gann da was gabutt gehn?", "mobilisation"),
        # pads on the skin with current ("uff de Haut"); two currents laid over each other ("zwaa Ströme")
        ("Unn des mit de Klebeplättscher uff de Haut, wo de Strom durchgeht?", "tens"),
        ("Des mit de zwaa Ströme, die sisch iwwerlachern, zahlt des die Kass?", "interferenztherapie"),
        # the bones cracked, in Saxon ("Gnochn gnacken lässt")
        ("Dos, wo mr de Gnochn gnacken lässt, zahlt dos de Gasse?", "manipulation"),
        # the hands alone, because everything in the body hangs together
        (
            "Die, wo nur mit de Hände behandeln, weil allet im Körper zusammenhängt: Kann da wat schiefjehn?",
            "osteopathie",
        ),
        # slow and said not to crack: Mobilisation; a quick movement that cracks: Manipulation
        ("Und langsam bewegen, ohne Knack, hilft auch?", "mobilisation"),
        ("und die langsame variante wo nix knackt?", "mobilisation"),
        ("Und die andere, mit schnelle Bewegung und Knacken?", "manipulation"),
        ("Und die ruckartige Variante?", "manipulation"),
        # tape named by its colours; "Elektro" as patients shorten it
        ("Die Klebeband, blau und rosa, gibt Nebenwirkung?", "kinesio_taping"),
        ("elektro beim physio zahlt die kk oder igel?", "elektrotherapie"),
        # a machine that works with electricity; the treatment where the bones crack
        ("Die Maschine mit Elektrik für Rücken, ist das gefährlich für das Herz?", "elektrotherapie"),
        ("Abi, diese Behandlung wo die Knochen knacken, Kasse bezahlt?", "manipulation"),
    ],
)
def test_a_description_names_its_treatment(describer: TherapyDescriptions, text: str, therapy: str) -> None:
    assert therapy in [e["value"] for e in describer.describe(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Helfen Wärmepads?",
        "Die Masseurin hat mit den Händen meine Verspannungen gelöst",
        "Ich habe mir mit den Händen den Rücken eingecremt.",
        "Das Rotlicht bestrahlt meinen Rücken ganz warm.",
        "Ich brauche eine neue Brille, weil ich beim Lesen schlecht sehe.",  # glasses, nothing shone
        # sound waves that warm are ultrasound, no short-wave diathermy
        "Die Schallwellen wärmen das Gewebe von innen.",
        "Wie lange dauert die Erholung nach einer KMT?",  # a bone marrow transplant, no back
        "Es zieht im Rücken, wenn ich lange am Schreibtisch sitze.",  # a pain, no stretching on a table
        "Kostet viel Knete beim Physio?",  # "Knete" is money, nothing kneaded
        "Den Teig fünf Minuten kneten.",
        # a back that cracks when one gets up quickly, or moving slowly, names no manual treatment
        "Mein Rücken knackt, wenn ich schnell aufstehe.",
        "Meine Knochen knacken beim Aufstehen.",
        "Ich soll mich langsam wieder mehr bewegen.",
        "Der Himmel ist heute blau.",
    ],
)
def test_words_near_a_description_name_nothing(describer: TherapyDescriptions, text: str) -> None:
    assert describer.describe(text) == []


def test_a_name_that_overlaps_the_description_is_part_of_it(describer: TherapyDescriptions) -> None:
    # the extractor read "einem Nadeln" as acupuncture; "Nadeln … Strom" is PENS
    text = "Was is'n des, wo die einem Nadeln neistechen unn dann Strom druff gebbe?"
    needles = {"entity": "therapy", "value": "akupunktur", "start": 21, "end": 33, "extractor": "TherapyExtractor"}
    message = Message(data={TEXT: text, ENTITIES: [needles]})
    describer.process([message])
    assert [e["value"] for e in message.get(ENTITIES)] == ["pens"]


def test_a_group_described_beside_its_member_is_the_member(describer: TherapyDescriptions) -> None:
    # hands on the joints (manual therapy) that move them slowly and gently (Mobilisation): only the member
    found = describer.describe("Wenn jemand mit den Händen die Gelenke ganz langsam und sanft bewegt, hilft das?")
    assert [e["value"] for e in found] == ["mobilisation"]


def _kept(describer: TherapyDescriptions, text: str, *names: tuple[str, str]) -> list[str]:
    """The treatments left after `process`, from (value, name as written) pairs found in `text`."""
    named = []
    for value, name in names:
        start = text.index(name)
        named.append({"entity": "therapy", "value": value, "start": start, "end": start + len(name), "text": name})
    message = Message(data={TEXT: text, ENTITIES: named})
    describer.process([message])
    return [e["value"] for e in message.get(ENTITIES) if e["entity"] == "therapy"]


def test_a_word_of_the_named_member_is_no_second_treatment(describer: TherapyDescriptions) -> None:
    # "darf ich die PENS mit den Nadeln machen lassen?": the needles are PENS's, not Akupunktur
    text = "darf ich die PENS mit den Nadeln machen lassen?"
    assert _kept(describer, text, ("pens", "PENS"), ("akupunktur", "Nadeln")) == ["pens"]
    # … also with its article ("durch die Nadeln"): the article is no word of Akupunktur's either
    text = "kann man bei pens ne entzündung kriegen durch die nadeln"
    assert _kept(describer, text, ("pens", "pens"), ("akupunktur", "die nadeln")) == ["pens"]
    # Akupunktur named by its own name stays beside PENS
    kept = _kept(describer, "Akupunktur oder PENS?", ("pens", "PENS"), ("akupunktur", "Akupunktur"))
    assert set(kept) == {"pens", "akupunktur"}


def test_a_group_named_beside_its_member_is_the_member(describer: TherapyDescriptions) -> None:
    # "Chiropraktiker" names the manual therapies; beside "Einrenken" it says who does the Manipulation
    text = "Einrenken beim Chiropraktiker – was kostet das?"
    named = [
        {"entity": "therapy", "value": "manipulation", "start": 0, "end": 9, "text": "Einrenken"},
        {"entity": "therapy", "value": "manuelle_therapie", "start": 15, "end": 29, "text": "Chiropraktiker"},
    ]
    message = Message(data={TEXT: text, ENTITIES: named})
    describer.process([message])
    assert [e["value"] for e in message.get(ENTITIES)] == ["manipulation"]
    # set side by side, both are meant
    text = "Was ist der Unterschied zwischen Elektrotherapie und TENS?"
    compared = [
        {"entity": "therapy", "value": "elektrotherapie", "start": 32, "end": 47, "text": "Elektrotherapie"},
        {"entity": "therapy", "value": "tens", "start": 52, "end": 56, "text": "TENS"},
    ]
    message = Message(data={TEXT: text, ENTITIES: compared})
    describer.process([message])
    assert {e["value"] for e in message.get(ENTITIES)} == {"elektrotherapie", "tens"}
    # a group beside a treatment of another group stays
    text = "Chiropraktiker oder TENS?"
    apart = [
        {"entity": "therapy", "value": "manuelle_therapie", "start": 0, "end": 14, "text": "Chiropraktiker"},
        {"entity": "therapy", "value": "tens", "start": 20, "end": 24, "text": "TENS"},
    ]
    message = Message(data={TEXT: text, ENTITIES: apart})
    describer.process([message])
    assert {e["value"] for e in message.get(ENTITIES)} == {"manuelle_therapie", "tens"}


def test_a_description_lies_within_one_sentence(describer: TherapyDescriptions) -> None:
    # a device in one sentence and a back that "zieht" (hurts) in the next are no traction
    story = (
        "Ich habe mir ein kleines Gerät mit Klebepads gekauft. "
        "Ich benutze es abends, wenn der untere Rücken wieder zieht. Was bringt das?"
    )
    assert [e["value"] for e in describer.describe(story)] == ["tens"]
    # within one sentence the same words still describe it
    assert "traktion" in [e["value"] for e in describer.describe("Ein Gerät, das am Rücken zieht, hilft das?")]


def _therapies_after(describer: TherapyDescriptions, text: str, named: str, word: str) -> set[str]:
    start = text.index(word)
    entity = {"entity": "therapy", "value": named, "start": start, "end": start + len(word), "text": word}
    message = Message(data={TEXT: text, ENTITIES: [entity]})
    describer.process([message])
    return {e["value"] for e in message.get(ENTITIES) if e["entity"] == "therapy"}


def test_words_every_electrotherapy_has_describe_the_one_named(describer: TherapyDescriptions) -> None:
    # electrodes that tingle are TENS when nothing else is named ...
    alone = "Beim Physio hatte ich vier Elektroden am Rücken und es hat gekribbelt. Was passiert da?"
    assert "tens" in [e["value"] for e in describer.describe(alone)]
    # ... and the Interferenzstrom named beside them, not TENS as well
    text = "Ich hatte vier Elektroden am Rücken und es hat gekribbelt, die nannten das Interferenz. Was passiert da?"
    assert _therapies_after(describer, text, "interferenztherapie", "Interferenz") == {"interferenztherapie"}
    # needles with current are PENS's own: beside TENS they are a second treatment
    text = "Ich hatte TENS, jetzt will mein Physio Nadeln mit Strom machen. Was hilft mehr?"
    assert _therapies_after(describer, text, "tens", "TENS") == {"tens", "pens"}
    # set side by side, both are meant
    text = "Was ist der Unterschied zwischen Interferenzstrom und den kribbelnden Elektroden?"
    assert _therapies_after(describer, text, "interferenztherapie", "Interferenzstrom") == {
        "interferenztherapie",
        "tens",
    }


def test_a_word_of_the_described_treatment_in_another_sentence_is_no_second_one(
    describer: TherapyDescriptions,
) -> None:
    # PENS described in one sentence, its needles feared in the next: no Akupunktur beside it
    text = "Da werden Nadeln gestochen und dann kommt Strom drauf. Ich habe nämlich Angst vor Nadeln."
    start = text.rindex("Nadeln")
    needles = {"entity": "therapy", "value": "akupunktur", "start": start, "end": start + 6, "text": "Nadeln"}
    message = Message(data={TEXT: text, ENTITIES: [needles]})
    describer.process([message])
    assert [e["value"] for e in message.get(ENTITIES)] == ["pens"]
