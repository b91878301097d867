"""Hardening against a real Rasa server started through the launcher (python -m advisor): the API token on
every route and never on a command line, cross-site simple requests refused, size limits before
buffering, the stored text cleaned and cut, conversations that cannot cross channels."""
from __future__ import annotations

import re
import socket
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import requests
import socketio

from tests.support.sockets import close_now
from tests.support.stack import Stack, texts


@pytest.fixture(scope="module")
def secured(stack: Stack) -> Stack:
    """The session's shared stack (tests/e2e/conftest.py); its HTTP API requires its token."""
    return stack


# --- the HTTP API token ---------------------------------------------------------------------------
PUBLIC = {"/", "/version"}


def api_routes() -> List[Tuple[str, str]]:
    """(method, path) of every route of Rasa's HTTP API, read from Rasa itself (path parameters filled)."""
    from rasa.server import create_app

    app = create_app(auth_token="x")
    routes = set()
    for route in app.router.routes:
        path = "/" + route.path.lstrip("/")
        path = re.sub(r"<conversation_id[^>]*>", "someone", path)
        if path in PUBLIC or "<" in path:
            continue
        for method in route.methods:
            if method not in ("OPTIONS", "HEAD"):
                routes.add((method, path))
    assert len(routes) >= 15, routes
    return sorted(routes)


@pytest.mark.parametrize("method,path", api_routes())
def test_every_api_route_needs_the_token(secured: Stack, method: str, path: str) -> None:
    url = secured.rasa_url + path
    for params in ({}, {"token": "wrong"}, {"token": secured.auth_token[:-1]}):
        r = requests.request(method, url, params=params, json={}, timeout=30)
        assert r.status_code in (401, 403), f"{method} {path} {params}: {r.status_code} {r.text[:200]}"


def test_api_works_with_the_token(secured: Stack) -> None:
    assert requests.get(f"{secured.rasa_url}/status", params={"token": secured.auth_token}, timeout=30).status_code == 200
    assert secured.parse("what is cspo?")["intent"]["name"]
    secured.say("someone", "hi")
    assert secured.tracker("someone")["sender_id"] == "rest:someone"


def test_the_token_is_on_no_command_line(secured: Stack) -> None:
    seen = 0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes()
        except OSError:
            continue
        if str(secured.rasa_port).encode() in args:
            seen += 1
        assert secured.auth_token.encode() not in args, f"the token is visible in `ps`: {args!r}"
    assert seen, "the Rasa server's process was not found"


def test_cross_site_simple_requests_are_refused(secured: Stack) -> None:
    url = f"{secured.rasa_url}/conversations/rest:victim/tracker/events"
    body = '{"event": "slot", "name": "recommendation", "value": "csm"}'
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        r = requests.post(url, params={"token": secured.auth_token}, data=body, headers={"Content-Type": ctype}, timeout=30)
        assert r.status_code == 415, (ctype, r.status_code, r.text)
    r = requests.post(url, params={"token": secured.auth_token}, data=body,
                      headers={"Content-Type": "application/json", "Origin": "http://evil.example"}, timeout=30)
    assert r.status_code == 403, r.text
    # the REST channel takes JSON only, too
    r = requests.post(f"{secured.rasa_url}/webhooks/rest/webhook", data='{"sender": "x", "message": "hi"}',
                      headers={"Content-Type": "text/plain"}, timeout=30)
    assert r.status_code == 415, r.text
    # the page's own origin is fine
    r = requests.post(f"{secured.rasa_url}/webhooks/rest/webhook", json={"sender": "x", "message": "hi"},
                      headers={"Origin": secured.web_origin}, timeout=60)
    assert r.status_code == 200 and r.json()


# --- size limits before buffering -----------------------------------------------------------------
@pytest.mark.parametrize("path,size", [
    ("/webhooks/rest/webhook", 70 * 1024),
    ("/socket.io/?EIO=4&transport=polling", 70 * 1024),
    ("/webhooks/slack/webhook", 300 * 1024),
    ("/webhooks/telegram/webhook", 300 * 1024),
    ("/model/parse", 2 * 1024 * 1024),
    ("/conversations/rest:x/tracker/events", 2 * 1024 * 1024),
])
def test_oversized_bodies_get_413(secured: Stack, path: str, size: int) -> None:
    body = b'{"message": "' + b"a" * size + b'"}'
    r = requests.post(secured.rasa_url + path, params={"token": secured.auth_token}, data=body,
                      headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 413, (path, r.status_code, r.text[:200])
    assert "larger than" in r.json()["error"]


def raw_request(port: int, head: bytes, body: bytes = b"") -> Tuple[bytes, float]:
    """Sends a request head (and the start of a body), returns the first answer bytes and the time taken."""
    start = time.time()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(head + body)
        data = s.recv(4096)
    return data, time.time() - start


def test_limit_applies_before_the_body_is_read(secured: Stack) -> None:
    # 100 MB announced, 10 bytes sent: the answer comes at once, without waiting for (or buffering) the rest.
    head = (b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000000\r\n\r\n")
    answer, took = raw_request(secured.rasa_port, head, b'{"sender":')
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert took < 5
    # chunked, no length announced: refused once the chunks pass the limit
    chunk = b"a" * 32 * 1024
    head = (b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(3))
    answer, _ = raw_request(secured.rasa_port, head, body)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_stored_text_is_cleaned_and_cut(secured: Stack) -> None:
    sender = f"long-{uuid.uuid4().hex[:8]}"
    raw = "what is \u202ecspo\u202c\u2066 \u2069" + " please" * 3000
    assert secured.say(sender, raw)
    stored = [e["text"] for e in secured.tracker(sender)["events"] if e["event"] == "user"]
    assert stored and len(stored[0]) <= 1000
    assert not re.search("[\u202a-\u202e\u2060-\u2069]", stored[0])
    assert stored[0].startswith("what is cspo")


# --- conversation ids namespaced per channel ------------------------------------------------------
class WebClient:
    """A socket.io client speaking Rasa's protocol, as the widget does."""

    def __init__(self, stack: Stack) -> None:
        self.client = socketio.Client(reconnection=False)
        self.confirmed: List[str] = []
        self.bot: List[Dict[str, Any]] = []
        self.client.on("session_confirm", lambda data: self.confirmed.append(data))
        self.client.on("bot_uttered", lambda data: self.bot.append(data))
        self.client.connect(stack.rasa_url, transports=["polling"], socketio_path="/socket.io")

    def session(self, proposed: Any = None) -> str:
        self.client.emit("session_request", {"session_id": proposed})
        wait_for(lambda: self.confirmed, "session_confirm")
        return self.confirmed.pop()

    def say(self, session_id: str, text: str, expect_answer: bool = True) -> List[Dict[str, Any]]:
        before = len(self.bot)
        self.client.emit("user_uttered", {"message": text, "session_id": session_id})
        if expect_answer:
            wait_for(lambda: len(self.bot) > before, "bot_uttered")
            time.sleep(1.5)
        else:
            time.sleep(4)
        return self.bot[before:]

    def close(self) -> None:
        close_now(self.client)


def wait_for(condition: Any, what: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.1)


def user_texts(stack: Stack, conversation: str) -> List[str]:
    return [e["text"] for e in stack.tracker(conversation)["events"] if e["event"] == "user"]


def test_web_session_ids_are_issued_by_the_server(secured: Stack) -> None:
    web = WebClient(secured)
    try:
        for proposed in (None, "", "victim", "a" * 32, "0" * 32 + "." + "0" * 32, {"x": 1}, 42, "x" * 10000):
            issued = web.session(proposed)
            assert re.fullmatch(r"[0-9a-f]{32}\.[0-9]+\.[0-9a-f]{32}", issued), issued
            assert issued != proposed
        first = web.session()
        assert web.session(first) == first, "an id the server issued is kept (reload, reconnect)"
        assert web.session() != first, "every new session gets another id"
        assert web.say(first, "hi", expect_answer=False) == [], "the socket is bound to its latest session"
        assert web.session(first) == first
        assert web.say(first, "hi")
        assert user_texts(secured, secured.web_conversation(first)) == ["hi"]
        assert user_texts(secured, f"web:{first}") == [], "the credential is not the conversation id"
    finally:
        web.close()


def test_channels_cannot_cross(secured: Stack) -> None:
    victim, attacker = WebClient(secured), WebClient(secured)
    try:
        session = victim.session()
        victim.say(session, "what is cspo?")
        conversation = secured.web_conversation(session)
        before = user_texts(secured, conversation)
        # another socket using the victim's id without being confirmed for it: ignored
        assert attacker.say(session, "/restart", expect_answer=False) == []
        # a REST caller naming the web conversation reaches a REST conversation of its own
        for sender in (session, conversation, f"rest:{conversation}"):
            secured.say(sender, "/restart")
        assert user_texts(secured, conversation) == before
        assert secured.tracker(f"rest:{conversation}")["sender_id"] == f"rest:{conversation}"
        # Slack and Telegram conversations cannot be reached from REST either
        secured.say("telegram:42", "hi")
        assert secured.tracker("rest:telegram:42")["events"]
        assert not [e for e in secured.tracker("telegram:42")["events"] if e["event"] == "user"]
        # the victim's conversation goes on
        assert "CSM" in texts(victim.say(session, "and the scrum master?"))
    finally:
        victim.close()
        attacker.close()
