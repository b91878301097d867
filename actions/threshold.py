"""Yes or no first, when a yes/no question puts a number against a minimum a fact states.

"Is 72% enough to pass the CSM?" and "if I get 36 out of 50, do I pass?" are answered by the pass-mark
fact; the user should read "No." before it, because 72 < 74 and 36 < 37. The same for "I have 18 SEUs,
can I renew?" (20 needed). A fact opts in with `threshold` in facts.yml:

    threshold: {min: 37, of: 50, percent: 74}      # 37 of 50 correct, or 74 %
    threshold: {min: 20, unit: 'seus?|scrum education units?'}

Two readings of a number, kept apart because a wrong "yes" is a wrong fact:
- a **score** ("is 80% enough", "I got 36 of 50", "if I have 18 SEUs"): yes when it reaches the minimum;
- a **claim** about the minimum itself ("is the pass mark 80%?", "do I need 30 SEUs?"): "no" when it is
  not the minimum, and never "yes" (the rest of the claim may be wrong: "20 SEUs every year?"), nor
  anything when the claim compares ("more than 30 correct?").
A question with no number in a form the threshold knows, or with two that disagree, gets no yes or no.
Pure: text in, "yes" / "no" / None out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

# Words saying the number is the user's own result, not a claim about the rule.
# "I did 12 months as a Scrum Master, what's left for the A-CSM?" asks what else is needed, not whether 12 is enough
ASKS_WHAT_IS_LEFT = re.compile(r"^\W*((so|and|ok|okay|then)\W+)*(what'?s|what is|what are|what else|what more|what remains)"
                               r"\b[^?]{0,20}\b(left|else|remaining|missing|still|more|next)\b", re.I)
SCORE_WORDS = re.compile(
    r"\b(enough|sufficient|i (?:only )?(?:got|get|scored?|have|had|answered|earned|collected)|"
    r"i'?ve (?:only |just )?(?:been|had|got|earned|collected|worked)|"
    r"if i (?:only )?(?:get|got|score|scored|have|had|answer|earn)|(?:do|did|would|will|can|could) i (?:still )?pass|"
    r"is that a pass|still (?:a )?pass|make the cut|scored|pass or fail|fail or pass|got (?:a |only |just )?\d|"
    r"(?:does|did|would|will) (?:that|this|it|my) (?:score |result |mark )?(?:clear|reach|meet|beat|make|hit)|"
    r"(?:is|be|counts? as|considered) (?:that |it |this )?a pass(?:ing)?(?: score| grade| result| mark)?|"
    r"\d+(?:\s*%|\s*percent|\s*/\s*\d+|\s+out of \d+)?\s+(?:is |would be |counts as )?"
    r"(?:(?:a |still a )pass(?:ing|es)?|pass(?:ing|es)?(?!\s+(?:the|this|that|it|on|in|at|first)\b))(?! mark))\b")
# (not "98% pass the test": that many people pass it, a pass rate; "is 75% a pass on the test?" is a score)
# "98% pass the test", "80 percent of people fail": a share of people, not a score nor the minimum
_RATE = re.compile(r"\d\s*(?:%|percent)\s+(?:of [\w-]+ )?(?:pass|fail)(?:es)?\s+(?:the|this|that|it|on|in|at|first)\b")
# "did I fail?", "is that a fail?": whether the user failed, the other way round to whether they reached the minimum
_FAIL_ASKED = re.compile(r"\b(did|do|would|will|have|has|am|is|was) (i|that|it|this)( \w+)? (fail|failed|a fail|failing)\b")
_COMPARING = re.compile(r"\b(more|less|fewer|over|above|under|below|at least|at most|minimum|maximum|than|or)\b")
_NUMBER = r"(\d+(?:[.,]\d+)?)"
# a bare number the user got or scored ("I got 36 on my CSM test, did I pass?"), not one with a unit of its own
_UNIT_AFTER = (r"%|percent|/|out of|of\b|days?|weeks?|months?|years?|hours?|hrs?|h\b|minutes?|mins?|questions?|answers?|"
               r"attempts?|tries|times|seus?|usd|dollars?|x\b")
# (a full stop after it ends the sentence, "I got 37. Did I pass?"; a decimal is read whole, "37.5")
_BARE_SCORE = re.compile(r"\b(?:i|i've|ive|i have)\s+(?:only\s+|just\s+)?(?:got|get|scored?|had)\s+"
                         r"(?:a\s+|only\s+|just\s+|exactly\s+)?" + _NUMBER + r"(?!\d|[.,]\d|\s*(?:" + _UNIT_AFTER + r"))")


@dataclass(frozen=True)
class Threshold:
    minimum: float
    of: Optional[float] = None  # "37 of 50": the total the minimum is out of
    percent: Optional[float] = None  # the same minimum as a percentage
    unit: Optional[str] = None  # a pattern for the unit a bare number carries ("seus?")
    noun: Optional[str] = None  # what is counted, for "you need 1 more, 37 correct answers in all" (facts.yml works_out)

    def numbers(self, text: str) -> List[Tuple[str, float]]:
        """The numbers of the question this threshold can read, each as ("count" | "percent", value)."""
        lowered = text.lower()
        found: List[Tuple[str, float]] = []
        taken: List[Tuple[int, int]] = []

        def add(kind: str, value: str, span: Tuple[int, int]) -> None:
            if not any(s < span[1] and span[0] < e for s, e in taken):
                found.append((kind, float(value.replace(",", "."))))
                taken.append(span)

        if self.of is not None:
            for m in re.finditer(_NUMBER + r"\s*(?:/|out of|of)\s*" + _NUMBER, lowered):
                if float(m.group(2)) == self.of:
                    add("count", m.group(1), m.span())
                else:  # a score out of another total: not this test
                    return []
            for m in re.finditer(_NUMBER + r"\s+(?:questions?\s+|answers?\s+)?(?:correct|right)\b", lowered):
                add("count", m.group(1), m.span())
            for m in _BARE_SCORE.finditer(lowered):  # "I got 36 on my CSM test": a score, when it can be one out of the total
                if float(m.group(1).replace(",", ".")) <= self.of:
                    add("count", m.group(1), m.span(1))
        if self.percent is not None:
            for m in re.finditer(_NUMBER + r"\s*(?:%|percent\b|per cent\b)", lowered):
                add("percent", m.group(1), m.span())
        if self.unit:
            for m in re.finditer(_NUMBER + r"\s*(?:" + self.unit + r")\b", lowered):
                add("count", m.group(1), m.span())
        return found

    def answer(self, text: str) -> Optional[str]:
        """"yes" when the user's figure reaches the minimum, "no" when it does not; the other way round to whether they
        failed ("I got 36 right, did I fail?": "Yes.")."""
        reached = self.reached(text)
        if reached is None:
            return None
        return ("no" if reached else "yes") if _FAIL_ASKED.search(text.lower()) else ("yes" if reached else "no")

    def reached(self, text: str) -> Optional[bool]:
        """Whether the user's figure in ``text`` reaches the minimum (None: no figure of theirs it can read)."""
        found = self.numbers(text)
        if not found or _RATE.search(text.lower()):
            return None
        score = bool(SCORE_WORDS.search(text.lower()))
        if not score and _COMPARING.search(text.lower()):
            return None
        verdicts = set()
        for kind, value in found:
            minimum = self.percent if kind == "percent" else self.minimum
            if minimum is None:
                return None
            verdicts.add(value >= minimum if score else value == minimum)
        if len(verdicts) != 1:
            return None
        reached = verdicts.pop()
        if reached and not score:
            return None
        return reached

    def short_of(self, text: str) -> Optional[Tuple[float, float]]:
        """(the user's count, the minimum) when the question is a score below the minimum, as a count ("if I get 36
        correct", "I have 12 SEUs"): what it is short by is said with the "No."."""
        found = self.numbers(text)
        if self.noun is None or self.reached(text) is not False or not SCORE_WORDS.search(text.lower()) or len(found) != 1 \
                or found[0][0] != "count":
            return None
        return found[0][1], self.minimum
