"""Issue 19's findings, each as an attack on the real servers (the shared stack unless a test needs its own).
Each of these failed on the main before the fix (see the issue's note)."""
from __future__ import annotations

import json
import socket
import time
import uuid
from typing import Dict, List

import requests

from tests.e2e.test_security_http import WebClient
from tests.support.stack import REST_CHANNEL_KEY, Stack, texts

HOSTILE_SENDERS = ["\\ud800", "a\\u0000b", "\\udfff\\ud800", "x\\ny", "a\\u202eb", "", "x" * 300]


def post_raw(stack: Stack, body: str, headers: Dict[str, str] | None = None) -> requests.Response:
    return requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", data=body.encode(),
                         headers={"Content-Type": "application/json", **(headers or {})}, timeout=60)


def answered(stack: Stack) -> bool:
    return bool(texts(stack.say(f"alive-{uuid.uuid4().hex[:8]}", "what is the cspo?")))


# --- critical: one request must not stop the server -----------------------------------------------
def test_an_unencodable_sender_gets_400_and_the_server_lives(stack: Stack) -> None:
    for sender in HOSTILE_SENDERS:
        r = post_raw(stack, '{"sender": "%s", "message": "hi"}' % sender)
        assert r.status_code == 400, (sender, r.status_code, r.text[:200])
        assert "sender" in r.json()["error"]
        assert stack.rasa.running and answered(stack), f"the server did not survive sender {sender!r}"


def test_unencodable_text_gets_exactly_one_reply(stack: Stack) -> None:
    for text in ("/\\ud800", "hi \\ud800", "\\udfff", "what is \\ud800 cspo", "\\u0000"):
        sender = f"sur-{uuid.uuid4().hex[:8]}"
        r = post_raw(stack, '{"sender": "%s", "message": "%s"}' % (sender, text))
        assert r.status_code == 200, (text, r.status_code, r.text[:200])
        assert len([m for m in r.json() if m.get("text")]) >= 1, (text, r.json())
        stored = [e["text"] for e in stack.tracker(sender)["events"] if e["event"] == "user"]
        assert len(stored) == 1 and "\ud800" not in stored[0] and "\x00" not in stored[0], stored
    assert answered(stack)


# --- high: a web credential is not a conversation id; one socket, one room ---------------------------
def test_web_conversations_are_stored_under_a_derived_id_and_the_credential_is_never_logged(stack: Stack) -> None:
    web = WebClient(stack)
    try:
        credential = web.session()
        assert web.say(credential, "what is the csm?")
        conversation = stack.web_conversation(credential)
        assert conversation != f"web:{credential}" and credential not in conversation
        assert [e["text"] for e in stack.tracker(conversation)["events"] if e["event"] == "user"] == ["what is the csm?"]
        nonce = credential.split(".")[0]
        for log in (stack.rasa.log_path, stack.actions.log_path):
            assert nonce not in log.read_text(errors="replace"), f"the web credential appears in {log.name}"
    finally:
        web.close()


def test_a_socket_leaves_its_old_conversation_when_it_asks_for_another(stack: Stack) -> None:
    owner, switcher = WebClient(stack), WebClient(stack)
    try:
        first = owner.session()
        assert switcher.session(first) == first  # the same browser in a second tab: both in the room
        switcher.session()  # ...then that tab starts a new session
        before = len(switcher.bot)
        assert owner.say(first, "what is the cspo?")
        time.sleep(1)
        assert len(switcher.bot) == before, "a socket still received a conversation it had left"
    finally:
        owner.close()
        switcher.close()


# --- medium: REST senders, metadata, rate limits ---------------------------------------------------
def test_rest_needs_a_sender(stack: Stack) -> None:
    r = post_raw(stack, '{"message": "why?"}')
    assert r.status_code == 400 and "sender" in r.json()["error"]


def test_rest_from_beyond_loopback_needs_the_channel_key(stack: Stack) -> None:
    sender = f"remote-{uuid.uuid4().hex[:8]}"
    body = json.dumps({"sender": sender, "message": "hi"})
    outside = {"X-Forwarded-For": "198.51.100.23"}
    r = post_raw(stack, body, outside)
    assert r.status_code == 401 and "REST_CHANNEL_KEY" in r.json()["error"]
    r = post_raw(stack, body, {**outside, "Authorization": "Bearer not-the-key-but-long-enough"})
    assert r.status_code == 401
    r = post_raw(stack, body, {**outside, "Authorization": f"Bearer {REST_CHANNEL_KEY}"})
    assert r.status_code == 200 and r.json()


def test_metadata_is_reduced_to_small_allow_listed_keys(stack: Stack) -> None:
    sender = f"meta-{uuid.uuid4().hex[:8]}"
    metadata = {"page": "/pricing", "blob": "x" * 60_000, "nested": {"a": [1, 2, {"b": "c" * 1000}]}}
    r = post_raw(stack, json.dumps({"sender": sender, "message": "hi", "metadata": metadata}))
    assert r.status_code == 200
    events = stack.tracker(sender)["events"]
    stored = json.dumps([e for e in events if e["event"] == "user"])
    assert len(stored) < 8000, len(stored)
    user = [e for e in events if e["event"] == "user"][0]
    assert user["metadata"].get("page") == "/pricing"
    assert not {"blob", "nested"} & set(user["metadata"]), user["metadata"]


def test_one_address_flooding_gets_429(stack: Stack) -> None:
    flood = {"X-Forwarded-For": "198.51.100.77", "Authorization": f"Bearer {REST_CHANNEL_KEY}"}
    statuses: List[int] = []
    retry_after = None
    for _ in range(2000):  # the test stack allows bursts of 300, then 20 a second; a malformed body is cheap
        r = post_raw(stack, "{}", flood)
        statuses.append(r.status_code)
        if r.status_code == 429:
            retry_after = r.headers.get("Retry-After")
            assert "faster than I can answer" in r.json()["error"]
            break
    assert 429 in statuses and retry_after and int(retry_after) >= 1, statuses[-5:]
    assert answered(stack), "another address is not affected"


def test_one_conversation_flooding_gets_429(stack: Stack) -> None:
    sender = f"flood-{uuid.uuid4().hex[:8]}"
    statuses = []
    for _ in range(40):  # 60 a minute, a burst of 30
        statuses.append(post_raw(stack, json.dumps({"sender": sender, "message": "/greet"})).status_code)
    assert statuses[:25] == [200] * 25 and 429 in statuses, statuses


# --- medium: the API token --------------------------------------------------------------------------
def test_the_api_token_works_as_a_bearer_header(stack: Stack) -> None:
    url = f"{stack.rasa_url}/status"
    assert requests.get(url, headers={"Authorization": f"Bearer {stack.auth_token}"}, timeout=30).status_code == 200
    assert requests.get(url, headers={"Authorization": "Bearer wrong"}, timeout=30).status_code == 401
    assert requests.get(url, timeout=30).status_code == 401


def test_an_api_request_without_the_token_is_refused_before_its_body_is_read(stack: Stack) -> None:
    head = (b"POST /model/train HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-yaml\r\n"
            b"Content-Length: 9000000\r\n\r\n")
    start = time.time()
    with socket.create_connection(("127.0.0.1", stack.rasa_port), timeout=10) as s:
        s.sendall(head + b"version: '3.1'\n")
        answer = s.recv(4096)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert time.time() - start < 5


def test_the_token_never_reaches_the_log(stack: Stack) -> None:
    marker = uuid.uuid4().hex
    # a malformed API call whose handler raises (a JSON list where Rasa expects an object): Sanic logs the
    # whole URL, query string and all
    r = requests.post(f"{stack.rasa_url}/conversations/rest:{marker}/messages", params={"token": stack.auth_token},
                      data=b'[1]', headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code >= 400
    time.sleep(0.5)
    log = stack.rasa.log_path.read_text(errors="replace")
    assert stack.auth_token not in log

