"""Answers marked wrong: the 👍/👎 votes stored in conversations (actions/feedback.py: SlotSet events of
`answer_feedback`), each with the answer it is about and that answer's trace, and the counts per fact or topic.

Pure functions over the event dicts of the tracker store. A vote is data from the store: any shape is
tolerated (wrong types dropped, lengths bounded); escaping is the templates'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from workbench.conversations import Conversation
from workbench.trace import TraceView, bot_trace, score, text

REF_KEY = "answer_ref"
SLOT = "answer_feedback"


# --- votes ------------------------------------------------------------------------------------------
@dataclass
class Vote:
    conversation_id: str
    timestamp: float
    vote: str  # "up" / "down"
    ref: str  # "fact:<id>", "topic:<name>", or "" when the vote followed no answer
    question: str
    answer_event: Optional[float]
    answer: str = ""  # the bot's reply the vote is about, as stored
    trace: Optional[TraceView] = None
    comments: List[str] = field(default_factory=list)

    @property
    def fact_id(self) -> str:
        return self.ref[5:] if self.ref.startswith("fact:") else ""


@dataclass(frozen=True)
class Tally:
    ref: str
    up: int
    down: int


def _answer_of(events: Sequence[Mapping[str, Any]], ts: Optional[float], ref: str) -> Tuple[str, Optional[TraceView]]:
    if ts is None:
        return "", None
    for e in events:
        if e.get("event") != "bot" or score(e.get("timestamp")) != ts:
            continue
        metadata = e.get("metadata")
        if ref and isinstance(metadata, Mapping) and metadata.get(REF_KEY) not in (None, ref):
            continue
        return text(e.get("text"), 4000), bot_trace(e)
    return "", None


def votes_of(conv: Conversation) -> List[Vote]:
    """A conversation's votes in order, each 👎 with the comments given for it; a vote stored twice (a new
    session carries the slot's last value over) counts once."""
    out: List[Vote] = []
    seen: set = set()
    by_answer: Dict[Tuple[str, Optional[float]], Vote] = {}
    for e in conv.events:
        if e.get("event") != "slot" or e.get("name") != SLOT or not isinstance(e.get("value"), Mapping):
            continue
        v = e["value"]
        kind = v.get("vote") if v.get("vote") in ("up", "down") else None
        if kind is None:
            continue
        ref = text(v.get("ref"), 120) if isinstance(v.get("ref"), str) else ""
        answer_event = score(v.get("answer_event"))
        comment = text(v.get("comment"), 1000) if isinstance(v.get("comment"), str) and v.get("comment") else None
        key = (kind, ref, answer_event, comment)
        if key in seen:
            continue
        seen.add(key)
        if comment is not None:
            target = by_answer.get((ref, answer_event))
            if target is not None and comment not in target.comments:
                target.comments.append(comment)
                continue
        answer, trace = _answer_of(conv.events, answer_event, ref)
        vote = Vote(conv.id, score(e.get("timestamp")) or 0.0, kind, ref,
                    text(v.get("question"), 1000) if isinstance(v.get("question"), str) else "",
                    answer_event, answer, trace, [comment] if comment else [])
        out.append(vote)
        if kind == "down":
            by_answer[(ref, answer_event)] = vote
    return out


def all_votes(convs: Sequence[Conversation]) -> List[Vote]:
    return [v for c in convs for v in votes_of(c)]


def marked_wrong(votes: Sequence[Vote]) -> List[Vote]:
    """Every 👎, newest first."""
    return sorted((v for v in votes if v.vote == "down"), key=lambda v: v.timestamp, reverse=True)


def tally(votes: Sequence[Vote]) -> List[Tally]:
    """👍 and 👎 per fact or topic, the most 👎 first."""
    counts: Dict[str, List[int]] = {}
    for v in votes:
        c = counts.setdefault(v.ref, [0, 0])
        c[0 if v.vote == "up" else 1] += 1
    return sorted((Tally(ref, up, down) for ref, (up, down) in counts.items()), key=lambda t: (-t.down, -t.up, t.ref))


def suggested_fact(vote: Vote, fact_ids: Sequence[str]) -> str:
    """The fact a trainer most likely adds the question to: the best candidate of the trace that is not the
    fact given (it was wrong), else the fact given, else the first fact."""
    given = vote.fact_id
    for c in (vote.trace.candidates if vote.trace else ()):
        if c.id in fact_ids and c.id != given:
            return c.id
    if given in fact_ids:
        return given
    return fact_ids[0] if fact_ids else ""
