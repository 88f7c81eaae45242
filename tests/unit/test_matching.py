"""components/matching.py: how the word lists read a message (dialect and everyday words)."""

from __future__ import annotations

import pytest

from components.matching import (
    Rule,
    compile_group,
    compile_pattern,
    crosses_a_sentence_end,
    find,
    first_match,
    matches_of,
    question_spans,
    sentence_spans,
    tokenize,
)


def matches(pattern: str, text: str) -> list[bool]:
    """For each match of `pattern` in `text`: is it negated?"""
    return [m.negated for m in find(compile_pattern(pattern), tokenize(text))]


def test_dialect_words_are_read_as_standard_german() -> None:
    assert matches("wie oft", "Wia oft muaß i des Tape wechseln?") == [False]
    assert matches("ich bin", "I bin 70 und hob Kreuzweh") == [False]
    # "at home" in the south and the east: a device for home ("Gibt's des ooch für dahoam?")
    assert matches("für zuhause", "Gibt's des ooch för dähääme?") == [False]
    # Swiss, Bavarian and Kölsch question words ("Cha bi de Mobilisation öppis passiere?")
    assert matches("kann bei", "Cha bi de Mobilisation öppis passiere?") == [False]
    assert matches("hilft das", "Huift des bei am kaputtn Kreiz?") == [False]
    assert matches("was gibt es", "Wat jibt et denn so für Behandlungen?") == [False]
    # Bavarian "ko" (kann) and Franconian "gosdn" (kostet)
    assert matches("was kann ... passieren", "Und wos ko do bassiern?") == [False]
    assert matches("was kostet", "Und was gosdn das?") == [False]
    # Swiss German: "söu" (soll), "Chopfweh" (Kopfweh); Bavarian "Seitn" (Seite)
    assert matches("wie soll ... wirken", "Wie söu das Tape überhoupt wirken?") == [False]
    assert matches("kopfweh", "Hilft Massasch au bi Chopfweh?") == [False]
    assert matches("genau ... seite", "Wos steht do jetzt genau auf dera Seitn?") == [False]
    # "is'n" (ist denn), Alemannic "gege" (gegen) and "öbbis" (etwas), Swabian "ond" (und), "Koschta"
    assert matches("was ist das", "Was is'n das, die Draktion?") == [False]
    assert matches("etwas gegen", "Hilft dr Ultraschall öbbis gege Ruggeweh?") == [False]
    assert matches("und ... kosten", "Ond d Koschta?") == [False]
    # "hilft'n" (hilft denn), Kölsch "brängk" (bringt) and "Nevvewirkunge"
    assert matches("hilft das", "Un hilft'n das ooch?") == [False]
    assert matches("bringt ... überhaupt", "Un brängk dä övverhaupt jet?") == [False]
    assert matches("nebenwirkungen", "Un Nevvewirkunge?") == [False]
    # Low German "hölpt" (hilft), "Övungen" (Übungen), "sülvst" (selbst)
    assert matches("übungen hilft", "Wat för Övungen hölpt denn, wenn ik sülvst wat doon will?") == [False]
    assert matches("selbst", "wenn ik sülvst wat doon will") == [False]
    # Low German "eegentlich", "düsse", "Nadels"
    assert matches("was ist das eigentlich diese", "Wat is dat eegentlich, düsse Akupunktur?") == [False]
    assert matches("nadeln", "Wo schall dat mit de Nadels wirken?") == [False]


def test_a_pattern_written_in_dialect_is_read_the_same_way() -> None:
    # an editor's pattern in dialect finds the standard words, and the other way round
    assert matches("koa hoffnung mehr", "hab kein Hoffnung mehr") == [False]
    assert matches("wie oft", "wia oft") == [False]


def test_a_dialect_no_negates_like_kein() -> None:
    assert matches("fieber", "i hob koa Fieber") == [True]
    assert matches("fieber", "i hob a Fieber") == [False]


def test_a_negator_denies_nothing_after_the_end_of_its_sentence() -> None:
    # "Kein Fieber. Taub im Bein": the numbness is told, not denied
    assert matches("taub", "Kein Fieber. Taub im Bein seit heute") == [False]
    assert matches("kann ich trotzdem", "Ich vertrage keine Öle. Kann ich trotzdem zur Massage?") == [False]
    # within the sentence it still denies
    assert matches("taub*", "Kein taubes Bein, nur Ziehen") == [True]


def test_a_match_of_words_in_a_row_over_a_sentence_end_is_marked() -> None:
    def crossing(pattern: str, text: str) -> list[bool]:
        tokens = tokenize(text)
        return [crosses_a_sentence_end(m, tokens) for m in find(compile_pattern(pattern), tokens)]

    # "Bringt des Einrenkn übahaupt wos? Is ma …": "wos? Is" is no "was ist"
    assert crossing("was ist", "Bringt des Einrenkn übahaupt wos? Is ma jo eh nix ausgrenkt") == [True]
    assert crossing("was ist", "Und was ist das genau?") == [False]
    # a gap may cross a sentence's end (the lists' "..." patterns were written so)
    assert crossing("kann ... nicht", "Ich kann. Nicht mehr") == [False]


def test_only_whole_words_are_replaced() -> None:
    # "Wiese" holds no "wie", "Isch" (Cologne: ich; Swabian: ist) is in no list
    assert [t.norm for t in tokenize("Wiese isch")] == ["wiese", "isch"]


def test_a_match_inside_an_unless_phrase_is_skipped() -> None:
    from components.matching import compile_group, first_match

    kater, unless = compile_group(["kater"]), compile_group(["muskel kater"])
    assert first_match(kater, tokenize("danach Muskel Kater"), unless=unless) is None
    assert first_match(kater, tokenize("mein Kater hat Muskel Kater"), unless=unless) is not None


@pytest.mark.parametrize(
    "text",
    [
        "meine Lähmunng",  # a letter added
        "meine Lämung",  # a letter left out
        "meine Lähmunf",  # a letter changed
        "meine Lähmnug",  # two letters swapped
        "eine ... Lähmung",  # spelled right, after other words
        "Lähmung und Taubheit",  # at the start
    ],
)
def test_a_long_word_is_found_with_one_slip_anywhere_in_it(text: str) -> None:
    # the quick test that skips patterns whose words are missing (`_could_match`) must let every
    # one-slip spelling through
    assert matches("lähmung", text) == [False]


@pytest.mark.parametrize("text", ["meine Lämunf", "meine Lähmungen", "meine Lahm"])
def test_two_slips_or_another_word_are_no_match(text: str) -> None:
    assert matches("lähmung", text) == []


def test_a_word_of_a_phrase_that_is_missing_rules_the_phrase_out() -> None:
    assert matches("kann ... nicht laufen", "ich kann heute nicht laufen") == [False]
    assert matches("kann ... nicht laufen", "ich kann heute nicht gehen") == []
    assert matches("bein* ... taub", "Bein ist taub") == [False]  # a stem with a word after it


def test_dictated_end_marks_end_a_sentence() -> None:
    text = "Hilft Akupunktur beim Rauchen aufhören Fragezeichen Ich rauche seit Jahren Punkt"
    assert [text[a:b].strip() for a, b in question_spans(text)] == [
        "Hilft Akupunktur beim Rauchen aufhören Fragezeichen"
    ]
    text = "Tabletten vertrage ich nicht Punkt Wäre TENS was für mich Fragezeichen"
    assert len(sentence_spans(text)) == 2
    # a point of a matter is no end mark
    assert len(sentence_spans("Das ist der wunde Punkt der Sache. Hilft TENS?")) == 2
    # where other marks are said aloud too, "Punkt" may end a sentence before a word in lower case
    text = "ich bin 53 Komma habe Rückenschmerzen Punkt vorher hatte ich Massagen Punkt was kostet das Fragezeichen"
    assert len(sentence_spans(text, dictated=True)) == 3
    assert len(sentence_spans(text)) == 1  # the safety and scope rules read it as before
    # without them it does so only before a capital
    assert len(sentence_spans("Das ist der Punkt der mich stört. Hilft TENS?", dictated=True)) == 2


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Hilft z.B. TENS? Oder Massage?", 2),
        ("Das heißt d. h. nichts. Hilft es?", 2),
        ("Mir hilft u.a. Wärme. Und TENS?", 2),
        ("Ich bin 81. Darf ich das?", 2),
        # clinicians' abbreviations (knowledge/language.yml `abbreviations`)
        ("Evidenzlage Traktion bei chron. nichtspezif. Kreuzschmerz lt. IQWiG? Und für Tapes?", 2),
    ],
)
def test_abbreviations_of_several_letters_end_no_sentence(text: str, sentences: int) -> None:
    assert len(sentence_spans(text)) == sentences


def test_a_question_asked_as_a_statement_asks() -> None:
    text = "Sie sagt, das sei eine IGeL-Leistung. Ich weiß gar nicht, was das heißen soll. Hilft es denn?"
    assert [text[a:b].strip() for a, b in question_spans(text)] == [
        "Ich weiß gar nicht, was das heißen soll.",
        "Hilft es denn?",
    ]
    assert question_spans("Ich möchte wissen, ob TENS hilft.") == [(0, 33)]
    # a statement stays a statement
    assert question_spans("Ich habe Rückenschmerzen. Massage tut mir gut.") == []


SPEED_TEXTS = [
    "Kein Fieber. Taub im Bein seit heute",
    "Wia oft muaß i des Tape wechseln? I hob koa Fieber, aber mei Bein is taub.",
    "Ich habe keine Lähmunng, nur Rückenschmerzen, kann ich trotzdem zur Massage?",
    "Kreuzweh hob i, und d'Augn tun ma weh",
]
SPEED_PATTERNS = [
    "taub*", "fieber", "bein ... taub", "lähmung", "*schmerz*", "kann ich trotzdem", "koa hoffnung mehr", "*weh",
    "augen", "kreuz*", "*eu*",
]  # fmt: skip


@pytest.mark.parametrize("text", SPEED_TEXTS)
def test_remembered_matches_are_the_matches_of_a_plain_list(text: str) -> None:
    # the tokens of a text remember each pattern's matches; asked again, or as a plain list
    # (a sentence of the message), the answer is the same
    tokens = tokenize(text)
    assert tokenize(text) is tokens
    for source in SPEED_PATTERNS:
        pattern = compile_pattern(source)
        for typos in (True, False):
            first = find(pattern, tokens, typos)
            assert find(pattern, tokens, typos) == first == find(pattern, list(tokens), typos)


def test_a_new_pattern_never_gets_the_matches_remembered_for_an_old_one() -> None:
    # the memory is keyed by the pattern's id; a pattern that is gone could leave its id to a new
    # one (compiled patterns are kept alive by the tokens for that reason)
    import gc

    tokens = tokenize("mein Bein ist taub und ich habe Fieber")
    for _ in range(200):
        assert find(compile_pattern("fieber"), tokens) != ()
        gc.collect()
        assert find(compile_pattern("kopfweh"), tokens) == ()


def test_a_pattern_compiled_after_the_tokens_still_finds_its_slips() -> None:
    # the tokens work out once which pattern words their slips may stand for; a pattern compiled
    # later (tests, tools) must make them work it out again
    tokens = tokenize("Seit gestern so ein Zwickgefühll im Kreuz")
    assert find(compile_pattern("kreuz"), tokens) != ()
    assert find(compile_pattern("zwickgefühl"), tokens) != ()


def _groups_for(text: str) -> list[list[str]]:
    # a small group and a large one (more patterns than the message has words); patterns that need
    # the same word stand apart, some need only letters ("*schmerz*") and one needs nothing ("*eu*")
    words = [token.norm for token in tokenize(text)]
    large = [f"{word} ... zzz" for word in words] + [f"nie{i}wort" for i in range(60)]
    large[1:1] = SPEED_PATTERNS
    large += [f"{word} {other}" for word, other in zip(words, words[1:], strict=False)] + ["hohes fieber", "*eu*"]
    # and groups whose words the message holds one of or none, with and without one that needs nothing
    one_word = [f"{words[0]} ... zzz", f"{words[0]}", "nie1wort", "nie2wort ... kreuz"]
    return [SPEED_PATTERNS[:4], large, large[:-1], one_word, [*one_word, "*eu*"], ["nie3wort", "*eu*"], ["nie4wort"]]


@pytest.mark.parametrize("text", SPEED_TEXTS)
def test_a_group_picks_the_patterns_it_tries_without_changing_a_match(text: str) -> None:
    # a group tries only the patterns whose needed word the message holds; the matches, and the
    # first match, are those of trying every pattern of a plain list (as a sentence's tokens do)
    tokens = tokenize(text)
    for sources in _groups_for(text):
        group = compile_group(sources)
        plain = [compile_pattern(source) for source in sources]
        for typos in (True, False):
            every = [m for pattern in plain for m in find(pattern, list(tokens), typos)]
            assert list(matches_of(group, tokens, typos)) == every
            assert first_match(group, tokens, typos) == first_match(plain, list(tokens), typos)


@pytest.mark.parametrize("text", SPEED_TEXTS)
def test_a_rule_ruled_out_by_its_groups_needs_finds_what_trying_each_group_finds(text: str) -> None:
    # Rule.match first checks that each group's patterns can match at all; every pair of groups
    # (each group that can, can not, or holds a pattern that needs nothing) must give what trying
    # the groups one by one as plain lists gives
    tokens = tokenize(text)
    groups = [*_groups_for(text), ["nie7wort"], []]
    for first in groups:
        for second in groups:
            rule = Rule((compile_group(first), compile_group(second)))
            plain = [[compile_pattern(source) for source in group] for group in (first, second)]
            for typos in (True, False):
                each = [first_match(group, list(tokens), typos) for group in plain]
                expected = None if None in each else each
                assert rule.match(tokens, typos) == expected


def test_a_spelled_umlaut_is_read_as_the_umlaut_but_a_word_of_two_letters_stays() -> None:
    assert matches("rücken", "Ruecken") == [False] and matches("übelkeit", "Uebelkeit") == [False]
    # "UE" (unerwünschte Ereignisse) is no "u", the "und" of shorthand ("U so nes TENS-Grät?")
    assert matches("ue", "U so nes TENS-Grät?") == []
    assert matches("ue", "UE bei PENS?") == [False]
