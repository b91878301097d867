"""Runs the project's own start scripts (`scripts/run.sh`, `scripts/cluster.sh`) on free local ports
for end-to-end tests, and talks to what they started through the helpers of `stack.Stack`."""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional

import requests

from tests.support import processes
from tests.support.stack import Server, Stack

RUN_MARKER = "ADVISOR_SCRIPT_RUN"  # in the script's environment: inherited by all it starts


class Client(Stack):
    """`Stack`'s helpers (`say`, `tracker`, `slot`, `parse`) for a Rasa server (or balancer) at `url`."""

    def __init__(self, url: str, auth_token: Optional[str] = None) -> None:  # no Stack.__init__: nothing to start
        self._url = url.rstrip("/")
        self.auth_token = auth_token

    @property
    def rasa_url(self) -> str:
        return self._url


class LeftBehind(AssertionError):
    """The script, stopped, left processes running (they have been stopped since)."""


class ScriptRun(Server):
    """One start script in the foreground of its own session, with its output in `log`; started like
    any `Server`, stopped like Ctrl-C. The script must stop everything it started: `stop()` then looks
    for anything left that the script started (its environment marker, or naming / running in one of
    `dirs`), stops it, and raises `LeftBehind` naming it."""

    def __init__(self, args: list, env: Dict[str, str], log: Path, dirs: Iterable[Path] = ()) -> None:
        self.marker = secrets.token_hex(8)
        super().__init__(Path(args[-1]).name, list(args), "", log, {**env, RUN_MARKER: self.marker})
        self.args, self.log = args, log
        self.dirs = [str(Path(d).resolve()) for d in dirs]
        for d in dirs:
            processes.REGISTRY.add_dir(Path(d))

    def left_behind(self) -> List[processes.Process]:
        return processes.find(dirs=self.dirs, markers={RUN_MARKER: self.marker})

    def start(self, ready: Callable[[], bool], timeout: float) -> "ScriptRun":  # type: ignore[override]
        self.launch(ready, timeout, interval=1)
        return self

    def stop(self, timeout: float = 120, impatient: bool = False) -> None:
        """Ctrl-C, then TERM after 20 s (or after 2 s when `impatient`: a second signal while the script is
        still stopping what it started, as an operator pressing Ctrl-C twice), then SIGKILL to its group
        after `timeout` s; then the check for anything left behind."""
        if not self.proc:
            return
        # Ctrl-C first, as a person stops it. A shell started from a background job inherits SIGINT as
        # ignored and cannot trap it (make bench run with `&` left the cluster's PostgreSQL, Redis and nginx
        # running): then TERM, which the scripts trap the same way, before the group is killed.
        for sig, wait in ((signal.SIGINT, 2 if impatient else min(timeout, 20)), (signal.SIGTERM, timeout)):
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
        self._forget()
        left = processes.settle(self.left_behind, grace=10)
        if left:
            processes.stop(left)
            raise LeftBehind(f"{' '.join(map(str, self.args))} left {len(left)} processes running after it was "
                             "stopped (now killed):\n" + "\n".join(map(str, left)))


def answers(url: str) -> bool:
    return requests.get(url, timeout=2).status_code == 200
