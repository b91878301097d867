"""The 👍/👎 under fact and topic answers: storing votes, asking what a 👎 was looking for, storing that.

The rules (data/rules/feedback.yml): a vote runs ``action_feedback_vote``; after a 👎 (outside the
recommendation form) ``feedback_form`` asks ``utter_ask_feedback_comment`` and the next message is the
comment, stored by ``action_feedback_comment``. A knowledge question typed there is stored as the comment
and answered too; "help me choose" starts the recommendation form. What counts as what: actions.feedback.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction
from actions.feedback import (
    COMMENT_SLOT,
    FORM,
    SLOT,
    VOTE_INTENTS,
    awaiting_comment,
    comment_record,
    comment_text,
    latest_answer,
    vote_record,
)
from actions.knowledge_base import get_knowledge

RECOMMENDATION_FORM = "recommendation_form"


REQUEST_HUMAN = "request_human"


def _intent(tracker: Tracker) -> str:
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")


def _answers_elsewhere(intent: str) -> bool:
    """A message the feedback form leaves to its own rule (it is stored as the comment, then answered)."""
    topic = get_knowledge().topic_for_intent(intent)
    return topic is not None  # the topics include "recommendation" (help me choose)


class ActionFeedbackVote(SafeAction):
    """Stores a 👍 or 👎 about the latest answer that offered the vote, and says thanks. After a 👎 the
    rule goes on to the feedback form, which asks what the user was looking for; in the middle of the
    recommendation form the vote is only noted, and the form's question comes back."""

    def name(self) -> Text:
        return "action_feedback_vote"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        vote = VOTE_INTENTS.get(_intent(tracker))
        if vote is None:  # run by a story or rule for another intent: nothing to store
            return []
        record = vote_record(vote, latest_answer(tracker.events))
        if vote == "up":
            dispatcher.utter_message(response="utter_feedback_thanks")
        elif tracker.active_loop_name == RECOMMENDATION_FORM:
            dispatcher.utter_message(response="utter_feedback_noted")
        return [SlotSet(SLOT, record), SlotSet(COMMENT_SLOT, None)]


class ValidateFeedbackForm(SafeAction):
    """The form's one slot: whatever the user writes next, except a knowledge question or "help me
    choose" (the form then steps aside: a rule stores the comment and answers the question)."""

    def name(self) -> Text:
        return "validate_feedback_form"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if tracker.get_slot("requested_slot") != COMMENT_SLOT:
            return []
        if _answers_elsewhere(_intent(tracker)) or _intent(tracker) == REQUEST_HUMAN:
            return []  # (asking for a person: data/rules/handoff.yml ends the form and asks for one)
        return [SlotSet(COMMENT_SLOT, str((tracker.latest_message or {}).get("text") or ""))]


class ActionFeedbackComment(SafeAction):
    """Stores what the user was looking for with the 👎 it belongs to, and closes the feedback form.
    After a comment that is also a question (or a button), the rule answers it: only a short note here."""

    def name(self) -> Text:
        return "action_feedback_comment"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        events: List[Dict[Text, Any]] = [SlotSet(COMMENT_SLOT, None)]
        if tracker.active_loop_name == FORM:
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        pending = tracker.get_slot(SLOT)
        comment = comment_text(tracker.latest_message or {}) if awaiting_comment(pending) else None
        answered_elsewhere = _answers_elsewhere(_intent(tracker))
        if comment is None:
            if not answered_elsewhere:
                dispatcher.utter_message(response="utter_feedback_no_comment")
            return events
        dispatcher.utter_message(response="utter_feedback_comment_noted" if answered_elsewhere
                                 else "utter_feedback_comment_thanks")
        return [SlotSet(SLOT, comment_record(pending, comment)), *events]
