"""Measures how the recommendation form reads free-text answers (tests/form/free_text_answers.yml) with
the real NLU model and the form's own answer logic (actions/profile.py, as validate_recommendation_form
calls it).

    PYTHONPATH=. .venv/bin/python scripts/score_form_answers.py [MODEL] [--set FILE] [--show]

Each line is one message sent while the form waits for `slot`. Verdicts:
- right: the slot gets the expected value (a `question` line: the message is left to the knowledge
  rule, nothing is filled);
- asked back: the expected focus is inferred but asked back as yes/no before it counts;
- unclear: nothing is filled and the question is asked again;
- wrong: another value, an answer taken as a new question, or a question taken as an answer.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Mapping

import yaml

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "tests" / "form" / "free_text_answers.yml"
VERDICTS = ("right", "asked back", "unclear", "wrong")


def load(path: Path = ANSWERS) -> List[Dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["answers"])


def verdict(item: Mapping[str, Any], parse: Mapping[str, Any]) -> str:
    """What the form makes of one message, as its validation action does."""
    from actions.action_recommend import read_reply
    from actions.recommender import get_rules

    slot = str(item["slot"])
    _, extraction, decision = read_reply(dict(parse), slot, None, 0, get_rules())
    expected = item["expect"]
    if expected == "question":
        return "right" if decision.reject else "wrong"
    if decision.reject:
        return "wrong"
    if slot in decision.slots and not decision.gave_up_on:
        return "right" if decision.slots[slot] == expected else "wrong"
    if slot == "preferred_focus" and extraction.focus_guess == expected:
        return "asked back"
    return "unclear"


def score(model: str, items: List[Dict[str, Any]]) -> List[str]:
    from scripts.measure_facts import parse_all

    parses = parse_all(model, [str(i["text"]) for i in items])
    return [verdict(i, p) for i, p in zip(items, parses, strict=True)]


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", nargs="?")
    ap.add_argument("--set", default=str(ANSWERS))
    ap.add_argument("--show", action="store_true", help="print every line with its verdict")
    args = ap.parse_args(argv)
    from tests.support.stack import model_path

    model = args.model or str(model_path())
    items = load(Path(args.set))
    verdicts = score(model, items)
    if args.show:
        for item, v in zip(items, verdicts, strict=True):
            print(f"{v:10s} {item['slot']:21s} {str(item['expect']):13s} {item['text']}")
    counts = Counter(verdicts)
    for group, members in (("answers", [v for i, v in zip(items, verdicts, strict=True) if i["expect"] != "question"]),
                           ("questions", [v for i, v in zip(items, verdicts, strict=True) if i["expect"] == "question"])):
        c = Counter(members)
        print(f"{group:9s} " + "  ".join(f"{k} {c[k]}" for k in VERDICTS) + f"  ({c['right']}/{len(members)} right)")
    print(f"all       read right {counts['right']}/{len(items)} = {counts['right'] / len(items):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
