""""No." before a fact that states a claimed figure otherwise (actions/claims.py), and its use by the planner."""
from __future__ import annotations

from typing import Optional

import pytest

from actions.claims import contradicts, figures
from actions.compose import get_planner
from actions.decision import Context, Turn

COURSE = "The CSM course is a live course of 16 hours with a Certified Scrum Trainer."
TEST = "The CSM test has 50 multiple-choice questions, and you have 60 minutes to answer them."
RETAKE = "After your two free attempts at the CSM test, each further attempt costs 25 USD."
PRICE = "Each trainer sets the price of the CSM course: public listings run from about 250 to 2,500 USD."
ADVANCED = "The A-CSM needs a course of at least 16 hours, with course work set by the educator."
WINDOW = "Your two free attempts at the CSM test must be used within 90 days of the welcome email."


@pytest.mark.parametrize("question, answer, expected", [
    ("my colleague said the CSM class is 24 hours over three days, is that right?", COURSE, None),  # "over": compared
    ("my colleague says the csm class is 24 hours, is that right?", COURSE, "no"),
    ("is the csm course 8h?", COURSE, "no"),
    ("is the csm course 16 hours?", COURSE, None),  # true: no "yes" that might cover more than it says
    ("is the csm course sixteen hours long?", COURSE, None),
    ("are there 40 questions on the csm test?", TEST, "no"),
    ("csm exam is forty questions right?", TEST, "no"),
    ("is it 50 or 60 questions?", TEST, None),  # alternatives offered
    ("is the cspo course 2 x 8h?", COURSE, None),  # a figure made of others
    ("is a csm retake 50 dollars?", RETAKE, "no"),
    ("is a retake $25?", RETAKE, None),
    ("is the csm course 1000 usd?", PRICE, None),  # a range: 1,000 is in it
    ("is the a-csm course 24 hours?", ADVANCED, None),  # "at least 16": 24 may be
    ("do the free attempts expire after 30 days?", WINDOW, "no"),
    ("I did the course 30 days ago, are my 2 attempts still free?", WINDOW, None),  # the user's own figure
    ("I have 25 SEUs, can I renew?", "You need 20 SEUs earned in the past two years.", None),
    ("do i need more than 40 questions right?", TEST, None),  # compared
    ("how long is the csm course, 8 hours?", COURSE, None),  # a guess, asked as "how long": no claim put
    ("the csm course is 8 hours", COURSE, None),  # no question, no claim to check
    ("is the csm test 45 minutes?", COURSE, None),  # the answer says nothing in minutes
])
def test_contradicts(question: str, answer: str, expected: Optional[str]) -> None:
    assert contradicts(question, answer) == expected


def test_figures() -> None:
    assert figures("a 16-hour course, 50 questions, $100 and two years") == [
        ("hours", 16.0), ("years", 2.0), ("questions", 50.0), ("usd", 100.0)]
    assert figures("public listings run from 250 to 2,500 USD") == [("usd", 2500.0)]


def test_the_planner_puts_no_before_the_fact() -> None:
    planner = get_planner()
    text = "my colleague says the csm course is 8 hours, is that right?"
    at = text.index("csm")
    d = planner.plan(Turn(text, "ask_requirements", 0.9,
                          ({"entity": "certification", "value": "CSM", "start": at, "end": at + 3},)), Context())
    assert d.fact is not None and d.fact.id == "csm_course_length" and d.polarity == "no"
    text = "is the csm course 16 hours?"
    at = text.index("csm")
    d = planner.plan(Turn(text, "ask_requirements", 0.9,
                          ({"entity": "certification", "value": "CSM", "start": at, "end": at + 3},)), Context())
    assert d.fact is not None and d.fact.id == "csm_course_length" and d.polarity is None
