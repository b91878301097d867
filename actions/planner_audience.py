"""The answer planner's rules for who a certification suits (actions/planner.py): "which one is for a business
analyst?", a role claimed for the other one, whose duty something is, and the article's guide for a goal.
Pure: no Rasa, no I/O."""
from __future__ import annotations

import re
from typing import Any, Mapping, Optional, Sequence, Tuple

from actions.assertions import negated, plain_yes_no
from actions.decision import (
    NO_CONTEXT,
    Context,
    Turn,
)
from actions.facts import TOPIC_PREFIX, FactEntry
from actions.planner_base import PlannerBase
from actions.question_text import (
    GOING_ON,
    QUESTION_START,
    the_question,
    word_count,
)

# whose duty something is, in so many words ("is the product vision the scrum master's job?")
_WHOSE_DUTY = re.compile(r"\b(own|owns|owned|job|jobs|responsib\w*|in charge|duty|duties|task|tasks)\b")
# "the CSM, not the CSPO", "the CSM rather than the CSPO": one of the two named claimed over the other
_NOT_THE_OTHER = re.compile(r"\b(not|rather than|instead of|over|before)\b")
# "only for", "just for": whom a certification suits, claimed to be no one else
_ONLY = re.compile(r"\b(only|just|exclusively|solely)\b")
# "the scrum master one", "the PO cert": a role named for its certification
_ITS_CERTIFICATION = re.compile(r"\s*(one|cert|certs|certificate|certification|course|track|path|exam)\b", re.I)


def _names_its_certification(text: str, entity: Mapping[str, Any]) -> bool:
    end = entity.get("end")
    return entity.get("entity") == "role" and isinstance(end, int) and bool(_ITS_CERTIFICATION.match(text, end))


class AudienceRules(PlannerBase):
    """Rules for the audience shortcut: a role, a duty, a goal."""

    def _other_role(self, text: str, fact: FactEntry, score: float, wanted: Sequence[str], asks: Sequence[str],
                    concepts: Sequence[str], ranked: Sequence[Tuple[str, float, float]]) -> bool:
        """A yes/no question whether one role does what the reference gives the other ("does the Scrum Master
        prioritise the backlog?"): the other role's duty (a fact of the `unfiltered_topics`, about the other
        certification only) fits it well (``other_role_min_score``: "does the SM need to know the backlog?"
        fits less and is not answered "No.") and by ``other_role_margin`` over any fact about the role asked."""
        book = self.index.book
        if self.index.lexicon is None or not self.index.lexicon.names_a_role(text.lower()):
            return False  # "does the CSPO trainer need to be certified?" asks about the course, not the role
        if "yesno" not in asks or len(wanted) != 1 or fact.topic not in book.unfiltered_topics \
                or len(fact.certifications) != 1 or wanted[0] in fact.certifications or fact.only_with \
                or not self._explains(fact, concepts):
            return False
        # ("is the product vision the scrum master's job?", "does the scrum master own the backlog?": whose duty it is,
        # asked in so many words, at a lower bar)
        bar = book.other_role_duty_min_score if _WHOSE_DUTY.search(text.lower()) else book.other_role_min_score
        if score < bar:
            return False
        own = max((s for label, s, _ in ranked if not label.startswith(TOPIC_PREFIX)
                   and wanted[0] in book.facts[label].certifications), default=0.0)
        return score - own >= book.other_role_margin

    def _asks_fit(self, text: str) -> bool:
        """"which one suits me?", "is the CSM relevant for a tester?" (lexicon `asks: fit`)."""
        return "fit" in self._asks(text)

    def _audience(self, turn: Turn, entities: Sequence[Mapping[str, Any]], context: Context = NO_CONTEXT) -> Optional[str]:
        """One role the article places, in a question asking which certification suits it, or in a short
        follow-up of such an answer ("and a developer?")."""
        follow_up = context.topic == "audience" and bool(GOING_ON.match(turn.text.lower())) \
            and word_count(turn.text) <= 8
        if not self._asks_fit(turn.text) and not follow_up and self._claimed(turn.text, entities) is None:
            return None
        lowered = turn.text.lower()
        # "developer moving into product, which of the two?": the role moved into, not the one left (`role_moves`)
        roles = {role for role, cues in self.role_moves.items() if any(c.search(lowered) for c in cues)} \
            or {str(e.get("value")) for e in entities if e.get("entity") == "role" and not _names_its_certification(turn.text, e)}
        if not roles:  # "I run a small startup, which cert?": a role described, not named (lexicon `role_cues`)
            roles = {role for role, cues in self.role_cues.items() if any(c.search(lowered) for c in cues)}
        if len(roles) != 1:
            return None
        role = next(iter(roles))
        return role if self.role_leaning.get(role) in ("csm", "cspo") else None

    def _claimed(self, text: str, entities: Sequence[Mapping[str, Any]]) -> Optional[str]:
        """The certification a claim to check says suits a role ("my boss says as a BA I should do the CSM, is that
        right?"): the first one named, in a message framed as a claim (lexicon.yml `claim_frames`); None otherwise."""
        lexicon = self.index.lexicon
        if lexicon is None or not lexicon.frames_a_claim(text.lower()):
            return None
        named = sorted((int(e.get("start") or 0), str(e.get("value"))) for e in entities
                       if e.get("entity") == "certification" and str(e.get("value")) in self.kb.certifications)
        # ("do the scrum master one": a role named for its certification)
        named += sorted((int(e.get("start") or 0), str(self.kb.certification_for_role(str(e.get("value")).lower())))
                        for e in entities if _names_its_certification(text, e)
                        and self.kb.certification_for_role(str(e.get("value")).lower()))
        if not named or (len({c for _, c in named}) > 1 and not _NOT_THE_OTHER.search(text.lower())):
            return None  # ("does it make sense to do the CSM or the CSPO first?": both offered, none claimed)
        return min(named)[1]

    def _claimed_for(self, role: str, text: str, entities: Sequence[Mapping[str, Any]]) -> Optional[str]:
        """"yes" / "no" before the article's answer for a role, when the message claims a certification suits it."""
        claimed = self._claimed(text, entities)
        if claimed is None:
            # "I'm a project manager moving to agile, is CSM for me?", "is the CSPO good for entrepreneurs?": a plain
            # yes/no question naming the one the article points the role to is "yes" (not "no" for the other one:
            # the article's lists are whom each suits best, not whom it does not suit)
            named = {str(e.get("value")) for e in entities
                     if e.get("entity") == "certification" and str(e.get("value")) in self.kb.certifications}
            lexicon = self.index.lexicon
            question = the_question(text)
            yes_no = plain_yes_no(question, lexicon is not None and "yesno" in lexicon.asks_of(question.lower()))
            if len(named) == 1 and yes_no is not None and not negated(yes_no) \
                    and self.role_leaning.get(role) == next(iter(named)).lower():
                # ("is the CSM only for people who are already Scrum Masters?": the article names more people it suits)
                return "no" if _ONLY.search(yes_no) else "yes"
            return None
        return "yes" if self.role_leaning.get(role) == claimed.lower() else "no"

    def _duty_guide(self, text: str, asks: Sequence[str], ranked: Sequence[Tuple[str, float, float]]) -> Optional[FactEntry]:
        """"I decide which features we build and in what order, which cert?": the words fit one role's duty best
        (a fact of `unfiltered_topics`, at `duty_guide_min_score`): the article's choose-if line of that role's
        certification."""
        book = self.index.book
        if "fit" not in asks or book.duty_guide_min_score is None:
            return None
        best = next(((label, score) for label, score, _ in ranked if not label.startswith(TOPIC_PREFIX)), None)
        if best is None or best[1] < book.duty_guide_min_score:
            return None
        duty = book.facts[best[0]]
        if duty.topic not in book.unfiltered_topics or len(duty.certifications) != 1:
            return None
        return next((book.facts[f] for f in self.guide_facts.values()
                     if f in book.facts and book.facts[f].certifications == duty.certifications), None)

    def _goal_guide(self, turn: Turn, ranked: Sequence[Tuple[str, float, float]] = ()) -> Optional[FactEntry]:
        """"I love clearing blockers for the team, which one?": the article's choose-if line for that goal.
        A goal the NLU is less than sure of needs the words' agreement: no other goal's line matches the
        message better ("more into how the work gets done than what gets built" is no product goal)."""
        book = self.index.book
        fact_id = self.guide_facts.get(turn.intent or "")
        if fact_id is None or turn.unsure or turn.confidence < book.guide_min_confidence:
            return None
        if not self._asks_fit(turn.text) and (turn.confidence < book.guide_statement_confidence
                                              or QUESTION_START.match(turn.text)):
            # "I care about what we build and why" asks nothing: a goal the NLU is this sure of, said, not
            # asked ("what goes into a product backlog?" is a question about the backlog)
            return None
        if turn.confidence < book.guide_sure_confidence:
            scores = {label: score for label, score, _ in ranked}
            # only the lines about one certification compete: "consider both" shares its words with every
            # "which one?" question
            others = {f for f in self.guide_facts.values() if f != fact_id and len(book.facts[f].certifications) == 1}
            if any(scores.get(other, 0.0) > scores.get(fact_id, 0.0) for other in others):
                return None
        return book.facts[fact_id]
