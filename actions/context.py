"""Works out what a knowledge question is about: which topic and which certification(s).

Pure functions over plain data (the parsed message and two remembered slots), so the
follow-up rules are tested without Rasa.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from actions.knowledge_base import Knowledge

_TOKEN = re.compile(r"[\w'.-]+|[?!.,]")


@dataclass(frozen=True)
class Question:
    topic: str
    certifications: Tuple[str, ...]  # one or more certification keys, in knowledge-base order
    from_context: bool  # the certification came from earlier in the conversation, not this message
    followup: bool  # an elliptical follow-up ("and CSPO?") that reused the previous topic


def trusted_entities(message: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """Entities the NLU found in the user's own words.

    A typed payload such as ``/ask_cost{"certification": "CSM"}`` bypasses the NLU; its JSON part is
    ignored everywhere in the advisor, so that typing payloads cannot set slots or steer answers.
    """
    text = (message.get("text") or "").lstrip()
    if text.startswith("/"):
        return []
    return [e for e in message.get("entities") or [] if isinstance(e, dict)]


def mentioned_certifications(kb: Knowledge, entities: Sequence[Mapping[str, Any]]) -> Tuple[str, ...]:
    """Certification keys named by `certification` entities, or by a role a certification is for."""
    found: List[str] = []
    by_lower = {key.lower(): key for key in kb.certifications}
    for entity in entities:
        value = str(entity.get("value") or "").strip()
        key: Optional[str] = None
        if entity.get("entity") == "certification":
            key = by_lower.get(value.lower())
        elif entity.get("entity") == "role":
            key = kb.certification_for_role(value.lower())
        if key and key not in found:
            found.append(key)
    return tuple(k for k in kb.certifications if k in found)


_PRONOUNS = frozenset({"it", "that", "same", "this"})


def is_elliptical(kb: Knowledge, text: str, entities: Sequence[Mapping[str, Any]]) -> bool:
    """True when the message is only a certification/role name plus linking words ("and the PO?")."""
    spans = sorted(
        (int(e["start"]), int(e["end"])) for e in entities if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)
    )
    if not spans:
        return False
    rest, cursor = [], 0
    for start, end in spans:
        rest.append(text[cursor:start])
        cursor = max(cursor, end)
    rest.append(text[cursor:])
    tokens = _TOKEN.findall(" ".join(rest).lower())
    if all(token in kb.followup_words for token in tokens):
        return True
    # "what's it for the CSM?", "is that the same for CSPO?": a few more words, beside a pronoun
    return bool(set(tokens) & _PRONOUNS) and all(
        token in kb.followup_words or token in kb.followup_pronoun_words for token in tokens)
