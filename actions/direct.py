"""The reply to one fact: the fact first, its source, and a "more about" button for its topic.
Which fact answers a question is decided by actions/planner.py."""
from __future__ import annotations

from actions.answers import source_line
from actions.facts import FactEntry
from actions.knowledge_base import Knowledge
from actions.render import Button, Renderer, Reply


def fact_reply(kb: Knowledge, r: Renderer, fact: FactEntry) -> Reply:
    """The fact, its source, and a button for the summary of the topic it belongs to."""
    meta = kb.topics[fact.topic]
    text = f"{r.emphasis_free(fact.answer)}\n\n{source_line(kb, r, fact.sources)}"
    return Reply(text=text, buttons=[Button(kb.phrases["more_about"].format(label=meta.label), f"/{meta.intent}")])
