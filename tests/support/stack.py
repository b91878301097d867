"""Starts the real action server, Rasa server and web page on free local ports for end-to-end tests,
and stops them. Every server binds to 127.0.0.1."""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set

import requests

from tests.support.processes import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
# Conversation ids are namespaced by channel (channels.ids); `tracker("x")` means the REST sender x.
NAMESPACES = ("rest:", "web:", "slack:", "telegram:")
REST_CHANNEL_KEY = secrets.token_urlsafe(24)  # what a trusted back end beyond loopback sends on REST
# For stacks that load the server on purpose (fuzz, memory, turns) from this one address: no rate limits
# (tests/e2e/test_attacks_http.py checks the limits on the shared stack).
NO_RATE_LIMITS = {"ADVISOR_RATE_PER_ADDRESS": "100000/min", "ADVISOR_RATE_PER_CONVERSATION": "100000/min"}


def conversation_id(sender: str) -> str:
    """The conversation id of a REST sender, or `sender` itself when it already names a channel."""
    return sender if sender.startswith(NAMESPACES) else f"rest:{sender}"


_GIVEN: Set[int] = set()  # the ports this process has handed out


def _ephemeral_range() -> range:
    """The ports the system hands to outgoing connections (Linux: /proc/sys/net/ipv4/ip_local_port_range)."""
    try:
        low, high = (int(p) for p in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
        return range(low, high + 1)
    except (OSError, ValueError):
        return range(32768, 61000)


# Servers listen on ports below the system's ephemeral range: a port in it, free when checked, may be taken by any
# process's outgoing connection in the seconds before a server binds it (a cluster replica once failed to start with
# "address already in use" on 48296 while the other test group ran). Ports from 20000 up to that range.
_LISTEN_LOW = 20000


def free_port() -> int:
    """A free port on 127.0.0.1, below the ephemeral range, that this process has not handed out before: the system
    may give the same free port twice in a row (a cluster once got one port for both its PostgreSQL and its action
    server). Each process draws at random, so two test groups seldom try the same one; a port bound is free."""
    high = min(_ephemeral_range().start, 65536)
    pool = range(_LISTEN_LOW, high) if high - _LISTEN_LOW > 1000 else range(1024, 65536)
    while True:
        port = pool.start + secrets.randbelow(len(pool))
        if port in _GIVEN:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port))
        except OSError:
            continue
        _GIVEN.add(port)
        return port


def two_free_ports() -> int:
    """A free port whose next one is free too (the cluster's replicas take consecutive ports)."""
    for _ in range(50):
        base = free_port()
        if base + 1 in _GIVEN:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", base + 1))
            _GIVEN.add(base + 1)
            return base
        except OSError:
            continue
    raise RuntimeError("no two consecutive free ports")


def model_path() -> Path:
    env = os.environ.get("ADVISOR_MODEL")
    if env and Path(env).is_file():
        return Path(env)
    models = sorted((ROOT / "models").glob("advisor-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError("no trained model: run `make train` (or `make test`, which trains) first")
    return models[-1]


class Server:
    """One child process with its log file; started in its own process group, stopped with it."""

    def __init__(self, name: str, cmd: List[str], health_url: str, log: Path, env: Dict[str, str]) -> None:
        self.name, self.cmd, self.health_url, self.log_path, self.env = name, cmd, health_url, log, env
        self.proc: Optional[subprocess.Popen] = None

    def start(self, timeout: float) -> "Server":
        def healthy() -> bool:
            return requests.get(self.health_url, timeout=2).status_code < 500

        return self.launch(healthy, timeout, interval=0.5)

    def launch(self, ready: Callable[[], bool], timeout: float, interval: float) -> "Server":
        """Starts the process in its own session and waits until `ready()`; stops it and raises if it
        exits first or is not ready within `timeout` seconds."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        log.close()  # the child has its own copy
        REGISTRY.add_group(self.proc.pid)  # its own session: the session-end check looks for what is left in it
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}) while starting; log {self.log_path}:\n"
                                   f"{self.tail()}")
            try:
                if ready():
                    return self
            except requests.RequestException:
                pass
            time.sleep(interval)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s; log {self.log_path}:\n{self.tail()}")

    def stop(self) -> None:
        """SIGTERM to the process group, SIGKILL after 20 s; then SIGKILL to whatever is left in the group
        (a worker the server started), so that nothing of it outlives the test."""
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        self._forget()

    def kill(self) -> None:
        """Stops abruptly, as a crash would."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._forget()

    def _forget(self) -> None:
        """Kills what is left in the process group, and forgets the group once it is empty (its number may
        be reused by others); a group that does not empty stays for the session-end check."""
        if self.proc is not None:
            group = self.proc.pid
            for sig in (signal.SIGKILL, *[0] * 50):
                try:
                    os.killpg(group, sig)
                except (ProcessLookupError, PermissionError):
                    REGISTRY.groups.discard(group)
                    break
                if sig == 0:
                    time.sleep(0.1)
        self.proc = None

    @property
    def running(self) -> bool:
        return bool(self.proc and self.proc.poll() is None)

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Stack:
    """Action server + Rasa server (+ web page on demand) for one group of tests."""

    def __init__(self, workdir: Path, env: Optional[Dict[str, str]] = None, auth_token: Optional[str] = None,
                 credentials: Optional[Path] = None, cors: Optional[List[str]] = None,
                 tracker_env: Optional[Dict[str, str]] = None) -> None:
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        REGISTRY.add_dir(workdir)  # its servers name files in it: the session-end check looks for them
        self.rasa_port, self.action_port, self.web_port = free_port(), free_port(), free_port()
        # The HTTP API always requires a token; it reaches the server through the environment (never the
        # command line), as with `make run`.
        self.auth_token = auth_token or secrets.token_urlsafe(24)
        self.env = dict(os.environ)
        # The action server's shared secret, too (advisor.action_server); its interface is the launcher's
        # default (127.0.0.1), not SANIC_HOST.
        self.env.update({"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false",
                         "ACTION_SERVER_SECRET": secrets.token_urlsafe(24)})
        for name in ("RASA_AUTH_TOKEN_FILE", "SANIC_HOST", "ACTION_SERVER_HOST", "ACTION_SERVER_SECRET_FILE"):
            self.env.pop(name, None)
        self.env["RASA_AUTH_TOKEN"] = self.auth_token
        # The whole suite talks from 127.0.0.1: the per-address limit is raised for it (a test that checks the
        # limit uses its own X-Forwarded-For address); the per-conversation limit keeps its default.
        self.env["ADVISOR_RATE_PER_ADDRESS"] = "1200/min,burst=300"
        self.env["REST_CHANNEL_KEY"] = REST_CHANNEL_KEY
        self.env.setdefault("WEB_SESSION_SECRET", secrets.token_urlsafe(24))
        self.env.update(env or {})
        self.web_origin = f"http://127.0.0.1:{self.web_port}"
        self.cors = cors or [self.web_origin, f"http://localhost:{self.web_port}"]
        self.env.setdefault("SOCKETIO_CORS_ORIGINS", " ".join(self.cors))
        endpoints = self.workdir / "endpoints.yml"
        endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{self.action_port}/webhook"\n'
                             '  headers:\n    X-Advisor-Action-Secret: ${ACTION_SERVER_SECRET}\n')
        if tracker_env is not None:  # the tracker store `make run` configures from these variables (persistence/)
            from persistence.endpoints import render
            endpoints.write_text(render(f"http://127.0.0.1:{self.action_port}/webhook", tracker_env))
        rasa = [sys.executable, "-m", "advisor"]  # the launcher: Rasa's CLI with advisor.patches installed
        self.actions = Server(
            "action server", [*rasa, "run", "actions", "--actions", "actions", "--port", str(self.action_port)],
            f"http://127.0.0.1:{self.action_port}/health", self.workdir / "actions.log", self.env,
        )
        cmd = [*rasa, "run", "--model", str(model_path()), "--enable-api", "--interface", "127.0.0.1",
               "--port", str(self.rasa_port), "--endpoints", str(endpoints),
               "--credentials", str(credentials or ROOT / "credentials.yml"), "--cors", *self.cors]
        self.rasa = Server("Rasa server", cmd, f"http://127.0.0.1:{self.rasa_port}/", self.workdir / "rasa.log", self.env)
        self.web = Server(
            "web page", [sys.executable, str(ROOT / "web" / "serve.py"), "--host", "127.0.0.1", "--port",
                         str(self.web_port), "--rasa-url", self.rasa_url],
            f"http://127.0.0.1:{self.web_port}/", self.workdir / "web.log", self.env,
        )

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}/"

    def start(self, web: bool = False) -> "Stack":
        """Starts the servers; when one of them does not start, stops those that did and raises."""
        try:
            self.actions.start(timeout=120)
            self.rasa.start(timeout=300)
            if web:
                self.web.start(timeout=60)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in (self.web, self.rasa, self.actions):
            server.stop()

    def web_conversation(self, credential: str) -> str:
        """The conversation id the server stores a web session credential's messages under."""
        from channels.ids import web_conversation_id, web_key_from_secret

        return web_conversation_id(credential, web_key_from_secret(self.env["WEB_SESSION_SECRET"]))

    # --- talking to the bot -------------------------------------------------------------------
    def _params(self) -> Dict[str, str]:
        return {"token": self.auth_token}

    def say(self, sender: str, text: str, timeout: float = 60) -> List[Dict[str, Any]]:
        r = requests.post(f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                          timeout=timeout)
        r.raise_for_status()
        return r.json()

    def tracker(self, sender: str) -> Dict[str, Any]:
        r = requests.get(f"{self.rasa_url}/conversations/{conversation_id(sender)}/tracker", params=self._params(),
                         timeout=30)
        r.raise_for_status()
        return r.json()

    def slot(self, sender: str, name: str) -> Any:
        return self.tracker(sender)["slots"].get(name)

    def parse(self, text: str) -> Dict[str, Any]:
        r = requests.post(f"{self.rasa_url}/model/parse", json={"text": text}, params=self._params(), timeout=30)
        r.raise_for_status()
        return r.json()


def texts(messages: List[Dict[str, Any]]) -> str:
    """All bot texts of one reply, joined, for content checks."""
    return "\n".join(m.get("text") or "" for m in messages)


def buttons(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [b for m in messages for b in (m.get("buttons") or [])]
