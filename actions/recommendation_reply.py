"""Turns a Recommendation into the chat reply: headline, reasons, what it involves, next step."""
from __future__ import annotations

from typing import List

from actions.knowledge_base import Knowledge
from actions.recommender import Recommendation, Rules
from actions.render import Button, Renderer, Reply


def certifications_for(result: str, kb: Knowledge) -> List[str]:
    keys = list(kb.certifications)
    return keys if result == "both" else [k for k in keys if k.lower() == result]


def no_signal_reply(kb: Knowledge, rules: Rules, r: Renderer) -> List[Reply]:
    """Nothing the user said points anywhere: no recommendation, the article's guide instead."""
    t = rules.reply
    blocks = [str(t["no_signal"])]
    for option in ("csm", "cspo", "both"):
        blocks.append(f"{r.bold(str(t['choose_' + option]))}\n" + r.bullets(r.emphasis_free(g) for g in kb.guidance[option]))
    blocks.append(f"{kb.phrases['source']}: {kb.guidance_source.title}")
    buttons = [Button(str(b["title"]), str(b["payload"])) for b in t["buttons"]]
    return [Reply(text="\n\n".join(blocks), buttons=buttons)]


def recommendation_reply(kb: Knowledge, rules: Rules, r: Renderer, rec: Recommendation) -> List[Reply]:
    if rec.result is None:
        return no_signal_reply(kb, rules, r)
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


def confirm_focus_reply(rules: Rules, focus: str, quote: str) -> Reply:
    """An inferred focus asked back as a yes/no question, quoting the words it came from."""
    text = rules.confirm_focus.format(focus=rules.focus_names.get(focus, focus), quote=quote or "…")
    return Reply(text=text, buttons=[Button(str(b["title"]), str(b["payload"])) for b in rules.reply.get("yes_no", [])])
