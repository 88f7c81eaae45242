"""The answer composer (bot/content/answers.py): its choices, without Rasa."""

from __future__ import annotations

import pytest

from bot.content.answers import (
    MAX_SENTENCES,
    MAX_SENTENCES_THREE_PARTS,
    MAX_SENTENCES_TWO_PARTS,
    OTHER_THERAPY,
    QUOTE,
    SENTENCE_END,
    ConditionKind,
    Question,
    fact_answer,
    quote_answer,
    sentence_count,
    therapy_choice_buttons,
    topic_answer,
)
from bot.content.knowledge import KnowledgeBase
from bot.texts import Texts, texts
from components.detail_extractor import DetailExtractor
from tests.fixtures.lexicon import lexicon_component

DETAILS = lexicon_component(DetailExtractor, "details.yml")


@pytest.fixture(scope="module")
def interface() -> Texts:
    return texts()


def ask(kb: KnowledgeBase, interface: Texts, therapies, aspects, **kwargs):
    return fact_answer(kb, interface, Question(tuple(therapies), tuple(aspects), **kwargs))


def extracted(text: str, entity: str) -> set[str]:
    """What DetailExtractor finds in a message: the values of one entity (detail, premise, asked)."""
    return {e["value"] for e in DETAILS.extract(text) if e["entity"] == entity}


def test_answer_is_body_then_source_line_then_disclaimer(kb, interface) -> None:
    answer = ask(kb, interface, ["akupunktur"], ["wirksamkeit"])
    lines = answer.text.split("\n")
    assert lines[-1] == kb.disclaimer
    assert lines[-2].startswith("Quelle: IQWiG, gesundheitsinformation.de")
    assert "Stand 20.08.2025" in lines[-2] and kb.page.url in lines[-2]
    assert answer.body == "\n".join(lines[:-2])


def test_source_line_names_headings_in_quotes_and_the_untitled_opening_plainly(kb, interface) -> None:
    line = ask(kb, interface, ["akupunktur"], ["wirksamkeit"]).source.line
    assert "Abschnitt „Akupunktur“ und Anfang der Seite" in line
    assert "Einleitung" not in line  # the page has no such heading


def test_plain_question_gets_the_verdict_first_and_the_advice_once(kb, interface) -> None:
    answer = ask(kb, interface, ["akupunktur"], ["wirksamkeit"])
    assert answer.claims[0] == kb.verdict("akupunktur").id
    assert answer.body.count("höchstens als mögliche Ergänzung") == 1


@pytest.mark.parametrize("premise", ["benefit", "proof"])
def test_a_premise_of_benefit_or_proof_is_answered_with_the_verdict_first(kb, interface, premise) -> None:
    answer = ask(kb, interface, ["osteopathie"], ["methode"], premise=premise)
    assert answer.claims[0] == "osteopathie.widerspruechlich"


def test_the_detail_asked_comes_first(kb, interface) -> None:
    answer = ask(kb, interface, ["manipulation"], ["methode"], details=("knacken",))
    assert answer.claims[0] == "manuelle_therapie.knacken"
    assert "Gasbläschen" in answer.body.split(". ")[1]


def test_blood_thinners_get_the_claim_about_bleeding(kb, interface) -> None:
    answer = ask(kb, interface, ["akupunktur"], ["risiken"], details=("blutverduenner",))
    assert answer.claims[0] == "akupunktur.blutungen"


def test_a_detail_the_page_is_silent_on_is_said_first_then_the_nearest_fact(kb, interface) -> None:
    answer = ask(kb, interface, ["akupunktur"], ["methode"], details=("sitzungen",))
    assert answer.body.startswith(kb.details["sitzungen"].silent)
    assert answer.claims and all(claim.startswith("akupunktur.") for claim in answer.claims)
    assert interface.get("answer.refer_arzt") in answer.body


def test_who_may_offer_it_is_a_silence_except_where_the_page_says_it(kb, interface) -> None:
    # "Welche Qualifikation braucht man für Manipulationen? Darf das ein Heilpraktiker?"
    answer = ask(kb, interface, ["manipulation"], ["methode"], details=("ausbildung",))
    assert answer.body.startswith(kb.details["ausbildung"].silent)
    # the page says it for osteopathy: the title is not protected
    osteopathy = ask(kb, interface, ["osteopathie"], ["methode"], details=("ausbildung",))
    assert not osteopathy.body.startswith(kb.details["ausbildung"].silent)
    assert osteopathy.claims[0] == "osteopathie.titel"
    assert "formen" in extracted("Welche Verfahren werden zur Elektrotherapie gezählt?", "detail")


def test_a_personal_question_never_loses_the_referral_for_lack_of_room(kb, interface) -> None:
    # "… kostet mich jedes Mal 25 Euro … Soll ich mit der Elektrotherapie (zusätzlich) weitermachen?":
    # two parts, a price silence first and the advice asked; the doctor line still closes the answer
    answer = ask(
        kb, interface, ["elektrotherapie"], ["kosten", "wirksamkeit"], details=("ergaenzung", "preis"), personal=True
    )
    assert answer.claims[-1] == "allgemein.einzelfall"
    assert answer.body.startswith(kb.details["preis"].silent)


def test_costs_of_one_treatment_never_read_as_you_pay_yourself(kb, interface) -> None:
    for therapy in kb.therapies:
        body = ask(kb, interface, [therapy], ["kosten"]).body
        assert body.startswith("Ob die Krankenkasse"), therapy
        assert "Die meisten passiven Behandlungen" in body
        assert "müssen Sie selbst" not in body and "zahlen Sie selbst" not in body


def test_personal_advice_refers_first_then_gives_the_facts(kb, interface) -> None:
    answer = ask(kb, interface, ["manipulation"], ["risiken"], details=("osteoporose",), personal=True)
    # the referral is the page's own sentence (the doctor clears whether it makes sense in the single case)
    assert answer.claims[0] == "allgemein.einzelfall"
    assert answer.body.startswith(kb.claims["allgemein.einzelfall"].text)
    assert "manuelle_therapie.risikofaktoren" in answer.claims


def test_two_treatments_get_one_part_each_and_the_advice_once(kb, interface) -> None:
    answer = ask(kb, interface, ["tens", "akupunktur"], ["wirksamkeit"])
    assert {c.split(".")[0] for c in answer.claims} >= {"elektrotherapie", "akupunktur"}
    assert answer.body.count("höchstens als mögliche Ergänzung") <= 1
    assert answer.cells == (("tens", "wirksamkeit"), ("akupunktur", "wirksamkeit"))
    assert answer.source.line.count("Quelle:") == 1


def test_three_treatments_get_one_part_each_and_none_is_dropped_silently(kb, interface) -> None:
    # "Sind Massage, Akupunktur und Osteopathie gefährlich?": each of the three says something of its own
    answer = ask(kb, interface, ["massage", "akupunktur", "osteopathie"], ["risiken"])
    assert {c.split(".")[0] for c in answer.claims} >= {"massage", "akupunktur"}, answer.claims
    assert "Osteopathie" in answer.body
    assert len(answer.cells) == 3
    assert sentence_count(answer.body) <= MAX_SENTENCES_THREE_PARTS + 1  # the silence on osteopathy is said whole
    # a fourth treatment (or a third beside two aspects) is named as left out, never dropped without a word
    more = ask(kb, interface, ["massage", "akupunktur", "osteopathie", "traktion"], ["methode"])
    assert more.body.endswith(interface.get("answer.more_therapies", therapies="Traktion")), more.body
    # two treatments with two aspects each keep the room of a two-part answer
    four = ask(kb, interface, ["akupunktur", "massage"], ["wirksamkeit", "risiken"])
    assert len(four.cells) == 4 and sentence_count(four.body) <= MAX_SENTENCES_TWO_PARTS, four.body
    both = ask(kb, interface, ["massage", "osteopathie", "kinesio_taping"], ["kosten", "risiken"])
    assert "Kinesio-Taping" in both.body and len(both.cells) == 4


def test_two_aspects_get_one_part_each(kb, interface) -> None:
    answer = ask(kb, interface, ["massage"], ["kosten", "risiken"])
    assert "allgemein.igel" in answer.claims
    assert any(c in answer.claims for c in ("massage.schmerzen", "massage.allergie"))


@pytest.mark.parametrize("aspect", ["wirksamkeit", "risiken", "kosten", "methode"])
def test_every_default_answer_stays_short(kb, interface, aspect) -> None:
    for therapy in kb.therapies:
        body = ask(kb, interface, [therapy], [aspect]).body
        assert 1 <= sentence_count(body) <= MAX_SENTENCES, (therapy, aspect, body)


@pytest.mark.parametrize("first", ["wirksamkeit", "risiken", "kosten", "methode"])
def test_a_two_part_question_opens_each_part_as_its_own_answer_would(kb, interface, first) -> None:
    """ "Wie funktioniert das und ist es sicher?": each part starts as the one-part answer starts
    (no part is cut off by the other), and the whole stays within its limit."""
    for therapy in kb.therapies:
        for second in (a for a in kb.aspects if a != first):
            both = ask(kb, interface, [therapy], [first, second]).body
            assert sentence_count(both) <= MAX_SENTENCES_TWO_PARTS, (therapy, first, second, both)
            for aspect in (first, second):
                opening = SENTENCE_END.split(ask(kb, interface, [therapy], [aspect]).body)[0]
                assert opening in both, (therapy, first, second, aspect, both)


def test_a_condition_named_next_to_the_back_is_said_first(kb, interface) -> None:
    answer = ask(kb, interface, ["massage"], ["wirksamkeit"], conditions=("Nacken- und Schulterschmerzen",))
    assert answer.body.startswith("Über Nacken- und Schulterschmerzen sagt die Seite nichts;")


def test_buttons_offer_other_aspects_another_treatment_and_the_original_text(kb, interface) -> None:
    answer = ask(kb, interface, ["massage"], ["risiken"])
    assert sorted(b.aspect for b in answer.buttons if b.aspect) == ["kosten", "methode", "wirksamkeit"]
    assert [b.topic for b in answer.buttons if b.topic] == [OTHER_THERAPY, QUOTE]


def test_quote_answer_shows_the_pages_exact_words_with_the_part_and_link(kb, interface) -> None:
    answer = quote_answer(kb, interface, ["akupunktur.punkte"])
    assert kb.claim("akupunktur.punkte").quotes[0] in answer.body
    assert "(Akupunktur)" in answer.body and kb.page.url in answer.body
    assert quote_answer(kb, interface, []) is None


def test_overview_lists_the_treatments_and_the_verdict(kb, interface) -> None:
    answer = topic_answer(kb, interface, "uebersicht")
    assert all(t.name in answer.body for t in kb.top_level_therapies()[:5])
    assert "allgemein.weitere" in answer.claims
    assert kb.claim("allgemein.allenfalls_kurzfristig").text in answer.body


def test_therapy_choice_fits_messenger_limits(kb) -> None:
    buttons = therapy_choice_buttons(kb, "kosten")
    assert 5 <= len(buttons) <= 13  # Facebook allows at most 13 quick replies
    assert all(len(b.title) <= 20 for b in buttons)


def test_a_question_ending_oder_gets_the_verdict_first_when_it_is_about_benefit(kb, interface) -> None:
    assert ask(kb, interface, ["massage"], ["wirksamkeit"], premise="tag").claims[0] == "massage.voruebergehend"
    assert ask(kb, interface, ["massage"], ["methode"], premise="tag").claims[0] == "massage.was_ist"


def test_a_treatment_the_page_does_not_describe_gets_what_it_says_in_general(kb, interface) -> None:
    from bot.content.answers import other_treatment_answer

    answer = other_treatment_answer(kb, interface, "Wärmebehandlungen", "wirksamkeit")
    assert answer.body.startswith("Über Wärmebehandlungen sagt die Seite nichts.")
    assert "allgemein.aktiv_am_besten" in answer.claims


def test_a_detail_without_a_treatment_is_answered_from_the_general_statements(kb, interface) -> None:
    from bot.content.answers import general_answer

    answer = general_answer(kb, interface, ["erfahrung"], "wirksamkeit")
    assert answer.claims[0] == "allgemein.vergleichsstudien"
    assert general_answer(kb, interface, ["knacken"], "methode") is None


def test_a_detail_the_page_is_silent_on_comes_first_without_a_treatment_too(kb, interface) -> None:
    from bot.content.answers import general_answer, general_silence

    # "Yoga oder Pilates, was ist besser?": the page compares no treatments
    compare = topic_answer(kb, interface, "aktive_behandlungen", silence=general_silence(kb, ["vergleich"]))
    assert compare.body.startswith(kb.details["vergleich"].silent)
    assert "allgemein.aktiv_am_besten" in compare.claims
    # "Wie lange hält die Wirkung an?": never said exactly, though the page says "kurzfristig"
    lasting = general_answer(kb, interface, ["wirkdauer"], "wirksamkeit")
    assert lasting.body.startswith(kb.details["wirkdauer"].silent)
    assert "allgemein.allenfalls_kurzfristig" in lasting.claims
    # "Hilft das auf Dauer?": the page answers that ("allenfalls kurzfristig"), no silence first
    lasts = general_answer(kb, interface, ["dauer"], "wirksamkeit")
    assert lasts.claims[0] == "allgemein.allenfalls_kurzfristig"
    # a detail the general statements answer is no silence ("… zusätzlich zu Übungen?")
    assert general_silence(kb, ["kombination"]) is None
    assert general_silence(kb, ["erfahrung"]) is None
    # "Ultraschall ist doch besser als Sport?": a passive treatment beside an active one, which the page compares
    assert general_silence(kb, ["vergleich", "aktiv"], passive_named=True) is None
    assert general_silence(kb, ["vergleich", "aktiv"]) == kb.details["vergleich"].silent


@pytest.mark.parametrize("aspect", ["methode", "risiken"])
def test_a_treatment_the_page_only_names_says_so_then_that_it_is_not_proven_to_help(kb, interface, aspect) -> None:
    # "Was ist Traktion?": the silence first, the nearest fact, then the verdict, before
    # anything the page says about passive treatments in general
    answer = ask(kb, interface, ["traktion"], [aspect])
    assert answer.body.startswith(kb.silence("traktion", aspect=aspect).text)
    assert answer.claims[:2] == ("traktion.nur_genannt", "traktion.nicht_nachgewiesen")


def test_a_detail_answered_only_in_general_comes_after_the_silence_on_the_aspect(kb, interface) -> None:
    # "Meine Nachbarin schwört auf Traktion. Was ist das?": what the page does not say about
    # the treatment comes first, the page's general word on experiences after it
    answer = ask(kb, interface, ["traktion"], ["methode"], details=("erfahrung",))
    assert answer.body.startswith(kb.silence("traktion", aspect="methode").text)


def test_what_passive_means_comes_first_even_where_the_page_does_not_describe_the_treatment(kb, interface) -> None:
    # "Ist Kurzwellen-Diathermie aktiv oder passiv?": the general statement answers it for every
    # treatment (general_first), before the silence on how that treatment works
    answer = ask(kb, interface, ["kurzwellen_diathermie"], ["methode"], details=("passiv",))
    assert answer.claims[0] == "allgemein.passiv"
    assert kb.silence("kurzwellen_diathermie", aspect="methode").text in answer.body


def test_two_silences_of_one_part_are_both_said(kb, interface) -> None:
    # "Wie viele Termine Akupunktur brauche ich? Und wie lange dauert jeder Termin?"
    answer = ask(kb, interface, ["akupunktur"], ["methode"], details=("sitzungen", "behandlungsdauer"))
    first, second = kb.details["sitzungen"].silent, kb.details["behandlungsdauer"].silent
    assert answer.body.startswith(first + " " + second)


def test_each_of_two_treatments_says_something_of_its_own_beside_a_general_sentence(kb, interface) -> None:
    # "Kann man Akupunktur und Massage kombinieren, bringt das mehr als eins allein?": the general
    # sentence on combining must not take the first treatment's whole share
    answer = ask(kb, interface, ["akupunktur", "massage"], ["wirksamkeit"], details=("kombination", "ergaenzung"))
    owners = {claim.split(".")[0] for claim in answer.claims}
    assert {"akupunktur", "massage"} <= owners, answer.claims
    assert sentence_count(answer.body) <= MAX_SENTENCES_TWO_PARTS


def test_a_claim_of_the_group_that_rests_on_words_already_said_is_not_repeated(kb, interface) -> None:
    # the Interferenztherapie's own claim and the Elektrotherapie's list both say that it works
    # like the TENS, resting on the same sentence of the page: said once
    answer = ask(kb, interface, ["interferenztherapie"], ["methode"], details=("formen",))
    quotes = [q for claim_id in answer.claims for q in kb.claim(claim_id).quotes]
    assert len(quotes) == len(set(quotes))


def test_a_risk_the_page_is_silent_on_replaces_the_note_on_the_condition_it_comes_with(kb, interface) -> None:
    # "Ich habe Metall in der Hüfte. Darf ich Kurzwelle machen?": one sentence on what the page
    # does not say (about metal in the body), not a second one about the hip before it
    answer = ask(
        kb, interface, ["kurzwellen_diathermie"], ["risiken"],
        details=("herzschrittmacher",), conditions=("Hüfte",), condition_kind=ConditionKind.CIRCUMSTANCE,
    )  # fmt: skip
    assert answer.body.startswith(kb.details["herzschrittmacher"].silent)
    assert "Hüfte" not in answer.body


def test_a_condition_note_stays_where_the_page_answers_the_risk_asked(kb, interface) -> None:
    # "Ich habe Diabetes. Ist Akupunktur wegen Infektionen gefährlich?": the page speaks of
    # infections from needles, not of diabetes; that the page says nothing about diabetes comes first
    answer = ask(
        kb, interface, ["akupunktur"], ["risiken"], details=("infektion",),
        conditions=("Diabetes",), condition_kind=ConditionKind.CIRCUMSTANCE,
    )  # fmt: skip
    assert answer.body.startswith("Was Diabetes für diese Behandlung bedeutet, sagt die Seite nicht.")


@pytest.mark.parametrize(
    ("therapies", "details"),
    [(["tens", "massage"], ("kombination",)), (["massage"], ("ergaenzung",)), (["akupunktur"], ("kombination",))],
)
def test_where_the_advice_is_what_was_asked_it_has_room(kb, interface, therapies, details) -> None:
    # "Kann ich TENS und Massage kombinieren?", "Warum soll ich Massagen nur zusätzlich machen?"
    answer = ask(kb, interface, therapies, ["wirksamkeit"], details=details)
    assert "allgemein.rat" in answer.claims
    limit = MAX_SENTENCES if len(therapies) == 1 else MAX_SENTENCES_TWO_PARTS
    assert sentence_count(answer.body) <= limit


def test_after_the_silence_on_the_detail_asked_a_named_only_treatment_says_whether_it_helps(kb, interface) -> None:
    # "Wie viele Sitzungen Ultraschall?": one silence, then what the page does say, not a second silence
    answer = ask(kb, interface, ["ultraschall"], ["methode"], details=("sitzungen",))
    assert answer.body.startswith(kb.details["sitzungen"].silent)
    assert kb.silence("ultraschall", aspect="methode").text not in answer.body
    assert answer.claims == ("ultraschall.nur_genannt", "ultraschall.nicht_nachgewiesen")


def test_a_complaint_is_no_question_about_side_effects_unless_risks_are_asked(kb, interface) -> None:
    # "Mein Rücken tut weh, hilft Massage?": whether it helps, not that a massage can hurt
    helps = ask(kb, interface, ["massage"], ["wirksamkeit"], details=("beschwerden",))
    assert helps.claims[0] == "massage.voruebergehend" and "massage.schmerzen" not in helps.claims
    # "Tut eine Massage weh?": the same words, where risks are asked
    hurts = ask(kb, interface, ["massage"], ["risiken"], details=("beschwerden",))
    assert hurts.claims[0] == "massage.schmerzen"
    # "Sie drückt so fest, dass ich danach Schmerzen habe. Soll ich weitermachen?": tied to the treatment
    after = ask(kb, interface, ["massage"], ["wirksamkeit"], details=("schmerzen_bei_behandlung",), personal=True)
    assert "massage.schmerzen" in after.claims


def test_how_it_works_says_first_what_is_done_then_whether_it_helps(kb, interface) -> None:
    # "Wie funktioniert Osteopathie?": what is done (only with the hands) first, where the plain
    # method answer opens with what kind of method it is
    works = ask(kb, interface, ["osteopathie"], ["methode"], details=("ablauf",))
    plain = ask(kb, interface, ["osteopathie"], ["methode"])
    assert works.claims[0] == "osteopathie.haende" != plain.claims[0]
    assert kb.verdict("osteopathie").id in works.claims
    # "Wie soll Akupunktur wirken?" asks for the idea, and what the page says of its proof
    meant = ask(kb, interface, ["akupunktur"], ["methode"], details=("mechanismus",))
    assert meant.claims[:2] == ("akupunktur.vorstellung", "akupunktur.energiebahnen")
    # "Wie funktioniert das mit der Kasse?" asks about costs, not how it is done
    costs = ask(kb, interface, ["akupunktur"], ["kosten"], details=("ablauf",))
    assert "akupunktur.was_ist" not in costs.claims


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("Wie funktioniert Akupunktur?", "ablauf"),
        ("how does acupuncture work", "ablauf"),
        ("Wie läuft so eine Osteopathie-Sitzung ab?", "ablauf"),
        ("Wie soll Akupunktur denn wirken?", "mechanismus"),
    ],
)
def test_how_it_works_and_how_it_is_meant_to_work_are_two_details(text, detail) -> None:
    found = extracted(text, "detail")
    assert detail in found and ({"ablauf", "mechanismus"} - {detail}).isdisjoint(found)


def test_where_to_find_a_practice_is_never_on_the_page_but_what_it_says_of_the_title_follows(kb, interface) -> None:
    # "Wie finde ich eine gute Osteopathin?": the page names no practice, but says the title is not protected
    answer = ask(kb, interface, ["osteopathie"], ["methode"], details=("anbieter",))
    assert answer.body.startswith(kb.details["anbieter"].silent)
    assert answer.claims[0] == "osteopathie.titel"


@pytest.mark.parametrize(
    ("text", "premise"),
    [
        ("Mein TENS-Gerät ist doch klinisch bewiesen, dann brauche ich keine Übungen", "proof"),
        ("Studien belegen, dass Akupunktur hilft.", "proof"),
        ("Kinesio-Tape ist ja medizinisch anerkannt", "proof"),
    ],
)
def test_a_belief_in_proof_is_found_in_its_common_wordings(text, premise) -> None:
    assert premise in extracted(text, "premise")


@pytest.mark.parametrize(
    ("text", "tagged"),
    [
        ("Massage hilft, oder?", True),
        # another question after the one that asks for agreement
        ("Massage vertreibt die Schmerzen, oder? wie oft muss ich hin", True),
        ("Mein Arzt sagt, das hilft dauerhaft. Können Sie mir das bitte bestätigen?", True),
        # "oder" between two choices asks for no agreement
        ("Soll ich Massage oder Akupunktur nehmen?", False),
    ],
)
def test_a_question_that_asks_for_agreement_takes_its_statement_for_granted(text, tagged) -> None:
    assert ("tag" in extracted(text, "premise")) == tagged


def test_what_a_message_tells_is_no_question_where_its_question_sentence_asks() -> None:
    told = "Mein Orthopäde bietet mir eine Lasertherapie für 400 Euro an, alles privat. Ist das sinnvoll?"
    assert "preis" not in extracted(told, "detail") and extracted(told, "asked") == {"wirksamkeit"}
    roles = {e.get("role") for e in DETAILS.extract(told) if e["entity"] == "asked"}
    assert roles == {"frage"}
    # a risk factor told still counts: it is the person's circumstance, not a question
    assert "blutverduenner" in extracted("Ich nehme Marcumar. Ist Akupunktur gefährlich?", "detail")
    # the question sentence names nothing of its own: what was told is what it asks about
    assert "preis" in extracted("Ich zahle 50 Euro pro Sitzung Massage. Ist das normal?", "detail")
    # one sentence: all of it asks ("Was kostet Laser, 400 Euro?")
    assert "preis" in extracted("Lohnt sich Laser für 400 Euro?", "detail")
    # a dictated question mark ends a question too
    dictated = "der Laser kostet 300 € Punkt lohnt sich das Fragezeichen"
    assert DETAILS.question_spans(dictated) == [(0, len(dictated))]
    # the period of an abbreviation or an ordinal number ends no sentence
    clinical = "Welche Massageformen werden bei chron. LWS-Beschwerden (z. B. mit Öl) angewandt?"
    assert DETAILS.question_spans(clinical) == [(0, len(clinical))]
    assert "formen" in extracted(clinical, "detail")
    pregnant = "Ich bin in der 24. Woche schwanger. Darf ich Akupunktur machen?"
    assert [pregnant[a:b].strip() for a, b in DETAILS.question_spans(pregnant)] == ["Darf ich Akupunktur machen?"]
    # a number at the end of a sentence does end it where a sentence starts after it
    aged = "Ich bin 81. Darf ich noch zur Massage?"
    assert [aged[a:b].strip() for a, b in DETAILS.question_spans(aged)] == ["Darf ich noch zur Massage?"]


def test_counts_is_not_pays_although_umlauts_fold() -> None:
    assert "kosten" not in extracted("Zählt Laser eigentlich zu den passiven Therapien?", "asked")
    assert "passiv" in extracted("Zählt Laser eigentlich zu den passiven Therapien?", "detail")
    assert "kosten" in extracted("Was zahlt die Kasse?", "asked")
    # a money emoji asks about the costs, also stuck to a word
    assert "kosten" in extracted("und 💰?", "asked") and "kosten" in extracted("Massage💶 wie teuer", "asked")
    # a denied detail is still what the message is about
    assert "aktiv" in extracted("Massage reicht, dann brauch ich kein Sport mehr?", "detail")


def test_a_detail_only_told_is_marked_so() -> None:
    text = "Seit meinem Bandscheibenvorfall bin ich in einer Schmerzambulanz. Was ist PENS, und wie unterscheidet es sich von TENS?"
    roles = {e["value"]: e.get("role") for e in DETAILS.extract(text) if e["entity"] == "detail"}
    assert roles.get("bandscheibe") == "erzaehlt"
    # asked in the question itself, it is no story
    asked = {e["value"]: e.get("role") for e in DETAILS.extract("Ist Einrenken bei Bandscheibenvorfall gefährlich?")}
    assert asked.get("bandscheibe") is None


def test_safety_taken_for_granted_and_whether_one_may_are_found() -> None:
    # "da kann man nix falsch machen": safety taken for granted, the page's side effects answer it
    assert "safety" in extracted("Mobilisation ist so sanft, da kann man nix falsch machen", "premise")
    # "Kann ich trotzdem …?", "Is that something I should do?": a personal question, answered with the referral
    for text in (
        "Ich vertrage keine Öle. Kann ich trotzdem zur Massage?",
        "My physio wants to tape my back. Is that something I should do?",
        "Mein Physio hat mir Reizstrom aufgeschrieben, muss ich das machen?",
    ):
        assert extracted(text, "personal") == {"true"}, text
    # a question about a treatment's pain is one about its risks
    assert "risiken" in extracted("Hilft Thai-Massage, und kann es auch wehtun?", "asked")


def test_clinicians_and_learners_words_ask_their_aspect() -> None:
    # "UE": unerwünschte Ereignisse, as clinicians abbreviate them
    assert extracted("UE bei PENS lt. IQWiG?", "asked") == {"risiken"}
    # "Was machen die da?": what happens in a treatment
    assert "methode" in extracted("Mein Freund sagt Osteopathie ist gut. Was machen die da?", "asked")
    # "Wie sicher ist …?" asks the risks, compared or not
    assert extracted("Wie sicher ist eine Mobilisation im Vergleich zur Manipulation?", "asked") == {"risiken"}


def test_everyday_words_are_not_read_as_details() -> None:
    # "Punkt" dictated, "akku Punktur" split: no question about needle points
    assert "punkte" not in extracted("was kostet eine akku Punktur Sitzung Punkt", "detail")
    # "was kann ich selber machen" asks for active treatment, not for devices at home
    assert "geraet" not in extracted("was kann ich selber machen gegen meinen Kreuzschmerz", "detail")
    # an inflammation is no infection
    assert "infektion" not in extracted("Die Kurzwelle zieht die Entzündung aus dem Rücken", "detail")
    # polite, not personal: "Würden Sie mir bitte sagen, ob …"
    assert extracted("Würden Sie mir bitte sagen, ob Akupunktur hilft?", "personal") == set()


def test_everyday_words_for_details_the_page_answers() -> None:
    # "Massage reicht völlig aus, ich kann die Übungen doch weglassen?": passive treatment alone
    assert "ergaenzung" in extracted(
        "Da die Massage völlig ausreicht, kann ich die Übungen doch weglassen, oder?", "detail"
    )
    # English: whether it matters where the needles go
    assert "punkte" in extracted("does it even matter where genau die Nadeln reinkommen?", "detail")


def test_device_settings_are_a_silence_of_the_page(kb, interface) -> None:
    assert "einstellungen" in extracted("Welche Frequenz soll ich beim TENS einstellen?", "detail")
    assert "einstellungen" in extracted("Which laser class or wavelength is used?", "detail")
    answer = ask(kb, interface, ["massage"], ["methode"], details=("einstellungen",))
    assert answer.body.startswith(kb.details["einstellungen"].silent)
    # an electrotherapy: the group's silence on settings and how long, then the nearest the page says
    # (its studies say little and looked only at a short time; not proven to help)
    for therapy in ("tens", "interferenztherapie"):
        answer = ask(kb, interface, [therapy], ["methode"], details=("einstellungen",))
        assert answer.body.startswith(kb.silence("elektrotherapie", detail="einstellungen").text), therapy
        assert answer.claims[:2] == ("elektrotherapie.studien_schwach", "elektrotherapie.nicht_belegt"), therapy
    # asked beside how many sessions (a silence of the same part): both silences are said
    both = ask(kb, interface, ["tens"], ["methode"], details=("einstellungen", "sitzungen"))
    assert kb.details["sitzungen"].silent in both.body
    assert kb.silence("elektrotherapie", detail="einstellungen").text in both.body


def test_a_question_for_a_personal_decision_is_found() -> None:
    for text in ("Soll ich mir die Lasertherapie machen lassen?", "Ist Akupunktur was für mich?", "should i try TENS"):
        assert extracted(text, "personal") == {"true"}
    for text in ("Hilft Akupunktur bei Rückenschmerzen?", "Was kostet eine Massage?"):
        assert extracted(text, "personal") == set()


def test_how_well_it_works_asks_whether_it_helps_not_what_it_is() -> None:
    # "wie ... funktioniert" (what it is) finds "wie gut funktioniert" only through its gap
    assert extracted("Und wie gut funktioniert? Es gibt Studie?", "asked") == {"wirksamkeit"}
    assert extracted("Wie gut funktioniert TENS und wie funktioniert es genau?", "asked") == {"wirksamkeit", "methode"}
    # the mechanism's own phrase holds a word of the effect, and stays a question how it works
    assert "methode" in extracted("Wie soll Strom gegen Schmerzen helfen?", "asked")


def test_who_may_offer_a_treatment_asks_about_the_treatment_itself() -> None:
    # the classifier read "wer darf sich … nennen" as a question about risks (it is about training)
    for text in ("und wer darf sich überhaupt osteopath nennen?", "wer bietet akupunktur eigentlich an"):
        assert extracted(text, "asked") == {"methode"}, text
    assert extracted("Wer darf keine Akupunktur bekommen?", "asked") != {"methode"}


def test_the_words_of_an_aspect_stay_within_one_sentence() -> None:
    # "wos? Is" read as "was ist" made it a question what manipulation is
    text = "Bringt des Einrenkn übahaupt wos? Is ma jo eh nix ausgrenkt, oder?"
    assert extracted(text, "asked") == {"wirksamkeit"}


@pytest.mark.parametrize(
    ("text", "entity", "expected"),
    [
        # why it helps only a short time: how long the effect lasts
        ("Warum nur kurze Zeit? Nicht lange?", "detail", {"wirkdauer"}),
        # a learner's "how many times": the number of sessions
        ("Und wie viel mal muss man gehen? Eine Mal reicht?", "detail", {"sitzungen"}),
        # whether anyone may call themselves so: the training
        ("In Deutschland jeder kann sagen er ist Osteopath?", "detail", {"ausbildung"}),
        # how it works, in messenger shorthand; what someone works with
        ("und wie funzt des", "asked", {"methode"}),
        ("Osteopath arbeitet nur mit Hände oder auch mit Maschine?", "asked", {"methode"}),
        # how long a tape is left on: how long an application lasts
        ("kinesiotaping wie lang drauf lassen", "detail", {"behandlungsdauer"}),
    ],
)
def test_learners_and_messenger_words_of_a_detail_or_aspect(text: str, entity: str, expected: set[str]) -> None:
    assert extracted(text, entity) == expected


def test_whether_an_effect_lasts_is_answered_and_how_long_exactly_is_a_silence(kb, interface) -> None:
    lasts = ask(kb, interface, ["akupunktur"], ["wirksamkeit"], details=("dauer",))
    assert lasts.claims[0] == kb.verdict("akupunktur").id  # "allenfalls kurzfristig" answers "auf Dauer?"
    assert kb.details["wirkdauer"].silent not in lasts.body
    exactly = ask(kb, interface, ["akupunktur"], ["wirksamkeit"], details=("wirkdauer",))
    assert exactly.body.startswith(kb.details["wirkdauer"].silent)
    assert kb.verdict("akupunktur").text in exactly.body
    assert "dauer" in extracted("Hilft Massage auf Dauer?", "detail")
    assert extracted("Wie lange hält die Wirkung einer Massage an?", "detail") == {"wirkdauer"}


def test_a_prescription_in_a_question_on_the_effect_is_no_question_on_costs(kb, interface) -> None:
    # "Soll ich mir Manualtherapie verordnen lassen, oder ist die Datenlage zu dünn?"
    answer = ask(kb, interface, ["manuelle_therapie"], ["wirksamkeit"], details=("rezept", "nachweis"))
    assert kb.details["rezept"].silent not in answer.body
    asked = ask(kb, interface, ["manuelle_therapie"], ["kosten"], details=("rezept",))
    assert asked.body.startswith(kb.details["rezept"].silent)


def test_a_comparison_the_page_makes_is_no_silence(kb, interface) -> None:
    # "Hilft echte Akupunktur besser als die Schein-Akupunktur?": the page compares them
    sham = ask(kb, interface, ["akupunktur"], ["wirksamkeit"], details=("vergleich", "schein"))
    assert kb.details["vergleich"].silent not in sham.body
    assert sham.claims[0] in {c.id for c in kb.claims_of("akupunktur", detail="schein")}
    # "TENS oder Massage, was ist besser?": the page compares no two treatments
    other = ask(kb, interface, ["tens", "massage"], ["wirksamkeit"], details=("vergleich",))
    assert other.body.startswith(kb.details["vergleich"].silent)
    # "Osteopathie oder Übungen, was ist besser?": the page says active treatment helps most
    active = ask(kb, interface, ["osteopathie"], ["wirksamkeit"], details=("vergleich", "aktiv"))
    assert kb.details["vergleich"].silent not in active.body
    assert "allgemein.aktiv_am_besten" in active.claims


def test_a_treatment_beside_active_treatment_keeps_its_own_facts(kb, interface) -> None:
    # "Soll ich die Übungen lassen und nur noch Akupunktur machen?"
    answer = ask(kb, interface, ["akupunktur"], ["wirksamkeit"], details=("aktiv",), personal=True)
    assert "allgemein.aktiv_am_besten" in answer.claims
    assert kb.verdict("akupunktur").id in answer.claims
    assert len([c for c in answer.claims if c.startswith("allgemein.aktiv")]) == 1


def test_a_general_question_opens_with_its_most_specific_detail(kb, interface) -> None:
    from bot.content.answers import general_answer

    # "… nur durch vergleichende Studien beurteilen. Weshalb genügt die persönliche Erfahrung nicht?"
    answer = general_answer(kb, interface, ["nachweis", "erfahrung"], "wirksamkeit")
    assert answer.claims[0] == kb.general_claims("erfahrung")[0].id


def test_a_belief_in_how_a_treatment_works_is_found() -> None:
    for text in (
        "Mit Akupunktur werden die blockierten Energiekanäle geöffnet. Wie viele Termine brauche ich?",
        "das tens schüttet doch endorphine aus",
        "Der Laser repariert die Zellen im Rücken, stimmt das?",
    ):
        assert "mechanism" in extracted(text, "premise")


def test_what_it_costs_asks_only_for_the_costs() -> None:
    # "what does" before "it cost" is the question's frame, not a question what the treatment is
    assert extracted("and what does it cost", "asked") == {"kosten"}


def test_whether_two_treatments_are_the_same_asks_what_they_are() -> None:
    for text in ("Ist Interferenzstrom dasselbe wie TENS?", "is PENS the same as acupuncture?"):
        assert "methode" in extracted(text, "asked")


def test_a_practice_and_its_price_asked_together_the_costs_are_not_crowded_out(kb, interface) -> None:
    # "Wie finde ich eine gute Osteopathin? Und was kostet eine Stunde?" read as a cost question
    answer = ask(kb, interface, ["osteopathie"], ["kosten"], details=("anbieter", "preis"))
    assert answer.body.startswith(kb.details["anbieter"].silent)
    costs = kb.silence("osteopathie", aspect="kosten").text
    assert costs in answer.body and "allgemein.igel" in answer.claims
    # the page's word on the title comes after the costs, if at all
    if "osteopathie.titel" in answer.claims:
        assert answer.claims.index("osteopathie.titel") > answer.claims.index("allgemein.igel")
    # asked alone, the practice question keeps the page's word on the title first
    alone = ask(kb, interface, ["osteopathie"], ["kosten"], details=("anbieter",))
    assert alone.claims[0] == "osteopathie.titel"


@pytest.mark.parametrize(
    ("text", "detail", "found"),
    [
        # how often to go is a question about sessions; how often a risk happens is not
        ("Wie oft muss man zur Akupunktur?", "sitzungen", True),
        ("Wia oft muaß i des Kinesio-Tape wechseln?", "sitzungen", True),
        ("Man kann beim Einrenken gelähmt werden. Wie oft kommt so etwas denn vor?", "sitzungen", False),
        # everyday words for the page's details
        ("muss der Heilpraktiker bei der Akupunktur neue Nadeln nehmen?", "infektion", True),
        ("is das wirklich egal, wo die Nodeln reinpieksn?", "punkte", True),
        ("wie find ich nen guten osteopathen?", "anbieter", True),
        ("wieso braucht man für sowas überhaupt studien?", "erfahrung", True),
        # how long per session is no question of price; what one pays per session is
        ("pens wie oft pro woche und wie lang pro sitzung?", "behandlungsdauer", True),
        ("pens wie oft pro woche und wie lang pro sitzung?", "preis", False),
        ("Was zahlt man pro Sitzung für Osteopathie?", "preis", True),
        ("Wie lange darf ich das Kinesio-Tape auf dem Rücken lassen?", "behandlungsdauer", True),
        # two treatments set side by side; age asked of young people; a typo; how the current is meant to work
        ("Was hilft bei chronischen Rückenschmerzen mehr: Akupunktur oder Osteopathie?", "vergleich", True),
        ("Which spinal mobilisation technique works best, Maitland or Mulligan?", "vergleich", True),
        ("Darf man bei so jungen Leuten eigentlich schon Reizstrom anwenden?", "alter", True),
        ("was ist das für ein knaksen wenn mich der physio einrenkt??", "knacken", True),
        ("wo kommen die Elektroden hin und was soll der Strom im Körper bewirken", "mechanismus", True),
        # where the needles sit; how long a session takes; who may do it; a TENS device is no home device
        ("ist es wichtig wo die nadeln bei der akupunktur sitzen", "punkte", True),
        ("Wie lange dauert denn so eine Osteopathie-Sitzung ungefähr?", "behandlungsdauer", True),
        ("Welche Berufsgruppen dürfen Akupunktur durchführen?", "anbieter", True),
        ("How does a TENS device work on the back?", "geraet", False),
        ("Which TENS device should I buy for home?", "geraet", True),
        # how well studied, and an experience told as proof
        ("Wie gut sind passive Behandlungen insgesamt untersucht?", "nachweis", True),
        ("Nach dem Ultraschall ging es mir wirklich besser. Das beweist doch, dass er wirkt?", "erfahrung", True),
        # "how much better" asks how much it helps, no price; "how much is it" does
        ("PENS has needles and current, so how much better than TENS is it?", "preis", False),
        ("How much is one session of PENS?", "preis", True),
        # going on alone at home; how long to lie on a mat, in Saxon
        ("Kann ich die Mobilisation zu Hause alleine weitermachen?", "selbst_machen", True),
        ("Wie lange muss mor da druff liechn?", "behandlungsdauer", True),
        # catching something from the needles, a skin that heals badly
        ("Kann man sich da mit den Nadeln nicht etwas einfangen?", "infektion", True),
    ],
)
def test_details_are_found_in_everyday_words(text, detail, found) -> None:
    assert (detail in extracted(text, "detail")) == found


@pytest.mark.parametrize(
    "text",
    [
        "sol ich die PENS machen lasen? ich hab diabetes",
        "Meine Mutter hat Osteoporose. Halten Sie eine Manipulation in ihrem Fall für vertretbar?",
        "Ist eine Traktion bei meiner Anamnese indiziert?",
        "Ich habe Diabetes. Ist Akupunktur für meinen Rücken da eine gute Idee?",
    ],
)
def test_a_question_about_the_persons_own_case_is_personal(text) -> None:
    assert extracted(text, "personal") == {"true"}


def test_a_personal_question_that_needs_a_silence_first_closes_with_the_pages_referral(kb, interface) -> None:
    # "nehm Eliquis wegen Vorhofflimmern, soll ich die Akupunktur trotzdem machen?": the page is silent
    # on the condition, so that comes first, and the page's own referral closes the answer
    answer = ask(kb, interface, ["akupunktur"], ["risiken"], personal=True, conditions=("Vorhofflimmern",))
    assert "Vorhofflimmern" in answer.body.split(".")[0]
    assert answer.claims[-1] == "allgemein.einzelfall"
    assert answer.body.endswith(kb.claims["allgemein.einzelfall"].text)


def test_what_are_the_risks_asks_for_the_risks_not_what_the_treatment_is() -> None:
    assert extracted("Was sind eigentlich die Risiken bei Akupunktur, und zahlt das die Kasse?", "asked") == {
        "risiken",
        "kosten",
    }
    assert extracted("Was sind die Nebenwirkungen von Massage?", "asked") == {"risiken"}
    # a treatment between "was ist" and the next question: both are asked
    assert extracted("Was ist TENS und was kostet es?", "asked") == {"methode", "kosten"}
    # two sentences: "Was ist es?" asks what it is, even where a filler stands before the next one
    assert extracted("Was ist es? Hilft es?", "asked") == {"methode", "wirksamkeit"}
    # a detail of another aspect right after it: "What does the evidence say?" asks whether it helps
    assert "methode" not in extracted("Short-wave diathermy – what does the evidence say?", "asked")
    assert extracted("What does TENS do?", "asked") == {"methode"}


def test_clinicians_and_formal_letters_ask_their_aspect_in_their_own_words() -> None:
    # a definition or an abbreviation asks what the treatment is
    assert extracted("Gelenkmobilisation – Definition laut Quelle?", "asked") == {"methode"}
    assert extracted("PENS – Abkürzung und Verfahren?", "asked") == {"methode"}
    # for whom it is not suitable asks for the risks
    text = "Ich bitte um Auskunft, für welche Personen eine ruckartige Gelenkmanipulation nicht geeignet ist."
    assert extracted(text, "asked") == {"risiken"}
    assert extracted("Kontraindikationen der Traktion?", "asked") == {"risiken"}
    # which treatment is preferable asks about the active ones
    assert "aktiv" in extracted("Welche Behandlungsformen wären nach aktuellem Kenntnisstand vorzuziehen?", "detail")


def test_details_in_other_word_forms() -> None:
    # the crack as a past participle; sessions in a compound; doing it oneself at home
    assert "knacken" in extracted("Beim Einrenken hat es laut geknackt. Ist da was kaputt?", "detail")
    assert "sitzungen" in extracted("Wie viele Akupunktursitzungen braucht man, und in welchem Abstand?", "detail")
    assert "selbst_machen" in extracted("Kann ich die Mobilisation auch selbst zu Hause machen?", "detail")


def test_a_detail_asked_by_any_of_its_patterns_is_asked() -> None:
    # "Punkte" only told, but "wo … die Nadeln reinkommen" asked: the detail is asked
    found = DETAILS.extract("Ist es wichtig, wo die Nadeln reinkommen? Mein Arzt sagt, die Punkte sind alles.")
    assert [e.get("role") for e in found if e["value"] == "punkte"] == ["frage"]


def test_how_long_or_how_often_to_use_it_is_no_personal_question() -> None:
    assert "personal" not in {e["entity"] for e in DETAILS.extract("Wie lange soll ich das Tape drauflassen?")}
    assert "personal" in {e["entity"] for e in DETAILS.extract("Soll ich das Tape drauflassen?")}


def test_a_last_sentence_that_opens_with_and_and_a_verb_asks() -> None:
    # no question mark, but "und hat …" asks: its aspect counts beside the first question's
    assert "risiken" in extracted("was is besser, tape oder akupunktur? und hat eins davon nebenwirkungen", "asked")


@pytest.mark.parametrize(
    "text",
    ["Wirkprinzip?", "Wie es funktioniert?", "Wie soll so ein Gerät überhaupt gegen Schmerzen wirken?"],
)
def test_how_it_is_supposed_to_work_asks_the_method(text: str) -> None:
    assert "methode" in extracted(text, "asked")


def test_polite_forms_ask_nothing_about_the_person_while_dialect_and_clinical_ones_do() -> None:
    formal = "Da nur feine Nadeln verwendet werden, darf ich wohl davon ausgehen, dass Akupunktur frei von Nebenwirkungen ist."
    assert "true" not in extracted(formal, "personal")
    assert "true" not in extracted("Darf ich fragen, was eine Massage kostet?", "personal")
    assert "true" in extracted("Darf ich mit Marcumar zur Akupunktur?", "personal")
    assert "true" in extracted("I nimm ASS. Derf i do de PENS macha?", "personal")
    assert "true" in extracted("Ist TENS bei mir indiziert?", "personal")


def test_better_than_nothing_is_a_belief_not_a_comparison() -> None:
    text = "da kann man nix falsch machen mit akupunktur, besser als garnix oder?"
    assert "vergleich" not in extracted(text, "detail")
    assert {"safety", "benefit"} <= extracted(text, "premise")
    assert "vergleich" in extracted("Ist Akupunktur besser als Massage?", "detail")


def test_set_side_by_side_is_no_question_whether_one_helps_better(kb, interface) -> None:
    # "im Vergleich" says two are compared, not on what: the aspect asked decides
    method = "Wie funktioniert Interferenzstrom im Vergleich zu TENS?"
    assert "vergleich_offen" in extracted(method, "detail")
    assert "vergleich" not in extracted(method, "detail")
    compared = ask(kb, interface, ["interferenztherapie", "tens"], ["methode"], details=("vergleich_offen",))
    assert kb.details["vergleich_offen"].silent not in compared.body
    # nothing else asked: whether one helps better, which the page does not compare
    plain = ask(kb, interface, ["akupunktur", "massage"], ["wirksamkeit"], details=("vergleich_offen",))
    assert plain.body.startswith(kb.details["vergleich_offen"].silent)


def test_a_second_part_keeps_room_for_its_silence_and_the_nearest_fact(kb, interface) -> None:
    # "Thai-Massage oder klassische, welche ist besser? Und zahlt die Kasse?": the first part's
    # detail may not crowd the cost part down to a bare "sagt die Seite nicht"
    answer = ask(kb, interface, ["massage"], ["wirksamkeit", "kosten"], details=("vergleich", "formen", "krankenkasse"))
    assert "allgemein.igel" in answer.claims
    assert answer.claims[0] == kb.verdict("massage").id  # whether it helps was asked; the forms only came with it
    assert sentence_count(answer.body) <= MAX_SENTENCES_TWO_PARTS


def test_pain_during_the_treatment_is_answered_beside_whether_it_helps(kb, interface) -> None:
    assert "schmerzen_bei_behandlung" in extracted("Ist es normal, dass es während der Behandlung weh tut?", "detail")
    answer = ask(kb, interface, ["massage"], ["wirksamkeit"], details=("schmerzen_bei_behandlung",))
    assert {"massage.schmerzen", kb.verdict("massage").id} <= set(answer.claims)


def test_a_risk_the_page_is_silent_on_ends_with_who_can_tell_also_in_two_parts(kb, interface) -> None:
    # "hab nen herzschrittmacher, darf ich trotzdem elektrotherapie machen??": two parts, and still the referral
    # the group's own silence (knowledge/claims/elektrotherapie.yml), then what the page does say:
    # the devices send electrical stimuli into the nerves, and whether it helps
    answer = ask(kb, interface, ["elektrotherapie"], ["risiken", "wirksamkeit"], details=("herzschrittmacher",))
    assert answer.body.startswith(kb.silence("elektrotherapie", detail="herzschrittmacher").text)
    assert {"elektrotherapie.mechanismus", "elektrotherapie.nicht_belegt"} <= set(answer.claims)
    assert answer.body.endswith(interface.get("answer.refer_arzt"))
    personal = ask(
        kb, interface, ["elektrotherapie"], ["risiken", "wirksamkeit"], details=("herzschrittmacher",), personal=True
    )
    # the page's silence first; the bot decides nothing for them, said once, at the end
    assert personal.body.startswith(kb.silence("elektrotherapie", detail="herzschrittmacher").text)
    assert personal.claims[-1] == "allgemein.einzelfall"
    assert interface.get("answer.refer_arzt") not in personal.body
    assert sentence_count(personal.body) <= MAX_SENTENCES_TWO_PARTS


def test_a_member_of_a_group_takes_the_groups_silence_on_a_detail(kb, interface) -> None:
    for therapy in ("tens", "pens", "interferenztherapie"):
        answer = ask(kb, interface, [therapy], ["risiken"], details=("herzschrittmacher",))
        assert answer.body.startswith(kb.silence("elektrotherapie", detail="herzschrittmacher").text), therapy
        assert "elektrotherapie.mechanismus" in answer.claims, therapy
    # a treatment of no group keeps the general silence of knowledge/details.yml
    answer = ask(kb, interface, ["massage"], ["risiken"], details=("herzschrittmacher",))
    assert answer.body.startswith(kb.details["herzschrittmacher"].silent)


def test_two_kinds_of_one_treatment_are_told_apart_after_the_groups_verdict(kb, interface) -> None:
    # "Interferenzstrom ist doch stärker als TENS und deshalb besser belegt, oder?": the verdict holds
    # for the whole group and is said once; what tells them apart is what each one is
    answer = ask(kb, interface, ["interferenztherapie", "tens"], ["wirksamkeit"], details=("nachweis",), premise="tag")
    assert answer.claims[0] == "elektrotherapie.nicht_belegt"
    assert {"interferenztherapie.was_ist", "tens.was_ist"} <= set(answer.claims)
    assert sentence_count(answer.body) <= MAX_SENTENCES_TWO_PARTS
    # not in a risk answer: there each one's own silence or risk is what was asked
    risks = ask(kb, interface, ["tens", "pens"], ["risiken"])
    assert "tens.was_ist" not in risks.claims


def test_a_condition_the_page_is_silent_on_closes_with_who_can_tell(kb, interface) -> None:
    answer = ask(
        kb, interface, ["akupunktur"], ["risiken"], conditions=("Diabetes",), condition_kind=ConditionKind.CIRCUMSTANCE
    )
    assert answer.body.startswith("Was Diabetes für diese Behandlung bedeutet")
    assert answer.body.endswith(interface.get("answer.refer_arzt"))
    assert len(answer.claims) >= 2  # the referral takes no room of the page's facts
    # a state (a pregnancy): the referral comes first, in the note, and is not said twice
    state = ask(
        kb, interface, ["akupunktur"], ["risiken"],
        conditions=("die Schwangerschaft",), condition_kind=ConditionKind.STATE,
    )  # fmt: skip
    assert state.body.startswith(interface.get("answer.state_note", condition="die Schwangerschaft"))
    assert interface.get("answer.refer_arzt") not in state.body and len(state.claims) >= 2
    # also beside a risk the page is silent on, which otherwise says it more exactly than a condition's note
    both = ask(
        kb, interface, ["tens"], ["risiken"], details=("herzschrittmacher",),
        conditions=("die Schwangerschaft",), condition_kind=ConditionKind.STATE,
    )  # fmt: skip
    assert both.body.startswith(interface.get("answer.state_note", condition="die Schwangerschaft"))


def test_a_belief_about_who_pays_is_a_premise_and_leaves_the_agreement_tag() -> None:
    assert extracted("Die Diathermie wärmt tief, deshalb zahlt sie ja auch die Kasse. Reicht das?", "premise") == {
        "cost"
    }
    assert extracted("Akupunktur hilft, und die Kasse zahlt das ja, oder?", "premise") == {"cost", "tag"}


def test_the_words_of_an_aspect_are_found_with_a_typo() -> None:
    # "gefährlich*" alone is a stem, and stems take no typos; the whole word beside it does
    assert "risiken" in extracted("und wie gefärhlich is das einrenken eigentlich", "asked")
    assert "kosten" in extracted("zahlt das die krankenkase?", "asked")


def test_active_and_passive_side_by_side_in_any_form_ask_about_both() -> None:
    assert "passiv" in extracted("Unterschied zwischen aktiven und passiven Behandlungen?", "detail")


def test_needles_used_again_ask_about_infections_and_a_crackling_about_the_noise() -> None:
    assert "infektion" in extracted("Die Nadel wird nochmal benutzt für andere Patient?", "detail")
    assert "knacken" in extracted("Was isch des für a Gekrachse am Kreiz?", "detail")
    assert "ausgerenkt" in extracted("Isch do ebbes verrutscht?", "detail")


def test_how_it_is_meant_to_work_training_relief_and_a_hessian_question_are_read() -> None:
    # plural and "worauf beruht" ask how a treatment is meant to work
    assert "mechanismus" in extracted("Welche Wirkmechanismen nimmt man bei der Traktion an?", "detail")
    assert "mechanismus" in extracted("Worauf beruht eigentlich die Magnetfeldtherapie?", "detail")
    # "trained" asks who may offer it
    assert "ausbildung" in extracted("How do I know my osteopath is properly trained?", "detail")
    # pain gone afterwards, taken for granted, gets the verdict first
    assert "benefit" in extracted(
        "Der Chiro renkt das ein und dann ist der Schmerz weg. Wie oft muss ich hin?", "premise"
    )
    # Hessian "soll isch" asks for a decision about the person
    assert "true" in extracted("Soll isch des Tape trotzdem mache?", "personal")


def test_breaking_something_is_a_question_about_risks_and_a_belief_in_safety() -> None:
    assert "risiken" in extracted("Auf so einer Streckbank gestreckt werden, kann das was kaputt machen?", "asked")
    assert "safety" in extracted("Beim Tapen kann man ja nix kaputt machen, oder?", "premise")


def test_comparative_studies_asked_about_are_no_comparison_of_treatments() -> None:
    # "Warum reicht das nicht als Beweis, wozu braucht man Vergleichsstudien?" asks why experience
    # proves nothing, not which treatment is better
    found = extracted(
        "Bei vielen hat es geholfen. Warum reicht das nicht als Beweis, wozu Vergleichsstudien?", "detail"
    )
    assert "erfahrung" in found and "vergleich" not in found


def test_a_question_whether_a_treatment_goes_with_medicines_gets_the_silence_first(kb, interface) -> None:
    # "ich nehm schon ibuprofen, darf ich zusätzlich elektrotherapie machen oder verträgt sich das nich?"
    text = "ich nehm schon ibuprofen, darf ich zusätzlich elektrotherapie machen oder verträgt sich das nich?"
    assert "medikamente" in extracted(text, "detail")
    # a comparison with painkillers is no such question
    assert "medikamente" not in extracted("Hilft TENS besser als Schmerzmittel?", "detail")
    answer = ask(kb, interface, ["elektrotherapie"], ["risiken"], details=("medikamente",))
    assert answer.body.startswith(kb.details["medikamente"].silent)


def test_a_last_question_typed_without_a_mark_still_asks() -> None:
    text = "einrenken oder streckbank, hilft eins? und wie gefährlich ist das einrenken eigentlich"
    assert [text[a:b].strip() for a, b in DETAILS.question_spans(text)] == [
        "einrenken oder streckbank, hilft eins?",
        "und wie gefährlich ist das einrenken eigentlich",
    ]
    # its aspect counts beside the first question's
    asked = {e["value"] for e in DETAILS.extract(text) if e["entity"] == "asked"}
    assert {"wirksamkeit", "risiken"} <= asked
    # a sentence that ends in a period only tells
    told = "Hilft das? Wie es wirken soll, weiß keiner."
    assert [told[a:b].strip() for a, b in DETAILS.question_spans(told)] == ["Hilft das?"]


def test_which_is_better_studied_and_how_soon_it_helps_are_silences_of_their_own(kb, interface) -> None:
    assert extracted("Massage oder Osteopathie, was davon ist besser untersucht?", "detail") >= {"studienvergleich"}
    studied = ask(kb, interface, ["massage", "osteopathie"], ["wirksamkeit"], details=("vergleich", "studienvergleich"))
    assert studied.body.startswith(kb.details["studienvergleich"].silent)
    assert kb.details["vergleich"].silent not in studied.body
    # "Wat is'n nu besser …, Akupunktur oder Massage?" compares
    assert "vergleich" in extracted("Wat is'n nu besser jejen Rücken, Akupunktur oder Massage?", "detail")
    soon = "Wie lange muss ich das machen, bis es besser wird?"
    assert "wirkeintritt" in extracted(soon, "detail")
    answer = ask(kb, interface, ["tens"], ["wirksamkeit"], details=("wirkeintritt",))
    assert answer.body.startswith(kb.details["wirkeintritt"].silent)


def test_a_form_of_a_treatment_the_page_does_not_describe_gets_its_nearest_fact(kb, interface) -> None:
    # "Welche Arten von Akupunktur gibt es?": the page names none, but says where exactly the needles go
    # makes no difference (knowledge/claims/akupunktur.yml, silent: details [formen])
    forms = ask(kb, interface, ["akupunktur"], ["methode"], details=("formen",))
    assert forms.body.startswith(kb.silence("akupunktur", detail="formen").text)
    assert "akupunktur.punkte" in forms.claims
    # "Hilft Ohrakupunktur besser als normale?": the page compares none (said first, once), then whether
    # it helps and where the needles go, with no second sentence on what the page does not say
    better = ask(kb, interface, ["akupunktur"], ["wirksamkeit"], details=("formen", "vergleich"))
    assert better.body.startswith(kb.details["vergleich"].silent)
    assert kb.silence("akupunktur", detail="formen").text not in better.body
    assert {"akupunktur.kurzfristig", "akupunktur.punkte"} <= set(better.claims)


@pytest.mark.parametrize(
    ("text", "detail", "not_detail"),
    [
        ("Welche Behandlungsfrequenz ist bei Akupunktur üblich?", "sitzungen", "einstellungen"),
        ("What is the usual session frequency for massage?", "sitzungen", "einstellungen"),
        ("Welche Frequenz sollte das TENS-Gerät haben?", "einstellungen", "sitzungen"),
    ],
)
def test_how_often_one_goes_said_as_a_frequency_is_no_device_setting(text, detail, not_detail) -> None:
    found = extracted(text, "detail")
    assert detail in found and not_detail not in found


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("Was ist unter dem Begriff „passive Behandlung“ zu verstehen?", "passiv"),
        ("Welche Behandlungen werden anstelle passiver Maßnahmen empfohlen?", "aktiv"),
    ],
)
def test_formal_questions_for_what_passive_means_and_what_helps_instead(text: str, detail: str) -> None:
    assert detail in extracted(text, "detail")


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        # a formal opening: "in Erfahrung bringen" asks neither about experiences nor what it brings
        ("Ich möchte in Erfahrung bringen, ob bei einer Lasertherapie gesundheitliche Risiken bestehen.", {"risiken"}),
        ("Ich möchte in Erfahrung bringen, ob Massage etwas bringt.", {"wirksamkeit"}),
        ("Können diese Klebebänder die Haut reizen?", {"risiken"}),
        # "mit sich bringen": what comes with it, not whether it brings anything
        ("Welche Risiken bringt die Manipulation mit sich?", {"risiken"}),
        # a formal way to ask what something is
        ("Darf ich fragen, was es mit der Interferenztherapie auf sich hat?", {"methode"}),
    ],
)
def test_an_idiom_asks_nothing_and_the_aspect_asked_stays(text: str, asked: set[str]) -> None:
    assert extracted(text, "asked") == asked
    assert "erfahrung" not in extracted(text, "detail")


def test_whether_it_is_any_good_how_well_it_is_studied_and_whether_it_hurts_ask_an_aspect() -> None:
    # follow-ups the classifier read as a bare name or did not understand
    assert extracted("und taugt das was?", "asked") == {"wirksamkeit"}
    assert extracted("und wie gut ist das untersucht?", "asked") == {"wirksamkeit"}
    assert extracted("Ist das schmerzhaft?", "asked") == {"risiken"}
    # pain told in a story asks nothing about risks
    assert "risiken" not in extracted("Ich habe schmerzhafte Verspannungen. Hilft Massage?", "asked")


def test_a_learners_what_means_asks_what_a_treatment_is() -> None:
    assert extracted("What means einrenken?", "asked") == {"methode"}


def test_what_would_you_do_in_my_place_asks_for_personal_advice() -> None:
    assert extracted("was würdest du an meiner stelle machen", "personal") == {"true"}
