"""Keeps one server process running: restarts it when it crashes, with a back-off and a limit.

    python -m advisor.supervise --name "the Rasa server" --log .run/rasa.log \\
        --ready-url http://127.0.0.1:5005/ [--pidfile FILE] [--gave-up-file FILE] -- COMMAND...

Used by scripts/run.sh (`make run`) and scripts/cluster.sh (`make run-cluster`) for the Rasa server(s),
the action server and the web page.

- The server runs in a session (process group) of its own, its output appended to ``--log``; it is
  sent SIGTERM if the supervisor itself dies (PR_SET_PDEATHSIG), so nothing is left behind.
- Until the server has answered ``--ready-url`` once, an exit is not retried: the supervisor exits with
  the server's status (a server that cannot start is not fixed by starting it again).
- After that, every exit is a crash: one line naming the server, its pid and exit status (or signal)
  and the restart goes to the log and to stderr (the terminal); the server starts again after a
  back-off of 1 s, doubled for every further crash within the window, at most 30 s. The
  ``--limit``-th crash within ``--window`` seconds (default: 5 within 300 s) makes it give up: it
  says so, touches ``--gave-up-file`` and exits with status 3 (the scripts then stop everything).
- SIGTERM, SIGINT or SIGHUP stop the server (SIGTERM to its process group, SIGKILL after
  ``--stop-timeout`` seconds) and the supervisor exits 0.
- ``--parent PID``: the same when PID is no longer the supervisor's parent (checked every second): the
  script that started it was killed outright (kill -9, no trap ran) and cannot stop it any more.

The window is 300 s rather than 60 s because the Rasa server needs 30 to 60 s to start: a server that
crashes every time it has started would otherwise never reach the limit.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, List, Optional, Sequence

GAVE_UP = 3
SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
WATCHED = SIGNALS | {signal.SIGCHLD}
PR_SET_PDEATHSIG = 1
READY_POLL_S = 1.0

try:  # loaded before any fork: the child only calls prctl
    _LIBC: Optional[ctypes.CDLL] = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - not Linux
    _LIBC = None


@dataclass
class RestartPolicy:
    """When to restart after a crash, and when to give up."""

    initial: float = 1.0  # seconds before the first restart
    maximum: float = 30.0  # longest back-off
    limit: int = 5  # this many crashes within `window` seconds: give up
    window: float = 300.0
    crashes: List[float] = field(default_factory=list)

    def crash(self, now: float) -> Optional[float]:
        """Records a crash at `now` (monotonic seconds); returns the delay before the restart, or None
        to give up."""
        self.crashes = [t for t in self.crashes if now - t < self.window] + [now]
        if len(self.crashes) >= self.limit:
            return None
        return min(self.maximum, self.initial * 2 ** (len(self.crashes) - 1))

    @property
    def recent(self) -> int:
        return len(self.crashes)


def describe_status(returncode: int) -> str:
    """'exited with status 1' or 'was killed by SIGKILL' for a Popen return code."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by {name}"
    return f"exited with status {returncode}"


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def answers(url: str, timeout: float = 2.0) -> bool:
    """True when `url` gives any HTTP answer below 500."""
    try:  # never through a proxy from http_proxy: the server is local
        with _DIRECT.open(url, timeout=timeout) as response:
            return int(response.status) < 500
    except urllib.error.HTTPError as e:
        return e.code < 500
    except (OSError, ValueError):
        return False


def _child_setup() -> None:  # runs in the child between fork and exec
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)


class Supervisor:
    def __init__(self, name: str, command: Sequence[str], log: Path, ready_url: Optional[str] = None,
                 pidfile: Optional[Path] = None, gave_up_file: Optional[Path] = None,
                 policy: Optional[RestartPolicy] = None, stop_timeout: float = 15.0,
                 stderr: IO[str] = sys.stderr, parent: Optional[int] = None) -> None:
        self.name, self.command, self.log_path = name, list(command), log
        self.ready_url, self.pidfile, self.gave_up_file = ready_url, pidfile, gave_up_file
        self.policy = policy or RestartPolicy()
        self.stop_timeout = stop_timeout
        self.stderr = stderr
        self.proc: Optional[subprocess.Popen] = None
        self.ready = ready_url is None
        self.started_at = 0.0
        self.parent = parent

    # --- output ---------------------------------------------------------------------------------
    def say(self, text: str, terminal: bool = True) -> None:
        line = f"{time.strftime('%Y-%m-%d %H:%M:%S')} [supervise] {text}\n"
        self._to_log(line)
        if terminal:
            self._to_stderr(line)

    def _to_log(self, line: str) -> None:
        try:
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(line)
        except OSError:
            pass

    def _to_stderr(self, line: str) -> None:
        try:  # the terminal may be gone (cluster.sh roll from a closed shell)
            self.stderr.write(line)
            self.stderr.flush()
        except (OSError, ValueError):
            pass

    # --- the child ------------------------------------------------------------------------------
    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True, preexec_fn=_child_setup)
        self.started_at = time.monotonic()
        if self.pidfile:
            self.pidfile.write_text(f"{self.proc.pid}\n")

    def _kill_group(self, sig: int) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self) -> None:
        """Stops the server and whatever is left in its process group."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self._kill_group(signal.SIGTERM)
            deadline = time.monotonic() + self.stop_timeout
            while self.proc.poll() is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.say(f"{self.name} (pid {self.proc.pid}) did not stop within {self.stop_timeout:.0f} s: killing it")
                    self._kill_group(signal.SIGKILL)
                    self.proc.wait()
                    break
                got = signal.sigtimedwait(WATCHED, min(remaining, 0.5))
                if got is not None and got.si_signo in SIGNALS:  # asked twice: no more waiting
                    self._kill_group(signal.SIGKILL)
        self._kill_group(signal.SIGKILL)  # workers a crashed server left behind
        if self.pidfile:
            self.pidfile.unlink(missing_ok=True)

    # --- the loop -------------------------------------------------------------------------------
    def orphaned(self) -> bool:
        """True when the process named by --parent is no longer this one's parent (it died)."""
        return self.parent is not None and os.getppid() != self.parent

    def _wait_event(self, timeout: Optional[float]) -> Optional[int]:
        """Blocks until a watched signal arrives (its number) or `timeout` passes (None). With --parent,
        wakes up every second and reports the parent's death as SIGHUP."""
        if self.parent is not None:
            if self.orphaned():
                self.say(f"{self.name}: the script that started it (pid {self.parent}) is gone")
                return signal.SIGHUP
            timeout = 1.0 if timeout is None else min(timeout, 1.0)
        if timeout is None:
            return signal.sigwaitinfo(WATCHED).si_signo
        got = signal.sigtimedwait(WATCHED, max(timeout, 0.001))
        return got.si_signo if got is not None else None

    def _stopped(self) -> int:
        self.say(f"stopping {self.name}")
        self.stop()
        return 0

    def run(self) -> int:
        for watched in WATCHED:  # not ignored (a background job's SIGINT is), and never delivered: waited for
            signal.signal(watched, lambda *_: None)
        signal.pthread_sigmask(signal.SIG_BLOCK, WATCHED)
        self.start()
        assert self.proc is not None
        crashed_at: Optional[float] = None
        while True:
            sig = self._wait_event(None if self.ready else READY_POLL_S)
            if sig in SIGNALS:
                return self._stopped()
            if not self.ready and self.proc.poll() is None and self.ready_url and answers(self.ready_url):
                self.ready = True
                if crashed_at is None:  # from now on an exit is a crash, restarted
                    self.say(f"{self.name} answers (pid {self.proc.pid}, {time.monotonic() - self.started_at:.0f} s "
                             "after its start): it is restarted if it stops", terminal=False)
                else:
                    self.say(f"{self.name} answers again (pid {self.proc.pid}, "
                             f"{time.monotonic() - crashed_at:.0f} s after the crash)")
                continue
            code = self.proc.poll()
            if code is None:
                continue
            pid = self.proc.pid
            self._kill_group(signal.SIGKILL)
            if crashed_at is None and not self.ready:
                self.say(f"{self.name} (pid {pid}) {describe_status(code)} before it answered "
                         f"{self.ready_url}: not restarted (log: {self.log_path})")
                if self.pidfile:
                    self.pidfile.unlink(missing_ok=True)
                return code if code > 0 else 1
            now = time.monotonic()
            delay = self.policy.crash(now)
            if delay is None:
                self.say(f"{self.name} (pid {pid}) {describe_status(code)}: {self.policy.recent} crashes "
                         f"within {self.policy.window:.0f} s, giving up (log: {self.log_path})")
                if self.gave_up_file:
                    self.gave_up_file.write_text(f"{self.name}: {self.policy.recent} crashes within "
                                                 f"{self.policy.window:.0f} s\n")
                if self.pidfile:
                    self.pidfile.unlink(missing_ok=True)
                return GAVE_UP
            self.say(f"{self.name} (pid {pid}) {describe_status(code)} after "
                     f"{now - self.started_at:.0f} s; restarting it in {delay:g} s (crash {self.policy.recent} "
                     f"within {self.policy.window:.0f} s; at {self.policy.limit} it is not restarted)")
            crashed_at = now
            deadline = now + delay
            while (remaining := deadline - time.monotonic()) > 0:
                if self._wait_event(remaining) in SIGNALS:
                    self.say(f"not restarting {self.name}: stopping")
                    if self.pidfile:
                        self.pidfile.unlink(missing_ok=True)
                    return 0
            self.start()
            self.ready = self.ready_url is None
            self.say(f"{self.name} restarted (pid {self.proc.pid})")


def main(argv: Optional[List[str]] = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if "--" not in args_list:
        print("usage: python -m advisor.supervise [options] -- COMMAND...", file=sys.stderr)
        return 2
    split = args_list.index("--")
    options, command = args_list[:split], args_list[split + 1:]
    ap = argparse.ArgumentParser(prog="python -m advisor.supervise", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--name", required=True, help="how the server is named in messages")
    ap.add_argument("--log", required=True, type=Path, help="the server's output is appended here")
    ap.add_argument("--ready-url", help="a crash before the server answered here once is not retried")
    ap.add_argument("--pidfile", type=Path, help="the running server's pid is written here")
    ap.add_argument("--gave-up-file", type=Path, help="written when the supervisor gives up")
    ap.add_argument("--backoff", type=float, default=1.0)
    ap.add_argument("--max-backoff", type=float, default=30.0)
    ap.add_argument("--limit", type=int, default=int(os.environ.get("ADVISOR_RESTART_LIMIT", "5")))
    ap.add_argument("--window", type=float, default=float(os.environ.get("ADVISOR_RESTART_WINDOW", "300")))
    ap.add_argument("--stop-timeout", type=float, default=15.0)
    ap.add_argument("--parent", type=int, help="stop when this process is no longer the supervisor's parent")
    args = ap.parse_args(options)
    if not command:
        ap.error("no command after --")
    if args.limit < 1 or args.window <= 0 or args.backoff < 0:
        ap.error("--limit must be 1 or more, --window and --backoff positive")
    policy = RestartPolicy(initial=args.backoff, maximum=args.max_backoff, limit=args.limit, window=args.window)
    return Supervisor(args.name, command, args.log, args.ready_url, args.pidfile, args.gave_up_file, policy,
                      args.stop_timeout, parent=args.parent).run()


if __name__ == "__main__":
    sys.exit(main())
