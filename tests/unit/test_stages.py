"""actions/stages.py and the planner's rule `next_step`: "I failed twice, now what?", or "and then what?" right after
"I just finished my CSPO course", gets what comes next for where the user stands (knowledge/stages.yml)."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, Optional

import pytest

from actions.compose import get_planner
from actions.decision import FACT, FALLBACK, OUT_OF_SCOPE, SMALL_TALK, Context, Turn, accepted
from actions.knowledge_base import KnowledgeError, get_knowledge
from actions.planner import Planner
from actions.stages import Stages, stages_from_knowledge


@pytest.fixture(scope="module")
def planner() -> Planner:
    return get_planner()


@pytest.fixture(scope="module")
def stages(planner: Planner) -> Stages:
    return planner.stages


def turn(text: str, intent: str = "ask_requirements") -> Turn:
    parse: Dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    return Turn.from_message(parse)


@pytest.mark.parametrize("text, stage", [
    ("i failed twice", "failed_twice"),
    ("if i bomb both free attempts on the csm", "failed_twice"),
    ("i did not pass the csm test", "failed"),
    ("i just finished my cspo course", "course_done"),
    ("after the scrum master class", "course_done"),
    ("i just signed up for a csm course", "course_booked"),
    ("i passed my csm last month", "certified"),
    ("i got my cspo!", "certified"),
    ("once i finish the a-csm", "advanced_certified"),  # the advanced one done, or about to be: what comes after it
    ("if i complete the advanced cspo", "advanced_certified"),
    # no stage: failing to do something else, a test still to come, learning asked for in so many words
    ("what if i fail to renew on time", None),
    ("i have my csm test tomorrow", None),
    ("i got my csm, now what should i do to keep learning?", None),
])
def test_the_stage_a_message_says(stages: Stages, text: str, stage: Optional[str]) -> None:
    found = stages.stage_in(text)
    assert (found.name if found else None) == stage


def test_what_comes_next_is_for_the_one_certification_spoken_of(stages: Stages) -> None:
    by_name = {s.name: s for s in stages.entries}
    assert stages.next_fact(by_name["course_done"], ("CSPO",)) == "cspo_license"
    assert stages.next_fact(by_name["course_done"], ("CSM",)) == "csm_path"
    assert stages.next_fact(by_name["course_done"], ()) is None  # which course? not guessed
    assert stages.next_fact(by_name["course_done"], ("CSM", "CSPO")) is None
    assert stages.next_fact(by_name["failed"], ()) == "csm_attempts"  # only the CSM has a test to fail
    assert stages.next_fact(by_name["failed"], ("CSPO",)) is None


def test_a_message_saying_its_stage_and_asking_what_next_gets_the_next_step(planner: Planner) -> None:
    for text, fact in (("I failed twice, now what?", "csm_retake_cost"),
                       ("finished my CSPO class yesterday, what's next to get certified?", "cspo_license"),
                       ("I passed my CSM last month, what's the next step up?", "after_csm"),
                       ("failed the csm exam yesterday :( now what", "csm_attempts")):
        d = planner.plan(turn(text, "out_of_scope"), Context())
        assert (d.kind, d.rule, d.fact and d.fact.id) == (FACT, "next_step", fact), d.trace()
        assert accepted(OUT_OF_SCOPE, d) and accepted(FALLBACK, d)
    # no stage said: planned as before
    d = planner.plan(turn("what's the next step after the cspo?", "ask_continuous_learning"), Context())
    assert d.rule != "next_step"


def test_then_what_right_after_a_stage_gets_the_next_step_for_it(planner: Planner) -> None:
    before = Context(certification="CSPO", topic="cost", fact="cspo_price", question="I just finished my cspo course")
    d = planner.plan(turn("and then what?", "ask_certification_info"), before)
    assert (d.rule, d.fact and d.fact.id) == ("next_step", "cspo_license"), d.trace()
    assert accepted(SMALL_TALK, d)
    booked = replace(before, certification="CSM", fact="csm_price", question="I just signed up for a csm course")
    d = planner.plan(turn("then what?", "nlu_fallback"), booked)
    assert (d.rule, d.fact and d.fact.id) == ("next_step", "csm_path"), d.trace()
    # a longer question says what it asks; a message before with no stage leaves "then what?" to the fact's `then`
    d = planner.plan(turn("and then what is the renewal fee for it?", "ask_cost"), booked)
    assert d.rule != "next_step"
    after_attempts = Context(certification="CSM", topic="requirements", fact="csm_attempts",
                             question="how many free attempts do i get?")
    d = planner.plan(turn("then what?"), after_attempts)
    assert (d.rule, d.fact and d.fact.id) == ("then", "csm_retake_cost"), d.trace()


def test_the_stages_data_is_checked(planner: Planner) -> None:
    kb = get_knowledge()
    facts = tuple(planner.index.book.facts)
    assert len(stages_from_knowledge(kb, facts).entries) >= 5
    bad_fact = dict(kb.extra, stages=[{"name": "x", "words": ["a"], "next": {"CSM": "no_such_fact"}}])
    with pytest.raises(KnowledgeError, match="no_such_fact"):
        stages_from_knowledge(replace(kb, extra=bad_fact), facts)
    bad_cert = dict(kb.extra, stages=[{"name": "x", "words": ["a"], "next": {"PMP": "csm_path"}}])
    with pytest.raises(KnowledgeError, match="PMP"):
        stages_from_knowledge(replace(kb, extra=bad_cert), facts)
    bad_pattern = dict(kb.extra, stages=[{"name": "x", "words": ["(a"], "next": {"CSM": "csm_path"}}])
    with pytest.raises(KnowledgeError, match="compile"):
        stages_from_knowledge(replace(kb, extra=bad_pattern), facts)
