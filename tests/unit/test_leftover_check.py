"""The session-end check (tests/conftest.py + tests/support/processes.py): an inner pytest session whose test
leaves a process running fails, names the process and stops it; a session that cleans up passes."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support import processes
from tests.support.stack import ROOT

LEAKY = '''
import subprocess, sys
from pathlib import Path

def test_leaks_a_process(tmp_path):
    # its own session and a daemon-like detachment: only the environment marker finds it
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
    Path("{pidfile}").write_text(str(proc.pid))
'''

TIDY = '''
import subprocess, sys

def test_stops_what_it_starts():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
    proc.terminate()
    proc.wait()
'''


def _session(tmp_path: Path, source: str) -> subprocess.CompletedProcess:
    test = tmp_path / "inner" / "test_inner.py"
    test.parent.mkdir()
    test.write_text(source)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "tests.conftest", "-q",
                           "--rootdir", str(test.parent), str(test)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_a_process_left_running_fails_the_session_and_is_stopped(tmp_path: Path) -> None:
    pidfile = tmp_path / "leaked.pid"
    run = _session(tmp_path, LEAKY.format(pidfile=pidfile))
    pid = int(pidfile.read_text())
    try:
        assert run.returncode == 1, run.stdout + run.stderr
        assert "1 passed" in run.stdout  # the test itself passed: the check failed the session
        assert "processes left behind" in run.stdout and f"pid {pid} (the run's environment marker)" in run.stdout, run.stdout
        deadline = time.time() + 10
        while processes.alive(pid) and time.time() < deadline:
            time.sleep(0.1)
        assert not processes.alive(pid), "the check did not stop the process it reported"
    finally:
        if processes.alive(pid):
            os.kill(pid, 9)


def test_a_session_that_stops_what_it_started_passes(tmp_path: Path) -> None:
    run = _session(tmp_path, TIDY)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "processes left behind" not in run.stdout


def test_find_matches_a_directory_in_the_command_line_or_the_working_directory(tmp_path: Path) -> None:
    inside = tmp_path / "state"
    inside.mkdir()
    by_cwd = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], cwd=inside, start_new_session=True)
    by_arg = subprocess.Popen([sys.executable, "-c", "import sys, time; time.sleep(60)", str(inside / "x.log")],
                              start_new_session=True, env={k: v for k, v in os.environ.items() if k != processes.MARKER})
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True,
                             env={k: v for k, v in os.environ.items() if k != processes.MARKER})
    try:
        found = {p.pid for p in processes.find(dirs=[str(inside)])}
        assert {by_cwd.pid, by_arg.pid} <= found
        assert other.pid not in found and os.getpid() not in found
    finally:
        for p in (by_cwd, by_arg, other):
            p.kill()
            p.wait()
