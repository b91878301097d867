""""Yes." or "No." first, when a yes/no question asserts something a fact says is true or false.

"Is the CSM exam proctored?" is answered by the fact "The CSM test is open book and not proctored"; the user
should read "No." before it, and "Yes." before the same fact for "is it open book?". Which assertions a fact
makes true or false is knowledge, so it lives in the data: each fact of facts.yml may have `assertions:`, two
lists of patterns (Python regexes, lower case) that a question may assert, `"yes"` (true by this fact) and
`"no"` (false by it). The rule is narrow, because a wrong "yes" or "no" is a wrong fact:
- the question asks yes or no, or puts a claim to check ("true or false: ...", "..., right?": lexicon.yml), asks it
  after what the user says of themselves ("I have no experience, can I still do the CSPO") or ends with a question
  mark after no question word ("csm exam proctored??");
- it offers no alternatives ("is it 50 or 60 questions?"), compares nothing ("shorter than 16 hours?") and asks one
  thing ("is it online and can I take it on my phone?"): otherwise the fact speaks for itself;
- a negation outside what a pattern matched ("isn't the CSPO test hard?", "can't I ...?") leaves it to the fact:
  the user's "no" may be theirs or the question's;
- a question asserting anything false is answered "No." (one false part makes the claim false: "is there a test
  after the CSPO course?"); one asserting something true "Yes." only when the fact also says every other word the
  question asserts something with (``unstated``: "the 90 days start from the last day of the course, right?" gets no
  "yes" from "90 days");
- nothing matched: None, and the planner's other first words apply.
Pure: text in, "yes" / "no" / None out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Pattern, Tuple

from actions.claims import OR_HEDGES

# "is it 50 or 60 questions?", "csm or cspo?": more than one thing offered ("yes or no", "true or false", "or not" are
# no alternatives)
_ALTERNATIVES = re.compile(r"\bor\b(?! (not|no|false|nah)\b)(?<!yes or)(?<!true or)")
# "is the A-CSM course shorter than 16 hours?", "harder than the CSM?", "as long as the CSM?": a comparison, which the
# fact's words do not settle
_COMPARED = re.compile(r"\b(more|less|fewer|longer|shorter|harder|easier|cheaper|pricier|bigger|smaller|higher|lower|than|"
                       r"at least|at most|over|under|above|below|as (long|short|much|many|expensive|cheap|hard|easy|big|"
                       r"difficult|quick|fast) as)\b")
# "is the CSM exam online and can I take it on my phone?", "whether ... and whether ...": two questions, one "yes" or "no"
# would answer only one of them
_SEVERAL = re.compile(r"\b(and|but|also) (whether|if|is|are|does|do|did|can|could|will|would|has|have|should|must|when|where|how|"
                      r"what|which|who|why)\b|\?\W+\w")
# a question whether two things are one ("is X the same as Y?", "same thing as", "X = Y?"), not whether a figure is
# the same for both (actions/sameness.py answers those); not whether a thing is the CSM or the CSPO ("is PSM I the same
# thing as CSM?": the neighbour's own `assertions` say "No.")
_SAME_THING = re.compile(r"\b(the )?same (thing|person|role|job|certification|cert) (as|like)\b(?! (the )?(csm|cspo)\b)|"
                         r"\bthe same as (an? |the )(?!(csm|cspo)\b)|"
                         r"\b(identical|equivalent|equal) to (an? |the )(?!(csm|cspo)\b)", re.IGNORECASE)

_NEGATION = re.compile(r"\b(not|no|never|none|neither|nor|without|cannot|dont|doesnt|isnt|arent|cant|wont|didnt|aint)\b|n't\b")
# ("give or take": no alternatives; "at all" only stresses: "the CSPO has no test at all, right?")
_FRAME_WORDS = re.compile(r"\b(yes or no|true or false|or not|at all)\b|" + OR_HEDGES.pattern)
# a symbol that ends a clause as a comma would: an emoji ("scared of proctors 💀 is there one?")
EMOJI = r"[^\w\s?.!,;:'\"()\[\]$%&*/+=<>#@-]+"
# "I have zero Scrum experience, can I still do the CSPO": a yes/no question after what the user says of themselves
# (also after an emoticon: "failed the csm test first time :( can i try again without paying")
_YES_NO_CLAUSE = re.compile(r"(?:[:;]-?[()/\\pd](?!\w)|[,;:.!]|\s" + EMOJI + r")\s*((so|and|but|then|ok|okay)\s+)?"
                            r"(is|are|can|could|do|does|did|will|would|should|must|am|has|have|may)\s+"
                            r"(i|you|we|it|they|he|she|my|the|a|an|this|that|there)\b")
# "and is it proctored?", "so like does it expire?": a yes/no question after words that only lead into it; "if i fail
# the csm exam can i try again for free": one after a condition (no question word between)
_LEAD = re.compile(r"^\W*((and|so|but|ok|okay|also|then|um+|uh+|hm+|well|oh|ah|like|wait)\W+){1,3}")
_LED_IN = re.compile(r"^(is|are|can|could|do|does|did|will|would|should|must|am|has|have|may)\b|"
                     r"^(if|once|after) ((?!\b(what|which|how|when|where|who|whom|why)\b)"
                     r"[^?,.;]){1,60}\b(can|could|do|does|is|are|will|would|should|must|may|am) "
                     r"(i|you|we|it|they|there|my|the)\b")
_THE_NOUN = re.compile(r"^(the|your|its|their|this|that)\s+[\w-]+(\s+[\w-]+)?\s*\?+\s*$")
_WH = re.compile(r"\b(what|which|how|when|where|who|whom|whose|why)\b")
_WH_START = re.compile(r"^\W*(what|which|how|when|where|who|whom|whose|why)\b(?!\W*$)(?!\s+(i|we|you|they|he|she|my|our|your)\b)")
_CLAUSE_ASKS = re.compile(r"(?:[,;:\u2014\u2013]|\s-)\s*((so|and|but|then|like)\s+)?"
                          r"(is|are|can|could|do|does|did|will|would|should|must|am|has|have|may)\b")
# words that only frame the yes/no question after them ("I was wondering whether ...", "do you happen to know if ...",
# "my manager wonders whether ...", "not sure if you can help but is there ..."): not what it asserts (their "not",
# "know" and "happen" are no words of the question's)
_EMBEDDING = re.compile(
    r"^\W*((hey|hi|hello|so|ok|okay)\W+)*("
    r"(not sure (if|whether) (you|u) can help|sorry to bother( you)?|this (may|might) be a (silly|dumb|stupid) question)"
    r"\W+(but\W+)?(?=(is|are|can|could|do|does|will|would|should|must|has|have)\b)"
    r"|((i|we) (was|were|am|are) (just )?wondering|(i'm|im|we're) (just )?wondering|just wondering|i wonder|wondering|"
    r"(do|does) (you|u|ya|anyone|anybody) (happen to )?know|any ?(idea|clue)|(can|could|would) (you|u) (please )?"
    r"(tell|let) me( know)?|tell me|my [\w-]+ (wonders|is wondering|wants to know|would like to know|asked me to "
    r"(find out|check|ask))|((i|we) (need|want|have|would like)|(i'd|we'd) like) to (know|check|find out)) (if|whether)\b)")


# "the CSM test is closed book, isn't it?", "the CSPO has no exam, does it?", "..., right?": a statement with a tag that
# asks whether it holds; the tag asserts nothing (its "n't" is no negation of the statement's)
TAG_VERB = r"(?:is|are|does|do|did|has|have|was|were|will|would|should|could|can)"
TAG_SUBJECT = r"(?:it|there|they|i|you|we|he|she|that|this|one)"
_TAG = re.compile(r"(,|\s)\s*(((" + TAG_VERB + r"(n't|nt)?|won't|can't|cannot|ain't) " + TAG_SUBJECT +
                  r"|right|correct|yes|yeah|true|innit))\W*$")
# "isn't there a final test for the CSPO?": a negative question asks what the positive one asks (its "n't" only leans
# towards an answer)
_NEGATIVE_LEAD = re.compile(r"^(can't|cannot|won't|(is|are|does|do|did|has|have|was|were|should|could|would)n't)\b")
# the one negation of a tag question's statement that, taken out, leaves the statement it denies ("there's no proctor,
# is there?" denies "there's a proctor"); "without", "neither", "nor" ... leave no such statement
_DENIAL = re.compile(r"\b(can't|won't|cannot|not|no|never|dont|doesnt|isnt|arent|didnt)\b|(?<=\w)n't\b")
# ... but "not just after", "not only", "no more than 13", "no matter ...", "not until ...", "I'm not sure ..." deny no
# statement
_NO_DENIAL = re.compile(r"\s+(just|only|merely|simply|even|until|till|more|less|fewer|later|earlier|sooner|longer|matter|"
                        r"sure|certain)\b")
_DENIED_WITHIN = 30  # characters after the negation that what settles a denial must start within
_AFFIRMED = {"can't": "can", "cannot": "can", "won't": "will", "dont": "do", "doesnt": "does", "isnt": "is", "arent": "are",
             "didnt": "did"}


def without_tag(text: str) -> Tuple[str, bool]:
    """A (lower-case) question with a trailing tag blanked ("..., isn't it?" -> "...   ") and a negative question's
    "n't" taken out ("isn't there a test?" -> "is    there a test?"), lengths kept; and whether it had a tag."""
    lead = _NEGATIVE_LEAD.match(text)
    if lead:
        positive = _AFFIRMED.get(lead.group(), lead.group()[:-3])
        text = positive.ljust(len(lead.group())) + text[lead.end():]
    tag = _TAG.search(text)
    if tag is None or not text[:tag.start()].strip():
        return text, False
    return text[:tag.start()] + " " * (len(text) - tag.start()), True


def denied(text: str, spans: List[Tuple[int, int]]) -> Optional[Tuple[str, int]]:
    """The statement a tag question's one negation denies, that negation blanked ("the cspo has no exam" -> "the cspo has
    exam"), and where the negation ends; None unless its one negation is outside ``spans`` (the patterns' own): "since
    the CSM never expires, I don't need to do anything, right?" denies nothing the fact settles."""
    negations = list(_NEGATION.finditer(text))
    outside = [m for m in negations if not any(start <= m.start() and m.end() <= end for start, end in spans)]
    if len(outside) != 1 or len(negations) != 1:
        return None
    m = _DENIAL.search(text, max(0, outside[0].start() - 3) if outside[0].group() == "n't" else outside[0].start())
    if m is None or m.end() != outside[0].end() or _NO_DENIAL.match(text, m.end()):
        return None
    return text[:m.start()] + _AFFIRMED.get(m.group(), "").ljust(m.end() - m.start()) + text[m.end():], m.end()


def plain_yes_no(question: str, asks_yes_no: bool) -> Optional[str]:
    """The question in lower case, its frame words blanked ("true or false", "yes or no"), when it asks one plain
    yes/no question (no alternatives, no comparison, one question); None otherwise. Negations are the caller's."""
    lowered = question.lower().replace("\u2019", "'")
    lowered = _EMBEDDING.sub(lambda m: " " * len(m.group()), lowered)
    text = _LEAD.sub("", lowered)  # (its "and" is no second question)
    led_in = (text != lowered or text.startswith(("if ", "once ", "after "))) and bool(_LED_IN.match(text))
    # (a question mark alone makes no yes/no question of "and the test?", which asks for what holds of the test; "and
    # webinars?" after the ways to earn SEUs asks whether they count too)
    noun_phrase = text != lowered and _THE_NOUN.match(text) is not None
    if _WH_START.match(text) and not _CLAUSE_ASKS.search(text):
        # ("where on the scrum alliance site can I read about it": a question word asks; not "what about a CSPO, does that
        # count for it?", whose clause after the comma asks yes or no)
        return None
    if not (asks_yes_no or _YES_NO_CLAUSE.search(text) or (led_in and not _WH.search(text))
            or (text.rstrip().endswith("?") and not _WH.search(text) and not noun_phrase)):
        return None
    text = _FRAME_WORDS.sub(lambda m: " " * len(m.group()), text)  # (their "no" and "or" are the frame's)
    if _ALTERNATIVES.search(text) or _COMPARED.search(text) or _SEVERAL.search(text):
        return None
    return text


def same_thing(text: str) -> bool:
    """Whether a question asks whether two things are one ("is a CST the same as a scrum master?")."""
    return _SAME_THING.search(text) is not None


def negated(text: str) -> bool:
    """Whether a (lower-case) question says "not", "no", "n't" ... anywhere."""
    return _NEGATION.search(text) is not None


@dataclass(frozen=True)
class Assertions:
    """What a fact says is true ("yes") and false ("no") of what a question may assert."""

    true: Tuple[Pattern[str], ...] = ()
    false: Tuple[Pattern[str], ...] = ()

    def verdict(self, question: str, asks_yes_no: bool, unstated: Callable[[str], bool] = lambda rest: False) -> Optional[str]:
        """"yes", "no" or None for a question (the part that asks: question_text.the_question). ``asks_yes_no``: the
        lexicon's reading (lexicon.yml `asks: yesno`, claim frames); a question mark after no question word also asks
        it ("csm exam proctored??")."""
        text = plain_yes_no(question, asks_yes_no)
        if text is None:
            return self._neither(question, asks_yes_no)
        if same_thing(text):
            # "is a CST the same as a scrum master?" asks whether two things are one: what a fact asserts of one of
            # them ("taught by a CST") is no "yes" (the trainer's fact said "Yes." to it)
            return None
        text, tagged = without_tag(text)
        verdict = self._of(text, unstated)
        if verdict == "yes" and tagged and _NEGATION.search(text):
            # "there's no proctor for the CSM test, is there?": a denial the fact makes true ("no proctor" is the pattern's
            # own); "Yes." would read as "yes, there is" ("the CSM never expires, right?" keeps its "No.")
            return "correct"
        if verdict != "denied":
            return verdict
        # "the CSPO has no exam, does it?" puts a denial to check: "correct" when the fact makes what it denies false, "not
        # so" when the fact makes that true ("there isn't a fee to renew, is there?")
        spans = self._spans(self.true, text) + self._spans(self.false, text)
        found = denied(text, spans) if tagged else None
        if found is None:
            return None
        statement, after = found
        positive = self._of(statement, unstated)
        # what settles it is what the negation denies, the words right after it ("the cspo isn't an advanced cert": the
        # A-CSPO's "needs a CSPO" said "yes" to its "cspo", which the negation does not deny)
        denied_part = self._spans(self.true if positive == "yes" else self.false, statement[after:after + _DENIED_WITHIN])
        return {"no": "correct", "yes": "not_so"}.get(positive or "") if denied_part else None

    def _of(self, text: str, unstated: Callable[[str], bool]) -> Optional[str]:
        """"yes", "no", None, or "denied" when a negation outside what the patterns matched is the user's."""
        true = self._spans(self.true, text)
        # a false assertion inside a true one is that one's own negation ("doesn't have to be at the Daily Scrum"); a true
        # one inside a false one is that one's ("the CSM without a test": its "test" asserts no test)
        false = [(a, b) for a, b in self._spans(self.false, text)
                 if not any(a < end and start < b and not (a <= start and end <= b) for start, end in true)]
        true = [(a, b) for a, b in true if not any(start <= a and b <= end and (start, end) != (a, b) for start, end in false)]
        spans = true + false
        if not spans:
            return None
        for m in _NEGATION.finditer(text):
            if not any(start <= m.start() and m.end() <= end for start, end in spans):
                return "denied"
        if false:
            return "no"
        # "yes" vouches for the whole question: every word it asserts something with is matched or in the fact ("the 90
        # days start from the last day of the course, right?" is not vouched for by "90 days")
        rest = "".join(" " if any(start <= i < end for start, end in spans) else c for i, c in enumerate(text))
        return None if unstated(rest) else "yes"

    def _neither(self, question: str, asks_yes_no: bool) -> Optional[str]:
        """"do I need a webcam or a proctor for the csm test?": "no" when a yes/no question puts alternatives, each of them
        something the fact makes false, nothing it makes true and no negation; None otherwise."""
        lowered = _LEAD.sub("", question.lower().replace("\u2019", "'"))
        if not (asks_yes_no or lowered.rstrip().endswith("?")) or not _ALTERNATIVES.search(lowered) \
                or _COMPARED.search(lowered) or _SEVERAL.search(lowered) or _NEGATION.search(lowered) or same_thing(lowered):
            return None
        parts = [p for p in _ALTERNATIVES.split(lowered) if p and p.strip()]
        if len(parts) < 2 or self._spans(self.true, lowered):
            return None
        return "no" if all(self._spans(self.false, p) for p in parts) else None

    @staticmethod
    def _spans(patterns: Tuple[Pattern[str], ...], text: str) -> List[Tuple[int, int]]:
        return [m.span() for pattern in patterns for m in pattern.finditer(text) if m.end() > m.start()]


def assertions_from(raw: Any, where: str, fail: Callable[[str, str], Exception]) -> Optional[Assertions]:
    """The `assertions:` of a fact in facts.yml: {"yes": [regex, ...], "no": [regex, ...]}."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw or set(raw) - {"yes", "no"}:
        raise fail(where, 'expected a mapping with "yes" and/or "no": lists of patterns a question may assert')
    compiled = {}
    for key in ("yes", "no"):
        items = raw.get(key) or []
        if not isinstance(items, list) or not all(isinstance(p, str) and p for p in items):
            raise fail(f"{where}.{key}", "expected a list of patterns (regular expressions)")
        try:
            compiled[key] = tuple(re.compile(p) for p in items)
        except re.error as error:
            raise fail(f"{where}.{key}", f"a pattern does not compile: {error}") from None
    return Assertions(true=compiled["yes"], false=compiled["no"])
