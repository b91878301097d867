"""Keeps the conversation going when the action server is down or an action fails.

Rasa 3.6 logs a failed custom action and carries on silently, so the user sees nothing. This guard
wraps the Rasa server's remote-action call: on a failure it logs the action and conversation id
(no stack trace reaches the user) and sends the domain response `utter_action_failed` instead.
Rejections (forms asking the user again) pass through unchanged. Installed once, when the NLU
pipeline is created in the Rasa server (see components.nlu.MessageCleaner).
"""
from __future__ import annotations

import logging
from typing import Any, List

logger = logging.getLogger(__name__)

FAILURE_RESPONSE = "utter_action_failed"
_MARK = "_advisor_action_guard"


def install() -> bool:
    """Wraps RemoteAction.run; returns False if it was already wrapped."""
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
    from rasa.shared.exceptions import RasaException

    if getattr(RemoteAction.run, _MARK, False):
        return False
    original = RemoteAction.run

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except (RasaException, OSError) as exc:
            logger.error("custom action %s failed in conversation %s: %s", self.name(), tracker.sender_id, exc)
            response = await nlg.generate(FAILURE_RESPONSE, tracker, output_channel.name())
            return [create_bot_utterance(response)] if response else []

    setattr(run, _MARK, True)
    RemoteAction.run = run  # type: ignore[assignment]
    return True
