"""Slack channel, configured from the environment (no secret in credentials.yml).

`credentials.yml` names the class (``channels.slack.EnvSlackInput:``); the channel reads

- ``SLACK_BOT_TOKEN``       the app's Bot User OAuth Token (``xoxb-…``)        } both set: channel on
- ``SLACK_SIGNING_SECRET``  the app's signing secret (Basic Information page) } otherwise: off (404)
- ``SLACK_CHANNEL``         optional: a channel id whose every message the bot answers (by default it
                            answers direct messages and @mentions only)
- ``SLACK_API_URL``         optional: base URL of the Slack Web API (default https://slack.com/api/);
                            tests point it at a local stand-in

What this subclass changes in Rasa 3.6's ``SlackInput`` (read ``rasa/core/channels/slack.py``):

- off instead of a start-up crash when the variables are unset; the webhook then answers 404;
- every request must carry a valid ``X-Slack-Signature`` made with the signing secret over a
  ``X-Slack-Request-Timestamp`` at most 5 minutes old (Rasa's check, kept), and it is checked before
  anything else, including the ``url_verification`` challenge; rejected requests get 401;
- the ``url_verification`` challenge is answered as ``{"challenge": …}`` (Rasa answers a bare JSON
  string);
- Slack's retries (``X-Slack-Retry-Num``) and duplicate deliveries are answered once: retries for
  ``http_timeout`` are acknowledged without processing (as in Rasa), and any event whose ``event_id``
  or message (channel + ``ts``) was already handled is acknowledged with ``X-Slack-No-Retry: 1``;
  this also stops a message that is both an @mention and a message in ``SLACK_CHANNEL`` from being
  answered twice. The memory of handled events is per process;
- replies never send ``as_user`` (new Slack apps get ``invalid_arguments`` for it) and buttons are
  sent as Block Kit: a ``mrkdwn`` section (so links render) and ``actions`` blocks of buttons, up to
  25 buttons (Rasa drops every button above 5);
- conversation ids are ``slack:<team>:<user>`` (channels.ids), never a bare user id another channel
  could also use;
- system messages (joins, edits, bot messages) are ignored and Slack's HTML escapes are undone in
  user text.
"""
from __future__ import annotations

import asyncio
import html
import json
import logging
import os
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels.common import disabled_blueprint, recent_keys, split_text
from channels.guard import limits, too_many_text
from channels.ids import SLACK, IdProblem, local_part, log_id, slack_id

logger = logging.getLogger(__name__)

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
ENV_TOKEN = "SLACK_BOT_TOKEN"
ENV_SECRET = "SLACK_SIGNING_SECRET"
ENV_CHANNEL = "SLACK_CHANNEL"
ENV_API_URL = "SLACK_API_URL"

DISABLED_EXPLANATION = (
    "The Slack channel is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET in the environment of "
    "the Rasa server to switch it on (docs/operators.md, 'Channels')."
)

# Slack Block Kit limits (https://api.slack.com/reference/block-kit)
MAX_BUTTONS = 25  # elements of all actions blocks together that we send
BUTTONS_PER_BLOCK = 5  # one row each, for a tidy layout (an actions block takes up to 25)
MAX_SECTION_TEXT = 3000
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000

# Message subtypes that still are a person writing (others: joins, edits, deletions, bot posts…)
USER_SUBTYPES = {None, "file_share", "thread_broadcast"}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def api_base_url(value: Optional[str]) -> str:
    """The Web API base URL with the trailing slash slack_sdk's urljoin needs."""
    url = (value or "").strip() or DEFAULT_SLACK_API_URL
    return url if url.endswith("/") else url + "/"


class EnvSlackBot(SlackBot):
    """Rasa's Slack output with a configurable API base URL, no `as_user`, and Block Kit buttons."""

    def __init__(
        self,
        token: Text,
        slack_channel: Optional[Text] = None,
        thread_id: Optional[Text] = None,
        proxy: Optional[Text] = None,
        api_url: Optional[Text] = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token=token, base_url=api_base_url(api_url), proxy=proxy)

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        # `as_user` is refused by apps with granular bot scopes (all apps created today);
        # `type` is not a chat.postMessage argument (text is mrkdwn by default).
        kwargs.pop("as_user", None)
        kwargs.pop("type", None)
        # Without a channel of its own the reply goes to the user: the last part of slack:<team>:<user>.
        if channel.startswith(SLACK + ":"):
            channel = local_part(channel, SLACK).split(":")[-1]
        await super()._post_message(channel, **kwargs)

    async def send_text_with_buttons(
        self,
        recipient_id: Text,
        text: Text,
        buttons: List[Dict[Text, Any]],
        **kwargs: Any,
    ) -> None:
        recipient = self.slack_channel or recipient_id
        usable = [b for b in buttons if b.get("title") and b.get("payload")]
        if len(usable) > MAX_BUTTONS:
            logger.warning("Slack: %d buttons, only the first %d are shown", len(usable), MAX_BUTTONS)
            usable = usable[:MAX_BUTTONS]
        blocks: List[Dict[str, Any]] = [
            {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
            for piece in (split_text(text or " ", MAX_SECTION_TEXT) or [""])
        ]
        for start in range(0, len(usable), BUTTONS_PER_BLOCK):
            blocks.append({
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": _clip(str(b["title"]), MAX_BUTTON_TEXT)},
                        "value": str(b["payload"])[:MAX_BUTTON_VALUE],
                        "action_id": f"rasa_button_{start + i}",
                    }
                    for i, b in enumerate(usable[start:start + BUTTONS_PER_BLOCK])
                ],
            })
        # `text` is the notification / screen-reader fallback of the blocks
        await self._post_message(channel=recipient, text=text, blocks=blocks)


class EnvSlackInput(SlackInput):
    """Slack input channel configured from SLACK_* environment variables; off when they are unset."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls.from_environment(os.environ, credentials)

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str], credentials: Optional[Dict[Text, Any]] = None
    ) -> "EnvSlackInput":
        """Secrets come only from the environment; non-secret options may also come from credentials.yml."""
        credentials = credentials or {}
        token = (environ.get(ENV_TOKEN) or "").strip()
        secret = (environ.get(ENV_SECRET) or "").strip()
        if not (token and secret):
            if token or secret:
                present, missing = (ENV_TOKEN, ENV_SECRET) if token else (ENV_SECRET, ENV_TOKEN)
                logger.warning("Slack channel is off: %s is set but %s is not", present, missing)
            else:
                logger.info("Slack channel is off (%s and %s unset)", ENV_TOKEN, ENV_SECRET)
            return cls.disabled()
        channel = (environ.get(ENV_CHANNEL) or "").strip() or credentials.get("slack_channel")
        return cls(
            token,
            slack_channel=channel or None,
            proxy=credentials.get("proxy"),
            slack_retry_reason_header=credentials.get("slack_retry_reason_header", "x-slack-retry-reason"),
            slack_retry_number_header=credentials.get("slack_retry_number_header", "x-slack-retry-num"),
            errors_ignore_retry=credentials.get("errors_ignore_retry"),
            use_threads=bool(credentials.get("use_threads", False)),
            slack_signing_secret=secret,
            conversation_granularity=credentials.get("conversation_granularity", "sender"),
            api_url=environ.get(ENV_API_URL),
        )

    @classmethod
    def disabled(cls) -> "EnvSlackInput":
        channel = cls.__new__(cls)
        channel.enabled = False
        channel.slack_token = ""
        channel.slack_signing_secret = ""
        channel.slack_channel = None
        channel.api_url = api_base_url(None)
        return channel

    def __init__(self, *args: Any, api_url: Optional[Text] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # raises InvalidConfigException without a signing secret
        self.enabled = True
        self.api_url = api_base_url(api_url)
        self._seen = recent_keys("slack-events", ttl_seconds=3600)

    # --- output --------------------------------------------------------------------------------
    def get_output_channel(
        self, channel: Optional[Text] = None, thread_id: Optional[Text] = None
    ) -> Optional[OutputChannel]:
        if not self.enabled:
            return None
        return EnvSlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url)

    # --- input ---------------------------------------------------------------------------------
    @staticmethod
    def _content_type(request: Request) -> str:
        return (request.headers.get("content-type") or "").split(";")[0].strip().lower()

    def get_metadata(self, request: Request) -> Dict[Text, Any]:
        content_type = self._content_type(request)
        if content_type == "application/json":
            slack_event = request.json or {}
            event = slack_event.get("event") or {}
            users: List[Text] = []
            if slack_event.get("authed_users"):
                users = list(slack_event["authed_users"])
            elif slack_event.get("authorizations"):
                users = [slack_event["authorizations"][0].get("user_id")]
            return {
                "out_channel": event.get("channel"),
                "thread_id": event.get("thread_ts", event.get("ts")),
                "users": [u for u in users if u],
            }
        if content_type == "application/x-www-form-urlencoded":
            payload = self._form_payload(request) or {}
            message = payload.get("message") or {}
            user_id = (payload.get("user") or {}).get("id")
            channel_id = (payload.get("channel") or {}).get("id") or (payload.get("container") or {}).get("channel_id")
            return {
                "out_channel": channel_id,
                "thread_id": message.get("thread_ts", message.get("ts")),
                "users": [user_id] if user_id else [],
            }
        return {}

    @staticmethod
    def _form_payload(request: Request) -> Optional[Dict[str, Any]]:
        try:
            raw = request.form.get("payload")
            payload = json.loads(raw) if raw else None
        except (TypeError, ValueError):
            return None
        return payload if isinstance(payload, dict) else None

    @staticmethod
    def _event_keys(body: Dict[str, Any]) -> List[str]:
        """Keys identifying one user message: the delivery's event id and the message itself."""
        event = body.get("event") or {}
        keys = []
        if body.get("event_id"):
            keys.append(f"event:{body['event_id']}")
        if event.get("channel") and event.get("ts"):
            keys.append(f"message:{event['channel']}:{event['ts']}")
        return keys

    def _is_retry_to_ignore(self, request: Request) -> bool:
        retry_num = request.headers.get(self.retry_num_header or "x-slack-retry-num")
        retry_reason = request.headers.get(self.retry_reason_header or "x-slack-retry-reason")
        return bool(retry_num) and retry_reason in self.errors_ignore_retry

    @staticmethod
    def _no_retry(text: str) -> HTTPResponse:
        return response.text(text, status=HTTPStatus.OK, headers={"X-Slack-No-Retry": "1"})

    async def _dispatch(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: Text,
        sender_id: Optional[Text],
        metadata: Dict[Text, Any],
    ) -> None:
        """Hands the message to Rasa in the background: Slack wants an answer within 3 seconds."""
        thread_id = metadata.get("thread_id") if self.use_threads else None
        output = self.get_output_channel(metadata.get("out_channel"), thread_id)
        refused = limits().refused(None, sender_id)
        if refused:  # Slack would re-deliver a 429: the user is told instead, and Slack gets its 200
            logger.warning("Slack: conversation %s is over its rate limit; message not handled", log_id(sender_id))
            if output is not None:
                await output.send_text_message(str(sender_id), too_many_text(refused[1]))
            return
        user_msg = UserMessage(
            text,
            output,
            sender_id,
            input_channel=self.name(),
            metadata=metadata,
        )

        async def handle() -> None:
            try:
                await on_new_message(user_msg)
            except Exception:  # noqa: BLE001 - logged; the HTTP answer was already sent
                logger.exception("Slack: failed to handle a message of conversation %s", log_id(sender_id))

        task = asyncio.create_task(handle())
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if not self.enabled:
            return disabled_blueprint("slack", DISABLED_EXPLANATION)

        slack_webhook = Blueprint("slack_webhook", __name__)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @slack_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            # Authenticity first: nothing else (not even the url_verification challenge) is looked at
            # before the signature and the timestamp's age are checked.
            if not self.is_request_from_slack_authentic(request):
                logger.warning("Slack: rejected a request without a valid signature or with an old timestamp")
                return response.text(
                    "Request is not signed with a valid X-Slack-Signature and a recent "
                    "X-Slack-Request-Timestamp.",
                    status=HTTPStatus.UNAUTHORIZED,
                )

            content_type = self._content_type(request)
            try:
                if content_type == "application/json":
                    return await self._handle_event(request, on_new_message)
                if content_type == "application/x-www-form-urlencoded":
                    return await self._handle_interaction(request, on_new_message)
            except IdProblem as problem:
                return response.text(f"Invalid team or user id: {problem}", status=HTTPStatus.BAD_REQUEST)
            except (AttributeError, TypeError, KeyError, IndexError, ValueError, RecursionError) as e:
                # a signed body of an unexpected shape (a field of the wrong type): one clear answer
                logger.warning("Slack: a signed request of an unexpected shape was refused (%s)", type(e).__name__)
                return response.text("Invalid request.", status=HTTPStatus.BAD_REQUEST)
            return response.text("Unsupported content type.", status=HTTPStatus.BAD_REQUEST)

        return slack_webhook

    async def _handle_event(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        try:
            body = json.loads(request.body or b"")
        except ValueError:
            return response.text("Invalid JSON.", status=HTTPStatus.BAD_REQUEST)
        if not isinstance(body, dict):
            return response.text("Invalid JSON.", status=HTTPStatus.BAD_REQUEST)

        if body.get("type") == "url_verification":
            return response.json({"challenge": str(body.get("challenge", ""))})

        if self._is_retry_to_ignore(request):
            logger.info(
                "Slack: acknowledged retry #%s (%s) without answering again",
                request.headers.get(self.retry_num_header or "x-slack-retry-num"),
                request.headers.get(self.retry_reason_header or "x-slack-retry-reason"),
            )
            return self._no_retry("retry ignored")

        event = body.get("event") or {}
        if not isinstance(event, dict) or not all(isinstance(event.get(k, ""), str) for k in ("user", "channel", "text")):
            return response.text("Invalid event: user, channel and text must be strings.", status=HTTPStatus.BAD_REQUEST)
        if not self._is_user_message(body) or event.get("subtype") not in USER_SUBTYPES:
            return response.text("Not a user message; ignored.")

        metadata = self.get_metadata(request)
        if not self._is_supported_channel(body, metadata):
            logger.debug("Slack: message in unsupported channel %s ignored", metadata.get("out_channel"))
            return response.text("Channel not supported; ignored.")

        keys = self._event_keys(body)
        if not self._seen.first_time(keys):
            logger.info("Slack: event %s already handled; not answered again", body.get("event_id"))
            return self._no_retry("duplicate ignored")

        text = html.unescape(self._sanitize_user_message(event.get("text", ""), metadata["users"]))
        team = str(body.get("team_id") or event.get("team") or "")
        if not team or not event.get("user"):
            return response.text("Missing team or user.", status=HTTPStatus.BAD_REQUEST)
        sender_id = slack_id(team, self._get_conversation_id(event.get("user", ""), metadata.get("out_channel"),
                                                             metadata.get("thread_id")))
        await self._dispatch(on_new_message, text, sender_id, metadata)
        return response.text("")

    async def _handle_interaction(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        payload = self._form_payload(request)
        if payload is None:
            return response.text("Missing or invalid payload.", status=HTTPStatus.BAD_REQUEST)
        if self._is_retry_to_ignore(request):
            return self._no_retry("retry ignored")
        if not self._is_interactive_message(payload):
            return response.text("Interaction not supported; ignored.")
        action = payload["actions"][0]
        text = self._get_interactive_response(action)
        if text is None:  # e.g. a link button: nothing to tell the bot
            return response.text("")
        user_id = (payload.get("user") or {}).get("id")
        team = (payload.get("team") or {}).get("id") or (payload.get("user") or {}).get("team_id")
        if not user_id or not team:
            return response.text("Missing team or user.", status=HTTPStatus.BAD_REQUEST)
        keys = [f"interaction:{payload['trigger_id']}"] if payload.get("trigger_id") else []
        if keys and not self._seen.first_time(keys):
            return self._no_retry("duplicate ignored")
        metadata = self.get_metadata(request)
        sender_id = slack_id(str(team), self._get_conversation_id(user_id, metadata.get("out_channel"),
                                                                  metadata.get("thread_id")))
        await self._dispatch(on_new_message, text, sender_id, metadata)
        return response.text("")
