"""Every statement of ../shared/reference/certification-facts.md is addressable as a fact (issue 20):
tests/facts/coverage.yml maps each reference bullet to the facts (or neighbour descriptions) that state
it, and each mapping is checked against what those facts actually say."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from actions.facts import facts_from_knowledge
from actions.knowledge_base import Knowledge, get_knowledge
from actions.neighbours import neighbours_from_knowledge

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference" / "certification-facts.md"
COVERAGE = ROOT / "tests" / "facts" / "coverage.yml"


def _bullets() -> List[str]:
    return [m.group(1).strip() for m in re.finditer(r"^\s*- (.+)$", REFERENCE.read_text(encoding="utf-8"), re.M)]


def _texts(kb: Knowledge) -> Dict[str, str]:
    """What each addressable id says: facts' answers, neighbours' descriptions, the scope line."""
    texts = {f.id: f.answer for f in facts_from_knowledge(kb).facts.values()}
    book = neighbours_from_knowledge(kb)
    for key, n in book.entries.items():
        texts[f"neighbour:{key}"] = f"{n.name} {n.what} {n.relation} {n.source.url or ''}"
    texts["neighbour_reply"] = book.scope
    return texts


@pytest.fixture(scope="module")
def coverage() -> List[Dict[str, Any]]:
    return list(yaml.safe_load(COVERAGE.read_text(encoding="utf-8"))["bullets"])


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared/reference is not beside the repository")
def test_every_reference_bullet_is_mapped(coverage: List[Dict[str, Any]]) -> None:
    mapped = [c["bullet"] for c in coverage]
    missing = [b for b in _bullets() if not any(b.startswith(m) for m in mapped)]
    assert not missing, f"reference bullets with no fact in tests/facts/coverage.yml: {missing}"
    stale = [m for m in mapped if not any(b.startswith(m) for b in _bullets())]
    assert not stale, f"coverage.yml lists bullets the reference no longer has: {stale}"


def _problems(coverage: List[Dict[str, Any]], texts: Dict[str, str]) -> List[str]:
    problems = []
    for bullet in coverage:
        for st in bullet["statements"]:
            unknown = [f for f in st["facts"] if f not in texts]
            if unknown:
                problems.append(f"{st['what']}: no such fact {unknown}")
                continue
            if not any(all(re.search(p, texts[f], re.I) for p in st["states"]) for f in st["facts"]):
                problems.append(f"{st['what']}: none of {st['facts']} states {st['states']}")
    return problems


def test_every_statement_is_stated_by_a_fact_it_names(coverage: List[Dict[str, Any]]) -> None:
    problems = _problems(coverage, _texts(get_knowledge()))
    assert not problems, "\n".join(problems)


def test_the_check_fails_on_a_fact_that_drops_its_number(coverage: List[Dict[str, Any]]) -> None:
    """The statement check is real: an answer that loses its figure, or a fact that disappears, fails it."""
    texts = _texts(get_knowledge())
    texts["csm_retake_cost"] = "After two free attempts, each further attempt costs a fee."
    assert any("25 USD" in p for p in _problems(coverage, texts))
    del texts["seu_window"]
    assert any("no such fact ['seu_window']" in p for p in _problems(coverage, texts))
