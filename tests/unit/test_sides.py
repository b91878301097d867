"""Which certification is "the how" and which "the what and why" (actions/sides.py, knowledge/comparison.yml)."""
from __future__ import annotations

from typing import Optional

import pytest

from actions.compose import get_planner
from actions.decision import FACT, Context, Turn
from actions.planner import Planner


@pytest.fixture(scope="module")
def planner() -> Planner:
    return get_planner()


@pytest.mark.parametrize("text, certification", [
    ("which cert is about the 'how'?", "CSM"),
    ("which one is more about the how of project execution?", "CSM"),
    ("which cert focuses on the what and why of the product?", "CSPO"),
    ("I'm more into the what and why of the product than the how. CSM or CSPO?", "CSPO"),  # "than the how": turned from
    ("more interested in the how of getting work done than the what. which one", "CSM"),
    ("is the cspo the 'how' certification?", "CSM"),
    ("which is more about the 'what'?", "CSPO"),
    ("which cert is about the 'how' and which about the 'what'?", None),  # both sides asked
    ("how does the what and why matter?", None),  # no question of which one
    ("which one tells me the how much of it?", None),  # "the how much": no side
    ("what is the what?", None),
])
def test_the_side_asked(planner: Planner, text: str, certification: Optional[str]) -> None:
    side = planner.sides.asked(text.lower())
    assert (side.certification if side else None) == certification


def test_the_planner_answers_with_the_sides_fact_and_yes_or_no(planner: Planner) -> None:
    text = "Is the CSPO the 'how' certification?"
    at = text.index("CSPO")
    d = planner.plan(Turn(text, "ask_certification_info", 0.9,
                          ({"entity": "certification", "value": "CSPO", "start": at, "end": at + 4},)), Context())
    assert (d.kind, d.rule, d.fact and d.fact.id, d.polarity) == (FACT, "side", "csm_is_the_how", "no")
    d = planner.plan(Turn("which cert focuses on the what and why of the product?", "compare_certifications", 0.9, ()),
                     Context())
    assert (d.rule, d.fact and d.fact.id, d.polarity) == ("side", "cspo_is_the_what", None)


def test_a_claim_putting_a_certification_to_a_side_gets_yes_or_no(planner: Planner) -> None:
    text = "article says CSPO is about the how, right?"
    at = text.index("CSPO")
    d = planner.plan(Turn(text, "ask_certification_info", 0.6,
                          ({"entity": "certification", "value": "CSPO", "start": at, "end": at + 4},)), Context())
    assert (d.rule, d.fact and d.fact.id, d.polarity) == ("side", "csm_is_the_how", "no")


def test_both_sides_asked_is_one_question(planner: Planner) -> None:
    d = planner.plan(Turn("which cert is about the 'how' and which about the 'what'?", "ask_certification_info", 0.9, ()),
                     Context())
    assert d.fact is not None and d.fact.id == "difference_in_short" and d.also == ()
