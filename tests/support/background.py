"""Rasa's own slow checks, started in the background when the test session starts.

`rasa data validate`, `rasa test core --e2e` (the test stories through the NLU) and `rasa test nlu`
(the held-out NLU set), without plots, each spend most of their time importing Rasa and loading the
model. They used to run one after the other in the middle of the session; here they start as
soon as the tests are collected and run while the unit and end-to-end tests do, and the tests in
tests/rasa/test_rasa_checks.py wait for their results. The commands, and what the tests check, are
the same.
"""
from __future__ import annotations

import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from tests.support.stack import ROOT, model_path

RASA = str(Path(sys.executable).parent / "rasa")
REPORTS = ROOT / "reports"
STORIES_OUT = REPORTS / "stories"
NLU_OUT = REPORTS / "nlu"


@dataclass
class Check:
    name: str
    args: List[str]
    timeout: float = 1500
    proc: Optional[subprocess.Popen] = None
    log: Path = field(default_factory=Path)
    returncode: Optional[int] = None

    def start(self) -> None:
        REPORTS.mkdir(parents=True, exist_ok=True)
        self.log = REPORTS / f"{self.name}.log"
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen([RASA, *self.args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)

    def wait(self) -> "Check":
        if self.proc is None:
            self.start()
        assert self.proc is not None
        if self.returncode is None:
            try:
                self.returncode = self.proc.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.returncode = self.proc.wait()
        return self

    def output(self, limit: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-limit:]
        except OSError:
            return ""


_checks: Dict[str, Check] = {}
_lock = threading.Lock()


def checks() -> Dict[str, Check]:
    """The checks, created (not started) once per session."""
    with _lock:
        if not _checks:
            _checks["data-validate"] = Check("data-validate", ["data", "validate", "--fail-on-warning"])
            model = str(model_path())
            _checks["test-stories"] = Check("test-stories", [
                "test", "core", "--model", model, "--stories", "tests/stories", "--out", str(STORIES_OUT),
                "--fail-on-prediction-errors", "--e2e", "--no-plot",
            ])
            _checks["test-nlu"] = Check("test-nlu", [
                "test", "nlu", "--model", model, "--nlu", "tests/nlu/test_nlu.yml", "--out", str(NLU_OUT), "--no-plot",
            ])
        return _checks


def start_all() -> None:
    for check in checks().values():
        if check.proc is None:
            check.start()


def result(name: str) -> Check:
    return checks()[name].wait()


def stop_all() -> None:
    for check in _checks.values():
        if check.proc is not None and check.proc.poll() is None:
            check.proc.kill()
            check.proc.wait()
