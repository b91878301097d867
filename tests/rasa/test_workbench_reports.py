"""The workbench's command-line reports: `make nlu-report` (5-fold cross-validation, self-contained HTML,
comparison with the previous report) on a tiny NLU fixture with a light pipeline, `make analytics` on a tracker
store filled by the test, and `make lint` on the project's own data."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

from tests.support.stack import ROOT
from tests.support.workbench_fixture import fill_store, write_endpoints

FIXTURES = ROOT / "tests" / "fixtures" / "workbench"


# The usual umask (022) whatever the test runner's: the workbench must make its files private by itself.
WITH_UMASK_022 = ["sh", "-c", 'umask 022 && exec "$@"', "sh"]


def workbench(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*WITH_UMASK_022, sys.executable, "-m", "workbench", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"},
    )


def test_nlu_report_on_a_tiny_fixture(tmp_path: Path) -> None:
    out = tmp_path / "nlu-report"
    (out / "history").mkdir(parents=True)
    previous = {
        "created": "2026-11-01 10:00:00",
        "folds": 5,
        "accuracy": 0.5,
        "macro_f1": 0.5,
        "weighted_f1": 0.5,
        "worst": [],
        "intents": {
            "greet": {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 10, "confused_with": {}},
            "gone": {"precision": 1, "recall": 1, "f1": 1.0, "support": 10, "confused_with": {}},
        },
    }
    (out / "history" / "20261101-100000.json").write_text(json.dumps(previous))
    proc = workbench(
        "nlu-report",
        "--nlu",
        str(FIXTURES / "tiny_nlu.yml"),
        "--config",
        str(FIXTURES / "tiny_config.yml"),
        "--out",
        str(out),
        "--folds",
        "5",
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "[nlu-report] 5-fold cross-validation" in proc.stdout and "accuracy" in proc.stdout
    summaries = sorted((out / "history").glob("*.json"))
    assert len(summaries) == 2
    summary = json.loads(summaries[-1].read_text())
    assert set(summary["intents"]) == {"greet", "ask_cost", "goodbye"}
    assert sum(v["support"] for v in summary["intents"].values()) == 30
    assert 0 < summary["accuracy"] <= 1 and 0 < summary["macro_f1"] <= 1
    html = (out / "index.html").read_text()
    assert re.search(r"<(link|script)[^>]+(href|src)=", html) is None, "the report must be self-contained"
    assert '<svg class="chart"' in html and 'id="per-intent"' in html
    assert 'id="comparison"' in html and "removed" in html and "new" in html


def test_analytics_report(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    fill_store(db)
    endpoints = write_endpoints(tmp_path / "endpoints.yml", db)
    out = tmp_path / "reports" / "analytics"
    proc = workbench("analytics", "--endpoints", str(endpoints), "--out", str(out), timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # The report holds what users wrote: owner-only, whatever the caller's umask.
    assert {stat.S_IMODE(d.stat().st_mode) for d in (out, out.parent)} == {0o700}
    assert {stat.S_IMODE(f.stat().st_mode) for f in out.iterdir()} == {0o600}
    html = (out / "index.html").read_text()
    assert html.count('<svg class="chart"') >= 8 and "<link" not in html
    figures = json.loads((out / "analytics.json").read_text())
    assert figures["conversations"] == 26 and set(figures["per_channel"]) == {"rest", "web", "slack", "telegram"}
    # without a tracker store configured: a clear message, not a crash
    (tmp_path / "none.yml").write_text("action_endpoint:\n  url: http://127.0.0.1:1/webhook\n")
    proc = workbench("analytics", "--endpoints", str(tmp_path / "none.yml"), "--out", str(tmp_path / "x"), timeout=300)
    assert proc.returncode == 1 and "configures no tracker_store" in proc.stderr


def test_lint_on_the_projects_data() -> None:
    proc = workbench("lint", timeout=120)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert re.search(r"lint: 0 error\(s\)", proc.stdout)
