"""What the test suite (and `make bench`) started, and what of it is still alive.

A process counts as started by a run when one of these holds (Linux /proc):

- its environment holds the run's marker (``ADVISOR_TEST_RUN=<random>``, put into ``os.environ`` when the run
  begins): every child inherits it, grandchildren and daemons included, unless they were given a fresh
  environment or rewrote it (nginx, PostgreSQL and Redis overwrite it with their process titles), hence:
- its command line names, or its working directory is inside, one of the run's directories (each
  stack's and start script's work directory, registered when it is created; pytest's temporary
  directory; bench's work directory), unless its environment holds another run's marker (two sessions
  may run at once in one checkout: never the same test module, which shares its directory);
- it is in a process group or session recorded when a server was started (`stack.Server.launch`).

The run's own process, its ancestors and zombies never count. `stop()` ends what `find()` returned
(SIGTERM, then SIGKILL). tests/conftest.py fails the session when anything is left at its end;
`scripts.ScriptRun` checks its own script's directory after stopping it; bench/run.py checks at its end.
"""
from __future__ import annotations

import os
import secrets
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Set

MARKER = "ADVISOR_TEST_RUN"


@dataclass(frozen=True)
class Process:
    pid: int
    reason: str  # why it counts: the marker, a directory, a process group
    command: str

    def __str__(self) -> str:
        return f"pid {self.pid} ({self.reason}): {self.command[:200]}"


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def _stat(pid: int) -> Optional[List[str]]:
    """Fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp, session, ...]."""
    raw = _read(f"/proc/{pid}/stat").decode(errors="replace")
    if ")" not in raw:
        return None
    return raw.rsplit(")", 1)[1].split()


def _ancestors(pid: int) -> Set[int]:
    seen: Set[int] = set()
    while pid > 1 and pid not in seen:
        seen.add(pid)
        fields = _stat(pid)
        if not fields:
            break
        pid = int(fields[1])
    return seen


def _inside(text: str, dirs: Iterable[str]) -> Optional[str]:
    for d in dirs:
        if text == d or (d + "/") in text or text.endswith(d):
            return d
    return None


class Registry:
    """One run's marker, directories and process groups."""

    def __init__(self) -> None:
        self.marker = secrets.token_hex(8)  # a run of its own even when started from another one
        self.dirs: Set[str] = set()
        self.groups: Set[int] = set()

    def begin(self) -> "Registry":
        """Marks everything started from now on (children inherit os.environ)."""
        os.environ[MARKER] = self.marker
        return self

    def add_dir(self, path: Path) -> None:
        self.dirs.add(str(Path(path).resolve()))

    def add_group(self, pgid: int) -> None:
        self.groups.add(pgid)

    def find(self) -> List[Process]:
        return find(dirs=self.dirs, markers={MARKER: self.marker}, groups=self.groups)


def find(dirs: Iterable[str] = (), markers: Optional[Dict[str, str]] = None, groups: Iterable[int] = ()) -> List[Process]:
    """Live processes (not zombies, not this one nor its ancestors) that match a marker, a directory or a
    recorded process group / session."""
    dirs = [str(d).rstrip("/") for d in dirs]
    wanted = {f"{k}={v}".encode() for k, v in (markers or {}).items()}
    groups = set(groups)
    mine = _ancestors(os.getpid())
    found: List[Process] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        if pid in mine:
            continue
        fields = _stat(pid)
        if not fields or fields[0] in ("Z", "X"):
            continue
        cmdline = _read(f"/proc/{pid}/cmdline").replace(b"\0", b" ").decode(errors="replace").strip()
        if not cmdline:  # a kernel thread, or gone
            continue
        reason = ""
        if groups and (int(fields[2]) in groups or int(fields[3]) in groups):
            reason = "a process group the run started"
        elif wanted and wanted & set(_read(f"/proc/{pid}/environ").split(b"\0")):
            reason = "the run's environment marker"
        elif dirs and not _marked_by_another(pid, markers or {}):
            try:
                cwd = os.readlink(f"/proc/{pid}/cwd")
            except OSError:
                cwd = ""
            where = _inside(cmdline, dirs) or (cwd and _inside(cwd, dirs))
            if where:
                reason = f"runs in or names {where}"
        if reason:
            found.append(Process(pid, reason, cmdline))
    return found


def _marked_by_another(pid: int, markers: Dict[str, str]) -> bool:
    """True when the process carries one of the markers with another run's value: another test session
    (or bench) started it, even if it names a directory this run also uses."""
    env = _read(f"/proc/{pid}/environ").split(b"\0")
    for name, mine in markers.items():
        prefix = f"{name}=".encode()
        if any(e.startswith(prefix) and e != prefix + mine.encode() for e in env):
            return True
    return False


def alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def stop(processes: Iterable[Process], timeout: float = 10.0) -> None:
    """SIGTERM to each, SIGKILL to what is still alive after `timeout` seconds."""
    pids = [p.pid for p in processes]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.time() + (timeout if sig == signal.SIGTERM else 5)
        while time.time() < deadline and any(alive(p) for p in pids):
            time.sleep(0.1)
        pids = [p for p in pids if alive(p)]
        if not pids:
            return


def settle(finder: Callable[[], List[Process]], grace: float = 5.0) -> List[Process]:
    """`finder()` until it returns nothing or `grace` seconds pass (processes that are stopping)."""
    deadline = time.time() + grace
    while True:
        left = finder()
        if not left or time.time() >= deadline:
            return left
        time.sleep(0.25)


REGISTRY = Registry()
