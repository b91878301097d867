"""Reading the recommendation form's answers from NLU results."""
from __future__ import annotations

from typing import Optional

import pytest

from actions.profile import FOCUS, LEADS, ROLE, Parsed, as_answer, decide, extract

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


# --- issue 20: while the form waits for a slot, a reply is first read as that answer ---------------

def ranked(text: str, *ranking: tuple, question: bool = False, entities=None) -> Parsed:
    """A parse whose intent ranking is given as (intent, confidence) pairs, best first."""
    items = [{"name": n, "confidence": c} for n, c in ranking]
    return Parsed(ranking[0][0], ranking[0][1], items, entities or [], text, text.startswith("/"), None, question)


def read(p: Parsed, requested: Optional[str], unclear: int = 0, answer_confidence: float = 0.2):
    p = as_answer(p, requested, answer_confidence)
    ex = extract(p, requested, ROLES, 0.6, 0.8)
    return ex, decide(ex, p, requested, unclear)


def test_a_focus_in_own_words_under_a_knowledge_intent_is_read_as_the_focus() -> None:
    # the tester's answer: read by the NLU as a course question (0.55), the goal second (0.3)
    p = ranked("how the work gets done", ("ask_requirements", 0.55), ("goal_facilitate_teams", 0.3), ("ask_cost", 0.1))
    ex, d = read(p, FOCUS)
    assert not d.reject and ex.focus_guess == "team_process" and ex.focus_guess_quote == "how the work gets done"
    assert d.unclear_answers == 0  # understood and asked back, not an unclear answer


def test_a_goal_far_down_the_ranking_does_not_turn_a_request_into_an_answer() -> None:
    p = ranked("the course and the exam", ("ask_requirements", 0.85), ("goal_facilitate_teams", 0.1))
    _, d = read(p, FOCUS)
    assert d.reject


@pytest.mark.parametrize("requested", [ROLE, FOCUS, LEADS])
def test_a_clear_question_is_a_new_question_in_every_slot(requested: str) -> None:
    # worded as a question, a knowledge intent on top: answered by its rule, then the form asks again
    p = ranked("how much does the CSM cost?", ("ask_cost", 0.6), ("goal_own_product", 0.25), ("affirm", 0.1),
               ("inform_role", 0.05), question=True)
    ex, d = read(p, requested)
    assert d.reject and d.slots == {} and ex.focus_guess is None


def test_the_same_words_not_worded_as_a_question_are_read_as_the_answer() -> None:
    p = ranked("what customers need", ("ask_audience", 0.5), ("goal_own_product", 0.4))
    ex, d = read(p, FOCUS)
    assert not d.reject and ex.focus_guess == "product_value"
    asked = ranked("what do customers need?", ("ask_audience", 0.5), ("goal_own_product", 0.4), question=True)
    assert read(asked, FOCUS)[1].reject


def test_a_role_named_in_a_question_is_not_the_users_role() -> None:
    p = ranked("what does a scrum master actually do", ("ask_responsibilities", 0.98), question=True,
               entities=[{"entity": "role", "value": "scrum_master", "start": 12, "end": 24}])
    _, d = read(p, ROLE)
    assert d.reject and d.slots == {}


def test_a_role_outside_the_list_comes_through_its_entity_value() -> None:
    # "team member" maps to `developer` in the NLU data; the NLU may still call the message a goal
    p = ranked("team member", ("goal_facilitate_teams", 0.7), ("inform_role", 0.2),
               entities=[{"entity": "role", "value": "developer", "start": 0, "end": 11}])
    ex, d = read(p, ROLE)
    assert d.slots == {ROLE: "developer"} and ex.focus_guess is None  # the role was all there was


def test_a_role_answer_under_a_knowledge_intent() -> None:
    p = ranked("i test our apps for a living", ("ask_skills", 0.4), ("inform_role", 0.35))
    _, d = read(p, ROLE)
    assert d.slots == {ROLE: "other"} and not d.reject


@pytest.mark.parametrize("intent,value", [("affirm", True), ("deny", False)])
def test_yes_or_no_under_a_knowledge_intent(intent: str, value: bool) -> None:
    p = ranked("that's part of my job", ("ask_benefits", 0.4), (intent, 0.3))
    _, d = read(p, LEADS)
    assert d.slots == {LEADS: value}


def test_an_answer_to_another_question_is_not_reread() -> None:
    # a goal while the role is asked stays a goal (asked back later), not an "other" role
    p = ranked("coaching my team", ("goal_facilitate_teams", 0.75), ("inform_role", 0.22))
    ex, d = read(p, ROLE)
    assert ROLE not in d.slots and ex.focus_guess == "team_process"


def test_an_unsure_both_is_asked_back() -> None:
    p = ranked("I'd say a combination of the two", ("goal_lead_transformation", 0.5), ("goal_own_product", 0.3))
    ex, d = read(p, FOCUS)
    assert FOCUS not in d.slots and ex.focus_guess == "both"


def test_a_guess_after_an_unclear_answer_is_still_asked_back() -> None:
    p = ranked("how the work gets done", ("ask_requirements", 0.5), ("goal_facilitate_teams", 0.35))
    ex, d = read(p, FOCUS, unclear=1)
    assert d.gave_up_on is None and FOCUS not in d.slots and ex.focus_guess == "team_process"


@pytest.mark.parametrize("payload,requested,reject", [("/ask_cost", FOCUS, True), ("/ask_cost", ROLE, True),
                                                      ("/goal_own_product", FOCUS, False), ("/affirm", LEADS, False)])
def test_buttons_are_read_by_their_intent(payload: str, requested: str, reject: bool) -> None:
    _, d = read(ranked(payload, (payload[1:], 1.0)), requested)
    assert d.reject is reject


def test_question_form_comes_from_the_nlu_else_from_the_question_mark() -> None:
    base = {"intent": {"name": "ask_cost", "confidence": 0.9}, "intent_ranking": []}
    assert Parsed.from_message({**base, "text": "how much is it", "question_form": True}).question_form
    assert not Parsed.from_message({**base, "text": "how the work gets done", "question_form": False}).question_form
    assert Parsed.from_message({**base, "text": "how much?"}).question_form  # a model without QuestionForm
    assert not Parsed.from_message({**base, "text": "/ask_cost", "question_form": True}).question_form


def test_a_job_remark_without_a_role_can_still_be_a_yes() -> None:
    # "absolutely, that is part of my job": inform_role on top, but no role in it; the yes below counts
    p = ranked("absolutely, that is part of my job", ("inform_role", 0.36), ("affirm", 0.31))
    _, d = read(p, LEADS)
    assert d.slots == {LEADS: True}
    with_role = ranked("I'm a developer", ("inform_role", 0.6), ("affirm", 0.3),
                       entities=[{"entity": "role", "value": "developer", "start": 6, "end": 15}])
    assert read(with_role, LEADS)[1].slots == {ROLE: "developer"}  # a role said unprompted stays a role


def test_a_hint_on_the_whole_message_is_no_goal_inside_it() -> None:
    # the goal spotter read "help me pick" as a goal (0.72); the intent classifier read the whole message
    # as a request for a recommendation: no goal is inside it, nothing is asked back
    hint = {"intent": "goal_facilitate_teams", "confidence": 0.72, "clause": "help me pick"}
    ex, d = run(parsed("ask_recommendation", "Help me pick!", hint=hint), None)
    assert ex.focus_guess is None and d.slots == {}


@pytest.mark.parametrize("text,intent,role,own", [
    ("which one should a scrum master take?", "ask_recommendation", "scrum_master", False),
    ("what would a business analyst pick?", "ask_recommendation", "business_analyst", False),
    ("as a scrum master, which one should I take?", "ask_recommendation", "scrum_master", True),
    ("which one for me? I'm a developer", "ask_recommendation", "developer", True),
    ("I'm a business analyst, CSM or CSPO?", "ask_recommendation", "business_analyst", True),
    ("a developer?", "inform_role", "developer", True),
])
def test_a_role_named_in_a_question_about_others_is_not_the_users(text: str, intent: str, role: str, own: bool) -> None:
    """ "which one should a project manager take?" then "You work as a project manager" attributed the role."""
    p = Parsed(intent, 0.9, [{"name": intent, "confidence": 0.9}], [{"entity": "role", "value": role}], text,
               False, None, question_form=text.rstrip().endswith("?"))
    ex, _ = run(p, None)
    assert (ex.values.get(ROLE) == role) is own, ex


def test_a_question_about_a_goal_states_no_goal() -> None:
    text = "what does leading a transformation mean?"
    p = Parsed("goal_lead_transformation", 0.9, [], [], text, False, None, question_form=True)
    ex, _ = run(p, FOCUS)
    assert not ex.values and ex.focus_guess is None, ex
    p = Parsed("goal_lead_transformation", 0.9, [], [], "I lead our agile transformation", False, None)
    assert run(p, LEADS)[0].values == {LEADS: True}
