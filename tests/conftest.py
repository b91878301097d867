"""Session-wide hooks.

- Rasa's slow checks start in the background as soon as the tests are collected
  (tests/support/background.py), so they run while the other tests do.
- Nothing the suite starts may outlive it: every child inherits a marker in its environment, and the
  suite's directories and the process groups of its servers are recorded (tests/support/processes.py).
  When the session ends, after every fixture is torn down, anything still alive is listed, stopped,
  and the session FAILS. A SIGTERM to pytest tears the fixtures down as Ctrl-C does.
"""
from __future__ import annotations

import json
import signal
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

import pytest

from tests.support import background, processes


def _terminated(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt("SIGTERM")  # pytest then tears down the fixtures, which stop their servers


def pytest_addoption(parser: Any) -> None:
    parser.addoption("--shard", default="", metavar="K/N",
                     help="run the K-th of N groups of test files only (scripts/test-fast.sh runs 2 at once)")


# Seconds per test file, measured (tests/file-seconds.json); only the balance of `--shard` depends on them.
FILE_SECONDS = Path(__file__).with_name("file-seconds.json")


def file_seconds() -> Dict[str, float]:
    try:
        return {str(k): float(v) for k, v in json.loads(FILE_SECONDS.read_text())["seconds"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def shards(counts: Dict[str, int], n: int) -> Dict[str, int]:
    """Test files to N groups of about the same expected time (the longest file first, to the shortest
    group; ties by name): the same split every time."""
    known = file_seconds()
    weight = {f: known.get(f, 0.1 * c) for f, c in counts.items()}
    loads, out = [0.0] * n, {}
    for name in sorted(counts, key=lambda f: (-weight[f], f)):
        i = loads.index(min(loads))
        out[name], loads[i] = i, loads[i] + weight[name]
    return out


def pytest_collection_modifyitems(config: Any, items: List[Any]) -> None:
    shard = config.getoption("--shard")
    if not shard:
        return
    k, _, n = shard.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise pytest.UsageError(f"--shard {shard}: expected K/N with 1 <= K <= N")
    files = [item.nodeid.split("::")[0] for item in items]
    group = shards(Counter(files), int(n))
    keep = [item for item, f in zip(items, files, strict=True) if group[f] == int(k) - 1]
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep


def pytest_configure(config: Any) -> None:
    processes.REGISTRY.begin()  # directories: each Stack / ScriptRun registers its own (not all of reports/e2e,
    # which another session in the same checkout may be using at the same time)
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
    left = processes.settle(processes.REGISTRY.find, grace=3)  # processes that are just stopping
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
