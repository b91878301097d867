"""Turns the planner's decision into the reply: the fact first with its source, a topic summary, a
neighbour's description, the article's answer for a role, or an honest "I don't know" with where to
look. Pure: the decision and the knowledge data in, replies out (each carrying the trace and, for
facts and topics, what a 👍/👎 under it is about)."""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any, List, Mapping, Optional, Sequence

from actions import yamlload
from actions.answers import answer, source_line
from actions.context import Question
from actions.decision import AUDIENCE, COUNTERPART, FACT, FORM, NEIGHBOUR, NOT_KNOWN, TOPIC, Context, Decision, Turn, accepted
from actions.direct import fact_reply
from actions.facts import get_fact_index
from actions.knowledge_base import Knowledge, Source, get_knowledge
from actions.neighbours import get_neighbours, neighbour_reply
from actions.planner import Planner
from actions.recommender import Rules, get_rules
from actions.render import Button, Renderer, Reply
from actions.spelling import vocabulary as spelling_vocabulary
from actions.unknowns import unknowns_from_knowledge


def replies_for(kb: Knowledge, planner: Planner, rules: Rules, r: Renderer, decision: Decision) -> List[Reply]:
    """The reply to a knowledge decision; empty for a decision the caller answers its own way."""
    replies = _replies(kb, planner, rules, r, decision)
    for reply in replies:
        reply.trace = decision.trace()
    if decision.kind in (FACT, COUNTERPART) and decision.fact is not None:
        replies[0].feedback = f"fact:{decision.fact.id}"
    elif decision.kind == TOPIC and decision.topic:
        replies[0].feedback = f"topic:{decision.topic}"
    return replies


def _replies(kb: Knowledge, planner: Planner, rules: Rules, r: Renderer, decision: Decision) -> List[Reply]:
    if decision.also:
        return [parts_reply(kb, planner, r, decision)]
    if decision.kind == FACT and decision.fact is not None and decision.source_only:
        links = ", ".join(r.link(s.title, s.url) if s.url else s.title for s in dict.fromkeys(decision.fact.sources))
        return [Reply(text=kb.phrases["source_of_last"].format(links=links))]
    if decision.kind == FACT and decision.fact is not None and decision.polarity == "because" and decision.fact.because:
        reason = kb.phrases["answer_because"].format(reason=r.emphasis_free(decision.fact.because))
        return [Reply(text=f"{reason}\n\n{source_line(kb, r, decision.fact.sources)}")]
    if decision.kind in (FACT, COUNTERPART) and decision.fact is not None:
        reply = fact_reply(kb, r, decision.fact)
        reply.text = f"{_first_words(kb, decision)}{reply.text}"
        return [reply]
    if decision.kind == TOPIC and decision.topic:
        replies = answer(kb, r, Question(decision.topic, decision.certifications, decision.from_context, False))
        if decision.rule == "audience_why" and replies:  # "why that one?": the article's list is the reason
            replies[0].text = f"{kb.phrases['answer_audience_why']}\n\n{replies[0].text}"
        return replies
    if decision.kind == NEIGHBOUR:
        reply = neighbour_reply(kb, planner.neighbours, r, decision.neighbours,
                                scope_first="fit" in decision.asks or decision.in_depth,
                                issuer_first="who" in decision.asks)
        reply.text = f"{_first_words(kb, decision)}{reply.text}"  # "No." when the question named another issuer
        return [reply]
    if decision.kind == AUDIENCE and decision.role:
        reply = audience_reply(kb, rules, r, decision.role)
        reply.text = f"{_first_words(kb, decision)}{reply.text}"  # "No." when a claim put another one to the role
        return [reply]
    if decision.kind == NOT_KNOWN:
        return [not_known_reply(kb, planner, r, decision)]
    return []


def audience_reply(kb: Knowledge, rules: Rules, r: Renderer, role: str, in_form: bool = False) -> Reply:
    """The article's answer for a role; outside the form with the offer to check it, inside the form
    (which then asks its next question) with a line saying the questions check it."""
    option = rules.role_leaning[role]
    name = rules.option_names[option]
    text = kb.phrases["audience_answer"].format(
        role=rules.role_names.get(role, role), option=name, option_first=name[:1].upper() + name[1:],
        basis=rules.basis[f"role.{role}"])
    text += f"\n\n{source_line(kb, r, [kb.guidance_source])}"
    if in_form:
        return Reply(text=f"{text}\n\n{kb.phrases['audience_in_form']}")
    return Reply(text=f"{text}\n\n{kb.phrases['audience_offer']}",
                 buttons=[Button(kb.phrases["audience_button"], "/ask_recommendation")])


def form_opening_reply(r: Renderer, message: Mapping[str, Any], context: Optional[Context] = None) -> List[Reply]:
    """What the message that opened the recommendation form also asked, answered before the form's
    question: the article's answer for a role ("I'm a BA, which one?"), its choose-if line for a goal,
    a neighbour, a known unknown, a clear fact question the NLU took for a recommendation request, or a
    message going on from the answer just given (``context``: "both of them?" right after the validity)."""
    decision = get_planner().plan(Turn.from_message(message), context or Context())
    if not accepted(FORM, decision):
        return []
    if decision.kind == AUDIENCE and decision.role:
        reply = audience_reply(get_knowledge(), get_rules(), r, decision.role, in_form=True)
        reply.text = f"{_first_words(get_knowledge(), decision)}{reply.text}"
        reply.trace = decision.trace()
        return [reply]
    return planned_reply(r, decision)


def audience_aside(r: Renderer, message: Mapping[str, Any]) -> Optional[Reply]:
    """"and a developer?" while the form waits for another answer (it was opened by "which one suits a
    business analyst?"): the article's answer for that role, before the form asks its question again."""
    if "?" not in str(message.get("text") or ""):
        return None
    decision = get_planner().plan(Turn.from_message(message), Context(topic="audience"))
    if decision.kind != AUDIENCE or not decision.role:
        return None
    reply = audience_reply(get_knowledge(), get_rules(), r, decision.role, in_form=True)
    reply.trace = decision.trace()
    return reply


def audience_for_role_given(r: Renderer, message: Mapping[str, Any], role: Optional[str]) -> Optional[Reply]:
    """"which cert should I get?" while the form waits for another answer, after the user gave a role the
    article places ("I'm a BA with 5 years experience"): the article's answer for that role, before the
    form asks its question again. None for a role the article places nowhere, or another message."""
    rules = get_rules()
    if not role or (rules.role_leaning.get(role) or "none") == "none":
        return None
    # only "which one should I get?": a question naming a certification ("who is the CSPO for?") asks about it
    if str((message.get("intent") or {}).get("name") or "") != "ask_recommendation" \
            or any(e.get("entity") in ("certification", "other_certification") for e in message.get("entities") or []) \
            or get_planner().index.normalise(str(message.get("text") or ""))[1]:  # the certifications' aliases (data)
        return None
    reply = audience_reply(get_knowledge(), rules, r, role, in_form=True)
    reply.trace = {"decision": "audience", "rule": "audience_role_given", "role": role}
    return reply


def _first_words(kb: Knowledge, decision: Decision) -> str:
    """What comes before the fact ("Yes.", "No.", "That is all my sources list for it:"), or nothing."""
    first = {"yes": kb.phrases["answer_yes"], "no": kb.phrases["answer_no"], "correct": kb.phrases["answer_correct"],
             "not_so": kb.phrases["answer_not_so"], "same_yes": kb.phrases["answer_same_yes"],
             "same_no": kb.phrases["answer_same_no"], "same_neither": kb.phrases["answer_same_neither"],
             "all_of_it": kb.phrases["answer_all_of_it"], "sure": kb.phrases["answer_sure"],
             "how_sure": kb.phrases["answer_how_sure"],
             "fits": kb.phrases["answer_fits"].format(certification=decision.certifications[0])
             if len(decision.certifications) == 1 else kb.phrases["answer_fits_both"]}.get(decision.polarity or "")
    # what the user's own figures work out to comes before the fact they are worked out with (actions/figures.py)
    worked_out = f"{decision.worked_out}\n\n" if decision.worked_out else ""
    return f"{first} {worked_out}" if first else worked_out


def parts_reply(kb: Knowledge, planner: Planner, r: Renderer, decision: Decision) -> Reply:
    """One reply to a message asking two questions (actions/parts.py): the facts, then what isn't known (not
    quoting the user: their words are no answer), then the sources of all of them."""
    lines: List[str] = []
    sources: List[Source] = []
    parts = (decision,) + decision.also
    if decision.numbered:  # ("1) ... 2) ...": each answer under the user's number, in their order)
        for number, part in enumerate(parts, 1):
            known = part.kind in (FACT, COUNTERPART) and part.fact is not None
            lines.append(f"{number}) " + (f"{_first_words(kb, part)}{r.emphasis_free(part.fact.answer)}" if known and part.fact
                                          else _not_known_opening(planner, part)))
            sources.extend(part.fact.sources if known and part.fact else _pages(kb, planner, part))
        lines.append(source_line(kb, r, sources))
        return Reply(text="\n\n".join(lines))
    for part in parts:  # what is known first
        if part.kind in (FACT, COUNTERPART) and part.fact is not None:
            lines.append(f"{_first_words(kb, part)}{r.emphasis_free(part.fact.answer)}")
            sources.extend(part.fact.sources)
    for part in parts:
        if part.kind == NOT_KNOWN:
            say = _not_known_opening(planner, part)
            lines.append(kb.phrases["part_not_known"].format(say=say) if len(lines) else say)
            sources.extend(_pages(kb, planner, part))
    lines.append(source_line(kb, r, sources))
    return Reply(text="\n\n".join(lines))


def _not_known_opening(planner: Planner, decision: Decision) -> str:
    """The first line of an honest "I don't know": the known unknown's own words, else what was asked (of the
    neighbour named)."""
    if decision.unknown is not None:
        about = planner.unknowns.about_asked
        # ("About "student discount": I don't know about discounts, ...": what was asked, named)
        return about.format(words=decision.restated, say=decision.unknown.say) if about and decision.restated \
            else decision.unknown.say
    if decision.neighbours:
        names = " / ".join(planner.neighbours.entries[k].name.split(" (")[0] for k in decision.neighbours)
        return planner.unknowns.opening(decision.asks, names, decision.concepts, quoted=decision.quoted)
    return planner.unknowns.opening(decision.asks, concepts=decision.concepts, restated=decision.restated, quoted=decision.quoted)


def not_known_reply(kb: Knowledge, planner: Planner, r: Renderer, decision: Decision) -> Reply:
    """What isn't known, at most the nearest fact (as "what I can tell you"), and the page to check."""
    wording = planner.unknowns
    lines: List[str] = [_not_known_opening(planner, decision)]
    if decision.nearest is not None:
        lines.append(f"{wording.nearest} {r.emphasis_free(decision.nearest.answer)}")
    pages = _pages(kb, planner, decision)
    links = ", ".join(r.link(s.title, s.url) if s.url else s.title for s in pages)
    lines.append(wording.look.format(link=links))
    if decision.neighbours:  # and that the advisor does not advise on it in depth
        lines.append(planner.neighbours.scope.format(
            name=" / ".join(planner.neighbours.entries[k].name.split(" (")[0] for k in decision.neighbours)))
    buttons = []
    if decision.topic is not None and decision.topic in kb.topics and decision.topic != "recommendation":
        meta = kb.topics[decision.topic]
        buttons.append(Button(kb.phrases["more_about"].format(label=meta.label), f"/{meta.intent}"))
    return Reply(text="\n\n".join(lines), buttons=buttons)


def _pages(kb: Knowledge, planner: Planner, decision: Decision) -> Sequence[Source]:
    if decision.neighbours:
        return [planner.neighbours.entries[k].source for k in decision.neighbours]
    if decision.unknown is not None and decision.unknown.source.url:
        # one certification's official page, for a question about the other one only: that one's page ("do I get a
        # paper certificate for cspo": the CSPO's page, not the CSM's the data names for the unknown)
        officials = {c: kb.certifications[c].official for c in kb.certifications}
        named = set(decision.certifications) & set(officials)
        if len(named) == 1 and decision.unknown.source.url in {o.url for o in officials.values()}:
            return [officials[named.pop()]]
        return [decision.unknown.source]
    certs = decision.certifications or tuple(kb.certifications)
    return [kb.certifications[c].official for c in certs if c in kb.certifications]


@lru_cache(maxsize=1)
def get_planner() -> Planner:
    """The planner over the knowledge base, built once per process (on first use)."""
    kb = get_knowledge()
    rules = get_rules()
    return Planner(kb, get_fact_index(), get_neighbours(), unknowns_from_knowledge(kb), rules.role_leaning,
                   user_words=nlu_words())


def nlu_words() -> Counter:
    """The words of the NLU training examples (data/nlu): how people write, for the speller
    (actions/spelling.py) to leave their words alone ("write", "simple", "forget" are no typos)."""
    words: Counter = Counter()
    for path in sorted((Path(__file__).resolve().parents[1] / "data" / "nlu").glob("**/*.yml")):
        words += spelling_vocabulary(yamlload.safe_load(path.read_text(encoding="utf-8")))
    return words


def planned_reply(r: Renderer, decision: Decision) -> List[Reply]:
    return replies_for(get_knowledge(), get_planner(), get_rules(), r, decision)


