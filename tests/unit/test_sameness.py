"""actions/sameness.py: "the same for both" first, only when the question compares the two certifications on
what a fact that is the same for both states."""
from __future__ import annotations

from typing import Optional, Sequence

import pytest

from actions.sameness import comparison, sameness

RENEWAL = ("You renew the CSM or the CSPO every two years: you need 20 Scrum Education Units (SEUs) earned in the "
           "past two years and a renewal fee of 100 USD.")
LENGTH = "The CSM course is a live course of 16 hours with a Certified Scrum Trainer."
VALIDITY = "The CSM and the CSPO are each valid for two years; after that you renew them."
PREREQ = ("Neither the CSM nor the CSPO has formal prerequisites: anyone may take either course, and neither needs "
          "the other first.")
BOTH = ("CSM", "CSPO")


@pytest.mark.parametrize("question, answer, named, expected", [
    ("do I need the same number of SEUs for cspo renewal as for csm?", RENEWAL, BOTH, "same_yes"),
    ("do csm and cspo have different renewal rules?", RENEWAL, BOTH, "same_no"),
    ("is the csm course longer than the cspo course?", LENGTH, BOTH, "same_no"),
    ("r the csm and cspo courses the same length", LENGTH, BOTH, "same_yes"),
    ("which course takes longer, csm or cspo?", LENGTH, BOTH, "same_neither"),
    ("is renewal the same for both?", RENEWAL, (), "same_yes"),
    ("do csm and cspo last the same amount of time before renewal?", VALIDITY, BOTH, "same_yes"),
    ("does the CSPO last longer than the CSM?", VALIDITY, BOTH, "same_no"),  # no word but the comparison
    ("is the cspo longer than the csm?", LENGTH, BOTH, "same_no"),
    ("does the csm need more than the cspo?", RENEWAL, BOTH, None),  # "more" of what? only "longer" says
    # not comparisons, or not about what the fact states: nothing first
    ("how do i renew my csm?", RENEWAL, ("CSM",), None),
    ("do the same SEUs count for both renewals?", RENEWAL, BOTH, None),
    ("are csm and cspo the same difficulty?", PREREQ, BOTH, None),
    ("is the csm harder than the cspo?", PREREQ, BOTH, None),
    ("does the csm have more value than the cspo?", VALIDITY, BOTH, None),
    ("is the csm course longer than the cspo course?", PREREQ, BOTH, None),
    ("which is cheaper, csm or cspo?", LENGTH, BOTH, None),
    ("is the csm course longer than a psm course?", LENGTH, ("CSM",), None),
])
def test_what_comes_first(question: str, answer: str, named: Sequence[str], expected: Optional[str]) -> None:
    assert sameness(question, answer, named, True) == expected


def test_only_a_fact_the_same_for_both() -> None:
    assert sameness("do I need the same number of SEUs for cspo renewal as for csm?", RENEWAL, BOTH, False) is None


def test_a_comparison_needs_both_named_or_both_meant() -> None:
    assert comparison("is it the same length?", False) is None
    assert comparison("are the two the same length?", False) == "same"
    assert comparison("is the csm longer than the cspo", True) == "duration"


def test_same_for_both_without_the_is_a_sameness_question() -> None:
    answer = "You renew the CSM or the CSPO every two years: you need 20 Scrum Education Units (SEUs)."
    assert sameness("renewal rules — same for both csm and cspo?", answer, ["CSM", "CSPO"], True, frozenset()) == "same_yes"


def test_a_concept_in_other_words_stands_for_the_questions_own_word() -> None:
    question, answer = "does the CSPO expire after the same time as the CSM?", \
        "The CSM and the CSPO are each valid for two years; after that you renew them."
    generic = frozenset({"after", "time"})  # (lexicon.yml polarity_generic_words)
    assert sameness(question, answer, ["CSM", "CSPO"], True, generic) is None  # "expire" is not in the answer
    assert sameness(question, answer, ["CSM", "CSPO"], True, generic, shared_concept=True) == "same_yes"


def test_the_planner_finds_the_shared_concept_only_when_every_asked_concept_is_in_the_answer() -> None:
    from actions.compose import get_planner
    from actions.decision import Context, Turn

    planner = get_planner()

    def plan(text: str):  # type: ignore[no-untyped-def]
        return planner.plan(Turn(text=text, intent="compare_certifications", confidence=0.9, entities=(), unsure=False),
                            Context())

    assert plan("does the CSPO expire after the same time as the CSM?").polarity == "same_yes"
    # the price asked, the courses' length shares only "course" with it: no "the same"
    assert plan("are the CSM and CSPO courses the same price?").polarity not in ("same_yes", "same_no")
