"""The socket.io channel of the web page: Rasa's own channel, with two changes.

1. Only browser origins listed in SOCKETIO_CORS_ORIGINS (space-separated; unset or empty:
   "http://127.0.0.1:8000 http://localhost:8000") may open a socket.io connection. Rasa 3.6 creates its
   server with ``cors_allowed_origins=[]``, which switches python-engineio's origin check off, so any web
   site could talk to the bot from its visitors' browsers. Here engine.io itself checks the Origin header
   of every handshake (polling and websocket) and answers a foreign one with 400. Clients that send no
   Origin header at all (scripts, not browsers) are let through, as engine.io does by design.
2. A bot message goes out as one socket.io message whose text keeps its Markdown whole (paragraphs,
   lists, the comparison), instead of one message per blank-line paragraph; buttons go out as Rasa's
   socket.io ``quick_replies`` ({"content_type": "text", "title", "payload"}) on that same message, the
   format rasa-webchat and the page's widget (web/chat.js) render.

3. Sessions: the session id the page keeps is a credential issued by the server (channels.ids: random,
   signed, with its issue time; refused after the conversation TTL). ``session_request`` keeps a credential
   only if this server issued it and it has not expired, otherwise it answers ``session_confirm`` with a new
   one; the socket is then bound to that session (and leaves the room of any session it had before), and
   every ``user_uttered`` must carry it (anything else is ignored), so a client can neither make up an id
   nor talk into another socket's conversation. The conversation is stored under ``web:<keyed hash>``
   (channels.ids.web_conversation_id): the credential itself never reaches the store, a log or the
   workbench.

4. Transports: with more than one worker process (SANIC_WORKERS > 1, `make run`'s default) websocket only,
   which any worker can serve whole; long-polling too with one process (``transports``, SOCKETIO_TRANSPORTS).
   The page's widget (web/chat.js) opens a websocket first; rasa-webchat does with
   ``protocolOptions: {transports: ["websocket"]}`` (docs/operators.md).

Everything else (events, session persistence through ``session_request``/``session_confirm``, JWT,
metadata) behaves as in ``rasa.core.channels.socketio.SocketIOInput``.
"""
from __future__ import annotations

import inspect
import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import rasa.core.channels.channel
import rasa.shared.utils.io
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from channels.guard import client_address, limits, too_many_text
from channels.ids import log_id, new_web_credential, valid_web_credential, web_conversation_id, web_socket_conversation_id

logger = logging.getLogger(__name__)

CORS_ENV = "SOCKETIO_CORS_ORIGINS"
TRANSPORTS_ENV = "SOCKETIO_TRANSPORTS"
ENGINEIO_TRANSPORTS = ("polling", "websocket")
DEFAULT_ORIGINS = "http://127.0.0.1:8000 http://localhost:8000"
# Largest socket.io message (engine.io long-polling body); websocket frames are limited by Sanic's
# WEBSOCKET_MAX_SIZE (advisor.patches). A chat message is cut to 1,000 characters anyway.
MAX_MESSAGE_BYTES = 64 * 1024
# What the widget shows when a message could not be handled (the tracker store or the lock store failing:
# PostgreSQL restarting, Redis stopped). Rasa's channel said nothing; REST answers 503 (channels/rest.py).
NOT_HANDLED_TEXT = "Sorry, I could not take that message just now. Please send it again in a moment."

try:  # the flag Sanic-CORS sets on a request once it has added CORS headers to its response
    from sanic_cors.core import SANIC_CORS_EVALUATED
except ImportError:  # pragma: no cover - Sanic-CORS always comes with Rasa 3.6
    SANIC_CORS_EVALUATED = None


def allowed_origins(environ: Optional[Dict[str, str]] = None) -> List[str]:
    """Browser origins allowed to connect, from SOCKETIO_CORS_ORIGINS (scheme://host[:port], no path)."""
    raw = (environ if environ is not None else os.environ).get(CORS_ENV, "")
    origins = [o.rstrip("/") for o in raw.split()] or DEFAULT_ORIGINS.split()
    return list(dict.fromkeys(origins))


def transports(environ: Optional[Dict[str, str]] = None) -> List[str]:
    """The engine.io transports this server offers, from SOCKETIO_TRANSPORTS (space-separated, of "polling" and
    "websocket"). Unset: websocket only when more than one process serves the channel (SANIC_WORKERS > 1, as
    `make run` does by default), since a long-polling session lives in the process that opened it and the
    kernel hands each new connection of the browser to either worker; one websocket is one connection, so one
    worker. One process: both, long-polling first as socket.io clients start by default."""
    env = environ if environ is not None else os.environ
    raw = env.get(TRANSPORTS_ENV, "").split()
    if raw:
        unknown = [t for t in raw if t not in ENGINEIO_TRANSPORTS]
        if unknown:
            raise ValueError(f"{TRANSPORTS_ENV}: unknown transport {unknown[0]!r} (use: polling, websocket)")
        return list(dict.fromkeys(raw))
    workers = env.get("SANIC_WORKERS", "").strip()
    return ["websocket"] if workers.isdigit() and int(workers) > 1 else list(ENGINEIO_TRANSPORTS)


# The live handoff's messages (docs/handoff.md) carry `handoff`: "person" while a trainer is coming or holds the
# conversation (the widget then shows no typing dots after the user's messages) and "bot" when the bot is back.
HANDOFF_TO_PERSON = frozenset({"utter_handoff_waiting", "utter_handoff_taken"})


def handoff_marker(message: Dict[Text, Any]) -> Optional[Text]:
    """"person", "bot" or None for a bot message (its metadata names a trainer or a handoff notice)."""
    if message.get("handoff_agent"):
        return "person"
    notice = message.get("handoff_notice")
    if not notice:
        return None
    return "person" if notice in HANDOFF_TO_PERSON else "bot"


class WebSocketIOOutput(SocketIOOutput):
    """One socket.io message per bot message, Markdown kept whole, buttons as quick replies."""

    _handoff: Optional[Text] = None

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self._handoff = handoff_marker(message)
        try:
            await super().send_response(recipient_id, message)
        finally:
            self._handoff = None

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        if self._handoff and isinstance(response, dict):
            response = {**response, "handoff": self._handoff}
        await super()._send_message(socket_id, response)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": text.strip()})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        quick_replies = [
            {"content_type": "text", "title": b["title"], "payload": b.get("payload", b["title"])} for b in buttons
        ]
        await self._send_message(recipient_id, {"text": text.strip(), "quick_replies": quick_replies})

    async def send_quick_replies(
        self, recipient_id: Text, text: Text, quick_replies: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)


class _OriginCheckedBlueprint(SocketBlueprint):
    """Attaches the socket.io server and keeps Sanic-CORS (``rasa run --cors``) from adding a second set
    of CORS headers to engine.io's own: a browser refuses a response whose Access-Control-Allow-Origin
    header appears twice."""

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        super().register(app, options)
        path = "/" + self.ctx.socketio_path.strip("/")

        if SANIC_CORS_EVALUATED:
            @app.middleware("request")
            async def _engineio_handles_cors(request: Request) -> None:
                if request.path == path or request.path.startswith(path + "/"):
                    setattr(request.ctx, SANIC_CORS_EVALUATED, "1")


class SocketIOChannel(SocketIOInput):
    """socket.io input channel limited to the web page's origins (see the module docstring)."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def create_server(self) -> AsyncServer:
        """The socket.io server; engine.io rejects handshakes from origins not in the allowed list."""
        origins = allowed_origins()
        offered = transports()
        logger.info(f"socket.io accepts browser origins: {' '.join(origins)}; transports: {' '.join(offered)}")
        return AsyncServer(async_mode="sanic", cors_allowed_origins=origins, max_http_buffer_size=MAX_MESSAGE_BYTES,
                           transports=offered)

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return WebSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Same events as Rasa's channel, on a server created by :meth:`create_server`."""
        sio = self.create_server()
        socketio_webhook = _OriginCheckedBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio  # used by get_output_channel

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict]) -> bool:
            if self.jwt_key:
                payload = None
                if auth and auth.get("token"):
                    payload = rasa.core.channels.channel.decode_bearer_token(
                        auth.get("token"), self.jwt_key, self.jwt_algorithm
                    )
                if not payload:
                    return False
            request = environ.get("sanic.request") if isinstance(environ, dict) else None
            addresses[sid] = client_address(getattr(request, "ip", None), environ.get("HTTP_X_FORWARDED_FOR"))
            return True

        sessions: Dict[Text, Text] = {}  # socket id -> the web session credential it was confirmed for
        addresses: Dict[Text, Text] = {}  # socket id -> the client's address (rate limits)

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text) -> None:
            sessions.pop(sid, None)
            addresses.pop(sid, None)

        async def enter(sid: Text, room: Text) -> None:
            entered = sio.enter_room(sid, room, namespace=self.namespace)
            if inspect.isawaitable(entered):  # a coroutine from python-socketio 5.10 on
                await entered

        async def leave(sid: Text, room: Text) -> None:
            left = sio.leave_room(sid, room, namespace=self.namespace)
            if inspect.isawaitable(left):
                await left

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            proposed = data.get("session_id") if isinstance(data, dict) else None
            credential = valid_web_credential(proposed) or new_web_credential()
            if proposed and proposed != credential:
                logger.info("socket.io: a session id that this server did not issue, or an expired one: "
                            "the connection gets a new session")
            previous = sessions.get(sid)
            if previous and previous != credential and self.session_persistence:
                await leave(sid, web_conversation_id(previous))  # one socket, one conversation
            sessions[sid] = credential
            if self.session_persistence:
                await enter(sid, web_conversation_id(credential))
            await sio.emit("session_confirm", credential, room=sid, namespace=self.namespace)
            logger.debug("socket.io: a connection joined conversation %s", log_id(web_conversation_id(credential)))

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Dict) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
                return
            output_channel = WebSocketIOOutput(sio, self.bot_message_evt)
            if self.session_persistence:
                credential = valid_web_credential(data.get("session_id"))
                if not credential or sessions.get(sid) != credential:
                    logger.warning("socket.io: a message was ignored: its session_id is not the one this server "
                                   "confirmed for the connection (send session_request first)")
                    return
                sender_id = web_conversation_id(credential)
            else:
                sender_id = web_socket_conversation_id(sid)
                await enter(sid, sender_id)

            refused = limits().refused(addresses.get(sid), sender_id)
            if refused:  # socket.io has no status code: the user is told, as a bot message, what a 429 says
                await output_channel.send_text_message(sender_id, too_many_text(refused[1]))
                return

            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, Text):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            message = UserMessage(
                data.get("message", ""), output_channel, sender_id, input_channel=self.name(), metadata=metadata
            )
            try:
                await on_new_message(message)
            except Exception as e:  # noqa: BLE001 - the store or lock store failed: the user is told, not left waiting
                logger.error("socket.io: a message of conversation %s could not be handled (%s)", log_id(sender_id),
                             type(e).__name__)
                await output_channel.send_text_message(sender_id, NOT_HANDLED_TEXT)

        return socketio_webhook
