"""One summary of the test shards `make test` runs at once (scripts/test.sh): the counts, the failures
and the 15 slowest tests of them all, from each shard's JUnit XML (reports/test/shard-K.xml).

    python scripts/test_report.py reports/test/shard-*.xml            the summary
    python scripts/test_report.py --seconds reports/test/shard-*.xml  also rewrite tests/file-seconds.json,
                                                                    which balances the shards (tests/conftest.py)
"""
from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
SECONDS = ROOT / "tests" / "file-seconds.json"
SLOWEST = 15


@dataclass(frozen=True)
class Case:
    file: str  # tests/e2e/test_web.py
    name: str
    seconds: float
    outcome: str  # passed, failed, error, skipped


def cases(path: Path) -> List[Case]:
    out = []
    for tc in ET.parse(path).getroot().iter("testcase"):
        module = (tc.get("classname") or "").split(".")
        # classname "tests.e2e.test_web" or "tests.e2e.test_web.TestClass"
        file = "/".join(module[:3]) + ".py" if len(module) >= 3 else ".".join(module)
        outcome = "passed"
        for child in tc:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed"}.get(child.tag, child.tag)
        out.append(Case(file, tc.get("name") or "", float(tc.get("time") or 0.0), outcome))
    return out


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("xml", nargs="+", type=Path)
    parser.add_argument("--seconds", action="store_true", help=f"rewrite {SECONDS.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    found: List[Case] = []
    for path in args.xml:
        try:
            found += cases(path)
        except (OSError, ET.ParseError) as e:
            print(f"{path}: no results ({e})")
    counts = Counter(c.outcome for c in found)
    print(f"slowest {SLOWEST} tests of all shards (setup, call and teardown together):")
    for c in sorted(found, key=lambda c: -c.seconds)[:SLOWEST]:
        print(f"  {c.seconds:6.1f}s  {c.file}::{c.name}")
    print("all shards: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    for c in found:
        if c.outcome in ("failed", "error"):
            print(f"  {c.outcome.upper()} {c.file}::{c.name}")
    if args.seconds and found:
        per: Dict[str, float] = {}
        for c in found:
            per[c.file] = per.get(c.file, 0.0) + c.seconds
        data = json.loads(SECONDS.read_text()) if SECONDS.exists() else {}
        data["seconds"] = {f: round(s, 1) for f, s in sorted(per.items()) if s >= 1.0}
        SECONDS.write_text(json.dumps(data, indent=1) + "\n")
        print(f"{SECONDS.relative_to(ROOT)}: {len(data['seconds'])} files of 1 s or more")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
