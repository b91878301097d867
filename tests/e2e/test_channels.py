"""Slack and Telegram channels against the real Rasa server and action server, without the internet.

The fixture starts two local stand-ins: one for the Slack Web API and one for the Telegram Bot API.
The Rasa server gets the channels' environment variables (SLACK_API_URL and TELEGRAM_API_URL pointing
at the stand-ins), so every call the bot makes to Slack or Telegram is recorded by them. The tests
post signed (or forged) Slack events and Telegram updates to the server's webhooks, as Slack and
Telegram would, and check what reaches the stand-ins.

Slack replies are sent in the background (Slack wants an answer within 3 s), so the tests wait for
them. To show that a rejected or repeated request produced nothing, a test then sends a valid
message in the same conversation: Rasa handles the messages of one conversation in order, so once
that message's answer has arrived, anything the earlier request had set off would have too.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from typing import Any, Dict, List, Optional

import pytest
import requests

from tests.support.fakes import (
    SLACK_BOT_USER,
    SLACK_TOKEN,
    TELEGRAM_SECRET,
    TELEGRAM_WEBHOOK_URL,
    FakeAPI,
    Fakes,
)
from tests.support.stack import Stack

GREETING = "I'm the CSM/CSPO advisor"
WAIT = 60  # seconds for a reply to reach a stand-in


# --- the stack ---------------------------------------------------------------------------------
class Channels:
    def __init__(self, stack: Stack, slack: FakeAPI, telegram: FakeAPI, signing_secret: str) -> None:
        self.stack, self.slack, self.telegram, self.signing_secret = stack, slack, telegram, signing_secret

    # Slack
    def sign(self, body: bytes, timestamp: Optional[int] = None, secret: Optional[str] = None) -> Dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        digest = hmac.new((secret or self.signing_secret).encode(), f"v0:{ts}:".encode() + body,
                          hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}

    def slack_post(self, body: bytes, headers: Dict[str, str],
                   content_type: str = "application/json") -> requests.Response:
        return requests.post(f"{self.stack.rasa_url}/webhooks/slack/webhook", data=body,
                             headers={"Content-Type": content_type, **headers}, timeout=30)

    def slack_send(self, event: Dict[str, Any], extra: Optional[Dict[str, str]] = None) -> requests.Response:
        body = json.dumps(event).encode()
        return self.slack_post(body, {**self.sign(body), **(extra or {})})

    def slack_messages(self, channel: str) -> List[Dict[str, Any]]:
        return [c["params"] for c in self.slack.find("chat.postMessage", channel=channel)]

    # Telegram
    def telegram_post(self, update: Dict[str, Any], secret: Optional[str] = TELEGRAM_SECRET) -> requests.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return requests.post(f"{self.stack.rasa_url}/webhooks/telegram/webhook", json=update, headers=headers,
                             timeout=WAIT)

    def telegram_sent(self, chat_id: int) -> List[Dict[str, Any]]:
        return [c["params"] for c in self.telegram.find("sendMessage", chat_id=chat_id)]


@pytest.fixture(scope="module")
def channels(stack: Stack, fakes: Fakes) -> Channels:
    """The session's shared stack runs with both channels on against the stand-ins (tests/e2e/conftest.py)."""
    return Channels(stack, fakes.slack, fakes.telegram, fakes.signing_secret)


def new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:10].upper()


def slack_event(text: str, user: str, channel: str, event_id: Optional[str] = None) -> Dict[str, Any]:
    """An Events API `message.im` delivery, as Slack sends it for a direct message to the bot."""
    ts = f"{time.time():.6f}"
    return {
        "token": "verification-token-unused", "team_id": "T0TEAM", "api_app_id": "A0APP",
        "type": "event_callback", "event_id": event_id or new_id("Ev"), "event_time": int(time.time()),
        "authorizations": [{"team_id": "T0TEAM", "user_id": SLACK_BOT_USER, "is_bot": True}],
        "event": {"type": "message", "channel_type": "im", "channel": channel, "user": user, "text": text,
                  "ts": ts, "event_ts": ts},
    }


def saved_user_texts(channels: Channels, conversation: str, within: float = 10.0) -> List[str]:
    """The user messages of a conversation's tracker, once it is saved: Rasa sends the reply (the Slack API call) before
    it saves the tracker, so a tracker read right after the reply may not have the message yet."""
    deadline = time.monotonic() + within
    while True:
        texts = [e["text"] for e in channels.stack.tracker(conversation)["events"] if e["event"] == "user"]
        if texts or time.monotonic() > deadline:
            return texts
        time.sleep(0.2)


def greeting_messages(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [m for m in messages if GREETING in (m.get("text") or "")]


# --- Slack -------------------------------------------------------------------------------------
def test_slack_signed_message_is_answered_through_the_web_api(channels: Channels) -> None:
    user, channel = new_id("U"), new_id("D")
    # a fact whose source has an address (the overview cites the article, which has none)
    r = channels.slack_send(slack_event("how much does the CSPO cost?", user, channel))
    assert r.status_code == 200, r.text

    call = channels.slack.wait_for("chat.postMessage", lambda c: "Product Owner" in c["params"].get("text", ""),
                                   channel=channel)
    assert call["headers"].get("Authorization") == f"Bearer {SLACK_TOKEN}"
    assert "as_user" not in call["params"], "new Slack apps refuse as_user (invalid_arguments)"
    text = call["params"]["text"]
    assert "CSPO" in text
    # links in Slack's own syntax, not Markdown
    assert "<https://" in text and "](" not in text
    # the conversation is slack:<team>:<user>; a REST caller using the user id cannot reach it
    conversation = f"slack:T0TEAM:{user}"
    user_texts = saved_user_texts(channels, conversation)
    assert user_texts == ["how much does the CSPO cost?"]
    channels.stack.say(user, "/restart")
    channels.stack.say(conversation, "/restart")
    assert [e["text"] for e in channels.stack.tracker(conversation)["events"] if e["event"] == "user"] == user_texts


def test_slack_reply_with_buttons_arrives_as_blocks(channels: Channels) -> None:
    user, channel = new_id("U"), new_id("D")
    assert channels.slack_send(slack_event("hi", user, channel)).status_code == 200

    call = channels.slack.wait_for("chat.postMessage", lambda c: bool(c["params"].get("blocks")), channel=channel)
    blocks = call["params"]["blocks"]
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    sections = [b for b in blocks if b["type"] == "section"]
    assert sections and GREETING in sections[0]["text"]["text"]
    assert sections[0]["text"]["type"] == "mrkdwn"
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert all(e["type"] == "button" for e in buttons)
    assert {"Help me choose": "/ask_recommendation", "Compare CSM and CSPO": "/compare_certifications"}.items() \
        <= {e["text"]["text"]: e["value"] for e in buttons}.items()
    assert GREETING in call["params"]["text"]  # the notification text


def test_slack_more_than_five_buttons_are_all_sent(channels: Channels) -> None:
    """utter_capabilities has 6 buttons; Rasa's own Slack output drops all of them above 5."""
    user, channel = new_id("U"), new_id("D")
    assert channels.slack_send(slack_event("/ask_capabilities", user, channel)).status_code == 200
    call = channels.slack.wait_for("chat.postMessage", lambda c: bool(c["params"].get("blocks")), channel=channel)
    buttons = [e for b in call["params"]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(buttons) == 6, call["params"]["blocks"]


def slack_click(channels: Channels, user: str, channel: str, title: str, value: str) -> None:
    """Posts a signed block-button click (Slack's form-encoded interactivity payload) and checks it is taken."""
    payload = {
        "type": "block_actions", "trigger_id": new_id("T"),
        "user": {"id": user, "username": "someone", "team_id": "T0TEAM"},
        "channel": {"id": channel, "name": "directmessage"},
        "container": {"type": "message", "channel_id": channel, "message_ts": "1.000001"},
        "message": {"type": "message", "ts": "1.000001", "text": "…"},
        "actions": [{"type": "button", "action_id": "rasa_button_1", "block_id": "b1",
                     "text": {"type": "plain_text", "text": title}, "value": value, "action_ts": f"{time.time():.6f}"}],
    }
    body = ("payload=" + requests.utils.quote(json.dumps(payload))).encode()
    r = channels.slack_post(body, channels.sign(body), content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200, r.text


def test_slack_button_click_reaches_the_bot(channels: Channels) -> None:
    """A click on a block button comes back as an interactivity payload (form-encoded)."""
    user, channel = new_id("U"), new_id("D")
    slack_click(channels, user, channel, "Compare CSM and CSPO", "/compare_certifications")
    call = channels.slack.wait_for("chat.postMessage", channel=channel)
    assert "CSM" in call["params"]["text"] and "CSPO" in call["params"]["text"]


@pytest.mark.parametrize("forgery", ["missing signature", "wrong signature", "10-minute-old timestamp",
                                     "signed with another secret"])
def test_slack_rejects_unauthentic_requests(channels: Channels, forgery: str) -> None:
    user, channel = new_id("U"), new_id("D")
    body = json.dumps(slack_event("what is CSM?", user, channel)).encode()
    if forgery == "missing signature":
        headers = {"X-Slack-Request-Timestamp": str(int(time.time()))}
    elif forgery == "wrong signature":
        headers = {**channels.sign(body), "X-Slack-Signature": "v0=" + "0" * 64}
    elif forgery == "10-minute-old timestamp":
        headers = channels.sign(body, timestamp=int(time.time()) - 600)  # correctly signed, but old
    else:
        headers = channels.sign(body, secret="not-the-signing-secret")
    r = channels.slack_post(body, headers)
    assert 400 <= r.status_code < 500, (r.status_code, r.text)

    # a genuine message in the same conversation: once it is answered, the forged one would have been too
    assert channels.slack_send(slack_event("hi", user, channel)).status_code == 200
    channels.slack.wait_for("chat.postMessage", lambda c: GREETING in c["params"].get("text", ""), channel=channel)
    messages = channels.slack_messages(channel)
    assert len(messages) == 1 and GREETING in messages[0]["text"], messages


def test_slack_retries_and_duplicates_are_answered_once(channels: Channels) -> None:
    user, channel = new_id("U"), new_id("D")
    event = slack_event("hi", user, channel)
    first = channels.slack_send(event)
    assert first.status_code == 200
    # Slack retries when an answer takes over 3 s; each retry is signed anew
    retries = [
        channels.slack_send(event, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}),
        channels.slack_send(event, {"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_error"}),
        channels.slack_send(event),  # the same delivery again, without retry headers
    ]
    for r in retries:
        assert r.status_code == 200, r.text
        assert r.headers.get("X-Slack-No-Retry") == "1"

    channels.slack.wait_for("chat.postMessage", lambda c: GREETING in c["params"].get("text", ""), channel=channel)
    # a later message of the same conversation: answered after anything the retries could have set off
    assert channels.slack_send(slack_event("thank you", user, channel)).status_code == 200
    channels.slack.wait_for("chat.postMessage", lambda c: GREETING not in c["params"].get("text", ""),
                            channel=channel)
    assert len(greeting_messages(channels.slack_messages(channel))) == 1


def test_slack_retry_of_an_event_never_received_is_answered(channels: Channels) -> None:
    """A retry after a failed connection is the first copy we see: it must not be lost."""
    user, channel = new_id("U"), new_id("D")
    r = channels.slack_send(slack_event("hi", user, channel),
                            {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "connection_failed"})
    assert r.status_code == 200
    channels.slack.wait_for("chat.postMessage", lambda c: GREETING in c["params"].get("text", ""), channel=channel)


def test_slack_url_verification_challenge(channels: Channels) -> None:
    challenge = secrets.token_urlsafe(24)
    body = json.dumps({"token": "unused", "challenge": challenge, "type": "url_verification"}).encode()
    r = channels.slack_post(body, channels.sign(body))
    assert r.status_code == 200, r.text
    assert r.json() == {"challenge": challenge}
    # the challenge is signed too; an unsigned one is refused
    unsigned = channels.slack_post(body, {"X-Slack-Request-Timestamp": str(int(time.time()))})
    assert 400 <= unsigned.status_code < 500


# --- Telegram ----------------------------------------------------------------------------------
def telegram_message(chat_id: int, text: str, update_id: Optional[int] = None) -> Dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": "Test", "username": f"user{chat_id}", "language_code": "en"}
    return {"update_id": update_id or secrets.randbelow(10 ** 9),
            "message": {"message_id": secrets.randbelow(10 ** 6), "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
                        "from": user, "text": text,
                        **({"entities": [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]}
                           if text.startswith("/") else {})}}


def new_chat() -> int:
    return 10 ** 8 + secrets.randbelow(10 ** 9)


def inline_keyboard(params: Dict[str, Any]) -> List[List[Dict[str, Any]]]:
    markup = json.loads(params["reply_markup"])
    return markup["inline_keyboard"]


def test_telegram_webhook_is_set_at_start_with_the_secret(channels: Channels) -> None:
    call = channels.telegram.wait_for("setWebhook", timeout=30)
    assert call["params"]["url"] == TELEGRAM_WEBHOOK_URL
    assert call["params"]["secret_token"] == TELEGRAM_SECRET
    assert channels.telegram.find("getMe")


def test_telegram_question_is_answered_with_plain_links(channels: Channels) -> None:
    chat = new_chat()
    r = channels.telegram_post(telegram_message(chat, "how much does the CSPO cost?"))
    assert r.status_code == 200, r.text
    sent = channels.telegram_sent(chat)
    text = "\n".join(m["text"] for m in sent)
    assert "CSPO" in text and "Product Owner" in text, sent
    # links: the raw https address (Telegram links it), no Markdown or Slack link syntax, no parse_mode
    assert re.search(r": https://[\w.-]+\.[a-z]{2,}/\S*", text), text  # "label: https://…"
    assert "](" not in text and "<http" not in text
    assert all("parse_mode" not in m for m in sent)
    # the conversation is telegram:<chat id>; REST senders "<chat id>" or "telegram:<chat id>" cannot reach it
    conversation = f"telegram:{chat}"
    user_texts = saved_user_texts(channels, conversation)
    assert user_texts == ["how much does the CSPO cost?"]
    for sender in (str(chat), conversation):
        channels.stack.say(sender, "/restart")
    assert [e["text"] for e in channels.stack.tracker(conversation)["events"] if e["event"] == "user"] == user_texts


def test_telegram_start_greets_with_an_inline_keyboard(channels: Channels) -> None:
    chat = new_chat()
    r = channels.telegram_post(telegram_message(chat, "/start"))
    assert r.status_code == 200, r.text
    sent = channels.telegram_sent(chat)
    greetings = [m for m in sent if GREETING in m["text"]]
    assert len(greetings) == 1, sent
    rows = inline_keyboard(greetings[0])
    buttons = {b["text"]: b["callback_data"] for row in rows for b in row}
    assert buttons["Help me choose"] == "/ask_recommendation"
    assert buttons["Compare CSM and CSPO"] == "/compare_certifications"
    assert all(len(row) <= 2 for row in rows)


def test_telegram_button_press_reaches_the_bot(channels: Channels) -> None:
    chat = new_chat()
    query_id = str(secrets.randbelow(10 ** 12))
    update = {
        "update_id": secrets.randbelow(10 ** 9),
        "callback_query": {
            "id": query_id, "chat_instance": "42", "data": "/compare_certifications",
            "from": {"id": chat, "is_bot": False, "first_name": "Test"},
            "message": {"message_id": 7, "date": int(time.time()), "text": "…",
                        "chat": {"id": chat, "type": "private"},
                        "from": {"id": 123456789, "is_bot": True, "first_name": "Advisor"}},
        },
    }
    assert channels.telegram_post(update).status_code == 200
    text = "\n".join(m["text"] for m in channels.telegram_sent(chat))
    assert "CSM" in text and "CSPO" in text
    channels.telegram.wait_for("answerCallbackQuery", callback_query_id=query_id, timeout=10)


@pytest.mark.parametrize("secret", [None, "wrong-secret"])
def test_telegram_rejects_updates_without_the_secret(channels: Channels, secret: Optional[str]) -> None:
    chat = new_chat()
    r = channels.telegram_post(telegram_message(chat, "what is CSM?"), secret=secret)
    assert r.status_code == 403, r.text
    # Telegram's webhook answers after the bot has replied: a genuine update shows the order
    assert channels.telegram_post(telegram_message(chat, "hi")).status_code == 200
    sent = channels.telegram_sent(chat)
    assert len(sent) == 1 and GREETING in sent[0]["text"], sent


def test_telegram_repeated_update_is_answered_once(channels: Channels) -> None:
    chat = new_chat()
    update = telegram_message(chat, "hi")
    assert channels.telegram_post(update).status_code == 200
    assert channels.telegram_post(update).status_code == 200
    assert len([m for m in channels.telegram_sent(chat) if GREETING in m["text"]]) == 1
