"""The words an honest "I don't know" names (actions/restate.py)."""
import pytest

from actions.compose import get_planner
from actions.decision import Context, Turn
from actions.question_text import quotable
from actions.restate import MAX_PHRASES, MAX_WORDS, phrases_asked, words_not_known


def test_one_two_and_three_words_are_named_in_order_each_once() -> None:
    assert words_not_known(["pause"]) == '"pause"'
    assert words_not_known(["pause", "break"]) == '"pause" or "break"'
    assert words_not_known(["Logo", "seal", "logo", "frame"]) == '"Logo", "seal" or "frame"'  # (as first typed)


def test_nothing_is_named_when_there_is_nothing_plain_or_too_much() -> None:
    assert words_not_known([]) is None
    assert words_not_known(["a", "b", "c", "d"][: MAX_WORDS + 1]) is None  # (single letters are no words either)
    assert words_not_known(["one", "two", "three", "four"]) is None  # four words: no longer what it is about
    assert words_not_known(["<script>"]) is None and words_not_known(['"quoted"']) is None
    assert words_not_known(["x" * 40]) is None


DISCOUNTS = "I don't know about discounts, refunds, cancellations or payment terms."


@pytest.mark.parametrize("question, keywords, said, expected", [
    ("is there a student discount for the cspo course", ["discount"], DISCOUNTS, ("student discount",)),
    ("my company wants to send 10 people, is there a group discount", ["group", "discount"], DISCOUNTS, ("group discount",)),
    ("how much is the CSM in London", ["london"], "I don't know one trainer's price in a city.", ("London",)),  # as typed
    ("is there a discount", ["discount"], DISCOUNTS, ()),  # the unknown's words say it already
    ("can I get my csm test result right away?", ["result", "right", "away"], "I don't know when you see your test result.", ()),
    ("is the cspo course offered in japanese", ["offered", "japanese"], "in which languages courses are offered", ("japanese",)),
    ("a b c discount or d e f refund or g h i coupon", ["discount", "refund", "coupon"], "I don't know.", ()),  # too many
])
def test_what_a_question_asks_about_is_named_in_its_words(question: str, keywords: list, said: str, expected: tuple) -> None:
    """A known unknown said only its own words ("I don't know about discounts, refunds ..."), so "is there a student
    discount?" never heard "student discount" back; the words next to a keyword that are no frame word ("right",
    "away", "is") nor a name ("cspo") make up what is named, and none when the unknown says every keyword already."""
    assert phrases_asked(question, keywords, said, ["cspo", "csm"]) == expected
    assert len(expected) <= MAX_PHRASES


def test_a_known_unknown_names_what_was_asked_first() -> None:
    planner = get_planner()
    d = planner.plan(Turn("is there a student discount for the cspo course", "ask_cost", 0.9, ()), Context())
    assert d.unknown is not None and d.restated == '"student discount"'
    assert d.trace()["asked_about"] == ["student discount"]  # (the workbench's "why this answer")
    d = planner.plan(Turn("is there a discount for the cspo course", "ask_cost", 0.9, ()), Context())
    assert d.unknown is not None and d.restated == ""


@pytest.mark.parametrize("text, expected", [
    ("if I retake the CSM test, will I see the same questions again?", "will I see the same questions again"),
    ("ok so what level of English do I need for the CSM test??", "what level of English do I need for the CSM test"),
    ("is there homework before the cspo course?", "is there homework before the cspo course"),
    # (nothing quoted: a figure, alternatives, a limit, a negation, an obligation, two questions, a statement, a page,
    # markup, one word, too many words)
    ("is the A-CSM valid for 3 years?", ""), ("in what order, course first or test first?", ""),
    ("are SEUs only from paid courses?", ""), ("can't I pause the test?", ""), ("do I have to retake the course?", ""),
    ("does the course count as seus and how many?", ""), ("I'll get a job then", ""),
    ("where can I check the details officially?", ""), ("what is <b>this</b>?", ""), ('what is "this"?', ""),
    ("why?", ""), ("what " + "very " * 14 + "long?", ""),
])
def test_an_honest_not_known_quotes_only_a_plain_question(text: str, expected: str) -> None:
    """Quoted beside "I don't know", a question's figure, alternatives or limits read as stated (sets 3, 25, 35, 43
    and 46 count them as wrong facts), so only a plain question of words is quoted."""
    assert quotable(text) == expected


def test_an_honest_not_known_naming_nothing_else_quotes_the_question() -> None:
    """"I don't know that" did not say what was not known (sets 43, 45 and 46 want the subject named); the question's
    own words say it. What was asked for in plain words ("the price") is still named that way."""
    planner = get_planner()
    unknowns = planner.unknowns
    quoted = "will I see the same questions again"
    said = f'I don\'t know the answer to "{quoted}": it isn\'t in my sources, so I won\'t guess.'
    assert unknowns.opening((), quoted=quoted) == said
    assert unknowns.opening(("count",), "A-CSPO", quoted="how many points do I need").startswith(
        'I don\'t know the answer to "how many points do I need"')
    assert unknowns.opening(("price",), quoted="how much is the A-CSM course").startswith("I don't know the price")
    assert unknowns.opening((), quoted=quoted, restated='"pause"') == unknowns.opening((), restated='"pause"')
    decision = planner.plan(Turn.from_message({"text": "if I retake the CSM test, will I see the same questions again?",
                                               "intent": {"name": "ask_requirements", "confidence": 0.9}, "entities": []}),
                            Context())
    assert decision.kind == "not_known" and decision.quoted == quoted
