"""/metrics, /ready and /live on the real servers of the shared stack (advisor.metrics, advisor.operations):
each metric moves when it should, over REST; the credentials are required where they should be.
(Action failures and timeouts: tests/e2e/test_failures_http.py; readiness with PostgreSQL down:
tests/e2e/test_cluster.py.)"""
from __future__ import annotations

import uuid

import requests

from tests.support.scrape import scrape, total, value
from tests.support.stack import Stack

# Texts the current model reads as nlu_fallback (FallbackClassifier, threshold 0.3 / ambiguity 0.05);
# the test checks which one does through /model/parse first.
FALLBACK_CANDIDATES = ("whatever", "the thing", "tell", "thing stuff whatever")


def _metrics(stack: Stack) -> dict:
    return scrape(f"{stack.rasa_url}/metrics", stack.auth_token)


def test_metrics_need_the_api_token(stack: Stack) -> None:
    url = f"{stack.rasa_url}/metrics"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer wrong"}, timeout=10).status_code == 401
    r = requests.get(url, headers={"Authorization": f"Bearer {stack.auth_token}"}, timeout=10)
    assert r.status_code == 200 and "# TYPE advisor_messages counter" in r.text
    status = requests.get(f"{stack.rasa_url}/status", params={"token": stack.auth_token}, timeout=10).json()
    samples = _metrics(stack)
    infos = [dict(labels) for (name, labels), v in samples.items() if name == "advisor_model_info" and v == 1]
    assert infos and infos[0]["model_id"] == status["model_id"], infos
    assert value(samples, "process_resident_memory_bytes") > 50e6


def test_ready_and_live_answer_without_credentials(stack: Stack) -> None:
    r = requests.get(f"{stack.rasa_url}/ready", timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["ready"] is True and r.json()["checks"] == {"model": "ok", "tracker_store": "ok", "lock_store": "ok"}
    assert requests.get(f"{stack.rasa_url}/live", timeout=10).json() == {"live": True}
    assert value(_metrics(stack), "advisor_ready") == 1


def test_rest_messages_move_the_message_latency_and_store_metrics(stack: Stack) -> None:
    before = _metrics(stack)
    sender = f"metrics-{uuid.uuid4().hex[:10]}"
    for text in ("hi", "what is the cspo?", "how much does the csm cost?"):
        assert stack.say(sender, text)
    after = _metrics(stack)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("advisor_messages_total", channel="rest") == 3
    assert moved("advisor_reply_seconds_count", channel="rest") == 3
    assert moved("advisor_reply_seconds_sum", channel="rest") > 0
    assert moved("advisor_reply_seconds_bucket", channel="rest", le="+Inf") == 3
    assert moved("advisor_message_errors_total", channel="rest") == 0
    # each message: the tracker read once and saved once (at least)
    assert moved("advisor_tracker_store_seconds_count", operation="retrieve") >= 3
    assert moved("advisor_tracker_store_seconds_count", operation="save") >= 3
    buckets = sorted((float(dict(labels)["le"]), v) for (name, labels), v in after.items()
                     if name == "advisor_reply_seconds_bucket" and ("channel", "rest") in labels)
    counts = [v for _, v in buckets]
    assert counts == sorted(counts), "histogram buckets are cumulative"


def test_an_nlu_fallback_is_counted_and_a_clear_message_is_not(stack: Stack) -> None:
    text = next((t for t in FALLBACK_CANDIDATES if stack.parse(t)["intent"]["name"] == "nlu_fallback"), None)
    assert text, f"none of {FALLBACK_CANDIDATES} is nlu_fallback for this model any more: pick another"
    sender = f"fallback-{uuid.uuid4().hex[:10]}"
    before = _metrics(stack)
    stack.say(sender, "what is the cspo?")
    middle = _metrics(stack)
    stack.say(sender, text)
    after = _metrics(stack)
    assert value(middle, "advisor_nlu_fallbacks_total", channel="rest") == value(before, "advisor_nlu_fallbacks_total",
                                                                                 channel="rest")
    assert value(after, "advisor_nlu_fallbacks_total", channel="rest") - value(middle, "advisor_nlu_fallbacks_total",
                                                                               channel="rest") == 1


def test_the_action_server_counts_and_times_actions_and_needs_its_secret(stack: Stack) -> None:
    url = f"http://127.0.0.1:{stack.action_port}/metrics"
    secret = stack.env["ACTION_SERVER_SECRET"]
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer not-the-secret-at-all"}, timeout=10).status_code == 401
    assert requests.get(url, headers={"X-Advisor-Action-Secret": secret}, timeout=10).status_code == 200
    before = scrape(url, secret)
    sender = f"actions-{uuid.uuid4().hex[:10]}"
    stack.say(sender, "what is the cspo?")
    after = scrape(url, secret)
    ran = {dict(labels)["action"]: v - value(before, name, **dict(labels))
           for (name, labels), v in after.items() if name == "advisor_actions_total"}
    moved = {a: n for a, n in ran.items() if n > 0}
    assert moved, "no custom action counted"
    custom = {e["name"] for e in stack.tracker(sender)["events"] if e["event"] == "action"}
    assert set(moved) <= custom, (moved, custom)
    for action, n in moved.items():
        assert value(after, "advisor_action_seconds_count", action=action) - value(
            before, "advisor_action_seconds_count", action=action) == n
    assert total(after, "advisor_action_errors_total") == total(before, "advisor_action_errors_total")
