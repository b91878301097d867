"""A base for the advisor's actions: failures are logged with the conversation id and turned into
an apology with a useful alternative, never a stack trace in the chat."""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import get_feedback_labels, outgoing
from actions.render import Reply

logger = logging.getLogger(__name__)

FAILURE_RESPONSE = "utter_action_failed"


def send(dispatcher: CollectingDispatcher, replies: List[Reply]) -> None:
    """Sends the replies; one with a `feedback` reference also gets the 👍/👎 buttons, and the bot event
    keeps the reference and the answer trace in its metadata (actions.feedback)."""
    for reply in replies:
        buttons, metadata = outgoing(reply, get_feedback_labels() if reply.feedback is not None else None)
        dispatcher.utter_message(text=reply.text, buttons=buttons or None, **metadata)


class SafeAction(Action, ABC):
    """Subclasses implement `act`; any exception it raises is logged and answered politely."""

    @abstractmethod
    def name(self) -> Text:  # pragma: no cover - abstract
        raise NotImplementedError

    @abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:  # pragma: no cover - abstract
        raise NotImplementedError

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            return await self.act(dispatcher, tracker, domain)
        except Exception:  # noqa: BLE001 - the user must always get an answer
            logger.exception("action %s failed in conversation %s", self.name(), tracker.sender_id)
            dispatcher.messages.clear()
            dispatcher.utter_message(response=FAILURE_RESPONSE)
            return []
