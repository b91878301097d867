"""Builds knowledge answers from the knowledge base. Pure: data in, replies out."""
from __future__ import annotations

from typing import List, Sequence

from actions.context import Question
from actions.knowledge_base import CERT_TOPICS, Certification, Fact, Knowledge, Source
from actions.render import Button, Renderer, Reply


def source_line(kb: Knowledge, r: Renderer, sources: Sequence[Source]) -> str:
    unique = list(dict.fromkeys(sources))
    links = ", ".join(r.link(s.title, s.url) if s.url else s.title for s in unique)
    return f"{kb.phrases['source']}: {links}"


def _fact_block(r: Renderer, title: str, fact: Fact) -> str:
    lines = [f"{r.bold(title)}: {r.emphasis_free(fact.summary)}" if title else r.emphasis_free(fact.summary)]
    if fact.items:
        lines.append(r.bullets(r.emphasis_free(i) for i in fact.items))
    return "\n".join(lines)


def suggestions(kb: Knowledge, topic: str) -> List[Button]:
    meta = kb.topics.get(topic)
    if not meta:
        return []
    return [Button(kb.topics[n].label, f"/{kb.topics[n].intent}") for n in meta.next]


def _cert_title(cert: Certification) -> str:
    return f"{cert.abbreviation} ({cert.name})"


def answer_certification_topic(kb: Knowledge, r: Renderer, q: Question) -> str:
    certs = [kb.certifications[c] for c in q.certifications]
    blocks: List[str] = []
    if len(certs) > 1:
        blocks.append(kb.phrases["both_intro"])
    for cert in certs:
        block = _fact_block(r, _cert_title(cert), cert.topics[q.topic])
        if q.topic == "overview":  # the overview also says what each one focuses on and aims for
            block += "\n" + r.bullets(
                [f"Focus: {cert.topics['focus'].summary}", f"Main goal: {cert.topics['main_goal'].summary}"]
            )
        blocks.append(block)
    sources = [cert.topics[q.topic].source for cert in certs]
    if q.topic == "continuous_learning":
        blocks.append(_fact_block(r, "", kb.continuous_learning))
        sources.append(kb.continuous_learning.source)
    blocks.append(source_line(kb, r, sources))
    if q.from_context and len(kb.certifications) == 2:
        other = next(c for c in kb.certifications.values() if c.key != certs[0].key)
        blocks.append(kb.phrases["from_context"].format(name=certs[0].abbreviation, other=other.abbreviation))
    return "\n\n".join(blocks)


def answer_comparison(kb: Knowledge, r: Renderer) -> str:
    certs = list(kb.certifications.values())
    blocks = [r.bold(kb.phrases["comparison_title"]), kb.comparison.intro]
    for row in kb.comparison.rows:
        blocks.append(r.bold(row.aspect) + "\n" + r.bullets(f"{c.abbreviation}: {row.values[c.key]}" for c in certs))
    blocks.append(source_line(kb, r, [kb.comparison.source] + [s for row in kb.comparison.rows for s in row.sources]))
    return "\n\n".join(blocks)


def answer_resources(kb: Knowledge, r: Renderer, q: Question) -> str:
    certs = [kb.certifications[c] for c in q.certifications]
    items = [r.link(kb.resource_link.label, kb.resource_link.url)]
    items += [f"{kb.phrases['official_page']} ({c.abbreviation}): {r.link(c.official.title, c.official.url or '')}"
              for c in certs]
    renewal = kb.certifications[certs[0].key].topics["continuous_learning"].source
    if renewal.url:
        items.append(r.link(renewal.title, renewal.url))
    return kb.phrases["resources_intro"] + "\n" + r.bullets(items)


def answer(kb: Knowledge, r: Renderer, q: Question) -> List[Reply]:
    """The reply (text and suggestion buttons) to a knowledge question."""
    if q.topic == "comparison":
        text = answer_comparison(kb, r)
    elif q.topic == "resources":
        text = answer_resources(kb, r, q)
    elif q.topic in CERT_TOPICS:
        text = answer_certification_topic(kb, r, q)
    else:
        raise ValueError(f"no answer for topic {q.topic!r}")
    return [Reply(text=text, buttons=suggestions(kb, q.topic))]
