"""How a message is worded, read without the knowledge: which of its sentences and clauses ask, whether it is
a question at all, whether it leans on what was just said, whether a certification it names is only what
another is compared with. Pure functions over the text (and the NLU's entities); the answer planner
(actions/planner.py) uses them."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Mapping, Optional, Sequence

from actions.assertions import EMOJI, TAG_SUBJECT, TAG_VERB
from actions.decision import Turn
from actions.lexicon import UNITS

# "what goes into a product backlog", "list the scrum values": a question without its question mark
QUESTION_START = re.compile(r"\W*((hi|hello|hey|please|pls|kindly|so|ok|okay)\W+)*"
                            r"(what|what's|whats|how|who|whom|which|when|where|why|is|are|can|could|do|does|did|will|"
                            r"would|should|must|list|name|tell me|explain|describe)\b", re.I)

# "what's this assistant good for?", "tell me your features": about the advisor, not the last answer
ABOUT_THE_ADVISOR = re.compile(r"\b(you|your|yours|assistant|bot|chatbot|advisor)\b")

# ("does the PO have to be there?" after the Daily Scrum: "there" is a place said before; not "is there a test?")
PRONOUN = re.compile(r"\b(it|its|it's|that|this|they|them|those|these|one)\b|(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )"
                     r"(?<!\bisn't )(?<!\baren't )\bthere\b(?!'s|\s+(is|are|was|were|will|isn't|aren't|any|a|an)\b)")

GOING_ON = re.compile(r"\W*(and|also|so|plus|what about|how about)\b")

_SENTENCE = re.compile(r"[^.!?]+[.!?]*")

# "my recruiter says the CSM guarantees a job. true?": a question that only asks whether the sentence
# before it is so
_TAG_QUESTION = re.compile(r"^\W*((is )?(that|it|this|she|he|they) )?(really |actually )?"
                           r"(true|right|correct|so|accurate|legit|real|allowed|possible|ok|okay|fine|doable|feasible|normal|permitted)\W*$"
                           r"|^\W*(am i right|or not|yes or no|true or false)\W*$"
                           r"|^\W*(does|did) (that|it|this) (really )?(sound|seem|look) "
                           r"(right|correct|accurate|true|plausible|legit)\W*$",
                           re.I)


def the_question(text: str) -> str:
    """The sentences of a message that ask ("... ? I'm trying to plan my revision" asks only its first): a
    message of one sentence, or none that asks, is all question. A tag question ("... true?") asks
    about the sentence before it."""
    sentences = [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]
    asking = [s for i, s in enumerate(sentences) if s.endswith("?") or QUESTION_START.match(s)
              or (i + 1 < len(sentences) and _TAG_QUESTION.match(sentences[i + 1]))]
    return " ".join(asking) if asking and len(asking) < len(sentences) else text


# (an emoji does the same: "musician 🎹 do I need to be working in tech already?"; so do words leading into it: "..., haha,
# but is it true the CSM test is open book??"; not "and", which joins a second question: "what's X, and is it better?")
_CLAUSE_QUESTION = re.compile(r"([,;:]|\s[-\u2013\u2014]+|\s" + EMOJI + r")\s+((but|so|then|ok|okay|well|now)\s+)?"
                              r"(?=(what|what's|whats|how|who|which|when|where|why|is|are|can|could|do|does|will|would|"
                              r"should|must)\b)", re.I)
# "My company is paying for my CSM ... and I'd like to know how many questions the test has": what comes before
# the words framing the question is what the user says of themselves
# (a dash before a question does the same: "I'm a teacher moving into IT - can I take the CSPO without ...?")
ASKING_FRAME = re.compile(r"([,;:]\s+|\s+and\s+|\s+so\s+)(i'?d like to know|i would like to know|i want to know|i wonder|"
                          r"i was wondering|can you tell me|could you tell me|please tell me)\b"
                          r"|\s[-\u2013\u2014]+\s+(?=(what|how|who|which|when|where|why|is|are|can|could|do|does|will|would|"
                          r"should|must|am)\b)", re.I)


def the_asking_clause(text: str) -> str:
    """The question of a message without what the user said of themselves before it, in the same sentence
    ("I'm switching careers from nursing, do I need IT experience for the CSM?": from "do I need")."""
    question = the_question(text)
    starts = [m.end() for m in _CLAUSE_QUESTION.finditer(question)]
    if starts and put_first(question[:starts[-1]], question[starts[-1]:]):
        return question
    return question[starts[-1]:] if starts else question


# a noun phrase put before the question and taken up in it by a pronoun ("the CSM exam - how many can I miss?", "renewing
# the CSM: what does it cost?"): the thing asked about, no word the user says of themselves
_FRONTED = re.compile(r"^\W*(the|my|your|our|this|that|a|an|renewing|renewal of)\s+(?!.*\b(i|i'm|im|we|me|my|is|are|was|were|am|"
                      r"have|has|had|do|does|did|will|would|can|could|should|must)\b)[^,;:?!.]{1,50}?\s*([,;:]|\s[-\u2013\u2014]+)\s*$",
                      re.I)
_REFERS_BACK = re.compile(r"\b(it|its|it's|they|them|their|one)\b|^\W*how many (can|could|may|must|do|does|should)\b", re.I)


def put_first(before: str, question: str) -> bool:
    """Whether what comes ``before`` a question (its separator included) is the thing it asks about, taken up in it by a
    pronoun: "the product owner test - how many questions does it have?" (not what the user says of themselves)."""
    return bool(_FRONTED.match(before)) and bool(_REFERS_BACK.search(question))


# what a quote of the user's question may hold: words, spaces and light punctuation (no markup, no figures: a figure
# quoted beside "I don't know" reads as one stated)
_QUOTABLE = re.compile(r"[A-Za-z][A-Za-z' ,/-]*[A-Za-z]")
_QUOTE_LEAD = re.compile(r"^\W*((and|so|ok|okay|but|also|then|well|hmm+|um+|uh+|btw)\W+)+", re.I)
QUOTE_MAX_WORDS = 14
# ... nor a question offering alternatives or asserting a limit or negation ("course first or test first", "only from paid
# courses"), a second question ("count as seus and how many"), or whether one must ("do I have to retake the course"):
# quoted beside "I don't know", those words read as stated. A statement ("I'll get a job then") is no question to quote,
# nor "where ...?", which the page to check answers (quoted, it pushes the page out of the reply's first lines)
_UNQUOTABLE = re.compile(r"\b(or|only|just|not|no|never|none|without|always|every|all|must|mandatory|required?)\b|n't\b|"
                         r"\b(have|has|need|needs) to\b|\band (how|what|which|when|where|who|why|is|are|do|does|can)\b", re.I)
_ASKS = re.compile(r"^(how|what|what's|which|when|who|who's|why|is|are|can|could|do|does|did|will|would|may)\b", re.I)


def quotable(text: str) -> str:
    """The question of a message as an honest "I don't know" may quote it ("will I see the same questions again"): its
    asking clause without lead words and end punctuation, when that is 2 to QUOTE_MAX_WORDS words of letters (no
    figures, markup or quotes); "" otherwise."""
    clause = _QUOTE_LEAD.sub("", the_asking_clause(text).replace("\u2019", "'")).strip().rstrip("?!. ")
    if _QUOTABLE.fullmatch(clause) is None or _UNQUOTABLE.search(clause) or not _ASKS.match(clause) \
            or not 2 <= len(clause.split()) <= QUOTE_MAX_WORDS:
        return ""
    return clause


# "sorry, I meant how long it stays valid, not the course": what the user says, at the end and after a comma,
# they do not ask about is no word of the question (nor a certification named there)
_NOT_ASKED = re.compile(r",\s*(and |but )?(not|rather than|instead of)\s+[\w' -]{1,40}?\W*$"
                        # ... nor the one preferred over ("signs I should pick the csm over the cspo": about the CSM)
                        r"|(?:(?<=\bcsm)|(?<=\bcspo))\s+(over|rather than|instead of|and not)\s+(the\s+)?(csm|cspo)\W*$"
                        # ... nor where the user wants the answer from ("what goes into the backlog according to the
                        # article?"): the advisor's answers come from there anyway
                        r"|,?\s+(according to|as per|per|based on|in) (the|your|this) (article|guide|reference|sources?|blog|"
                        r"blog post|text|data)\W*$"
                        # ... nor how an e-mail signs off ("... a Scrum Master? Many thanks, Carla"): a name is no word
                        # of the question
                        r"|(?<=[.?!,])\s+(many thanks|thanks( a lot| in advance)?|thank you( very much| in advance)?|"
                        r"(kind |best |warm |many )?regards|cheers|sincerely|best wishes)\W*([\w.'-]+(\s+[\w.'-]+)?)?\W*$", re.I)


# how an e-mail opens ("To whom it may concern:", "Dear team,", "Good afternoon,"): no word of the question ("whom" asks
# for no person), taken off when a question follows
_GREETING = re.compile(r"^\W*(to whom it may concern|dear (team|sirs?|madam|all|support|colleagues|[a-z]+)|"
                       r"good (morning|afternoon|evening|day)( (team|all|everyone|there|[a-z]+))?|"
                       r"(hello|hi|hey|greetings)( (team|all|everyone|there))?)\s*[,:.!\u2014-]+\s*(?=\w)", re.I)


def _without_span(turn: Turn, start: int, end: int) -> Turn:
    """The turn without its text from ``start`` to ``end``: the entities found there left out, those after it moved."""
    gone = end - start
    entities = tuple({**e, "start": int(e["start"]) - gone, "end": int(e["end"]) - gone}
                     if isinstance(e.get("start"), int) and int(e["start"]) >= end and isinstance(e.get("end"), int) else e
                     for e in turn.entities if not (isinstance(e.get("start"), int) and start <= int(e["start"]) < end))
    return replace(turn, text=turn.text[:start] + turn.text[end:], entities=entities)


def without_greeting(turn: Turn) -> Turn:
    found = _GREETING.match(turn.text)
    if found is None or len(re.findall(r"\w+", turn.text[found.end():])) < 3:
        return turn
    return _without_span(turn, 0, found.end())


def without_what_is_not_asked(turn: Turn) -> Turn:
    found = _NOT_ASKED.search(turn.text)
    if found is None or len(re.findall(r"\w+", turn.text[:found.start()])) < 3:
        return turn
    cut = found.start()
    entities = tuple(e for e in turn.entities if not (isinstance(e.get("start"), int) and int(e["start"]) >= cut))
    return replace(turn, text=turn.text[:cut] + ("?" if turn.text.rstrip().endswith("?") else ""), entities=entities)


# a tag that asks whether the statement before it holds ("the CSM test is closed book, isn't it?", "the CSPO has no exam,
# does it?"): its words (a "n't", "it") are no words of the question, which the claim frame ", right?" asks the same
_TAG = re.compile(r"(?:,\s*|\s+)(?:" + TAG_VERB + r"(?:n't|nt)|won't|can't|cannot)\s+" + TAG_SUBJECT + r"\W*$|"
                  r",\s*" + TAG_VERB + r"\s+" + TAG_SUBJECT + r"\W*$|,?\s+innit\W*$", re.I)


def with_plain_tag(turn: Turn) -> Turn:
    """A statement's question tag as ", right?" (the planner reads that claim frame); the turn as it is otherwise."""
    found = _TAG.search(turn.text)
    if found is None or len(re.findall(r"\w+", turn.text[:found.start()])) < 3:
        return turn
    return replace(turn, text=turn.text[:found.start()] + ", right?")


# a certification named, then taken back for the other one ("how long is the CSM - sorry, CSPO - course?", "the scrum
# master test, no wait, I mean the product owner test", "renewal fee for CSM (not CSPO)?"): what was taken back is no
# word of the question
_CERT = r"(?:csm|cspo|scrum ?master|product ?owner|sm|po)"
_TAKEN_BACK = re.compile(r"\b" + _CERT + r"\b[^?,.;()]{0,25}?[\s,;:.\u2013\u2014-]+(?:sorry|no wait|wait,? no|i mean|i meant|"
                         r"oops|correction|scratch that|or rather|rather)\b[\s,;:.\u2013\u2014-]*(?:,?\s*i mean\s+)?"
                         r"(?=(?:the\s+)?" + _CERT + r"\b)|\s*\((?:not|rather than) (?:the )?" + _CERT + r"\)", re.I)


def without_what_is_taken_back(turn: Turn) -> Turn:
    """The turn without a certification the user named and took back; the turn as it is otherwise."""
    found = _TAKEN_BACK.search(turn.text)
    return turn if found is None else _without_span(turn, found.start(), found.end())


def as_asked(turn: Turn) -> Turn:
    """The turn as the planner reads it: without an e-mail's greeting and sign-off, what is not asked, a certification
    taken back, and with a question tag as ", right?"."""
    return with_plain_tag(without_what_is_taken_back(without_what_is_not_asked(without_greeting(turn))))


def looks_like_a_question(text: str) -> bool:
    """A question mark at the end, or a question word first ("how many questions on it", "can I get a refund"),
    and not about the advisor itself."""
    stripped = text.strip()
    if ABOUT_THE_ADVISOR.search(stripped.lower()):  # "can you help me prep for it?" asks what the advisor does
        return False
    return stripped.endswith("?") or bool(QUESTION_START.match(stripped))


WORD = re.compile(r"[\w'-]+")


def word_count(text: str) -> int:
    """Words of a message (with apostrophes and hyphens: "don't", "a-csm")."""
    return len(WORD.findall(text))


# "and in months?", "in hours?": the figure just given, in another unit (no concept of its own: "months" is no
# question about experience)
UNIT_ONLY = re.compile(r"^\W*((and|so|ok|okay|but|what about|how about|answer|give it|say it|tell me|pls|please)\W+)*"
                       r"(in|into|as) " + UNITS + r"(\W+(only|pls|please))?\W*$", re.I)
# "and that's the minimum?" right after the pass mark: whether the figure just given is a bound (group "low": a minimum)
BOUND_ONLY = re.compile(r"^\W*((and|so|ok|okay|but)\W+)*(that'?s|that is|is that|it'?s|it is|is it|is this|this is)"
                        r"( really| just)? (the |a )?(?:(?P<low>minimum|min|lowest|least|floor|bare minimum)|maximum|max|most|"
                        r"limit|upper limit|cap|time limit|deadline)( then| right| too)?\W*$", re.I)
_LOW_BOUND = re.compile(r"\b(at least|minimum|or more|no less than)\b", re.I)
_HIGH_BOUND = re.compile(r"\b(up to|at most|maximum|within|no more than|you have \d+ (minutes|days))\b", re.I)


def bound_said(text: str, answer: str) -> Optional[bool]:
    """For "and that's the minimum?" (or the maximum): whether the answer's first sentence states its figure as that
    bound ("at least 37 correct"; "you have 60 minutes", "within 90 days"); None when the text asks no such thing."""
    m = BOUND_ONLY.match(text)
    if m is None:
        return None
    first = re.split(r"(?<=[.!?])\s", answer, maxsplit=1)[0]
    if m.group("low"):
        return bool(_LOW_BOUND.search(first))
    return bool(_HIGH_BOUND.search(first)) and not _LOW_BOUND.search(first)  # (not "at least 37 correct: up to 13 wrong")


# "just the number", "in a sentence?", "short answer pls": the fact just given, again (no question of its own)
FORMAT_ONLY = re.compile(r"^\W*((and|so|ok|okay|but|pls|please|can you|could you|give me|gimme|say it)\W+)*"
                         r"((just|only) (the )?(number|figure|digits?|amount)|the (number|figure) only|"
                         r"(in|as) (a|one) (sentence|line)|"
                         r"short(er)? (answer|version)|tl;?dr|briefly|in short|in brief|summari[sz]e( it| that)?|"
                         # ("say it shorter", "ELI5 pls", "explain like I'm five", "bullet points please", "simpler?")
                         r"shorter|simpler|more simply|eli5|explain (it |that )?like (i'?m|i am) (five|5)|"
                         r"(in |as )?bullet(ed)? (points?|list)|(in )?plain (english|words))"
                         r"(\W+(only|pls|please|thanks|thx))*\W*$", re.I)


# "how many do I need in total?": a count of what was just spoken of, the thing counted left out as "it" would be
COUNT_OF_WHAT_WAS_SAID = re.compile(r"\bhow many (do|does|did|are|is|should|must|can|will|would)\b")


# "is there an exam too?": a question adding to what was just said
_ADDING = re.compile(r"\b(too|as well|also)\W*$")


def leans_on_context(text: str) -> bool:
    """A short question, one with a pronoun, one going on from the last ("and is there a fee?", "is there an exam too?")
    or counting what it does not name ("how many do I need in total?"), that leans on what was just said ("does it
    expire?")."""
    lowered = text.lower()
    return bool(PRONOUN.search(lowered) or GOING_ON.match(lowered) or COUNT_OF_WHAT_WAS_SAID.search(lowered)
                or _ADDING.search(lowered)) or word_count(lowered) <= 4


_COMPARED = re.compile(r"\b(like|as|than|unlike|compared to|compared with|versus|vs\.?)\s+"
                       r"(for\s+|with\s+|in\s+)?(the\s+)?$", re.I)




def named_beyond_comparison(text: str, entities: Sequence[Mapping[str, Any]], named: Sequence[str]) -> bool:
    """Whether a certification is named other than as a comparison: in "does it expire like the CSM?" after
    the PSM, "it" is still the PSM."""
    if not named:
        return False
    for e in entities:
        if e.get("entity") != "certification":
            continue
        start = e.get("start")
        if not isinstance(start, int) or not _COMPARED.search(text[:start]):
            return True
    return False


def only_compared(text: str, spans: Sequence[int]) -> bool:
    """Whether every mention (its start offsets) is a comparison: "does the CSM test have 80 questions like
    the PSM?" asks about the CSM."""
    return bool(spans) and all(_COMPARED.search(text[:start]) for start in spans)


_LIKENED = re.compile(r"\b(like|unlike)\s+(for\s+|with\s+|in\s+)?(the\s+|my\s+|a\s+)?$", re.I)


def only_likened(text: str, entities: Sequence[Mapping[str, Any]], certification: str) -> bool:
    """Whether every mention of a certification is what another is likened to ("like the CSM one")."""
    lowered = text.lower()
    spans = {int(e["start"]) for e in entities if e.get("entity") == "certification"
             and e.get("value") == certification and isinstance(e.get("start"), int)}
    spans |= {m.start() for m in re.finditer(rf"(?<![\w-]){re.escape(certification.lower())}(?![\w-])", lowered)}
    return bool(spans) and all(_LIKENED.search(lowered[:start]) for start in spans)
