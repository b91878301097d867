"""The answer planner's rules for a message read with the conversation before it (actions/planner.py):
"and for the CSPO?", "why?", "link?", "how long do I have to use them?", the same question asked again,
a question inside a story, a fact already said. Pure: no Rasa, no I/O."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional, Sequence, Tuple

from actions.claims import ASKED_UNITS, echo_verdict, echoes_a_figure, figures, per_verdict
from actions.context import is_elliptical, mentioned_certifications
from actions.decision import (
    AUDIENCE_TOPIC,
    COUNTERPART,
    FACT,
    NEIGHBOUR,
    NO_ANSWER,
    NOT_KNOWN,
    TOPIC,
    UNPARTICULAR_ASKS,
    WHY_NOT_STATED,
    Context,
    Decision,
    Turn,
)
from actions.facts import TOPIC_PREFIX, FactEntry
from actions.knowledge_base import Knowledge
from actions.neighbours import ENTITY as NEIGHBOUR_ENTITY
from actions.planner_base import (
    _SAMENESS,
    _WITHIN_SPAN,
    ASKED_AGAIN_MAX_WORDS,
    DEADLINE_CONCEPT,
    REASONS_UNKNOWN,
    SAID_ALREADY_MAX_WORDS,
    PlannerBase,
    _gives_a_page,
    _reads_the_figure,
)
from actions.polarity import polarity
from actions.question_text import (
    BOUND_ONLY,
    COUNT_OF_WHAT_WAS_SAID,
    FORMAT_ONLY,
    GOING_ON,
    PRONOUN,
    UNIT_ONLY,
    bound_said,
    leans_on_context,
    looks_like_a_question,
    the_asking_clause,
    the_question,
    word_count,
)
from actions.threshold import SCORE_WORDS

WINDOW_AGAIN_MAX_WORDS = 5
_ASKS_WHEN = re.compile(r"\b(when|within what|within which|what time ?frame|which time ?frame|what period|counted from|"
                        r"count(ing)? from|starts? (counting|from)|from what date|(what|which) time ?period|how far back)\b")
_CONTENT_WORD = re.compile(r"[a-z][a-z'-]*")
# a message of at least this many words whose sentences that ask are at most this share of it tells a story around
# its question: when no fact answers it whole, those sentences are read alone
STORY_MIN_WORDS = 30
STORY_QUESTION_SHARE = 0.5
ASIDE_MAX_WORDS = 6  # "ok 50 then.", "i already know scrum well.": what a short message says before its question
IN_ITS_WORDS_MAX = 4  # "before or after the course?": at most this many words beside the ignored ones


def _only_names(text: str, aliases: Sequence[str], kb: Knowledge) -> bool:
    """True when the message is only a name (one of ``aliases``) plus linking words ("and psm 1?")."""
    lowered = text.lower()
    for alias in sorted(aliases, key=len, reverse=True):
        lowered = re.sub(r"(?<![\w-])" + re.escape(alias) + r"(?![\w-])", " ", lowered)
    return all(t in kb.followup_words for t in re.findall(r"[\w'.-]+|[?!.,]", lowered))


_IT = re.compile(r"\bit\b", re.I)  # "how do I get it?": the pronoun a certification may stand for


# "so did i fail?", "is that enough then?": a short question on the user's own figure said in the message before
FIGURE_BEFORE_MAX_WORDS = 6


# "the other one?", "and the other?", "what about the other cert?": the other certification, nothing else asked
_THE_OTHER_ALONE = re.compile(r"^\W*((and|so|ok|okay|hm+|but|what about|how about)\W+)*(what about |how about |same for |"
                              r"(is it |is that )?the same for )?the other"
                              r"( one| cert\w*| course| option| track| path| role| side)?\W*$")

# "in euros?", "is that in US dollars?", "the number you gave, is that in USD?" right after a fact stating a price in US dollars
_CURRENCY_ASKED = re.compile(
    r"^\W*((and|so|ok|okay|but|what about|how about|is (that|it|this)|was (that|it)|(the )?(number|price|figure|amount|fee|cost)"
    r"( you (gave|said|quoted|mentioned|stated))?)\W+)*(in |into )?(?P<currency>us ?dollars?|usd|us\$|dollars?|bucks|\$|"
    r"euros?|eur|\u20ac|pounds?( sterling)?|gbp|\u00a3|(indian )?rupees?|inr|yen|jpy|cad|canadian dollars?|aud|"
    r"australian dollars?|swiss francs?|chf)(\W+(roughly|please|pls|then|right|too))?\W*$")
# "for how long?", "how long is that?" right after an answer stating one length of time ("a two-year membership")
# (not "how long is it valid?": another length than the one stated may be asked, the validity after the course's 16 hours)
_HOW_LONG_ALONE = re.compile(r"^\W*((and|so|ok|okay|but)\W+)*(for )?how long( for| then)?\W*$")
_US_DOLLARS = re.compile(r"^(us ?dollars?|usd|us\$|dollars?|bucks|\$)$")
_STATES_US_DOLLARS = re.compile(r"\d\s?USD\b")


def lexicon_asks(rules: PlannerBase, text: str) -> Tuple[str, ...]:
    """What ``text`` asks for (lexicon `asks`), () without a lexicon."""
    return rules.index.lexicon.asks_of(text) if rules.index.lexicon is not None else ()


class FollowUpRules(PlannerBase):
    """Rules that read a message with the answer before it (the planner's context)."""

    def _with_the_figure_before(self, turn: Turn, context: Context) -> Optional[Turn]:
        """"so did i fail?" after "i got 36 right" after the pass mark: the user's figure, said in the message before,
        put against the minimum of the fact just given (facts.yml `threshold`), as one message ("i got 36 right, so did
        i fail?"); a message with a figure of its own, or naming a certification, asks on its own."""
        book = self.index.book
        last = book.facts.get(str(context.fact)) if context.fact else None
        before = (context.question or "").strip()
        if last is None or last.threshold is None or not before or turn.is_payload or re.search(r"\d", turn.text) \
                or word_count(turn.text) > FIGURE_BEFORE_MAX_WORDS or mentioned_certifications(self.kb, list(turn.entities)) \
                or self.index.normalise(turn.text)[1] \
                or not re.search(r"\d", before) or not SCORE_WORDS.search(before.lower()) or not _reads_the_figure(last, before):
            return None
        lead = before.rstrip(" .!") + ", "
        entities = tuple({**e, "start": e["start"] + len(lead), "end": e["end"] + len(lead)}
                         if isinstance(e.get("start"), int) and isinstance(e.get("end"), int) else e for e in turn.entities)
        return replace(turn, text=lead + turn.text, entities=entities)

    def _asked_in_a_story(self, decision: Decision, turn: Turn, context: Context) -> Optional[Decision]:
        """"I spent eleven years as an ER nurse ... I work long shifts so I need to plan ahead: how many hours is the
        CSM course itself? I can swap shifts if I know in advance.": a long message no fact answers whole, whose
        sentences that ask are a small part of it, read as those sentences alone; their fact, when one answers them at
        the bar the whole message is held to (the NLU's doubt about the whole stays)."""
        # (a shorter message too when a sentence of its own asks: "ok 50 then. and the pass mark?")
        short = word_count(turn.text) < STORY_MIN_WORDS
        several = decision.rule == "neighbour_not_known" and len(decision.neighbours) > 1
        if (decision.rule not in ("not_known", "no_fact_no_topic") and not several) or decision.unknown is not None \
                or turn.is_payload or (short and the_question(turn.text) == turn.text):
            return None
        question = the_asking_clause(turn.text)  # (from the words that ask: "..., I want to know: how many hours ...?")
        if question == turn.text or (not short and word_count(question) > STORY_QUESTION_SHARE * word_count(turn.text)) \
                or (short and word_count(turn.text) - word_count(question) > ASIDE_MAX_WORDS):
            return None  # (a short message: only after a short aside; a longer story says what its question leans on)
        entities = []
        for e in turn.entities:  # the entities the sentences that ask hold, at their place in them
            start, end = e.get("start"), e.get("end")
            if not isinstance(start, int) or not isinstance(end, int):
                continue
            at = question.find(turn.text[start:end])
            if at >= 0:
                entities.append({**e, "start": at, "end": at + end - start})
        if several and len({e.get("value") for e in entities if e.get("entity") == NEIGHBOUR_ENTITY}) != 1:
            return None  # ("I got my A-CSPO last year ... how much experience does CSP-PO require?": the one asked about)
        again = self._plan_turn(replace(turn, text=question, entities=tuple(entities)), context)
        if again.kind != FACT or again.fact is None or again.rule not in ("fact", "neighbour_fact"):
            return None
        if again.polarity is None and again.fact.threshold is not None and "yesno" in lexicon_asks(self, question):
            # ("The screen said 36 out of 50. ... Did I pass?": the score said before the question, "No." and 1 short)
            verdict = again.fact.threshold.answer(turn.text)
            if verdict is not None:
                again = self._with_figures_worked_out(replace(again, polarity=verdict), turn.text)
        return replace(again, rule="asked_in_a_story" if again.rule == "fact" else again.rule)

    def _read_with_last(self, decision: Decision, turn: Turn, context: Context) -> Decision:
        """A question no fact answers, or answered with a fact off the subject of the user's message before: read
        with what that message spoke of (``_subject_of_last``), when that gives a fact."""
        if decision.rule in ("not_known", "no_fact_no_topic", "neighbour_not_known") \
                and (decision.unknown is None or decision.rule == "neighbour_not_known"):
            covered = self._covered_by_last(turn, context)
            if covered is not None:
                return covered
        off = decision.rule not in ("not_known", "no_fact_no_topic") and self._off_the_subject(decision, turn, context)
        if decision.rule in ("not_known", "no_fact_no_topic") or off:
            return self._subject_of_last(turn, context) or self._unknown_of_last(decision, turn, context) \
                or self._it_is_the_certification(decision, turn, context) or self._near_the_last(decision, turn, context) \
                or (self._yes_no_of_last_subject(decision, turn, context) if off else None) or decision
        return decision

    def _yes_no_of_last_subject(self, decision: Decision, turn: Turn, context: Context) -> Optional[Decision]:
        """"does the PO have to be there?" right after "what's the Daily Scrum?": a yes/no question whose fact speaks of
        nothing the message before spoke of (``_off_the_subject``: "there" was the Daily Scrum), planned again with that
        message's subject in brackets; its fact when it speaks of that subject ("No. The CSPO has no test" answered
        whether the PO must be at the Daily Scrum)."""
        lexicon = self.index.lexicon
        if lexicon is None or decision.fact is None or not context.question or "yesno" not in lexicon.asks_of(turn.text):
            return None
        subject = [(phrase, concept) for phrase, concept in self._subject_phrases(context.question)
                   if not lexicon.asks_of(phrase)]
        if not subject:
            return None
        text = f"{turn.text.rstrip(' ?')} ({' '.join(phrase for phrase, _ in subject)})?"
        again = self._plan_turn(replace(turn, text=text), context)
        if again.kind != FACT or again.fact is None or again.fact.id == decision.fact.id \
                or not {concept for _, concept in subject} & set(lexicon.concepts_in(again.fact.answer.lower())):
            return None
        return replace(again, rule="subject_of_last", from_context=True)

    def _near_the_last(self, decision: Decision, turn: Turn, context: Context) -> Optional[Decision]:
        """"is it live or can I do it at my own pace?" right after the course's length, which the NLU fell back on: its
        best fact ("the courses are live ...") speaks, as the fact just given does, of what the question speaks of
        ("live"), and its "it" is that: the fact from `context_min_score`, below the unsure message's bar."""
        lexicon, book = self.index.lexicon, self.index.book
        last = book.facts.get(str(context.fact)) if context.fact else None
        if lexicon is None or last is None or not turn.unsure or decision.rule != "not_known" or decision.unknown is not None \
                or not PRONOUN.search(turn.text.lower()) or word_count(turn.text) > SAID_ALREADY_MAX_WORDS + 3:
            return None
        weak = set(lexicon.weak_concepts)
        own = set(lexicon.concepts_in(turn.text.lower())) - weak
        shared = own & set(lexicon.concepts_in(last.answer.lower()))
        best = next(((label, score) for label, score in decision.candidates if not label.startswith(TOPIC_PREFIX)), None)
        if not shared or best is None or best[1] < book.context_min_score:
            return None
        fact = book.facts[best[0]]
        wanted = (str(context.certification),) if context.certification in self.kb.certifications else ()
        if fact.id == last.id or fact.only_with or not shared & set(lexicon.concepts_in(fact.answer.lower())) \
                or not self._eligible(fact, wanted) or own - set(self._fact_concepts.get(fact.id, frozenset())):
            return None
        return Decision(FACT, "near_last", fact=fact, topic=fact.topic, certifications=wanted or fact.certifications,
                        from_context=True, question=True, score=best[1], candidates=decision.candidates)

    def _covered_by_last(self, turn: Turn, context: Context) -> Optional[Decision]:
        """"does it have to be before I take the course?" right after "... the experience may come before or after the
        advanced course": a short yes/no question nothing else answers, every specific word of which the fact just given
        says (actions/polarity.py reads them), is that fact again; it speaks for itself (no "Yes."/"No." on it)."""
        lexicon = self.index.lexicon
        last = self.index.book.facts.get(str(context.fact)) if context.fact else None
        if lexicon is None or last is None or turn.is_payload or word_count(turn.text) > SAID_ALREADY_MAX_WORDS \
                or not leans_on_context(turn.text) or mentioned_certifications(self.kb, list(turn.entities)) \
                or self.index.normalise(turn.text)[1] or self.neighbours.named(turn.text, list(turn.entities)):
            return None
        if polarity(turn.text, last.answer, lexicon, self.index.normalise, lexicon.polarity_generic) is None:
            return None
        return Decision(FACT, "said_already", fact=last, topic=last.topic, certifications=last.certifications,
                        from_context=True, question=True, asks=lexicon.asks_of(turn.text))

    def _it_is_the_certification(self, decision: Decision, turn: Turn, context: Context) -> Optional[Decision]:
        """"so how do I get it then?" right after "the CSPO has no test: ...": a short question that nothing answers on
        its own words, whose "it" can only be the certification the conversation is about, read with that certification
        for "it"; its fact only at the sure bar (it rests on that reading). None otherwise."""
        lowered = turn.text.lower()
        it = _IT.search(turn.text)  # (on the text itself: the replacement below cuts it where "it" stands)
        if decision.rule not in ("not_known", "no_fact_no_topic") or it is None or turn.is_payload \
                or context.certification not in self.kb.certifications or word_count(lowered) > SAID_ALREADY_MAX_WORDS \
                or self.index.normalise(turn.text)[1] or mentioned_certifications(self.kb, list(turn.entities)) \
                or self.neighbours.named(turn.text, list(turn.entities)) \
                or (self.index.lexicon is not None and not self.index.lexicon.asks_of(turn.text)):
            return None  # (nor "what's the logic behind it", "enough, stop it": they ask for nothing a fact states)
        text = f"{turn.text[:it.start()]}the {context.certification}{turn.text[it.end():]}"
        read = self.plan(replace(turn, text=text), context)
        if read.kind not in (FACT, COUNTERPART) or read.rule not in ("fact", "counterpart_of_best", "threshold") \
                or read.score < self.index.book.unsure_min_score:
            return None
        return replace(read, rule="certification_of_last", from_context=True)

    def _unknown_of_last(self, decision: Decision, turn: Turn, context: Context) -> Optional[Decision]:
        """"and in the UK?" right after "how much do certified scrum masters earn?", which nobody publishes: a short
        follow-up that nothing answers on its own, going on from a question the data lists as not answerable, is
        that question again (the same honest "I don't know", not "that's outside what I know"); None otherwise."""
        text = turn.text.lower()
        if decision.rule not in ("not_known", "no_fact_no_topic") or not context.question or context.fact is not None \
                or turn.is_payload or word_count(text) > ASKED_AGAIN_MAX_WORDS or not GOING_ON.match(text):
            return None
        unknown = self.unknowns.matching(context.question)
        if unknown is None:
            return None
        named = tuple(self.index.normalise(context.question)[1])
        nearest = self.index.book.facts.get(unknown.related) if unknown.related else None
        return Decision(NOT_KNOWN, "known_unknown_of_last", unknown=unknown, nearest=nearest, certifications=named,
                        from_context=True, question=True)

    def _off_the_subject(self, decision: Decision, turn: Turn, context: Context) -> bool:
        """A fact chosen for a question with a pronoun ("how long is it?" after the CSM test's questions), or counting
        what it does not name ("how many do I need in total?" after SEUs), that speaks of nothing the user's message
        before it spoke of (the test): "it" was that."""
        lexicon = self.index.lexicon
        if lexicon is None or decision.rule != "fact" or decision.fact is None or not context.question \
                or not (PRONOUN.search(turn.text.lower()) or COUNT_OF_WHAT_WAS_SAID.search(turn.text.lower())):
            return False
        weak = set(lexicon.weak_concepts)
        before = {c for phrase, c in self._subject_phrases(context.question) if not lexicon.asks_of(phrase)} - weak \
            or set(lexicon.concepts_in(context.question.lower())) - weak - set(lexicon.asks)  # (all its words made it unknown)
        own = set(lexicon.concepts_in(turn.text.lower())) - weak - set(lexicon.asks)
        # (what its answer speaks of, not its example questions: the validity's "how long is the cert valid after the
        # course?" does not make "how long is it?" after "when is the next CSM course in Lisbon?" a question of validity)
        return bool(before) and not own - set(lexicon.concepts_in(context.question.lower())) \
            and not before & set(lexicon.concepts_in(decision.fact.answer.lower()))

    def _subject_phrases(self, question: str) -> Tuple[Tuple[str, str], ...]:
        """The words of a question naming a concept, each with its concept, but not those that made it a question the
        knowledge cannot answer: "when is the next CSM course in Lisbon?" spoke of the course, not of what is "next"."""
        lexicon = self.index.lexicon
        if lexicon is None:
            return ()
        lowered = question.lower()
        unknown = self.unknowns.matching(lowered)
        spans = [m.span() for c in (unknown.cues if unknown is not None else ()) for m in c.finditer(lowered)]
        return tuple((phrase, concept) for phrase, concept in lexicon.concept_phrases(lowered)
                     if not any(start <= lowered.find(phrase) and lowered.find(phrase) + len(phrase) <= end
                                for start, end in spans))

    def _subject_of_last(self, turn: Turn, context: Context) -> Optional[Decision]:
        """A short follow-up that no fact answers on its own words ("how do i get them?", "within what period?")
        read with what the user's message before it spoke of (its lexicon concepts: "SEUs", "experience"): a fact
        that states what this one asks, other than the one just given and reaching the sure bar; None otherwise."""
        lexicon = self.index.lexicon
        text = turn.text
        if lexicon is None or not context.question or turn.is_payload or word_count(text) > SAID_ALREADY_MAX_WORDS \
                or not looks_like_a_question(text) or not leans_on_context(text) or self.index.normalise(text)[1] \
                or mentioned_certifications(self.kb, list(turn.entities)):
            return None
        if self.neighbours.named(text, list(turn.entities)) or self.foreign_words(the_asking_clause(text)):
            return None  # "is it the same at scrum.org?", "and in indian rupees?": about something else
        own = set(lexicon.concepts_in(text.lower()))
        # (the things it spoke of, not what it asked: "how long" is a duration asked, not a subject)
        subject = [phrase for phrase, concept in self._subject_phrases(context.question)
                   if concept not in own and not lexicon.asks_of(phrase)]
        if not subject:
            return None
        asks = lexicon.asks_of(text)
        if not set(asks) - UNPARTICULAR_ASKS or _SAMENESS.search(text.lower()):
            return None  # "do I need to wait between them?" (yes or no: on words no fact may speak of), "the same at ...?"
        wanted: Tuple[str, ...] = (str(context.certification),) if context.certification in self.kb.certifications else ()
        expanded = f"{text} ({' '.join(subject)})"
        concepts = lexicon.concepts_in(expanded.lower())
        book = self.index.book
        _, ranked = self.index.rank(expanded, None, context.topic, context.fact)
        for label, score, _ in ranked:
            if label.startswith(TOPIC_PREFIX):
                continue
            if score < book.subject_min_score:
                return None
            fact = book.facts[label]
            if fact.id == context.fact or fact.only_with or not self._eligible(fact, wanted, asks) \
                    or self._why_not(fact, expanded, asks, concepts, True):
                continue  # (the fact just given: the follow-up asks for something more)
            return Decision(FACT, "subject_of_last", fact=fact, topic=fact.topic, certifications=wanted or fact.certifications,
                            from_context=True, asks=asks, score=score, sure_score=book.unsure_min_score, question=True)
        return None

    def _from_the_last_answer(self, turn: Turn, text: str, named: Tuple[str, ...], elliptical: bool,
                              context: Context) -> Optional[Decision]:
        """Rules 2: a message going on from the last answer ("and for the CSPO?", "and after that?", "link?",
        "and the PSM?" after a fact, "and the product owner version?" after a neighbour); None when it does not."""
        kb, book = self.kb, self.index.book
        entities = list(turn.entities)
        # 2. "and for the CSPO?" after a fact or a topic
        if elliptical and context.fact is not None and context.fact in book.facts:
            previous = book.facts[context.fact]
            # a neighbour's fact ("psm_assessment") is about no CSM/CSPO of its own: "and the CSM?" wants its counterpart
            own = () if previous.only_with else previous.certifications
            others = [c for c in named if c not in own]
            if others and others[0] in previous.counterparts:
                fact = book.facts[previous.counterparts[others[0]]]
                return Decision(COUNTERPART, "counterpart", fact=fact, topic=fact.topic,
                                certifications=(others[0],))
            if not others and not previous.only_with:  # "and the CSM?" about a fact that already covers it
                return Decision(FACT, "counterpart_same_fact", fact=previous, topic=previous.topic, certifications=named)
        if elliptical and context.fact is None and context.question:
            again = self._asked_again_for(turn, named, context)
            if again is not None:
                return again
        if not named and context.fact is None and context.question:
            again = self._asked_again_for_neighbour(turn, context)
            if again is not None:
                return again
        lexicon = self.index.lexicon
        leaning = self._leaning_on_last_fact(text, context)
        if leaning is not None:
            return leaning
        if context.fact is None and context.neighbour in self.neighbours.entries and lexicon is not None \
                and lexicon.asks_what_follows(text.lower().strip()):
            # "and after that?" right after what the A-CSM is: the one that follows it, and what it is
            after = self.neighbours.entries[str(context.neighbour)].then
            if after and self.neighbours.entries[after].answers_facts:
                fact = self._then_fact(after, str(context.neighbour))
                return Decision(FACT, "neighbour_then", fact=fact, topic=fact.topic, neighbours=(after,))
        source = self._source_of_last(text, named, context)
        if source is not None:
            return source
        if not named and context.fact is not None and context.fact in book.facts:
            # "and the PSM?" after a CSM fact: its counterpart for that neighbour, if the data has one
            neighbour_named = self.neighbours.named(text, entities)
            if len(neighbour_named) == 1 and _only_names(text, self.neighbours.entries[neighbour_named[0]].aliases, kb):
                other = book.facts[context.fact].counterparts.get(neighbour_named[0])
                if other is None and context.fact in self.neighbours.entries[neighbour_named[0]].answers_facts:
                    other = context.fact  # "and the A-CSPO?" after a fact that covers both advanced certifications
                if other:
                    fact = book.facts[other]
                    return Decision(COUNTERPART, "counterpart", fact=fact, topic=fact.topic,
                                    neighbours=(neighbour_named[0],))
                unsaid = self._not_said_of(book.facts[context.fact], neighbour_named[0])
                if unsaid:
                    # "and for the A-CSM?" after the CSM's pass mark: nothing the data holds says it of the A-CSM
                    return Decision(NOT_KNOWN, "neighbour_not_known", neighbours=(neighbour_named[0],), concepts=unsaid)
        if context.neighbour in self.neighbours.entries and (elliptical or (
                GOING_ON.match(text.lower()) and word_count(text) <= ASKED_AGAIN_MAX_WORDS + 1)):
            # "and the product owner version?" right after what the PSM is: the PSPO (neighbours.yml `counterpart`)
            mate = self.neighbours.entries[str(context.neighbour)].counterpart
            if mate is not None and self.neighbours.entries[mate].related in (named or self.index.normalise(text)[1]):
                if context.fact is None:
                    return Decision(NEIGHBOUR, "neighbour_counterpart", neighbours=(mate,))
                # ... and right after one of its facts, that fact for the other one ("and for the PO version?" after
                # the A-CSM's experience: the A-CSPO's)
                mates = self._fact_of_mate(str(context.fact), str(context.neighbour), mate)
                if mates is not None:
                    return Decision(COUNTERPART, "counterpart", fact=mates, topic=mates.topic, neighbours=(mate,))
        if elliptical and context.topic is not None and context.topic in kb.topics and context.topic != "recommendation":
            return self._topic(context.topic, named, context, "followup_topic")
        return None

    def _not_said_of(self, fact: FactEntry, neighbour: str) -> Tuple[str, ...]:
        """The concepts a fact speaks of (not the weak ones) when neither the neighbour's description nor its facts
        (neighbours.yml `answers_facts`) speak of any of them: "the pass mark" after the CSM's, of the A-CSM; empty when
        they do ("the number of questions" of the PSM I: its description states 80)."""
        lexicon = self.index.lexicon
        if lexicon is None:
            return ()
        entry = self.neighbours.entries[neighbour]
        asked = tuple(c for c in lexicon.concepts_in(fact.answer.lower()) if c not in lexicon.weak_concepts)
        said = " ".join([entry.what, entry.relation] + [self.index.book.facts[f].answer for f in entry.answers_facts
                                                         if f in self.index.book.facts])
        return () if not asked or set(asked) & set(lexicon.concepts_in(said.lower())) else asked

    def _fact_of_mate(self, fact_id: str, neighbour: str, mate: str) -> Optional[FactEntry]:
        """The fact a neighbour's fact ``fact_id`` is for its counterpart ``mate`` (facts.yml `per_neighbour`), or the
        same fact when it answers for both (neighbours.yml `answers_facts`)."""
        book = self.index.book
        for fact in book.facts.values():
            if fact.per_neighbour.get(neighbour) == fact_id and mate in fact.per_neighbour:
                return book.facts[fact.per_neighbour[mate]]
        return book.facts[fact_id] if fact_id in self.neighbours.entries[mate].answers_facts else None

    def _window_of_last(self, text: str, named: Sequence[str], concepts: Sequence[str], context: Context) -> Optional[FactEntry]:
        """The fact just given, when it states a time window ("within 90 days of the welcome email") and a few words
        ask only when, or from when ("within what time?", "counted from when?", "90 days from when?")."""
        previous = self.index.book.facts.get(context.fact) if context.fact is not None else None
        if previous is None or previous.only_with or not _WITHIN_SPAN.search(previous.answer) \
                or word_count(text) > WINDOW_AGAIN_MAX_WORDS or not set(named) <= set(previous.certifications):
            return None
        if not _ASKS_WHEN.search(text.lower()):
            return None
        own = self._fact_concepts.get(previous.id, frozenset())
        return previous if set(concepts) <= set(own) | {DEADLINE_CONCEPT, "duration"} else None

    def _last_in_other_form(self, text: str, context: Context, neighbour_keys: Tuple[str, ...], asks: Sequence[str],
                            candidates: Tuple[Tuple[str, float], ...]) -> Optional[Decision]:
        """The fact just given again (``_last_fact_again``), keeping the neighbour it was about; "Yes." first to "and that's
        the minimum?" when it states its figure as that bound."""
        last = self._last_fact_again(text, context)
        if last is None:
            return None
        kept = neighbour_keys or ((str(context.neighbour),) if context.neighbour in self.neighbours.entries else ())
        return Decision(FACT, "said_already", fact=last, topic=last.topic, neighbours=kept, asks=tuple(asks),
                        candidates=candidates, polarity="yes" if bound_said(text, last.answer) else None)

    def _last_fact_again(self, text: str, context: Context) -> Optional[FactEntry]:
        """The fact just given, when the message only asks for its figure in another unit that its figures work out
        ("in years?" right after the CSP's 24 months of experience, whoever it was about), or for it in another form
        ("just the number", "in a sentence?")."""
        if FORMAT_ONLY.match(text) or BOUND_ONLY.match(text):  # "just the number", "that's the minimum?": that fact again
            return self.index.book.facts.get(str(context.fact))
        last = self.index.book.facts.get(str(context.fact)) if UNIT_ONLY.match(text) else None
        if last is None or last.figures is None or self.worker is None or not self.worker.work_out(last.figures, text):
            return None
        return last

    def _said_already(self, text: str, named: Sequence[str], asks: Sequence[str], concepts: Sequence[str],
                      context: Context, neighbour: bool = False) -> Optional[FactEntry]:
        """The fact just given, when a short question leaning on it asks for what it states (a price, a
        duration, a count...) and speaks of nothing it doesn't: "and the fee?" after the renewal rules; or
        asks nothing of the kind but names only what that fact speaks of ("is it proctored too?")."""
        book, lexicon = self.index.book, self.index.lexicon
        previous = book.facts.get(context.fact) if context.fact is not None else None
        if previous is None or (previous.only_with and not neighbour) or lexicon is None:
            return None  # (a neighbour's own fact only right after it: ``neighbour``)
        if set(named) <= set(previous.certifications) and not set(asks) & lexicon.strong_asks \
                and self._in_its_words(text, previous):
            return previous  # "before or after the course?" right after "... may come before or after the advanced course"
        if not leans_on_context(text):
            return None
        if word_count(text) > SAID_ALREADY_MAX_WORDS or not set(named) <= set(previous.certifications):
            return None
        if not set(asks) & lexicon.strong_asks and previous.figures is not None and self.worker is not None \
                and self.worker.work_out(previous.figures, text):
            return previous  # "per question then?" after the test's 50 questions in 60 minutes: what that works out to
        strong = set(asks) & lexicon.strong_asks
        if strong and not strong <= set(previous.asks):
            return None
        if strong == {"duration"} and UNIT_ONLY.match(text):
            return previous  # "and in months?" right after "valid for two years"
        own = self._fact_concepts.get(previous.id, frozenset())
        yes_no = "yesno" in asks or bool(re.search(r"\b(too|also|as well)\W*$", text.lower()))  # "open book too?"
        if not strong and not (yes_no and not set(asks) - {"yesno"} and concepts and all(c in own for c in concepts)):
            return None  # "is it proctored too?" after the open-book fact: a yes/no on concepts that fact speaks of
        return previous if self._explains(previous, concepts) else None

    def _in_its_words(self, text: str, fact: FactEntry) -> bool:
        """A few words (two at least, beside the retriever's `ignore_words`), every one of them in the fact's answer: a
        question about what it says, in its own words ("before or after the course?")."""
        words = set(_CONTENT_WORD.findall(text.lower())) - self.index.book.ignore_words
        return 2 <= len(words) <= IN_ITS_WORDS_MAX and words <= set(_CONTENT_WORD.findall(fact.answer.lower()))

    def _source_of_last(self, text: str, named: Sequence[str], context: Context) -> Optional[Decision]:
        """"link?", "where can I read that officially?" right after a fact: where that fact comes from. A fact
        that gives the page itself (it states a `where`, with the address) and shares the last fact's source; else
        the last fact's own source, without the fact again (``source_only``)."""
        book, lexicon = self.index.book, self.index.lexicon
        previous = book.facts.get(context.fact) if context.fact is not None else None
        neighbour = self.neighbours.entries.get(str(context.neighbour)) if previous is None and context.neighbour else None
        if neighbour is not None:
            # "source?" right after what the A-CSM is: where that comes from (a fact of it with the same source)
            previous = next((book.facts[f] for f in neighbour.answers_facts + tuple(
                f.id for f in book.facts.values() if f.only_with == neighbour.key)
                if f in book.facts and neighbour.source in book.facts[f].sources), None)
            named = ()
        lowered = text.lower()
        if previous is None and neighbour is None and lexicon is not None and word_count(lowered) <= SAID_ALREADY_MAX_WORDS \
                and lexicon.asks_for_source(lowered) and "who" in lexicon.asks_of(lowered) \
                and not set(lexicon.concepts_in(lowered)) - set(lexicon.source_concepts):
            # "says who?" with no fact just given (after "I don't know ..."): no fact to source, and not who teaches
            return Decision(NO_ANSWER, "source_of_nothing")
        if previous is None or lexicon is None or not leans_on_context(text):
            return None
        # ("who do I pay? where do i do it" right after a fee: where it is paid, the page)
        paying = {"price", "who"} if "price" in previous.asks and {"where", "price"} <= set(lexicon.asks_of(lowered)) else set()
        if word_count(lowered) > SAID_ALREADY_MAX_WORDS + 2 or not (lexicon.asks_for_source(lowered) or paying):
            return None
        # ("says who?": who says it is where it comes from)
        if not set(lexicon.asks_of(lowered)) <= {"where", "yesno", "how", "who"} | paying \
                or not set(named) <= set(previous.certifications):
            return None
        if set(lexicon.concepts_in(lowered)) - set(lexicon.source_concepts) - ({"price"} if paying else set()):
            return None  # "and the course page?": a page about something else
        if neighbour is not None:
            return Decision(FACT, "source_of_last", fact=previous, topic=previous.topic, neighbours=(neighbour.key,),
                            source_only=True)
        if _gives_a_page(previous):
            return Decision(FACT, "source_of_last", fact=previous, topic=previous.topic, certifications=previous.certifications)
        own = set(previous.sources)
        pages = [f for f in book.facts.values() if _gives_a_page(f) and not f.only_with
                 and own & set(f.sources)
                 and set(f.certifications) >= set(previous.certifications)]
        if pages:
            page = max(pages, key=lambda f: len(own & set(f.sources)) / len(set(f.sources)))
            return Decision(FACT, "source_of_last", fact=page, topic=page.topic, certifications=page.certifications)
        return Decision(FACT, "source_of_last", fact=previous, topic=previous.topic, certifications=previous.certifications,
                        source_only=True)

    def _asked_again(self, text: str, context: Context) -> Tuple[str, ...]:
        """"what about renewing?" right after the fact giving the CSM's official page asks the same of
        renewing: where. A short question going on from the last ("and ...", "what about ...") that asks
        for nothing itself asks for what the last fact stated, when that was one kind of thing (a price,
        a duration, a place...)."""
        book, lexicon = self.index.book, self.index.lexicon
        previous = book.facts.get(context.fact) if context.fact is not None else None
        if previous is None or lexicon is None or not GOING_ON.match(text.lower()) \
                or word_count(text) > ASKED_AGAIN_MAX_WORDS:
            return ()
        stated = [a for a in previous.asks if a in lexicon.strong_asks]
        return tuple(stated) if len(stated) == 1 else ()

    def _next_step(self, text: str, named: Sequence[str], context: Context) -> Optional[Decision]:
        """What comes next for where the user stands (knowledge/stages.yml): "I failed twice, now what?", or "and then
        what?" right after "I just finished my CSPO course"; None when the message asks no such thing or says no stage."""
        lowered = text.lower()
        lexicon = self.index.lexicon
        if not self.stages.asks_what_next(lowered) and not (lexicon is not None and lexicon.asks_what_follows(lowered.strip())):
            return None
        certifications = tuple(named) or self.index.normalise(text)[1]
        stage = self.stages.stage_in(lowered)
        if stage is None:
            if not context.question or word_count(text) > ASKED_AGAIN_MAX_WORDS:
                return None
            stage = self.stages.stage_in(context.question.lower())
            certifications = certifications or self.index.normalise(context.question)[1]
        if stage is None:
            return None
        if not certifications and context.certification in self.kb.certifications:
            certifications = (str(context.certification),)
        fact_id = self.stages.next_fact(stage, certifications)
        if fact_id is None:
            return None
        fact = self.index.book.facts[fact_id]
        # "I got my A-CSM, what comes after it?": the fact for that neighbour, when the data has one (per_neighbour)
        own = [self.index.book.facts[fact.per_neighbour[n]] for n in self.neighbours.named(text, ())
               if n in fact.per_neighbour]
        if len(own) == 1:
            fact = own[0]
        return Decision(FACT, "next_step", fact=fact, topic=fact.topic, certifications=fact.certifications, question=True)

    def _leaning_on_last_fact(self, text: str, context: Context) -> Optional[Decision]:
        """A whole message that only goes on from the fact just given: "and the other way round?" (swap), "and
        after that?" (its `then`), "why?" (its `because`), "do I need anything else?" (all of it again)."""
        book, lexicon = self.index.book, self.index.lexicon
        last = book.facts.get(context.fact) if context.fact is not None else None
        lowered = text.lower().strip()
        if last is None and context.topic == AUDIENCE_TOPIC and context.certification in self.kb.certifications \
                and lexicon is not None:
            # "why that one?" right after "the CSPO suits an entrepreneur best": whom the article says it suits; "the
            # other one?": whom the other suits (the advisor said it had recommended nothing yet)
            if lexicon.asks_why(lowered) or lexicon.asks_if_sure(lowered):
                return Decision(TOPIC, "audience_why", topic=AUDIENCE_TOPIC, certifications=(str(context.certification),))
            if _THE_OTHER_ALONE.match(lowered):
                other = next(c for c in self.kb.certifications if c != context.certification)
                return Decision(TOPIC, "audience_other", topic=AUDIENCE_TOPIC, certifications=(other,))
        if last is None and context.topic in self.kb.topics and context.certification in self.kb.certifications \
                and (_THE_OTHER_ALONE.match(lowered) or (lexicon is not None and lexicon.asks_the_other_way_round(lowered))):
            # "and the other role?" right after what a Product Owner does (a topic's summary for one): the same for the other
            other = next(c for c in self.kb.certifications if c != context.certification)
            return Decision(TOPIC, "topic_other", topic=context.topic, certifications=(other,))
        if last is None or lexicon is None:
            return None
        if lexicon.asks_the_other_way_round(lowered):
            # "and the other way round?" after "do I need the CSM before the CSPO?": a fact speaking of both
            # answers it too; one about a single certification has its counterpart (data) for the other
            if len(last.certifications) > 1:
                return Decision(FACT, "swap", fact=last, topic=last.topic, certifications=last.certifications)
            others = [c for c in self.kb.certifications if c not in last.certifications and c in last.counterparts]
            if len(others) == 1 and not last.only_with:
                fact = book.facts[last.counterparts[others[0]]]
                return Decision(COUNTERPART, "swap", fact=fact, topic=fact.topic, certifications=(others[0],))
        if lexicon.asks_for_both(lowered):
            # "both of them?" after how long the CSM is valid: "Yes, the same for both." before a fact speaking of both; a
            # fact of one with its counterpart for the other (goal_guide had taken it for "should I get both?")
            if set(self.kb.certifications) <= set(last.certifications):
                return Decision(FACT, "both_of_last", fact=last, topic=last.topic, certifications=last.certifications,
                                polarity="same_yes")
            others = [c for c in self.kb.certifications if c not in last.certifications and c in last.counterparts]
            if len(others) == 1 and not last.only_with:
                twin = book.facts[last.counterparts[others[0]]]
                return self._in_order([(last, last.certifications), (twin, (others[0],))], Decision(FACT, "both_of_last"))
        if last.then is not None and lexicon.asks_what_follows(lowered):
            # "and after that?" after "you get two free attempts": what the data says follows that fact
            fact = book.facts[last.then]
            return Decision(FACT, "then", fact=fact, topic=fact.topic, certifications=fact.certifications)
        if last.because is not None and lexicon.asks_why(lowered):
            # "why so different?" after the course price: the reason the sources give (each trainer sets it)
            return Decision(FACT, "why_of_last", fact=last, topic=last.topic, certifications=last.certifications,
                            polarity="because")
        reasons = self.unknowns.by_id(REASONS_UNKNOWN)
        if reasons is not None and lexicon.asks_why(lowered):
            # "why?" after "the CSPO has no test": the sources give no reason ("I haven't recommended anything yet" was
            # the reply), what they say again beside it
            return Decision(NOT_KNOWN, WHY_NOT_STATED, unknown=reasons, nearest=last, certifications=last.certifications)
        if lexicon.asks_for_the_rest(lowered):
            # "do I need anything else?" after the renewal fee: all that fact says (fee and SEUs), not another fact
            return Decision(FACT, "all_of_it", fact=last, topic=last.topic, certifications=last.certifications,
                            polarity="all_of_it")
        if lexicon.asks_if_sure(lowered):
            # "are you sure?" after the test's 50 questions: that fact again, as its source says it (the NLU took it for
            # "why?", and the advisor said it had recommended nothing yet)
            # ("how sure are you?" asks how sure, not whether: no "Yes" first)
            how = re.match(r"\W*((and|but|so|ok|okay|wait)\W+)*how\b", lowered) is not None
            return Decision(FACT, "sure_of_last", fact=last, topic=last.topic, certifications=last.certifications,
                            polarity="how_sure" if how else "sure")
        currency = _CURRENCY_ASKED.match(lowered) if _STATES_US_DOLLARS.search(last.answer) else None
        if currency is not None:
            # "in euros?" after "each further attempt costs 25 USD": what the sources give, in US dollars, and that the amount
            # in euros is not (the exchange rate decides); "is that in US dollars?": "Yes."
            asked = currency.group("currency")
            usd = _US_DOLLARS.match(asked) is not None
            typed = text.strip()[currency.start("currency"):currency.end("currency")]  # ("GBP" as typed)
            lead = "" if usd else self.kb.phrases["answer_other_currency"].format(currency=typed)
            return Decision(FACT, "currency_of_last", fact=last, topic=last.topic, certifications=last.certifications,
                            polarity="yes" if usd else None, worked_out=lead, question=True)
        per = per_verdict(lowered, last.answer)
        if per is not None:
            # "per attempt?" after "each further attempt costs 25 USD": "Yes."; "a year?" after "every two years": "No."
            return Decision(FACT, "per_of_last", fact=last, topic=last.topic, certifications=last.certifications,
                            polarity=per)
        if _HOW_LONG_ALONE.match(lowered) and not last.only_with \
                and len({f for f in figures(last.answer) if f[0] in ASKED_UNITS["duration"]}) == 1:
            # "for how long?" after "the fee normally includes a two-year membership": that answer's one length of time (not
            # after a neighbour's fact, which has no certification of its own)
            return Decision(FACT, "figure_of_last", fact=last, topic=last.topic, certifications=last.certifications)
        if echoes_a_figure(lowered):
            # "74?" after the pass mark, "sixty?" after how many questions: that fact again, "Yes."/"No." first when
            # the figure is (or is not) the one it states in the unit asked for (actions/claims.py); the NLU took them
            # for out of scope or "yes", and the advisor said it knew nothing of it or "great"
            asked = lexicon.asks_of(context.question.lower()) if context.question else ()
            return Decision(FACT, "figure_of_last", fact=last, topic=last.topic, certifications=last.certifications,
                            polarity=echo_verdict(lowered, last.answer, asked))
        return None

    def _asked_again_for(self, turn: Turn, named: Sequence[str], context: Context) -> Optional[Decision]:
        """"and for a csm?" right after a question no fact answered ("what's the average salary of a cspo?"):
        that question again, for the certification now named; its honest "I don't know" when no fact answers it
        either (rule `counterpart_question`). None when the question before was itself such a follow-up."""
        previous = str(context.question)
        if len(set(named)) != 1 or named[0] not in self.kb.certifications or not looks_like_a_question(previous) \
                or is_elliptical(self.kb, previous, ()) or word_count(previous) <= 3:
            return None
        spans = [(int(e["start"]), int(e["end"])) for e in turn.entities
                 if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)]
        # (the user's own words for it: "and the po?" after "what does the scrum master do?" asks what the po does)
        name = turn.text[spans[0][0]:spans[0][1]] if len(spans) == 1 else named[0]
        # ("and the regular CSM one?" after "what's the pass mark for the A-CSM?": the neighbour asked about, replaced)
        pattern = self.neighbours.pattern if context.neighbour is not None else None
        text, count = pattern.subn(name, previous.lower()) if pattern is not None else (previous, 0)  # (a lower-case one)
        if not count:
            text, count = self._certification_names.subn(name, previous) if self._certification_names else (previous, 0)
        if not count:
            text = f"{previous.rstrip(' ?!.')} for the {name}?"
        # (only after a question no fact answered: after a topic's summary, "and the po?" is that topic for the PO)
        if self._plan(Turn(text=previous, intent=None, confidence=0.0, entities=()), Context()).kind != NOT_KNOWN:
            return None
        kind = next((str(e.get("entity")) for e in turn.entities if e.get("entity")), "certification")
        value = next((e.get("value") for e in turn.entities if e.get("entity")), named[0])
        entities = tuple({"entity": kind, "value": value, "start": m.start(), "end": m.end()}
                         for m in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text))
        decision = self._plan(replace(turn, text=text, entities=entities), Context(certification=named[0]))
        if decision.kind not in (FACT, COUNTERPART, NOT_KNOWN) or decision.also:
            return None
        return replace(decision, rule="counterpart_question", certifications=(named[0],))

    def _asked_again_for_neighbour(self, turn: Turn, context: Context) -> Optional[Decision]:
        """"and the a-cspo?" right after "how much does the a-csm course cost?", "what about the psm?" right after "how
        many people fail the csm": a whole "and X?" naming one neighbour, right after a question no fact answered, is
        that question again for it (its honest "I don't know"), not what the neighbour is. None otherwise."""
        keys = self.neighbours.named(turn.text, list(turn.entities))
        previous = str(context.question)
        if len(keys) != 1 or self._any_names is None or word_count(turn.text) > 5 or not GOING_ON.match(turn.text.lower()) \
                or not looks_like_a_question(previous) or word_count(previous) <= 3:
            return None
        left = self._any_names.sub(" ", turn.text.lower())
        if re.sub(r"\W+|\b(and|also|so|plus|what|how|about|the|for|a|an|then|ok|okay)\b", "", left):
            return None  # words beyond the name ("and the a-cspo, how long?"): a question of its own
        if self._plan(Turn(text=previous, intent=None, confidence=0.0, entities=()), Context()).kind != NOT_KNOWN:
            return None
        name = self.neighbours.entries[keys[0]].aliases[0]
        text, count = self._any_names.subn(name, previous)
        if not count:
            return None
        decision = self._plan(replace(turn, text=text, entities=()), Context())
        if decision.kind != NOT_KNOWN or decision.also:
            return None
        if decision.unknown is not None and decision.unknown.about:
            # what it says is about the CSM or the CSPO ("... people find the CSM test"): the plain "I don't know" for it
            decision = replace(decision, unknown=None, nearest=None)
        return replace(decision, rule="counterpart_question", neighbours=(keys[0],), from_context=True, question=True)
