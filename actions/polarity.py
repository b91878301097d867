"""Yes or no first, when a yes/no question asks about something a fact states.

"Is courage one of the Scrum values?" is answered by the fact listing the values; the user should
read "Yes." before it. The rule is deliberately narrow, because a wrong "yes" is a wrong fact; it
applies only to facts that list items (`lists: true` in facts.yml), and:
- the question must be a yes/no question (lexicon `asks: yesno`);
- its specific words (not stop words, not generic words, not concept words — those say what the
  question is about, not what it asserts — and not certification names) must all appear in the
  fact's answer: then "yes", or "no" when one of them is negated there ("not proctored");
- a question with no specific word, or one the answer does not contain (a number it doesn't state),
  gets no yes or no: the fact speaks for itself.
Pure: text in, "yes" / "no" / None out.
"""
from __future__ import annotations

import re
from typing import List, Optional

from actions.claims import spelled_out
from actions.facts import Normaliser
from actions.lexicon import CONCEPT_PREFIX, Lexicon

_WORD = re.compile(r"[\w'%-]+")
_NEGATION = frozenset({"not", "no", "never", "without", "neither", "nor", "isn't", "doesn't", "don't", "aren't",
                       "won't", "cannot", "can't"})


# "does the PO have to attend the Daily Scrum?" asks whether it is required: a fact saying the item is there
# but optional is no "yes" to that (nor, safely, a "no": the fact speaks for itself)
_OBLIGATION = re.compile(r"\b(have to|has to|had to|must|need to|needs to|required|mandatory|compulsory|obliged|obligatory)\b")
_OPTIONAL = re.compile(r"\b(optional|not required|not mandatory|no need|need not|needn't|doesn't have to|does not have to)\b")


# a web address the question names ("is scrum.org the official CSM site?") is said only as itself: its parts ("scrum",
# "org") are also in "Scrum Alliance ... www.scrumalliance.org", which says nothing about scrum.org
_DOMAIN = re.compile(r"(?<![\w.-])((?:[a-z0-9-]+\.)+(?:org|com|net|io|edu|gov|info|co|uk|de))\b")


def domains_unsaid(question: str, answer: str) -> bool:
    """Whether the question names a web address the answer does not (as a whole host or a host's last labels)."""
    lowered = answer.lower()
    return any(not re.search(r"(?<![\w-])" + re.escape(d) + r"\b", lowered) for d in _DOMAIN.findall(question.lower()))


def _stem(word: str) -> str:
    return word[:5] if len(word) > 5 else word


def _same(a: str, b: str) -> bool:
    """Whether two words are one: the same first five letters ("focus", "focuses"), or the shorter one, without a final
    "e", is the longer one without an ending of inflection ("write", "writing"; not "work", "workshop")."""
    if _stem(a) == _stem(b):
        return True
    short, long = sorted((a, b), key=len)
    base = short[:-1] if short.endswith("e") else short
    return len(base) >= 4 and long.startswith(base) and long[len(base):] in ("e", "es", "ed", "ing", "s", "d")


def polarity(question: str, answer: str, lexicon: Lexicon, normalise: Normaliser, generic: frozenset) -> Optional[str]:
    if "yesno" not in lexicon.asks_of(question):
        return None
    if _OBLIGATION.search(question.lower()) and _OPTIONAL.search(answer.lower()) or domains_unsaid(question, answer):
        return None
    specific = specific_words(question, normalise, generic)
    if not specific:
        return None
    said: List[str] = _WORD.findall(lexicon.rewrite(answer.lower()))
    negated = False
    for word in specific:
        places = [i for i, w in enumerate(said) if _same(w, word)]
        if not places:
            return None
        negated = negated or any(any(w in _NEGATION for w in said[max(0, i - 3):i]) for i in places)
    return "no" if negated else "yes"


def specific_words(question: str, normalise: Normaliser, generic: frozenset) -> List[str]:
    """The words a yes/no question asserts something with: not stop words, generic words, concept words (they say
    what it is about) or certification names."""
    asked, _ = normalise(question)
    return [w for w in asked.split() if not w.startswith((CONCEPT_PREFIX, "q_")) and w != Normaliser.PLACEHOLDER
            and w not in generic and (len(w) >= 3 or w.isdigit())]


def unstated(question: str, answer: str, lexicon: Lexicon, normalise: Normaliser, generic: frozenset) -> List[str]:
    """The specific words of a question that the answer does not say (a "yes" would vouch for them unread)."""
    said = set(_WORD.findall(lexicon.rewrite(answer.lower())))
    # (a number in words is said as the figure: "twenty SEUs" by "20 SEUs")
    return [w for w in specific_words(question, normalise, generic)
            if not any(_same(w, s) or _same(spelled_out(w), s) for s in said)]


# the clauses of an answer's first sentence ("After the course you accept the licence agreement, and then the CSPO is
# granted; there is no test": the "no" is the test's, not the granting's)
_CLAUSE = re.compile(r"[,;:()\u2013\u2014]|\.\s|\s-\s")
PLAIN_WORDS = 2  # a yes/no question says at least this many specific words for the fact's words to vouch for it


def said_plainly(question: str, answer: str, lexicon: Lexicon, normalise: Normaliser, generic: frozenset) -> bool:
    """Whether a yes/no question's specific words (two at least) are all said in the first sentence of ``answer``, none
    in a clause with a negation ("is the PO the voice of the customer?": "The Product Owner is the voice of the customer"),
    and it asks no obligation the answer calls optional. The caller has checked that the question is one plain yes/no
    question with no negation and no figure."""
    if _OBLIGATION.search(question.lower()) and _OPTIONAL.search(answer.lower()) or domains_unsaid(question, answer):
        return False
    specific = specific_words(question, normalise, generic)
    if len(specific) < PLAIN_WORDS:
        return False
    first = re.split(r"\n", answer, maxsplit=1)[0]
    clauses = [_WORD.findall(lexicon.rewrite(c.lower())) for c in _CLAUSE.split(first)]
    for word in specific:
        holding = [c for c in clauses if any(_same(w, word) for w in c)]
        if not holding or any(w in _NEGATION for c in holding for w in c):
            return False
    return True


# What a yes/no question asks: whether one may ("can I take ...", "am I allowed to ...", "is it possible to ...")
# or must ("do I need ...", "is ... required", "must I ..."). A question asking both, or asked in the negative
# ("can't I ...", "is there no ..."), asks neither: the fact speaks for itself.
_MUST = re.compile(r"\b(need|needs|needed|have to|has to|had to|must|required|require|requires|requirement|mandatory|"
                   r"compulsory|obligatory|necessary|prerequisites?)\b")
_MAY = re.compile(r"^\W*(so\s+|and\s+|but\s+|ok\s+)?(can|could|may|might)\b|\b(can|could|may) (i|you|we|one|they|he|she|anyone|"
                  r"someone|people|a|an|my|our)\b|\b(allowed|permitted|possible|eligible|able to|open to)\b")
_NEGATIVE = re.compile(r"\b(can't|cannot|can not|couldn't|isn't|aren't|don't|doesn't|no|not|never|nobody)\b")


# "could you confirm whether the test is invigilated?" asks whether it is, not whether one may: the words that
# only ask politely are no modality
_POLITE = re.compile(r"^\W*((hi|hey|hello|so|ok|okay)\W+)*(can|could|would|will) (you|u|ya|someone|anyone) (please |kindly )?"
                     r"(confirm|tell me|tell us|let me know|let us know|check|clarify|say|explain|advise)\b( (if|whether|that))?")


# being allowed or able as what follows from what is asked ("before I'm allowed to", "so that I can"): no "may" question
_MAY_LATER = re.compile(r"\b(before|until|till|so that|so|in order that) (i'm|i am|im|i'd be|i would be|i will be|i'll be|you're|"
                        r"you are|one is|we're|we are) (allowed|able|permitted|eligible)\b")


def modality(question: str) -> Optional[str]:
    """"may", "must" or None (both, neither, or a negative question; "without" is no negation: "can I take
    the CSPO without the CSM?" asks whether one may)."""
    q = _POLITE.sub(" ", question.lower().replace("\u2019", "'"))
    q = _MAY_LATER.sub(" ", q)  # ("do I need the CSM before I'm allowed to do the CSPO?" asks whether one must)
    must, may = bool(_MUST.search(q)), bool(_MAY.search(q))
    if must == may or _NEGATIVE.search(q):
        return None
    return "must" if must else "may"
