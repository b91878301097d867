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
    ("is there an exam for csm and how many questions", ["50", "74%", "16 hours"]),
    ("how much does the cspo cost?", ["CSPO", "USD"]),
    ("how do I renew my certification", ["20 Scrum Education Units", "100 USD"]),
    ("where can i find a guide or study material", ["https://udemywork.com/csm-vs-cspo", "scrumalliance.org"]),
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
