"""Runs the project's own start scripts (`scripts/run.sh`, `scripts/cluster.sh`) on free local ports
for end-to-end tests, and talks to what they started through the helpers of `stack.Stack`."""
from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path
from typing import Callable, Dict, Optional

import requests

from tests.support.stack import Server, Stack


class Client(Stack):
    """`Stack`'s helpers (`say`, `tracker`, `slot`, `parse`) for a Rasa server (or balancer) at `url`."""

    def __init__(self, url: str, auth_token: Optional[str] = None) -> None:  # no Stack.__init__: nothing to start
        self._url = url.rstrip("/")
        self.auth_token = auth_token

    @property
    def rasa_url(self) -> str:
        return self._url


class ScriptRun(Server):
    """One start script in the foreground of its own session, with its output in `log`; started like
    any `Server`, stopped like Ctrl-C (the script stops what it started; whatever is left is killed)."""

    def __init__(self, args: list, env: Dict[str, str], log: Path) -> None:
        super().__init__(Path(args[-1]).name, list(args), "", log, env)
        self.args, self.log = args, log

    def start(self, ready: Callable[[], bool], timeout: float) -> "ScriptRun":  # type: ignore[override]
        self.launch(ready, timeout, interval=1)
        return self

    def stop(self, timeout: float = 120) -> None:
        if not self.proc:
            return
        # Ctrl-C first, as a person stops it. A shell started from a background job inherits SIGINT as
        # ignored and cannot trap it (make bench run with `&` left the cluster's PostgreSQL, Redis and nginx
        # running): then TERM, which the scripts trap the same way, before the group is killed.
        for sig, wait in ((signal.SIGINT, min(timeout, 20)), (signal.SIGTERM, timeout)):
            if self.proc.poll() is not None:
                break
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        self.proc = None


def answers(url: str) -> bool:
    return requests.get(url, timeout=2).status_code == 200
