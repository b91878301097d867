"""The misunderstood inbox: user messages that fell back or were understood with low confidence, grouped by
similarity (word overlap), so a trainer annotates a whole family of messages at once."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import AbstractSet, Any, Dict, List, Mapping, Optional, Sequence, Set

from workbench.conversations import Conversation, best_guess, intent_of, is_fallback_message

LOW_CONFIDENCE = 0.6  # FallbackClassifier's threshold is 0.3; between 0.3 and 0.6 the NLU was unsure
SIMILARITY = 0.5
_STOP = {"a", "an", "the", "i", "is", "to", "of", "and", "or", "it", "me", "my", "do", "you", "what", "for", "in", "on"}


@dataclass
class Message:
    key: str
    conversation_id: str
    timestamp: float
    text: str
    intent: str  # what the NLU took it for (past nlu_fallback)
    confidence: float
    fell_back: bool
    entities: List[Dict[str, Any]] = field(default_factory=list)


@dataclass
class Group:
    messages: List[Message]

    @property
    def label(self) -> str:
        return self.messages[0].text

    @property
    def suggested_intent(self) -> str:
        counts: Dict[str, int] = {}
        for m in self.messages:
            counts[m.intent] = counts.get(m.intent, 0) + 1
        return max(sorted(counts), key=lambda k: counts[k])


def message_key(conversation_id: str, timestamp: float, text: str) -> str:
    return hashlib.sha256(f"{conversation_id}\n{timestamp:.6f}\n{text}".encode()).hexdigest()[:20]


def words(text: str) -> Set[str]:
    return {w for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in _STOP} or set(re.findall(r"\S+", text.lower()))


def similarity(a: str, b: str) -> float:
    wa, wb = words(a), words(b)
    return len(wa & wb) / len(wa | wb) if wa | wb else 1.0


def message_of(conversation_id: str, e: Mapping[str, Any], threshold: float = LOW_CONFIDENCE) -> Optional[Message]:
    """The inbox's message for one stored event, or None when it is not a misunderstood user message."""
    if e.get("event") != "user" or not str(e.get("text") or "").strip():
        return None
    text = str(e["text"])
    if text.startswith("/"):
        return None  # a button payload, not something the NLU had to understand
    name, conf = intent_of(e)
    fell_back = is_fallback_message(e)
    if not fell_back and conf >= threshold:
        return None
    ts = float(e.get("timestamp") or 0)
    guess, guess_conf = best_guess(e) if fell_back else (name, conf)
    return Message(message_key(conversation_id, ts, text), conversation_id, ts, text, guess, guess_conf, fell_back,
                   list((e.get("parse_data") or {}).get("entities") or []))


def misunderstood(
    convs: Sequence[Conversation], threshold: float = LOW_CONFIDENCE, handled: AbstractSet[str] = frozenset()
) -> List[Message]:
    out: List[Message] = []
    for c in convs:
        for e in c.events:
            m = message_of(c.id, e, threshold)
            if m is not None and m.key not in handled:
                out.append(m)
    return out


def group(messages: Sequence[Message], min_similarity: float = SIMILARITY) -> List[Group]:
    """Greedy grouping: a message joins the first group whose first message is similar enough. Biggest groups first."""
    groups: List[Group] = []
    for m in sorted(messages, key=lambda m: -m.timestamp):
        for g in groups:
            if similarity(g.messages[0].text, m.text) >= min_similarity:
                g.messages.append(m)
                break
        else:
            groups.append(Group([m]))
    return sorted(groups, key=lambda g: (-len(g.messages), -g.messages[0].timestamp))


def annotated_text(m: Message) -> str:
    """The message with the entities the NLU found written in Rasa markup, as a starting point for the trainer."""
    text, out, pos = m.text, [], 0
    for ent in sorted(m.entities, key=lambda e: int(e.get("start", 0))):
        start, end = int(ent.get("start", -1)), int(ent.get("end", -1))
        if start < pos or end <= start or end > len(text):
            continue
        out.append(text[pos:start])
        # The project's style: [words](entity); synonyms in data/nlu/synonyms.yml map the words to the value.
        out.append(f"[{text[start:end]}]({ent['entity']})")
        pos = end
    out.append(text[pos:])
    return "".join(out)
