"""Answers knowledge questions through the answer planner (actions/planner.py): one fact, its
counterpart, a topic summary, a neighbouring certification, the article's answer for a role, or an
honest "I don't know". The action only reads the tracker and sends what the planner decided."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, Iterable, List, Mapping, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction, send
from actions.compose import get_planner, planned_reply
from actions.decision import FALLBACK, NO_ANSWER, SMALL_TALK, WHY_NOT_STATED, Context, Decision, Turn, accepted, fit_only
from actions.question_text import looks_like_a_question
from actions.render import Renderer

CONTEXT_SLOTS = ("certification", "last_topic", "last_fact", "last_neighbour")


def context_of(tracker: Tracker) -> Context:
    def slot(name: str) -> Optional[str]:
        value = tracker.get_slot(name)
        return value if isinstance(value, str) and value else None

    return Context(certification=slot("certification"), topic=slot("last_topic"), fact=slot("last_fact"),
                   neighbour=slot("last_neighbour"), question=previous_user_text(tracker))


def previous_user_text(tracker: Tracker) -> Optional[str]:
    """The user's message before the latest one, in this session (None at its start): what a short follow-up
    leans on. Read from the conversation each time; it is never copied into a slot."""
    seen = 0
    for event in reversed(tracker.events or []):
        if event.get("event") == "session_started":
            return None
        if event.get("event") == "user":
            seen += 1
            if seen == 2:
                text = event.get("text")
                return text if isinstance(text, str) and text and not text.startswith("/") else None
    return None


def context_events(after: Context) -> List[Dict[Text, Any]]:
    return [SlotSet("certification", after.certification), SlotSet("last_topic", after.topic),
            SlotSet("last_fact", after.fact), SlotSet("last_neighbour", after.neighbour)]


def answer_with(dispatcher: CollectingDispatcher, tracker: Tracker, decision: Decision,
                context: Context) -> List[Dict[Text, Any]]:
    """Sends the decision's reply; returns the events that remember what it was about."""
    send(dispatcher, planned_reply(Renderer(tracker.get_latest_input_channel()), decision))
    return context_events(decision.context_after(context))


def answered_a_fact_last(events: Iterable[Mapping[str, Any]]) -> bool:
    """Whether the bot's turn just before the latest user message answered with a fact (it set
    ``last_fact``) or with a topic (it set ``last_topic``: whom a certification suits, a topic's summary): only then may a
    message taken for small talk be read as a follow-up of it."""
    users = 0
    for event in reversed(list(events)):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                return False
        elif users == 1 and event.get("event") == "slot" and event.get("name") == "last_fact" and event.get("value"):
            return True
        elif users == 1 and event.get("event") == "slot" and event.get("name") == "last_topic" and event.get("value"):
            # ... or said whom a certification suits ("why that one?" next asks why that one), or summed up a topic ("and
            # the other role?" after what a Product Owner does)
            return True
    return False


def answer_follow_up(dispatcher: CollectingDispatcher, tracker: Tracker, reasons: bool = True) -> Optional[List[Dict[Text, Any]]]:
    """"how many questions is that?" (ask_why to the NLU) right after the pass mark: the planner's answer
    when it reads the message as a follow-up of that fact (route SMALL_TALK); None otherwise. ``reasons``: whether
    "why?" may be read as asking the fact's reason (not in the form, where it asks why the form asks its question)."""
    if not answered_a_fact_last(tracker.events):
        return None
    context = context_of(tracker)
    decision = get_planner().plan(Turn.from_message(tracker.latest_message or {}, unsure=True), context)
    if not accepted(SMALL_TALK, decision) or (not reasons and decision.rule == WHY_NOT_STATED):
        return None
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    decision = replace(decision, route=f"small talk ({intent}) read as a follow-up of {context.fact}")
    return answer_with(dispatcher, tracker, decision, context)


# A message the NLU took for a greeting, thanks, goodbye or "stop" at most this sure, that reads as a question
# ("how many questions on it?" as stop, "do they have to go to the daily?" as goodbye): asked of the planner as a
# message the NLU was unsure of (the stricter bar; never a bare "I don't know").
MISREAD_MAX_CONFIDENCE = 0.8


def answer_misread_question(dispatcher: CollectingDispatcher, tracker: Tracker,
                            max_confidence: float = MISREAD_MAX_CONFIDENCE,
                            in_form: bool = False) -> Optional[List[Dict[Text, Any]]]:
    """The planner's answer to a question the NLU took for small talk (or, in the form, for no answer to its
    question: any confidence); None when it is none or not sure, or, ``in_form``, when it only asks which one
    fits ("which cert fits me?": the form's own question, which it goes on asking)."""
    message = tracker.latest_message or {}
    parsed = message.get("intent") or {}
    text = str(message.get("text") or "")
    # (whatever the NLU's confidence, a greeting with a question besides: "hi there! quick one - how long is it?")
    if (float(parsed.get("confidence") or 0.0) > max_confidence or not looks_like_a_question(text)) \
            and not get_planner().asks_beside_pleasantries(text):
        return None
    context = context_of(tracker)
    decision = get_planner().plan(Turn.from_message(message, unsure=True), context)
    # (in the form, "why?" asks why the form asks its question, not the reason for the fact given before it)
    if not accepted(FALLBACK, decision) or (in_form and (fit_only(decision) or decision.rule == WHY_NOT_STATED)):
        return None
    decision = replace(decision, route=f"small talk ({parsed.get('name')}) read as a question")
    return answer_with(dispatcher, tracker, decision, context)


class ActionAnswerQuestion(SafeAction):
    def name(self) -> Text:
        return "action_answer_question"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        context = context_of(tracker)
        decision = get_planner().plan(Turn.from_message(tracker.latest_message or {}), context)
        if decision.kind == NO_ANSWER:
            dispatcher.utter_message(response="utter_capabilities")
            return []
        return answer_with(dispatcher, tracker, decision, context)
