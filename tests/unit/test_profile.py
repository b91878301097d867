"""Reading the recommendation form's answers from NLU results."""
from __future__ import annotations

from typing import Optional

import pytest

from actions.profile import FOCUS, LEADS, ROLE, Parsed, decide, extract

ROLES = ["scrum_master", "product_owner", "developer", "business_analyst", "other"]


def parsed(intent: str, text: str = "text", role: Optional[str] = None, hint=None) -> Parsed:
    ents = [{"entity": "role", "value": role, "start": 0, "end": 1}] if role else []
    return Parsed(intent, 0.9, [{"name": intent, "confidence": 0.9}], ents, text, text.startswith("/"), hint)


def run(p: Parsed, requested: Optional[str], unclear: int = 0):
    ex = extract(p, requested, ROLES, 0.6)
    return ex, decide(ex, p, requested, unclear)


def test_role_from_entity_any_time() -> None:
    ex, d = run(parsed("inform_role", "I'm a business analyst", "business_analyst"), None)
    assert d.slots == {ROLE: "business_analyst"} and ex.quotes[ROLE] == "I'm a business analyst"


def test_unknown_role_value_becomes_other() -> None:
    _, d = run(parsed("inform_role", "astronaut", "astronaut"), ROLE)
    assert d.slots[ROLE] == "other"


def test_role_without_entity_when_asked() -> None:
    _, d = run(parsed("inform_role", "I do a bit of everything"), ROLE)
    assert d.slots[ROLE] == "other"


@pytest.mark.parametrize("intent,focus", [("goal_facilitate_teams", "team_process"),
                                          ("goal_own_product", "product_value"),
                                          ("goal_lead_transformation", "both")])
def test_focus_from_goal_intents(intent: str, focus: str) -> None:
    _, d = run(parsed(intent, "making the team work smoothly"), FOCUS)
    assert d.slots == {FOCUS: focus}


def test_both_really_answers_only_the_focus_question() -> None:
    _, d = run(parsed("goal_lead_transformation", "both really"), FOCUS)
    assert LEADS not in d.slots


def test_unprompted_transformation_answers_both_questions() -> None:
    _, d = run(parsed("goal_lead_transformation", "I'm driving our agile transformation"), None)
    assert d.slots == {FOCUS: "both", LEADS: True}


@pytest.mark.parametrize("intent,value", [("affirm", True), ("deny", False), ("goal_lead_transformation", True)])
def test_yes_no_for_transformation(intent: str, value: bool) -> None:
    _, d = run(parsed(intent, "yep"), LEADS)
    assert d.slots == {LEADS: value}


def test_not_sure_is_an_answer() -> None:
    ex, d = run(parsed("deny", "not sure"), FOCUS)
    assert d.slots == {FOCUS: "both"} and ex.focus_unsure


def test_goal_inside_a_longer_request() -> None:
    hint = {"intent": "goal_own_product", "confidence": 0.8, "clause": "I want to own the backlog"}
    p = parsed("ask_recommendation", "I'm a BA and I want to own the backlog, CSM or CSPO?", "business_analyst", hint)
    _, d = run(p, None)
    assert d.slots == {ROLE: "business_analyst", FOCUS: "product_value"}


def test_weak_goal_hint_is_ignored() -> None:
    hint = {"intent": "goal_own_product", "confidence": 0.4, "clause": "CSM or CSPO"}
    _, d = run(parsed("ask_recommendation", "I'm a BA, CSM or CSPO?", "business_analyst", hint), None)
    assert d.slots == {ROLE: "business_analyst"}


def test_knowledge_question_is_a_digression() -> None:
    _, d = run(parsed("ask_cost", "how much is it?"), FOCUS)
    assert d.reject and d.slots == {}


def test_unclear_answer_is_asked_again_once_then_taken_as_not_sure() -> None:
    _, first = run(parsed("out_of_scope", "purple bananas"), ROLE, unclear=0)
    assert not first.reject and first.slots == {} and first.unclear_answers == 1
    _, second = run(parsed("out_of_scope", "purple bananas"), ROLE, unclear=1)
    assert second.slots == {ROLE: "other"} and second.gave_up_on == ROLE and second.unclear_answers == 0


def test_payload_entities_never_fill_slots() -> None:
    p = Parsed.from_message({"text": '/inform_role{"role": "product_owner"}', "intent": {"name": "inform_role"},
                             "entities": [{"entity": "role", "value": "product_owner"}]})
    ex = extract(p, ROLE, ROLES, 0.6)
    assert ex.values.get(ROLE) == "other" and not ex.quotes  # a role was "stated", but not which one
