"""Why this answer: the answer planner's trace, kept in a bot event's metadata (`answer_trace`), as the transcript
shows it under the reply. A trace is data from the store: any shape is tolerated (unknown keys are listed, wrong
types dropped, lengths bounded); escaping is the templates' (Jinja2 autoescape), `visible` shows control characters.

The planner writes `{"decision", "rule", "fact", "topic", "certifications", "candidates": [{"id", "score"}], "asks"}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Tuple

TRACE_KEY = "answer_trace"
KNOWN_TRACE_KEYS = ("decision", "rule", "fact", "topic", "certifications", "candidates", "asks")
MAX_TEXT = 300
MAX_CANDIDATES = 10
MAX_OTHER = 10


def text(value: Any, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    s = value if isinstance(value, str) else repr(value)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def score(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(str(value))
        except (TypeError, ValueError):
            return None
    f = float(value)
    return f if f == f and abs(f) != float("inf") else None  # not NaN or infinite


@dataclass(frozen=True)
class Candidate:
    id: str
    score: Optional[float]


@dataclass(frozen=True)
class TraceView:
    """A trace as the transcript shows it: the known fields as text, the other non-empty ones (the planner's
    neighbours, unknown, nearest, role, polarity…) listed as key = value."""

    decision: str = ""
    rule: str = ""
    fact: str = ""
    topic: str = ""
    certifications: Tuple[str, ...] = ()
    candidates: Tuple[Candidate, ...] = ()
    asks: str = ""
    other: Tuple[Tuple[str, str], ...] = ()

    @property
    def about(self) -> str:
        """What the answer was: `fact:<id>`, `topic:<name>`, or nothing."""
        return f"fact:{self.fact}" if self.fact else f"topic:{self.topic}" if self.topic else ""


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, tuple, dict)) and not value)


def _listed(value: Any) -> Any:
    """A list of plain values as "a, b"; anything else as it is."""
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value)
    return value


def trace_view(raw: Any) -> Optional[TraceView]:
    """The trace of a bot event's metadata, whatever its shape; None when there is none."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        return TraceView(other=(("trace", text(raw)),))
    certs = raw.get("certifications")
    certifications = tuple(text(c, 40) for c in certs[:10]) if isinstance(certs, (list, tuple)) else (
        (text(certs, 40),) if certs else ())
    candidates: List[Candidate] = []
    raw_candidates = raw.get("candidates")
    for c in raw_candidates[:MAX_CANDIDATES] if isinstance(raw_candidates, (list, tuple)) else ():
        if isinstance(c, Mapping) and c.get("id") is not None:
            candidates.append(Candidate(text(c.get("id"), 80), score(c.get("score"))))
        elif isinstance(c, (list, tuple)) and len(c) == 2:  # [id, score]
            candidates.append(Candidate(text(c[0], 80), score(c[1])))
    other = tuple((text(k, 40), text(_listed(v))) for k, v in list(raw.items())[:50]
                  if k not in KNOWN_TRACE_KEYS and not _empty(v))[:MAX_OTHER]
    return TraceView(
        decision=text(raw.get("decision"), 40),
        rule=text(raw.get("rule"), 120),
        fact=text(raw.get("fact"), 80),
        topic=text(raw.get("topic"), 80),
        certifications=certifications,
        candidates=tuple(candidates),
        asks=text(raw.get("asks"), 80),
        other=other,
    )


def bot_trace(event: Mapping[str, Any]) -> Optional[TraceView]:
    metadata = event.get("metadata")
    return trace_view(metadata.get(TRACE_KEY)) if isinstance(metadata, Mapping) else None
