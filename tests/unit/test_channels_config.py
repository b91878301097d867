"""Slack and Telegram channel classes without a Rasa server: configuration from the environment, the
channel being off (404) when unset, Slack's request checks, Telegram's commands and keyboards.

Requests go to a Sanic app through its ASGI interface, in-process; nothing touches the network except
one connection attempt to a closed local port."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import socket
import time
import uuid
from typing import Any, Dict, List, Optional, Tuple

import pytest
from sanic import Sanic

from channels.slack import DEFAULT_SLACK_API_URL, EnvSlackBot, EnvSlackInput
from channels.telegram import (
    COMMANDS,
    EnvTelegramInput,
    EnvTelegramOutput,
    callback_data,
    command_to_text,
    payload_from_callback,
    webhook_secret,
)

SLACK_ENV = {"SLACK_BOT_TOKEN": "xoxb-1-test", "SLACK_SIGNING_SECRET": "s3cr3t"}
TELEGRAM_ENV = {"TELEGRAM_BOT_TOKEN": "123456:ABC-def_ghi", "TELEGRAM_BOT_NAME": "@Advisor_Bot",
                "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/webhooks/telegram/webhook"}


# --- a tiny in-process ASGI client -------------------------------------------------------------
class App:
    """A Sanic app with one channel's blueprint; `received` collects what reached the bot."""

    def __init__(self, channel: Any) -> None:
        self.received: List[Any] = []
        Sanic.test_mode = True  # lets several apps start in one process (as sanic-testing does)
        self.app = Sanic(f"t{uuid.uuid4().hex}")

        async def on_new_message(message: Any) -> None:
            self.received.append(message)

        self.app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.name()}")

    async def start(self) -> None:
        events = [{"type": "lifespan.startup"}]
        started = asyncio.Event()

        async def receive() -> Dict[str, Any]:
            if events:
                return events.pop(0)
            await asyncio.sleep(3600)
            return {"type": "lifespan.shutdown"}

        async def send(message: Dict[str, Any]) -> None:
            if message["type"] == "lifespan.startup.complete":
                started.set()

        self._lifespan = asyncio.create_task(self.app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send))
        await asyncio.wait_for(started.wait(), 10)

    async def stop(self) -> None:
        self._lifespan.cancel()

    async def request(self, method: str, path: str, headers: Optional[Dict[str, str]] = None,
                      body: bytes = b"") -> Tuple[int, Dict[str, str], bytes]:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
                 "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
                 "client": ("127.0.0.1", 5), "server": ("127.0.0.1", 80)}
        incoming = [{"type": "http.request", "body": body, "more_body": False}]
        sent: List[Dict[str, Any]] = []

        async def receive() -> Dict[str, Any]:
            return incoming.pop(0) if incoming else {"type": "http.disconnect"}

        async def send(message: Dict[str, Any]) -> None:
            sent.append(message)

        await self.app(scope, receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        headers_out = {k.decode().lower(): v.decode() for k, v in start["headers"]}
        return int(start["status"]), headers_out, b"".join(m.get("body", b"") for m in sent
                                                           if m["type"] == "http.response.body")


def run(coro: Any) -> Any:
    return asyncio.run(coro)


# --- Slack: configuration ----------------------------------------------------------------------
@pytest.mark.parametrize("env", [{}, {"SLACK_BOT_TOKEN": "xoxb-1"}, {"SLACK_SIGNING_SECRET": "x"},
                                 {"SLACK_BOT_TOKEN": " ", "SLACK_SIGNING_SECRET": ""}])
def test_slack_is_off_without_both_variables(env: Dict[str, str]) -> None:
    channel = EnvSlackInput.from_environment(env)
    assert channel.enabled is False
    assert channel.get_output_channel() is None


def test_slack_from_environment() -> None:
    channel = EnvSlackInput.from_environment({**SLACK_ENV, "SLACK_API_URL": "http://127.0.0.1:9/api",
                                              "SLACK_CHANNEL": "C123"})
    assert channel.enabled and channel.name() == "slack"
    assert channel.slack_signing_secret == "s3cr3t" and channel.slack_channel == "C123"
    out = channel.get_output_channel("D1")
    assert isinstance(out, EnvSlackBot)
    assert out.client.base_url == "http://127.0.0.1:9/api/"
    assert out.client.token == "xoxb-1-test"
    default = EnvSlackInput.from_environment(SLACK_ENV).get_output_channel("D1")
    assert default.client.base_url == DEFAULT_SLACK_API_URL


def test_slack_credentials_file_cannot_provide_secrets() -> None:
    channel = EnvSlackInput.from_environment({}, {"slack_token": "xoxb-x", "slack_signing_secret": "y"})
    assert channel.enabled is False


def test_slack_off_answers_404_and_processes_nothing() -> None:
    async def scenario() -> None:
        app = App(EnvSlackInput.from_environment({}))
        await app.start()
        body = json.dumps({"type": "url_verification", "challenge": "c"}).encode()
        status, _, text = await app.request("POST", "/webhooks/slack/webhook", {"content-type": "application/json"},
                                            body)
        assert status == 404 and b"SLACK_BOT_TOKEN" in text
        assert (await app.request("GET", "/webhooks/slack/"))[0] == 404
        assert app.received == []
        await app.stop()

    run(scenario())


# --- Slack: requests ---------------------------------------------------------------------------
def signed(body: bytes, secret: str = "s3cr3t", timestamp: Optional[int] = None) -> Dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"content-type": "application/json", "x-slack-request-timestamp": ts, "x-slack-signature": f"v0={digest}"}


def event(text: str = "hi", event_id: str = "Ev1", ts: str = "1700000000.000100", **extra: Any) -> bytes:
    return json.dumps({"type": "event_callback", "event_id": event_id, "team_id": "T1",
                       "authorizations": [{"user_id": "UBOT"}],
                       "event": {"type": "message", "channel_type": "im", "channel": "D1", "user": "U1",
                                 "text": text, "ts": ts, **extra}}).encode()


def slack_scenario(steps: Any) -> None:
    async def scenario() -> None:
        app = App(EnvSlackInput.from_environment(SLACK_ENV))
        await app.start()
        try:
            await steps(app)
        finally:
            await app.stop()

    run(scenario())


def test_slack_checks_signature_and_age_before_anything() -> None:
    async def steps(app: App) -> None:
        body = event()
        cases = {
            "missing": {"content-type": "application/json"},
            "wrong": {**signed(body), "x-slack-signature": "v0=" + "0" * 64},
            "old": signed(body, timestamp=int(time.time()) - 600),
            "future": signed(body, timestamp=int(time.time()) + 600),
            "other secret": signed(body, secret="nope"),
            "garbage timestamp": {**signed(body), "x-slack-request-timestamp": "yesterday"},
        }
        for name, headers in cases.items():
            status, _, _ = await app.request("POST", "/webhooks/slack/webhook", headers, body)
            assert status == 401, name
        challenge = json.dumps({"type": "url_verification", "challenge": "abc"}).encode()
        assert (await app.request("POST", "/webhooks/slack/webhook", {"content-type": "application/json"},
                                  challenge))[0] == 401
        await asyncio.sleep(0.05)
        assert app.received == []

        status, _, text = await app.request("POST", "/webhooks/slack/webhook", signed(challenge), challenge)
        assert status == 200 and json.loads(text) == {"challenge": "abc"}

        status, _, _ = await app.request("POST", "/webhooks/slack/webhook", signed(body), body)
        assert status == 200
        await asyncio.sleep(0.05)
        assert [m.text for m in app.received] == ["hi"]
        message = app.received[0]
        assert message.sender_id == "slack:T1:U1" and message.input_channel == "slack"
        assert message.output_channel.slack_channel == "D1"

    slack_scenario(steps)


def test_slack_retries_and_duplicates_are_not_processed_again() -> None:
    async def steps(app: App) -> None:
        body = event()
        assert (await app.request("POST", "/webhooks/slack/webhook", signed(body), body))[0] == 200
        for reason in ("http_timeout", "http_error", None):
            retry = {"x-slack-retry-num": "1", "x-slack-retry-reason": reason} if reason else {}
            status, headers, _ = await app.request("POST", "/webhooks/slack/webhook", {**signed(body), **retry}, body)
            assert status == 200 and headers.get("x-slack-no-retry") == "1"
        # the same message delivered as another event (an @mention in SLACK_CHANNEL is both)
        mention = event(event_id="Ev2")
        assert (await app.request("POST", "/webhooks/slack/webhook", signed(mention), mention))[1].get(
            "x-slack-no-retry") == "1"
        # a retry of an event never received (connection failed) is processed
        unseen = event(text="what is CSM?", event_id="Ev3", ts="1700000001.000100")
        retry = {"x-slack-retry-num": "1", "x-slack-retry-reason": "connection_failed"}
        assert (await app.request("POST", "/webhooks/slack/webhook", {**signed(unseen), **retry}, unseen))[0] == 200
        await asyncio.sleep(0.05)
        assert [m.text for m in app.received] == ["hi", "what is CSM?"]

    slack_scenario(steps)


def test_slack_ignores_system_and_bot_messages_and_unescapes_text() -> None:
    async def steps(app: App) -> None:
        for body in [
            event(text="<@U1> has joined the channel", event_id="E1", ts="1.1", subtype="channel_join"),
            event(text="I am the bot", event_id="E2", ts="1.2", bot_id="B1"),
            event(text="Q&amp;A about CSM &lt;3 <@UBOT>", event_id="E3", ts="1.3"),
        ]:
            assert (await app.request("POST", "/webhooks/slack/webhook", signed(body), body))[0] == 200
        await asyncio.sleep(0.05)
        assert [m.text for m in app.received] == ["Q&A about CSM <3"]

    slack_scenario(steps)


def test_slack_button_click_payload() -> None:
    async def steps(app: App) -> None:
        payload = {"type": "block_actions", "trigger_id": "T1", "user": {"id": "U9"}, "team": {"id": "T2"},
                   "channel": {"id": "D9"},
                   "message": {"ts": "5.5"}, "actions": [{"type": "button", "value": "/ask_cost"}]}
        from urllib.parse import quote
        body = ("payload=" + quote(json.dumps(payload))).encode()
        headers = {**signed(body), "content-type": "application/x-www-form-urlencoded"}
        assert (await app.request("POST", "/webhooks/slack/webhook", headers, body))[0] == 200
        await asyncio.sleep(0.05)
        assert [(m.text, m.sender_id) for m in app.received] == [("/ask_cost", "slack:T2:U9")]
        assert app.received[0].output_channel.slack_channel == "D9"

    slack_scenario(steps)


def test_slack_buttons_become_blocks_without_as_user() -> None:
    bot = EnvSlackBot("xoxb-1", "D1")
    posted: List[Dict[str, Any]] = []

    async def fake_post(**kwargs: Any) -> None:
        posted.append(kwargs)

    bot.client.chat_postMessage = fake_post  # type: ignore[assignment]
    buttons = [{"title": f"Option {i}", "payload": f"/intent_{i}"} for i in range(7)]
    run(bot.send_text_with_buttons("D1", "Pick *one* <https://example.org|here>", buttons))
    run(bot.send_text_message("D1", "one\n\ntwo"))
    assert "as_user" not in posted[0] and "type" not in posted[0]
    blocks = posted[0]["blocks"]
    assert blocks[0] == {"type": "section", "text": {"type": "mrkdwn", "text": "Pick *one* <https://example.org|here>"}}
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [len(b["elements"]) for b in actions] == [5, 2]
    assert actions[1]["elements"][1]["value"] == "/intent_6"
    assert [p["text"] for p in posted[1:]] == ["one", "two"]


# --- Telegram: configuration -------------------------------------------------------------------
@pytest.mark.parametrize("missing", ["TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_NAME", "TELEGRAM_WEBHOOK_URL", "all"])
def test_telegram_is_off_without_its_three_variables(missing: str) -> None:
    env = {} if missing == "all" else {k: v for k, v in TELEGRAM_ENV.items() if k != missing}
    channel = EnvTelegramInput.from_environment(env)
    assert channel.enabled is False and channel.get_output_channel() is None


def test_telegram_is_off_with_a_malformed_token() -> None:
    assert EnvTelegramInput.from_environment({**TELEGRAM_ENV, "TELEGRAM_BOT_TOKEN": "not a token"}).enabled is False


def test_telegram_from_environment() -> None:
    channel = EnvTelegramInput.from_environment({**TELEGRAM_ENV, "TELEGRAM_API_URL": "http://127.0.0.1:9"})
    assert channel.enabled and channel.name() == "telegram"
    assert channel.verify == "Advisor_Bot" and channel.webhook_url == TELEGRAM_ENV["TELEGRAM_WEBHOOK_URL"]
    out = channel.get_output_channel()
    assert isinstance(out, EnvTelegramOutput)
    assert out.server.api_url(token="T", method="getMe") == "http://127.0.0.1:9/botT/getMe"
    assert channel.secret_token == webhook_secret(TELEGRAM_ENV["TELEGRAM_BOT_TOKEN"])
    explicit = EnvTelegramInput.from_environment({**TELEGRAM_ENV, "TELEGRAM_WEBHOOK_SECRET": "mine"})
    assert explicit.secret_token == "mine"
    default = EnvTelegramInput.from_environment(TELEGRAM_ENV).get_output_channel()
    assert default.server.api_url(token="T", method="getMe") == "https://api.telegram.org/botT/getMe"


def test_telegram_derived_secret_is_valid_and_token_specific() -> None:
    a, b = webhook_secret("1:a"), webhook_secret("1:b")
    assert a != b and a == webhook_secret("1:a")
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,256}", a)
    assert "1:a" not in a


def test_telegram_off_answers_404_and_processes_nothing() -> None:
    async def scenario() -> None:
        app = App(EnvTelegramInput.from_environment({}))
        await app.start()
        status, _, text = await app.request("POST", "/webhooks/telegram/webhook",
                                            {"content-type": "application/json"}, b'{"update_id": 1}')
        assert status == 404 and b"TELEGRAM_BOT_TOKEN" in text
        assert app.received == []
        await app.stop()

    run(scenario())


def test_telegram_start_up_survives_an_unreachable_api() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: connections are refused

    async def scenario() -> None:
        channel = EnvTelegramInput.from_environment({**TELEGRAM_ENV, "TELEGRAM_API_URL": f"http://127.0.0.1:{port}"})
        started = time.time()
        assert await channel.register_webhook() is False
        assert time.time() - started < 10
        await channel.close()

    run(scenario())


def test_telegram_rejects_updates_without_the_secret_token() -> None:
    async def scenario() -> None:
        channel = EnvTelegramInput.from_environment(TELEGRAM_ENV)
        app = App(channel)
        # no start-up listener run here (no network); the name check is answered as if by getMe
        channel._bot_username = "advisor_bot"
        await app.start()
        update = json.dumps({"update_id": 5, "message": {"message_id": 1, "date": 0, "text": "hi",
                                                        "chat": {"id": 7, "type": "private"}}}).encode()
        for headers in ({}, {"x-telegram-bot-api-secret-token": "wrong"}):
            status, _, _ = await app.request("POST", "/webhooks/telegram/webhook",
                                             {"content-type": "application/json", **headers}, update)
            assert status == 403
        assert app.received == []
        good = {"content-type": "application/json", "x-telegram-bot-api-secret-token": channel.secret_token}
        assert (await app.request("POST", "/webhooks/telegram/webhook", good, update))[0] == 200
        assert (await app.request("POST", "/webhooks/telegram/webhook", good, update))[0] == 200  # repeated
        assert [(m.text, m.sender_id) for m in app.received] == [("hi", "telegram:7")]
        # an update that is not a message (the user blocked the bot) is acknowledged, not a 500
        blocked = json.dumps({"update_id": 6, "my_chat_member": {}}).encode()
        assert (await app.request("POST", "/webhooks/telegram/webhook", good, blocked))[0] == 200
        await app.stop()
        await channel.close()

    run(scenario())


# --- Telegram: commands and keyboards ----------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("/start", "/greet"), ("/start@Advisor_Bot", "/greet"), ("/start campaign-42", "/greet"), ("/START", "/greet"),
    ("/help", "/ask_capabilities"), ("/bot what is CSM?", "what is CSM?"), ("what is CSM?", "what is CSM?"),
    ("/compare_certifications", "/compare_certifications"),
])
def test_telegram_commands(text: str, expected: str) -> None:
    assert command_to_text(text) == expected
    assert COMMANDS["start"] == "/greet"


def test_telegram_keyboards() -> None:
    short = [{"title": t, "payload": f"/p{i}"} for i, t in enumerate(["Help me choose", "Compare", "Course", "Costs"])]
    rows = EnvTelegramOutput.keyboard(short).inline_keyboard
    assert [[b.text for b in row] for row in rows] == [["Help me choose", "Compare"], ["Course", "Costs"]]
    assert rows[0][0].callback_data == "/p0"
    long_titles = [{"title": "Helping the team work well together", "payload": "/a"}, {"title": "B", "payload": "/b"}]
    assert [len(r) for r in EnvTelegramOutput.keyboard(long_titles).inline_keyboard] == [1, 1]
    assert [len(r) for r in EnvTelegramOutput.keyboard(short, "inline").inline_keyboard] == [4]
    # a fact answer: its "More: …" button on a row of its own, the 👍/👎 side by side under it
    fact = [{"title": "More: Course and exam", "payload": "/ask_requirements"},
            {"title": "👍 Helpful", "payload": "/feedback_helpful"}, {"title": "👎 Not right", "payload": "/feedback_wrong"}]
    assert [[b.text for b in row] for row in EnvTelegramOutput.keyboard(fact).inline_keyboard] == [
        ["More: Course and exam"], ["👍 Helpful", "👎 Not right"]]
    assert [len(r) for r in EnvTelegramOutput.keyboard(fact, "vertical").inline_keyboard] == [1, 1, 1]
    reply = EnvTelegramOutput.keyboard(short, "reply")
    assert [[b.text for b in row] for row in reply.keyboard] == [["Help me choose"], ["Compare"], ["Course"], ["Costs"]]


def test_telegram_long_payloads_fit_callback_data() -> None:
    long_payload = '/inform_role{"role": "business_analyst", "note": "' + "x" * 80 + '"}'
    data = callback_data(long_payload)
    assert len(data.encode()) <= 64 and payload_from_callback(data) == long_payload
    assert callback_data("/ask_cost") == "/ask_cost" and payload_from_callback("/ask_cost") == "/ask_cost"
