"""Small talk outside the form ("what can you do?", a bare "no", "hi", "thanks", "bye", "stop"), unless the
message is a follow-up of the fact just given that the NLU took for small talk ("so can I use notes?" as
ask_capabilities, "open book or not?" as deny): then the answer planner answers it
(actions.action_answer.answer_follow_up); or a question the NLU was not sure was small talk ("how many
questions on it?" as stop): then the planner answers it if it can (answer_misread_question).
The reply for each small-talk intent is data: `small_talk_replies` in knowledge/dialogue.yml."""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.action_answer import answer_follow_up, answer_misread_question
from actions.base import SafeAction
from actions.knowledge_base import Knowledge, KnowledgeError, get_knowledge

FALLBACK_RESPONSE = "utter_capabilities"


def small_talk_replies(kb: Knowledge) -> Mapping[str, str]:
    """intent -> response name (knowledge/dialogue.yml `small_talk_replies`)."""
    raw: Any = kb.extra.get("small_talk_replies") or {}
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.startswith("utter_")
                                            for k, v in raw.items()):
        raise KnowledgeError(kb.extra_files.get("small_talk_replies", "knowledge/dialogue.yml"), "small_talk_replies",
                             "expected a mapping of intent names to response names (utter_...)")
    return {str(k): str(v) for k, v in raw.items()}


class ActionSmallTalk(SafeAction):
    def name(self) -> Text:
        return "action_small_talk"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        answered = answer_follow_up(dispatcher, tracker)
        if answered is None:  # "how many questions on it?" taken for "stop": a question all the same
            answered = answer_misread_question(dispatcher, tracker)
        if answered is not None:
            return answered
        intent = str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")
        dispatcher.utter_message(response=small_talk_replies(get_knowledge()).get(intent, FALLBACK_RESPONSE))
        return []
