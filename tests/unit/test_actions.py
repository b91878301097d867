"""The Rasa actions with real rasa_sdk trackers and dispatchers (no server)."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.action_answer import ActionAnswerQuestion
from actions.action_fallback import ActionHandleFallback, ActionOutOfScope
from actions.action_recommend import (
    ActionAskPreferredFocus,
    ActionExplainRecommendation,
    ActionRecommend,
    ActionResetProfile,
    ActionStopForm,
    ValidateRecommendationForm,
)
from actions.profile import FORM_SLOTS


def tracker(text: str, intent: str, entities: Optional[List[Dict[str, Any]]] = None, slots: Optional[dict] = None,
            ranking: Optional[list] = None, events: Optional[list] = None, channel: str = "rest",
            confidence: float = 0.95, opened: bool = False, **extra) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or [],
               "intent_ranking": ranking or [{"name": intent, "confidence": confidence}], **extra}
    evts = events or []
    evts = evts + [{"event": "user", "text": text, "parse_data": message, "input_channel": channel}]
    if opened:  # the message opened the form (Rasa's activation event, before the form's first question)
        evts.append({"event": "active_loop", "name": "recommendation_form"})
    return Tracker("conv-test", slots or {}, message, evts, False, None, {}, "action_listen")


def run(action, t: Tracker):
    d = CollectingDispatcher()
    events = asyncio.run(action.run(d, t, {}))
    return d.messages, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_answer_sets_context_slots() -> None:
    text = "what is the cspo?"
    msgs, slots = run(ActionAnswerQuestion(), tracker(text, "ask_certification_info", [
        {"entity": "certification", "value": "CSPO", "start": 12, "end": 16}]))
    assert "CSPO (Certified Scrum Product Owner)" in msgs[0]["text"] and msgs[0]["buttons"]
    assert slots == {"certification": "CSPO", "last_topic": "overview", "last_fact": None, "last_neighbour": None}


def test_answer_uses_context_for_follow_up() -> None:
    msgs, slots = run(ActionAnswerQuestion(), tracker("and its price?", "ask_cost",
                                                      slots={"certification": "CSM", "last_topic": "overview"}))
    # a precise question: the one fact, for the certification of the conversation
    assert "price of the CSM course" in msgs[0]["text"] and "CSPO" not in msgs[0]["text"]
    assert msgs[0]["buttons"][0]["payload"] == "/ask_cost" and slots["last_topic"] == "cost"


def test_answer_renders_slack_links() -> None:
    msgs, _ = run(ActionAnswerQuestion(), tracker("where can I learn more", "ask_resources", channel="slack"))
    assert "<https://udemywork.com/csm-vs-cspo|" in msgs[0]["text"]


def test_answer_failure_is_an_apology(monkeypatch) -> None:
    import actions.action_answer as module

    def broken():
        raise RuntimeError("knowledge base exploded")

    monkeypatch.setattr(module, "get_planner", broken)
    msgs, slots = run(ActionAnswerQuestion(), tracker("what is csm", "ask_certification_info"))
    assert len(msgs) == 1 and msgs[0]["response"] == "utter_action_failed"
    assert slots == {}


def test_validation_fills_role_and_quotes_it() -> None:
    text = "I work as a business analyst"
    _, slots = run(ValidateRecommendationForm(), tracker(text, "inform_role", [
        {"entity": "role", "value": "business_analyst", "start": 12, "end": 28}], slots={"requested_slot": "current_role"}))
    assert slots["current_role"] == "business_analyst"
    assert slots["profile_quotes"] == {"current_role": text}
    assert slots["unclear_answers"] == 0


def test_validation_rejects_a_digression() -> None:
    msgs, slots = run(ValidateRecommendationForm(), tracker("how much is it", "ask_cost",
                                                            slots={"requested_slot": "preferred_focus"}))
    assert slots == {} and msgs == []


def test_validation_ignores_payload_slots() -> None:
    text = '/inform_role{"recommendation": "cspo", "role": "product_owner"}'
    _, slots = run(ValidateRecommendationForm(), tracker(text, "inform_role", [
        {"entity": "role", "value": "product_owner"}, {"entity": "recommendation", "value": "cspo"}],
        slots={"requested_slot": "preferred_focus"}))
    assert "current_role" not in slots and "recommendation" not in slots


def test_ask_again_with_apology_after_unclear_answer() -> None:
    d = CollectingDispatcher()
    asyncio.run(ActionAskPreferredFocus().run(d, tracker("?", "out_of_scope", slots={"unclear_answers": 1}), {}))
    assert [m["response"] for m in d.messages] == ["utter_retry_prefix", "utter_ask_preferred_focus"]


def test_recommend_sets_only_the_recommendation() -> None:
    msgs, slots = run(ActionRecommend(), tracker("no", "deny", slots={
        "current_role": "developer", "preferred_focus": "product_value", "leads_transformation": False,
        "profile_quotes": {"preferred_focus": "deciding what we build"}}))
    # what comes next ("how much will it cost me?") is about the recommended certification
    assert slots == {"recommendation": "cspo", "certification": "CSPO", "last_topic": "recommendation"}
    text = msgs[0]["text"]
    assert "CSPO (Certified Scrum Product Owner)" in text and '"deciding what we build"' in text
    assert "https://udemywork.com/csm-vs-cspo" in text and "no test" in text
    assert [b["payload"] for b in msgs[0]["buttons"]] == ["/compare_certifications", "/ask_cost", "/start_over"]


def test_reset_and_stop() -> None:
    _, slots = run(ActionResetProfile(), tracker("start over", "start_over", slots={"recommendation": "csm"}))
    assert slots["recommendation"] is None and slots["current_role"] is None
    msgs, slots = run(ActionStopForm(), tracker("stop", "stop"))
    assert slots["requested_slot"] is None and msgs[0]["response"] == "utter_form_stopped"


def test_a_follow_up_taken_for_start_over_is_answered_and_nothing_reset() -> None:
    # "and if I fail again?" right after the free attempts (start_over to the NLU, 0.39) used to reset the profile and
    # open the form; it is answered, the slots stay and Rasa listens next (not the form of the rule "start over")
    answered = [{"event": "user", "text": "how many free attempts on the CSM test?"},
                {"event": "bot", "text": "You get two free attempts ..."},
                {"event": "slot", "name": "last_fact", "value": "csm_attempts"}]
    t = tracker("and if I fail again?", "start_over", slots={"certification": "CSM", "last_topic": "requirements",
                                                            "last_fact": "csm_attempts", "current_role": "developer"},
                confidence=0.39, events=answered)
    d = CollectingDispatcher()
    events = asyncio.run(ActionResetProfile().run(d, t, {}))
    assert "25 USD" in d.messages[0]["text"], d.messages
    assert any(e.get("event") == "followup" and e.get("name") == "action_listen" for e in events), events
    assert not any(e.get("name") == "current_role" for e in events if e.get("event") == "slot")
    # "start over" itself still resets
    _, slots = run(ActionResetProfile(), tracker("start over", "start_over", slots={"current_role": "developer"}))
    assert slots["current_role"] is None


def test_fallback_then_menu() -> None:
    first = [{"event": "user", "text": "zzz", "parse_data": {"intent": {"name": "nlu_fallback"}}}]
    msgs, _ = run(ActionHandleFallback(), tracker("qqq", "nlu_fallback", ranking=[
        {"name": "nlu_fallback"}, {"name": "ask_cost"}, {"name": "ask_skills"}], events=first))
    assert msgs[0]["response"] == "utter_fallback_offer_human"
    msgs, _ = run(ActionHandleFallback(), tracker("qqq", "nlu_fallback", ranking=[
        {"name": "nlu_fallback"}, {"name": "ask_cost"}, {"name": "ask_skills"}]))
    assert msgs[0]["response"] == "utter_fallback_suggest"
    assert [b["title"] for b in msgs[0]["buttons"]] == ["Costs", "Skills needed"]


def test_out_of_scope_in_another_language() -> None:
    msgs, _ = run(ActionOutOfScope(), tracker("bonjour, quelle certification choisir ?", "out_of_scope", language="fr"))
    assert msgs[0]["response"] == "utter_other_language"
    msgs, _ = run(ActionOutOfScope(), tracker("what's the weather", "out_of_scope"))
    assert msgs[0]["response"] == "utter_out_of_scope"


def test_inferred_focus_is_asked_back_then_used_on_yes() -> None:
    text = "I'm a BA and I want to own the backlog, CSM or CSPO?"
    hint = {"intent": "goal_own_product", "confidence": 0.9, "clause": "I want to own the backlog"}
    _, slots = run(ValidateRecommendationForm(), tracker(text, "ask_recommendation", [
        {"entity": "role", "value": "business_analyst", "start": 6, "end": 8}], goal_hint=hint))
    assert slots["current_role"] == "business_analyst" and "preferred_focus" not in slots
    guess = slots["focus_guess"]
    assert guess == {"value": "product_value", "quote": "I want to own the backlog"}
    msgs, _ = run(ActionAskPreferredFocus(), tracker(text, "ask_recommendation", slots={"focus_guess": guess}))
    assert '"I want to own the backlog"' in msgs[0]["text"] and "deciding what gets built" in msgs[0]["text"]
    assert [b["payload"] for b in msgs[0]["buttons"]] == ["/affirm", "/deny"]
    _, slots = run(ValidateRecommendationForm(), tracker("yes", "affirm", slots={
        "requested_slot": "preferred_focus", "focus_guess": guess}))
    assert slots["preferred_focus"] == "product_value" and slots["focus_guess"] is None
    assert slots["profile_quotes"]["preferred_focus"] == "I want to own the backlog"
    _, slots = run(ValidateRecommendationForm(), tracker("no", "deny", slots={
        "requested_slot": "preferred_focus", "focus_guess": guess}))
    assert "preferred_focus" not in slots and slots["focus_guess"] is None and slots["unclear_answers"] == 0


def test_fallback_answers_a_clear_fact_question() -> None:
    msgs, slots = run(ActionHandleFallback(), tracker("is the csm exam open book", "nlu_fallback", ranking=[
        {"name": "nlu_fallback"}, {"name": "ask_requirements"}]))
    assert msgs[0]["text"].startswith("Yes. The CSM test is open book") and slots["certification"] == "CSM"


AFTER_CSM = {"current_role": "scrum_master", "preferred_focus": "team_process", "leads_transformation": False,
             "recommendation": "csm", "profile_quotes": {"preferred_focus": "making the team work smoothly"}}


def test_why_after_a_recommendation_gives_its_reasons() -> None:
    for text in ("why?", "are you sure?"):
        msgs, slots = run(ActionExplainRecommendation(), tracker(text, "ask_why", slots=AFTER_CSM))
        assert msgs[0]["text"].startswith("I suggested the CSM because") and '"making the team work smoothly"' in msgs[0]["text"]
        assert slots == {}


def test_the_other_one_after_a_recommendation() -> None:
    msgs, _ = run(ActionExplainRecommendation(), tracker("what about the other one?", "ask_other_option", slots=AFTER_CSM))
    assert msgs[0]["text"].startswith("The CSPO would be the better pick if") and "/start_over" in str(msgs[0]["buttons"])


def test_why_without_a_recommendation_offers_one() -> None:
    msgs, _ = run(ActionExplainRecommendation(), tracker("why?", "ask_why"))
    assert "haven't recommended" in msgs[0]["text"] and msgs[0]["buttons"][0]["payload"] == "/ask_recommendation"


def test_cost_after_a_recommendation_is_for_the_recommended_one() -> None:
    msgs, _ = run(ActionAnswerQuestion(), tracker("how much will it cost me?", "ask_cost",
                                                  slots={"certification": "CSM", "last_topic": "recommendation"}))
    assert "CSM" in msgs[0]["text"] and "CSPO" not in msgs[0]["text"]


def test_no_signal_gives_no_recommendation() -> None:
    msgs, slots = run(ActionRecommend(), tracker("no", "deny", slots={
        "current_role": "other", "preferred_focus": "both", "focus_unsure": True, "leads_transformation": False}))
    assert slots["recommendation"] is None and "can't tell" in msgs[0]["text"] and "Choose the CSM if" in msgs[0]["text"]


# ---- small talk that is really a follow-up of the fact just given (actions.action_answer.answer_follow_up)
def after_fact(fact: str, cert: str = "CSM") -> Dict[str, Any]:
    """Slots and events of a conversation whose last bot turn answered with ``fact``."""
    events = [{"event": "user", "text": "earlier question", "parse_data": {"intent": {"name": "ask_requirements"}}},
              {"event": "action", "name": "action_answer_question"},
              {"event": "slot", "name": "last_fact", "value": fact}, {"event": "action", "name": "action_listen"}]
    return {"slots": {"certification": cert, "last_topic": "requirements", "last_fact": fact}, "events": events}


def test_small_talk_after_a_fact_that_asks_about_it_gets_the_fact() -> None:
    from actions.action_small_talk import ActionSmallTalk

    msgs, slots = run(ActionSmallTalk(), tracker("how many questions is that?", "ask_capabilities",
                                                 **after_fact("csm_pass_mark")))
    assert "50 multiple-choice questions" in msgs[0]["text"] and slots["last_fact"] == "csm_test_format"
    assert "follow-up of csm_pass_mark" in str(msgs[0].get("answer_trace") or msgs[0])  # the trace says why
    msgs, _ = run(ActionExplainRecommendation(), tracker("how many questions is that?", "ask_why",
                                                         **after_fact("csm_pass_mark")))
    assert "50 multiple-choice questions" in msgs[0]["text"]


def test_small_talk_stays_small_talk() -> None:
    from actions.action_small_talk import ActionSmallTalk

    # right after a fact, but not about it
    msgs, slots = run(ActionSmallTalk(), tracker("what can you do?", "ask_capabilities", **after_fact("csm_pass_mark")))
    assert msgs[0]["response"] == "utter_capabilities" and slots == {}
    msgs, _ = run(ActionSmallTalk(), tracker("no", "deny", **after_fact("csm_pass_mark")))
    assert msgs[0]["response"] == "utter_yes_no_no_context"
    # about the fact, but the last bot turn was not a fact (a form question, a recommendation ...)
    stale = after_fact("csm_pass_mark")
    stale["events"] = stale["events"] + [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}},
                                         {"event": "action", "name": "utter_greet"}]
    msgs, _ = run(ActionSmallTalk(), tracker("how many questions is that?", "ask_capabilities", **stale))
    assert msgs[0]["response"] == "utter_capabilities"
    # "why?" after a recommendation still explains it
    msgs, _ = run(ActionExplainRecommendation(), tracker("why?", "ask_why", slots={**AFTER_CSM, "last_fact": "csm_price"}))
    assert msgs[0]["text"].startswith("I suggested the CSM because")


def test_answered_a_fact_last_reads_only_the_last_bot_turn() -> None:
    from actions.action_answer import answered_a_fact_last

    user = {"event": "user", "text": "x"}
    fact = {"event": "slot", "name": "last_fact", "value": "csm_price"}
    none = {"event": "slot", "name": "last_fact", "value": None}
    assert answered_a_fact_last([user, fact, user])
    assert not answered_a_fact_last([user, none, user])
    assert not answered_a_fact_last([fact, user, {"event": "action", "name": "utter_greet"}, user])
    assert not answered_a_fact_last([user])
    # ... or said whom a certification suits: "why that one?" next asks why that one
    audience = {"event": "slot", "name": "last_topic", "value": "audience"}
    assert answered_a_fact_last([user, audience, none, user])
    # ... or summed up a topic: "and the other role?" next asks for that topic's summary for the other one
    assert answered_a_fact_last([user, {"event": "slot", "name": "last_topic", "value": "cost"}, none, user])
    assert not answered_a_fact_last([user, {"event": "slot", "name": "last_topic", "value": None}, none, user])


def kept_asking(slots: Dict[str, Any]) -> bool:
    """Rasa's FormAction.validate keeps a validation's messages only when it sets some slot other than
    requested_slot (else ActionExecutionRejection drops them); an aside sets none of the form's own."""
    return bool(set(slots) - {"requested_slot"}) and not set(slots) & set(FORM_SLOTS)


def test_and_a_developer_in_the_form_after_the_audience_answer() -> None:
    text = "and a developer?"
    message = {"entities": [{"entity": "role", "value": "developer", "start": 6, "end": 15}]}
    msgs, slots = run(ValidateRecommendationForm(), tracker(text, "inform_role", message["entities"],
                                                            slots={"requested_slot": "preferred_focus",
                                                                   "current_role": "business_analyst"}))
    assert "The CSM suits a developer best, according to the article" in msgs[0]["text"]
    assert kept_asking(slots), slots
    # the role question itself is answered by the same words, not asked about
    _, slots = run(ValidateRecommendationForm(), tracker("a developer", "inform_role", [
        {"entity": "role", "value": "developer", "start": 2, "end": 11}], slots={"requested_slot": "current_role"}))
    assert slots.get("current_role") == "developer"


def _after_fact(fact: str, certification: str) -> List[Dict[str, Any]]:
    """The events of a turn that answered ``fact`` in the middle of the form, then asked the focus again."""
    return [{"event": "user", "text": "how long is the csm exam?"},
            {"event": "slot", "name": "certification", "value": certification},
            {"event": "slot", "name": "last_fact", "value": fact},
            {"event": "bot", "text": "What draws you more ..."}]


def test_a_follow_up_of_a_fact_in_the_form_is_answered_not_taken_for_an_unclear_answer() -> None:
    """"how long is the csm exam?" answered mid-form, then "is that the same for the other one?" (ask_other_option):
    the CSPO's counterpart, no "Sorry, I didn't quite get that", and the form asks its question again."""
    waiting = {"requested_slot": "preferred_focus", "current_role": "business_analyst", "certification": "CSM",
               "last_fact": "csm_test_format", "last_topic": "requirements", "unclear_answers": 0}
    msgs, slots = run(ValidateRecommendationForm(), tracker(
        "is that the same for the other one?", "ask_other_option", slots=waiting, confidence=0.9,
        events=_after_fact("csm_test_format", "CSM")))
    assert msgs and "CSPO" in msgs[0]["text"], msgs
    assert kept_asking(slots) and slots.get("unclear_answers") == 0, slots
    # without anything answered, the same words are an unclear answer, as before
    msgs, slots = run(ValidateRecommendationForm(), tracker(
        "is that the same for the other one?", "ask_other_option", slots=dict(waiting, last_fact=None, last_topic=None),
        confidence=0.9))
    assert not msgs and slots.get("unclear_answers") == 1, (msgs, slots)
    # ... but after a topic's summary (no fact), that topic for the other one (rule topic_other)
    msgs, slots = run(ValidateRecommendationForm(), tracker(
        "is that the same for the other one?", "ask_other_option", slots=dict(waiting, last_fact=None), confidence=0.9))
    assert msgs and "CSPO" in msgs[0]["text"] and kept_asking(slots), (msgs, slots)


def test_a_question_taken_for_stop_in_the_form_is_answered_and_the_form_goes_on() -> None:
    """"can I get a refund if I cancel?" (stop at 0.6) ended the form: now it is asked of the planner first."""
    waiting = {"requested_slot": "preferred_focus", "current_role": "business_analyst"}
    msgs, slots = run(ValidateRecommendationForm(), tracker("can I get a refund if I cancel?", "stop", slots=waiting,
                                                            confidence=0.6))
    assert msgs and "refund" in msgs[0]["text"].lower() and kept_asking(slots), (msgs, slots)
    # a sure "stop" is still left to the rule that ends the form
    msgs, slots = run(ValidateRecommendationForm(), tracker("stop", "stop", slots=waiting, confidence=0.99))
    assert not msgs and slots == {}, (msgs, slots)


def test_which_one_in_the_form_after_a_role_the_article_places_gets_its_answer() -> None:
    """"I'm a BA with 5 years experience." opened the form; "which cert should I get?" while it waits for the
    focus gets the article's answer for business analysts, and the form then asks its question again."""
    waiting = {"requested_slot": "preferred_focus", "current_role": "business_analyst"}
    for text, intent in (("which cert should I get?", "ask_recommendation"), ("so which one fits me?", "ask_recommendation")):
        msgs, slots = run(ValidateRecommendationForm(), tracker(text, intent, slots=waiting))
        assert msgs and msgs[0]["text"].startswith("The CSPO suits a business analyst best, according to the article"), \
            (text, msgs)
        assert kept_asking(slots), slots
    # a question about one certification is no "which one?" ("who is the cspo for?" in the load tests' script)
    msgs, _ = run(ValidateRecommendationForm(), tracker("who is the cspo for?", "ask_recommendation", slots=waiting))
    assert not any("according to the article" in str(m.get("text")) for m in msgs)
    # a role the article places nowhere, or an answer to the question, is read as the form reads it
    msgs, _ = run(ValidateRecommendationForm(), tracker("which cert should I get?", "ask_recommendation",
                                                        slots={**waiting, "current_role": "other"}))
    assert not any("according to the article" in str(m.get("text")) for m in msgs)
    msgs, slots = run(ValidateRecommendationForm(), tracker("the what and why of the product", "goal_own_product",
                                                            slots=waiting))
    assert not any("according to the article" in str(m.get("text")) for m in msgs) and slots.get("preferred_focus")


def test_which_cert_fits_me_in_the_form_gets_no_fact_the_words_happen_to_fit() -> None:
    """While the form waits for the role, "which cert fits me?" is the form's own question: it gets no fact (before:
    "Only the CSM has a test ...", which "which cert" fits best), and the form goes on asking."""
    waiting = {"requested_slot": "current_role"}
    for intent in ("ask_recommendation", "ask_certification_info", "nlu_fallback"):
        msgs, slots = run(ValidateRecommendationForm(), tracker("which cert fits me?", intent, slots=waiting, confidence=0.5))
        assert not any("test" in str(m.get("text")) for m in msgs), (intent, msgs)
    # a question on one point is still answered mid-form
    msgs, slots = run(ValidateRecommendationForm(), tracker("which one has a test, csm or cspo?", "ask_recommendation",
                                                            slots=waiting, confidence=0.5))
    assert msgs and "Only the CSM has a test" in msgs[0]["text"] and kept_asking(slots), (msgs, slots)


def test_the_audience_answer_opening_the_form_is_remembered_for_and_a_developer() -> None:
    from actions.action_recommend import ActionAskPreferredFocus

    text = "which cert suits a business analyst?"
    msgs, slots = run(ActionAskPreferredFocus(), tracker(text, "ask_recommendation", [
        {"entity": "role", "value": "business_analyst", "start": 19, "end": 35}], opened=True))
    assert msgs[0]["text"].startswith("The CSPO suits a business analyst best, according to the article")
    assert slots.get("last_topic") == "audience" and slots.get("certification") == "CSPO", slots
    # "why that one?" next (ask_why) is answered in the form: whom the article says the CSPO suits (it got "I ask
    # because ...", the form's reason for its question), and the form goes on asking
    msgs, slots = run(ValidateRecommendationForm(), tracker("why that one?", "ask_why", slots={
        "requested_slot": "preferred_focus", "last_topic": "audience", "certification": "CSPO"}, events=[
        {"event": "user", "text": text}, {"event": "slot", "name": "last_topic", "value": "audience"},
        {"event": "slot", "name": "last_fact", "value": None}]))
    assert msgs and msgs[0]["text"].startswith("Because that is whom the article says it suits"), msgs
    assert "The CSPO suits you if you" in msgs[0]["text"] and kept_asking(slots), (msgs, slots)
    # an answer to the form's question gets the next question only ("deciding what we build" got the
    # article's choose-if line for the CSPO first)
    msgs, slots = run(ActionAskPreferredFocus(), tracker("deciding what we build", "goal_own_product"))
    assert len(msgs) == 1 and not slots, msgs
    # the NLU is unsure of "and a developer?" (fallback): the planner reads it after that answer
    text = "and a developer?"
    msgs, _ = run(ActionHandleFallback(), tracker(text, "nlu_fallback", [
        {"entity": "role", "value": "developer", "start": 6, "end": 15}], slots={"last_topic": "audience"},
        ranking=[{"name": "nlu_fallback", "confidence": 0.4}, {"name": "inform_role", "confidence": 0.35}]))
    assert "The CSM suits a developer best, according to the article" in msgs[0]["text"]


def _unsure(intent: str) -> Dict[str, Any]:
    return {"confidence": 0.5}


def test_a_question_the_nlu_took_for_small_talk_is_answered() -> None:
    from actions.action_small_talk import ActionSmallTalk

    msgs, slots = run(ActionSmallTalk(), tracker("how many questions are on the csm test?", "stop", **_unsure("stop")))
    assert "50 multiple-choice questions" in msgs[0]["text"] and slots["last_fact"] == "csm_test_format", msgs
    assert "read as a question" in str(msgs[0].get("answer_trace") or msgs[0])
    # a sure "stop", a greeting, or a question to the advisor itself stays small talk
    msgs, _ = run(ActionSmallTalk(), tracker("stop", "stop"))
    assert msgs[0]["response"] == "utter_form_stopped"
    msgs, _ = run(ActionSmallTalk(), tracker("hi there", "greet", **_unsure("greet")))
    assert msgs[0]["response"] == "utter_greet"
    msgs, _ = run(ActionSmallTalk(), tracker("can you help me?", "greet", **_unsure("greet")))
    assert msgs[0]["response"] == "utter_greet"


def test_why_do_you_ask_in_the_form_says_why_and_a_question_about_a_goal_is_no_goal() -> None:
    for requested in ("current_role", "preferred_focus", "leads_transformation"):
        d = CollectingDispatcher()
        events = asyncio.run(ValidateRecommendationForm().run(d, tracker(
            "why do you ask?", "ask_why", slots={"requested_slot": requested, "unclear_answers": 1}), {}))
        assert [m.get("response") for m in d.messages] == [f"utter_why_ask_{requested}"], d.messages
        assert {e["name"]: e["value"] for e in events if e.get("event") == "slot"} == {"unclear_answers": 0}
    # "what does leading a transformation mean?" while a focus guess waits: no new guess quoting the question
    guess = {"value": "both", "quote": "both i guess"}
    _, slots = run(ValidateRecommendationForm(), tracker(
        "what does leading a transformation mean?", "goal_lead_transformation", confidence=0.6, question_form=True,
        slots={"requested_slot": "preferred_focus", "focus_guess": guess}))
    assert "focus_guess" not in slots and "preferred_focus" not in slots, slots


def test_the_message_before_is_read_from_the_conversation_not_a_slot() -> None:
    from actions.action_answer import context_of, previous_user_text

    before = [{"event": "session_started"}, {"event": "user", "text": "How many SEUs do I need?"},
              {"event": "bot", "text": "20 SEUs"}]
    t = tracker("how do i get them?", "nlu_fallback", events=before)
    assert previous_user_text(t) == "How many SEUs do I need?"
    assert context_of(t).question == "How many SEUs do I need?"
    # a new session, or a button's payload, is no message before
    t = tracker("how do i get them?", "nlu_fallback", events=[{"event": "user", "text": "old"}, {"event": "session_started"}])
    assert previous_user_text(t) is None
    t = tracker("how do i get them?", "nlu_fallback", events=[{"event": "user", "text": "/greet"}])
    assert previous_user_text(t) is None


def test_a_question_the_nlu_took_for_why_with_no_recommendation_is_answered() -> None:
    # "what are those values?" after the Scrum Master's duties (a summary, no fact): a question of its own
    msgs, _ = run(ActionExplainRecommendation(), tracker("what are those values?", "ask_why", confidence=0.47,
                                                         slots={"last_topic": "responsibilities"}))
    assert msgs[0]["text"].startswith("The Scrum values"), msgs[0]["text"]
    # after a recommendation, "why?"-like questions still explain it
    msgs, _ = run(ActionExplainRecommendation(), tracker("what are those values?", "ask_why", confidence=0.47,
                                                         slots=AFTER_CSM))
    assert not msgs[0]["text"].startswith("The Scrum values")


def test_an_opener_comparing_with_a_neighbour_gets_the_comparison_not_only_the_neighbour() -> None:
    """"which one expires, CSM or PSM I?" opened the form: the form's reading sent what the PSM I is, and that
    bot message kept the planner's comparison (both validities) out, as the form's question came next."""
    from actions.action_recommend import ActionAskCurrentRole

    text = "which one expires, CSM or PSM I?"
    entities = [{"entity": "certification", "value": "CSM", "start": 19, "end": 22},
                {"entity": "other_certification", "value": "PSM", "start": 26, "end": 31}]
    msgs, _ = run(ValidateRecommendationForm(), tracker(text, "ask_recommendation", entities, opened=True))
    assert msgs == []
    msgs, _ = run(ActionAskCurrentRole(), tracker(text, "ask_recommendation", entities, opened=True))
    answer = msgs[0]["text"]
    assert "two years" in answer and "does not expire" in answer, answer
    # "should I get PMP or CSM?" still first hears what the PMP is, once
    text = "should I get PMP or CSM?"
    entities = [{"entity": "other_certification", "value": "PMP", "start": 13, "end": 16},
                {"entity": "certification", "value": "CSM", "start": 20, "end": 23}]
    first, _ = run(ValidateRecommendationForm(), tracker(text, "ask_recommendation", entities, opened=True))
    msgs, _ = run(ActionAskCurrentRole(), tracker(text, "ask_recommendation", entities, opened=True))
    said = [m["text"] for m in first + msgs if m.get("text")]
    assert sum("PMP (Project Management Professional)" in m for m in said) == 1, said


def test_why_after_a_fact_with_no_reason_says_the_sources_give_none() -> None:
    """"why?" right after "the CSPO has no test" said "I haven't recommended anything yet" (set 50): the sources state the
    rule, not its reason, and the rule again; in the form, "why?" still asks why the form asks its question."""
    msgs, slots = run(ActionExplainRecommendation(), tracker("why?", "ask_why", **after_fact("cspo_no_test", "CSPO")))
    assert "not the reason" in msgs[0]["text"] and "no test" in msgs[0]["text"], msgs
    waiting = {"requested_slot": "preferred_focus", "current_role": "business_analyst", "certification": "CSPO",
               "last_fact": "cspo_no_test", "last_topic": "requirements", "unclear_answers": 0}
    msgs, _ = run(ValidateRecommendationForm(), tracker("why?", "ask_why", slots=waiting, confidence=0.95,
                                                        events=_after_fact("cspo_no_test", "CSPO")))
    assert msgs and msgs[0].get("response") == "utter_why_ask_preferred_focus", msgs
