"""Questions about a recommendation just made: "why?", "are you sure?", "what about the other one?".

Pure: the profile and the recommendation (recomputed from the same slots, so the reasons are the
ones given) in, the reply out. Wording: `recommender.followups` in knowledge/recommender.yml; the
conditions for the other option: the article's guidance (knowledge/guidance.yml).
"""
from __future__ import annotations

from typing import List, Mapping, Optional

from actions.knowledge_base import Knowledge
from actions.recommender import Profile, Rules, recommend
from actions.render import Button, Renderer, Reply

WHY, OTHER = "why", "other"


def _join(items: List[str]) -> str:
    items = [i.replace("*", "") for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def explain(kb: Knowledge, rules: Rules, r: Renderer, profile: Profile, recommended: Optional[str],
            question: str) -> Reply:
    t: Mapping[str, str] = rules.followups
    buttons = [Button(str(b["title"]), str(b["payload"])) for b in rules.followup_buttons]
    if recommended not in ("csm", "cspo", "both"):
        return Reply(text=t["no_recommendation"], buttons=[Button(kb.topics["recommendation"].label, "/ask_recommendation")])
    rec = recommend(profile, rules)
    if question == OTHER:
        if recommended == "both":
            text = t["other_both"].format(csm=_join(list(kb.guidance["csm"])), cspo=_join(list(kb.guidance["cspo"])))
        else:
            other = "cspo" if recommended == "csm" else "csm"
            name = rules.option_names[other]
            text = t["other_single"].format(other=name[:1].upper() + name[1:], conditions=_join(list(kb.guidance[other])))
        return Reply(text=f"{text}\n\n{t['change']}", buttons=buttons)
    lines = [t["why"].format(option=rules.option_names[recommended])]
    if rec.reasons:
        lines.append(r.bullets(rec.reasons))
    lines.append(t["change"])
    return Reply(text="\n\n".join(lines), buttons=buttons)
