"""The answer planner's rules for a neighbouring certification (PSM I, A-CSM, CSP, ...; actions/planner.py,
knowledge/neighbours.yml): a fact that answers for it, an honest "not known", its description, what it
builds on, and a comparison with the CSM or the CSPO. Pure: no Rasa, no I/O."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import List, Optional, Sequence, Tuple

from actions.assertions import negated, plain_yes_no
from actions.decision import (
    FACT,
    NEIGHBOUR,
    NOT_KNOWN,
    UNPARTICULAR_ASKS,
    Context,
    Decision,
)
from actions.facts import TOPIC_PREFIX, FactEntry
from actions.planner_base import (
    _BUILDS_ON,
    _COMPARING,
    _OTHER_REQUIREMENT,
    _REQUIREMENT_NOUN,
    _WHAT_IF_I_HOLD,
    DIFFERENCE_CONCEPT,
    PlannerBase,
    _reads_the_figure,
)
from actions.question_text import (
    WORD,
    the_asking_clause,
    the_question,
)
from actions.threshold import SCORE_WORDS
from actions.unknowns import Unknown

# "is psm a scrum alliance cert?": who issues it (a regular expression, not words of the retriever's lexicon: those
# shift every fact's weights)
_ISSUER_ASKED = re.compile(r"\b(a|an)\s+(official\s+)?(scrum alliance|scrum\.org|pmi|scaled agile)\b|"
                           r"\b(scrum alliance|scrum\.org|pmi|scaled agile)\s+(offer|offers|issue|issues|award|awards|"
                           r"grant|grants|provide|provides|run|runs|give|gives)\b|"
                           r"\b(offered|issued|awarded|granted|provided|run|given) by\b")
def _issuer_pattern(issuer: str) -> str:
    """How a question names an issuer: "Scrum.org" as "scrum.org" or "scrum org", "PMI (Project Management Institute)"
    as "pmi" or its full name."""
    names = [issuer.split(" (")[0]] + re.findall(r"\(([^)]+)\)", issuer)
    return r"\b(" + "|".join(re.escape(n.lower()).replace(r"\.", r"[. ]?") for n in names) + r")\b"


# the user's own figure against a neighbour's fact (THRESHOLD_MARGIN of actions/planner.py), with a wider margin:
# among a neighbour's facts, its course and its experience share most words ("get the A-CSPO")
NEIGHBOUR_THRESHOLD_MARGIN = 0.15


class NeighbourRules(PlannerBase):
    """Rules for a neighbouring certification named in the message."""

    def _builds_on(self, keys: Tuple[str, ...], named: Sequence[str], text: str, asks: Tuple[str, ...]) -> Optional[Decision]:
        """"does the A-CSPO need the CSPO first?", "does a PSM I count toward the A-CSM?": a yes/no question naming an
        advanced certification and another one, asking whether that one is needed or counts, gets what the advanced one
        builds on (neighbours.yml `builds_on_fact`, narrowed to it)."""
        advanced = [k for k in keys if self.neighbours.entries[k].builds_on_fact]
        others = [k for k in keys if k not in advanced]
        lowered = text.lower()
        asked = ("yesno" in asks and _BUILDS_ON.search(lowered)) or _WHAT_IF_I_HOLD.match(lowered)
        if len(advanced) != 1 or not (named or others) or not asked or _OTHER_REQUIREMENT.search(lowered):
            return None
        fact = self.index.book.facts[str(self.neighbours.entries[advanced[0]].builds_on_fact)]
        if advanced[0] in fact.per_neighbour:
            fact = self.index.book.facts[fact.per_neighbour[advanced[0]]]
        return Decision(FACT, "neighbour_fact", fact=fact, topic=fact.topic, neighbours=(advanced[0],), asks=asks,
                        question=True)

    def _issuer_named(self, keys: Tuple[str, ...], text: str, asks: Tuple[str, ...]) -> Optional[str]:
        """"yes" or "no" to a yes/no question naming one issuer for one neighbour ("is SAFe POPM a Scrum Alliance cert?":
        no; "is the PSPO from scrum.org?": yes); None otherwise (neighbours.yml `issuer`, the CSM's and CSPO's issuer)."""
        question = plain_yes_no(the_question(text), "yesno" in asks)
        if len(keys) != 1 or question is None or negated(question):
            return None
        issuer = self.neighbours.entries[keys[0]].issuer
        issuers = {n.issuer for n in self.neighbours.entries.values() if n.issuer}
        named = {i for i in issuers if re.search(_issuer_pattern(i), question)}
        return None if issuer is None or len(named) != 1 else ("yes" if issuer in named else "no")

    def _neighbour_asserted(self, keys: Tuple[str, ...], text: str, asks: Tuple[str, ...]) -> Optional[str]:
        """"yes" or "no" to a yes/no question about one neighbour that its description makes true or false ("is PMP a
        Scrum certification?": no; neighbours.yml `assertions`, read as the facts' are: actions/assertions.py)."""
        entry = self.neighbours.entries[keys[0]] if len(keys) == 1 else None
        if entry is None or entry.assertions is None:
            return None
        said, lexicon = f"{entry.what} {entry.relation}", self.index.lexicon
        verdict = self._asserted(entry.assertions, the_question(text), "yesno" in asks, said)
        clause = the_asking_clause(text)  # ("what is PSM I, is it the same thing as CSM": its clause that asks yes or no)
        if verdict is None and clause != the_question(text) and lexicon is not None:
            verdict = self._asserted(entry.assertions, clause, "yesno" in lexicon.asks_of(clause), said)
        return verdict

    def _neighbour(self, keys: Tuple[str, ...], text: str, asks: Tuple[str, ...],
                   ranked: Sequence[Tuple[str, float, float]], candidates: Tuple[Tuple[str, float], ...],
                   unknown: Optional[Unknown]) -> Decision:
        """The neighbour's answer (`_neighbour_answer`), with "Yes." or "No." first when its description settles a
        yes/no question."""
        decision = self._neighbour_answer(keys, text, asks, ranked, candidates, unknown)
        if decision.kind == NEIGHBOUR and decision.polarity is None:
            polarity = self._neighbour_asserted(keys, text, asks)
            if polarity is not None:
                return replace(decision, polarity=polarity)
        return decision

    def _neighbour_answer(self, keys: Tuple[str, ...], text: str, asks: Tuple[str, ...],
                          ranked: Sequence[Tuple[str, float, float]], candidates: Tuple[Tuple[str, float], ...],
                          unknown: Optional[Unknown]) -> Decision:
        """A fact that answers for the neighbour; else "not known" when the question asks for a detail
        (a price, a count, a known unknown, or something beyond what the description says); else the
        neighbour's description."""
        book = self.index.book
        if unknown is not None:  # "how much is the PSM?": what the data says about not knowing it
            return Decision(NOT_KNOWN, "neighbour_not_known", neighbours=keys, unknown=unknown, asks=asks,
                            candidates=candidates)
        concepts = tuple(self.index.lexicon.concepts_in(text.lower())) if self.index.lexicon is not None else ()
        if self.index.lexicon is not None and self.index.lexicon.asks_in_depth(text.lower()) \
                and not self._strong([a for a in asks if a not in ("who", "how")]):
            # "deep dive on psm i please", "go into detail on pmp": that it isn't advised on in depth, first, then what it
            # is and how it relates (not one fact of it: the PSM I's expiry)
            return Decision(NEIGHBOUR, "neighbour", neighbours=keys, asks=asks, candidates=candidates, concepts=concepts,
                            in_depth=True)
        if ("issuer" in concepts or _ISSUER_ASKED.search(text.lower())) and not self._strong([a for a in asks if a != "who"]):
            # "is PSM I the Scrum Alliance one?": who issues it, first, then what it is ("No." first when the question
            # names one issuer and it is not that one's)
            return Decision(NEIGHBOUR, "neighbour", neighbours=keys, asks=tuple(dict.fromkeys(asks + ("who",))),
                            candidates=candidates, concepts=concepts, polarity=self._issuer_named(keys, text, asks))
        # "if I've only been a product owner for 8 months, can I get the A-CSPO yet?": the fact whose minimum the user's
        # own figure is put against (the 12 months), when it is close to the best, before one the words fit as well
        # (and before what it is: "Can I get the A-CSM now?" after the user's 8 months asks whether they qualify)
        own_figure = SCORE_WORDS.search(text.lower()) is not None
        best = max((score for label, score, _ in ranked if not label.startswith(TOPIC_PREFIX)), default=0.0)

        def measured(label: str, score: float) -> bool:
            fact = book.facts.get(label)
            return own_figure and fact is not None and score >= best - NEIGHBOUR_THRESHOLD_MARGIN \
                and score >= book.min_score and _reads_the_figure(fact, text)

        question = the_question(text)
        if not any(measured(label, score) for label, score, _ in ranked) and (
                self._defines(text, keys, asks) or (question != text and self._defines(question, keys, asks))):
            # "what's PSM I?", "is PSM the same as CSM?", "I keep seeing PSM in job ads. what is it": what it is
            return Decision(NEIGHBOUR, "neighbour", neighbours=keys, asks=asks, candidates=candidates,
                            concepts=concepts)
        after = self._after(text, keys)
        if after is not None:  # "what's the next level after the A-CSPO?": the one that follows it, and what it is
            fact = self._then_fact(after, keys[0] if len(keys) == 1 else None)
            return Decision(FACT, "neighbour_then", fact=fact, topic=fact.topic, neighbours=(after,), asks=asks,
                            candidates=candidates)
        allowed = {f for k in keys for f in self.neighbours.entries[k].answers_facts}
        # what the one after it is comes after its own facts: "does A-CSM need a CSM, and how many months of experience?"
        # asks its own 12 months, not the CSP's 24 (which the words "months of experience" fit as well)
        entries = self.neighbours.entries
        later = {f for k in keys if entries[k].then in entries and entries[k].then not in keys
                 for f in entries[str(entries[k].then)].answers_facts}
        for label, score, _ in sorted(ranked, key=lambda c: (c[0] in later, not measured(c[0], c[1]))):
            if label.startswith(TOPIC_PREFIX) or score < book.min_score:
                continue
            fact = book.facts[label]
            covers_all = len(keys) == 1 or all(fact.id in self.neighbours.entries[k].answers_facts for k in keys)
            if covers_all and (fact.only_with in keys or fact.id in allowed) and self._states(fact, asks) \
                    and self._explains(fact, concepts, text):
                if len(keys) == 1 and keys[0] in fact.per_neighbour:
                    fact = book.facts[fact.per_neighbour[keys[0]]]  # "how long is the A-CSM course?": the A-CSM's alone
                if len(keys) == 1 and label in later:
                    # "what comes after it?" right after the A-CSM: the one after it, which "there" then is ("and what do
                    # I need to get there?")
                    return Decision(FACT, "neighbour_then", fact=fact, topic=fact.topic, neighbours=(str(entries[keys[0]].then),),
                                    asks=asks, candidates=candidates)
                return Decision(FACT, "neighbour_fact", fact=fact, topic=fact.topic, neighbours=keys,
                                asks=asks, candidates=candidates)
        lexicon = self.index.lexicon
        detail = lexicon is not None and (
            self._strong([a for a in asks if a != "who"])  # who issues it: the description says
            or any(c not in lexicon.described_by_neighbours for c in concepts))
        if not all(self.neighbours.entries[k].answers_facts for k in keys) \
                and any(_REQUIREMENT_NOUN.match(t) for t in self._beside_the_names(text, keys)):
            # "what are the requirements for the PMP?": its description does not say what it takes
            detail, concepts = True, concepts + ("prerequisite",)
        if detail:
            return Decision(NOT_KNOWN, "neighbour_not_known", neighbours=keys, asks=asks, candidates=candidates,
                            concepts=concepts)
        return Decision(NEIGHBOUR, "neighbour", neighbours=keys, asks=asks, candidates=candidates, concepts=concepts)

    def _compared_with_neighbour(self, keys: Tuple[str, ...], named: Sequence[str], text: str, asks: Tuple[str, ...],
                                 ranked: Sequence[Tuple[str, float, float]],
                                 candidates: Tuple[Tuple[str, float], ...]) -> Optional[Decision]:
        """A question comparing a certification named with one neighbour on one point ("psm vs csm which one lasts
        longer?"): the best fact of each that states what is asked (comparing aside), when both are found."""
        lexicon, book = self.index.lexicon, self.index.book
        if lexicon is None or len(keys) != 1 or not _COMPARING.search(text.lower()):
            return None
        entry = self.neighbours.entries[keys[0]]
        concepts = tuple(c for c in lexicon.concepts_in(text.lower()) if c != DIFFERENCE_CONCEPT)
        wanted = tuple(asks_ for asks_ in asks if asks_ not in UNPARTICULAR_ASKS)
        theirs: Optional[FactEntry] = None
        ours: Optional[FactEntry] = None
        mate: Optional[str] = None  # the counterpart the neighbour's own fact names for the certification
        for label, score, _ in ranked:
            fact = book.facts.get(label)
            if fact is None or not self._states(fact, wanted) or not self._explains(fact, concepts, text):
                continue
            own = fact.only_with == keys[0]
            # (the neighbour named has only a few facts of its own: one that speaks of every point asked is
            # its answer at any score, "PSM I vs CSM: which one needs a course?")
            if score < book.min_score and not (own and concepts):
                continue
            if theirs is None and (own or fact.id in entry.answers_facts):
                theirs = book.facts[fact.per_neighbour[keys[0]]] if keys[0] in fact.per_neighbour else fact
                # (the CSM and the CSPO both named: a counterpart speaking of both, "psm vs csm vs cspo which lasts
                # longer?" the validity of both)
                mate = next((m for m in (fact.counterparts.get(c, "") for c in named) if m in book.facts
                             and set(named) <= set(book.facts[m].certifications)), None)
            elif ours is None and score >= book.min_score and not fact.only_with and not fact.about \
                    and self._eligible(fact, named, wanted) and fact.topic not in self._guide_topics \
                    and DIFFERENCE_CONCEPT not in self._fact_concepts.get(fact.id, ()):
                ours = fact
        if mate is not None and (ours is None or (
                len(ours.certifications) > len(set(named)) and len(book.facts[mate].certifications) == len(set(named)))):
            # the counterpart the data gives the neighbour's fact, rather than a fact about both CSM and CSPO
            # ("PSM I vs CSM, which one needs a course?": the CSM's path, not that neither has prerequisites)
            ours = book.facts[mate]
        if theirs is None or ours is None or theirs.id == ours.id:
            return None
        lowered = text.lower()
        mentions = self._neighbour_starts(lowered)
        own_mention = self._certification_names.search(lowered) if self._certification_names is not None else None
        # "PSM I vs CSM: ...": the neighbour's fact first, as the user put it; "is the PSM I test longer than the CSM
        # test?": "No." first, when their figures settle it, before the fact of the one it asks about
        polarity, subject = self._more_or_less(text, mentions, own_mention, theirs, ours)
        if subject == "theirs" or (subject is None and mentions and own_mention is not None
                                   and min(mentions) < own_mention.start()):
            also = Decision(FACT, "compared_fact", fact=ours, topic=ours.topic, certifications=tuple(named), asks=asks)
            return Decision(FACT, "neighbour_compared", fact=theirs, topic=theirs.topic, asks=asks, candidates=candidates,
                            neighbours=keys, also=(also,), polarity=polarity)
        also = Decision(FACT, "neighbour_fact", fact=theirs, topic=theirs.topic, neighbours=keys, asks=asks)
        return Decision(FACT, "neighbour_compared", fact=ours, topic=ours.topic, certifications=tuple(named),
                        asks=asks, candidates=candidates, neighbours=keys, also=(also,), polarity=polarity)

    def _more_or_less(self, text: str, mentions: Sequence[int], own_mention: Optional["re.Match[str]"], theirs: FactEntry,
                      ours: FactEntry) -> Tuple[Optional[str], Optional[str]]:
        """"Yes."/"No." to "is the PSM I test longer than the CSM test?" (``_larger_or_smaller``) and whose it is, "theirs"
        or "ours": the one named before "than" (or not named after it: "and is its pass mark higher than the CSM's?" after
        the PSM I); (None, None) when there is no such answer."""
        than = re.search(r"\bthan\b", text.lower())
        if than is None:
            return None, None
        before = {"theirs": any(m < than.start() for m in mentions),
                  "ours": own_mention is not None and own_mention.start() < than.start()}
        after = {"theirs": any(m > than.start() for m in mentions),
                 "ours": own_mention is not None and own_mention.start() > than.start()}
        if before["theirs"] != before["ours"]:
            first = "theirs" if before["theirs"] else "ours"
        elif not any(before.values()) and after["theirs"] != after["ours"]:
            first = "ours" if after["theirs"] else "theirs"
        else:
            return None, None
        verdict = self._larger_or_smaller(text, *((theirs, ours) if first == "theirs" else (ours, theirs)))
        return (verdict, first) if verdict is not None else (None, None)

    def _past_what_is_held(self, keys: Tuple[str, ...], text: str, context: Context) -> Tuple[str, ...]:
        """"I have A-CSM and 18 months as SM, enough?" right after the CSP's requirements: the A-CSM is what the user
        holds, and the question is about the level after it, the one just spoken of (neighbours.yml `then`)."""
        if len(keys) != 1 or context.neighbour not in self.neighbours.entries or context.neighbour == keys[0]:
            return keys
        held = self.neighbours.entries[keys[0]]
        if held.then != context.neighbour:
            return keys
        aliases = "|".join(re.escape(a) for a in sorted(held.aliases, key=len, reverse=True))
        holds = re.search(r"\b(i have|i've got|ive got|i got|i hold|i already have|i already hold|i earned|i passed|with my)"
                          r"\s+(my |the |an? |already )?(" + aliases + r")(?![\w-])", text.lower())
        return (str(context.neighbour),) if holds else keys

    def _neighbour_starts(self, lowered: str) -> List[int]:
        """Where the (lower-case) text names a neighbouring certification by one of its aliases."""
        return [m.start() for m in self.neighbours.pattern.finditer(lowered)] if self.neighbours.pattern is not None else []

    def _after(self, text: str, keys: Sequence[str]) -> Optional[str]:
        """The neighbour that follows the one named, when the message asks what comes after it."""
        if len(keys) != 1 or not self.neighbours.entries[keys[0]].then:
            return None
        entry = self.neighbours.entries[keys[0]]
        # (or "it", "that one": the neighbour spoken of, "what's after it?" right after what the A-CSPO is)
        names = "|".join(re.escape(a) for a in sorted(entry.aliases, key=len, reverse=True)) + r"|it|that( one)?|this( one)?"
        asked = re.search(r"\b(after|beyond|following|past|above|higher than|up from)\s+"
                          r"(the\s+|my\s+|an?\s+|your\s+)?((getting|having|earning|"
                          r"finishing|doing|passing)\s+(the\s+|my\s+|an?\s+)?)?(" + names + r")(?![\w-])"
                          # "does the experience have to come after the A-CSM course?" asks when, not what follows it
                          r"(?!\s+(course|class|training|workshop)s?\b)", text.lower())
        return entry.then if asked else None

    def _defines(self, text: str, keys: Sequence[str], asks: Sequence[str] = ()) -> bool:
        """Whether the message only asks what a neighbour is, or how it relates to the CSM/CSPO (its words,
        beside the names, are all `definition_words` of lexicon.yml or linking words), or all it takes
        (`requirement_words`, one at least: "A-CSM eligibility?"; not a yes/no question)."""
        words = self._definition_words
        if not words:
            return False
        tokens = self._beside_the_names(text, keys)
        if bool(tokens) and all(t in words or t in self.kb.followup_words for t in tokens):
            return True
        allowed = words | self._requirement_words | self._requirement_fillers | self.kb.followup_words
        # only for a neighbour the knowledge holds facts for (its description then says what it takes; the PMP's does not)
        described = all(self.neighbours.entries[k].answers_facts for k in keys)
        return described and "yesno" not in asks and any(t in self._requirement_words for t in tokens) \
            and all(t in allowed for t in tokens)

    def _beside_the_names(self, text: str, keys: Sequence[str]) -> List[str]:
        lowered = text.lower()
        aliases = [a for k in keys for a in self.neighbours.entries[k].aliases] + [
            a for cert in self.kb.certifications.values() for a in cert.aliases]
        for alias in sorted(aliases, key=len, reverse=True):
            lowered = re.sub(r"(?<![\w-])" + re.escape(alias.lower()) + r"(?![\w-])", " ", lowered)
        return WORD.findall(lowered)
