"""docs/answers.md lists every rule the answer planner can decide by: a trainer reading a trace's `rule` in the
workbench finds what it means there (the rule names live in actions/planner*.py; this test keeps the two in step)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def planner_rules() -> set:
    source = "\n".join(p.read_text() for p in sorted((ROOT / "actions").glob("planner*.py")))
    return set(re.findall(r'Decision\(\s*[A-Z_]+,\s*"([a-z_]+)"', source)) | set(re.findall(r'rule="([a-z_]+)"', source))


def test_every_rule_of_the_planner_is_explained_in_the_docs() -> None:
    rules = planner_rules()
    assert len(rules) > 20, rules  # the pattern still finds the planner's rules
    docs = (ROOT / "docs" / "answers.md").read_text()
    assert sorted(r for r in rules if f"`{r}`" not in docs) == []
