"""Fallback for messages the NLU is not confident about, and the out-of-scope reply."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.action_answer import answer_with, context_of
from actions.base import SafeAction
from actions.compose import get_planner
from actions.decision import FALLBACK, OUT_OF_SCOPE, Turn, accepted
from actions.fallback import FALLBACK_INTENT, plan_fallback
from actions.knowledge_base import get_knowledge


class ActionHandleFallback(SafeAction):
    def name(self) -> Text:
        return "action_handle_fallback"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        intents = [
            ((e.get("parse_data") or {}).get("intent") or {}).get("name") or ""
            for e in tracker.events
            if e.get("event") == "user"
        ][-5:]
        message = tracker.latest_message or {}
        ranking = message.get("intent_ranking") or []
        # Unsure of the intent, but the words clearly ask for one fact ("is it proctored?"), name a
        # neighbour ("PSPO?") or a known unknown: the planner answers, with its stricter bar.
        context = context_of(tracker)
        decision = get_planner().plan(Turn.after_fallback(message, get_knowledge(), FALLBACK_INTENT), context)
        if accepted(FALLBACK, decision):
            # Forget the misunderstood message, so that it does not steer what comes next.
            return [UserUtteranceReverted()] + answer_with(dispatcher, tracker, decision, context)
        plan = plan_fallback(get_knowledge(), ranking, intents)
        if plan.buttons:
            dispatcher.utter_message(response=plan.response, buttons=[b.as_dict() for b in plan.buttons])
        else:
            dispatcher.utter_message(response=plan.response)
        # Forget the misunderstood message, so that it does not steer what comes next.
        return [UserUtteranceReverted()]


class ActionOutOfScope(SafeAction):
    """Out-of-scope messages; those in another language get told the advisor speaks English."""

    def name(self) -> Text:
        return "action_out_of_scope"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        language = message.get("language")
        if not language:  # "PMP exam questions", "refund for my cspo class?": what the planner knows it can say
            context = context_of(tracker)
            decision = get_planner().plan(Turn.from_message(message, unsure=True), context)
            if accepted(OUT_OF_SCOPE, decision):
                return answer_with(dispatcher, tracker, decision, context)
        dispatcher.utter_message(response="utter_other_language" if language else "utter_out_of_scope")
        return []
