"""The trained model loads without skops and without training its CRF again (components/intent_lr.py,
components/crf_lean.py), and parses exactly as the same model with its CRF trained from the stored data at
load time, Rasa's way. A fresh interpreter each: what is imported is part of the check. (The classifier's
arrays against scikit-learn's own object: tests/unit/test_lean_components.py.)"""
from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any, Dict, List

from tests.support.stack import ROOT, model_path

TEXTS = [
    "how long is the csm test?", "what does the cspo cost", "I'm a business analyst, which one suits me?",
    "is the product owner course live?", "and for the cspo?", "hi", "who issues the a-csm",
    "I manage a team of developers, which cert is right for me?", "how many seus do i need to renew my csm",
    "forget me", "can I talk to a person", "what about scrum.org's psm?",
]

PARSE = """
import asyncio, json, sys
import sklearn_crfsuite
def no_training(*args, **kwargs):
    raise AssertionError("the CRF was trained at load time")
if sys.argv[2] == "lean":
    sklearn_crfsuite.CRF.fit = no_training
from rasa.core.agent import Agent
agent = Agent.load(sys.argv[1])
texts = json.loads(sys.argv[3])
out = [asyncio.run(agent.parse_message(t)) for t in texts]
print(json.dumps({"skops": "skops" in sys.modules,
                  "parses": [[p["intent"]["name"], p["intent"]["confidence"],
                              [[e["entity"], e["value"], e.get("confidence_entity")] for e in p["entities"]]]
                             for p in out]}))
"""


def run_parse(model: Path, mode: str, texts: List[str]) -> "subprocess.CompletedProcess[str]":
    return subprocess.run([sys.executable, "-c", PARSE, str(model), mode, json.dumps(texts)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                                                                  "TF_CPP_MIN_LOG_LEVEL": "3"})


def parse(model: Path, mode: str) -> Dict[str, Any]:
    done = run_parse(model, mode, TEXTS)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def rasa_s_way(model: Path, out: Path) -> List[str]:
    """The same model without the stored CRFs (so the CRF is trained at load); returns the names removed."""
    removed = []
    with tarfile.open(model) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            name = Path(member.name).name
            if name.endswith(".crfsuite"):
                removed.append(name)
                continue
            dst.addfile(member, src.extractfile(member) if member.isfile() else None)
    return removed


def test_the_model_loads_lean_and_parses_as_rasa_s_own_loading_does(tmp_path: Path) -> None:
    model = model_path()
    plain = tmp_path / "rasa-way.tar.gz"
    removed = rasa_s_way(model, plain)
    assert removed and all(n.endswith(".crfsuite") for n in removed), removed
    lean, rasa = parse(model, "lean"), parse(plain, "rasa")
    assert not lean["skops"], "the lean load imports no skops"
    assert len(lean["parses"]) == len(TEXTS)
    for text, mine, theirs in zip(TEXTS, lean["parses"], rasa["parses"], strict=True):
        assert mine[0] == theirs[0] and abs(mine[1] - theirs[1]) < 1e-9, text
        assert [e[:2] for e in mine[2]] == [e[:2] for e in theirs[2]], text
        assert all(abs(a[2] - b[2]) < 1e-9 for a, b in zip(mine[2], theirs[2], strict=True)), text


def test_a_model_without_the_classifier_s_arrays_is_refused_with_a_way_out(tmp_path: Path) -> None:
    """Never Rasa's .skops file (its trusted-type check has known bypasses, SECURITY.md): a model without
    the arrays, as an older version trained it, is refused with what to do."""
    old = tmp_path / "old.tar.gz"
    with tarfile.open(model_path()) as src, tarfile.open(old, "w:gz") as dst:
        for member in src.getmembers():
            if not Path(member.name).name.startswith("lr_"):
                dst.addfile(member, src.extractfile(member) if member.isfile() else None)
    done = run_parse(old, "rasa", TEXTS[:1])
    assert done.returncode != 0 and "train it again (make train)" in done.stderr, done.stderr[-1500:]
