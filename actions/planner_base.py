"""What the answer planner (actions/planner.py) reads of a message and its data, shared by all its rules:
the certifications named (letters said one by one, "the other one", "the advanced one"), the concepts and
what is asked for (lexicon.yml), the words no fact knows, and whether a fact states and explains what is
asked. Pure: no Rasa, no I/O."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from actions.assertions import Assertions, negated, plain_yes_no, same_thing
from actions.claims import (
    CLAIM,
    YES_NO_START,
    agreed_rest,
    bound_verdict,
    compared_figure,
    contradicts,
    echo_verdict,
    figure_first,
    figure_said_too,
    figures,
    per_verdict,
    same_figure,
    states_all,
)
from actions.context import mentioned_certifications
from actions.decision import (
    FACT,
    TOPIC,
    TRACE_CANDIDATES,
    Context,
    Decision,
    Turn,
)
from actions.facts import FactEntry, FactIndex
from actions.figures import Worker, certified_on, days_between, window_start
from actions.knowledge_base import Knowledge, KnowledgeError
from actions.neighbours import ENTITY as NEIGHBOUR_ENTITY
from actions.neighbours import Neighbours
from actions.parts import numbered_lead
from actions.polarity import said_plainly, specific_words, unstated
from actions.question_text import (
    ASKING_FRAME,
    looks_like_a_question,
    put_first,
    the_asking_clause,
    the_question,
    word_count,
)
from actions.restate import phrases_asked
from actions.sameness import comparison
from actions.sides import sides_from_knowledge
from actions.spelling import Speller
from actions.spelling import vocabulary as spelling_vocabulary
from actions.stages import stages_from_knowledge
from actions.unknowns import Unknown, Unknowns, cued_words

_SPAN = re.compile(r"\b(\d+|one|two|three|five|twelve|24)\s+(months?|years?)\b", re.I)
_WITHIN_SPAN = re.compile(r"\b(within|in the (past|last))\b[^.;]{0,30}\b(days?|weeks?|months?|years?)\b", re.I)
ISSUER_CONCEPT = "issuer"  # lexicon.yml's concept of who issues a certification
_ALLIANCE_ONLY = re.compile(r"^(?!.*\b(scrum\.org|pmi|scaled agile|safe|psm|pspo|pmp)\b).*\bscrum ?alliance\b", re.I | re.S)
_ASKS_ISSUER = re.compile(r"\b(who|which (organi[sz]ation|body|company))\b|\bissu|\baward|\bbehind\b", re.I)
DEADLINE_CONCEPT = "deadline"  # lexicon.yml's concept of a time limit or window ("by when", "time window")
_SMALL_UNITS = re.compile(r"\b(hours?|hrs?|minutes?|mins?|days?|weeks?)\b", re.I)


# "is the renewal fee per year?", "is it an annual fee?": a yes/no question whether a figure is per one thing
_PER_THING = re.compile(r"\b(per|each|every|a|an) (year|month|attempt|renewal|try)\b(?! (or|and)\b)|\b(annual|yearly)\b")


def _role_cues(kb: Knowledge, roles: Mapping[str, str], key: str = "role_cues") -> Dict[str, Tuple["re.Pattern[str]", ...]]:
    """lexicon.yml `role_cues` (or `role_moves`): a role value -> the regular expressions that describe it (or
    a move into it)."""
    raw = kb.extra.get(key) or {}
    where = kb.extra_files.get(key, "knowledge/lexicon.yml")
    if not isinstance(raw, dict) or not all(isinstance(v, list) and v for v in raw.values()):
        raise KnowledgeError(where, key, "expected a mapping of role values to lists of patterns")
    cues: Dict[str, Tuple["re.Pattern[str]", ...]] = {}
    for role, patterns in raw.items():
        if roles and role not in roles:
            raise KnowledgeError(where, f"{key}.{role}", "not a role of recommender.yml's role_leaning")
        try:
            cues[str(role)] = tuple(re.compile(str(p)) for p in patterns)
        except re.error as e:
            raise KnowledgeError(where, f"{key}.{role}", f"not a valid pattern: {e}") from None
    return cues


_ASKS_WH = re.compile(r"\b(what|whats|which|how|when|where|who|whom|whose|why)\b")
# a question ending on its verb asks what a thing comes to ("so two extra tries is?", "and 3 retakes would cost?")
_ASKS_WHAT_IT_IS = re.compile(r"\b(is|are|be|costs?|makes?|comes? to|totals?)\W*$")


def _spelled_names(aliases: Iterable[str]) -> Dict[str, str]:
    """The names people may say letter by letter ("c s p o", "a c s m"): the letters of each one-word alias
    ("csp-po": "csppo") -> the alias (the one written as its letters when there is one: "psm", not "psm1")."""
    out: Dict[str, str] = {}
    for alias in aliases:
        letters = re.sub(r"[^a-z]", "", alias.lower())
        if " " not in alias.strip() and len(letters) >= 2 and (letters not in out or alias.lower() == letters):
            out[letters] = alias.lower()
    return out


def _shorthand(kb: Knowledge) -> Dict[str, str]:
    """lexicon.yml `shorthand`: a lower-case word ("w/o" too) -> the word(s) it stands for."""
    raw = kb.extra.get("shorthand") or {}
    if not isinstance(raw, dict) or not all(isinstance(k, str) and re.fullmatch(r"[a-z]+(/[a-z]*)?", k)
                                            and isinstance(v, str) and v.strip() for k, v in raw.items()):
        raise KnowledgeError(kb.extra_files.get("shorthand", "knowledge/lexicon.yml"), "shorthand",
                             "expected a mapping of lower-case words to the words they stand for")
    return {k: v.strip() for k, v in raw.items()}
# "the requirements / eligibility / prerequisites for the PMP" (not "should I get the PMP?")
_REQUIREMENT_NOUN = re.compile(r"(requirements?|reqs|eligib\w*|criteria|pre-?req\w*|qualifications?|conditions)$")
ASKED_AGAIN_MAX_WORDS = 5  # "and what about renewing?": longer questions say what they ask themselves
DIFFERENCE_CONCEPT = "difference"  # lexicon.yml's concept of comparing the two ("different", "vs", "compare")
# "and the advanced one of that?" after the CSPO: the advanced certification of its track (the A-CSPO)
_THE_ADVANCED = re.compile(r"\b(the|an?|its) advanced (one|version|level|cert\w*|credential|step)\b")
# "what if I already have the CSM?" right after what the A-CSPO needs: whether the one held counts towards it
_WHAT_IF_I_HOLD = re.compile(r"\W*((and|so|ok|okay|but)\W+)*(what if|what about if|how about if) i "
                             r"(already )?(have|hold|got|own|did|do|earned|passed)\b")
# the unknown of knowledge/unknowns.yml for a rule's reason ("why doesn't the CSPO have a test?", "why?" right after a
# fact with no `because`)
REASONS_UNKNOWN = "reasons"
SAID_ALREADY_MAX_WORDS = 9  # "how much does that cost?", "and how long do I have to use them": longer ones stand alone
# whether a certification is needed for, or counts towards, another ("does a PSM I count toward the A-CSM?")
_BUILDS_ON = re.compile(r"\b(counts?|qualif\w*|need|needs|needed|require[sd]?|requirement|prerequisites?|first|before|"
                        r"enough|accepted|towards?|instead|necessary|mandatory|without)\b")
# ... not about another of its requirements (experience, the course, the level after it, an expired one)
_OTHER_REQUIREMENT = re.compile(r"\b(experience|work|worked|course|class|training|months?|years?|csp(-?(sm|po))?|active|"
                                r"expired|lapsed|sm|po|scrum master|product owner)\b")
_SAMENESS = re.compile(r"\b(same|different|differs?|unlike)\b")
_COMPARING = re.compile(r"\b(vs\.?|versus|compared?|compares|comparing|comparison|differen\w*|differs?|than|"
                        r"which (one|of (them|the two)|has|is|lasts|costs|needs|expires))\b")
# "CSM/CSPO course length", "csm and cspo course length", "renewal: csm? cspo?": the two named side by side, one point
_PAIRED = re.compile(r"\b(csm|cspo)\s*(/|&|\+|,|\?|\band\b|\band the\b)\s*(csm|cspo)\b")


_ENDINGS = ("'s", "s", "es", "ed", "ing", "er", "ers", "est", "ation", "ations", "ion", "ions", "ment", "ments")


def _vocabulary(kb: Knowledge, index: FactIndex, neighbours: Neighbours) -> frozenset:
    texts: List[str] = []
    for fact in index.book.facts.values():
        texts += list(fact.questions) + [fact.answer]
    for questions in index.book.broad_questions.values():
        texts += list(questions)
    for cert in kb.certifications.values():
        texts += list(cert.aliases) + [cert.name] + [f"{t.summary} {' '.join(t.items)}" for t in cert.topics.values()]
    for n in neighbours.entries.values():
        texts += list(n.aliases) + [n.name, n.what, n.relation]
    if index.lexicon is not None:
        texts += [p.rstrip("*") for phrases in index.lexicon.concepts.values() for p in phrases]
        texts += list(index.lexicon.polarity_generic) + list(index.lexicon.common_words)
    texts += list(index.book.ignore_words) + list(kb.followup_words)
    words = set(re.findall(r"[a-z][a-z'-]+", " ".join(texts).lower()))
    # the parts of a hyphenated word are words of the knowledge too ("servant-leader": "is the SM a servant?")
    return frozenset(words | {part for w in words if "-" in w for part in w.split("-") if len(part) >= 3})


def _reads_the_figure(fact: FactEntry, text: str) -> bool:
    """Whether the fact's minimum (`threshold`) reads a figure of the question ("got 38 out of 50", "8 months")."""
    return fact.threshold is not None and fact.threshold.answer(text) is not None


def _gives_a_page(fact: FactEntry) -> bool:
    """A fact that states where (`asks: where`) with the page's address in its answer."""
    return "where" in fact.asks and "://" in fact.answer


def part_turn(turn: Turn, start: int, end: int) -> Turn:
    """The question of a message asking several (actions/parts.py) at ``start``:``end``, with its entities; after the
    words before a numbered list, which say what each question is about ("PSM I quick: 1) number of questions 2) pass
    mark": "PSM I quick: pass mark")."""
    lead = numbered_lead(turn.text)
    text = turn.text[start:end].strip(" ,;")
    shift = -(start + len(turn.text[start:end]) - len(turn.text[start:end].lstrip(" ,;")))
    if lead:
        text, shift = f"{turn.text[:lead]} {text}", shift + lead + 1
    entities = tuple(dict(e, start=int(e["start"]) + (0 if int(e["end"]) <= lead else shift),
                          end=int(e["end"]) + (0 if int(e["end"]) <= lead else shift)) for e in turn.entities
                     if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)
                     and (int(e["end"]) <= lead or (start <= int(e["start"]) and int(e["end"]) <= end)))
    return replace(turn, text=text, entities=entities)


def _words(kb: Knowledge, key: str) -> frozenset:
    """A list of words of the knowledge data (lexicon.yml), lower case; none when it is missing."""
    raw = kb.extra.get(key)
    return frozenset(str(w).lower() for w in raw) if isinstance(raw, list) else frozenset()


# "is the PSM I test longer than ...?", "... fewer questions than ...?": a comparison one way or the other
_LARGER = re.compile(r"\b(more|longer|higher|bigger|larger|greater|pricier|costlier|dearer)\b")
_SMALLER = re.compile(r"\b(fewer|less|shorter|lower|smaller|cheaper)\b")
# the concepts (lexicon.yml `concepts`) that are a figure, and what a question asking for it asks (lexicon.yml `asks`)
_FIGURE_CONCEPTS = {"pass_mark": "percent", "question_count": "count", "price": "price", "duration": "duration"}


class PlannerBase:
    """The planner's data and the readers every rule shares; the rules themselves are mixins
    (actions/planner_followups.py, planner_neighbours.py, planner_audience.py) and actions/planner.py."""

    def __init__(self, kb: Knowledge, index: FactIndex, neighbours: Neighbours, unknowns: Unknowns,
                 role_leaning: Mapping[str, str], coverage: Optional[int] = None,
                 guide_facts: Optional[Mapping[str, str]] = None, user_words: Optional[Counter] = None) -> None:
        self.kb, self.index, self.neighbours, self.unknowns = kb, index, neighbours, unknowns
        self.sides = sides_from_knowledge(kb, tuple(index.book.facts))  # "which one is about the how?" (actions/sides.py)
        self.stages = stages_from_knowledge(kb, tuple(index.book.facts))  # "I failed twice, now what?" (actions/stages.py)
        # "I got certified in March 2024, when must I renew?" (actions/figures.py)
        self.worker = Worker(index.book.works_out) if index.book.works_out else None
        self.role_leaning = role_leaning  # role entity value -> "csm" | "cspo" | "none"
        self.role_cues = _role_cues(kb, role_leaning)
        self.role_moves = _role_cues(kb, role_leaning, "role_moves")
        # goal intent -> the fact with the article's choose-if line for it (facts.yml `guide_facts`)
        self.guide_facts = dict(index.book.guide_facts if guide_facts is None else guide_facts)
        self._guide_topics = {index.book.facts[f].topic for f in self.guide_facts.values() if f in index.book.facts}
        # How many of the question's concepts a fact may leave unexplained (None: not checked).
        self.coverage = index.book.max_unexplained if coverage is None else (coverage if coverage >= 0 else None)
        self._fact_concepts: Dict[str, frozenset] = {}
        self._fact_words: Dict[str, frozenset] = {}  # the first letters of each word a fact's questions and answer use
        # concept -> the share of a fact's questions naming it ("test": most of the test format's, few of the price's)
        self._concept_share: Dict[str, Dict[str, float]] = {}
        self._span_facts: set = set()  # facts stating a span in months or years ("12 months of work")
        # every way of writing the CSM or the CSPO ("and for a csm?" puts the one named into the question before)
        names = sorted({a for c in kb.certifications.values() for a in c.aliases}, key=len, reverse=True)
        self._certification_names = re.compile(r"(?<![\w-])(" + "|".join(re.escape(a) for a in names) + r")(?![\w-])",
                                                re.I) if names else None
        # ... and of the neighbours ("and the a-cspo?" right after "how much does the a-csm course cost?")
        every = sorted({a for c in kb.certifications.values() for a in c.aliases}
                       | {a for n in neighbours.entries.values() for a in n.aliases}, key=len, reverse=True)
        self._any_names = re.compile(r"(?<![\w-])(" + "|".join(re.escape(a) for a in every) + r")(?![\w-])", re.I) \
            if every else None
        self._definition_words, self._requirement_words, self._requirement_fillers = (
            _words(kb, key) for key in ("definition_words", "requirement_words", "requirement_fillers"))
        self.vocabulary = _vocabulary(kb, index, neighbours)
        # the fact saying what a neighbour is (its first `answers_facts`: "what comes after the csm?" gets the A-CSM's)
        self._introducing: Dict[str, str] = {}
        for key, entry in neighbours.entries.items():
            if entry.answers_facts and entry.answers_facts[0] not in self._introducing:
                self._introducing[entry.answers_facts[0]] = key
        # one typo per word put right before anything reads the words (actions/spelling.py)
        # (`user_words`: the NLU examples' words, never taken for typos)
        self.speller = Speller(spelling_vocabulary(kb.extra) + Counter(self.vocabulary), keep=user_words,
                               shorthand=_shorthand(kb), spelled=_spelled_names(every))
        # the certifications' names (aliases, longest first), for a name the corrections reveal (_names_put_right)
        # the words of every name, never a name of what is asked (actions/restate.py): "scrum alliance", "cspo"
        # (and the roles' words: "scrum masters")
        self._names = tuple(sorted({w for a in every for w in re.findall(r"[a-z0-9][a-z0-9'.-]*", a.lower())}
                                   | {"scrum", "alliance", "master", "masters", "owner", "owners", "product"}))
        self._aliases = [(re.compile(r"(?<![\w.-])" + re.escape(alias) + r"(?![\w-])"), key) for alias, key in sorted(
            ((alias.lower(), key) for key, cert in kb.certifications.items() for alias in cert.aliases),
            key=lambda pair: -len(pair[0]))]
        self._by_prefix: Dict[str, List[str]] = {}
        for word in self.vocabulary:
            self._by_prefix.setdefault(word[:3], []).append(word)
        lexicon = index.lexicon
        if lexicon is not None:
            for fact in index.book.facts.values():
                texts = " ".join(fact.questions + (fact.answer,)).lower()
                concepts = set(lexicon.concepts_in(texts)) | set(fact.speaks_of)
                if _WITHIN_SPAN.search(fact.answer) and DEADLINE_CONCEPT in lexicon.concepts:
                    concepts.add(DEADLINE_CONCEPT)  # "within the past five years" is a time window
                self._fact_concepts[fact.id] = frozenset(concepts)
                asked_in = [set(lexicon.concepts_in(q.lower())) for q in fact.questions]
                self._concept_share[fact.id] = {c: sum(c in a for a in asked_in) / len(asked_in) for c in concepts} \
                    if asked_in else {}
                self._fact_words[fact.id] = frozenset(w[:5] for w in index.normalise(texts)[0].split())
                if "duration" in fact.asks and _SPAN.search(fact.answer):
                    self._span_facts.add(fact.id)
        for n in neighbours.entries.values():
            if n.builds_on_fact and n.builds_on_fact not in index.book.facts:
                raise KnowledgeError("knowledge/neighbours.yml", f"neighbours.{n.key}.builds_on_fact",
                                     f"unknown fact {n.builds_on_fact!r}")
        for u in unknowns.entries:
            if u.related and u.related not in index.book.facts:
                raise KnowledgeError("knowledge/unknowns.yml", f"unknowns.{u.id}.related", f"unknown fact {u.related!r}")

    def _asserted(self, assertions: Assertions, question: str, asks_yes_no: bool, said: str) -> Optional[str]:
        """"yes", "no" or None: what ``assertions`` make of a yes/no question (actions/assertions.py), a "yes" vouched for
        by ``said`` (the fact's answer, a neighbour's description). The neighbours' names are no words a "yes" must
        vouch for: "psm 1" names the PSM I, its "1" asserts nothing ("is psm 1 lifetime?")."""
        lexicon, pattern = self.index.lexicon, self.neighbours.pattern
        if lexicon is None:
            return None

        def unsaid(rest: str) -> bool:
            rest = pattern.sub(lambda m: " " * len(m.group()), rest) if pattern is not None else rest
            return bool(unstated(rest, said, lexicon, self.index.normalise, lexicon.polarity_generic))

        return assertions.verdict(question, asks_yes_no, unsaid)

    def _checked(self, fact: FactEntry, question: str, text: str) -> Optional[str]:
        """"yes", "no" or None for a claim or yes/no question (``question``: its asking part, ``text``: the message) the fact
        answers: a figure it states otherwise ("No.", actions/claims.py) or exactly ("Yes."), what its `assertions` make
        of it (actions/assertions.py), or, with none of them, the question's own words said in the fact's first sentence
        with no negation in their clauses ("is the PO the voice of the customer?", actions/polarity.py)."""
        lexicon = self.index.lexicon
        # (also "csm test 90 min?": a question mark after no question word)
        asks_yes_no = lexicon is not None and "yesno" in lexicon.asks_of(question)
        yes_no = plain_yes_no(question, asks_yes_no)
        bounded = bound_verdict(question, fact.answer, asks_yes_no)  # ("is the CSM course longer than 12 hours?": yes)
        if bounded is not None:
            return bounded
        if contradicts(question, fact.answer, yes_no is not None):
            return "no"
        # (what the fact makes false comes before a figure it states: "the csm course is 16 hours of self-study, right?")
        # (a fact that holds for both certifications also says "both": "my manager says both have to be renewed every two
        # years, is that right?")
        said = fact.answer + ("\n(both)" if fact.same_for_both else "")
        per_thing = _PER_THING.search(yes_no) if yes_no is not None else None
        if per_thing is not None:
            # "is the renewal fee per year?": "No." when the fact says every two years ("Yes." to "per attempt?")
            per = per_verdict(re.sub(r"annual|yearly", "per year", per_thing.group(0)), fact.answer)
            if per is not None:
                return per
        asking = the_asking_clause(question)
        # "hate exams 😩 is the CSPO one without a test?": what the clause that asks asserts (not the user's "exams")
        asserted = self._asserted(fact.assertions, asking, "yesno" in lexicon.asks_of(asking), said) \
            if lexicon is not None and fact.assertions is not None and asking != question else None
        if asserted is None and lexicon is not None and fact.assertions is not None:
            asserted = self._asserted(fact.assertions, question, "yesno" in lexicon.asks_of(text), said)
        if asserted is None and lexicon is not None and fact.assertions is not None and text.strip() != question.strip():
            # "I only have CSM. can I jump into A-CSPO?": what the user says before the question is what it asks about
            asserted = self._asserted(fact.assertions, text, "yesno" in lexicon.asks_of(text), said)
        if asserted == "no":
            return "no"
        if self._figures_agree(question, asks_yes_no, said):  # ("74 percent, is that the pass mark?")
            return "yes"
        said_too = figure_said_too(question)
        if said_too is not None:
            # "and for csp, 12 too?" after the A-CSM's 12 months: the figure in the unit the fact states ("No." and 24 months)
            verdict = echo_verdict(said_too + "?", fact.answer, fact.asks)
            if verdict is not None:
                return verdict
        if lexicon is None:
            return None
        if asserted is not None:  # what the fact makes true or false of what the question asserts (facts.yml `assertions`)
            return asserted
        # (a yes/no question by its words, with no question word: "link to the cspo page?" and "where can I read about
        # the CSM?" ask for the page)
        if not asks_yes_no or yes_no is None or _ASKS_WH.search(yes_no) or negated(yes_no) or same_thing(yes_no) \
                or figures(yes_no):
            return None
        pattern = self.neighbours.pattern
        rest = pattern.sub(lambda m: " " * len(m.group()), yes_no) if pattern is not None else yes_no
        return "yes" if said_plainly(rest, fact.answer, lexicon, self.index.normalise, lexicon.polarity_generic) else None

    def _first_word(self, turn: Turn, fact: FactEntry, last: Optional[FactEntry]) -> Optional[str]:
        """What the answer says before the fact ("Yes.", "No." ...): the planner's (actions/planner.py)."""
        raise NotImplementedError

    def _first_of_counterpart(self, turn: Turn, decision: Decision, context: Context, last: Optional[FactEntry]) -> Optional[str]:
        """"and CSM?" right after "is there a test for CSPO?" (answered "No."): the same yes/no question asked of the
        certification now named, its "Yes."/"No." from the counterpart fact; None when the last message asked no yes/no
        question, named no other certification, or this one says more than which one."""
        lexicon, new = self.index.lexicon, decision.certifications
        if decision.rule not in ("counterpart", "counterpart_same_fact") or len(new) != 1 or not context.question \
                or lexicon is None or "yesno" not in lexicon.asks_of(context.question) or word_count(turn.text) > 4 \
                or comparison(turn.text, True) is not None or decision.fact is None:
            return None
        names = {n.lower() for key, c in self.kb.certifications.items() if key != new[0]
                 for n in (c.key, c.abbreviation, c.name, *c.aliases) if n}
        alternatives = "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
        pattern = re.compile(r"(?<![\w-])(" + alternatives + r")(?![\w-])", re.I)
        asked, swapped = pattern.subn(new[0], context.question)
        if not swapped:
            return None
        return self._first_word(Turn(asked, turn.intent, turn.confidence, ()), decision.fact, last)

    def _as_its_counterpart(self, fact: FactEntry, turn: Turn) -> Optional[str]:
        """"is the PSM I pass mark the same as CSM's?": "no" when the fact's figure of what is asked differs from its
        counterpart's for the one certification the question names (facts.yml `counterparts`), "yes" when it is the same;
        the other way round to "is it different from ...?". None otherwise (actions/claims.py ``same_figure``)."""
        lexicon = self.index.lexicon
        kind = comparison(turn.text, True)
        if lexicon is None or kind not in ("same", "different"):
            return None
        named = {c for c in mentioned_certifications(self.kb, list(turn.entities)) if c in fact.counterparts}
        other = self.index.book.facts.get(fact.counterparts[next(iter(named))]) if len(named) == 1 else None
        same = same_figure(fact.answer, other.answer, self._figure_asked(turn.text)) if other is not None else None
        if same is None:
            return None
        return "yes" if same == (kind == "same") else "no"

    @staticmethod
    def _cue_said_by(unknown: Unknown, question: str, fact: FactEntry) -> bool:
        """Whether the words a known unknown's cues match in ``question`` are all in the fact's own questions or answer
        ("how many questions are there in the CSM test?" is the fact's question, whatever an unknown's cue; not "Kanban KMP
        certification, how long is it valid": "kmp" is the unknown's alone)."""
        said = set(re.findall(r"\w+", " ".join(fact.questions + (fact.answer,)).lower()))
        return all(w in said for w in cued_words(unknown, question))

    def _refuted_by_best(self, ranked: Sequence[Tuple[str, float, Any]], text: str, wanted: Sequence[str]) -> bool:
        """Whether the best-ranked fact about the certifications wanted makes what a yes/no question asserts false (its
        `assertions`): "can I do the CSM as a self-paced video course at night after my shifts?" is answered "No."
        whatever its other words ask."""
        book = self.index.book
        best = next((book.facts[label] for label, _, _ in ranked if label in book.facts), None)
        if best is None or best.assertions is None or not self._eligible(best, wanted):
            return False
        return best.assertions.verdict(the_question(text), True) == "no"

    def _foreign_to_best(self, ranked: Sequence[Tuple[str, float, Any]], text: str, wanted: Sequence[str]) -> List[str]:
        """The foreign words of a question (``foreign_words``) but those the best-ranked fact about the certifications wanted
        speaks of in its `assertions`: "someone said CSM test attempts are unlimited and free, right?" asks about what the
        attempts fact makes false ("unlimited"), not about something the knowledge does not hold."""
        foreign = self.foreign_words(text)
        book = self.index.book
        best = next((book.facts[label] for label, _, _ in ranked if label in book.facts), None)
        if not foreign or best is None or best.assertions is None or not self._eligible(best, wanted):
            return foreign
        lowered = text.lower()
        spans = [m.span() for pattern in best.assertions.true + best.assertions.false for m in pattern.finditer(lowered)]
        return [w for w in foreign if not any(re.search(r"(?<![a-z'-])" + re.escape(w) + r"(?![a-z'-])", lowered[a:b])
                                              for a, b in spans)]

    def _figure_asked(self, text: str) -> Tuple[str, ...]:
        """What a question asks for, and the kind of figure of a concept it speaks of ("the same pass mark" asks for a
        percent, "longer in time" for a duration)."""
        lexicon = self.index.lexicon
        if lexicon is None:
            return ()
        return lexicon.asks_of(text) + tuple(_FIGURE_CONCEPTS[c] for c in lexicon.concepts_in(text.lower())
                                             if c in _FIGURE_CONCEPTS)

    def _larger_or_smaller(self, text: str, first: FactEntry, second: FactEntry) -> Optional[str]:
        """"is the PSM I test longer in time than the CSM test?" (``first``: the fact of what is named before "than"):
        "yes" when its figure of what is asked is the larger (the smaller for "shorter", "fewer", "cheaper" ...), "no"
        when it is not (also when the two are the same); None for no plain yes/no question comparing one way, or no
        figure of one unit in each (actions/claims.py ``compared_figure``)."""
        asking = the_question(text.lower())
        more, less = _LARGER.search(asking), _SMALLER.search(asking)
        if not YES_NO_START.match(asking) or not re.search(r"\bthan\b", asking) or bool(more) == bool(less) \
                or negated(asking):
            return None
        compared = compared_figure(first.answer, second.answer, self._figure_asked(text))
        if compared is None:
            return None
        return "yes" if compared == (1 if more else -1) else "no"

    @staticmethod
    def _unlike_last(fact: FactEntry, last: Optional[FactEntry], text: str) -> Optional[str]:
        """"is that the same for the CSPO?" right after the CSM test's questions, answered by its counterpart "The CSPO has
        no test": "no" when one of the two says "no" or "not" in its first clause and the other does not ("yes" to "is
        it different for ...?"); None otherwise (the figures they state are ``_as_its_counterpart``'s)."""
        compared = comparison(text, True)
        if last is None or fact.same_for_both or fact.id not in last.counterparts.values() \
                or compared not in ("same", "different"):
            return None
        first = [re.split(r"[:;,.]", answer.lower(), maxsplit=1)[0] for answer in (fact.answer, last.answer)]
        if negated(first[0]) == negated(first[1]):
            return None
        return "no" if compared == "same" else "yes"

    def _asked_about(self, text: str, unknown: Unknown) -> Tuple[str, ...]:
        """What the question's asking clause asks about that a known unknown's words don't say: its words the knowledge
        never uses and its specific words, with the words next to them (actions/restate.py); when that is nothing and the
        words its cues match come before that clause, what the whole question asks about ("Kanban KMP certification, how
        long is it valid": "Kanban KMP certification")."""
        clause = the_asking_clause(text)
        asked = self._phrases_asked(clause, unknown.say)
        cued = cued_words(unknown, the_question(text))
        if not asked and cued and not any(w in clause.lower() for w in cued):
            asked = self._phrases_asked(the_question(text), unknown.say)
        return asked

    def _phrases_asked(self, clause: str, said: str) -> Tuple[str, ...]:
        """``_asked_about`` of one clause: its words the knowledge never uses and its specific words, as phrases."""
        lexicon = self.index.lexicon
        keywords = self.foreign_words(clause)
        if lexicon is not None:
            keywords += specific_words(clause, self.index.normalise, lexicon.polarity_generic)
        return phrases_asked(clause, keywords, said, self._names)

    def _figures_agree(self, question: str, asks_yes_no: bool, said: str) -> bool:
        """"seventy four percent, is that the CSM pass mark?": every figure the question claims is one ``said`` states
        exactly, and ``said`` also says every other word the question asserts something with (actions/claims.py); never
        for a negated question ("it's not 74%, is it?")."""
        lexicon, pattern = self.index.lexicon, self.neighbours.pattern
        # (a claim put to check asks yes or no: "seventy four percent is that the pass mark")
        if plain_yes_no(question, asks_yes_no or CLAIM.search(question.lower()) is not None) is None:
            return False
        # (an answer that says "no", "not" or "only" of something may state the figure of another thing: "Only the CSM has a
        # test (50 questions ...)" is no "yes" to "the cspo test is 50 questions, right?"; "so two extra tries is?" asks
        # for what they come to)
        first = said.split("\n")[0].lower()
        if negated(first) or re.search(r"\bonly\b", first) or _ASKS_WHAT_IT_IS.search(question.lower()):
            return False
        rest = agreed_rest(question, said, True)
        if lexicon is None or rest is None or negated(rest):
            return False
        rest = pattern.sub(lambda m: " " * len(m.group()), rest) if pattern is not None else rest
        return not unstated(rest, said, lexicon, self.index.normalise, lexicon.polarity_generic)

    def _names_put_right(self, turn: Turn) -> Turn:
        """A certification the speller's corrections reveal ("and teh product ownr?": the product owner), which the
        NLU, reading the typos, did not find: added as the entity it would have found (its aliases, data)."""
        lowered = turn.text.lower()
        taken = [(int(e["start"]), int(e["end"])) for e in turn.entities
                 if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)]
        found: List[Dict[str, Any]] = []
        for alias, key in self._aliases:
            for m in alias.finditer(lowered):
                if not any(m.start() < end and start < m.end() for start, end in taken):
                    taken.append((m.start(), m.end()))
                    found.append({"entity": "certification", "value": key, "start": m.start(), "end": m.end()})
        return replace(turn, entities=tuple(turn.entities) + tuple(found)) if found else turn

    def _the_other_one(self, turn: Turn, context: Context) -> Optional[str]:
        """The certification a message means by "the other one", when it names none and the last answer was
        about one of the two; else None. A whole "and the other one?" is left to the swap rule."""
        lexicon = self.index.lexicon
        lowered = turn.text.lower()
        if lexicon is None or context.certification not in self.kb.certifications or turn.is_payload \
                or not lexicon.names_the_other_one(lowered) or lexicon.asks_the_other_way_round(lowered.strip()) \
                or mentioned_certifications(self.kb, list(turn.entities)) or self.index.normalise(turn.text)[1]:
            return None
        others = [c for c in self.kb.certifications if c != context.certification]
        return others[0] if len(others) == 1 else None

    def _the_advanced_one(self, turn: Turn, context: Context) -> Turn:
        """"and the advanced one of that?" after an answer about the CSPO, "what's the advanced version of the csm?":
        the advanced certification of that track (the neighbour building on it, neighbours.yml `related` and
        `builds_on_fact`), named as the NLU would have named it; the turn as it was when it names none or another."""
        said = _THE_ADVANCED.search(turn.text.lower())
        if said is None or turn.is_payload or any(e.get("entity") == NEIGHBOUR_ENTITY for e in turn.entities):
            return turn
        named = mentioned_certifications(self.kb, list(turn.entities))
        track = named[0] if len(set(named)) == 1 else (context.certification if not named else None)
        advanced = [k for k, n in self.neighbours.entries.items() if n.related == track and n.builds_on_fact]
        if track is None or len(advanced) != 1:
            return turn
        # (written as its name: "the advanced one" itself is no question of the advanced facts' words)
        name = f"{said.group(1)} {self.neighbours.entries[advanced[0]].aliases[0]}"
        moved = len(name) - (said.end() - said.start())
        entities = tuple(dict(e, start=int(e["start"]) + moved, end=int(e["end"]) + moved)
                         if isinstance(e.get("start"), int) and isinstance(e.get("end"), int) and int(e["start"]) >= said.end()
                         else e for e in turn.entities)
        return replace(turn, text=turn.text[:said.start()] + name + turn.text[said.end():], entities=entities + (
            {"entity": NEIGHBOUR_ENTITY, "value": advanced[0], "start": said.start(), "end": said.start() + len(name)},))

    def _only_a_page(self, fact: FactEntry, text: str, asks: Sequence[str]) -> bool:
        """A fact that gives a page (its address; it states a `where` and nothing else strong) answers a
        question asking where, for a link or page, or for what such a page holds (lexicon `page_concepts`:
        "is there a free guide?"): "are the renewal rules the same for both?" is not one. A page about a
        subject (renewing) answers only a question that speaks of it."""
        lexicon = self.index.lexicon
        if lexicon is None or not _gives_a_page(fact) or [a for a in fact.asks if a in lexicon.strong_asks] != ["where"]:
            return False
        lowered = text.lower()
        asked = set(lexicon.concepts_in(lowered))
        subject = self._fact_concepts.get(fact.id, frozenset()) - set(lexicon.page_concepts) - set(lexicon.weak_concepts)
        if subject and not subject & asked and asked & set(lexicon.page_concepts) <= set(lexicon.source_concepts):
            return True  # "where is the official CSPO info?" is not asking for the page about renewing
        return "where" not in asks and not lexicon.asks_for_source(lowered) and not asked & set(lexicon.page_concepts)

    def _concepts_asked(self, text: str) -> Tuple[str, ...]:
        """The lexicon's concepts of the sentences that ask, when they speak of one ("I'm in HR and we track
        certifications in a spreadsheet. For the CSPO, what expiry period should I enter?" asks about validity,
        not a track); of the whole message otherwise ("I failed the test twice. what now?")."""
        lexicon = self.index.lexicon
        if lexicon is None:
            return ()
        question = the_question(text)
        framed = list(ASKING_FRAME.finditer(question))
        if framed and not put_first(question[:framed[-1].end()], question[framed[-1].end():]):
            question = question[framed[-1].end():]
        # (not the words of its pleasantries: "third time asking: what's the pass mark" asks nothing of attempts)
        if question != text:
            asked = lexicon.concepts_in(lexicon.without_frames(lexicon.without_pleasantries(question.lower())))
            if set(asked) - lexicon.weak_concepts:
                return tuple(asked)
        return tuple(lexicon.concepts_in(lexicon.without_frames(lexicon.without_pleasantries(text.lower()))))

    def _asks(self, text: str) -> Tuple[str, ...]:
        lexicon = self.index.lexicon
        return lexicon.asks_of(text) if lexicon is not None else ()

    def asks_beside_pleasantries(self, text: str) -> bool:
        """Whether a message the NLU took for a greeting or thanks asks a question besides ("hi there! hope you're
        well :) quick one - how long is the scrum master course?"): what is left without its pleasantries is a
        question of three words or more, not about the advisor."""
        lexicon = self.index.lexicon
        if lexicon is None:
            return False
        rest = lexicon.without_pleasantries(text.lower()).strip(" \t\n!.,;:-\u2013\u2014")
        return rest != text.lower().strip() and word_count(rest) >= 3 and looks_like_a_question(rest)

    def foreign_words(self, text: str) -> List[str]:
        """Words of the question that nothing in the knowledge data uses (facts, their questions, the
        lexicon's concepts and everyday words), three letters or more, after common endings."""
        lexicon = self.index.lexicon
        foreign = []
        lowered = lexicon.without_frames(text.lower()) if lexicon is not None else text.lower()  # "my colleague told me"
        for word in re.findall(r"[a-z][a-z'-]+", lowered):
            if len(word) < 3 or "'" in word or word.endswith("ly"):
                continue
            forms = {word} | {word[: -len(end)] for end in _ENDINGS if word.endswith(end) and len(word) - len(end) >= 3}
            if word.endswith("ies"):
                forms.add(word[:-3] + "y")  # "responsibilities": "responsibility"
            if "-" in word:
                forms |= {part for part in word.split("-") if len(part) >= 3}  # "one-day": "day" ("one" is short)
                if all(len(part) < 3 or part in self.vocabulary for part in word.split("-")):
                    continue
            if forms & self.vocabulary or (lexicon is not None and lexicon.concepts_in(word)):
                continue
            if any(self._stem_known(f) for f in forms):
                continue
            foreign.append(word)
        return foreign

    def _stem_known(self, form: str) -> bool:
        return any(v.startswith(form) and len(v) - len(form) <= 3 for v in self._by_prefix.get(form[:3], ()))

    def _explains(self, fact: FactEntry, concepts: Sequence[str], text: str = "") -> bool:
        """Whether the fact's questions and answer speak of what the question does: at most
        ``coverage`` of the question's concepts may be foreign to it ("attempts" of the PSM, when
        the PSM fact speaks of questions, minutes and the pass mark)."""
        if self.coverage is None or fact.id not in self._fact_concepts:
            return True
        return len(self._unexplained(fact, concepts, text)) <= self.coverage

    def _why_not(self, fact: FactEntry, text: str, asks: Sequence[str], concepts: Sequence[str], on_subject: bool) -> str:
        """Why a fact that reached the bar does not answer the question ("" when nothing keeps it from it)."""
        if fact.about and not on_subject:
            return "about " + " or ".join(fact.about) + ", which the question is not"
        elsewhere = self._from_another_source(fact, text)
        if elsewhere:
            return elsewhere
        if not self._states(fact, asks):
            return "does not state what is asked"
        if not self._explains(fact, concepts, text):
            return "leaves a concept unexplained: " + ", ".join(self._unexplained(fact, concepts, text))
        return "only a page" if self._only_a_page(fact, text, asks) else ""

    def _from_another_source(self, fact: FactEntry, text: str) -> str:
        """Why the fact cannot say what the source the question names says ("what does the article say about ...?"
        and a fact from an official page; facts.yml `named_sources`), or "" when the question names none or the fact's."""
        lowered = text.lower()
        named = {k for k, patterns in self.index.book.named_sources.items() if any(p.search(lowered) for p in patterns)}
        if named and not named & {s.key for s in fact.sources}:
            return "not from the source the question names: " + ", ".join(sorted(named))
        return ""

    def _unexplained(self, fact: FactEntry, concepts: Sequence[str], text: str = "") -> List[str]:
        """The question's concepts the fact does not speak of (weak ones aside). With the question's
        ``text``, "how long ..." naming no hours, minutes, days or weeks is a duration a fact stating
        months or years speaks of ("how long must I have worked as a PO?": "12 months of work")."""
        weak = self.index.lexicon.weak_concepts if self.index.lexicon is not None else frozenset()
        known = self._fact_concepts.get(fact.id, frozenset())
        if text and fact.id in self._span_facts and not _SMALL_UNITS.search(text):
            known = known | {"duration"}
        if text and not fact.only_with and _ALLIANCE_ONLY.search(text) and not _ASKS_ISSUER.search(text):
            # "... in the scrum master test from scrum alliance?": the issuer of every CSM/CSPO fact, named, not asked
            known = known | {ISSUER_CONCEPT}
        return [c for c in concepts if c not in known and c not in weak]

    def _reasoned_about(self, unknown: Unknown, ranked: Sequence[Tuple[str, float, Any]],
                        named: Sequence[str]) -> Optional[FactEntry]:
        """The rule a question asks the reason for, when it asks why ("why doesn't the CSPO have a test?": the CSPO's
        no-test fact beside "I don't know why"): the best-ranked fact about the certification named, at the usual bar."""
        book = self.index.book
        if unknown.id != REASONS_UNKNOWN:
            return None
        return next((book.facts[label] for label, score, _ in ranked if label in book.facts and score >= book.min_score
                     and self._eligible(book.facts[label], named)), None)

    def _eligible(self, fact: FactEntry, wanted: Sequence[str], asks: Sequence[str] = ()) -> bool:
        """A fact about a certification asked about (any, when none is; any, for a role fact asked with
        "who": "who owns the backlog, the Scrum Master?"), not one only for a neighbour."""
        return not fact.only_with and (
            not wanted or (fact.topic in self.index.book.unfiltered_topics and "who" in asks)
            or bool(set(wanted) & set(fact.certifications)))

    def _strong(self, asks: Sequence[str]) -> bool:
        lexicon = self.index.lexicon
        return lexicon is not None and any(a in lexicon.strong_asks for a in asks)

    def _states(self, fact: FactEntry, asks: Sequence[str]) -> bool:
        """Whether the fact states what the question asks for (facts without `asks` state anything)."""
        lexicon = self.index.lexicon
        if lexicon is None or not fact.asks:
            return True
        strong = [a for a in asks if a in lexicon.strong_asks]
        return not strong or any(a in fact.asks for a in strong)

    def _then_fact(self, after: str, before: Optional[str]) -> FactEntry:
        """What the neighbour ``after`` is (its first fact), for the track of the one before it when the data narrows
        it (`per_neighbour`: after the A-CSM, the CSP-SM alone)."""
        fact = self.index.book.facts[self.neighbours.entries[after].answers_facts[0]]
        if before is not None and before in fact.per_neighbour:
            return self.index.book.facts[fact.per_neighbour[before]]
        return fact

    def _topic(self, topic: str, named: Sequence[str], context: Context, rule: str,
               asks: Tuple[str, ...] = (), candidates: Tuple[Tuple[str, float], ...] = ()) -> Decision:
        kb = self.kb
        if named:
            certs, from_context = tuple(named), False
        elif context.certification in kb.certifications and topic not in ("comparison", "resources"):
            certs, from_context = (str(context.certification),), True
        else:
            certs, from_context = tuple(kb.certifications), False
        return Decision(TOPIC, rule, topic=topic, certifications=certs, from_context=from_context,
                        asks=asks, candidates=candidates)

    # ------------------------------------------------------------------ the planner's own steps
    # (actions/planner.py), which the follow-up rules take again for a message read another way
    def plan(self, turn: Turn, context: Context) -> Decision:
        raise NotImplementedError

    def _plan_turn(self, turn: Turn, context: Context) -> Decision:
        raise NotImplementedError

    def _plan(self, turn: Turn, context: Context) -> Decision:
        raise NotImplementedError

    def _in_order(self, pair: Sequence[Tuple[FactEntry, Tuple[str, ...]]], like: Decision) -> Decision:
        """A fact and its counterpart for the other certification, each with the certifications it answers for, as one
        decision per fact (``like`` with that fact) in the order of the certifications: the first, the second its `also`."""
        order = list(self.kb.certifications)
        first, second = (replace(like, fact=f, topic=f.topic, certifications=tuple(c))
                         for f, c in sorted(pair, key=lambda p: order.index(p[1][0]) if p[1][0] in order else len(order)))
        return replace(first, also=(second,))

    def _figure_held(self, text: str, named: Sequence[str], topic: Optional[str], context: Context) -> Optional[Decision]:
        """"16 hours, that's which course?", "$25, what is that fee for?": the best-ranked fact stating every figure said
        first (actions/claims.py `figure_first`), and its counterpart for the other certification when that states them
        too and the question names neither ("16 hours": the CSM course and the CSPO course); None when no fact does."""
        claimed = figure_first(text)
        if not claimed:
            return None
        book = self.index.book
        ranked = self.index.rank(text, topic, context.topic, context.fact)[1]
        fact = next((book.facts[label] for label, _, _ in ranked if label in book.facts
                     and states_all(book.facts[label].answer, claimed)), None)
        if fact is None:
            return None
        candidates = tuple((label, score) for label, score, _ in ranked[:TRACE_CANDIDATES])
        held = [Decision(FACT, "figure_held", fact=fact, topic=fact.topic, certifications=fact.certifications, question=True,
                         candidates=candidates)]
        for other in (c for c in self.kb.certifications if not named and c not in fact.certifications):
            twin = book.facts.get(fact.counterparts.get(other, ""))
            if twin is not None and states_all(twin.answer, claimed):
                held.append(replace(held[0], fact=twin, topic=twin.topic, certifications=twin.certifications))
        return replace(held[0], also=tuple(held[1:]))

    def _with_figures_worked_out(self, decision: Decision, text: str, before: Optional[str] = None) -> Decision:
        """"I got certified in March 2024, when must I renew?": what the user's figures work out to with the fact's
        (actions/figures.py), said first, instead of a "Yes."/"No." read from the fact's words; "if I get 36 correct do I
        pass?": "No." and what it is short by (the fact's threshold). ``before``: the user's message before this one,
        read with it when it gave the day the window counts from ("my welcome email came on 10 January." / "can I do my
        first attempt on 20 April?")."""
        fact = decision.fact
        if fact is None or self.worker is None:
            return decision
        # (the whole message: the figures are often in a sentence before the question, "I failed 3 times. how much?")
        question = text
        joined = f"{before.rstrip(' .!')}. {text}" if before else text
        if before and days_between(text) is None and days_between(joined) is not None:
            question = joined
        elif before and self.index.lexicon is not None and "when" in self.index.lexicon.asks_of(text) and (
                certified_on(before.lower()) and not certified_on(text.lower())
                or window_start(before) is not None and window_start(text) is None):
            # "I got my CSPO in May 2026." / "when does it expire then?": until when, from the date said before (also the
            # welcome email's: "it's due on 1 December." / "so until when can I use the free attempts?")
            question = joined
        if fact.figures is not None:
            lexicon, asked = self.index.lexicon, the_question(text)
            # "can I still take the test on day 61?": "Yes." when the user's figures settle it (yes/no only), but "No." when a
            # figure claimed is false ("a third attempt costs 50 bucks?": its "yes" is _first_word's "no")
            verdict = self.worker.verdict(fact.figures, question) if lexicon is not None and plain_yes_no(
                asked, "yesno" in lexicon.asks_of(asked)) is not None else None
            verdict = "no" if (verdict, decision.polarity) == ("yes", "no") else verdict
            sentence = self.worker.work_out(fact.figures, question)
            if sentence or verdict:
                return replace(decision, worked_out=sentence or "", polarity=verdict)
        if fact.threshold is not None and decision.polarity in ("no", "yes"):  # ("yes" to "did I fail?")
            short = fact.threshold.short_of(question)
            if short is not None and fact.threshold.noun:
                return replace(decision, worked_out=self.worker.short_of(*short, fact.threshold.noun))
        return decision
