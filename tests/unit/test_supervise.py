"""advisor.supervise: the restart policy, and the supervisor itself on small real processes (a `sleep`,
a command that fails): restart after kill -9, give up, no retry before the first answer, nothing left
behind when it is stopped or killed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, List

import pytest

from advisor.supervise import GAVE_UP, RestartPolicy, describe_status
from tests.support.stack import ROOT, free_port


def test_back_off_doubles_up_to_the_maximum_and_the_limit_gives_up() -> None:
    policy = RestartPolicy(initial=1, maximum=30, limit=5, window=60)
    assert [policy.crash(t) for t in (0, 1, 2, 3)] == [1, 2, 4, 8]
    assert policy.crash(4) is None  # the 5th crash within 60 s
    capped = RestartPolicy(initial=1, maximum=30, limit=10, window=600)
    assert [capped.crash(t) for t in range(7)][-2:] == [30, 30]


def test_crashes_older_than_the_window_are_forgotten() -> None:
    policy = RestartPolicy(initial=1, maximum=30, limit=3, window=60)
    assert policy.crash(0) == 1 and policy.crash(10) == 2
    assert policy.crash(100) == 1, "two crashes long ago: the back-off starts again"
    assert policy.crash(110) == 2 and policy.crash(120) is None


def test_exit_statuses_are_named() -> None:
    assert describe_status(-9) == "was killed by SIGKILL"
    assert describe_status(1) == "exited with status 1"


def _supervise(tmp_path: Path, *options: str, command: List[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "advisor.supervise", "--name", "the test server",
                             "--log", str(tmp_path / "server.log"), "--pidfile", str(tmp_path / "server.pid"),
                             "--gave-up-file", str(tmp_path / "gave-up"), *options, "--", *command],
                            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _until(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


def _pid(tmp_path: Path) -> int:
    text = (tmp_path / "server.pid").read_text().strip() if (tmp_path / "server.pid").exists() else ""
    return int(text) if text else 0


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # a zombie whose parent has not reaped it yet counts as gone (and one that went in between, too)
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def _cleanup(sup: subprocess.Popen) -> None:
    if sup.poll() is None:
        os.killpg(sup.pid, signal.SIGKILL)
        sup.wait(timeout=10)


def test_a_killed_server_is_restarted_logged_and_stopped_with_the_supervisor(tmp_path: Path) -> None:
    sup = _supervise(tmp_path, "--backoff", "0.1", command=["sleep", "60"])
    try:
        _until(lambda: _pid(tmp_path) > 0)
        first = _pid(tmp_path)
        os.kill(first, signal.SIGKILL)
        _until(lambda: _pid(tmp_path) not in (0, first))
        second = _pid(tmp_path)
        log = (tmp_path / "server.log").read_text()
        assert f"the test server (pid {first}) was killed by SIGKILL" in log
        assert "restarting it in 0.1 s" in log and f"restarted (pid {second})" in log
        sup.send_signal(signal.SIGTERM)
        assert sup.wait(timeout=20) == 0
        _until(lambda: _gone(second))
        assert "the test server (pid" in sup.stderr.read(), "the restart is also reported on the terminal"
    finally:
        _cleanup(sup)


def test_it_gives_up_after_the_limit_and_says_so(tmp_path: Path) -> None:
    sup = _supervise(tmp_path, "--backoff", "0.05", "--limit", "3", "--window", "60",
                     command=["sh", "-c", "exit 7"])
    try:
        assert sup.wait(timeout=20) == GAVE_UP
        log = (tmp_path / "server.log").read_text()
        assert log.count("exited with status 7") == 3
        assert "3 crashes within 60 s, giving up" in log
        assert (tmp_path / "gave-up").exists()
    finally:
        _cleanup(sup)


def test_a_server_that_never_answered_is_not_restarted(tmp_path: Path) -> None:
    sup = _supervise(tmp_path, "--ready-url", f"http://127.0.0.1:{free_port()}/",
                     command=["sh", "-c", "sleep 0.3; exit 4"])
    try:
        assert sup.wait(timeout=20) == 4
        assert "before it answered" in (tmp_path / "server.log").read_text()
    finally:
        _cleanup(sup)


def test_a_killed_supervisor_leaves_no_server_behind(tmp_path: Path) -> None:
    sup = _supervise(tmp_path, command=["sleep", "60"])
    try:
        _until(lambda: _pid(tmp_path) > 0)
        server = _pid(tmp_path)
        os.kill(sup.pid, signal.SIGKILL)
        sup.wait(timeout=10)
        _until(lambda: _gone(server))
    finally:
        _cleanup(sup)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGHUP])
def test_interrupt_and_hangup_stop_it_too(tmp_path: Path, sig: int) -> None:
    sup = _supervise(tmp_path, command=["sleep", "60"])
    try:
        _until(lambda: _pid(tmp_path) > 0)
        server = _pid(tmp_path)
        sup.send_signal(sig)
        assert sup.wait(timeout=20) == 0
        _until(lambda: _gone(server))
    finally:
        _cleanup(sup)


def test_with_parent_it_stops_its_server_when_the_starting_script_is_killed_outright(tmp_path: Path) -> None:
    """--parent: kill -9 of the script runs none of its traps; the supervisor notices and stops the server."""
    script = (f'{sys.executable} -m advisor.supervise --name "the test server" --log {tmp_path}/server.log '
              f'--pidfile {tmp_path}/server.pid --parent $$ -- sleep 60 & echo $! > {tmp_path}/sup.pid; wait')
    shell = subprocess.Popen(["bash", "-c", script], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                             start_new_session=True)
    try:
        _until(lambda: _pid(tmp_path) > 0 and (tmp_path / "sup.pid").exists())
        server, supervisor = _pid(tmp_path), int((tmp_path / "sup.pid").read_text())
        os.kill(shell.pid, signal.SIGKILL)
        shell.wait(timeout=10)
        _until(lambda: _gone(server) and _gone(supervisor), timeout=20)
        assert "the script that started it" in (tmp_path / "server.log").read_text()
    finally:
        try:
            os.killpg(shell.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
