"""Bad input, typed payloads, a failing action server and the HTTP API token, against real servers."""
from __future__ import annotations

import json
import uuid

import pytest
import requests

from tests.support.stack import ROOT, Stack, texts

BAD_INPUTS = {
    "empty": "",
    "whitespace": "   \t  ",
    "single character": "a",
    "20,000 characters": "why " * 5000,
    "control characters": "\x00\x01hello\x1b[31m\x7f",
    "script tag": "<script>alert('x')</script>",
    "template syntax": "{{7*7}} ${7*7} {% raw %}",
    "format string": "%s%n%x%d",
    "SQL": "'; DROP TABLE events; --",
    "emoji only": "🙂🚀🔥",
    "markdown link": "[click me](javascript:alert(1))",
}
RESULTS: dict = {}


def assert_sensible(reply: list, raw: str) -> str:
    assert isinstance(reply, list) and reply, "every message gets an answer"
    text = texts(reply)
    assert text.strip()
    for needle in ("<script", "{{7*7}}", "javascript:", "%n", "DROP TABLE", "Traceback"):
        if needle.lower() in raw.lower() or needle == "Traceback":
            assert needle.lower() not in text.lower(), f"echoed {needle!r}: {text}"
    return text


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_in_a_fresh_conversation(stack: Stack, name: str) -> None:
    sender = f"bad-{uuid.uuid4().hex[:8]}"
    raw = BAD_INPUTS[name]
    text = assert_sensible(stack.say(sender, raw), raw)
    RESULTS[f"fresh: {name}"] = text.splitlines()[0][:100]
    # The conversation is stored and still usable afterwards.
    events = stack.tracker(sender)["events"]
    assert any(e["event"] == "user" for e in events)
    assert "CSPO" in texts(stack.say(sender, "what is cspo?"))


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_inside_the_form(stack: Stack, name: str) -> None:
    sender = f"badform-{uuid.uuid4().hex[:8]}"
    stack.say(sender, "help me choose a certification")
    assert stack.slot(sender, "requested_slot") == "current_role"
    raw = BAD_INPUTS[name]
    text = assert_sensible(stack.say(sender, raw), raw)
    RESULTS[f"in form: {name}"] = text.splitlines()[0][:100]
    slots = stack.tracker(sender)["slots"]
    assert slots["recommendation"] is None
    # The form is still there (or was left politely) and the bot still answers.
    assert stack.say(sender, "I'm a developer")


def test_long_message_is_cut_before_nlu(stack: Stack) -> None:
    parsed = stack.parse("what is cspo " + "x" * 20000)
    assert len(parsed["text"]) <= 1000


@pytest.mark.parametrize("body,content_type", [
    (b"{not json", "application/json"),
    (b"[1, 2, 3]", "application/json"),
    (json.dumps({"sender": "x"}).encode(), "application/json"),
    (json.dumps({"sender": "x", "message": 42}).encode(), "application/json"),
    (json.dumps({"sender": {"a": 1}, "message": "hi"}).encode(), "application/json"),
    (json.dumps({"sender": "x" * 500, "message": "hi"}).encode(), "application/json"),
])
def test_malformed_request_gets_400(stack: Stack, body: bytes, content_type: str) -> None:
    r = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": content_type},
                      timeout=30)
    assert r.status_code == 400, r.text
    assert "error" in r.json()
    assert stack.say("after-400", "hi")  # still answering


def test_typed_payload_cannot_skip_the_form(stack: Stack, sender: str) -> None:
    stack.say(sender, "/ask_recommendation")
    stack.say(sender, '/goal_lead_transformation{"current_role": "manager", "leads_transformation": true}')
    slots = stack.tracker(sender)["slots"]
    assert slots["recommendation"] is None and slots["current_role"] is None


def test_out_of_scope_and_other_language(stack: Stack, sender: str) -> None:
    assert "CSM and CSPO" in texts(stack.say(sender, "what's the weather in Berlin tomorrow?"))
    assert "English" in texts(stack.say(sender, "Bonjour, quelle est la différence entre CSM et CSPO ?"))


def test_action_server_down_then_back(stack: Stack, sender: str) -> None:
    assert "CSPO" in texts(stack.say(sender, "what is the cspo?"))
    stack.actions.kill()
    try:
        reply = stack.say(sender, "how much does it cost?")
        text = texts(reply)
        assert "Sorry" in text and "scrumalliance.org" in text, text  # apology + short alternative answer
        assert "Traceback" not in text
        assert stack.say(sender, "hi"), "the Rasa server keeps answering"
    finally:
        stack.actions.start(timeout=120)
    assert "USD" in texts(stack.say(sender, "how much does the cspo cost?"))
    log = stack.rasa.log_path.read_text(errors="replace")
    from channels.ids import log_id

    assert log_id(f"rest:{sender}") in log, "the failure is logged with the conversation's log id"


def test_write_bad_input_report() -> None:
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "bad_inputs.json").write_text(json.dumps(RESULTS, indent=2, ensure_ascii=False))
    assert RESULTS


@pytest.fixture(scope="module")
def secured(stack: Stack) -> Stack:
    return stack  # the shared stack: its HTTP API always requires its token


def test_api_requires_the_token_when_set(secured: Stack) -> None:
    url = f"{secured.rasa_url}/conversations/someone/tracker"
    assert requests.get(url, timeout=30).status_code == 401
    assert requests.get(url, params={"token": "wrong"}, timeout=30).status_code == 401
    assert requests.get(url, params={"token": secured.auth_token}, timeout=30).status_code == 200
    assert requests.post(f"{secured.rasa_url}/model/parse", json={"text": "hi"}, timeout=30).status_code == 401
    # The chat channels stay open to users; only the API is protected.
    assert secured.say("user-1", "hi")
