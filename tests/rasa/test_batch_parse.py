"""The NLU tests parse thousands of texts in batches (scripts/measure_facts.parse_all): one run of the
graph over many messages. That is only a shortcut if it gives what Rasa's own path gives one message
at a time, for every kind of text the sets hold (fallbacks, several entities, empty and odd input)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List

import yaml

from scripts.measure_facts import parse_all, parse_one_at_a_time
from tests.support.stack import model_path

ROOT = Path(__file__).resolve().parents[2]


def _texts() -> List[str]:
    texts: List[str] = []
    for path in sorted((ROOT / "tests" / "facts").glob("independent-*.yml")):
        if path.name.endswith("-ideal.yml"):
            continue
        for q in yaml.safe_load(path.read_text())["questions"]:
            texts += list(q.get("previous") or []) + [q["text"]]
    # every 25th text of the sets, and input the sets do not hold
    return list(dict.fromkeys(texts))[::25] + ["", "   ", "/greet", "?" * 40, "CSM CSPO PSM A-CSM " * 30, "🙂"]


def _same(parse: Any) -> str:
    return json.dumps(parse, sort_keys=True, default=str)


def test_parsing_in_batches_gives_what_rasa_gives_one_message_at_a_time() -> None:
    texts = _texts()
    assert len(texts) > 400
    batched = parse_all(str(model_path()), texts, batch=64)
    single = parse_one_at_a_time(str(model_path()), texts)
    assert len(batched) == len(single) == len(texts)
    differ = [t for t, b, s in zip(texts, batched, single, strict=True) if _same(b) != _same(s)]
    assert differ == [], differ[:5]
    # the comparison sees a difference when there is one
    assert _same(batched[0]) != _same(single[1])
