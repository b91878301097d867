"""Answers knowledge questions (what is it, duties, benefits, costs, ...) from the knowledge base."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import answer
from actions.base import SafeAction, send
from actions.context import resolve_question, trusted_entities
from actions.direct import direct_answer
from actions.facts import get_fact_index
from actions.knowledge_base import get_knowledge
from actions.neighbours import get_neighbours, neighbour_reply
from actions.render import Renderer

CERTIFICATION_SLOT = "certification"
LAST_TOPIC_SLOT = "last_topic"


class ActionAnswerQuestion(SafeAction):
    def name(self) -> Text:
        return "action_answer_question"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb = get_knowledge()
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        renderer = Renderer(tracker.get_latest_input_channel())
        # PSM, PMP, SAFe POPM, A-CSM…: name what was asked and how it relates, not the CSM/CSPO table.
        neighbours = get_neighbours().named(str(message.get("text") or ""), trusted_entities(message))
        if neighbours:
            send(dispatcher, [neighbour_reply(kb, get_neighbours(), renderer, neighbours)])
            return [SlotSet(CERTIFICATION_SLOT, None), SlotSet(LAST_TOPIC_SLOT, None)]
        # A precise question gets the one fact it asks for; a broad one the topic summary.
        direct = direct_answer(kb, get_fact_index(), renderer, intent, message,
                               tracker.get_slot(CERTIFICATION_SLOT), tracker.get_slot(LAST_TOPIC_SLOT))
        if direct is not None:
            send(dispatcher, direct.replies)
            return [SlotSet(CERTIFICATION_SLOT, direct.certification), SlotSet(LAST_TOPIC_SLOT, direct.fact.topic)]
        question = resolve_question(
            kb,
            intent,
            message,
            last_certification=tracker.get_slot(CERTIFICATION_SLOT),
            last_topic=tracker.get_slot(LAST_TOPIC_SLOT),
        )
        if question is None:
            dispatcher.utter_message(response="utter_capabilities")
            return []
        send(dispatcher, answer(kb, renderer, question))
        # Remember one certification as context; after an answer about both, there is none.
        context = question.certifications[0] if len(question.certifications) == 1 else None
        if question.topic == "comparison":
            context = None
        return [SlotSet(CERTIFICATION_SLOT, context), SlotSet(LAST_TOPIC_SLOT, question.topic)]
