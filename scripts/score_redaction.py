"""Measures advisor/redaction.py on a set of messages (tests/redaction/messages.yml by default): precision and
recall per kind and overall, and every false redaction and every miss.

    PYTHONPATH=. .venv/bin/python scripts/score_redaction.py [--set FILE] [--show]

A span counts as found only when the kind and the exact substring match (a span cut short or too long is
one miss and one false redaction). `protected false redactions` are false redactions in a message tagged
price, duration, score or count: each one is a bug (a number the advisor needs was replaced).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from advisor.redaction import KINDS, redact  # noqa: E402

SETS = {"main": ROOT / "tests" / "redaction" / "messages.yml",
        "heldout": ROOT / "tests" / "redaction" / "messages-heldout.yml",
        "heldout2": ROOT / "tests" / "redaction" / "messages-heldout-2.yml"}
PROTECTED_TAGS = frozenset({"price", "duration", "score", "count"})
TAGS = PROTECTED_TAGS | {"year", "date", "version", "code", "fact"}


@dataclass(frozen=True)
class Message:
    text: str
    redact: Tuple[Tuple[str, str], ...]
    tags: Tuple[str, ...]


class SetError(ValueError):
    pass


def load_set(path: Path) -> List[Message]:
    """The messages of `path`, checked: known kinds and tags, every span a substring of its message."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise SetError(f"{path}: needs a list `messages`")
    messages = []
    for i, item in enumerate(data["messages"]):
        where = f"{path}: messages[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"]:
            raise SetError(f"{where}: needs a non-empty `text`")
        unknown = set(item) - {"text", "redact", "tags"}
        if unknown:
            raise SetError(f"{where}: unknown keys {sorted(unknown)}")
        spans = []
        for span in item.get("redact") or []:
            if not (isinstance(span, list) and len(span) == 2 and span[0] in KINDS and isinstance(span[1], str)):
                raise SetError(f"{where}: each of `redact` is [kind, substring] with kind one of {KINDS}, not {span!r}")
            if span[1] not in item["text"]:
                raise SetError(f"{where}: {span[1]!r} is not in the text {item['text']!r}")
            spans.append((span[0], span[1]))
        tags = tuple(item.get("tags") or ())
        if set(tags) - TAGS:
            raise SetError(f"{where}: unknown tags {sorted(set(tags) - TAGS)} (known: {sorted(TAGS)})")
        messages.append(Message(item["text"], tuple(spans), tags))
    return messages


def expected_spans(message: Message) -> List[Tuple[str, int, int]]:
    out: List[Tuple[str, int, int]] = []
    for kind, sub in message.redact:
        start = message.text.find(sub)
        while (kind, start, start + len(sub)) in out:
            start = message.text.find(sub, start + 1)
        out.append((kind, start, start + len(sub)))
    return out


@dataclass
class Score:
    tp: Dict[str, int] = field(default_factory=lambda: {k: 0 for k in KINDS})
    fp: Dict[str, int] = field(default_factory=lambda: {k: 0 for k in KINDS})
    fn: Dict[str, int] = field(default_factory=lambda: {k: 0 for k in KINDS})
    false_redactions: List[Tuple[str, str, str]] = field(default_factory=list)  # (kind, substring, message)
    misses: List[Tuple[str, str, str]] = field(default_factory=list)
    protected_false: List[Tuple[str, str, str]] = field(default_factory=list)
    messages: int = 0

    @staticmethod
    def _ratio(good: int, bad: int) -> float:
        return good / (good + bad) if good + bad else 1.0

    def precision(self, kind: str = "") -> float:
        kinds = [kind] if kind else list(KINDS)
        return self._ratio(sum(self.tp[k] for k in kinds), sum(self.fp[k] for k in kinds))

    def recall(self, kind: str = "") -> float:
        kinds = [kind] if kind else list(KINDS)
        return self._ratio(sum(self.tp[k] for k in kinds), sum(self.fn[k] for k in kinds))


def score(messages: List[Message]) -> Score:
    result = Score(messages=len(messages))
    for message in messages:
        expected = set(expected_spans(message))
        found = {(s.kind, s.start, s.end) for s in redact(message.text).found}
        for kind, start, end in found:
            if (kind, start, end) in expected:
                result.tp[kind] += 1
            else:
                result.fp[kind] += 1
                entry = (kind, message.text[start:end], message.text)
                result.false_redactions.append(entry)
                if PROTECTED_TAGS & set(message.tags):
                    result.protected_false.append(entry)
        for kind, start, end in expected - found:
            result.fn[kind] += 1
            result.misses.append((kind, message.text[start:end], message.text))
    return result


def report(result: Score, show: bool = True) -> str:
    lines = [f"{result.messages} messages", f"{'kind':<8} {'expected':>8} {'found':>6} {'precision':>9} {'recall':>7}"]
    for kind in (*KINDS, ""):
        kinds = [kind] if kind else list(KINDS)
        expected = sum(result.tp[k] + result.fn[k] for k in kinds)
        found = sum(result.tp[k] + result.fp[k] for k in kinds)
        lines.append(f"{kind or 'overall':<8} {expected:>8} {found:>6} "
                     f"{result.precision(kind):>9.3f} {result.recall(kind):>7.3f}")
    lines.append(f"false redactions: {len(result.false_redactions)} (of prices, durations, scores, counts: "
                 f"{len(result.protected_false)})")
    if show:
        lines += [f"  [{k}] {sub!r} in {text!r}" for k, sub, text in result.false_redactions]
    lines.append(f"misses: {len(result.misses)}")
    if show:
        lines += [f"  [{k}] {sub!r} in {text!r}" for k, sub, text in result.misses]
    return "\n".join(lines)


def main(argv: Any = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", default="main", help="main, heldout, heldout2 or a path to a set file")
    parser.add_argument("--quiet", action="store_true", help="figures only, no lists")
    args = parser.parse_args(argv)
    path = SETS.get(args.set) or Path(args.set)
    print(report(score(load_set(path)), show=not args.quiet))
    return 0


if __name__ == "__main__":
    sys.exit(main())
