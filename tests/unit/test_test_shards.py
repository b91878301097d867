"""`make test` runs the suite in groups of test files at once (scripts/test.sh): the groups are balanced
by the measured seconds per file (tests/file-seconds.json), every file is in exactly one, and one report
sums them up (scripts/test_report.py)."""
from __future__ import annotations

import json
from pathlib import Path

from scripts import test_report
from tests.conftest import file_seconds, shards

ROOT = Path(__file__).resolve().parents[2]


def test_every_file_in_one_group_and_the_groups_balanced_by_measured_seconds() -> None:
    measured = file_seconds()
    assert len(measured) >= 20 and all(f.startswith("tests/") and f.endswith(".py") for f in measured)
    assert all((ROOT / f).exists() for f in measured), "tests/file-seconds.json names a file that is gone"
    counts = {f: 3 for f in measured} | {"tests/unit/test_new_one.py": 40}  # not measured: 0.1 s a test
    for n in (2, 3):
        group = shards(counts, n)
        assert set(group) == set(counts) and set(group.values()) == set(range(n))
        loads = [sum(measured.get(f, 0.1 * c) for f, c in counts.items() if group[f] == i) for i in range(n)]
        assert max(loads) - min(loads) <= max(measured.values()), loads
        assert shards(counts, n) == group  # the same split every time


def test_the_report_sums_up_every_groups_xml(tmp_path: Path, capsys: object) -> None:
    for k, cases in enumerate((
        '<testcase classname="tests.unit.test_a" name="test_one" time="1.5"/>'
        '<testcase classname="tests.e2e.test_b" name="test_slow" time="30.0"><failure message="x"/></testcase>',
        '<testcase classname="tests.e2e.test_b" name="test_skip" time="0.0"><skipped/></testcase>',
    ), start=1):
        (tmp_path / f"shard-{k}.xml").write_text(f'<testsuites><testsuite name="pytest">{cases}</testsuite></testsuites>')
    (tmp_path / "shard-3.xml").write_text("<testsuites><unfinished")  # a group killed before it wrote its XML
    found = test_report.cases(tmp_path / "shard-1.xml")
    assert [(c.file, c.outcome) for c in found] == [("tests/unit/test_a.py", "passed"), ("tests/e2e/test_b.py", "failed")]
    assert test_report.main([str(p) for p in sorted(tmp_path.glob("*.xml"))]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    lines = out.splitlines()
    assert "30.0s  tests/e2e/test_b.py::test_slow" in lines[lines.index(next(x for x in lines if x.startswith("slowest"))) + 1]
    assert "all shards: 1 failed, 1 passed, 1 skipped" in out and "FAILED tests/e2e/test_b.py::test_slow" in out
    assert "shard-3.xml: no results" in out


def test_the_seconds_file_says_how_it_is_made() -> None:
    data = json.loads((ROOT / "tests" / "file-seconds.json").read_text())
    assert "scripts/test_report.py --seconds" in data["_comment"]
