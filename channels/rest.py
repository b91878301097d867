"""The REST channel with request checks: a malformed body gets a clear 400 instead of a server error.
Conversation ids are ``rest:<sender>`` (channels.ids)."""
from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from channels.ids import rest_id

MAX_BODY_BYTES = 256 * 1024
# Rasa 3.6 silently drops an empty message, so the user would get no answer at all. An empty or
# blank message is handed on as "not understood" instead, and gets the fallback's suggestions.
EMPTY_MESSAGE_PAYLOAD = "/nlu_fallback"
MAX_SENDER_CHARS = 128


def request_problem(body: bytes) -> Optional[str]:
    """What is wrong with a REST webhook body, or None when it can be processed."""
    if len(body) > MAX_BODY_BYTES:
        return f"the request body is larger than {MAX_BODY_BYTES} bytes"
    try:
        data: Any = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        return 'the body must be JSON like {"sender": "some-id", "message": "hello"}'
    if not isinstance(data, dict):
        return "the body must be a JSON object"
    if not isinstance(data.get("message"), str):
        return '"message" must be a string'
    sender = data.get("sender", "default")
    if not isinstance(sender, (str, int)) or isinstance(sender, bool) or not str(sender).strip():
        return '"sender" must be a non-empty string'
    if len(str(sender)) > MAX_SENDER_CHARS:
        return f'"sender" must be at most {MAX_SENDER_CHARS} characters'
    if "metadata" in data and data["metadata"] is not None and not isinstance(data["metadata"], dict):
        return '"metadata" must be a JSON object'
    return None


class SafeRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        """The conversation id: ``rest:<sender>`` (channels.ids), so a REST caller can only reach REST
        conversations, never a web, Slack or Telegram one."""
        return rest_id(str(req.json.get("sender", "default")))

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()  # not the caller's "input_channel": it cannot pose as another channel

    def _extract_message(self, req: Request) -> Optional[Text]:
        text = super()._extract_message(req)
        if isinstance(text, str) and not text.strip():
            return EMPTY_MESSAGE_PAYLOAD
        return text

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        bp = super().blueprint(on_new_message)

        @bp.middleware("request")
        async def check_body(request: Request) -> Optional[response.HTTPResponse]:
            if request.method == "POST" and request.path.rstrip("/").endswith("/webhook"):
                problem = request_problem(request.body)
                if problem:
                    return response.json({"error": problem}, status=400)
            return None

        return bp
