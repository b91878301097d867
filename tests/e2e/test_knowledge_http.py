"""Knowledge questions over the REST channel of a real Rasa server with the real action server."""
from __future__ import annotations

import pytest

from tests.support.stack import Stack, buttons, texts

# (question as a user might type it, words the answer must contain)
QUESTIONS = [
    ("what is the cspo certification?", ["CSPO", "Product Owner", "Source"]),
    ("wat does a scrum master actualy do", ["Scrum Master", "impediment"]),
    ("why is the CSM worth getting", ["CSM", "salary"]),
    ("who should take the product owner certification?", ["CSPO", "business analyst"]),
    ("which skills does a product owner need", ["CSPO", "prioritisation"]),
    ("how are csm and cspo different", ["Focus", "Primary role", "Key skills", "Main goal", "Target audience"]),
    ("is there an exam for csm and how many questions", ["50", "60 minutes"]),  # the one fact asked for
    ("how much does the cspo cost?", ["CSPO", "USD"]),
    ("how do I renew my certification", ["20 Scrum Education Units", "100 USD"]),
    ("where can i find a guide or study material", ["https://udemywork.com/csm-vs-cspo"]),
    ("where can I learn more?", ["https://udemywork.com/csm-vs-cspo", "scrumalliance.org"]),
    ("what should I do after getting certified", ["SEU", "conferences"]),
]


@pytest.mark.parametrize("question,expected", QUESTIONS)
def test_each_kind_of_question(stack: Stack, sender: str, question: str, expected: list) -> None:
    reply = stack.say(sender, question)
    text = texts(reply)
    for word in expected:
        assert word.lower() in text.lower(), f"{question!r} -> missing {word!r} in:\n{text}"
    assert buttons(reply), "every answer suggests what to ask next"


def test_no_certification_named_gives_both(stack: Stack, sender: str) -> None:
    text = texts(stack.say(sender, "what are the benefits of getting certified?"))
    assert "CSM (Certified ScrumMaster)" in text and "CSPO (Certified Scrum Product Owner)" in text


def test_follow_up_keeps_the_certification(stack: Stack, sender: str) -> None:
    first = texts(stack.say(sender, "tell me about the CSPO"))
    assert "CSPO" in first
    follow = texts(stack.say(sender, "what are its benefits?"))
    assert "CSPO (Certified Scrum Product Owner)" in follow and "CSM (Certified ScrumMaster)" not in follow
    assert "better product management" in follow  # the CSPO benefits, not the overview


def test_and_the_scrum_master_keeps_the_topic(stack: Stack, sender: str) -> None:
    first = texts(stack.say(sender, "what does a product owner do?"))
    assert "Product Backlog" in first
    follow = texts(stack.say(sender, "and the scrum master?"))
    assert "CSM (Certified ScrumMaster)" in follow and "CSPO (Certified Scrum Product Owner)" not in follow
    assert "Scrum events" in follow  # responsibilities again, now for the Scrum Master


def test_buttons_work_as_follow_ups(stack: Stack, sender: str) -> None:
    reply = stack.say(sender, "what is CSM?")
    payloads = [b["payload"] for b in buttons(reply)]
    assert "/ask_benefits" in payloads
    text = texts(stack.say(sender, "/ask_benefits"))
    assert "CSM (Certified ScrumMaster)" in text and "CSPO (Certified" not in text


# Precise questions get the one fact first (short), with its source and a "More: …" button.
FACT_QUESTIONS = [
    ("is the CSM test open book?", "open book", "/ask_requirements"),
    ("can I do the cspo without the csm first?", "neither needs the other first", "/ask_requirements"),
    ("how much does renewal cost?", "100 USD", "/ask_cost"),
    ("what comes after the CSM?", "A-CSM", "/ask_continuous_learning"),
    # a greeting with a question besides, which the NLU takes for the greeting: the question is answered
    ("hi there! hope you're well :) quick one - how lnog is the scrum mastr course?", "16 hours", "/ask_requirements"),
]


@pytest.mark.parametrize("question,words,more", FACT_QUESTIONS)
def test_fact_first(stack: Stack, sender: str, question: str, words: str, more: str) -> None:
    reply = stack.say(sender, question)
    text = texts(reply)
    assert words.lower() in text.lower().split("source:")[0], text
    assert len(text.split("Source:")[0]) < 350 and "Source:" in text  # one or two sentences, then the source
    assert more in [b["payload"] for b in buttons(reply)]


def test_neighbouring_certifications_are_named(stack: Stack, sender: str) -> None:
    text = texts(stack.say(sender, "what's the difference between CSM and PSM?"))
    assert "PSM I" in text and "Scrum.org" in text and "I cover the CSM and the CSPO" in text
    assert "Primary role" not in text  # not the CSM-vs-CSPO table
    text = texts(stack.say(sender, "is SAFe POPM better than CSPO?"))
    assert "SAFe POPM" in text and "CSPO" in text


def test_after_a_recommendation(stack: Stack, sender: str) -> None:
    for line in ("help me choose", "I'm a scrum master", "making the team work smoothly", "no"):
        reply = texts(stack.say(sender, line))
    assert "My recommendation for you" in reply and "CSM" in reply
    assert "because" in texts(stack.say(sender, "why?"))
    assert "because" in texts(stack.say(sender, "are you sure?"))
    assert "CSPO would be the better pick" in texts(stack.say(sender, "what about the other one?"))
    cost = texts(stack.say(sender, "how much will it cost me?"))
    assert "CSM" in cost and "CSPO" not in cost
    signup = texts(stack.say(sender, "how do I sign up?"))
    assert "CSM" in signup or "scrum-master-track" in signup


def test_the_same_fact_for_the_other_certification(stack: Stack, sender: str) -> None:
    """Issue 20: "and for the CSPO?" after a one-fact answer gets that fact for the CSPO."""
    first = texts(stack.say(sender, "how many minutes do I get for the csm exam?"))
    assert first.startswith("The CSM test has 50 multiple-choice questions")
    follow = texts(stack.say(sender, "and for the cspo?"))
    assert follow.startswith("The CSPO has no test"), follow
    follow = texts(stack.say(sender, "what about the psm?"))
    assert follow.startswith("The PSM I assessment (Scrum.org, not Scrum Alliance) has 80 questions"), follow


def test_an_unknown_is_said_plainly_with_where_to_look(stack: Stack, sender: str) -> None:
    text = texts(stack.say(sender, "what's the pass rate of the csm exam?"))
    assert text.startswith("The CSM pass rate isn't published"), text
    assert "support.scrumalliance.org" in text
    text = texts(stack.say(sender, "how much does the a-csm course cost?"))
    assert text.startswith("I don't know the price for the A-CSM: it isn't in my sources"), text  # what was asked, named


def test_every_knowledge_answer_carries_its_trace_in_the_tracker(stack: Stack, sender: str) -> None:
    """Why this answer: the planner's trace is stored with the bot event (never sent to the user)."""
    reply = stack.say(sender, "is the cspo course live?")
    assert all("answer_trace" not in m for m in reply)
    bots = [e for e in stack.tracker(sender)["events"] if e.get("event") == "bot"]
    trace = (bots[-1].get("metadata") or {}).get("answer_trace")
    assert trace and trace["decision"] == "fact" and trace["fact"] == "course_live", bots[-1]
    assert trace["candidates"] and {"id", "score"} <= set(trace["candidates"][0])


def test_small_talk_right_after_a_fact_is_a_follow_up_of_it(stack: Stack, sender: str) -> None:
    """The NLU takes these for small talk (ask_why, deny); right after a fact they are questions about it."""
    assert "74%" in texts(stack.say(sender, "whats the csm pass mark"))
    assert "50 multiple-choice questions" in texts(stack.say(sender, "how many questions is that?"))
    assert "open book" in texts(stack.say(sender, "open book or not?"))
    # and small talk stays small talk
    assert "CSM" in texts(stack.say(sender, "what can you do?"))
    reply = texts(stack.say(sender, "no"))
    assert "50 multiple-choice" not in reply and "open book" not in reply
