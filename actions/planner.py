"""The answer planner: reads a parsed message and the conversation's context once, and decides what
the answer is — one fact, its counterpart for the other certification, a topic summary, a
neighbouring certification, the audience shortcut, an honest "not known", or nothing (the caller's
own reply: the form, the fallback, out of scope).

It returns a :class:`Decision` with a trace (the candidates and their scores, what the question asks
for, the rule that decided) that goes into the bot event's metadata, so the workbench can show "why
this answer". Pure: no Rasa, no I/O; the data (facts, lexicon, unknowns, neighbours) comes in.

The rules, in order (each is named in the trace):
1. ``button``: a typed or clicked payload ("/ask_cost") asks for its topic summary.
2. ``counterpart``: "and for the CSPO?" right after a fact: the same fact for the other certification
   (data: ``counterparts`` in facts.yml); without a fact before it, ``followup_topic``: the previous
   topic for the certification named.
3. ``neighbour_fact`` / ``neighbour_not_known`` / ``neighbour``: a neighbouring certification named
   (PSM, A-CSM, ...): a fact that answers for it, an honest "not known" when the question asks for a
   detail no fact states (a price, a count, ...), else what it is and how it relates.
4. ``known_unknown``: a question the knowledge data lists as not answerable (pass rates, salary
   figures, course dates, ...): say so, with the nearest fact and where to look.
5. ``audience``: "which one is for a business analyst?": the article's answer for that role.
6. ``fact``: the best fact above ``min_score`` that states what the question asks for (a price
   question is never answered with a duration) and is about the certification asked.
7. ``broad_topic``: a broad question ("tell me about the CSPO", "csm costs?") gets the topic summary.
8. ``not_known``: a question the facts do not answer: say so, at most the nearest fact, where to look.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, List, Optional, Sequence, Tuple

from actions.assertions import plain_yes_no
from actions.context import is_elliptical, mentioned_certifications
from actions.decision import (
    AUDIENCE,
    AUDIENCE_TOPIC,
    COUNTERPART,
    FACT,
    NO_ANSWER,
    NOT_KNOWN,
    TOPIC,
    TRACE_CANDIDATES,
    UNPARTICULAR_ASKS,
    Context,
    Decision,
    Turn,
)
from actions.facts import TOPIC_PREFIX, FactEntry, Normaliser
from actions.parts import numbered, question_parts
from actions.planner_audience import AudienceRules
from actions.planner_base import (
    _BUILDS_ON,
    _COMPARING,
    _OTHER_REQUIREMENT,
    _PAIRED,
    _REQUIREMENT_NOUN,
    _SAMENESS,
    _WHAT_IF_I_HOLD,
    ASKED_AGAIN_MAX_WORDS,
    DIFFERENCE_CONCEPT,
    SAID_ALREADY_MAX_WORDS,
    _gives_a_page,
    _reads_the_figure,
    part_turn,
)
from actions.planner_followups import FollowUpRules
from actions.planner_neighbours import NeighbourRules
from actions.polarity import modality, polarity
from actions.question_text import (
    ABOUT_THE_ADVISOR,
    GOING_ON,
    QUESTION_START,
    as_asked,
    leans_on_context,
    looks_like_a_question,
    named_beyond_comparison,
    only_compared,
    only_likened,
    quotable,
    the_asking_clause,
    the_question,
    word_count,
)
from actions.sameness import comparison, sameness
from actions.spelling import corrected_turn
from actions.threshold import ASKS_WHAT_IS_LEFT, SCORE_WORDS

# whether something must or may be done at a time: "straight after the course", "the same day", "recent"
_ASKS_WHEN_DONE = re.compile(r"\b(straight (after|away)|immediately|right (after|away)|directly after|same day|at once|"
                             r"recent|recently)\b")
# a question asking yes or no by its first word ("is there a time limit ...?")
_ASKS_YES_OR_NO = re.compile(r"^\W*((so|and|but|ok|okay|hmm+)\W+)*(is|are|was|were|does|do|did|will|would|has|have|can|could|"
                             r"must|should|may)\b", re.I)
# a verb, not the thing a certification may lack ("how to test product assumptions")
_DOING_IT = re.compile(r"\b(to|how to|can|will|we|you|i) (test|examine|assess)\b|\btesting\b")
GENERAL_TOPIC = "overview"  # the summary of what a certification is: the topic any question about it fits a little
REDACTED = re.compile(r"\[[a-z]+\]")
POINT_ASKS = ("price", "duration", "count", "percent")  # asked for, a "which one?" is no question of fit
FIGURE_ASKS = ("count", "percent")  # a known unknown asking for one of these shows no nearest fact with a number
# a short question is the fact just given again (SAID_ALREADY_MAX_WORDS) unless its words fit that fact less than
# this, and another fact better by as much ("and who defines the vision?" right after who removes impediments)
SAID_ALREADY_OUTSCORED = 0.25
_ASKING_WORDS = frozenset({"what", "when", "where", "which", "whom", "whose", "much", "many", "long", "often", "soon"})
# "ok, same question for the other one?": the certification the answer before was not about
_THE_OTHER = re.compile(r"\bthe other( one| cert\w*| course| exam| test)?\b")
# "my CSPO expired though", "mine has lapsed", "does an expired CSM count?": one held (or asked of), no longer active
_HELD_LAPSED = re.compile(r"\b(my|mine|our|her|his|their|i have an?|i hold an?|i've got an?)\b[^.?!]{0,25}\b(expired|lapsed|"
                          r"ran out|run out|inactive|no longer (active|valid))\b|\ban? (expired|lapsed|inactive)\b")
# "would my CSPO work instead?": whether it counts, not work experience
_WORKS_INSTEAD = re.compile(r"\bwork(s)? (instead|for (it|that|this))\b")
# "is there a scrum master cert where I can skip the course?" asks for another certification, not about this one
_ANOTHER_ONE_WANTED = re.compile(r"\b(is there|are there|any|which|what|another|other)\s+(a |an |any )?([\w-]+ ){0,2}"
                                 r"(cert|certs|certificate|certificates|certification|certifications|credential|alternative|option)s?\b")
# "so how many 8-hour days is that?": a question asking for a figure, claiming none
_ASKS_A_FIGURE = re.compile(r"\W*((so|and|ok|okay|but|then)\W+)*(how (many|much|long)|what|which|when)\b", re.I)
# a part asking again what the part before asked, in other words ("... ? i mean who teaches it"): only it counts
_REPHRASED = re.compile(r"\W*((sorry|oops|ok|or)\W+)?(i mean|i meant|what i mean is|what i meant is|in other words)\b", re.I)
# a part of a message that says something of the user ("i work in HR", "my company pays"), not a question
_TELLS_ABOUT_ONESELF = re.compile(r"\W*(i|i'm|im|i am|i've|ive|my|we|we're|our)\b", re.I)
# ... or of their situation, before the question ("if I do the course in March, ...", "as the exam is short, ...")
_SITUATION = re.compile(r"\W*(i|i'm|im|i am|i've|ive|my|we|we're|our|if|as|since|when|because)\b", re.I)
# a question asking only whether what the message said is so ("..., is that true?", "..., right?")
_CHECKS_A_CLAIM = re.compile(r"\W*(is (that|this|it) (true|right|correct|so|accurate|a fact)|"
                             r"(is that|that's|thats) (really )?(true|right|correct)|"
                             r"true|right|correct|really|is it|am i right)\W*$", re.I)
_MOVING_ON = re.compile(r"^\W*(and|what about|how about|ok and|so and)\s+(the|its|their|your)\b", re.I)
_PRONOUN_OBJECT = re.compile(r"\b(for|before|towards?|into|with|of|does|do|did|will|would|is|can|could) "
                             r"(it|that|this|that one|this one)\b")
# "I earned 20 SEUs, some from 3 years ago, do they still count?": the fact a user's own number is put against answers
# only when no other fact fits the question better than it by more than this (the two-year window, not "Yes." and 20 SEUs)
THRESHOLD_MARGIN = 0.03
# A question this close to one of a fact's own questions is that question: no known unknown's cue outweighs it
SAME_QUESTION_SCORE = 0.97


def _outscored(fact_id: str, ranked: Sequence[Tuple[str, float, float]], bar: float) -> bool:
    """Whether another fact than ``fact_id`` reaches ``bar`` and outscores it by SAID_ALREADY_OUTSCORED."""
    scores = {label: score for label, score, _ in ranked}
    best = next(((label, score) for label, score, _ in ranked if not label.startswith(TOPIC_PREFIX)), None)
    own = scores.get(fact_id, 0.0)
    return best is not None and best[0] != fact_id and best[1] >= bar and own < SAID_ALREADY_OUTSCORED \
        and best[1] - own >= SAID_ALREADY_OUTSCORED


@dataclass(frozen=True)
class Reading:
    """What the planner read of a message before it looks for one fact (rules 6-8)."""

    text: str
    named: Tuple[str, ...]  # the certifications it asks about
    asks: Tuple[str, ...]  # what it asks for (lexicon `asks`), or what the question before it asked
    own_asks: Tuple[str, ...]  # ... in its own words
    concepts: Tuple[str, ...]  # what it speaks of (lexicon `concepts`)
    ranked: Tuple[Tuple[str, float, float], ...]  # the candidates (facts and topics), best first
    candidates: Tuple[Tuple[str, float], ...]  # the best of them, for the trace
    topic: Optional[str]  # the topic of the NLU's intent (or of the last answer)
    topic_from_context: bool
    on_a_point: bool  # it asks about one point the two differ on, or for a price, a duration, a count


class Planner(FollowUpRules, NeighbourRules, AudienceRules):
    """Decides the answer to one message. Built once per process from the knowledge data (actions/planner_base.py);
    the rules by concern in its mixins."""

    # ------------------------------------------------------------------ the decision
    def plan(self, turn: Turn, context: Context) -> Decision:
        corrected = corrected_turn(turn, self.speller)
        if corrected.text != turn.text:
            corrected = self._names_put_right(corrected)
        turn = as_asked(corrected)
        figured = self._with_the_figure_before(turn, context)
        if figured is not None and context.fact in self.index.book.facts:
            # "so did i fail?" after "i got 36 right" after the pass mark: "No. 36 is 1 short ...", the pass mark again
            last = self.index.book.facts[str(context.fact)]
            decision = Decision(FACT, "threshold_of_last", fact=last, topic=last.topic, certifications=last.certifications,
                                question=True, leans_on_last=True)
            first = self._first_word(figured, last, last)
            return self._with_figures_worked_out(replace(decision, polarity=first) if first else decision, figured.text)
        other = self._the_other_one(turn, context)
        if other is not None:  # "and how long is the course for the other?" after an answer about the CSM
            # (where the message says it: "ok, same question for the other one?" is then "... for the CSPO?")
            said = _THE_OTHER.search(turn.text.lower())
            where = {"start": said.start(), "end": said.end()} if said else {}
            turn = replace(turn, entities=tuple(turn.entities) + ({"entity": "certification", "value": other, **where},))
        turn = self._the_advanced_one(turn, context)
        decision = self._plan_turn(turn, context)
        # (also a message read whole as naming no certification: "retake fee, and how long do the free attempts last?")
        if (decision.kind in (FACT, COUNTERPART, NOT_KNOWN) or decision.rule == "ambiguous_certification") \
                and not turn.is_payload and decision.rule != "source_of_last":
            # (not "who do I pay? where do i do it" right after a fee: one question, where the fee is paid)
            parts = question_parts(turn.text)
            if len(parts) > 1 and not self.sides.both_asked(turn.text.lower()):  # (the how and the what: one question)
                decision = self._plan_parts(turn, context, parts) or decision
        decision = self._asked_in_a_story(decision, turn, context) or decision
        decision = self._read_with_last(decision, turn, context)
        if decision.kind in (FACT, COUNTERPART) and decision.fact is not None and not decision.neighbours \
                and decision.fact.id in self._introducing:
            # "do I need the CSM for it?" right after "what comes after the csm?" asks about the A-CSM
            decision = replace(decision, introduces=self._introducing[decision.fact.id])
        return decision

    def _plan_parts(self, turn: Turn, context: Context, parts: Sequence[Tuple[int, int]]) -> Optional[Decision]:
        """A message asking two questions ("csm exam duration and can I pause it in the middle?"): each part
        planned on its own (a certification named in the message holds for a part naming none, and a part
        goes on from the one before it), when every part gets a fact or an honest "not known" and they
        differ; None to answer the message whole."""
        named = mentioned_certifications(self.kb, list(turn.entities))
        decisions: List[Decision] = []
        told = ""  # what the user says of themselves in a part before
        before = Context(certification=named[0] if len(set(named)) == 1 else context.certification, topic=context.topic)
        for start, end in parts:
            part = part_turn(turn, start, end)
            # "who teaches the CSM and how many hours is it?": "it" is what the part before spoke of (the course)
            if not looks_like_a_question(part.text) and _TELLS_ABOUT_ONESELF.match(part.text) \
                    and not looks_like_a_question(the_asking_clause(part.text)):
                # "... ? i work in HR": what the user says of themselves, no question to answer (not "I have the
                # A-CSM, what is the next level": a question after what they say)
                told = part.text
                continue
            if _REPHRASED.match(part.text):  # "wer unterrichtet den kurs? i mean who is the teacher ...": asked again
                decisions = []
            decision = self._read_with_last(self._plan_turn(part, before), part, before)
            if told and decision.kind in (FACT, COUNTERPART) and not decision.worked_out:
                # "I got the CSPO in October 2025; when does it run out?": worked out with what the user told before it
                decision = self._with_figures_worked_out(decision, f"{told}. {part.text}")
            if looks_like_a_question(part.text) and (decision.kind == NO_ANSWER or (
                    decision.kind == TOPIC and self.foreign_words(part.text))):  # "can I pause it in the middle?"
                decision = Decision(NOT_KNOWN, "not_known", certifications=tuple(named[:1]), asks=decision.asks,
                                    candidates=decision.candidates)
            if decision.kind not in (FACT, COUNTERPART, NOT_KNOWN) or decision.source_only \
                    or (decisions and decision.rule == "source_of_last"):
                # ("where do I renew? need the link": the link of what the message asks, read whole)
                return None
            decisions.append(replace(decision, part=part.text))
            before = replace(decision.context_after(before), question=part.text)
        answers = {(d.fact.id if d.fact else None, d.unknown.id if d.unknown else None, d.kind) for d in decisions}
        if not decisions:
            return None
        if len(answers) < 2:
            # "how much is the csm course and does it include the test": one fact answers both parts (the price, and
            # what it includes), which the whole message's words may miss
            return replace(decisions[0], part="") if decisions[0].fact is not None and decisions[0].kind == FACT else None
        kept = [d for i, d in enumerate(decisions)
                if d.fact is None or all(d.fact is not e.fact for e in decisions[:i])]  # a fact once
        if numbered(turn.text):  # ("1) ... 2) ...": each answer under its number, its "Yes." or "No." with it)
            return replace(kept[0], also=tuple(kept[1:]), numbered=len(kept) > 1)
        # (a "yes" or "no" first would read as the answer to every part: "is it online and can I take it on my phone?")
        return replace(kept[0], polarity=None, also=tuple(kept[1:])) if kept[0].polarity in ("yes", "no") \
            else replace(kept[0], also=tuple(kept[1:]))

    def _plan_turn(self, turn: Turn, context: Context) -> Decision:
        decision = self._plan(turn, context)
        if decision.kind == NOT_KNOWN and decision.unknown is None and not decision.restated:  # (its words, quoted)
            decision = replace(decision, quoted=quotable(turn.text))
        lexicon = self.index.lexicon
        if not decision.question and ("?" in turn.text or QUESTION_START.match(turn.text)):
            decision = replace(decision, question=True)
        last = self.index.book.facts.get(context.fact) if context.fact is not None else None
        if decision.rule == "fact" and decision.fact is not None and last is not None \
                and decision.fact.topic == last.topic and leans_on_context(turn.text) and lexicon is not None \
                and not ABOUT_THE_ADVISOR.search(turn.text.lower()) and "fit" not in lexicon.asks_of(turn.text):
            concepts = lexicon.concepts_in(turn.text.lower())
            if concepts and self._explains(decision.fact, concepts):
                decision = replace(decision, leans_on_last=True)
        if decision.fact is not None and decision.kind in (FACT, COUNTERPART) and decision.polarity is None:
            first = self._first_word(turn, decision.fact, last) or self._first_of_counterpart(turn, decision, context, last)
            if first:
                decision = replace(decision, polarity=first)
        if decision.fact is not None and decision.kind in (FACT, COUNTERPART) and not decision.also:
            decision = self._with_figures_worked_out(decision, turn.text, context.question)
        return decision

    def _first_word(self, turn: Turn, fact: FactEntry, last: Optional[FactEntry]) -> Optional[str]:
        """What the answer says before the fact, the first rule that applies: "Yes."/"No." on an item of a list
        (`lists`), the same for both (`same_for_both`), the same as the fact just given, may/must (`yes_no`), a
        score against a minimum (`threshold`); None when none does."""
        lexicon, text = self.index.lexicon, turn.text
        if lexicon is not None and fact.lists and not re.match(r"\W*(yes|no)\b", fact.answer, re.I):
            answer = polarity(text, fact.answer, lexicon, self.index.normalise, lexicon.polarity_generic)
            if answer:
                return answer
        if fact.same_for_both:
            named = set(mentioned_certifications(self.kb, list(turn.entities))) | set(self.index.normalise(text)[1])
            # every concept the question speaks of is in the answer, in other words ("expire": "valid"); one shared
            # is not enough ("the same price for both courses?" is not answered by the courses' length)
            asked = set(lexicon.concepts_in(text.lower())) - lexicon.weak_concepts if lexicon is not None else set()
            shared = lexicon is not None and bool(asked) and asked <= set(lexicon.concepts_in(fact.answer.lower()))
            answer = sameness(text, fact.answer, sorted(named), True,
                              lexicon.polarity_generic if lexicon is not None else frozenset(), shared)
            if answer:
                return answer
            # "is that the same for the other one?" right after a fact that holds for both: the fact just given,
            # "Yes, the same for both." / "No, they're the same." first (its own words need not be repeated)
            compared = comparison(text, True)
            if last is not None and fact.id in (last.id, *last.counterparts.values(), *last.narrower()) \
                    and compared in ("same", "different"):
                return "same_yes" if compared == "same" else "same_no"
        as_its_counterpart = self._as_its_counterpart(fact, turn) or self._unlike_last(fact, last, text)
        if as_its_counterpart:
            return as_its_counterpart
        asking = the_asking_clause(text)  # (of the clause that asks: "student with no job yet: is it allowed to ...?")
        if fact.yes_no and lexicon is not None and "yesno" in lexicon.asks_of(asking):
            # "can I take the CSPO without the CSM?": "Yes." before "Neither has formal prerequisites"
            # (of the sentences that ask: "I'm a student with no job yet. can I even take the CSM?" asks whether one may)
            # (not to when: "do I have to do it straight after the course?", "does the experience have to be recent?"
            # ask about timing, which whether one may or must does not settle)
            answer = fact.yes_no.get(modality(asking) or "") if not _ASKS_WHEN_DONE.search(asking.lower()) else None
            if answer:
                return answer
        if fact.threshold is not None and not ASKS_WHAT_IS_LEFT.match(asking) and (
                lexicon is None or "yesno" in lexicon.asks_of(text) or SCORE_WORDS.search(text.lower())):
            answer = fact.threshold.answer(text)
            if answer:
                return answer
        # "the CSM class is 24 hours, is that right?": "No." before the 16 hours (actions/claims.py); also beside a
        # threshold the question does not speak of ("CSM exam is 90 min right?": the test's 60 minutes); not for a
        # question asking for a figure, which claims none ("so how many 8-hour days is that?")
        question = the_question(text)
        sentences = re.split(r"(?<=\?)\s+", question.strip())
        if len(sentences) > 1 and len(sentences[-1].split()) <= 4 and not _ASKS_YES_OR_NO.match(sentences[-2]):
            # "what type though? essay?": the guess after the question is a yes/no question of its own (not after one:
            # "is there a time limit for my attempts? like 30 days?" would read "No." as "no time limit")
            guessed = self._checked(fact, sentences[-1], sentences[-1])
            if guessed is not None:
                return guessed
        if _ASKS_A_FIGURE.match(asking) and lexicon is not None and "yesno" not in lexicon.asks_of(asking):
            return None
        return self._checked(fact, question, text)

    def _course_required(self, text: str, named: Sequence[str], asks: Sequence[str], concepts: Sequence[str],
                         context: Context, candidates: Tuple[Tuple[str, float], ...]) -> Optional[Decision]:
        """"can I skip the class and just take the CSM test?", "and without the course?" right after how to get the CSM:
        how the certification is earned, through its live course (facts.yml `course_facts`), "No." first to whether
        one may (not to renewing without a course: SEUs come from other things)."""
        lexicon, book = self.index.lexicon, self.index.book
        if lexicon is None or not lexicon.skips_the_course(text.lower()) or set(concepts) & {"renewal", "seu"} \
                or _ANOTHER_ONE_WANTED.search(text.lower()):
            return None
        certs = tuple(dict.fromkeys(named)) or ((str(context.certification),) if context.certification else ())
        if len(certs) != 1 or certs[0] not in book.course_facts:
            return None
        fact = book.facts[book.course_facts[certs[0]]]
        lead = self.kb.phrases["answer_course_required"].format(name=certs[0])
        return Decision(FACT, "course_required", fact=fact, topic=fact.topic, certifications=certs, asks=tuple(asks),
                        candidates=candidates, polarity="no" if modality(text) == "may" else None, worked_out=lead,
                        question=True)

    def _plan(self, turn: Turn, context: Context) -> Decision:
        kb, book = self.kb, self.index.book
        topic = kb.topic_for_intent(turn.intent)
        if turn.is_payload:
            if topic is None or topic == "recommendation":
                return Decision(NO_ANSWER, "payload_not_a_topic")
            return self._topic(topic, (), context, "button")
        # "[email]", "[phone]" ... are where the redaction (advisor/redaction.py) took personal data out: not
        # words of the question ("call me on [phone]" is no question about phones)
        text = REDACTED.sub(" ", turn.text)
        if not text.strip():
            return Decision(NO_ANSWER, "empty")
        topic_from_context = False
        if (topic is None or topic == "recommendation") and turn.unsure and context.fact in book.facts \
                and context.topic in kb.topics and context.topic != "recommendation" and leans_on_context(text):
            # "who decides that price?", which the NLU fell back on (or put out of scope) right after the course
            # price: a question about what was just answered, at the stricter bar of an unsure message (its
            # summary too, when it fits best: "who decides that price?" is in the cost summary)
            topic, topic_from_context = context.topic, True
        entities = list(turn.entities)
        named = mentioned_certifications(kb, entities)
        elliptical = bool(named) and is_elliptical(kb, text, entities)

        step = self._next_step(text, named, context)
        if step is not None:
            return step
        side = self.sides.asked(text.lower())
        if side is not None and not turn.is_payload:
            # "which cert is about the 'how'?", "is the CSPO the 'how' one?" (actions/sides.py)
            fact = self.index.book.facts[side.fact]
            yes_no = self.index.lexicon is not None and "yesno" in self.index.lexicon.asks_of(text)
            return Decision(FACT, "side", fact=fact, topic=fact.topic, certifications=fact.certifications, question=True,
                            polarity=self.sides.polarity(side, named, yes_no))
        held = self._figure_held(text, named, topic, context)
        if held is not None:
            return held
        from_last = self._from_the_last_answer(turn, text, named, elliptical, context)
        if from_last is not None:
            return from_last

        # (answering only the first of two questions joined in one sentence, "how long is the course and does it
        # include the exam?", measured: one more right on set 17, but "is there an exam for csm and how many
        # questions" then lost the number of questions a single fact gives: left out)
        own_asks = self._asks(the_question(text))  # (of the sentences that ask: "retiree with a patchy schedule. Is ...?")
        asks = own_asks or self._asked_again(text, context)
        # (not the words framing a claim: "my trainer said you need 85%?" asks nothing about trainers)
        concepts = self._concepts_asked(text)
        found, ranked = self.index.rank(text, topic, context.topic, context.fact)
        named = tuple(dict.fromkeys(named + found))
        if len(named) > 1:
            # "is the CSPO test open book like the CSM one?" asks about the CSPO
            asked = tuple(c for c in named if not only_likened(text, entities, c))
            named = asked or named
        candidates = tuple((label, score) for label, score, _ in ranked[:TRACE_CANDIDATES])

        window = self._window_of_last(text, named, concepts, context)
        if window is not None:  # "within what time?" right after "two free attempts within 90 days ...": that again
            return Decision(FACT, "said_already", fact=window, topic=window.topic, certifications=named or window.certifications,
                            asks=asks, candidates=candidates)

        # 3. a neighbouring certification named (or, in "does it expire?", the one just answered about)
        question, named_here = the_question(text), tuple(dict.fromkeys(named + found))
        unknown = self.unknowns.matching(question, named_here) \
            or (self.unknowns.matching(text, named_here, across=True) if question != text else None)
        asking = the_asking_clause(text) if unknown is not None else question
        if unknown is not None and asking != question and self.unknowns.matching(asking, named_here) is None:
            situation = question[:len(question) - len(asking)]
            if situation and not looks_like_a_question(situation.strip(" ,;:-\u2013\u2014")) \
                    and _SITUATION.match(situation) and self.unknowns.matching(situation) is not None \
                    and not _CHECKS_A_CLAIM.match(asking):  # ("I read 98% of people pass, is that true?": the claim asked)
                # "my company pays for my csm training - what does the fee cover?": who pays is the user's situation,
                # not what they ask ("psm i price vs csm price, which is cheaper?" still asks the PSM's price; its cue
                # there alone: "my csm expired 2 years ago, can i renew it now?" asks about the late renewal)
                unknown = None
        if unknown is not None and ranked and not ranked[0][0].startswith(TOPIC_PREFIX) and ranked[0][1] >= SAME_QUESTION_SCORE \
                and set(named) <= set(book.facts[ranked[0][0]].certifications) \
                and self._cue_said_by(unknown, question, book.facts[ranked[0][0]]):
            # "How many questions are there in the CSM test?" is a fact's own question, whatever the cues (not
            # "is the CSM exam hard?", which is "is the CSPO exam hard?", a question of the CSPO's fact, for the CSM)
            unknown = None
        if unknown is not None and SCORE_WORDS.search(text.lower()) and any(
                not label.startswith(TOPIC_PREFIX) and _reads_the_figure(book.facts[label], text)
                and set(named) <= set(book.facts[label].certifications) for label, _, _ in ranked[:TRACE_CANDIDATES]):
            # "took a practice exam and got 38 out of 50, does that clear the CSM pass mark?": the user's own score
            # against the pass mark, not the unknown practice tests
            unknown = None
        neighbour_keys = self._past_what_is_held(tuple(self.neighbours.named(text, entities)), text, context)
        if neighbour_keys and named and named_beyond_comparison(text, entities, named):
            lowered = text.lower()
            spans = self._neighbour_starts(lowered)
            spans += [int(e["start"]) for e in entities
                      if e.get("entity") == "other_certification" and isinstance(e.get("start"), int)]
            if only_compared(lowered, spans) and unknown is None:
                # "CSM vs PSM I, which one has to be renewed?": each one's fact, when both are found
                compared = self._compared_with_neighbour(neighbour_keys, named, text, asks, ranked, candidates)
                if compared is not None:
                    return compared
            lexicon = self.index.lexicon
            if only_compared(lowered, spans) and (lexicon is None or set(asks) & set(POINT_ASKS) or any(
                    c not in lexicon.described_by_neighbours and c not in lexicon.weak_concepts for c in concepts)):
                # the neighbour is only what the CSM/CSPO is compared with on a point ("does the CSM test have 80
                # questions like the PSM?"); compared as a whole ("cspo vs pspo i who offers which") its description
                # says how they differ, not the CSM/CSPO comparison
                neighbour_keys = ()
        # (right after a fact of the neighbour's own, "is there a renewal fee?" also goes on about it)
        after_its_fact = context.fact in book.facts and book.facts[str(context.fact)].only_with == context.neighbour \
            and word_count(text) <= SAID_ALREADY_MAX_WORDS
        # "do I need a CSM for it?" right after what the A-CSM is: the certification it builds on, named, is what the
        # question asks about the A-CSM (not whether the CSM has prerequisites)
        # (not one only related to it: "got my CSM in 2023, when does it run out?" right after the PSM I asks about the CSM;
        # "how does that compare to the csm time" still asks about the PSM I)
        builds_on = context.neighbour in self.neighbours.entries and bool(named) \
            and set(named) == {self.neighbours.entries[str(context.neighbour)].related} \
            and bool(_PRONOUN_OBJECT.search(text.lower())) \
            and bool(self.neighbours.entries[str(context.neighbour)].builds_on_fact or _COMPARING.search(text.lower()))
        # ... or "would my CSPO work instead?", "does my PSM count?": a short yes/no question whether a certification
        # named counts towards the advanced one just spoken of
        builds_on = builds_on or (
            context.neighbour in self.neighbours.entries and bool(self.neighbours.entries[str(context.neighbour)].builds_on_fact)
            and bool(named) and set(named) <= set(self.kb.certifications)
            and word_count(text) <= SAID_ALREADY_MAX_WORDS
            and (("yesno" in asks and bool(_BUILDS_ON.search(text.lower()))) or bool(_WHAT_IF_I_HOLD.match(text.lower())))
            and not _OTHER_REQUIREMENT.search(_WORKS_INSTEAD.sub("", text.lower())))
        # ... or "my CSPO expired though": the one it builds on, held but lapsed (whether it still counts)
        builds_on = builds_on or (
            context.neighbour in self.neighbours.entries and bool(self.neighbours.entries[str(context.neighbour)].builds_on_fact)
            and bool(named) and set(named) <= set(self.kb.certifications) and word_count(text) <= SAID_ALREADY_MAX_WORDS
            and bool(_HELD_LAPSED.search(text.lower())))
        # ("how many months of work exp exactly?" right after what the A-CSM is: short, naming nothing, its best fact the A-CSM's)
        its_own = not named and context.neighbour in self.neighbours.entries and word_count(text) <= SAID_ALREADY_MAX_WORDS \
            and self._best_is_its(ranked, str(context.neighbour))
        again = self._last_in_other_form(text, context, neighbour_keys, asks, candidates)
        if again is not None:  # "in years?" right after the CSP's 24 months of experience
            return again
        if not neighbour_keys and (builds_on or not named_beyond_comparison(text, entities, named)) \
                and context.neighbour in self.neighbours.entries \
                and (leans_on_context(text) or after_its_fact or its_own or builds_on) \
                and (asks or concepts or QUESTION_START.match(text) or _REQUIREMENT_NOUN.search(text.lower().strip(" ?!."))):
            # "does it expire?" right after the PSM asks about the PSM; a message asking nothing ("<script>…",
            # "asdf") is no question about it
            neighbour_keys = (str(context.neighbour),)
            # (not "and the experience needed?", which moves on to another of its facts)
            said = self._said_already(text, (), asks, concepts, context, neighbour=True) \
                if after_its_fact and unknown is None and not _MOVING_ON.match(text) else None
            if said is not None:  # "within what time frame?" right after the A-CSPO's experience: that fact again
                return Decision(FACT, "said_already", fact=said, topic=said.topic, neighbours=neighbour_keys, asks=asks,
                                candidates=candidates)
            if builds_on:  # "do I need a CSM for it?": its facts ranked as if it were named ("... for the A-CSM?")
                alias = self.neighbours.entries[neighbour_keys[0]].aliases[0]
                ranked = self.index.rank(f"{text} ({alias})", topic, context.topic, context.fact)[1]
            if unknown is None:
                # "how much does it cost?" right after the PSM: what isn't known about the PSM ("it" named)
                alias = self.neighbours.entries[neighbour_keys[0]].aliases[0]
                unknown = self.unknowns.matching(f"{the_question(text)} ({alias})")
        if neighbour_keys and named and unknown is None:
            # "compare pass marks csm and psm": the CSM's fact and the PSM's, one after the other
            compared = self._compared_with_neighbour(neighbour_keys, named, text, asks, ranked, candidates)
            if compared is not None:
                return compared
        if neighbour_keys:
            counts = self._builds_on(neighbour_keys, named, text, asks)
            if counts is not None and unknown is None:
                return counts
            return self._neighbour(neighbour_keys, text, asks, ranked, candidates, unknown)
        course = self._course_required(text, named, asks, concepts, context, candidates)
        if course is not None:
            return course

        # "how much does that cost?" / "within how long?" right after a fact that states it: that fact again
        said = self._said_already(text, named, asks, concepts, context) if unknown is None else None
        if said is not None and self._words_beyond(said, text) and _outscored(said.id, ranked, book.min_score):
            # "and who defines the vision?" after who removes impediments: words that fact never uses, and another
            # fact fits them far better
            said = None
        if said is not None:
            return Decision(FACT, "said_already", fact=said, topic=said.topic, certifications=named or said.certifications,
                            asks=asks, candidates=candidates)

        # 4. a known unknown
        if unknown is not None:
            nearest = book.facts.get(unknown.related) if unknown.related else self._reasoned_about(unknown, ranked, named)
            if nearest is not None and len(set(named)) == 1 and named[0] not in nearest.certifications \
                    and named[0] in nearest.counterparts:
                # "CSPO price in the UK?": what is known of the CSPO's price, not of the CSM's
                nearest = book.facts.get(nearest.counterparts[named[0]])
            if nearest is not None and re.search(r"\d", nearest.answer) and (set(asks) & set(FIGURE_ASKS) and "yesno" not in asks
                                                                        or not unknown.related_figures):
                # "how many SEUs is a gathering worth?": "you need 20 SEUs" reads as the figure asked for (not for "is 75%
                # enough?"); any figure beside "I don't know if you can pause the test" too, unless `related_figures`
                nearest = None
            return Decision(NOT_KNOWN, "known_unknown", unknown=unknown, nearest=nearest, certifications=named,
                            asks=asks, candidates=candidates, asked_about=self._asked_about(text, unknown))

        # 5. which one is for my role, or for what I like doing? (not a question about one point the two differ
        # on, "I'm a tester and hate exams, which one has no exam?", nor a figure: "I'm a PM ..., how many questions?")
        on_a_point = bool(set(asks) & set(POINT_ASKS)) or (
            self.index.lexicon is not None and bool(set(concepts) & self.index.lexicon.point_concepts))
        audience = None if on_a_point else self._audience(turn, entities, context)
        if on_a_point:
            asks = tuple(a for a in asks if a != "fit")  # "which one has no exam?" asks about the exam, not a fit
        if audience is not None:
            lean = next((c for c in self.kb.certifications if c.lower() == self.role_leaning.get(audience)), None)  # "why?" next
            return Decision(AUDIENCE, "audience", role=audience, topic=AUDIENCE_TOPIC, asks=asks, candidates=candidates,
                            polarity=self._claimed_for(audience, turn.text, entities), certifications=(lean,) if lean else ())
        # ("and if I fail both?" right after the attempts goes on from that answer: no goal stated; "and if I care
        # more about the product?" after which one suits whom does state one)
        goes_on = context.fact in book.facts and book.facts[str(context.fact)].topic not in self._guide_topics \
            and bool(GOING_ON.match(text.lower())) and not self._asks_fit(text)
        guide = None if goes_on else self._goal_guide(turn, ranked)
        if guide is not None:
            # ("which one?", no yes/no question: the one it names first)
            fits = self._asks_fit(text) and plain_yes_no(text, "yesno" in asks) is None
            return Decision(FACT, "goal_guide", fact=guide, topic=guide.topic, certifications=guide.certifications,
                            asks=asks, candidates=candidates, polarity="fits" if fits else None)
        # (a certification named is what the question is about, unless it names both: "which cert, CSM or CSPO?")
        guide = None if goes_on or (named and set(named) != {"CSM", "CSPO"}) else self._duty_guide(text, asks, ranked)
        if guide is not None:
            return Decision(FACT, "goal_guide_by_duty", fact=guide, topic=guide.topic, certifications=guide.certifications,
                            asks=asks, candidates=candidates)

        return self._one_fact(turn, context, Reading(text, named, asks, own_asks, concepts, tuple(ranked), candidates, topic,
                                                     topic_from_context, on_a_point))

    def _one_fact(self, turn: Turn, context: Context, reading: Reading) -> Decision:
        """Rules 6-8: the fact that answers (or its counterpart, the same fact for both, the user's figure against a
        threshold), else the topic summary of a broad question, else an honest "not known"."""
        kb, book = self.kb, self.index.book
        text, named, asks, own_asks, concepts = reading.text, reading.named, reading.asks, reading.own_asks, reading.concepts
        ranked, candidates, topic = reading.ranked, reading.candidates, reading.topic
        topic_from_context, on_a_point = reading.topic_from_context, reading.on_a_point
        # 6. one fact
        wanted: Tuple[str, ...] = named or (
            (context.certification,) if context.certification is not None and context.certification in kb.certifications else ())
        if not wanted and context.question and leans_on_context(text):
            # "what's after that?" right after "I just got my CSPO!" (which no answer spoke of): the CSPO
            before = self.index.normalise(context.question)[1]
            wanted = tuple(before) if len(before) == 1 else ()
        raw = {label: score for label, score, _ in ranked}
        bar = (book.torn_min_score if turn.torn else book.unsure_min_score) if turn.unsure else book.min_score
        foreign = self._foreign_to_best(ranked, the_asking_clause(text), wanted)
        if foreign and book.foreign_word_min_score is not None:
            # "can I bring my dog to the class?": words the knowledge never uses ask about something else
            bar = max(bar, book.foreign_word_min_score)
            if "yesno" in asks and "where" not in asks and " or " not in f" {text.lower()} " \
                    and book.foreign_yes_no_min_score is not None and not self._refuted_by_best(ranked, text, wanted):
                # "can I pause the csm exam in the middle?": "exam" fits the CSPO's no-test fact, whose CSM
                # counterpart (the path) answered; a yes/no rests on the words the knowledge never uses (not a
                # choice, "... or just attendance?", nor "where can I read ...?")
                bar = max(bar, book.foreign_yes_no_min_score)
        best_rejected: Optional[FactEntry] = None
        rejected: List[Tuple[str, str]] = []
        # "what does the CSPO cost?" asks for what a fact about the CSPO states: no topic summary then,
        # unless the topic fits far better ("who should take the CSPO?": the audience summary)
        best_topic = max((score for label, score, _ in ranked if label.startswith(TOPIC_PREFIX)), default=0.0)
        # ("what about renewing?" after the official page asks where, as the last question did: no summary then)
        topic_bar = bar if asks and not own_asks else max(bar, best_topic - book.topic_margin)
        fact_states_it = bool(wanted) and self._strong(asks) and any(
            not label.startswith(TOPIC_PREFIX) and score >= topic_bar
            and self._eligible(book.facts[label], wanted, asks) and self._states(book.facts[label], asks)
            for label, score, _ in ranked)
        if on_a_point and not fact_states_it and len(set(named)) > 1:
            # "which lasts longer, csm or cspo?": a fact about both speaking of the point asked, not a summary of each
            fact_states_it = any(not label.startswith(TOPIC_PREFIX) and score >= topic_bar and not book.facts[label].about
                                 and set(named) <= set(book.facts[label].certifications)
                                 and self._explains(book.facts[label], concepts, text) for label, score, _ in ranked)
        if len(set(named)) > 1 and _SAMENESS.search(text.lower()) and not fact_states_it:
            # "is renewing the CSPO the same as renewing the CSM?": a fact the same for both says so ("Yes, the
            # same for both."), rather than the topic's summary for each
            fact_states_it = any(not label.startswith(TOPIC_PREFIX) and score >= topic_bar and book.facts[label].same_for_both
                                 and self._eligible(book.facts[label], wanted, asks) for label, score, _ in ranked)
        compared = self._aspect_compared(text, named, concepts, asks, ranked, bar, candidates)
        if compared is not None:
            return compared
        if SCORE_WORDS.search(text.lower()):
            # "scored 36/50 on the CSM, pass or fail?": the fact whose minimum the user's own number is put
            # against (facts.yml `threshold`), when it is among the candidates that reach the bar
            best_fact = max((score for label, score, _ in ranked if not label.startswith(TOPIC_PREFIX)
                             and self._eligible(book.facts[label], wanted, ())), default=0.0)
            for label, score, _ in ranked:
                if label.startswith(TOPIC_PREFIX) or score < bar or score < best_fact - THRESHOLD_MARGIN:
                    continue
                fact = book.facts[label]
                if _reads_the_figure(fact, text) and self._eligible(fact, wanted, ()):
                    return Decision(FACT, "threshold", fact=fact, topic=fact.topic, certifications=named or fact.certifications,
                                    asks=asks, candidates=candidates, score=score, sure_score=book.unsure_min_score,
                                    form_score=book.form_question_min_score,
                                    question=True)
        # a fact `about` a subject answers a question speaking of it, or going on from an answer about it
        last = book.facts.get(str(context.fact)) if context.fact else None
        spoken_of = set(concepts) | (set(self._fact_concepts.get(last.id, frozenset())) if last is not None else set())

        def on_subject(fact: FactEntry) -> bool:
            return context.neighbour is not None or bool(set(fact.about) & spoken_of)

        for position, (label, score, _) in enumerate(ranked):
            if label.startswith(TOPIC_PREFIX):
                # a broad question ("tell me about the CSPO"): the best candidate, or few words
                if score >= bar and (not turn.unsure or topic_from_context) and (position == 0 or self._is_broad(text)) \
                        and not fact_states_it \
                        and not self._page_wanted(concepts, ranked, bar):
                    chosen = label[len(TOPIC_PREFIX):]
                    if chosen == GENERAL_TOPIC and topic not in (None, GENERAL_TOPIC, "recommendation") \
                            and not turn.unsure and turn.confidence >= book.sure_topic_confidence:
                        # "PO responsibilities?": the words fit the general summary of the CSPO best, but the NLU
                        # is sure it asks about the role's responsibilities: that topic's summary says more
                        chosen = str(topic)
                    return self._topic(chosen, named, context, "broad_topic", asks=asks, candidates=candidates)
                continue
            fact = book.facts[label]
            if score < bar:
                # (ranked by score plus the intent's bonus: a fact further down may reach the bar on its own, but
                # going on to it measured worse: 4 more wrong facts for 2 more right on sets 1-17)
                break
            if not self._eligible(fact, wanted, asks):
                # "how many questions are on the CSPO test?" matches the CSM's fact best: its
                # counterpart for the CSPO (data) is the answer ("the CSPO has no test")
                other = fact.counterparts.get(wanted[0]) if len(wanted) == 1 and not fact.only_with else None
                # ... and the counterpart speaks of something the question asks about: the Product Owner's
                # backlog duty is no answer to "does the Scrum Master prioritise the backlog?" via the SM's duty
                # (weak concepts aside: "I got my csm last month, what comes after it?" speaks of no subject)
                weak = self.index.lexicon.weak_concepts if self.index.lexicon is not None else frozenset()
                strong = set(concepts) - set(weak)
                fits = not strong or bool(strong & set(self._fact_concepts.get(other or "", frozenset())))
                if other and fits and self._states(fact, asks) and self._explains(fact, concepts) \
                        and not self._from_another_source(book.facts[other], text):
                    answer = book.facts[other]
                    return Decision(COUNTERPART, "counterpart_of_best", fact=answer, topic=answer.topic,
                                    certifications=wanted, asks=asks, candidates=candidates, score=score,
                                    sure_score=book.unsure_min_score, form_score=book.form_question_min_score,
                                    opens_form=answer.id in book.form_opening_facts and score >= book.form_fact_min_score)
                if self._other_role(text, fact, score, wanted, asks, concepts, ranked):
                    # "does the Scrum Master prioritise the backlog?": no, that is the Product Owner's duty
                    return Decision(FACT, "other_role", fact=fact, topic=fact.topic, certifications=fact.certifications,
                                    asks=asks, candidates=candidates, score=score, sure_score=book.unsure_min_score,
                                    question=True, polarity="no")
                rejected.append((label, "about another certification"))
                continue
            # a fact the same for both answers whether the two named differ ("is the renewal fee different for cspo
            # vs csm?": "No, they're the same.")
            alike = tuple(c for c in concepts if not (c == DIFFERENCE_CONCEPT and fact.same_for_both and len(set(named)) > 1))
            why = self._why_not(fact, text, asks, alike, on_subject(fact))
            if why:
                best_rejected = best_rejected or fact
                rejected.append((label, why))
                continue
            if not wanted and self.index.ambiguous(fact, score, raw):
                return self._topic(fact.topic, (), context, "ambiguous_certification", asks=asks, candidates=candidates)
            closer = self._states_it_closer(text, fact, score, ranked[position + 1:], wanted, asks, alike, on_subject)
            if closer is not None:
                # "my cspo is about to expire, what do I have to do to keep it?": the validity fits the words a little
                # better, but the renewal's requirements say how
                fact, score = closer
            if len(wanted) == 1 and wanted[0] in fact.per_certification:
                fact = book.facts[fact.per_certification[wanted[0]]]  # "the CSPO's official page": that one only
            elif context.neighbour in fact.per_neighbour:
                # "does my CSM count instead?" right after the A-CSPO's requirements: the A-CSPO's alone
                fact = book.facts[fact.per_neighbour[str(context.neighbour)]]
            return Decision(FACT, "fact", fact=fact, topic=fact.topic, certifications=named or fact.certifications,
                            from_context=not named and bool(wanted), asks=asks, candidates=candidates,
                            rejected=tuple(rejected[:TRACE_CANDIDATES]), score=score, sure_score=book.unsure_min_score,
                            form_score=book.form_question_min_score,
                            question="?" in text or bool(set(asks) - {"fit"}) or bool(QUESTION_START.match(text)),
                            opens_form=fact.id in book.form_opening_facts and score >= book.form_fact_min_score,
                            concepts=tuple(c for c in concepts if c not in self.index.lexicon.weak_concepts)
                            if self.index.lexicon is not None else ())

        # 7./8. nothing answers it
        if topic is None or topic == "recommendation":
            return Decision(NO_ANSWER, "no_fact_no_topic", asks=asks, candidates=candidates)
        if not turn.unsure and best_rejected is None and self._is_broad(text):
            return self._topic(topic, named, context, "broad_topic", asks=asks, candidates=candidates)
        if not turn.unsure and not asks and not foreign and turn.confidence >= book.sure_topic_confidence \
                and topic in book.summary_topics and word_count(text) <= ASKED_AGAIN_MAX_WORDS:
            # "why bother with csm": a few words, nothing asked that a fact states (a price, a count...), and the NLU
            # is sure of a topic whose summary is the answer (the benefits), which no single fact is
            return self._topic(topic, named, context, "sure_topic", asks=asks, candidates=candidates)
        premise = self._false_premise(text, named, concepts)
        if premise is not None:  # "CSPO exam tips?": the CSPO has no test
            return Decision(FACT, "false_premise", fact=premise, topic=premise.topic, certifications=premise.certifications,
                            asks=asks, candidates=candidates, question=True)
        nearest = self._nearest(ranked, wanted)
        # (what it asks for in the order it asks: "I don't have dates ..." for "what's the date they introduced the fee?")
        in_order = self.index.lexicon.in_order_asked(text, asks) if self.index.lexicon is not None else asks
        return Decision(NOT_KNOWN, "not_known", nearest=nearest, certifications=named, topic=topic,
                        asks=in_order, candidates=candidates, foreign=tuple(foreign),
                        rejected=tuple(rejected[:TRACE_CANDIDATES]))
        # (no concept named: "I don't have the renewal rules" is untrue of the CSM's; a neighbour's are named in _neighbour)

    def _false_premise(self, text: str, named: Sequence[str], concepts: Sequence[str]) -> Optional[FactEntry]:
        """The fact saying the one certification asked about has no such thing ("the CSPO has no test"), for a question
        no fact answers that speaks of it (facts.yml `premise_of`); not of doing it ("will the CSPO course teach how
        to test product assumptions?")."""
        if len(set(named)) != 1 or _DOING_IT.search(text.lower()):
            return None
        return next((f for f in self.index.book.facts.values() if f.premise_of and f.certifications == (named[0],)
                     and not f.only_with and set(f.premise_of) & set(concepts)), None)

    def _aspect_compared(self, text: str, named: Sequence[str], concepts: Sequence[str], asks: Sequence[str],
                         ranked: Sequence[Tuple[str, float, float]], bar: float,
                         candidates: Tuple[Tuple[str, float], ...]) -> Optional[Decision]:
        """"CSM vs CSPO renewal, any difference?", "skills csm vs cspo": the two compared on one point get that point
        for both (a fact about both, or the best fact and its counterpart for the other), not the summary of every
        difference, nor the point for one of them only. None when the question compares on no point or no fact
        that reaches the bar speaks of it."""
        book, lexicon = self.index.book, self.index.lexicon
        if lexicon is None or len(set(named)) != 2 or not set(named) <= set(self.kb.certifications) \
                or not (_COMPARING.search(text.lower()) or _PAIRED.search(text.lower())) or "yesno" in asks:
            return None  # (a yes or no, "is the CSPO course shorter than the CSM's?": the rules below answer it)
        point = [c for c in concepts if c != DIFFERENCE_CONCEPT and c not in lexicon.weak_concepts]
        if not point:
            return None
        eligible = [(book.facts[label], score) for label, score, _ in ranked
                    if not label.startswith(TOPIC_PREFIX) and score >= bar and not book.facts[label].only_with
                    and not self._why_not(book.facts[label], text, asks, point, False)
                    and not self._unexplained(book.facts[label], point, text)]
        # the first fact most of whose questions name the point ("csm vs cspo test": not the price, "includes ... test")
        central = [(f, s) for f, s in eligible if min(self._concept_share.get(f.id, {}).get(c, 0.0) for c in point) >= 0.5]
        for fact, score in (central or eligible)[:1]:
            if set(named) <= set(fact.certifications):
                return Decision(FACT, "aspect_compared", fact=fact, topic=fact.topic, certifications=tuple(named),
                                asks=tuple(asks), candidates=candidates, score=score, sure_score=book.unsure_min_score,
                                form_score=book.form_question_min_score, question=True)
            other = next((c for c in named if c not in fact.certifications), "")
            twin = book.facts.get(fact.counterparts.get(other, "")) if other else None
            if twin is None:
                return None
            return self._in_order([(fact, fact.certifications), (twin, (other,))], Decision(
                FACT, "aspect_compared", asks=tuple(asks), candidates=candidates, score=score, sure_score=book.unsure_min_score,
                form_score=book.form_question_min_score, question=True))
        return None

    def _words_beyond(self, fact: FactEntry, text: str) -> List[str]:
        """The words of four letters or more of a question (not concepts, asks or certification names) that the fact's
        questions and answer never use."""
        own = self._fact_words.get(fact.id, frozenset())
        return [w for w in self.index.normalise(text)[0].split() if len(w) >= 4 and "_" not in w
                and w != Normaliser.PLACEHOLDER and w[:5] not in own and w not in self.kb.followup_words
                and w not in _ASKING_WORDS]

    def _states_it_closer(self, text: str, fact: FactEntry, score: float, rest: Sequence[Tuple[str, float, float]],
                          wanted: Sequence[str], asks: Sequence[str], concepts: Sequence[str],
                          on_subject: Callable[[FactEntry], bool]) -> Optional[Tuple[FactEntry, float]]:
        """A fact within ``ask_margin`` of the best that gives what the question asks for when the best does not:
        the page, for "where can I read about renewing?" (not where SEUs are earned); else the kind of thing asked
        (a way, a price...). None when there is none, or the best gives it."""
        book, lexicon = self.index.book, self.index.lexicon
        if not book.ask_margin:
            return None

        def first(gives: Callable[[FactEntry], bool]) -> Optional[Tuple[FactEntry, float]]:
            for label, other_score, _ in rest:
                if other_score < score - book.ask_margin:
                    return None
                other = book.facts.get(label) if not label.startswith(TOPIC_PREFIX) else None
                if other is not None and gives(other) and self._eligible(other, wanted, asks) \
                        and not self._why_not(other, text, asks, concepts, on_subject(other)):
                    return other, other_score
            return None

        closer = None
        if lexicon is not None and "where" in asks and lexicon.asks_for_source(text.lower()) and not _gives_a_page(fact):
            closer = first(_gives_a_page)
        kinds = set(asks) - UNPARTICULAR_ASKS
        if closer is None and kinds and not kinds & set(fact.asks):
            closer = first(lambda other: bool(kinds & set(other.asks)))
        return closer

    def _page_wanted(self, concepts: Sequence[str], ranked: Sequence[Tuple[str, float, float]], bar: float) -> bool:
        """"Got a pdf or something about CSM vs CSPO?": the question asks for what a page gives (a page concept
        beyond "official"), and a fact giving such a page reaches the bar: that page, not the topic's summary."""
        lexicon = self.index.lexicon
        if lexicon is None or not set(concepts) & (set(lexicon.page_concepts) - set(lexicon.source_concepts)):
            return False
        book = self.index.book
        return any(not label.startswith(TOPIC_PREFIX) and score >= bar and _gives_a_page(book.facts[label])
                   and self._explains(book.facts[label], concepts) for label, score, _ in ranked)

    def _best_is_its(self, ranked: Sequence[Tuple[str, float, float]], key: str) -> bool:
        """Whether the best fact a question fits at ``min_score`` is one of the neighbour's (`answers_facts`, `only_with`)."""
        best = next(((label, score) for label, score, _ in ranked if not label.startswith(TOPIC_PREFIX)), None)
        if best is None or best[1] < self.index.book.min_score:
            return False
        return self.index.book.facts[best[0]].only_with == key or best[0] in self.neighbours.entries[key].answers_facts

    def _is_broad(self, text: str) -> bool:
        """Few words beyond the certification's name and the topic ("csm costs?"): the summary fits."""
        normalised, _ = self.index.normalise(text)
        words = [w for w in normalised.split() if w != "certname" and not w.startswith("q_")]
        return len(words) <= self.index.book.topic_max_words

    def _nearest(self, ranked: Sequence[Tuple[str, float, float]], wanted: Sequence[str]) -> Optional[FactEntry]:
        book = self.index.book
        for label, score, _ in ranked:
            if label.startswith(TOPIC_PREFIX):
                continue
            fact = book.facts[label]
            if fact.only_with or (wanted and not set(wanted) & set(fact.certifications)):
                continue
            return fact if score >= book.nearest_min_score else None
        return None
