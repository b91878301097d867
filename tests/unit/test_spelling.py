"""actions/spelling.py: one typo per word put right before the planner reads a question."""
from __future__ import annotations

from collections import Counter

import pytest

from actions.spelling import Speller, vocabulary

WORDS = vocabulary({"facts": ["The CSM test takes 60 minutes; you need 37 correct answers to pass, passing is 74%.",
                              "The certification is valid for two years; renewal needs 20 SEUs.",
                              "project managers, mail, change, the trainer protects the team", r"\bminus\b",
                              "how long is the course, its length, a scrum master, from a form, sitting"]})
KEEP = Counter({"write": 1, "simple": 1, "forget": 1, "mastr": 11, "master": 199, "setting": 7, "sitting": 1})


@pytest.mark.parametrize("typed, meant", [
    ("how long is the csm vaild for", "how long is the csm valid for"),
    ("how many minuts for the test", "how many minutes for the test"),
    ("whats the pasing score", "whats the passing score"),
    ("what does renewl need", "what does renewal need"),
    ("how lnog is the tset", "how long is the test"),  # four letters: two swapped inside
    ("course lenght", "course length"),  # six letters or more: the last two swapped too
    ("scrum mastr course", "scrum master course"),  # people write it, but "master" far more often
])
def test_a_typo_is_put_right(typed: str, meant: str) -> None:
    assert Speller(WORDS, keep=KEEP).correct(typed)[0] == meant


@pytest.mark.parametrize("text", [
    "is the csm valid for two years",  # known words
    "i manage projects",  # a known word with an ending: "projects" is no typo of "protects"
    "it was mailed to me and it changed",  # endings
    "can i write the test",  # a word people write (data/nlu) stays
    "how much in berlin",  # nothing that close: stays
    "is the tst hard",  # too short to guess
    "is the tets hard",  # four letters: only two swapped inside are put right, not the last two
    "from the form",  # both known
    "a setting of the sitting",  # people write "setting" more often than "sitting": no typo
    "a" * 60,  # far too long
])
def test_a_word_is_left_alone(text: str) -> None:
    assert Speller(WORDS, keep=KEEP).correct(text)[0] == text


def test_the_entities_move_with_the_text() -> None:
    text = "is the minuts renewl like the psm for csm"
    entities = [{"entity": "other_certification", "value": "PSM", "start": 30, "end": 33},
                {"entity": "certification", "value": "CSM", "start": 38, "end": 41}]
    assert [text[e["start"]:e["end"]] for e in entities] == ["psm", "csm"]
    fixed, moved = Speller(WORDS).correct(text, entities)
    assert fixed == "is the minutes renewal like the psm for csm"
    assert [fixed[e["start"]:e["end"]] for e in moved] == ["psm", "csm"]


def test_regular_expressions_give_their_words_not_their_escapes() -> None:
    assert "minus" in WORDS and "bminus" not in WORDS


def test_the_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from actions import spelling

    monkeypatch.setattr(spelling, "CACHE_SIZE", 5)
    speller = Speller(WORDS)
    for i in range(20):
        speller.meant("qwert" + "abcdefghijklmnopqrst"[i] * 2)
    assert len(speller._cache) <= 5


def test_shorthand_is_read_as_the_word_it_stands_for_whatever_its_length() -> None:
    speller = Speller(WORDS, keep=KEEP, shorthand={"teh": "the", "exm": "exam", "lon": "long", "u": "you"})
    assert speller.correct("how lon is teh csm exm, can u tell")[0] == "how long is the csm exam, can you tell"
    # whole words only: "exm" inside another word, or a known word, stays
    assert speller.correct("the exmaple is long")[0] == "the exmaple is long"
    # shorthand with a slash: "w/o" is "without" (not inside a path or a URL)
    speller = Speller(WORDS, keep=KEEP, shorthand={"w/o": "without", "w/": "with"})
    assert speller.correct("cspo w/o an exam, possible? w/ a course")[0] == "cspo without an exam, possible? with a course"
    assert speller.correct("see a/w/o/x")[0] == "see a/w/o/x"


def test_american_spellings_are_read_as_the_british_ones_the_knowledge_uses() -> None:
    """"maximizing" (even when people write it in data/nlu) is the knowledge's "maximising"; a word with no
    British form in the knowledge ("after", "color", "license" when the knowledge spells it so) stays."""
    words = Counter({"maximising": 3, "prioritises": 1, "licence": 2, "behaviour": 1, "analyse": 1, "centre": 1,
                     "after": 5, "license": 1})
    speller = Speller(words, keep=Counter({"maximizing": 1}))
    assert speller.correct("who is maximizing value")[0] == "who is maximising value"
    assert speller.correct("who prioritizes the backlog and has to analyze it")[0] == \
        "who prioritises the backlog and has to analyse it"
    assert speller.correct("what behavior, at the center")[0] == "what behaviour, at the centre"
    for text in ("after the course", "the license agreement", "what color is it"):
        assert speller.correct(text)[0] == text


@pytest.mark.parametrize("typed, meant", [
    ("the CSPO training is 16h right?", "the CSPO training is 16 hours right?"),
    ("is the test 60mins", "is the test 60 minutes"),
    ("is it 2 x 8hrs", "is it 2 x 8 hours"),
    ("renewal is 100usd?", "renewal is 100 USD?"),
    ("CSM exam is 90 min right?", "CSM exam is 90 minutes right?"),  # after a space: only min, mins, hr, hrs
    ("is it 8 hrs", "is it 8 hours"),
])
def test_a_unit_against_its_number_is_read_as_its_word(typed: str, meant: str) -> None:
    """ "the CSPO training is 16h right?" got the prerequisites: "16h" was no word of the knowledge."""
    assert Speller(WORDS, keep=KEEP).correct(typed)[0] == meant


def test_a_letter_after_a_number_that_is_no_unit_stays() -> None:
    assert Speller(WORDS, keep=KEEP).correct("is psm1 like csm")[0] == "is psm1 like csm"
    assert Speller(WORDS, keep=KEEP).correct("what is the min score")[0] == "what is the min score"


@pytest.mark.parametrize("typed, meant", [
    ("what does renewwal need", "what does renewal need"),  # a letter typed twice
    ("whats the passsing score", "whats the passing score"),
    ("is my certifacation valid", "is my certification valid"),  # a vowel for another, in a long word
    ("how many minites", "how many minutes"),
])
def test_a_doubled_letter_or_a_vowel_mistaken_in_a_long_word_is_put_right(typed: str, meant: str) -> None:
    """"how much experiance do i need for a-csm" got "I don't have the price": "experiance" was no word of the
    knowledge, so "how much" read as a price."""
    assert Speller(WORDS, keep=KEEP).correct(typed)[0] == meant


def test_a_vowel_in_a_short_word_stays() -> None:
    # "vilid" is one vowel from "valid", but short words turn into other words that way ("later"/"liter")
    assert Speller(WORDS, keep=KEEP).correct("is it vilid")[0] == "is it vilid"


def test_an_acronym_in_a_sentence_is_no_shorthand() -> None:
    """"do i need experience before taking csm? i work in HR": "HR" is no "hour" (the course length was added)."""
    speller = Speller(WORDS, keep=KEEP, shorthand={"hr": "hour"})
    assert speller.correct("i work in HR")[0] == "i work in HR"
    assert speller.correct("is it 16 hr")[0] == "is it 16 hours"
    assert speller.correct("IS IT 16 HR")[0] == "IS IT 16 hours"  # all in capitals: no acronym to tell apart


def test_numbers_in_words_become_figures_whole() -> None:
    """"do I need forty SEUs to renew?" matched nothing ("20 SEUs" in the knowledge); "twenty-four months" must
    not become "20-four months" (it got "No." before the CSP's 24 months)."""
    speller = Speller(WORDS, keep=KEEP, shorthand={"twenty": "20", "forty": "40"})
    assert speller.correct("do i need forty seus")[0] == "do i need 40 seus"
    assert speller.correct("twenty-four months or thirty seven correct")[0] == "24 months or 37 correct"


def test_a_shorthand_is_no_stem_of_an_inflected_word() -> None:
    """"renwal fe csm" stayed as typed: "renw" (shorthand for "renew", so a word of the knowledge files) made
    "renwal" look like a known word with the ending "al"."""
    words = WORDS + Counter({"renw": 1})
    speller = Speller(words, keep=KEEP, shorthand={"renw": "renew"})
    assert speller.correct("renwal fee")[0] == "renewal fee"
    assert speller.correct("renw it")[0] == "renew it"


def test_a_four_letter_word_with_its_last_two_swapped_only_into_a_frequent_word() -> None:
    """"csm exm tiem limit?" kept "tiem" (only letters swapped inside were put right in four-letter words)."""
    words = WORDS + Counter({"time": 25, "capm": 1})
    speller = Speller(words, keep=KEEP)
    assert speller.correct("tiem limit")[0] == "time limit"
    assert speller.correct("boot camp")[0] == "boot camp"  # "capm" is rare in the knowledge: "camp" stays


SPELLED = {"csm": "csm", "cspo": "cspo", "acsm": "a-csm", "acspo": "a-cspo", "psm": "psm", "csppo": "csp-po"}


@pytest.mark.parametrize("typed, meant", [
    ("how many questions are on the c s p o test", "how many questions are on the cspo test"),
    ("what percent do you need on the p s m 1", "what percent do you need on the psm 1"),
    ("experience after the a c s p o course", "experience after the a-cspo course"),  # "the a ...": the A of A-CSPO
    ("can i get a c s m without a course", "can i get a csm without a course"),  # "get a ...": the article
    ("my a c.s.m. class", "my a-csm class"),
    ("a c s m class is how long", "a csm class is how long"),
    ("before the c s p p o", "before the csp-po"),
    ("do i c s m or c s p o", "do i csm or cspo"),
    # letters dictated by their names
    ("how many hours is the see ess em course", "how many hours is the csm course"),
    ("is there a see ess pee oh test", "is there a cspo test"),  # the article
    ("the ay see ess em course", "the a-csm course"),
])
def test_a_name_said_letter_by_letter_is_written_as_one_word(typed: str, meant: str) -> None:
    """Voice typing: "how many questions are on the c s p o test" named no certification (the NLU found none, and
    the planner took the CSM test's fact); "p s m 1" got the CSM's pass mark, not the PSM I's."""
    assert Speller(WORDS, keep=KEEP, spelled=SPELLED).correct(typed)[0] == meant


@pytest.mark.parametrize("text", ["i a m here", "is it a b test", "x y z", "c s", "I see. es ok", "oh see em", "see you"])
def test_single_letters_that_spell_no_name_stay(text: str) -> None:
    assert Speller(WORDS, keep=KEEP, spelled=SPELLED).correct(text)[0] == text


def test_a_name_said_letter_by_letter_moves_the_entities_after_it() -> None:
    text, entities = Speller(WORDS, keep=KEEP, spelled=SPELLED).correct(
        "the c s m test for developers", [{"entity": "role", "start": 19, "end": 29}])
    assert text == "the csm test for developers" and text[entities[0]["start"]:entities[0]["end"]] == "developers"
