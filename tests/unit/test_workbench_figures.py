"""The workbench's figures on hand-checked fixtures: channels, fallbacks, the recommendation funnel and its
drop-off points, latency; the misunderstood inbox; the NLU report comparison; appending a training example;
a conversation as a test story; locating failed test stories."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

from workbench import analytics, checks, gitbranch, inbox, nlu_data, nlu_report, stories
from workbench.conversations import Filters, channel_of, summarize

URL = "https://example.org/guide"
DAY1 = 1_764_000_000.0  # 2025-11-24 16:00 UTC
DAY2 = DAY1 + 86400


def u(ts: float, text: str, intent: str, conf: float = 0.9, channel: str = "rest") -> Dict[str, Any]:
    ranking = [{"name": intent, "confidence": conf}]
    if intent == "nlu_fallback":
        ranking += [{"name": "ask_cost", "confidence": 0.2}]
    return {
        "event": "user",
        "timestamp": ts,
        "text": text,
        "input_channel": channel,
        "parse_data": {"intent": {"name": intent, "confidence": conf}, "entities": [], "intent_ranking": ranking},
    }


def bot(ts: float, text: str) -> Dict[str, Any]:
    return {"event": "bot", "timestamp": ts, "text": text}


def act(ts: float, name: str) -> Dict[str, Any]:
    return {"event": "action", "timestamp": ts, "name": name}


def slot(ts: float, name: str, value: Any) -> Dict[str, Any]:
    return {"event": "slot", "timestamp": ts, "name": name, "value": value}


# Hand-checked: A asks and gets CSPO with the link; B asks, answers the role, leaves at the focus question,
# and had a fallback; C never asks, one fallback of two messages; D (day 2) is recommended CSM without the link.
A = [
    u(DAY1, "which one", "ask_recommendation"),
    act(DAY1 + 1, "recommendation_form"),
    slot(DAY1 + 1, "requested_slot", "current_role"),
    bot(DAY1 + 1.5, "your role?"),
    u(DAY1 + 10, "BA", "inform_role"),
    slot(DAY1 + 11, "current_role", "business_analyst"),
    slot(DAY1 + 11, "requested_slot", "preferred_focus"),
    bot(DAY1 + 12, "focus?"),
    u(DAY1 + 20, "the backlog", "goal_own_product"),
    slot(DAY1 + 21, "preferred_focus", "product_value"),
    slot(DAY1 + 21, "requested_slot", "leads_transformation"),
    bot(DAY1 + 20.5, "transformation?"),
    u(DAY1 + 30, "no", "deny"),
    slot(DAY1 + 31, "leads_transformation", False),
    act(DAY1 + 31, "action_recommend"),
    bot(DAY1 + 32, f"CSPO. Next step: {URL}"),
    slot(DAY1 + 32, "recommendation", "cspo"),
]
B = [
    u(DAY1 + 100, "help me choose", "ask_recommendation"),
    slot(DAY1 + 101, "requested_slot", "current_role"),
    bot(DAY1 + 101, "your role?"),
    u(DAY1 + 110, "dev", "inform_role"),
    slot(DAY1 + 111, "current_role", "developer"),
    slot(DAY1 + 111, "requested_slot", "preferred_focus"),
    bot(DAY1 + 112, "focus?"),
    u(DAY1 + 120, "blorp", "nlu_fallback", 0.3),
    act(DAY1 + 121, "action_handle_fallback"),
    bot(DAY1 + 124, "sorry?"),
]
C = [
    u(DAY1 + 200, "hi", "greet", channel="slack"),
    bot(DAY1 + 200.5, "hello"),
    u(DAY1 + 210, "weather?", "nlu_fallback", 0.3, channel="slack"),
    bot(DAY1 + 211, "sorry?"),
]
D = [
    u(DAY2, "csm or cspo", "ask_recommendation", channel="socketio"),
    act(DAY2 + 1, "action_recommend"),
    bot(DAY2 + 2, "CSM."),
    slot(DAY2 + 2, "recommendation", "csm"),
]


# E asks, answers the role, and stops the form at the focus question (Rasa sets requested_slot to null).
E = [u(DAY2 + 50, "which one", "ask_recommendation", channel="telegram"), slot(DAY2 + 51, "requested_slot", "current_role"),
     u(DAY2 + 60, "tester", "inform_role", channel="telegram"), slot(DAY2 + 61, "current_role", "tester"),
     slot(DAY2 + 61, "requested_slot", "preferred_focus"), u(DAY2 + 70, "stop", "stop", channel="telegram"),
     slot(DAY2 + 71, "requested_slot", None)]


def convs() -> List:
    return [summarize("rest:a", A), summarize("rest:b", B), summarize("slack:T:c", C), summarize("web:d", D)]


def test_channels_from_id_prefix_or_input_channel() -> None:
    assert channel_of("telegram:42") == "telegram"
    assert channel_of("slack:T1:U1") == "slack"
    assert channel_of("abc", [u(0, "x", "greet", channel="socketio")]) == "web"
    assert channel_of("abc", []) == "unknown"
    assert [c.channel for c in convs()] == ["rest", "rest", "slack", "web"]


def test_funnel_drop_off_fallback_and_latency_figures() -> None:
    a = analytics.compute(convs() + [summarize("telegram:e", E)], URL)
    assert a.conversations == 5
    assert a.user_messages == 13 and a.fallback_messages == 2 and a.fallback_rate == pytest.approx(2 / 13)
    assert dict(a.fallback_by_day) == {"2025-11-24": (2, 9), "2025-11-25": (0, 4)}
    assert dict(a.per_day) == {"2025-11-24": (3, 18), "2025-11-25": (2, 5)}
    assert a.per_channel == {"rest": 2, "slack": 1, "web": 1, "telegram": 1}
    assert a.recommendations == {"csm": 1, "cspo": 1, "both": 0}
    assert dict(a.funnel) == {
        "asked": 4,
        "answered current_role": 3,
        "answered preferred_focus": 1,
        "answered leads_transformation": 1,
        "recommended": 2,
        "resource link shown": 1,
    }
    assert dict(a.drop_off) == {"at the preferred_focus question": 2}
    # latencies: A 1.5, 2, 0.5, 2; B 1, 2, 4; C 0.5, 1; D 2; E none -> 10 values, median (1.5 + 2) / 2
    assert sorted(a.latencies) == [0.5, 0.5, 1, 1, 1.5, 2, 2, 2, 2, 4]
    assert a.latency()["median"] == pytest.approx(1.75)


def test_filters() -> None:
    cs = convs()
    assert [c.id for c in cs if Filters(fallback="yes").accepts(c)] == ["rest:b", "slack:T:c"]
    assert [c.id for c in cs if Filters(recommended="csm").accepts(c)] == ["web:d"]
    assert [c.id for c in cs if Filters(intent="deny").accepts(c)] == ["rest:a"]
    assert [c.id for c in cs if Filters(day_from="2025-11-25").accepts(c)] == ["web:d"]
    assert [c.id for c in cs if Filters.from_query({"min_length": "3", "max_length": "oops"}).accepts(c)] == ["rest:a", "rest:b"]


def test_inbox_lists_fallbacks_and_low_confidence_grouped() -> None:
    extra = summarize(
        "rest:e",
        [
            u(DAY2, "how much is the csm course", "ask_cost", 0.4),
            u(DAY2 + 5, "how much is the cspo course", "ask_cost", 0.45),
            u(DAY2 + 9, "/ask_cost", "ask_cost", 0.1),
        ],
    )
    msgs = inbox.misunderstood(convs() + [extra], threshold=0.6)
    assert sorted(m.text for m in msgs) == ["blorp", "how much is the csm course", "how much is the cspo course", "weather?"]
    assert {m.text: m.intent for m in msgs}["blorp"] == "ask_cost"  # what it was taken for, past nlu_fallback
    groups = inbox.group(msgs)
    assert len(groups[0].messages) == 2 and groups[0].suggested_intent == "ask_cost"
    handled = {msgs[0].key}
    assert len(inbox.misunderstood(convs() + [extra], 0.6, handled)) == 3


def test_annotated_text_uses_the_projects_markup() -> None:
    m = inbox.Message(
        "k",
        "c",
        0,
        "is the cspo exam hard",
        "ask_requirements",
        0.4,
        False,
        [{"entity": "certification", "value": "CSPO", "start": 7, "end": 11}],
    )
    assert inbox.annotated_text(m) == "is the [cspo](certification) exam hard"


def report(f1s: Dict[str, float]) -> Dict[str, Any]:
    intent_report = {
        k: {"precision": v, "recall": v, "f1-score": v, "support": 10, "confused_with": {"b": 2} if v < 0.95 else {}}
        for k, v in f1s.items()
    }
    intent_report |= {"accuracy": 0.9, "macro avg": {"f1-score": 0.85}, "weighted avg": {"f1-score": 0.88}}
    errors = [
        {"text": "x", "intent": "a", "intent_prediction": {"name": "b", "confidence": 0.4}},
        {"text": "y", "intent": "a", "intent_prediction": {"name": "b", "confidence": 0.9}},
    ]
    return nlu_report.summarize(intent_report, errors)


def test_nlu_report_summary_confusion_and_comparison() -> None:
    before = report({"a": 0.80, "b": 1.0, "c": 0.9})
    after = report({"a": 0.90, "b": 0.996, "d": 0.5})
    assert after["accuracy"] == 0.9 and after["macro_f1"] == 0.85
    assert [w["text"] for w in after["worst"]] == ["y", "x"]  # confidently wrong first
    labels, matrix = nlu_report.confusion(after)
    assert labels == ["a", "b", "d"]
    assert matrix[0] == [8, 2, 0] and matrix[1] == [0, 10, 0]
    verdicts = {c.intent: c.verdict for c in nlu_report.compare(before, after)}
    assert verdicts == {"a": "better", "b": "same", "c": "removed", "d": "new"}
    worse = nlu_report.compare(after, before)
    assert worse[0].intent == "a" and worse[0].verdict == "worse"
    assert nlu_report.compare(None, after) == []


NLU = """version: "3.1"

nlu:
- intent: greet
  examples: |
    - hi
    - hello there
- intent: ask_cost
  examples: |
    - how much is the [csm](certification)
"""


def test_append_example_keeps_the_style_and_validates() -> None:
    out = nlu_data.append_example(NLU, "greet", "  hey   you ")
    assert out.splitlines()[6:8] == ["    - hello there", "    - hey you"]
    nlu_data.check_yaml(out)
    assert nlu_data.append_example(NLU, "deny", "nope").endswith("- intent: deny\n  examples: |\n    - nope\n")
    training = {"data/nlu/a.yml": NLU}
    held = {"tests/nlu/test_nlu.yml": 'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - good morning\n'}
    ok = nlu_data.validate(
        nlu_data.Annotation("ask_cost", "price of [cspo](certification)?"),
        {"greet", "ask_cost"},
        {"certification"},
        training,
        held,
    )
    assert ok == "data/nlu/a.yml"
    for ann, message in [
        (nlu_data.Annotation("greet", "Hello there!"), "already a training example of 'greet' (data/nlu/a.yml:7)"),
        (nlu_data.Annotation("greet", "good morning"), "held-out test set"),
        (nlu_data.Annotation("nope", "x"), "not an intent"),
        (nlu_data.Annotation("greet", "i am a [dev](job)"), "'job' is not an entity"),
        (nlu_data.Annotation("greet", "   "), "empty"),
    ]:
        with pytest.raises(nlu_data.AnnotationError, match=message.replace("(", r"\(").replace(")", r"\)")):
            nlu_data.validate(ann, {"greet", "ask_cost"}, {"certification"}, training, held)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        text=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@l",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@l",
            "PATH": "/usr/bin:/bin",
        },
    ).stdout


def test_commits_go_to_their_own_branch_only(tmp_path: Path) -> None:
    (tmp_path / "data/nlu").mkdir(parents=True)
    (tmp_path / "data/nlu/a.yml").write_text(NLU)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "init")
    head = git(tmp_path, "rev-parse", "HEAD")
    target, _ = nlu_data.add_example(tmp_path, nlu_data.Annotation("greet", "hey you"), {"greet", "ask_cost"}, {"certification"})
    target2, _ = nlu_data.add_example(tmp_path, nlu_data.Annotation("greet", "yo"), {"greet", "ask_cost"}, {"certification"})
    assert target == target2 == "data/nlu/a.yml"
    branch = git(tmp_path, "show", f"{gitbranch.BRANCH}:data/nlu/a.yml")
    assert "    - hey you\n    - yo\n" in branch
    assert git(tmp_path, "rev-parse", "HEAD") == head and git(tmp_path, "status", "--porcelain") == ""
    assert (tmp_path / "data/nlu/a.yml").read_text() == NLU
    assert len(git(tmp_path, "log", "--oneline", gitbranch.BRANCH).splitlines()) == 3
    with pytest.raises(nlu_data.AnnotationError, match="already"):
        nlu_data.add_example(tmp_path, nlu_data.Annotation("ask_cost", "Yo!"), {"greet", "ask_cost"}, {"certification"})


def test_conversation_to_test_story_round_trip() -> None:
    events = [
        act(0, "action_session_start"),
        {"event": "session_started", "timestamp": 0},
        act(0, "action_listen"),
        u(1, "hi", "greet"),
        act(2, "utter_greet"),
        bot(2, "hello"),
        slot(2, "quotes", {"x": 1}),
        act(3, "action_listen"),
    ]
    text = stories.conversation_to_story("rest:x y", events)
    assert "- intent: greet" in text and "- action: utter_greet" in text and "quotes" not in text and "hi" in text
    stories.validate_story(text)
    with pytest.raises(nlu_data.AnnotationError):
        stories.validate_story("stories: [")
    with pytest.raises(nlu_data.AnnotationError):
        stories.validate_story('version: "3.1"\nrules: []\n')
    assert stories.file_name("slack:T1:U/../x").startswith("tests/stories/workbench_slack_T1_U_x_")


def test_failed_story_is_located_with_file_and_line() -> None:
    source = {
        "tests/stories/t.yml": 'version: "3.1"\nstories:\n- story: one\n  steps:\n  - intent: greet\n  - action: utter_greet\n'
        "- story: two\n  steps:\n  - intent: greet\n  - action: utter_greet\n  - intent: thank\n"
        "  - action: utter_thank\n"
    }
    failed = (
        'version: "3.1"\nstories:\n- story: two (tests/stories/t.yml)\n  steps:\n  - intent: greet\n'
        "  - action: utter_greet\n  - intent: thank\n  - action: utter_thank  # predicted: utter_goodbye\n"
        "  - action: action_listen  # predicted: action_default_fallback\n"
    )
    found = checks.parse_failed_stories(failed, source)
    assert [(f.file, f.line, f.expected, f.actual) for f in found][0] == (
        "tests/stories/t.yml",
        12,
        "action utter_thank",
        "utter_goodbye",
    )
