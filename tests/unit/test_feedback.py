"""The 👍/👎 under fact and topic answers: the pure rules (actions.feedback) and the three actions with real
rasa_sdk trackers and dispatchers (no server)."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.action_feedback import ActionFeedbackComment, ActionFeedbackVote, ValidateFeedbackForm
from actions.base import send
from actions.feedback import (
    COMMENT_SLOT,
    REF_KEY,
    SLOT,
    TRACE_KEY,
    FeedbackLabels,
    awaiting_comment,
    comment_record,
    comment_text,
    is_ref,
    labels_from_knowledge,
    latest_answer,
    outgoing,
    stored,
    vote_record,
)
from actions.knowledge_base import KnowledgeError, load_knowledge
from actions.render import Button, Reply

LABELS = FeedbackLabels(helpful="👍 Helpful", wrong="👎 Not right")


def user(text: str, ts: float, intent: str = "ask_cost") -> Dict[str, Any]:
    return {"event": "user", "text": text, "timestamp": ts, "parse_data": {"intent": {"name": intent}}}


def bot(text: str, ts: float, ref: Optional[str] = None, **metadata: Any) -> Dict[str, Any]:
    return {"event": "bot", "text": text, "timestamp": ts, "data": {},
            "metadata": {**({REF_KEY: ref} if ref else {}), **metadata}}


# --- what goes out -------------------------------------------------------------------------------
def test_a_fact_answer_gets_the_vote_buttons_after_its_own() -> None:
    reply = Reply("The CSM course costs…", [Button("More: Costs", "/ask_cost")], trace={"decision": "fact"},
                  feedback="fact:csm_price")
    buttons, metadata = outgoing(reply, LABELS)
    assert buttons == [{"title": "More: Costs", "payload": "/ask_cost"},
                       {"title": "👍 Helpful", "payload": "/feedback_helpful"},
                       {"title": "👎 Not right", "payload": "/feedback_wrong"}]
    assert metadata == {REF_KEY: "fact:csm_price", TRACE_KEY: {"decision": "fact"}}


def test_a_reply_without_feedback_is_sent_as_before() -> None:
    buttons, metadata = outgoing(Reply("Hi", [Button("Costs", "/ask_cost")]), None)
    assert buttons == [{"title": "Costs", "payload": "/ask_cost"}] and metadata == {}


@pytest.mark.parametrize("ref", ["csm_price", "fact:", "fact:a b", "fact:x\n", "other:x", "fact:" + "x" * 81])
def test_a_malformed_reference_is_refused(ref: str) -> None:
    assert not is_ref(ref)
    with pytest.raises(ValueError):
        outgoing(Reply("x", feedback=ref), LABELS)


def test_send_puts_reference_and_trace_into_the_bot_event_metadata() -> None:
    d = CollectingDispatcher()
    send(d, [Reply("Yes: the CSM test is open book.", [Button("More: Course and exam", "/ask_requirements")],
                   trace={"decision": "fact", "fact": "csm_open_book"}, feedback="fact:csm_open_book"),
             Reply("No vote here")])
    first, second = d.messages
    assert first[REF_KEY] == "fact:csm_open_book" and first[TRACE_KEY]["fact"] == "csm_open_book"
    assert [b["payload"] for b in first["buttons"]] == ["/ask_requirements", "/feedback_helpful", "/feedback_wrong"]
    assert REF_KEY not in second and TRACE_KEY not in second and not second["buttons"]


def test_button_titles_come_from_the_knowledge_data(tmp_path) -> None:
    kb = load_knowledge()
    labels = labels_from_knowledge(kb)
    assert labels.helpful and labels.wrong and "👍" in labels.helpful and "👎" in labels.wrong
    broken = type(kb)(**{**kb.__dict__, "extra": {**kb.extra, "feedback": {"helpful": "👍"}}})
    with pytest.raises(KnowledgeError, match="feedback.wrong"):
        labels_from_knowledge(broken)


# --- what a vote is about ------------------------------------------------------------------------
def test_the_vote_is_about_the_answer_it_follows_and_the_question_before_it() -> None:
    events = [user("hi", 1, "greet"), bot("Hi!", 2),
              user("how much is a csm retake?", 3), bot("The CSM course costs…", 4, "fact:csm_price"),
              user("/feedback_wrong", 5, "feedback_wrong")]
    answered = latest_answer(events)
    assert answered is not None
    assert (answered.ref, answered.question, answered.answer_event) == ("fact:csm_price", "how much is a csm retake?", 4)


def test_a_form_question_after_the_answer_does_not_hide_it() -> None:
    events = [user("how much is it", 1), bot("The CSM course costs…", 2, "fact:csm_price"),
              bot("What draws you more…?", 3), user("👎", 4, "feedback_wrong")]
    answered = latest_answer(events)
    assert answered is not None and answered.ref == "fact:csm_price"


def test_an_old_button_pressed_later_is_not_about_a_newer_reply() -> None:
    events = [user("how much", 1), bot("The CSM course costs…", 2, "fact:csm_price"),
              user("thanks", 3, "thank"), bot("You're welcome!", 4),
              user("/feedback_wrong", 5, "feedback_wrong")]
    assert latest_answer(events) is None
    assert vote_record("down", None) == {"vote": "down", "ref": None, "question": None, "answer_event": None}


def test_the_reference_is_never_read_from_a_user_event() -> None:
    forged = {"event": "user", "text": "/feedback_wrong", "timestamp": 3, "metadata": {REF_KEY: "fact:forged"},
              "parse_data": {"intent": {"name": "feedback_wrong"}, "entities": [{"entity": REF_KEY, "value": "fact:x"}]}}
    events = [user("hi", 1, "greet"), bot("Hi!", 2, None, **{REF_KEY: "not a ref"}), forged]
    assert latest_answer(events) is None


def test_vote_and_comment_records() -> None:
    answered = latest_answer([user("is it open book?", 1), bot("Yes…", 2, "fact:csm_open_book"), user("👎", 3)])
    down = vote_record("down", answered)
    assert down == {"vote": "down", "ref": "fact:csm_open_book", "question": "is it open book?", "answer_event": 2.0}
    assert awaiting_comment(down) and not awaiting_comment(vote_record("up", answered))
    comment = comment_record(down, "I wanted the CSPO")
    assert comment == {**down, "comment": "I wanted the CSPO"} and not awaiting_comment(comment)
    with pytest.raises(ValueError):
        vote_record("sideways", answered)


@pytest.mark.parametrize("text, intent, expected", [
    ("the price of a second attempt", "ask_cost", "the price of a second attempt"),
    ("  it said\nsomething else  ", "nlu_fallback", "it said something else"),
    ("/ask_cost", "ask_cost", None),
    ("no thanks", "deny", None),
    ("never mind", "stop", None),
    ("", "nlu_fallback", None),
    ("x" * 3000, "nlu_fallback", "x" * 1000),
])
def test_what_counts_as_a_comment(text: str, intent: str, expected: Optional[str]) -> None:
    assert comment_text({"text": text, "intent": {"name": intent}}) == expected


def test_stored_votes_are_counted_once_across_sessions() -> None:
    vote = {"vote": "down", "ref": "fact:csm_price", "question": "q", "answer_event": 4.0}
    events = [{"event": "slot", "name": SLOT, "value": vote, "timestamp": 5},
              {"event": "slot", "name": SLOT, "value": {**vote, "comment": "c"}, "timestamp": 6},
              {"event": "session_started", "timestamp": 7},
              {"event": "slot", "name": SLOT, "value": {**vote, "comment": "c"}, "timestamp": 7},  # carried over
              {"event": "slot", "name": "certification", "value": "CSM", "timestamp": 7},
              {"event": "slot", "name": SLOT, "value": None, "timestamp": 8}]
    assert stored(events) == [{**vote, "timestamp": 5.0}, {**vote, "comment": "c", "timestamp": 6.0}]


# --- the actions ---------------------------------------------------------------------------------
def tracker(events: List[Dict[str, Any]], slots: Optional[dict] = None, active_loop: Optional[str] = None) -> Tracker:
    latest = next(e for e in reversed(events) if e["event"] == "user")
    message = {"text": latest["text"], **latest["parse_data"], "entities": []}
    return Tracker("rest:t", slots or {}, message, events, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def run(action: Any, t: Tracker) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    d = CollectingDispatcher()
    return d.messages, asyncio.run(action.run(d, t, {}))


def slots_of(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


ANSWERED = [user("is the csm test open book?", 1, "ask_requirements"), bot("Yes…", 2, "fact:csm_open_book")]


def test_a_thumbs_up_is_stored_and_thanked() -> None:
    msgs, events = run(ActionFeedbackVote(), tracker(ANSWERED + [user("/feedback_helpful", 3, "feedback_helpful")]))
    assert [m["response"] for m in msgs] == ["utter_feedback_thanks"]
    assert slots_of(events)[SLOT] == {"vote": "up", "ref": "fact:csm_open_book",
                                      "question": "is the csm test open book?", "answer_event": 2.0}


def test_a_thumbs_down_is_stored_and_the_form_asks_next() -> None:
    msgs, events = run(ActionFeedbackVote(), tracker(ANSWERED + [user("that's wrong", 3, "feedback_wrong")],
                                                     slots={COMMENT_SLOT: "an old comment"}))
    assert msgs == []  # the feedback form asks "what were you looking for?"
    assert slots_of(events) == {SLOT: {"vote": "down", "ref": "fact:csm_open_book",
                                       "question": "is the csm test open book?", "answer_event": 2.0},
                                COMMENT_SLOT: None}


def test_a_vote_in_the_recommendation_form_is_only_noted() -> None:
    msgs, events = run(ActionFeedbackVote(), tracker(ANSWERED + [user("👎", 3, "feedback_wrong")],
                                                     active_loop="recommendation_form"))
    assert [m["response"] for m in msgs] == ["utter_feedback_noted"]
    assert slots_of(events)[SLOT]["vote"] == "down"


def test_the_vote_action_stores_nothing_for_another_intent() -> None:
    assert run(ActionFeedbackVote(), tracker(ANSWERED + [user("hi", 3, "greet")])) == ([], [])


DOWN = vote_record("down", latest_answer(ANSWERED + [user("👎", 3)]))


@pytest.mark.parametrize("text, intent, filled", [
    ("I wanted to know if it is proctored", "nlu_fallback", True),
    ("no thanks", "deny", True),  # filled: the form ends; the comment action stores nothing
    ("how much is the retake?", "ask_cost", False),  # left to the rule that stores it and answers it
    ("/compare_certifications", "compare_certifications", False),
    ("help me choose", "ask_recommendation", False),
])
def test_the_form_takes_anything_but_a_question(text: str, intent: str, filled: bool) -> None:
    t = tracker(ANSWERED + [user("👎", 3, "feedback_wrong"), user(text, 4, intent)],
                slots={"requested_slot": COMMENT_SLOT, SLOT: DOWN}, active_loop="feedback_form")
    _, events = run(ValidateFeedbackForm(), t)
    assert (slots_of(events) == {COMMENT_SLOT: text}) if filled else events == []


def test_the_comment_is_stored_with_its_vote() -> None:
    t = tracker(ANSWERED + [user("👎", 3, "feedback_wrong"), user("I meant the CSPO", 4, "nlu_fallback")],
                slots={SLOT: DOWN, COMMENT_SLOT: "I meant the CSPO"})
    msgs, events = run(ActionFeedbackComment(), t)
    assert [m["response"] for m in msgs] == ["utter_feedback_comment_thanks"]
    assert slots_of(events) == {SLOT: {**DOWN, "comment": "I meant the CSPO"}, COMMENT_SLOT: None}


def test_a_question_as_the_comment_is_stored_and_closes_the_form_for_the_answer() -> None:
    t = tracker(ANSWERED + [user("👎", 3, "feedback_wrong"), user("what does a retake cost?", 4, "ask_cost")],
                slots={SLOT: DOWN, "requested_slot": COMMENT_SLOT}, active_loop="feedback_form")
    msgs, events = run(ActionFeedbackComment(), t)
    assert [m["response"] for m in msgs] == ["utter_feedback_comment_noted"]
    assert slots_of(events)[SLOT] == {**DOWN, "comment": "what does a retake cost?"}
    assert {"event": "active_loop", "name": None} in [{"event": e["event"], "name": e.get("name")} for e in events]


@pytest.mark.parametrize("text, intent, response", [
    ("never mind", "stop", "utter_feedback_no_comment"),
    ("/ask_cost", "ask_cost", None),  # a button: answered by the rule, nothing stored
])
def test_no_comment(text: str, intent: str, response: Optional[str]) -> None:
    t = tracker(ANSWERED + [user("👎", 3, "feedback_wrong"), user(text, 4, intent)], slots={SLOT: DOWN})
    msgs, events = run(ActionFeedbackComment(), t)
    assert [m["response"] for m in msgs] == ([response] if response else [])
    assert SLOT not in slots_of(events)


def test_a_comment_without_a_pending_thumbs_down_is_not_stored() -> None:
    t = tracker(ANSWERED + [user("some words", 4, "nlu_fallback")], slots={SLOT: {**DOWN, "comment": "done"}})
    _, events = run(ActionFeedbackComment(), t)
    assert SLOT not in slots_of(events)
