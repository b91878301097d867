"""Local stand-ins for the Slack Web API and the Telegram Bot API, and the channel environment that
points the Rasa server at them (tests/e2e/test_channels.py; started once per session by
tests/e2e/conftest.py so the shared Rasa server has both channels on)."""
from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qs

WAIT = 60  # seconds for a reply to reach a stand-in
SLACK_TOKEN = "fake-bot-token-for-tests"
SLACK_BOT_USER = "UADVISORBOT"
TELEGRAM_TOKEN = "987654321:TEST-token_for-the-local-stand-in"  # its bot id shares no digits run with test_privacy.PHONE
TELEGRAM_BOT_NAME = "csm_cspo_advisor_test_bot"
TELEGRAM_WEBHOOK_URL = "https://advisor.example.org/webhooks/telegram/webhook"
TELEGRAM_SECRET = "e2e-secret-" + secrets.token_hex(8)


# --- the local stand-ins ---------------------------------------------------------------------
class FakeAPI:
    """A small HTTP server recording every request; `reply(method, params)` gives the JSON answer."""

    def __init__(self, name: str, method_of: Callable[[str], Optional[str]],
                 reply: Callable[[str, Dict[str, Any]], Dict[str, Any]]) -> None:
        self.name = name
        self.calls: List[Dict[str, Any]] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                params = parse_body(self.headers.get("Content-Type", ""), raw)
                method = method_of(self.path)
                with fake.lock:
                    fake.calls.append({"path": self.path, "method": method, "headers": dict(self.headers),
                                       "params": params, "time": time.time()})
                body = json.dumps(reply(method or "", params)).encode()
                self.send_response(200 if method else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name=f"fake-{name}", daemon=True)

    def start(self) -> "FakeAPI":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def find(self, method: str, **match: Any) -> List[Dict[str, Any]]:
        """Recorded calls of `method` whose params equal `match` (compared as strings)."""
        with self.lock:
            calls = list(self.calls)
        return [c for c in calls if c["method"] == method
                and all(str(c["params"].get(k)) == str(v) for k, v in match.items())]

    def wait_for(self, method: str, predicate: Callable[[Dict[str, Any]], bool] = lambda c: True,
                 timeout: float = WAIT, **match: Any) -> Dict[str, Any]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            for call in self.find(method, **match):
                if predicate(call):
                    return call
            time.sleep(0.1)
        raise AssertionError(f"no {method} {match} reached the {self.name} stand-in within {timeout} s; "
                             f"it got: {[(c['method'], c['params']) for c in self.find(method)][-5:]}")


def parse_body(content_type: str, raw: bytes) -> Dict[str, Any]:
    ctype = content_type.split(";")[0].strip().lower()
    if ctype == "application/json":
        return json.loads(raw or b"{}")
    if ctype == "application/x-www-form-urlencoded":
        return {k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
    return {"_raw": raw.decode(errors="replace")}


def slack_method(path: str) -> Optional[str]:
    m = re.fullmatch(r"/api/([\w.]+)", path.split("?")[0])
    return m.group(1) if m else None


def slack_reply(method: str, params: Dict[str, Any]) -> Dict[str, Any]:
    if not method:
        return {"ok": False, "error": "unknown_method"}
    ts = f"{time.time():.6f}"
    return {"ok": True, "channel": params.get("channel"), "ts": ts,
            "message": {"type": "message", "text": params.get("text", ""), "ts": ts, "user": SLACK_BOT_USER}}


def telegram_method(path: str) -> Optional[str]:
    m = re.fullmatch(r"/bot([^/]+)/(\w+)", path.split("?")[0])
    return m.group(2) if m and m.group(1) == TELEGRAM_TOKEN else None


_message_ids = iter(range(1000, 10 ** 9))


def telegram_reply(method: str, params: Dict[str, Any]) -> Dict[str, Any]:
    if not method:
        return {"ok": False, "error_code": 404, "description": "Not Found"}
    if method.lower() == "getme":
        return {"ok": True, "result": {"id": int(TELEGRAM_TOKEN.split(":")[0]), "is_bot": True,
                                       "first_name": "Advisor", "username": TELEGRAM_BOT_NAME}}
    if method.lower() == "sendmessage":
        return {"ok": True, "result": {"message_id": next(_message_ids), "date": int(time.time()),
                                       "chat": {"id": int(params["chat_id"]), "type": "private"},
                                       "text": params.get("text", "")}}
    return {"ok": True, "result": True}


@dataclass
class Fakes:
    slack: FakeAPI
    telegram: FakeAPI
    signing_secret: str
    env: Dict[str, str]

    def stop(self) -> None:
        self.slack.stop()
        self.telegram.stop()


def start_fakes() -> Fakes:
    """Both stand-ins, started, and the environment that switches the channels on against them."""
    slack = FakeAPI("Slack Web API", slack_method, slack_reply).start()
    telegram = FakeAPI("Telegram Bot API", telegram_method, telegram_reply).start()
    signing_secret = secrets.token_hex(16)
    env = {
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": signing_secret,
        "SLACK_API_URL": f"http://127.0.0.1:{slack.port}/api/",
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_BOT_NAME": TELEGRAM_BOT_NAME,
        "TELEGRAM_WEBHOOK_URL": TELEGRAM_WEBHOOK_URL,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{telegram.port}",
        # the stand-ins are local: no proxy from the developer's environment
        "HTTPS_PROXY": "", "https_proxy": "", "HTTP_PROXY": "", "http_proxy": "",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    return Fakes(slack, telegram, signing_secret, env)
