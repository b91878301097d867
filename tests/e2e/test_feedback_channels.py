"""👍/👎 under the answers, end to end in each channel against the real servers: REST, the web widget (socket.io,
in a real browser), Slack and Telegram (through the local stand-ins of their APIs, tests/support/fakes.py).

Each test gets a fact answer, votes 👎 the way that channel's user would (the REST payload, the widget's button,
a Slack block button, a Telegram inline keyboard), says what they were looking for, and then checks the events the
tracker holds (HTTP API with the token): the vote and the comment, each with the fact and the question it answered.
"""
from __future__ import annotations

import json
import secrets
import time
from typing import Any, Dict, List

import pytest
from playwright.sync_api import Browser

from actions.feedback import FeedbackLabels, labels_from_knowledge
from actions.knowledge_base import load_knowledge
from tests.e2e.test_channels import (  # noqa: F401 - `channels` is a fixture
    Channels,
    channels,
    inline_keyboard,
    new_chat,
    new_id,
    slack_click,
    slack_event,
    telegram_message,
)
from tests.e2e.test_web import DESKTOP, Visitor, browser  # noqa: F401 - `browser` is a fixture
from tests.support.stack import Stack, buttons, texts

QUESTION = "is the CSM test open book?"
COMMENT = "I was asking about the pass rate"  # not a question the advisor answers: stored, thanked
ASKS_COMMENT = "What were you looking for?"
THANKS = "I've passed that on"


@pytest.fixture(scope="module")
def labels() -> FeedbackLabels:
    return labels_from_knowledge(load_knowledge())


def feedback_values(stack: Stack, conversation: str) -> List[Dict[str, Any]]:
    return [e["value"] for e in stack.tracker(conversation)["events"]
            if e["event"] == "slot" and e["name"] == "answer_feedback" and e["value"] is not None]


def check_stored(stack: Stack, conversation: str, question: str, comment: str) -> None:
    """The tracker holds the 👎 and then the comment, both about the fact answer to `question`."""
    events = stack.tracker(conversation)["events"]
    answers = [e for e in events if e["event"] == "bot" and (e.get("metadata") or {}).get("answer_ref")]
    assert answers, "no bot event carries the answer's reference"
    answer = answers[0]
    ref = answer["metadata"]["answer_ref"]
    assert ref.startswith("fact:"), ref
    vote, stored_comment = feedback_values(stack, conversation)[:2]
    assert vote == {"vote": "down", "ref": ref, "question": question, "answer_event": answer["timestamp"]}
    assert stored_comment == {**vote, "comment": comment}
    # the answer is the reply to the question
    before = [e for e in events[: events.index(answer)] if e["event"] == "user"]
    assert before and before[-1]["text"] == question


# --- REST ----------------------------------------------------------------------------------------
def test_rest_vote_with_the_payload_then_a_comment(stack: Stack, sender: str, labels: FeedbackLabels) -> None:
    answer = stack.say(sender, QUESTION)
    offered = {b["title"]: b["payload"] for b in buttons(answer)}
    assert offered[labels.helpful] == "/feedback_helpful" and offered[labels.wrong] == "/feedback_wrong", offered
    assert any(p.startswith("/ask_") for p in offered.values()), "the 'More: …' button is still there"
    assert "answer_ref" not in json.dumps(answer) and "answer_trace" not in json.dumps(answer), "metadata is not sent"

    # The payload as the client posts it; a JSON part naming another fact changes nothing.
    asked = stack.say(sender, offered[labels.wrong] + '{"answer_ref": "fact:forged", "ref": "fact:forged"}')
    assert ASKS_COMMENT in texts(asked), asked
    thanked = stack.say(sender, COMMENT)
    assert THANKS in texts(thanked), thanked
    check_stored(stack, sender, QUESTION, COMMENT)
    assert "forged" not in json.dumps(feedback_values(stack, sender))

    # the conversation carries on
    assert "CSPO" in texts(stack.say(sender, "how much does the CSPO cost?"))


def test_rest_a_question_given_as_the_comment_is_stored_and_answered(stack: Stack, sender: str) -> None:
    stack.say(sender, QUESTION)
    stack.say(sender, "/feedback_wrong")
    reply = texts(stack.say(sender, "how much does the CSPO cost?"))
    assert THANKS in reply and "price of the CSPO course" in reply, reply
    check_stored(stack, sender, QUESTION, "how much does the CSPO cost?")
    assert stack.tracker(sender).get("active_loop", {}).get("name") in (None, "")


def test_rest_thumbs_up_and_a_vote_after_no_answer(stack: Stack, sender: str) -> None:
    stack.say(sender, QUESTION)
    assert "Thanks" in texts(stack.say(sender, "/feedback_helpful"))
    up = feedback_values(stack, sender)[0]
    assert up["vote"] == "up" and up["ref"].startswith("fact:") and up["question"] == QUESTION
    stack.say(sender, "hi")
    stack.say(sender, "/feedback_wrong")  # the greeting offered no vote: nothing to rate, the question still asked
    assert feedback_values(stack, sender)[-1] == {"vote": "down", "ref": None, "question": None, "answer_event": None}


# --- the web widget (socket.io) --------------------------------------------------------------------
def test_widget_thumbs_down_button_then_a_comment(stack: Stack, browser: Browser, labels: FeedbackLabels) -> None:  # noqa: F811
    context = browser.new_context(viewport=DESKTOP)
    visitor = Visitor(context, stack.web_url)
    try:
        visitor.open()
        visitor.page.locator(".ac-messages .ac-bot").first.wait_for()
        visitor.settle()
        answer = visitor.say(QUESTION)
        assert "open book" in answer.lower(), answer
        more = visitor.page.locator(".ac-reply:enabled").filter(has_text="More")
        assert more.count() >= 1, "the 'More: …' button is still offered"
        assert ASKS_COMMENT in visitor.click_reply(labels.wrong)
        assert THANKS in visitor.say(COMMENT)
        visitor.shot("feedback-thumbs-down")
        check_stored(stack, stack.web_conversation(visitor.session_id()), QUESTION, COMMENT)
        assert not visitor.errors, visitor.errors
    finally:
        context.close()


# --- Slack -----------------------------------------------------------------------------------------
def test_slack_thumbs_down_button_then_a_comment(channels: Channels, labels: FeedbackLabels) -> None:  # noqa: F811
    user, channel = new_id("U"), new_id("D")
    assert channels.slack_send(slack_event(QUESTION, user, channel)).status_code == 200
    call = channels.slack.wait_for("chat.postMessage", lambda c: bool(c["params"].get("blocks")), channel=channel)
    blocks = call["params"]["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    offered = {e["text"]["text"]: e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]}
    assert offered[labels.wrong] == "/feedback_wrong" and offered[labels.helpful] == "/feedback_helpful", offered
    assert any(v.startswith("/ask_") for v in offered.values())

    slack_click(channels, user, channel, labels.wrong, offered[labels.wrong])
    channels.slack.wait_for("chat.postMessage", lambda c: ASKS_COMMENT in c["params"].get("text", ""), channel=channel)
    assert channels.slack_send(slack_event(COMMENT, user, channel)).status_code == 200
    channels.slack.wait_for("chat.postMessage", lambda c: THANKS in c["params"].get("text", ""), channel=channel)
    check_stored(channels.stack, f"slack:T0TEAM:{user}", QUESTION, COMMENT)


# --- Telegram --------------------------------------------------------------------------------------
def test_telegram_inline_keyboard_thumbs_down_then_a_comment(channels: Channels, labels: FeedbackLabels) -> None:  # noqa: F811
    chat = new_chat()
    assert channels.telegram_post(telegram_message(chat, QUESTION)).status_code == 200
    with_keyboard = [m for m in channels.telegram_sent(chat) if m.get("reply_markup")]
    assert with_keyboard, channels.telegram_sent(chat)
    rows = inline_keyboard(with_keyboard[-1])
    offered = {b["text"]: b["callback_data"] for row in rows for b in row}
    assert offered[labels.wrong] == "/feedback_wrong" and offered[labels.helpful] == "/feedback_helpful", offered
    assert [labels.helpful, labels.wrong] in [[b["text"] for b in row] for row in rows], "the votes side by side"

    query_id = str(secrets.randbelow(10 ** 12))
    press = {"update_id": secrets.randbelow(10 ** 9),
             "callback_query": {"id": query_id, "chat_instance": "42", "data": offered[labels.wrong],
                                "from": {"id": chat, "is_bot": False, "first_name": "Test"},
                                "message": {"message_id": 7, "date": int(time.time()), "text": "…",
                                            "chat": {"id": chat, "type": "private"},
                                            "from": {"id": 123456789, "is_bot": True, "first_name": "Advisor"}}}}
    assert channels.telegram_post(press).status_code == 200
    assert any(ASKS_COMMENT in m["text"] for m in channels.telegram_sent(chat))
    channels.telegram.wait_for("answerCallbackQuery", callback_query_id=query_id, timeout=10)
    assert channels.telegram_post(telegram_message(chat, COMMENT)).status_code == 200
    assert any(THANKS in m["text"] for m in channels.telegram_sent(chat))
    check_stored(channels.stack, f"telegram:{chat}", QUESTION, COMMENT)
