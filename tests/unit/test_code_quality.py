"""The linter and the type checker, pinned in requirements-test.lock, configured in pyproject.toml."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_ruff_finds_nothing() -> None:
    proc = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_mypy_finds_nothing_in_the_advisors_code() -> None:
    proc = subprocess.run([str(BIN / "mypy"), "actions", "components", "channels", "advisor", "persistence", "workbench"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


ACTION_MODULE_MAX_LINES = 850  # a module of the action server reads in one sitting; a larger one is split by concern


def test_every_action_module_stays_small() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in (ROOT / "actions").glob("*.py")}
    assert len(sizes) > 20, sizes  # the glob still finds the modules
    assert {name: n for name, n in sizes.items() if n > ACTION_MODULE_MAX_LINES} == {}
