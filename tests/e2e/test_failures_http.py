"""Every failure of the action server gets exactly one reply, within a bounded time.

The real Rasa server (through the launcher, so with advisor.patches) talks to a local stand-in action
server whose behaviour each test chooses: too slow, malformed JSON, a non-JSON 400 or 500, an HTML page,
down. ADVISOR_ACTION_TIMEOUT is 3 s here (10 s by default)."""
from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator, Optional, Tuple

import pytest

from tests.support.stack import ROOT, Stack, texts

ACTION_TIMEOUT = 3
APOLOGY = "Sorry, something went wrong on my side"


class StandIn:
    """An action server that answers every /webhook call as `mode` says."""

    def __init__(self, port: int) -> None:
        self.mode = "ok"
        self.calls = 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._send(200, b'{"status": "ok"}', "application/json")

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stand_in.calls += 1
                status, body, ctype = stand_in.answer()
                if status == 0:  # too slow
                    time.sleep(ACTION_TIMEOUT + 5)
                    status, body, ctype = 200, b'{"events": [], "responses": []}', "application/json"
                try:
                    self._send(status, body, ctype)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self) -> Tuple[int, bytes, str]:
        return {
            "slow": (0, b"", ""),
            "malformed": (200, json.dumps({"events": "not a list", "responses": 5}).encode(), "application/json"),
            "not json": (200, b"hello", "text/plain"),
            "html 500": (500, b"<html><body>Internal Server Error</body></html>", "text/html"),
            "text 400": (400, b"Bad Request", "text/plain"),
            "json 400 without action": (400, b'{"error": "nope"}', "application/json"),
            "events of unknown kind": (200, json.dumps({"events": [{"event": "no_such_event"}], "responses": [
                {"template": 42}]}).encode(), "application/json"),
        }.get(self.mode, (200, b'{"events": [], "responses": [{"text": "ok from the stand-in"}]}', "application/json"))

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def failing() -> Iterator[Tuple[Stack, StandIn]]:
    stack = Stack(ROOT / "reports" / "e2e" / "failures", env={"ADVISOR_ACTION_TIMEOUT": str(ACTION_TIMEOUT)})
    stand_in: Optional[StandIn] = StandIn(stack.action_port)
    try:
        stack.rasa.start(timeout=300)
        yield stack, stand_in
    finally:
        stack.stop()
        if stand_in:
            stand_in.stop()


def one_apology(stack: Stack, sender: str, text: str, limit: float) -> None:
    start = time.time()
    reply = stack.say(sender, text, timeout=limit + 30)
    took = time.time() - start
    assert took < limit, f"the answer took {took:.1f} s"
    assert len(reply) == 1, f"expected exactly one reply, got {reply}"
    assert APOLOGY in texts(reply), reply
    assert "Traceback" not in texts(reply)


@pytest.mark.parametrize("mode", ["slow", "malformed", "not json", "html 500", "text 400", "json 400 without action",
                                  "events of unknown kind"])
def test_each_failure_gets_exactly_one_reply(failing: Tuple[Stack, StandIn], mode: str) -> None:
    stack, stand_in = failing
    sender = f"fail-{uuid.uuid4().hex[:8]}"
    stand_in.mode = mode
    try:
        limit = ACTION_TIMEOUT + 10 if mode == "slow" else 15
        if mode == "events of unknown kind":
            # Rasa skips unknown events and the response has nothing to say: no crash, at most one reply
            reply = stack.say(sender, "what is the cspo?", timeout=30)
            assert len(reply) <= 1 and "Traceback" not in texts(reply)
            return
        one_apology(stack, sender, "what is the cspo?", limit)
        one_apology(stack, sender, "how much does the csm cost?", limit)  # and again on the next turn
        events = stack.tracker(sender)["events"]
        apologies = [e for e in events if e["event"] == "bot" and APOLOGY in (e.get("text") or "")]
        assert len(apologies) == 2
    finally:
        stand_in.mode = "ok"
    assert "ok from the stand-in" in texts(stack.say(sender, "what is the cspo?")), "back to normal afterwards"


def test_action_errors_and_timeouts_are_counted_by_action_and_reason(failing: Tuple[Stack, StandIn]) -> None:
    """advisor_action_failures_total{action, reason} on the Rasa server's /metrics (advisor.metrics)."""
    from tests.support.scrape import scrape, total

    stack, stand_in = failing

    def failures(reason: str) -> float:
        return total(scrape(f"{stack.rasa_url}/metrics", stack.auth_token), "advisor_action_failures_total",
                     reason=reason)

    before = {reason: failures(reason) for reason in ("error", "timeout")}
    sender = f"count-{uuid.uuid4().hex[:8]}"
    try:
        stand_in.mode = "html 500"
        one_apology(stack, sender, "what is the cspo?", 15)
        assert failures("error") - before["error"] == 1 and failures("timeout") == before["timeout"]
        stand_in.mode = "slow"
        one_apology(stack, sender, "how much does the csm cost?", ACTION_TIMEOUT + 10)
        assert failures("timeout") - before["timeout"] == 1 and failures("error") - before["error"] == 1
    finally:
        stand_in.mode = "ok"


def test_action_server_down(failing: Tuple[Stack, StandIn]) -> None:
    stack, stand_in = failing
    sender = f"down-{uuid.uuid4().hex[:8]}"
    stand_in.stop()
    one_apology(stack, sender, "what is the cspo?", 15)
    one_apology(stack, sender, "help me choose", 15)
    log = stack.rasa.log_path.read_text(errors="replace")
    from channels.ids import log_id

    assert log_id(f"rest:{sender}") in log, "the failure is logged with the conversation's log id"
    assert sender not in log, "a REST sender is a secret: log lines show its hash only"
