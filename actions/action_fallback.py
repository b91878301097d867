"""Fallback for messages the NLU is not confident about, and the out-of-scope reply."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction, send
from actions.context import trusted_entities
from actions.direct import direct_answer
from actions.facts import get_fact_index
from actions.fallback import FALLBACK_INTENT, plan_fallback
from actions.knowledge_base import get_knowledge
from actions.neighbours import get_neighbours, neighbour_reply
from actions.render import Renderer


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
        neighbours = get_neighbours().named(str(message.get("text") or ""), trusted_entities(message))
        if neighbours:  # "PSPO?": what it is, how it relates, the advisor's scope
            send(dispatcher, [neighbour_reply(get_knowledge(), get_neighbours(), Renderer(tracker.get_latest_input_channel()),
                                              neighbours)])
            return [UserUtteranceReverted()]
        # Unsure of the intent, but the words clearly ask for one fact ("is it proctored?"): answer it.
        guess = next((str(i.get("name")) for i in ranking if i.get("name") != FALLBACK_INTENT), None)
        direct = direct_answer(get_knowledge(), get_fact_index(), Renderer(tracker.get_latest_input_channel()), guess,
                               message, tracker.get_slot("certification"), tracker.get_slot("last_topic"), unsure=True)
        if direct is not None:
            send(dispatcher, direct.replies)
            return [UserUtteranceReverted(), SlotSet("certification", direct.certification),
                    SlotSet("last_topic", direct.fact.topic)]
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
        neighbours = [] if language else get_neighbours().named(str(message.get("text") or ""), trusted_entities(message))
        if neighbours:  # "PMP exam questions": say what PMP is and that the advisor covers CSM/CSPO
            send(dispatcher, [neighbour_reply(get_knowledge(), get_neighbours(), Renderer(tracker.get_latest_input_channel()),
                                              neighbours)])
            return []
        dispatcher.utter_message(response="utter_other_language" if language else "utter_out_of_scope")
        return []
