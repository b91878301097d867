"""Scores the advisor on an independent fact set (tests/facts/independent-*.yml, written from
../shared/reference/ alone by someone who never saw knowledge/ or data/): each question in a new REST
conversation (its `previous` messages first), the reply's first 300 characters against the set's regexes.

    python scripts/score_facts.py tests/facts/independent-1.yml --url http://127.0.0.1:5005 [--out f.json]

The four figures (issue 20): right fact first (answerable), wrong fact (of all), honest "not known"
(unanswerable), abstained although known (answerable). A reply counts as
- right: every `right` regex matches and no `wrong` one does;
- wrong: a `wrong` regex matches, or (answerable) it is not right, not an abstention and cites a source;
- abstained: it says it does not know / it is not published (ABSTAIN below) without being right.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

import requests
import yaml

FIRST = 300
ABSTAIN = re.compile(
    r"(not|n't) (published|something I|in (my|the) (knowledge|information|sources?))|I don't (know|have)|"
    r"I do not (know|have)|can't (say|tell)|cannot (say|tell)|no (official|published) (figure|number|data|rate)|"
    r"isn't published|is not published|don't have (that|this|a reliable)", re.IGNORECASE)


def ask(url: str, sender: str, text: str) -> str:
    r = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    r.raise_for_status()
    return "\n".join(m.get("text") or "" for m in r.json())


def judge(question: Dict[str, Any], reply: str) -> str:
    head = reply[:FIRST]
    right = all(re.search(p, head, re.IGNORECASE) for p in question["right"])
    wrong = any(re.search(p, head, re.IGNORECASE) for p in question.get("wrong") or [])
    if wrong:
        return "wrong"
    if right:
        return "right"
    if ABSTAIN.search(head):
        return "abstained"
    if question["kind"] != "unanswerable" and "Source:" in reply:
        return "wrong"
    return "other"


def score(path: Path, url: str) -> Dict[str, Any]:
    questions: List[Dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    rows = []
    for q in questions:
        sender = f"score-{uuid.uuid4().hex[:12]}"
        for earlier in q.get("previous") or []:
            ask(url, sender, earlier)
        reply = ask(url, sender, q["text"])
        rows.append({"id": q["id"], "kind": q["kind"], "verdict": judge(q, reply), "text": q["text"],
                     "reply": reply[:FIRST]})
    answerable = [r for r in rows if r["kind"] == "answerable"]
    unanswerable = [r for r in rows if r["kind"] == "unanswerable"]
    followups = [r for r in rows if r["kind"] == "followup"]

    def share(rs: List[Dict[str, Any]], verdict: str) -> float:
        return round(sum(r["verdict"] == verdict for r in rs) / max(len(rs), 1), 3)

    return {
        "set": path.name, "questions": len(rows),
        "counts": {k: dict(Counter(r["verdict"] for r in rs)) for k, rs in
                   (("answerable", answerable), ("unanswerable", unanswerable), ("followup", followups))},
        "right_first": share(answerable, "right"),
        "wrong_of_all": round(sum(r["verdict"] == "wrong" for r in rows) / max(len(rows), 1), 3),
        "honest_not_known": share(unanswerable, "right"),
        "abstained_when_known": share(answerable, "abstained"),
        "followups_right": share(followups, "right"),
        "rows": rows,
    }


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    result = score(args.set, args.url)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
