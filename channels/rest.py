"""The REST channel with request checks, for trusted back ends (and local scripts).

- A malformed body gets a clear 400 instead of a server error: JSON object, ``"message"`` a string,
  ``"sender"`` required and a valid channel-local id (channels.ids: letters, digits and ``._@+=:-``, at
  most 112 characters). The conversation id is ``rest:<sender>``.
- The sender *is* the conversation: whoever knows it can talk in it and hear the bot's answers to it. So a
  REST sender is a bearer secret, and beyond this machine REST needs the channel key: when the client's
  address (X-Forwarded-For behind a local proxy) is not loopback, the request must carry
  ``Authorization: Bearer <REST_CHANNEL_KEY>`` (401 otherwise; REST is refused from outside altogether
  when no key is set).
- Rate limits per client address and per conversation (channels.guard): 429 with Retry-After.
- A client may give each message an id (``"message_id"``, 8-64 letters, digits, ``-``, ``_``): a message
  sent again with an id the conversation already holds (a retry after an error whose message had been
  stored all the same) is answered with the stored replies, not handled twice.
- A message the server could not handle (the tracker store or the lock store failing: PostgreSQL
  restarting, Redis stopped) is refused with 503, a JSON error and Retry-After, so the client sends it
  again; Rasa's own REST channel answered 200 with an empty list, which a client cannot tell from a
  bot with nothing to say (bench/failure.py measured it).
"""
from __future__ import annotations

import hmac
import json
import logging
import os
import re
from asyncio import CancelledError
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.utils.endpoints import bool_arg
from sanic import Blueprint, response
from sanic.request import Request

from advisor.patches import CLIENT_MESSAGE_ID
from channels.guard import client_address, is_loopback, limits, too_many_text
from channels.ids import IdProblem, rest_id

MAX_BODY_BYTES = 64 * 1024
# Rasa 3.6 silently drops an empty message, so the user would get no answer at all. An empty or
# blank message is handed on as "not understood" instead, and gets the fallback's suggestions.
EMPTY_MESSAGE_PAYLOAD = "/nlu_fallback"
CHANNEL_KEY_ENV = "REST_CHANNEL_KEY"
MIN_KEY_CHARS = 16
RETRY_AFTER_SECONDS = 1
# A client may name each message ("message_id"): sent again with the same id (a retry after a 502/503), a
# message the conversation already holds is not handled twice; its stored replies come back
# (advisor.patches.client_retries_are_answered_once).
MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
UNAVAILABLE_TEXT = "the message could not be handled just now (nothing was kept): send it again in a moment"

logger = logging.getLogger(__name__)


def request_problem(body: bytes) -> Optional[str]:
    """What is wrong with a REST webhook body, or None when it can be processed."""
    if len(body) > MAX_BODY_BYTES:
        return f"the request body is larger than {MAX_BODY_BYTES} bytes"
    try:
        data: Any = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return 'the body must be JSON like {"sender": "some-id", "message": "hello"}'
    if not isinstance(data, dict):
        return "the body must be a JSON object"
    if not isinstance(data.get("message"), str):
        return '"message" must be a string'
    if "sender" not in data:
        return '"sender" is required: the id of your conversation (keep it secret: whoever knows it can talk in it)'
    try:
        rest_id(data["sender"])
    except IdProblem as problem:
        return str(problem)
    if "metadata" in data and data["metadata"] is not None and not isinstance(data["metadata"], dict):
        return '"metadata" must be a JSON object'
    if "message_id" in data and not (isinstance(data["message_id"], str) and MESSAGE_ID.fullmatch(data["message_id"])):
        return '"message_id" must be 8 to 64 letters, digits, "-" or "_" (the same id when a message is sent again)'
    return None


def channel_key_problem(address: str, authorization: Optional[str], key: Optional[str]) -> Optional[str]:
    """Why a request from `address` may not use REST, or None. Loopback needs no key."""
    if is_loopback(address):
        return None
    if not key or len(key) < MIN_KEY_CHARS:
        return "the REST channel is for trusted back ends on this machine (set REST_CHANNEL_KEY to open it)"
    given = (authorization or "")[7:] if (authorization or "").lower().startswith("bearer ") else ""
    if not hmac.compare_digest(given.strip().encode(), key.encode()):
        return "the REST channel needs its key: Authorization: Bearer <REST_CHANNEL_KEY>"
    return None


class SafeRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        """The conversation id: ``rest:<sender>`` (channels.ids), so a REST caller can only reach REST
        conversations, never a web, Slack or Telegram one. The body was checked by the middleware."""
        return rest_id(req.json["sender"])

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()  # not the caller's "input_channel": it cannot pose as another channel

    def _extract_message(self, req: Request) -> Optional[Text]:
        text = super()._extract_message(req)
        if isinstance(text, str) and not text.strip():
            return EMPTY_MESSAGE_PAYLOAD
        return text

    def _webhook(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """Rasa's RestInput.blueprint (health and webhook routes, same names), except that a message whose
        handling raised is answered 503 + Retry-After instead of 200 with the replies collected so far."""
        bp = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
            sender_id = await self._extract_sender(request)
            text = self._extract_message(request)
            input_channel = self._extract_input_channel(request)
            metadata = self.get_metadata(request)
            if bool_arg(request, "stream", default=False):
                return response.stream(self.stream_response(on_new_message, text, sender_id, input_channel, metadata),
                                       content_type="text/event-stream")
            collector = CollectingOutputChannel()
            client_id = request.json.get("message_id") if isinstance(request.json, dict) else None
            message = UserMessage(text, collector, sender_id, input_channel=input_channel, metadata=metadata,
                                  message_id=client_id)
            if client_id:
                setattr(message, CLIENT_MESSAGE_ID, True)
            try:
                await on_new_message(message)
            except CancelledError:
                logger.error("a REST message was cancelled before its reply (the client went away?)")
            except Exception as e:  # noqa: BLE001 - refused as a whole: the client sends it again
                logger.error("a REST message could not be handled (%s): refused with 503", type(e).__name__)
                return response.json({"error": UNAVAILABLE_TEXT, "retry_after": RETRY_AFTER_SECONDS},
                                     status=HTTPStatus.SERVICE_UNAVAILABLE,
                                     headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
            return response.json(collector.messages)

        return bp

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        bp = self._webhook(on_new_message)

        @bp.middleware("request")
        async def check_request(request: Request) -> Optional[response.HTTPResponse]:
            if request.method != "POST" or not request.path.rstrip("/").endswith("/webhook"):
                return None
            address = client_address(request.ip, request.headers.get("x-forwarded-for"))
            problem = channel_key_problem(address, request.headers.get("authorization"),
                                          os.environ.get(CHANNEL_KEY_ENV, "").strip())
            if problem:
                return response.json({"error": problem}, status=HTTPStatus.UNAUTHORIZED)
            refused = limits().refused(address, None)  # a flood is refused before its body is even parsed
            if not refused:
                problem = request_problem(request.body)
                if problem:
                    return response.json({"error": problem}, status=HTTPStatus.BAD_REQUEST)
                refused = limits().refused(None, rest_id(json.loads(request.body)["sender"]))
            if refused:
                _, seconds = refused
                return response.json({"error": too_many_text(seconds), "retry_after": seconds},
                                     status=HTTPStatus.TOO_MANY_REQUESTS, headers={"Retry-After": str(seconds)})
            return None

        return bp
