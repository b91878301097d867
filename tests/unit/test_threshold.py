"""Yes or no before a fact that states a minimum (actions/threshold.py), and its use by the planner."""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

import pytest

from actions.compose import get_planner
from actions.decision import Context, Turn
from actions.threshold import Threshold

PASS = Threshold(minimum=37, of=50, percent=74)
SEUS = Threshold(minimum=20, unit="seus?|scrum education units?")


@pytest.mark.parametrize("question, expected", [
    ("is 72% enough to pass csm?", "no"),
    ("is 80 percent enough for the csm test", "yes"),
    ("if i get 36 out of 50 on csm do i pass?", "no"),
    ("I got 37/50, did I pass?", "yes"),
    # a full stop right after the score ended the sentence, not a decimal (set 49: "I got exactly 37. Did I ...?")
    ("I got 37. Did I pass the CSM?", "yes"),
    ("I got exactly 36. did I pass?", "no"),
    ("would i pass with 40 correct?", "yes"),
    ("i answered 30 right, is that a pass?", "no"),
    ("is the pass mark 80%?", "no"),            # a claim about the minimum that is not it
    ("is the pass mark 74%?", None),            # a true claim: the fact says it, no "yes" that might cover more
    ("do i need more than 30 correct answers?", None),  # a comparison: not read
    ("I got 36 out of 40 on a practice test, do I pass?", None),  # another total: not this test
    ("how many questions are on the test?", None),
    ("is 72% or 80% enough?", None),            # two numbers that disagree
    ("is 75% a pass on the csm", "yes"),        # "a pass": the user's own score, not the rule
    ("is 73% a passing score?", "no"),
    ("is 75% passing?", "yes"),
    ("scored 36/50 on csm. pass or fail?", "no"),
    ("is 75% the pass mark?", "no"),            # the rule itself: a claim
    ("is it true 98% pass the csm test?", None),  # that many people pass it: a pass rate, no score
    ("I got 36 on my CSM test, did I pass???", "no"),  # a bare number the user got: a score out of the 50
    ("I scored 45 on it, is that a pass", "yes"),
    ("I got 60 on it, pass?", None),  # more than the 50: not a score on this test
    ("I got 2 attempts, did I pass?", None),  # a number with a unit of its own
    ("I got 36 days left, will I pass?", None),
])
def test_pass_mark(question: str, expected: Optional[str]) -> None:
    assert PASS.answer(question) == expected


def test_units() -> None:
    assert SEUS.answer("I have 18 SEUs, can I renew?") == "no"
    assert SEUS.answer("if i have 25 scrum education units am i fine to renew") == "yes"
    assert SEUS.answer("do i need 30 SEUs to renew?") == "no"
    assert SEUS.answer("do i need 20 SEUs every year?") is None  # never a "yes" to a claim
    assert SEUS.answer("I have 18 PDUs, can I renew?") is None


def test_the_planner_puts_it_before_the_fact() -> None:
    planner = get_planner()
    d = planner.plan(Turn("is 72% enough to pass csm?", "ask_requirements", 0.9,
                          ({"entity": "certification", "value": "CSM", "start": 22, "end": 25},)), Context())
    assert d.fact is not None and d.fact.threshold is not None and d.polarity == "no"
    d = planner.plan(Turn("how many correct answers do I need on the csm test?", "ask_requirements", 0.9,
                          ({"entity": "certification", "value": "CSM", "start": 39, "end": 42},)), Context())
    assert d.polarity is None


@pytest.mark.parametrize("text, polarity", [
    ("took a mock test and got 38 out of 50. does that score clear the CSM pass mark?", "yes"),
    ("got 35 out of 50 on a practice run, would that reach the CSM pass mark?", "no"),
    # a mock exam's score, not the unknown practice tests (there are no official ones)
    ("did a mock exam and got 40 out of 50, does that clear the CSM pass mark?", "yes"),
])
def test_a_score_said_without_i_is_the_users_own(text: str, polarity: str) -> None:
    """"took a practice exam and got 38 out of 50 ... does that score clear the CSM pass mark?" got the CSM's path (no
    "I got", no "enough"): "got 38" and "does that score clear" say the number is the user's result."""
    at = text.index("CSM")
    d = get_planner().plan(Turn(text, "ask_requirements", 0.95,
                                ({"entity": "certification", "value": "CSM", "start": at, "end": at + 3},)), Context())
    assert (d.rule, d.fact and d.fact.id, d.polarity) == ("threshold", "csm_pass_mark", polarity), d.trace()


def test_a_figure_put_against_a_neighbours_minimum_gets_that_fact() -> None:
    """"if I've only been a product owner for 8 months, can I get the A-CSPO yet?" got the A-CSPO's course (its words
    fit as well): the user's own months go against the 12 months of experience, "No." first."""
    text = "I've been working as a product owner for 7 months only, can I go for the A-CSPO now?"
    at = text.index("A-CSPO")
    d = get_planner().plan(Turn(text, "ask_requirements", 0.6,
                                ({"entity": "other_certification", "value": "A-CSPO", "start": at, "end": at + 6},)), Context())
    assert (d.fact and d.fact.id, d.polarity) == ("acspo_experience", "no"), d.trace()
    # ... also when the question alone would ask what the A-CSM is ("Can I get the A-CSM now?", after the user's months)
    text = "I've been a Scrum Master for 8 months. Can I get the A-CSM now?"
    at = text.index("A-CSM")
    d = get_planner().plan(Turn(text, "ask_continuous_learning", 0.75,
                                ({"entity": "other_certification", "value": "A-CSM", "start": at, "end": at + 5},)), Context())
    assert (d.fact and d.fact.id, d.polarity) == ("acsm_experience", "no"), d.trace()
    # ... but "what's the A-CSM?" with no figure of the user's is what it is
    d = get_planner().plan(Turn("what's the A-CSM?", "ask_certification_info", 0.9,
                                ({"entity": "other_certification", "value": "A-CSM", "start": 11, "end": 16},)), Context())
    assert d.rule == "neighbour", d.trace()


def test_whether_the_user_failed_is_the_other_way_round() -> None:
    threshold = get_planner().index.book.facts["csm_pass_mark"].threshold
    assert threshold is not None
    assert threshold.answer("I got 36 right, did I pass?") == "no"
    assert threshold.answer("I got 36 right, did I fail?") == "yes"
    assert threshold.answer("I got 40 right, so did i fail?") == "no"
    assert threshold.answer("i scored 38 of 50, is that a fail?") == "no"
    assert threshold.short_of("I got 36 right, did I fail?") == (36, 37)


def test_a_short_question_on_the_figure_said_before_the_last_fact() -> None:
    """"so did i fail?" after "i got 36 right" after the pass mark: the user's 36 against the pass mark (it got the
    free attempts: "fail" fits them); a question with a figure of its own, or naming a certification, asks on its own."""
    planner = get_planner()
    context = Context(certification="CSM", topic="requirements", fact="csm_pass_mark", question="i got 36 right")
    d = planner.plan(Turn("so did i fail?", "out_of_scope", 0.54, (), unsure=True), context)
    assert (d.rule, d.fact and d.fact.id, d.polarity) == ("threshold_of_last", "csm_pass_mark", "yes"), d.trace()
    assert d.worked_out.startswith("36 is 1 short"), d.trace()
    d = planner.plan(Turn("is that enough?", "ask_requirements", 0.6, ()), replace(context, question="i got 38 right"))
    assert (d.rule, d.polarity) == ("threshold_of_last", "yes"), d.trace()
    for text in ("and if I get 40?", "and the cspo?"):
        d = planner.plan(Turn(text, "ask_requirements", 0.6, ()), context)
        assert d.rule != "threshold_of_last", d.trace()
    d = planner.plan(Turn("so did i fail?", "out_of_scope", 0.54, (), unsure=True), replace(context, question="thanks"))
    assert d.rule != "threshold_of_last", d.trace()
