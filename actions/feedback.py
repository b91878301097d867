"""Users flag what's wrong: the 👍/👎 under fact and topic answers, and what a vote is about.

Pure: plain data in, plain data out (no Rasa here), so every rule is tested on hand-made events.

- A reply with ``feedback`` ("fact:<id>" / "topic:<name>") gets two more buttons, whose payloads are the
  intents ``/feedback_helpful`` and ``/feedback_wrong``, and the bot event carries the reference in its
  metadata (``answer_ref``) next to the planner's ``answer_trace``. Every channel renders the buttons it
  gets (widget quick replies, REST buttons, Slack Block Kit, a Telegram inline keyboard).
- A vote never trusts its payload: what it is about is read from the conversation, the bot event with an
  ``answer_ref`` that the vote directly follows, and the question is the user message it replied to.
- Each vote and each comment is stored as a ``SlotSet`` of the unfeaturised slot ``answer_feedback``:
  ``{"vote": "up"|"down", "ref": ..., "question": ..., "answer_event": <bot event timestamp>}``, plus
  ``"comment"`` for what the user said they were looking for after a 👎.

Button titles: ``knowledge/feedback.yml``; what the bot says: ``utter_feedback_*`` in domain.yml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from actions.knowledge_base import Knowledge, KnowledgeError, get_knowledge
from actions.render import Button, Reply

HELPFUL_INTENT = "feedback_helpful"
WRONG_INTENT = "feedback_wrong"
VOTE_INTENTS = {HELPFUL_INTENT: "up", WRONG_INTENT: "down"}
SLOT = "answer_feedback"  # every vote and comment, as stored events
COMMENT_SLOT = "feedback_comment"  # the feedback form's one question (reset before each 👎)
FORM = "feedback_form"
REF_KEY = "answer_ref"  # bot event metadata: what a vote under this reply is about
TRACE_KEY = "answer_trace"  # bot event metadata: why this answer (actions.planner)
MAX_COMMENT = 1000
MAX_QUESTION = 1000
# Replies to "what were you looking for?" that are not a comment but a "no thanks".
DECLINING_INTENTS = frozenset({"deny", "stop", "goodbye"})
_REF = re.compile(r"(fact|topic):[A-Za-z0-9_.-]{1,80}")


@dataclass(frozen=True)
class FeedbackLabels:
    helpful: str
    wrong: str

    def buttons(self) -> List[Button]:
        return [Button(self.helpful, f"/{HELPFUL_INTENT}"), Button(self.wrong, f"/{WRONG_INTENT}")]


def labels_from_knowledge(kb: Knowledge) -> FeedbackLabels:
    file = kb.extra_files.get("feedback", "knowledge/feedback.yml")
    raw = kb.extra.get("feedback")
    if not isinstance(raw, dict):
        raise KnowledgeError(file, "feedback", "expected a mapping with the button titles `helpful` and `wrong`")
    titles: Dict[str, str] = {}
    for key in ("helpful", "wrong"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise KnowledgeError(file, f"feedback.{key}", "expected a non-empty text (the button's title)")
        titles[key] = value.strip()
    return FeedbackLabels(**titles)


@lru_cache(maxsize=1)
def get_feedback_labels() -> FeedbackLabels:
    return labels_from_knowledge(get_knowledge())


def is_ref(value: Any) -> bool:
    return isinstance(value, str) and bool(_REF.fullmatch(value))


def outgoing(reply: Reply, labels: Optional[FeedbackLabels]) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
    """The buttons and the bot event metadata of a reply: the vote buttons after its own buttons, and
    ``answer_ref`` / ``answer_trace`` when it has them. ``labels`` is needed only when the reply has a
    ``feedback`` reference."""
    buttons = [b.as_dict() for b in reply.buttons]
    metadata: Dict[str, Any] = {}
    if reply.trace is not None:
        metadata[TRACE_KEY] = reply.trace
    if reply.feedback is not None:
        if not is_ref(reply.feedback):
            raise ValueError(f"a feedback reference is 'fact:<id>' or 'topic:<name>', not {reply.feedback!r}")
        if labels is None:
            raise ValueError("a reply with a feedback reference needs the vote buttons' titles")
        own = {b["payload"] for b in buttons}
        buttons += [b.as_dict() for b in labels.buttons() if b.payload not in own]
        metadata[REF_KEY] = reply.feedback
    return buttons, metadata


@dataclass(frozen=True)
class Answered:
    """The answer a vote is about, as the conversation shows it."""

    ref: str
    question: Optional[str]  # the user text of the message it answered
    answer_event: float  # the bot event's timestamp


def _is_payload(text: str) -> bool:
    return text.lstrip().startswith("/")


def latest_answer(events: Sequence[Mapping[str, Any]]) -> Optional[Answered]:
    """The answer a vote (the latest user message) is about: a bot event carrying an ``answer_ref`` sent
    after the user message before the vote, i.e. the vote is the first thing the user said after that
    answer. The question is that earlier user message. None when the turn before the vote offered no
    vote (a greeting, the form's question): an old button pressed later is then not about a newer answer.
    Only bot events count (their metadata comes from the action server); nothing a user sent is read."""
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if not users:
        return None
    vote_at = users[-1]
    asked_at = users[-2] if len(users) > 1 else -1
    for i in range(vote_at - 1, asked_at, -1):
        event = events[i]
        ref = (event.get("metadata") or {}).get(REF_KEY) if event.get("event") == "bot" else None
        if is_ref(ref):
            question = str(events[asked_at].get("text") or "")[:MAX_QUESTION] if asked_at >= 0 else None
            return Answered(ref=str(ref), question=question, answer_event=float(event.get("timestamp") or 0))
    return None


def vote_record(vote: str, answered: Optional[Answered]) -> Dict[str, Any]:
    """The stored vote; without an answer to rate (a typed "that's wrong" before any), ref and question are None."""
    if vote not in ("up", "down"):
        raise ValueError(f"a vote is 'up' or 'down', not {vote!r}")
    return {
        "vote": vote,
        "ref": answered.ref if answered else None,
        "question": answered.question if answered else None,
        "answer_event": answered.answer_event if answered else None,
    }


def comment_text(message: Mapping[str, Any]) -> Optional[str]:
    """What the user wrote after "what were you looking for?", or None when it is no comment: a button
    payload, an empty message, or a "no thanks" (deny, stop, goodbye)."""
    text = " ".join(str(message.get("text") or "").split())
    intent = str((message.get("intent") or {}).get("name") or "")
    if not text or _is_payload(text) or intent in DECLINING_INTENTS:
        return None
    return text[:MAX_COMMENT]


def comment_record(pending: Any, comment: str) -> Dict[str, Any]:
    """The stored comment: the 👎 it belongs to (the slot's last value) with the user's words."""
    base = pending if isinstance(pending, dict) and pending.get("vote") == "down" else vote_record("down", None)
    return {key: base.get(key) for key in ("vote", "ref", "question", "answer_event")} | {"comment": comment}


def awaiting_comment(pending: Any) -> bool:
    """True when the slot's last value is a 👎 without its comment yet."""
    return isinstance(pending, dict) and pending.get("vote") == "down" and "comment" not in pending


def stored(events: Iterable[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """Every vote and comment of a conversation, once each (a new session carries the slot's last value
    over: that copy is not a new vote)."""
    seen = set()
    out: List[Dict[str, Any]] = []
    for event in events:
        if event.get("event") != "slot" or event.get("name") != SLOT or not isinstance(event.get("value"), dict):
            continue
        value = dict(event["value"])
        key = (value.get("vote"), value.get("ref"), value.get("answer_event"), value.get("comment"))
        if key in seen:
            continue
        seen.add(key)
        out.append(value | {"timestamp": float(event.get("timestamp") or 0)})
    return out
