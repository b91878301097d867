""""Yes."/"No." before a fact that makes what a yes/no question asserts true or false (actions/assertions.py, facts.yml
`assertions`), and its use by the planner."""
from __future__ import annotations

import re
from typing import Optional

import pytest

from actions.assertions import Assertions, assertions_from, plain_yes_no
from actions.compose import get_planner
from actions.decision import Context, Turn
from actions.knowledge_base import KnowledgeError
from actions.planner import Planner

OPEN_BOOK = Assertions(true=(re.compile(r"open[- ]?book"), re.compile(r"not proctored")),
                       false=(re.compile(r"(?<!not )proctor"), re.compile(r"closed[- ]?book")))


@pytest.mark.parametrize("question, yes_no, expected", [
    ("is the csm exam open book?", True, "yes"),
    ("csm exam proctored??", False, "no"),  # no verb, but a yes/no question all the same
    ("true or false: the csm test is closed-book and proctored", True, "no"),  # (the lexicon's yes/no: a claim frame)
    # the negation is the pattern's own; a denial put with a tag that the fact makes true: "Correct." ("Yes." would
    # read as "yes, it is")
    ("the csm test is not proctored, right?", False, "correct"),
    ("the csm test is not proctored?", False, "yes"),  # (no tag: a yes/no question whether it is not)
    ("the csm exam: open book, yes or no", True, "yes"),  # "yes or no" frames the claim, offers no alternatives
    ("is it open book and proctored?", True, "no"),  # one false part makes the claim false
    ("isn't the csm test proctored?", True, "no"),  # a negative question: what the positive one asks (set 51)
    ("is the csm test never proctored?", True, None),  # a negation of the user's: the fact speaks for itself
    ("is it open book or closed book?", True, None),  # alternatives offered
    # alternatives each false, nothing true: neither ("do I need a webcam or a proctor?" got no "No.", set 43)
    ("is it closed book or proctored?", True, "no"),
    ("is it proctored or open book?", True, None),  # one of them true: the fact speaks for itself
    ("isn't it closed book or proctored?", True, None),  # the user's own negation
    ("is the exam more proctored than the cspo's?", True, None),  # compared
    ("how is the csm test proctored?", False, None),  # asks how, not whether
    ("the csm exam is open book", False, None),  # no question, no claim put to check
    ("the csm exam, open book", False, None),
    ("is the csm exam hard?", True, None),  # nothing it asserts is known true or false
    ("I did the course last week, is the exam open book", False, "yes"),  # a yes/no question after what the user says
    ("is the test open book and can I take it twice?", True, None),  # two questions: one "yes" would answer both
    ("and is it proctored?", False, "no"),  # words that only lead into the question (a follow-up's "and")
    ("so like is it open book", False, "yes"),
    ("if I miss the course can the exam be proctored", False, "no"),  # a yes/no question after a condition
    ("if I fail how is the exam proctored", False, None),  # a question word between: not yes or no
    ("and the test?", False, None),  # "what about the test?", after another answer: no yes/no question
    ("and open book?", False, "yes"),  # (without "the": whether it is so too)
    ("and a closed book?", False, "no"),  # ("a": whether it is so too, as "and webinars?" after the SEU list asks)
    ("so can you tell me how the exam is proctored", False, None),
    ("can you tell me if it is proctored", False, None),  # (the lexicon's reading decides; here: none)
    # whether two things are one: what a fact asserts of one of them is no "yes" (the trainer's fact said "Yes." to
    # "is a CST the same as a scrum master?")
    ("is an open book test the same thing as a test that isn't proctored?", True, None),
    ("is open book the same as a proctored exam?", True, None),
    # words that only frame the question are no words of it (set 50: their "not" left "No." out)
    ("not sure if you can help but is the exam proctored?", True, "no"),
    ("I was wondering whether the csm test is open book", True, "yes"),
    ("do you happen to know if the exam is proctored", True, "no"),
    ("my manager wonders whether the test is open book", True, "yes"),
    ("I'm not sure the exam is proctored, is it?", True, None),  # (a "not" of the user's own)
    ("did the course last week :( is the exam proctored", False, "no"),  # (after an emoticon, as after a comma)
    # tag questions (set 51): the tag asserts nothing; a denial put with it is "correct" or "not_so"
    ("the csm test is closed book, isn't it?", False, "no"),
    ("the csm exam is proctored, isnt it", True, "no"),
    ("the csm test is open book, right?", False, "yes"),
    ("the csm test isn't proctored, is it?", False, "correct"),  # (the user's "n't": what it denies is false)
    ("there's no proctor for the csm test, is there?", False, "correct"),
    ("the csm test isn't open book, is it?", False, "not_so"),  # (what it denies is true)
    ("you can't take it open book, can you?", False, "not_so"),
    ("isn't the csm exam closed book?", False, "no"),  # a negative question asks what the positive one asks
    ("can't I take it open book?", False, "yes"),
    ("I'm not sure the exam is proctored, is it?", True, None),  # (a "not" of the user's own, no denial)
    ("the test is open book, not just proctored, right?", False, None),  # ("not just": no denial of a statement)
    ("the test isn't proctored and isn't closed book, is it?", False, None),  # (two negations: none is the denial)
    ("isn't it?", False, None),  # (a tag alone asserts nothing)
])
def test_verdict(question: str, yes_no: bool, expected: Optional[str]) -> None:
    assert OPEN_BOOK.verdict(question, yes_no) == expected


def test_a_yes_vouches_only_for_words_the_fact_says() -> None:
    # the words left once the patterns' own are taken out go to ``unstated`` (the planner: the fact's answer)
    seen = []
    assert OPEN_BOOK.verdict("is it open book from home?", True, lambda rest: seen.append(rest.split()) or True) is None
    assert seen == [["is", "it", "from", "home?"]]
    assert OPEN_BOOK.verdict("is it proctored from home?", True, lambda rest: True) == "no"  # a false part is enough


def test_assertions_from_checks_the_data() -> None:
    def fail(where: str, problem: str) -> Exception:
        return KnowledgeError("facts.yml", where, problem)

    assert assertions_from(None, "x", fail) is None
    parsed = assertions_from({"yes": ["open book"], "no": ["proctor"]}, "x", fail)
    assert parsed is not None and parsed.verdict("proctored?", True) == "no"
    for bad in ({}, {"maybe": ["x"]}, {"yes": "open book"}, {"yes": [""]}, {"no": ["(unclosed"]}, ["open book"]):
        with pytest.raises(KnowledgeError):
            assertions_from(bad, "facts.x.assertions", fail)


@pytest.fixture(scope="module")
def planner() -> Planner:
    return get_planner()


# the frames that only lead into a yes/no question: assertions._EMBEDDING blanks them, the lexicon's `asks: yesno` reads
# them as asking yes or no; the two lists must agree (each frame below is one alternative of _EMBEDDING's)
@pytest.mark.parametrize("frame", [
    "I was wondering whether", "we were just wondering if", "I'm wondering whether", "im just wondering if",
    "just wondering if", "I wonder if", "wondering whether", "do you know if", "does anyone happen to know whether",
    "any idea if", "any clue whether", "can you tell me if", "could you please let me know whether", "tell me if",
    "my manager wonders whether", "my boss is wondering if", "my colleague wants to know if",
    "my partner would like to know whether", "my trainer asked me to find out if", "I need to know if",
    "we want to check whether", "I have to find out if", "I would like to know whether", "I'd like to know if",
    "hey, not sure if you can help but", "sorry to bother you, but", "this may be a silly question but",
])
def test_a_yes_no_questions_frame_is_blanked_and_asks_yes_no(planner: Planner, frame: str) -> None:
    question = "does the cspo have a test?" if frame.endswith("but") else "the cspo has a test?"
    text = f"{frame} {question}"
    lexicon = planner.index.lexicon
    assert lexicon is not None and "yesno" in lexicon.asks_of(text)
    blanked = plain_yes_no(text, True)
    assert blanked is not None and blanked.strip() == question.lower()


# the facts' own assertions (knowledge/facts.yml), through the planner: the first word of the reply
@pytest.mark.parametrize("question, expected", [
    ("is the csm exam open book", "Yes."),
    ("csm exam proctored??", "No."),
    ("do I have to go to a test center for the scrum master exam", "No."),
    ("is there a test for the cspo", "No."),
    ("true or false: cspo requires passing an online test", "No."),
    ("does the cspo expire", "Yes."),
    ("true or false: csm is a lifetime cert", "No."),
    ("do I need to renew the cspo every year", "No."),
    ("my csm expired last year, can I still go for a-csm", "Yes."),
    ("true or false: the A-CSM needs an active CSM", "No."),
    ("can I use my cspo to qualify for a-csm", "No."),
    ("does psm 1 expire", "No."),
    ("is the daily scrum mandatory for the product owner", "No."),
    ("does the csm course fee include the exam", "Yes."),
    ("the csm course fee, do I still pay extra for the test?", "No."),
    ("is the cspo course price fixed by scrum alliance?", "No."),
    ("is the scrum master the team's boss", "No."),
    ("true or false: a-csm needs 2 years of experience", "No."),
    ("do someone watch me when I do the csm test online?", "No."),
    ("can I look at my notes during the csm test?", "Yes."),
    ("if i fail the csm exam can i try again for free", "Yes."),
    ("do I get the scrum alliance membership with the course", "Yes."),
    ("can I take a csm advanced with my cspo", "No."),
    ("does the cspo trainer need some special certification", "Yes."),
    ("is psm 1 lifetime?", "Yes."),  # (its "1" is the name's, no word a "yes" must vouch for)
    ("third attempt is free too, right?", "No."),
    ("can I do the cspo in half a day?", "No."),
    ("as a complete beginner, can I take the CSM?", "Yes."),  # ("complete", "ever", "allowed": no claim of their own)
    ("will the cspo ever expire?", "Yes."),
    ("I want to do the A-CSM course first and get the experience after. allowed?", "Yes."),  # (a tag question)
    ('A colleague wrote "A-CSM requires 2 years as SM". Is that right?', "No."),
    ("I have the CSPO, can I do the A-CSM?", "No."),
    ("do webinars count toward csm renewal", "Yes."),  # ("toward": a word of no claim; it blocked the "yes")
    ("is the scrum master exam essay based", "No."),  # (the test's question format: lexicon question_format)
    ("do I need a webcam or a proctor for the csm test?", "No."),  # neither (set 43)
    ("Fact-check: 'the CSM exam is closed-book'. True?", "No."),  # ("closed-book": the open-book concept; it got the path)
    ("Will someone watch me take the CSM exam?", "No."),
    # set 49: words the data lacked ("tested", "a fortnight", "eight weeks", "a quarter", "from the day I pay",
    # "straight after the course", "voice of the customer")
    ("> is the CSPO tested?", "No."),
    ("is the CSM tested?", "Yes."),
    ("is the free-attempt window for the CSM a fortnight?", "No."),
    ("CSM free attempts expire after eight weeks, yeah?", "No."),
    ("does the 90 days for the CSM attempts start from the day I pay?", "No."),
    ("CSPO: do I get it straight after the course?", "Yes."),
    ("do I get the CSM straight after the course?", "No."),
    ("PO = voice of the customer?", "Yes."),
    # someone watching through the camera is proctoring, not a device's requirement (unknowns.yml test_devices)
    ("Will someone watch me through my camera during the scrum master exam?", "No."),
    ("will somebody watch me on webcam during the csm test", "No."),
    # set 50
    ("I was wondering whether the CSPO has a test", "No."),
    ("not sure if you can help but is there an exam at the end of the product owner course?", "No."),
    ("my manager wonders whether the course fee includes some kind of membership", "Yes."),
    ("do I have to pay to renew my scrum master cert?", "Yes."),
    ("is there a fee to renew the CSPO?", "Yes."),
    ("is there no fee at all to renew the CSPO, is it free?", "No."),
    ("is the CSM from scrum.org?", "No."),
    ("is the CSM a PMI certification?", "No."),
    ("does the experience for A-CSM have to come after the course?", "No."),  # (it may come before or after)
    ("is the CSPO a Scrum Alliance certification?", "Yes."),
    ("is the A-CSM required for the CSP-SM?", "Yes."),
    ("is the A-CSM required for the CSP-PO?", "No."),
    ("can the product owner experience for the A-CSPO be gained after I take the course?", "Yes."),
    ("failed the csm test first time :( can i try again without paying", "Yes."),
    ("hey does cspo have exam", "No."),
    ("real-estate agent here, I hold the CSPO. does it expire at some point?", "Yes."),
    ("unlike the CSM, the CSPO has no test at all, right?", "Correct."),  # (it got "No.": the pattern read over "no")
    ("isn't there a test for the cspo?", "No."),  # a negative question asks what the positive one asks
    ("the CSPO has no exam, does it?", "Correct."),  # a denial put with a tag, true by the fact (set 51: "Yes.")
    ("unlike the CSM, the CSPO has a test too, right?", "No."),
    # set 53: obligation words say whether the fact's thing is required, no word of their own
    ("is it required that a certified scrum trainer teaches the CSPO course?", "Yes."),
    ("is accepting a licence agreement mandatory for the CSPO?", "Yes."),
    ("the CSM course fee - does it already include the test?", "Yes."),
    ("Is it true the A-CSM requires a CSM?", "Yes."),
    ("is there an official page about renewing certifications?", "Yes."),
    ("is there an official support article about the CSM test I can read?", "Yes."),
    ("the CSM vs CSPO guide, is it free?", "Yes."),
    ("hate exams 😩 is the CSPO one without a test?", "Yes."),  # the clause that asks, not the user's "exams"
    ("is the renewal fee per year?", "No."),  # every two years
    ("is the CSM renewal fee annual?", "No."),
    ("do I get a second free go if I fail the CSM test?", "Yes."),
    ("must I pay separately for the CSM test after the course?", "No."),
    ("we're sending our senior SM to the A-CSM, is the class a one-day thing?", "No."),
])
def test_first_word(planner: Planner, question: str, expected: str) -> None:
    decision = planner.plan(Turn(question, "ask_requirements", 0.9, ()), Context())
    assert decision.fact is not None and decision.polarity == expected.rstrip(".").lower(), (question, decision)


@pytest.mark.parametrize("question", [
    "is 80% enough to pass the csm?",  # a score against the minimum: the threshold's, not an assertion's
    "is the a-csm course shorter than 16 hours?",  # compared
    "is the csm test 50 or 60 questions?",  # alternatives
    "and the cspo is as long as the csm, 16 hours?",  # compared
    "is the PO the voice of the team?",  # ("team": a word the fact does not vouch for)
    "can I retake the CSM a third time without paying?",  # (two free attempts, not three)
    "official cspo page?",  # asks for the page, not whether there is one
    "link to the csm vs cspo guide from that article?",
    "where on the scrum alliance site can I read about the certified scrummaster?",  # a question word asks first
    "do employers require the CSM?",  # ("require" is the employers' word here, which the fact does not vouch for)
])
def test_no_first_word_from_assertions(planner: Planner, question: str) -> None:
    decision = planner.plan(Turn(question, "ask_requirements", 0.9, ()), Context())
    if decision.fact is not None and decision.fact.assertions is not None:
        assert decision.fact.assertions.verdict(question, True) is None, question


def test_and_the_noun_is_no_yes_no_question(planner: Planner) -> None:
    # "csm or cspo for a BA? | ok and how long is that course? >> and the test?" got "Yes." before how the CSM is earned:
    # "and the test?" asks what holds of the test, not whether there is one
    path = planner.index.book.facts["csm_path"]
    assert path.assertions is not None
    assert path.assertions.verdict("and the test?", False) is None
    assert path.assertions.verdict("is there a test?", True) == "yes"


def test_no_yes_to_renewing_still(planner: Planner) -> None:
    # "mine expired in march >> can i still renew it?" got "Yes." before the two-year validity: whether an expired
    # certification can still be renewed is not in the reference
    validity = planner.index.book.facts["validity"]
    assert validity.assertions is not None
    assert validity.assertions.verdict("can i still renew it?", True) is None
    assert validity.assertions.verdict("does the csm need renewing?", True) == "yes"


@pytest.mark.parametrize("question, expected", [
    ("is SAFe POPM a Scrum Alliance certification?", "No. SAFe POPM is issued by Scaled Agile."),
    ("Is PSM I from Scrum.org?", "Yes. PSM I is issued by Scrum.org."),
    ("is the pspo a scrum.org cert?", "Yes. PSPO I is issued by Scrum.org."),
    ("is the PMP a scrum alliance cert?", "No. PMP is issued by PMI"),
    ("is psm from scrum.org or scrum alliance?", "PSM I is issued by Scrum.org."),  # alternatives: no yes or no
    ("isn't the pspo a scrum alliance cert?", "No. PSPO I is issued by Scrum.org."),  # (asks what the positive asks)
    ("is the pspo never a scrum alliance cert?", "PSPO I is issued by Scrum.org."),  # the user's negation
    # what a neighbour's description makes true or false (neighbours.yml `assertions`)
    ("is pmp a scrum certification", "No. **PMP"),
    ("is psm the same as csm", "No. **PSM I"),
    ("is popm the same as cspo", "No. **SAFe POPM"),
    ("popm is scrum alliance?", "No. **SAFe POPM"),
    ("is pmp an alternative to the csm?", "No. **PMP"),
    ("is pmp useful for scrum masters?", "**PMP"),  # nothing its description settles
    ("is psm harder than csm?", "**PSM I"),  # compared
    ("PSPO I is Scrum Alliance's, right?", "No. **PSPO I"),
])
def test_a_neighbours_issuer_named_in_a_yes_no_question(planner: Planner, question: str, expected: str) -> None:
    from actions.compose import planned_reply
    from actions.render import Renderer

    decision = planner.plan(Turn(question, "ask_other_certification", 0.9, ()), Context())
    assert planned_reply(Renderer("rest"), decision)[0].text.startswith(expected), question


def test_a_true_word_inside_a_false_assertion_is_that_ones() -> None:
    """"Can I get the CSM just by attending the course, w/o a test?": "without a test" (false for the CSM) holds "test"
    (true: there is one); the false one is what the question asserts, and its "without" is its own, no negation of the
    user's (before, once "w/o" was read as "without", the "No." was lost)."""
    path = Assertions(true=(re.compile(r"\btests?\b"),),
                      false=(re.compile(r"\b(only|just)\b[^?]{0,30}\b(course|attend\w*)"), re.compile(r"without (a |an )?test")))
    assert path.verdict("can I get the csm just by attending the course, without a test?", True) == "no"
    assert path.verdict("can I get the csm without a test?", True) == "no"
    assert path.verdict("is there a test for the csm?", True) == "yes"
    # a false one overlapping a true one only in part is still that one's negation ("doesn't have to be at the daily")
    optional = Assertions(true=(re.compile(r"(doesn't|does not) have to"),), false=(re.compile(r"have to[^?]{0,40}daily"),))
    assert optional.verdict("the po doesn't have to be at the daily scrum, right?", True) == "correct"  # (a tag: "Correct.")
    assert optional.verdict("doesn't the po have to be at the daily scrum?", True) == "no"


@pytest.mark.parametrize("question", ["can I take the csm test on my phone?", "do I need a webcam for the csm test?",
                                      "which browser works for the CSM test?"])
def test_a_device_for_the_test_stays_a_known_unknown(planner: Planner, question: str) -> None:
    decision = planner.plan(Turn(question, "ask_requirements", 0.9, ()), Context())
    assert decision.unknown is not None and decision.unknown.id == "test_devices", decision.trace()
