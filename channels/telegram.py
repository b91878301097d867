"""Telegram channel, configured from the environment (no secret in credentials.yml).

`credentials.yml` names the class (``channels.telegram.EnvTelegramInput:``); the channel reads

- ``TELEGRAM_BOT_TOKEN``    the token BotFather gave (``123456789:AA…``)     }
- ``TELEGRAM_BOT_NAME``     the bot's username (``my_advisor_bot``, "@" optional) } all three set: on
- ``TELEGRAM_WEBHOOK_URL``  the public HTTPS address of ``/webhooks/telegram/webhook`` } else off (404)
- ``TELEGRAM_WEBHOOK_SECRET`` optional: the secret Telegram sends back in the
                            ``X-Telegram-Bot-Api-Secret-Token`` header; derived from the token if unset
- ``TELEGRAM_API_URL``      optional: base URL of the Bot API (default https://api.telegram.org);
                            tests point it at a local stand-in

What this subclass changes in Rasa 3.6's ``TelegramInput`` (read ``rasa/core/channels/telegram.py``):

- off instead of a broken start when the variables are unset; the webhook then answers 404;
- Rasa calls ``setWebhook`` synchronously while building the routes (``asyncio.run`` in
  ``get_output_channel``) and aborts start-up when Telegram is unreachable; here the webhook is set in
  the background once the server runs, with the secret token, and a failure is only logged;
- updates must carry the secret in ``X-Telegram-Bot-Api-Secret-Token`` (Telegram sends it since the
  webhook was set with it); others get 403. ``getMe`` (the bot-name check) is asked once, not on
  every update;
- ``/start`` (also ``/start@bot`` and deep links ``/start xyz``) reaches the bot as ``/greet`` and
  ``/help`` as ``/ask_capabilities``; Rasa would parse ``/start`` as an unknown intent ``start``;
- updates are handled once (``update_id``), updates without a message (e.g. the user blocked the bot)
  no longer cause a 500 that Telegram would re-deliver, button presses are acknowledged
  (``answerCallbackQuery``) so the button's spinner stops;
- buttons: an inline keyboard, buttons with short titles two to a row, a long title on a row of its
  own (so the 👍/👎 under an answer sit side by side below its "More: …" button; Rasa puts all in one
  row); ``button_type`` ``inline``/``vertical``/``reply`` in a response still chooses Rasa's layouts
  (``reply`` = reply keyboard). Payloads longer than Telegram's 64-byte ``callback_data`` are
  replaced by a short key; messages are cut below Telegram's 4096-character limit;
- conversation ids are ``telegram:<chat id>`` (channels.ids); replies map them back to the chat id;
- texts go out without ``parse_mode``: links are written by the actions as plain
  ``label: https://…`` text, which Telegram turns into links itself.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Text, Tuple

from aiogram import Bot
from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer, check_token
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from aiogram.utils.exceptions import ValidationError
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.constants import USER_INTENT_RESTART
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common import RecentKeys, disabled_blueprint, recent_keys, split_text
from channels.guard import limits, too_many_text
from channels.ids import TELEGRAM, IdProblem, local_part, log_id, telegram_id

logger = logging.getLogger(__name__)

ENV_TOKEN = "TELEGRAM_BOT_TOKEN"
ENV_NAME = "TELEGRAM_BOT_NAME"
ENV_WEBHOOK_URL = "TELEGRAM_WEBHOOK_URL"
ENV_SECRET = "TELEGRAM_WEBHOOK_SECRET"
ENV_API_URL = "TELEGRAM_API_URL"
REQUIRED = (ENV_TOKEN, ENV_NAME, ENV_WEBHOOK_URL)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

DISABLED_EXPLANATION = (
    "The Telegram channel is off: set TELEGRAM_BOT_TOKEN, TELEGRAM_BOT_NAME and TELEGRAM_WEBHOOK_URL in "
    "the environment of the Rasa server to switch it on (docs/operators.md, 'Channels')."
)

# Bot commands → what the bot receives ("/intent" payloads of the advisor's domain)
COMMANDS = {"start": INTENT_MESSAGE_PREFIX + "greet", "help": INTENT_MESSAGE_PREFIX + "ask_capabilities"}

MAX_MESSAGE = 4096  # characters per Telegram message
MAX_CALLBACK_DATA = 64  # bytes of an inline button's callback_data
SHORT_TITLE = 20  # buttons with titles up to this length go two per row
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
API_TIMEOUT = 30  # seconds per Bot API call


def webhook_secret(token: str, explicit: Optional[str] = None) -> str:
    """The secret_token of setWebhook: 1-256 characters of A-Z, a-z, 0-9, _ and -."""
    if explicit and explicit.strip():
        return explicit.strip()
    return hashlib.sha256(f"advisor-telegram-webhook:{token}".encode()).hexdigest()


# Payloads too long for callback_data, by their short key (shared by all output channels of the process)
_LONG_PAYLOADS = RecentKeys(max_items=50000, ttl_seconds=7 * 24 * 3600)
LONG_PAYLOAD_PREFIX = "p:"


def callback_data(payload: str) -> str:
    if len(payload.encode("utf-8")) <= MAX_CALLBACK_DATA and not payload.startswith(LONG_PAYLOAD_PREFIX):
        return payload
    key = LONG_PAYLOAD_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
    _LONG_PAYLOADS.put(key, payload)
    return key


def payload_from_callback(data: Optional[str]) -> Optional[str]:
    if data and data.startswith(LONG_PAYLOAD_PREFIX):
        return _LONG_PAYLOADS.get(data)  # None when forgotten (restart): the press is ignored
    return data


def command_to_text(text: str) -> str:
    """`/start`, `/start@my_bot`, `/start deeplink` → `/greet`; `/help` → `/ask_capabilities`."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return text
    head, _, rest = stripped.partition(" ")
    command = head[1:].split("@", 1)[0].lower()
    if command in COMMANDS:
        return COMMANDS[command]
    if command == "bot":  # Rasa's convention for addressing the bot in groups: "/bot what is CSM?"
        return rest.strip()
    return text


class EnvTelegramOutput(TelegramOutput):
    """Rasa's Telegram output with a configurable Bot API server and Telegram's limits respected."""

    def __init__(self, access_token: Text, api_url: Optional[Text] = None) -> None:
        server = TelegramAPIServer.from_base(api_url) if api_url else TELEGRAM_PRODUCTION
        Bot.__init__(self, access_token, server=server, timeout=API_TIMEOUT)

    async def request(self, method: Any, data: Optional[Dict[str, Any]] = None, *args: Any, **kwargs: Any) -> Any:
        # Conversation ids are telegram:<chat id> (channels.ids); the Bot API wants the bare chat id.
        if data and isinstance(data.get("chat_id"), str) and data["chat_id"].startswith(TELEGRAM + ":"):
            data = {**data, "chat_id": local_part(data["chat_id"], TELEGRAM)}
        return await super().request(method, data, *args, **kwargs)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in text.strip().split("\n\n"):
            for piece in split_text(part, MAX_MESSAGE):
                await self.send_message(recipient_id, piece)

    @staticmethod
    def keyboard(buttons: List[Dict[Text, Any]], button_type: Optional[Text] = None) -> Any:
        usable = [b for b in buttons if isinstance(b, dict) and b.get("title")]
        if button_type == "reply":  # the user's press sends the title as a message
            markup = ReplyKeyboardMarkup(resize_keyboard=True, one_time_keyboard=True)
            for b in usable:
                markup.add(KeyboardButton(str(b["title"])))
            return markup
        inline = [
            InlineKeyboardButton(str(b["title"]), callback_data=callback_data(str(b.get("payload") or b["title"])))
            for b in usable
        ]
        markup = InlineKeyboardMarkup()
        if button_type == "inline":  # Rasa's layout: one row
            markup.row(*inline)
        elif button_type == "vertical":
            for b in inline:
                markup.row(b)
        else:
            pair: List[InlineKeyboardButton] = []
            for b in inline:
                if len(b.text) > SHORT_TITLE:
                    if pair:
                        markup.row(*pair)
                        pair = []
                    markup.row(b)
                    continue
                pair.append(b)
                if len(pair) == 2:
                    markup.row(*pair)
                    pair = []
            if pair:
                markup.row(*pair)
        return markup

    async def send_text_with_buttons(
        self,
        recipient_id: Text,
        text: Text,
        buttons: List[Dict[Text, Any]],
        button_type: Optional[Text] = None,
        **kwargs: Any,
    ) -> None:
        pieces = split_text((text or "").strip(), MAX_MESSAGE) or ["…"]
        for piece in pieces[:-1]:
            await self.send_message(recipient_id, piece)
        await self.send_message(recipient_id, pieces[-1], reply_markup=self.keyboard(buttons, button_type))


class EnvTelegramInput(TelegramInput):
    """Telegram input channel configured from TELEGRAM_* environment variables; off when they are unset."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls.from_environment(os.environ)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> "EnvTelegramInput":
        values = {key: (environ.get(key) or "").strip() for key in REQUIRED}
        missing = [key for key, value in values.items() if not value]
        if missing:
            if len(missing) < len(REQUIRED):
                logger.warning("Telegram channel is off: %s not set", ", ".join(missing))
            else:
                logger.info("Telegram channel is off (%s unset)", ", ".join(REQUIRED))
            return cls.disabled()
        try:
            check_token(values[ENV_TOKEN])
        except ValidationError:
            logger.error("Telegram channel is off: %s does not look like a BotFather token", ENV_TOKEN)
            return cls.disabled()
        if not values[ENV_WEBHOOK_URL].startswith("https://"):
            logger.warning("%s should be an https:// address: Telegram only delivers to HTTPS webhooks",
                           ENV_WEBHOOK_URL)
        return cls(
            values[ENV_TOKEN],
            values[ENV_NAME].lstrip("@"),
            values[ENV_WEBHOOK_URL],
            api_url=(environ.get(ENV_API_URL) or "").strip() or None,
            secret_token=webhook_secret(values[ENV_TOKEN], environ.get(ENV_SECRET)),
        )

    @classmethod
    def disabled(cls) -> "EnvTelegramInput":
        channel = cls.__new__(cls)
        channel.enabled = False
        channel.access_token = channel.verify = channel.webhook_url = None
        channel.api_url = channel.secret_token = None  # type: ignore[assignment]
        return channel

    def __init__(
        self,
        access_token: Text,
        verify: Text,
        webhook_url: Text,
        api_url: Optional[Text] = None,
        secret_token: Optional[Text] = None,
    ) -> None:
        # debug_mode=False: a failing message is logged, and Telegram gets 200 instead of a 500 that
        # would make it deliver the same update again and again.
        super().__init__(access_token, verify, webhook_url, debug_mode=False)
        self.enabled = True
        self.api_url = api_url
        self.secret_token = secret_token or webhook_secret(access_token)
        self._out: Optional[EnvTelegramOutput] = None
        self._out_loop: Optional[asyncio.AbstractEventLoop] = None
        self._bot_username: Optional[str] = None
        self._updates = recent_keys("telegram-updates", ttl_seconds=24 * 3600)
        self._tasks: set = set()
        self.webhook_set = False

    # --- output --------------------------------------------------------------------------------
    def get_output_channel(self) -> Optional[EnvTelegramOutput]:
        """One Bot per event loop (its aiohttp session belongs to the loop); no setWebhook here."""
        if not self.enabled:
            return None
        try:
            loop: Optional[asyncio.AbstractEventLoop] = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if self._out is None or (loop is not None and self._out_loop is not loop):
            self._out = EnvTelegramOutput(self.access_token, self.api_url)
            self._out_loop = loop
        return self._out

    async def close(self) -> None:
        out, self._out = self._out, None
        session = getattr(out, "_session", None) if out else None
        if session is not None and not session.closed:
            await session.close()

    def _output(self) -> EnvTelegramOutput:
        """The output channel of an enabled channel (only enabled channels talk to Telegram)."""
        out = self.get_output_channel()
        if out is None:
            raise RuntimeError("the Telegram channel is off")
        return out

    async def bot_name_matches(self) -> bool:
        """Whether the token belongs to TELEGRAM_BOT_NAME (asks getMe once; unknown counts as yes)."""
        if self._bot_username is None:
            try:
                me = await self._output().get_me()
                self._bot_username = (me.username or "").lower()
            except Exception as e:  # noqa: BLE001 - network or API error: check again next time
                logger.warning("Telegram: getMe failed (%s); the bot name is not checked yet", e)
                return True
        if self._bot_username != (self.verify or "").lower():
            logger.error("Telegram: the token belongs to @%s, not @%s (%s); updates are ignored",
                         self._bot_username, self.verify, ENV_NAME)
            return False
        return True

    async def register_webhook(self) -> bool:
        """Points Telegram at TELEGRAM_WEBHOOK_URL with the secret token; logs and returns False on failure."""
        try:
            await self.bot_name_matches()
            ok = await self._output().request("setWebhook", {
                "url": self.webhook_url,
                "secret_token": self.secret_token,
                "allowed_updates": json.dumps(ALLOWED_UPDATES),
            })
        except Exception as e:  # noqa: BLE001 - start-up must go on without Telegram
            logger.error("Telegram: could not set the webhook to %s: %s. The channel answers updates "
                         "if Telegram already has this webhook; restart to try again.", self.webhook_url, e)
            return False
        self.webhook_set = bool(ok)
        if self.webhook_set:
            logger.info("Telegram: webhook set to %s", self.webhook_url)
        else:
            logger.error("Telegram: setWebhook to %s answered %r", self.webhook_url, ok)
        return self.webhook_set

    # --- input ---------------------------------------------------------------------------------
    def _authentic(self, request: Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "")
        return bool(self.secret_token) and hmac.compare_digest(given.encode(), self.secret_token.encode())

    def _acknowledge_button(self, callback_query_id: str) -> None:
        async def answer() -> None:
            try:
                await self._output().answer_callback_query(callback_query_id)
            except Exception as e:  # noqa: BLE001 - cosmetic only
                logger.debug("Telegram: answerCallbackQuery failed: %s", e)

        task = asyncio.create_task(answer())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _text_of(self, update: Update) -> Tuple[Optional[Message], Optional[Text]]:
        """The message to answer and the text the bot receives; (None, None) for updates to ignore."""
        if update.callback_query is not None:
            query = update.callback_query
            self._acknowledge_button(query.id)
            return query.message, payload_from_callback(query.data)
        msg = update.edited_message if update.edited_message is not None else update.message
        if msg is None:
            return None, None
        if msg.text is not None:
            return msg, command_to_text(msg.text)
        if msg.location is not None:
            return msg, '{{"lng":{0}, "lat":{1}}}'.format(msg.location.longitude, msg.location.latitude)
        return None, None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if not self.enabled:
            return disabled_blueprint("telegram", DISABLED_EXPLANATION)

        telegram_webhook = Blueprint("telegram_webhook", __name__)

        @telegram_webhook.listener("after_server_start")
        async def set_webhook_on_start(app: Any, loop: Any) -> None:
            task = asyncio.create_task(self.register_webhook())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        @telegram_webhook.listener("before_server_stop")
        async def close_session(app: Any, loop: Any) -> None:
            await self.close()

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "webhook_set": self.webhook_set})

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not self._authentic(request):
                logger.warning("Telegram: rejected an update without the webhook's secret token")
                return response.text("Missing or wrong secret token.", status=HTTPStatus.FORBIDDEN)
            try:
                body = json.loads(request.body or b"")
                if isinstance(body, str):
                    body = json.loads(body)
                update = Update(**body)
            except Exception:  # noqa: BLE001 - anything that is not an update
                return response.text("Invalid update.", status=HTTPStatus.BAD_REQUEST)

            if update.update_id is not None:
                key = str(update.update_id)
                if not self._updates.first_time([key]):
                    logger.info("Telegram: update %s already handled; not answered again", key)
                    return response.text("success")

            if not await self.bot_name_matches():
                return response.text("failed")

            try:
                msg, text = self._text_of(update)
                if msg is not None and text is not None and not isinstance(text, str):
                    raise TypeError("text")
            except (AttributeError, TypeError, KeyError, IndexError, ValueError, RecursionError) as e:
                # an authentic update of an unexpected shape (a field of the wrong type): one clear answer
                logger.warning("Telegram: an update of an unexpected shape was refused (%s)", type(e).__name__)
                return response.text("Invalid update.", status=HTTPStatus.BAD_REQUEST)
            if msg is None or not text:
                return response.text("success")

            out_channel = self.get_output_channel()
            try:
                sender_id = telegram_id(msg.chat.id)
            except IdProblem as problem:
                return response.text(f"Invalid chat id: {problem}", status=HTTPStatus.BAD_REQUEST)
            refused = limits().refused(None, sender_id)
            if refused:  # Telegram would re-deliver an error: the user is told instead
                logger.warning("Telegram: chat %s is over its rate limit; message not handled", log_id(sender_id))
                if out_channel is not None:
                    await out_channel.send_text_message(sender_id, too_many_text(refused[1]))
                return response.text("success")
            metadata = self.get_metadata(request)
            texts = [text]
            if text == INTENT_MESSAGE_PREFIX + USER_INTENT_RESTART:
                texts.append(COMMANDS["start"])  # Rasa sends "/start" after a restart
            try:
                for t in texts:
                    await on_new_message(UserMessage(t, out_channel, sender_id, input_channel=self.name(),
                                                     metadata=metadata))
            except Exception:  # noqa: BLE001 - logged; Telegram must not re-deliver
                logger.exception("Telegram: failed to handle a message of chat %s", log_id(sender_id))
            return response.text("success")

        return telegram_webhook
