"""Session-wide hooks.

- Rasa's slow checks start in the background as soon as the tests are collected
  (tests/support/background.py), so they run while the other tests do.
- Nothing the suite starts may outlive it: every child inherits a marker in its environment, and the
  suite's directories and the process groups of its servers are recorded (tests/support/processes.py).
  When the session ends, after every fixture is torn down, anything still alive is listed, stopped,
  and the session FAILS. A SIGTERM to pytest tears the fixtures down as Ctrl-C does.
"""
from __future__ import annotations

import signal
from typing import Any

import pytest

from tests.support import background, processes
from tests.support.stack import ROOT

E2E_REPORTS = ROOT / "reports" / "e2e"


def _terminated(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt("SIGTERM")  # pytest then tears down the fixtures, which stop their servers


def pytest_configure(config: Any) -> None:
    processes.REGISTRY.begin()
    processes.REGISTRY.add_dir(E2E_REPORTS)
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, _terminated)


def pytest_collection_finish(session: Any) -> None:
    if any("tests/rasa/test_rasa_checks.py" in item.nodeid for item in session.items):
        background.start_all()


@pytest.hookimpl(trylast=True)  # after pytest's own sessionfinish, which tears the fixtures down
def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    background.stop_all()
    factory = getattr(session.config, "_tmp_path_factory", None)
    basetemp = getattr(factory, "_basetemp", None)  # set only when a test used tmp_path
    if basetemp is not None:
        processes.REGISTRY.add_dir(basetemp)
    left = processes.settle(processes.REGISTRY.find, grace=10)
    if not left:
        return
    processes.stop(left)
    lines = [f"{len(left)} processes the test session started were still running at its end (now stopped):",
             *[f"  {p}" for p in left]]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.section("processes left behind", sep="=", red=True, bold=True)
        for line in lines:
            reporter.write_line(line)
    else:
        print("\n".join(lines))
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
