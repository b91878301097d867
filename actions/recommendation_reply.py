"""Turns a Recommendation into the chat reply: headline, reasons, what it involves, next step."""
from __future__ import annotations

from typing import List

from actions.knowledge_base import Knowledge
from actions.recommender import Recommendation, Rules
from actions.render import Button, Renderer, Reply


def certifications_for(result: str, kb: Knowledge) -> List[str]:
    keys = list(kb.certifications)
    return keys if result == "both" else [k for k in keys if k.lower() == result]


def recommendation_reply(kb: Knowledge, rules: Rules, r: Renderer, rec: Recommendation) -> List[Reply]:
    certs = [kb.certifications[k] for k in certifications_for(rec.result, kb)]
    title = " + ".join(f"{c.abbreviation} ({c.name})" for c in certs)
    t = rules.reply
    blocks = [r.bold(str(t["headline"]).format(option_title=title))]
    if rec.reasons:
        blocks.append(str(t["why"]) + "\n" + r.bullets(rec.reasons))
    involves = []
    for cert in certs:
        fact = cert.topics["requirements"]
        involves.append(f"{r.bold(cert.abbreviation)}\n" + r.bullets(fact.items or (fact.summary,)))
    blocks.append(str(t["what_it_involves"]) + "\n" + "\n".join(involves))
    official = ", ".join(r.link(c.official.title, c.official.url or "") for c in certs)
    blocks.append(str(t["next_step"]).format(link=r.link(kb.resource_link.label, kb.resource_link.url), official=official))
    buttons = [Button(str(b["title"]), str(b["payload"])) for b in t["buttons"]]
    return [Reply(text="\n\n".join(blocks), buttons=buttons)]
