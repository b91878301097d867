"""The real action server as the launcher starts it (`python -m advisor run actions`, the session's shared
stack, no SANIC_HOST): loopback only, the shared secret on every call but GET /health, JSON only, 1 MiB,
and the Rasa server still gets its custom-action answers (it sends the secret from its endpoints file)."""
from __future__ import annotations

import socket
import uuid
from pathlib import Path
from typing import Any, Dict, List

import requests

from tests.support.stack import Stack, texts

HEADER = "X-Advisor-Action-Secret"


def _url(stack: Stack, path: str) -> str:
    return f"http://127.0.0.1:{stack.action_port}{path}"


def _secret(stack: Stack) -> Dict[str, str]:
    return {HEADER: stack.env["ACTION_SERVER_SECRET"]}


def _listening(port: int) -> List[str]:
    """The local addresses listening on `port` (IPv4 and IPv6), from /proc/net."""
    found = []
    for table in ("tcp", "tcp6"):
        path = Path("/proc/net") / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, state = fields[1], fields[3]
            host, _, hex_port = address.rpartition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.append(host)
    return found


def test_it_listens_on_loopback_only_without_sanic_host(stack: Stack) -> None:
    assert "SANIC_HOST" not in stack.env, "the launcher's default is what is tested"
    assert _listening(stack.action_port) == ["0100007F"], "127.0.0.1 (little-endian hex) and nothing else"


def test_only_the_health_check_answers_without_the_secret(stack: Stack) -> None:
    assert requests.get(_url(stack, "/health"), timeout=10).status_code == 200
    call = {"next_action": "action_reset_profile", "tracker": {}, "domain": {}}
    for headers in ({}, {HEADER: "wrong"}, {HEADER: stack.env["ACTION_SERVER_SECRET"][:-1]}):
        r = requests.post(_url(stack, "/webhook"), json=call, headers=headers, timeout=10)
        assert r.status_code == 401 and HEADER in r.json()["error"], r.text
        assert requests.get(_url(stack, "/actions"), headers=headers, timeout=10).status_code == 401


def test_a_cross_site_text_plain_post_is_refused(stack: Stack) -> None:
    for ctype in ("text/plain", "application/x-www-form-urlencoded"):
        r = requests.post(_url(stack, "/webhook"), data='{"next_action": "action_reset_profile"}',
                          headers={**_secret(stack), "Content-Type": ctype}, timeout=10)
        assert r.status_code == 415, r.text


def _raw_response(stack: Stack, head: str) -> bytes:
    """Sends a request head announcing a 2 MiB body and none of it; returns what the server answers."""
    with socket.create_connection(("127.0.0.1", stack.action_port), timeout=10) as s:
        s.sendall(head.encode())
        return s.recv(65536)


def test_a_body_over_1_mib_is_refused_before_it_is_read(stack: Stack) -> None:
    head = ("POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {2 * 1024 * 1024}\r\n")
    answer = _raw_response(stack, head + f"{HEADER}: {stack.env['ACTION_SERVER_SECRET']}\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert _raw_response(stack, head + "\r\n").startswith(b"HTTP/1.1 401"), "no secret: refused before the body"


def test_a_call_with_the_secret_runs_the_action(stack: Stack) -> None:
    sender = f"act-{uuid.uuid4().hex[:10]}"
    stack.say(sender, "hi")
    tracker = stack.tracker(sender)
    domain = requests.get(f"{stack.rasa_url}/domain", params={"token": stack.auth_token},
                          headers={"Accept": "application/json"}, timeout=30).json()
    call: Dict[str, Any] = {"next_action": "action_reset_profile", "sender_id": tracker["sender_id"],
                            "tracker": tracker, "domain": domain, "version": "3.6.21"}
    r = requests.post(_url(stack, "/webhook"), json=call, headers=_secret(stack), timeout=30)
    assert r.status_code == 200, r.text[:300]
    assert isinstance(r.json()["events"], list)
    names = requests.get(_url(stack, "/actions"), headers=_secret(stack), timeout=10).json()
    assert {"name": "action_answer_question"} in names


def test_a_chat_through_the_rasa_server_still_gets_custom_action_answers(stack: Stack) -> None:
    sender = f"act-{uuid.uuid4().hex[:10]}"
    reply = texts(stack.say(sender, "what is CSPO?"))
    assert "Product Owner" in reply and "went wrong" not in reply, reply
    events = stack.tracker(sender)["events"]
    ran = [e.get("name") for e in events if e.get("event") == "action"]
    assert "action_answer_question" in ran, ran
