"""The workbench's "why this answer" and "Answers marked wrong": traces of any shape, votes with their answers and
comments, counts per fact or topic, and editing knowledge/facts.yml on the annotations branch."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from workbench import facts_edit, feedback, gitbranch
from workbench.conversations import summarize, transcript
from workbench.nlu_data import AnnotationError
from workbench.render import render
from workbench.trace import TraceView, trace_view

ROOT = Path(__file__).resolve().parents[2]
TRACE = {"decision": "fact", "rule": "best fact above the bar", "fact": "csm_price", "topic": None,
         "certifications": ["CSM"], "candidates": [{"id": "csm_price", "score": 0.42}, {"id": "csm_attempts", "score": 0.4}],
         "asks": "price"}


# --- traces ----------------------------------------------------------------------------------------
def test_a_trace_as_the_planner_writes_it() -> None:
    t = trace_view(TRACE)
    assert t is not None
    assert (t.decision, t.rule, t.fact, t.topic, t.certifications, t.asks) == (
        "fact", "best fact above the bar", "csm_price", "", ("CSM",), "price")
    assert [(c.id, c.score) for c in t.candidates] == [("csm_price", 0.42), ("csm_attempts", 0.4)]
    assert t.other == () and t.about == "fact:csm_price"


def test_the_planners_other_keys_are_listed_when_they_say_something() -> None:
    t = trace_view({**TRACE, "decision": "not_known", "neighbours": ["psm", "pspo"], "unknown": "pass_rate",
                    "nearest": None, "role": None, "polarity": "", "extra": {"a": 1}})
    assert t is not None and t.other == (("neighbours", "psm, pspo"), ("unknown", "pass_rate"), ("extra", "{'a': 1}"))


@pytest.mark.parametrize("raw", [
    "a string", 42, ["a", "list"], {}, {"decision": {"nested": [1, 2]}}, {"candidates": "not a list"},
    {"candidates": [None, 3, {"score": 1}, {"id": "x", "score": "NaN"}, {"id": "y", "score": "0.5"}, ["z", 0.1]]},
    {"certifications": "CSM", "weird key": "<script>alert(1)</script>", 7: None},
    {"candidates": [{"id": str(i), "score": i} for i in range(100)], "rule": "r" * 10_000},
])
def test_a_trace_of_any_shape_is_shown_without_failing(raw: Any) -> None:
    t = trace_view(raw)
    assert isinstance(t, TraceView)
    assert len(t.candidates) <= 10 and len(t.rule) <= 120 and len(t.other) <= 10
    assert all(isinstance(c.id, str) and (c.score is None or isinstance(c.score, float)) for c in t.candidates)
    html = render("_trace.html").strip() + render_why(t)
    assert "<script>" not in html


def test_odd_candidates_keep_what_can_be_read() -> None:
    t = trace_view({"candidates": [None, {"score": 1}, {"id": "x", "score": "NaN"}, {"id": "y", "score": "0.5"}, ["z", 0.1]]})
    assert t is not None and [(c.id, c.score) for c in t.candidates] == [("x", None), ("y", 0.5), ("z", 0.1)]
    assert trace_view(None) is None


def render_why(t: TraceView) -> str:
    from workbench.render import _env

    return _env.from_string('{% from "_trace.html" import why %}{{ why(t) }}').render(t=t)


def test_the_transcript_shows_why_this_answer_escaped() -> None:
    events = [user(1, "how much is the csm?"),
              bot(2, "The CSM course costs…", "fact:csm_price", {**TRACE, "rule": "<b>bold</b> & \u202e"})]
    conv = summarize("rest:x", events)
    turns = transcript(conv)
    assert turns[1].trace is not None and turns[1].trace.fact == "csm_price"
    html = render("conversation.html", c=conv, turns=turns, page="", story="", story_file="f")
    assert '<details class="why"><summary>why this answer</summary>' in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; \\u202e" in html and "<b>bold</b>" not in html
    assert "csm_attempts" in html and "0.400" in html


# --- votes -----------------------------------------------------------------------------------------
def user(ts: float, text: str, intent: str = "ask_cost") -> Dict[str, Any]:
    return {"event": "user", "timestamp": ts, "text": text,
            "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": []}}


def bot(ts: float, text: str, ref: str | None = None, trace: Any = None) -> Dict[str, Any]:
    metadata = {k: v for k, v in (("answer_ref", ref), ("answer_trace", trace)) if v is not None}
    return {"event": "bot", "timestamp": ts, "text": text, "data": {}, "metadata": metadata}


def slot(ts: float, value: Any) -> Dict[str, Any]:
    return {"event": "slot", "timestamp": ts, "name": "answer_feedback", "value": value}


def down(ref: str, question: str, answer_event: float, **extra: Any) -> Dict[str, Any]:
    return {"vote": "down", "ref": ref, "question": question, "answer_event": answer_event, **extra}


def conversation(cid: str, base: float) -> List[Dict[str, Any]]:
    return [
        user(base + 1, "how much is a retake?"), bot(base + 2, "The CSM course costs…", "fact:csm_price", TRACE),
        user(base + 3, "/feedback_wrong", "feedback_wrong"),
        slot(base + 3, down("fact:csm_price", "how much is a retake?", base + 2)),
        user(base + 4, "the price of a second attempt", "nlu_fallback"),
        slot(base + 4, down("fact:csm_price", "how much is a retake?", base + 2, comment="the price of a second attempt")),
        {"event": "session_started", "timestamp": base + 5},  # the new session carries the last value over
        slot(base + 5, down("fact:csm_price", "how much is a retake?", base + 2, comment="the price of a second attempt")),
        user(base + 6, "is it open book?", "ask_requirements"), bot(base + 7, "Yes…", "fact:csm_open_book"),
        user(base + 8, "👍", "feedback_helpful"),
        slot(base + 8, {"vote": "up", "ref": "fact:csm_open_book", "question": "is it open book?", "answer_event": base + 7}),
        user(base + 9, "that's wrong", "feedback_wrong"), slot(base + 9, down(None, None, None)),  # after no answer
        slot(base + 10, "not a vote"), slot(base + 10, {"vote": "sideways"}),
    ]


def test_votes_with_their_answer_trace_and_comment_counted_once() -> None:
    votes = feedback.votes_of(summarize("rest:a", conversation("rest:a", 100)))
    assert [(v.vote, v.ref) for v in votes] == [("down", "fact:csm_price"), ("up", "fact:csm_open_book"), ("down", "")]
    wrong = votes[0]
    assert wrong.question == "how much is a retake?" and wrong.answer == "The CSM course costs…"
    assert wrong.comments == ["the price of a second attempt"]
    assert wrong.trace is not None and wrong.trace.fact == "csm_price" and wrong.fact_id == "csm_price"
    assert votes[1].trace is None and votes[2].answer == "" and votes[2].question == ""


def test_marked_wrong_newest_first_and_the_tally() -> None:
    convs = [summarize("rest:a", conversation("rest:a", 100)), summarize("web:b", conversation("web:b", 500))]
    votes = feedback.all_votes(convs)
    wrong = feedback.marked_wrong(votes)
    assert [(v.conversation_id, v.ref) for v in wrong] == [
        ("web:b", ""), ("web:b", "fact:csm_price"), ("rest:a", ""), ("rest:a", "fact:csm_price")]
    assert feedback.tally(votes) == [feedback.Tally("", 0, 2), feedback.Tally("fact:csm_price", 0, 2),
                                     feedback.Tally("fact:csm_open_book", 2, 0)]


def test_the_suggested_fact_is_the_best_other_candidate() -> None:
    vote = feedback.votes_of(summarize("rest:a", conversation("rest:a", 100)))[0]
    assert feedback.suggested_fact(vote, ["csm_price", "csm_attempts"]) == "csm_attempts"
    assert feedback.suggested_fact(vote, ["csm_price"]) == "csm_price"
    assert feedback.suggested_fact(vote, ["other"]) == "other"


def test_the_page_renders_votes_escaped() -> None:
    events = conversation("rest:a", 100)
    events[0]["text"] = "<img src=x onerror=alert(1)>"
    events[3]["value"]["question"] = "<img src=x onerror=alert(1)>"
    votes = feedback.all_votes([summarize("rest:a", events)])
    choices = facts_edit.Choices(("csm_price", "csm_attempts"), ("CSM", "CSPO"), ("cost",), ("csm_official",))
    html = render("feedback.html", wrong=feedback.marked_wrong(votes), ups=1, tally=feedback.tally(votes), editable=True,
                  choices=choices, suggest=lambda v: feedback.suggested_fact(v, choices.facts), page="/feedback", csrf="c")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'action="/feedback/question"' in html and 'action="/feedback/fact"' in html
    assert "<option selected>csm_attempts</option>" in html
    assert "Looking for:</b> the price of a second attempt" in html


# --- knowledge/facts.yml ---------------------------------------------------------------------------
FACTS = ROOT / "knowledge" / "facts.yml"


def test_a_question_goes_at_the_end_of_the_facts_questions() -> None:
    text = FACTS.read_text()
    new = facts_edit.add_question(text, "csm_price", 'what does a "retake" cost?')
    data, old = yaml.safe_load(new), yaml.safe_load(text)
    by_id = {f["id"]: f for f in data["facts"]}
    old_by_id = {f["id"]: f for f in old["facts"]}
    assert by_id["csm_price"]["questions"] == old_by_id["csm_price"]["questions"] + ['what does a "retake" cost?']
    assert {k: v for k, v in by_id.items() if k != "csm_price"} == {k: v for k, v in old_by_id.items() if k != "csm_price"}
    assert len(new.splitlines()) == len(text.splitlines()) + 1  # one line, comments and layout kept
    assert {k: v for k, v in data.items() if k != "facts"} == {k: v for k, v in old.items() if k != "facts"}
    with pytest.raises(AnnotationError, match="no fact 'nope'"):
        facts_edit.add_question(text, "nope", "q")


def test_a_question_in_a_small_file_of_another_layout() -> None:
    text = "facts:\n- id: a\n  questions:\n  - one\n  # a comment\n  - two\n  source: s\n- id: b\n  questions: [x]\nother: 1\n"
    assert yaml.safe_load(facts_edit.add_question(text, "a", "three"))["facts"][0]["questions"] == ["one", "two", "three"]
    with pytest.raises(AnnotationError, match="no `questions:` list"):
        facts_edit.add_question(text, "b", "y")


def new_fact(**changes: Any) -> Dict[str, Any]:
    return {"id": "csm_retake_price", "certifications": ["CSM"], "topic": "cost",
            "answer": "A further attempt at the CSM test costs $25.", "questions": ["how much is a retake?"],
            "source": "csm_test", **changes}


def test_a_new_fact_goes_at_the_end_of_the_list_and_loads() -> None:
    text = FACTS.read_text()
    knowledge = {f"knowledge/{p.name}": p.read_text() for p in (ROOT / "knowledge").glob("*.yml")}
    choices = facts_edit.choices(knowledge)
    assert "csm_price" in choices.facts and "CSM" in choices.certifications and "recommendation" not in choices.topics
    fact = facts_edit.validate_new_fact(new_fact(certifications=["CSM", "nope"]), choices)
    new = facts_edit.add_fact(text, fact)
    data = yaml.safe_load(new)
    assert data["facts"][-1] == {"id": "csm_retake_price", "certifications": ["CSM"], "topic": "cost",
                                 "answer": "A further attempt at the CSM test costs $25.",
                                 "questions": ["how much is a retake?"], "source": "csm_test"}
    assert data["broad_questions"] == yaml.safe_load(text)["broad_questions"]
    assert "# Broad questions that want the topic summary" in new.split("csm_retake_price")[1]  # comments stay put
    facts_edit.check_loads(knowledge, new)


@pytest.mark.parametrize("changes, problem", [
    ({"id": "Bad Id"}, "the id is"), ({"id": "csm_price"}, "already a fact"), ({"certifications": []}, "certification"),
    ({"topic": "recommendation"}, "topic"), ({"source": "somewhere"}, "source"), ({"answer": " "}, "write the answer"),
    ({"questions": []}, "at least one question"), ({"questions": ["/ask_cost"]}, "payload"),
])
def test_a_new_fact_is_checked(changes: Dict[str, Any], problem: str) -> None:
    knowledge = {f"knowledge/{p.name}": p.read_text() for p in (ROOT / "knowledge").glob("*.yml")}
    with pytest.raises(AnnotationError, match=problem):
        facts_edit.validate_new_fact(new_fact(**changes), facts_edit.choices(knowledge))


def test_a_file_that_would_not_load_is_refused() -> None:
    knowledge = {f"knowledge/{p.name}": p.read_text() for p in (ROOT / "knowledge").glob("*.yml")}
    broken = FACTS.read_text().replace("topic: requirements", "topic: nowhere", 1)
    with pytest.raises(AnnotationError, match="would not load.*nowhere"):
        facts_edit.check_loads(knowledge, broken)


def test_known_and_held_out_questions_are_refused() -> None:
    text = FACTS.read_text()
    held_out = facts_edit.held_out_questions({p.name: p.read_text() for p in (ROOT / "tests" / "facts").glob("*.yml")})
    assert "is the csm test open book" in held_out
    with pytest.raises(AnnotationError, match="held-out"):
        facts_edit.check_question("Is the CSM test open book?", text, held_out)
    with pytest.raises(AnnotationError, match="fact csm_open_book"):
        facts_edit.check_question("is the CSM exam open book", text, held_out)
    with pytest.raises(AnnotationError, match="broad questions of cost"):
        facts_edit.check_question("What are the costs?", text, held_out)
    facts_edit.check_question("what does a retake of the csm test cost", text, held_out)
    for bad in ("", "   ", "/feedback_wrong", "x" * 301):
        with pytest.raises(AnnotationError):
            facts_edit.clean_question(bad)


def git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x",
           "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def test_edits_are_committed_on_the_annotations_branch_only(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge")
    shutil.copytree(ROOT / "tests" / "facts", tmp_path / "tests" / "facts")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "init")
    head = git(tmp_path, "rev-parse", "HEAD")
    facts_edit.commit_question(tmp_path, "csm_price", "  what does a retake\nof the csm test cost ")
    fact_id, _ = facts_edit.commit_new_fact(tmp_path, new_fact())
    on_branch = yaml.safe_load(git(tmp_path, "show", f"{gitbranch.BRANCH}:knowledge/facts.yml"))
    by_id = {f["id"]: f for f in on_branch["facts"]}
    assert by_id["csm_price"]["questions"][-1] == "what does a retake of the csm test cost"
    assert fact_id == "csm_retake_price" and by_id["csm_retake_price"]["source"] == "csm_test"
    assert git(tmp_path, "rev-parse", "HEAD") == head and git(tmp_path, "status", "--porcelain") == ""
    assert (tmp_path / "knowledge" / "facts.yml").read_text() == FACTS.read_text()
    with pytest.raises(AnnotationError, match="already an example question of fact csm_price"):
        facts_edit.commit_question(tmp_path, "csm_price", "What does a retake of the CSM test cost?")
    with pytest.raises(AnnotationError, match="already a fact"):
        facts_edit.commit_new_fact(tmp_path, new_fact())
    with pytest.raises(AnnotationError, match="held-out"):
        facts_edit.commit_question(tmp_path, "csm_price", "CSM price?")
