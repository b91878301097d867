"""Runs the project's own start scripts (`scripts/run.sh`, `scripts/cluster.sh`) on free local ports
for end-to-end tests, and talks to what they started through the helpers of `stack.Stack`."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Callable, Dict, Optional

import requests

from tests.support.stack import ROOT, Stack


class Client(Stack):
    """`Stack`'s helpers (`say`, `tracker`, `slot`, `parse`) for a Rasa server (or balancer) at `url`."""

    def __init__(self, url: str, auth_token: Optional[str] = None) -> None:  # no Stack.__init__: nothing to start
        self._url = url.rstrip("/")
        self.auth_token = auth_token

    @property
    def rasa_url(self) -> str:
        return self._url


class ScriptRun:
    """One start script in the foreground of its own session, with its output in `log`."""

    def __init__(self, args: list, env: Dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.proc: Optional[subprocess.Popen] = None

    def start(self, ready: Callable[[], bool], timeout: float) -> "ScriptRun":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = open(self.log, "ab")
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.args[-1]} exited ({self.proc.returncode}) while starting:\n{self.tail()}")
            try:
                if ready():
                    return self
            except requests.RequestException:
                pass
            time.sleep(1)
        self.stop()
        raise RuntimeError(f"{self.args[-1]} was not ready within {timeout:.0f} s:\n{self.tail()}")

    def stop(self, timeout: float = 120) -> None:
        """Like Ctrl-C: the script stops what it started. Whatever is left is killed."""
        if not self.proc:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        self.proc = None

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def answers(url: str) -> bool:
    return requests.get(url, timeout=2).status_code == 200
