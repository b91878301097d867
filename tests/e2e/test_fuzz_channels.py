"""Fuzz: a few hundred hostile payloads (surrogates, NUL, control characters, huge numbers, nested JSON,
wrong types) in every field of REST, socket.io, Slack and Telegram bodies, against the real servers with
conversations in SQLite and in PostgreSQL. After each payload the server must answer a normal message
(issue 19: one request could stop the server)."""
from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
import requests
import socketio

from tests.support.fakes import TELEGRAM_SECRET, Fakes
from tests.support.sockets import close_now
from tests.support.stack import NO_RATE_LIMITS, ROOT, Stack, free_port, texts


def nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = {"a": [value]}
    return value


# Values a client could put in any field. Strings are Python strings: json.dumps writes a lone surrogate
# as the escape "\ud800", exactly what a hostile client sends.
VALUES: List[Any] = [
    "\ud800", "\udfff\ud800", "a\x00b", "\x00", "\x1b[2J\x07", "a\u202eb\u2066", "\ufeff\ufffe\uffff", "x" * 5000,
    "😀" * 50, "../../etc/passwd", "' OR 1=1 --", "%s%n%x", "{{7*7}}", "\r\n\r\nX-Injected: 1", "/restart",
    "/greet{\"recommendation\": \"csm\"}", "", " ", 10**30, -2**63, 1.5e308, 0, True, None, [], {}, [None] * 200,
    nested(40), {"$gt": ""},
]
# Bodies no JSON encoder writes: broken JSON, a number too large for a float, a deep array, not UTF-8.
RAW_BODIES: List[bytes] = [
    b"", b"{", b"null", b"[]", b'"str"', b"1e99999", b"NaN", b"[" * 5000 + b"]" * 5000, b"\xff\xfe\x00",
    b'{"sender": "a", "message": "hi", "sender": "\\ud800"}', b"\xef\xbb\xbf{}", b'{"message": 1e99999}',
]


def rest_payloads() -> List[bytes]:
    base = {"sender": "fuzz", "message": "hi", "metadata": {"page": "/"}}
    out = list(RAW_BODIES)
    for field in ("sender", "message", "metadata", "input_channel"):
        for value in VALUES:
            body = dict(base, sender=f"fuzz-{uuid.uuid4().hex[:8]}")
            body[field] = value
            out.append(json.dumps(body).encode())
    return out


def slack_payloads() -> List[Dict[str, Any]]:
    def event(**changes: Any) -> Dict[str, Any]:
        ts = f"{time.time():.6f}"
        body: Dict[str, Any] = {
            "team_id": "T0FUZZ", "type": "event_callback", "event_id": f"Ev{uuid.uuid4().hex[:10]}",
            "event": {"type": "message", "channel_type": "im", "channel": "D0FUZZ", "user": "U0FUZZ", "text": "hi",
                      "ts": ts, "event_ts": ts},
        }
        for path, value in changes.items():
            target = body if "." not in path else body["event"]
            target[path.split(".")[-1]] = value
        return body

    out = []
    for field in ("event.text", "event.user", "event.channel", "team_id", "event", "type", "event_id", "authorizations"):
        for value in VALUES[::3]:
            out.append(event(**{field: value}))
    return out


def telegram_payloads() -> List[Any]:
    def update(**changes: Any) -> Dict[str, Any]:
        body: Dict[str, Any] = {
            "update_id": int(uuid.uuid4().int % 10**9),
            "message": {"message_id": 1, "date": int(time.time()), "text": "hi",
                        "chat": {"id": 4242, "type": "private"}, "from": {"id": 4242, "is_bot": False, "first_name": "F"}},
        }
        for path, value in changes.items():
            if path == "chat.id":
                body["message"]["chat"]["id"] = value
            elif path.startswith("message."):
                body["message"][path.split(".", 1)[1]] = value
            else:
                body[path] = value
        return body

    out: List[Any] = []
    for field in ("message.text", "chat.id", "update_id", "message", "callback_query"):
        for value in VALUES[::3]:
            out.append(update(**{field: value}))
    return out


def socket_payloads() -> List[Tuple[str, Any]]:
    out: List[Tuple[str, Any]] = []
    for value in VALUES[::2]:
        out.append(("session_request", value))
        out.append(("session_request", {"session_id": value}))
        out.append(("user_uttered", value))
        out.append(("user_uttered", {"message": value, "session_id": "SESSION"}))
        out.append(("user_uttered", {"message": "hi", "session_id": "SESSION", "customData": value}))
    return out


class Fuzzer:
    def __init__(self, stack: Stack, fakes: Fakes) -> None:
        self.stack, self.fakes = stack, fakes
        self.sent = 0

    def alive(self, what: str) -> None:
        """The server still runs and answers a normal question."""
        assert self.stack.rasa.running, f"the Rasa server stopped after {what}"
        reply = self.stack.say(f"alive-{uuid.uuid4().hex[:8]}", "what is the cspo?", timeout=30)
        assert "Product Owner" in texts(reply), f"no normal answer after {what}: {reply}"

    def each(self, payloads: List[Any], send: Callable[[Any], None], channel: str) -> None:
        for i, payload in enumerate(payloads):
            send(payload)
            self.sent += 1
            self.alive(f"{channel} payload #{i}: {str(payload)[:120]!r}")

    # --- senders ---------------------------------------------------------------------------------
    def rest(self, body: bytes) -> None:
        r = requests.post(f"{self.stack.rasa_url}/webhooks/rest/webhook", data=body,
                          headers={"Content-Type": "application/json"}, timeout=60)
        assert r.status_code in (200, 400, 413, 429), (body[:100], r.status_code, r.text[:200])
        if r.status_code == 400:
            assert r.json()["error"]

    def slack(self, event: Dict[str, Any]) -> None:
        body = json.dumps(event).encode()
        ts = str(int(time.time()))
        digest = hmac.new(self.fakes.signing_secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
        r = requests.post(f"{self.stack.rasa_url}/webhooks/slack/webhook", data=body, timeout=30,
                          headers={"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
                                   "X-Slack-Signature": f"v0={digest}"})
        assert r.status_code in (200, 400), (str(event)[:100], r.status_code, r.text[:200])

    def telegram(self, update: Any) -> None:
        r = requests.post(f"{self.stack.rasa_url}/webhooks/telegram/webhook", data=json.dumps(update), timeout=60,
                          headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
        assert r.status_code in (200, 400), (str(update)[:100], r.status_code, r.text[:200])


class SocketClient:
    """A socket.io client that reconnects (with its session) when the server drops it."""

    def __init__(self, url: str) -> None:
        self.url, self.session, self.client = url, None, socketio.Client(reconnection=False)
        self.confirmed: List[str] = []
        self.client.on("session_confirm", lambda data: self.confirmed.append(data))

    def ensure(self) -> str:
        if not self.client.connected:
            self.client.connect(self.url, transports=["polling"], socketio_path="/socket.io")
            self.client.emit("session_request", {"session_id": self.session})
            deadline = time.time() + 30
            while not self.confirmed and time.time() < deadline:
                time.sleep(0.05)
            self.session = self.confirmed[-1]
        return str(self.session)

    def send(self, item: Tuple[str, Any]) -> None:
        session = self.ensure()
        event, data = item
        if isinstance(data, dict) and data.get("session_id") == "SESSION":
            data = dict(data, session_id=session)
        self.client.emit(event, data)
        time.sleep(0.05)
        if event == "session_request" and self.client.connected:  # back to the known session
            self.client.emit("session_request", {"session_id": session})

    def close(self) -> None:
        close_now(self.client)


def fuzz_socket(fuzzer: Fuzzer) -> None:
    client = SocketClient(fuzzer.stack.rasa_url)
    try:
        fuzzer.each(socket_payloads(), client.send, "socket.io")
    finally:
        client.close()


def run_all(stack: Stack, fakes: Fakes) -> int:
    fuzzer = Fuzzer(stack, fakes)
    fuzzer.each(rest_payloads(), fuzzer.rest, "REST")
    fuzzer.each(slack_payloads(), fuzzer.slack, "Slack")
    fuzzer.each(telegram_payloads(), fuzzer.telegram, "Telegram")
    fuzz_socket(fuzzer)
    return fuzzer.sent


@pytest.fixture(scope="module")
def sqlite_stack(fakes: Fakes) -> Iterator[Stack]:
    """Conversations in SQLite, as `make run` keeps them; no per-conversation rate limit (the turn test
    sends 300 messages in one conversation)."""
    workdir = ROOT / "reports" / "e2e" / "fuzz-sqlite"
    shutil.rmtree(workdir, ignore_errors=True)
    stack = Stack(workdir, env={**fakes.env, **NO_RATE_LIMITS},
                  tracker_env={"ADVISOR_TRACKER_DB": str(workdir / "conversations.db")})
    try:
        yield stack.start()
    finally:
        stack.stop()


def critical_requests_do_not_stop(stack: Stack) -> None:
    """Issue 19's critical finding, as found: one unauthenticated chat request stopped the server (SQLite:
    a lone surrogate in the sender; PostgreSQL: a NUL). The channel now refuses such a sender with 400;
    the HTTP API (token) reaches the store without the channel's check, and the store's own error costs
    that one request only."""
    for sender in ("\\ud800", "a\\u0000b"):
        r = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", data='{"sender": "%s", "message": "hi"}' % sender,
                          headers={"Content-Type": "application/json"}, timeout=60)
        assert r.status_code == 400, (sender, r.status_code, r.text[:200])
        assert stack.rasa.running and texts(stack.say(f"alive-{uuid.uuid4().hex[:8]}", "what is the cspo?"))
    for path_id in ("a%00b", "%ED%A0%80x"):
        r = requests.post(f"{stack.rasa_url}/conversations/{path_id}/tracker/events", timeout=60,
                          headers={"Authorization": f"Bearer {stack.auth_token}"},
                          json={"event": "slot", "name": "current_role", "value": "developer"})
        assert r.status_code != 200 or stack.rasa.running
        time.sleep(0.5)
        assert stack.rasa.running, f"the server stopped after an API call for conversation {path_id}"
        assert texts(stack.say(f"alive-{uuid.uuid4().hex[:8]}", "what is the cspo?"))


def test_the_critical_request_does_not_stop_the_server_on_sqlite(sqlite_stack: Stack) -> None:
    critical_requests_do_not_stop(sqlite_stack)


def test_hostile_payloads_on_every_channel_with_sqlite(sqlite_stack: Stack, fakes: Fakes) -> None:
    assert run_all(sqlite_stack, fakes) >= 300


def test_turn_300_of_one_conversation_is_as_fast_as_turn_1(sqlite_stack: Stack) -> None:
    """A session holds at most ADVISOR_MAX_TURNS_PER_SESSION (40) user messages; then a new one starts,
    the user is told, and what they said about themselves is kept."""
    from advisor.patches import DEFAULT_MAX_TURNS

    sender = f"turns-{uuid.uuid4().hex[:8]}"
    questions = ["what is the cspo?", "how much does the csm cost?", "what does a scrum master do?",
                 "how long is the csm test?", "who is the cspo for?"]
    times: List[float] = []
    told = 0
    sqlite_stack.say(sender, "hi")
    r = requests.post(f"{sqlite_stack.rasa_url}/conversations/rest:{sender}/tracker/events",
                      headers={"Authorization": f"Bearer {sqlite_stack.auth_token}"}, timeout=30,
                      json={"event": "slot", "name": "current_role", "value": "developer"})
    assert r.status_code == 200, r.text
    for turn in range(1, 290):
        reply = texts(sqlite_stack.say(sender, questions[turn % len(questions)]))
        told += "fresh page" in reply
    # turns 291-300 against turns 3-12 of a new conversation, one of each in turn: both measured under the
    # same load (`make test` runs another group of tests beside this one)
    fresh = f"turns-{uuid.uuid4().hex[:8]}"
    sqlite_stack.say(fresh, "hi")
    sqlite_stack.say(fresh, questions[0])
    late: List[float] = []
    for turn in range(290, 300):
        for who, into in ((sender, late), (fresh, times)):
            start = time.perf_counter()
            reply = texts(sqlite_stack.say(who, questions[turn % len(questions)]))
            into.append(time.perf_counter() - start)
            if who == sender:
                told += "fresh page" in reply
    first, last = sorted(times)[5], sorted(late)[5]  # the medians
    assert last <= 2 * first, f"turn 300 took {last * 1000:.0f} ms, turn 1 {first * 1000:.0f} ms"
    assert told == 300 // DEFAULT_MAX_TURNS, told
    assert sqlite_stack.slot(sender, "current_role") == "developer", "slots carry over to the new session"


@pytest.fixture(scope="module")
def postgres() -> Iterator[Dict[str, str]]:
    services = ROOT / "scripts" / "services.sh"
    state = ROOT / "reports" / "e2e" / "fuzz-postgres" / "postgres"
    port = str(free_port())
    try:
        out = subprocess.run([str(services), "start", "postgres", "--port", port, "--dir", str(state)], check=True,
                             capture_output=True, text=True, timeout=300).stdout
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        if not shutil.which("apt-get") and not list(Path("/usr/lib/postgresql").glob("*/bin/postgres")):
            pytest.skip("PostgreSQL is not installed and there is no apt-get to install it")
        raise RuntimeError(f"PostgreSQL did not start: {getattr(e, 'stderr', e)}") from e
    try:
        yield dict(v.split("=", 1) for v in out.split())
    finally:
        subprocess.run([str(services), "stop", "postgres", "--dir", str(state)], capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def postgres_stack(fakes: Fakes, postgres: Dict[str, str]) -> Iterator[Stack]:
    stack = Stack(ROOT / "reports" / "e2e" / "fuzz-postgres" / "stack", env={**fakes.env, **postgres, **NO_RATE_LIMITS},
                  tracker_env=postgres)
    try:
        yield stack.start()
    finally:
        stack.stop()


def test_the_critical_request_does_not_stop_the_server_on_postgresql(postgres_stack: Stack) -> None:
    critical_requests_do_not_stop(postgres_stack)


def test_hostile_payloads_on_every_channel_with_postgresql(postgres_stack: Stack, fakes: Fakes) -> None:
    assert run_all(postgres_stack, fakes) >= 300
