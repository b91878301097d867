"""Direct answers: the one fact a question asks for, first, with its source and a "more about" button.

Pure: the parsed message and the remembered context in, the reply out (or None when the question is
broad or no fact matches well, and the topic summary of actions.answers is the answer).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Optional

from actions.answers import source_line
from actions.context import is_elliptical, mentioned_certifications, trusted_entities
from actions.facts import FactEntry, FactIndex
from actions.knowledge_base import Knowledge
from actions.render import Button, Renderer, Reply


@dataclass(frozen=True)
class DirectAnswer:
    fact: FactEntry
    replies: List[Reply]
    certification: Optional[str]  # the certification the conversation is now about, if one


def direct_answer(kb: Knowledge, index: FactIndex, r: Renderer, intent: Optional[str],
                  message: Mapping[str, Any], last_certification: Optional[str],
                  last_topic: Optional[str], unsure: bool = False) -> Optional[DirectAnswer]:
    """``unsure``: the NLU was not confident of ``intent`` (its best guess after a fallback); a fact is
    then taken only above the stricter ``unsure_min_score`` of the data."""
    text = str(message.get("text") or "")
    if not text.strip() or text.lstrip().startswith("/"):
        return None  # a button or typed payload asks for the topic, not a fact
    topic = kb.topic_for_intent(intent)
    if topic is None or topic == "recommendation":
        return None
    entities = trusted_entities(message)
    named = mentioned_certifications(kb, entities)
    if named and last_topic in kb.topics and is_elliptical(kb, text, entities):
        return None  # "and the CSPO?": the previous topic for the other certification
    context = last_certification if last_certification in kb.certifications else None
    match = index.find(text, named, context, topic, index.book.unsure_min_score if unsure else None)
    if match.fact is None:
        return None
    return DirectAnswer(fact=match.fact, replies=[fact_reply(kb, r, match.fact)],
                        certification=match.fact.certifications[0] if len(match.fact.certifications) == 1 else None)


def fact_reply(kb: Knowledge, r: Renderer, fact: FactEntry) -> Reply:
    """The fact, its source, and a button for the summary of the topic it belongs to."""
    meta = kb.topics[fact.topic]
    text = f"{r.emphasis_free(fact.answer)}\n\n{source_line(kb, r, fact.sources)}"
    return Reply(text=text, buttons=[Button(kb.phrases["more_about"].format(label=meta.label), f"/{meta.intent}")])
