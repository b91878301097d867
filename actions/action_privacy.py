"""Erasure on request (issue 22, PRIVACY.md): the user said "forget me" and confirmed.

The rules (data/rules/privacy.yml) ask first (utter_ask_forget_me); on yes this action answers and sets
``forget_confirmed``. The deletion itself happens in the Rasa process, where the tracker is saved after
the action: persistence.tracker_store.AdvisorTrackerStore deletes the conversation (and what is kept
about it elsewhere) instead of saving a tracker carrying that slot. Nothing is deleted here: the action
server never holds the store.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import SafeAction

FORGET_SLOT = "forget_confirmed"
# Sent to the web widget only (web/chat.js): it then drops its own copy of the transcript in the
# browser and asks for a new session. Rasa's socket.io output emits a custom message as
# sio.emit(bot_uttered, **message): the payload goes under "data".
FORGOTTEN_SIGNAL = {"data": {"advisor": "conversation_forgotten"}}
WEB_CHANNEL = "socketio"


class ActionForgetMe(SafeAction):
    def name(self) -> Text:
        return "action_forget_me"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_forgotten")
        if tracker.get_latest_input_channel() == WEB_CHANNEL:
            dispatcher.utter_message(json_message={k: dict(v) for k, v in FORGOTTEN_SIGNAL.items()})
        return [SlotSet(FORGET_SLOT, True)]
