"""How the planner reads a message before it plans (actions/question_text.as_asked): a question tag as ", right?", a
certification the user took back left out; and what that makes of the reply (set 51's tag questions and self-repairs)."""
from __future__ import annotations

import pytest

from actions.compose import get_planner
from actions.decision import Context, Turn
from actions.planner import Planner
from actions.question_text import as_asked


@pytest.mark.parametrize("text, expected", [
    ("the CSM test is closed book, isn't it?", "the CSM test is closed book, right?"),
    ("the CSPO has no exam, does it?", "the CSPO has no exam, right?"),
    ("the CSM exam is closed book isnt it", "the CSM exam is closed book, right?"),  # (a negative tag needs no comma)
    ("the csm course is 16 hours innit", "the csm course is 16 hours, right?"),
    ("which one is that?", "which one is that?"),  # (a question word's "is that": no tag)
    ("how many questions is it", "how many questions is it"),  # (a positive tag needs its comma)
    ("and is it?", "and is it?"),  # (a tag alone asserts nothing)
    # a certification named and taken back
    ("how long is the CSM \u2014 sorry, CSPO \u2014 course?", "how long is the CSPO \u2014 course?"),
    ("questions on the scrum master test, no wait, I mean the product owner test?",
     "questions on the the product owner test?"),
    ("renewal fee for CSM (not CSPO)?", "renewal fee for CSM?"),
    ("CSM, I mean, is it worth it?", "CSM, I mean, is it worth it?"),  # (no certification after the repair)
    ("I have the CSM. sorry, what does the CSPO cost?", "I have the CSM. sorry, what does the CSPO cost?"),
    ("is the csm or the cspo better", "is the csm or the cspo better"),
])
def test_as_asked(text: str, expected: str) -> None:
    assert as_asked(Turn(text, "ask_requirements", 0.9, ())).text == expected


def test_a_certification_taken_back_loses_its_entity_and_the_rest_keep_their_place() -> None:
    text = "how long is the CSM - sorry, CSPO - course?"
    entities = ({"entity": "certification", "value": "CSM", "start": 16, "end": 19},
                {"entity": "certification", "value": "CSPO", "start": 29, "end": 33})
    turn = as_asked(Turn(text, "ask_requirements", 0.9, entities))
    assert [e["value"] for e in turn.entities] == ["CSPO"]
    start, end = int(turn.entities[0]["start"]), int(turn.entities[0]["end"])
    assert turn.text[start:end] == "CSPO"


@pytest.fixture(scope="module")
def planner() -> Planner:
    return get_planner()


@pytest.mark.parametrize("text, fact, polarity", [
    ("how long is the CSM - sorry, CSPO - course?", "cspo_course_length", None),
    ("the CSM test is closed book, isn't it?", "csm_open_book", "no"),
    ("the CSPO has no exam, does it?", "cspo_no_test", "correct"),  # a denial the fact makes true: "Correct."
    ("there isn't a fee to renew the CSPO, is there?", "renewal_cost", "not_so"),  # ... makes false: "Actually, ..."
    ("isn't there a final test for the product owner cert?", "cspo_no_test", "no"),  # a negative question
    ("if I fail the CSM test the first time, do I have to pay to try again?", "csm_retake_cost", "no"),
    ("for the CSM, does the test come before the course?", "csm_path", "no"),
    # a claim put to check after what the user is ("does that sound right?", "accurate?"; their job is no word of it)
    ("recruiter here: a candidate says her CSM exam had 80 questions. does that sound right?", "csm_test_format", "no"),
    ("i read csm exam = 80 questions in an hour, accurate?", "csm_test_format", "no"),
    ("is it 20 SEUs every single year?", "seu_window", "no"),
    ("does the CSPO help with job opportunities?", "cspo_jobs", "yes"),
    ("the product owner is the servant-leader of the team, right?", "po_value", "no"),
    ("assuming I pay the renewal, do I still need SEUs?", "renewal_cost", "yes"),
])
def test_tags_and_repairs_through_the_planner(planner: Planner, text: str, fact: str, polarity: str) -> None:
    decision = planner.plan(Turn(text, "ask_requirements", 0.9, ()), Context())
    assert decision.fact is not None and decision.fact.id == fact and decision.polarity == polarity, decision


def test_the_cspo_is_not_advanced_gets_no_correction_from_the_a_cspos_fact(planner: Planner) -> None:
    """"the cspo isn't an advanced cert, is it?": the A-CSPO's fact says "yes" to its "cspo", which the negation does not
    deny; "Actually, that's not so." would tell the user the CSPO is advanced."""
    decision = planner.plan(Turn("the cspo isn't an advanced cert, is it?", "ask_requirements", 0.9, ()), Context())
    assert decision.polarity not in ("not_so", "correct"), decision
