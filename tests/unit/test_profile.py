"""Reading the recommendation form's answers from NLU results."""
from __future__ import annotations

from typing import Optional

import pytest

from actions.profile import FOCUS, LEADS, ROLE, Parsed, decide, extract

ROLES = ["scrum_master", "product_owner", "developer", "business_analyst", "manager", "other"]


def parsed(intent: str, text: str = "text", role: Optional[str] = None, hint=None) -> Parsed:
    ents = [{"entity": "role", "value": role}] if role else []
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


def test_unprompted_transformation_answers_only_the_transformation_question() -> None:
    # one clause never fills two slots: leading a transformation says nothing about the focus
    _, d = run(parsed("goal_lead_transformation", "I'm driving our agile transformation"), None)
    assert d.slots == {LEADS: True}


@pytest.mark.parametrize("intent,value", [("affirm", True), ("deny", False), ("goal_lead_transformation", True)])
def test_yes_no_for_transformation(intent: str, value: bool) -> None:
    _, d = run(parsed(intent, "yep"), LEADS)
    assert d.slots == {LEADS: value}


def test_not_sure_is_an_answer() -> None:
    ex, d = run(parsed("deny", "not sure"), FOCUS)
    assert d.slots == {FOCUS: "both"} and ex.focus_unsure


def test_goal_inside_a_longer_request_is_asked_back_not_used() -> None:
    hint = {"intent": "goal_own_product", "confidence": 0.8, "clause": "I want to own the backlog"}
    p = parsed("ask_recommendation", "I'm a BA and I want to own the backlog, CSM or CSPO?", "business_analyst", hint)
    ex, d = run(p, None)
    assert d.slots == {ROLE: "business_analyst"}
    assert ex.focus_guess == "product_value" and ex.focus_guess_quote == "I want to own the backlog"


def test_a_transformation_hint_fills_nothing() -> None:
    # the opener: "I work as a product owner" was taken for goal_lead_transformation (0.80)
    hint = {"intent": "goal_lead_transformation", "confidence": 0.8, "clause": "I work as a product owner"}
    text = "I work as a product owner, no certificate yet. what would you suggest?"
    p = Parsed("ask_recommendation", 0.9, [], [{"entity": "role", "value": "product_owner", "start": 10, "end": 25}],
               text, False, hint)
    ex, d = run(p, None)
    assert d.slots == {ROLE: "product_owner"} and ex.focus_guess is None
    assert ex.quotes[ROLE] == "I work as a product owner"  # the supporting words, not the message


def test_role_answer_is_not_taken_as_a_focus() -> None:
    # "team member" answering the role question, read by the NLU as a goal: at most a guess to confirm
    ex, d = run(parsed("goal_facilitate_teams", "team member"), ROLE)
    assert FOCUS not in d.slots and ex.focus_guess == "team_process"


def test_an_unsure_goal_is_confirmed() -> None:
    p = Parsed("goal_own_product", 0.55, [], [], "I like talking to customers", False, None)
    ex, d = run(p, FOCUS)
    assert FOCUS not in d.slots and ex.focus_guess == "product_value"
    yes = extract(parsed("affirm", "yes"), FOCUS, ROLES, 0.6, 0.8, "product_value")
    assert yes.values == {FOCUS: "product_value"} and yes.drop_guess
    no = extract(parsed("deny", "no"), FOCUS, ROLES, 0.6, 0.8, "product_value")
    assert no.values == {} and no.drop_guess
    assert decide(no, parsed("deny", "no"), FOCUS, 0).unclear_answers == 0  # not an unclear answer


def test_role_and_goal_in_one_answer_quote_each_their_words() -> None:
    text = "I'm a developer and I love removing blockers for the team"
    p = Parsed("goal_facilitate_teams", 0.95, [], [{"entity": "role", "value": "developer", "start": 6, "end": 15}],
               text, False, None)
    ex, d = run(p, ROLE)
    assert d.slots == {ROLE: "developer"} and ex.quotes[ROLE] == "I'm a developer"
    assert ex.focus_guess == "team_process" and ex.focus_guess_quote == "I love removing blockers for the team"


def test_a_role_named_in_a_goal_is_not_the_users_role() -> None:
    text = "removing blockers for my devs"
    p = Parsed("goal_facilitate_teams", 0.95, [], [{"entity": "role", "value": "developer", "start": 25, "end": 29}],
               text, False, None)
    _, d = run(p, None)
    assert d.slots == {FOCUS: "team_process"}


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


def test_the_clause_naming_the_role_gives_no_goal() -> None:
    text = "I manage a team of developers, which cert is right for me?"
    hint = {"intent": "goal_facilitate_teams", "confidence": 0.66, "clause": "i manage a team of developers"}
    p = Parsed("ask_recommendation", 0.99, [], [{"entity": "role", "value": "manager", "start": 2, "end": 15}], text, False, hint)
    ex, d = run(p, None)
    assert d.slots == {ROLE: "manager"} and ex.focus_guess is None
