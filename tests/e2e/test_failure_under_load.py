"""Failure under load, short: `make run-cluster` (scripts/cluster.sh on free ports, as test_cluster.py
starts it) with a dozen conversations talking through nginx while PostgreSQL restarts, then while a
replica is killed (bench/failure.py; `make bench` runs the full table: 50 conversations, four faults).

Each test fails when a message the client got an answer to is not in PostgreSQL exactly once (or the
replies it got are not stored), when a reply is stored or sent twice, when a message gets an answer a
client cannot read as "retry" (200 with no reply, 500, a time-out), or when a conversation waits too
long behind the failure. Without the guards in advisor/patches.py and channels/rest.py, the PostgreSQL
restart lost answered messages (Rasa's FailSafeTrackerStore) and the killed replica's conversations
waited ~60 s for its lock tickets; and a message sent again with its message_id (a client's retry) was
handled and stored twice."""
from __future__ import annotations

import json
import uuid
from typing import Callable, Iterator, Optional

import pytest

from bench import failure
from tests.e2e.test_cluster import Cluster
from tests.support.stack import ROOT

WORKDIR = ROOT / "reports" / "e2e" / "failure-under-load"
CONVERSATIONS = 12
BEFORE_S, AFTER_S = 2.0, 5.0
LONGEST_WAIT_S = 25.0  # lock leases: a killed replica's tickets are gone within 6 s (Rasa's: 60 s)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    c = Cluster(WORKDIR)
    try:
        yield c.start()
    finally:
        c.run.stop()


def _run(cluster: Cluster, fault: str, inject: Optional[Callable[[], None]] = None,
         pause: float = 0.0) -> failure.FaultResult:
    failure.cluster_ready(cluster, seconds=120)
    result = failure.run_fault(cluster.balancer.rasa_url, fault, inject or failure.FAULTS[fault](cluster),
                               failure.postgres_events(cluster), conversations=CONVERSATIONS, before=BEFORE_S,
                               after=AFTER_S, pause=pause)
    print(json.dumps({k: v for k, v in result.as_dict().items() if k != "timeline"}))
    return result


def _assert_clean(result: failure.FaultResult) -> None:
    assert result.messages >= CONVERSATIONS and result.answered > 0, result
    assert result.events_lost == 0, f"answered messages or replies not stored: {result.samples}"
    assert result.user_messages_stored_twice == 0 and result.duplicate_replies == 0, f"duplicates: {result.samples}"
    assert result.unexpected_stored == 0, f"messages stored in a conversation that did not send them: {result.samples}"
    assert result.unclear_errors == 0, f"answers a client cannot read as 'retry': {result.failed}"
    assert result.longest_wait_s < LONGEST_WAIT_S, f"a conversation waited {result.longest_wait_s} s"


def test_postgresql_restarting_under_load_loses_no_answered_message(cluster: Cluster) -> None:
    result = _run(cluster, "PostgreSQL restarted")
    _assert_clean(result)
    # the messages in flight while it was down were refused with 503 and answered when sent again
    assert set(result.refused_retryable) <= {"503", "429"}, result.refused_retryable


def test_nginx_reloading_under_load_breaks_no_connection(cluster: Cluster) -> None:
    """A replica's /ready changing reloads nginx (scripts/cluster.sh); the clients talking at that moment
    must not see their connection reset (CI saw one ClientOSError while PostgreSQL restarted: a readiness
    flip had reloaded nginx under a client's kept-alive connection). With kept-alive client connections,
    100 reloads 0.1 s apart under these conversations (each pausing up to 0.3 s, a connection idle
    meanwhile) reset 2 of about 650 messages in one run of two; nginx now closes each chat connection after
    its reply."""
    result = _run(cluster, "nginx reloaded", failure.reload_nginx(cluster, times=100, every=0.1), pause=0.3)
    _assert_clean(result)
    assert result.failed == {}, result.failed
    # the mechanism, which the run above catches only about every other time when it is missing: nginx
    # tells the client it closes the connection after the reply, so no client sends on it again
    import requests

    with requests.Session() as session:
        reply = session.post(f"{cluster.balancer.rasa_url}/webhooks/rest/webhook",
                             json={"sender": f"close-{uuid.uuid4().hex[:8]}", "message": "hi"}, timeout=60)
    assert reply.status_code == 200 and reply.headers.get("Connection", "").lower() == "close", reply.headers


def test_a_message_sent_again_with_its_id_is_answered_once(cluster: Cluster) -> None:
    """What a client does after a 502 whose message the dying replica had stored: the same message, the same
    message_id. It is answered from the store, not handled (and stored) twice."""
    import requests

    sender = f"again-{uuid.uuid4().hex[:8]}"
    body = {"sender": sender, "message": "what is the difference between csm and cspo?", "message_id": uuid.uuid4().hex}
    url = f"{cluster.balancer.rasa_url}/webhooks/rest/webhook"
    first = requests.post(url, json=body, timeout=60)
    again = requests.post(url, json=body, timeout=60)
    assert first.status_code == again.status_code == 200 and first.json(), first.text
    assert [m.get("text") for m in again.json()] == [m.get("text") for m in first.json()]
    users = [e for e in cluster.balancer.tracker(sender)["events"] if e["event"] == "user"]
    assert [e["text"] for e in users] == [body["message"]], "the message was handled twice"
    other = requests.post(url, json={**body, "message_id": uuid.uuid4().hex}, timeout=60)  # a new message
    assert other.status_code == 200 and len([e for e in cluster.balancer.tracker(sender)["events"]
                                             if e["event"] == "user"]) == 2


def test_a_replica_killed_under_load_loses_no_answered_message(cluster: Cluster) -> None:
    result = _run(cluster, "replica killed")
    _assert_clean(result)
    assert set(result.refused_retryable) <= {"502", "503", "429"}, result.refused_retryable
    # the conversations go on after the kill: each is answered again through the other replica
    assert sum(result.timeline[int(BEFORE_S) + 2:]) > 0, result.timeline
    sender = f"after-{uuid.uuid4().hex[:8]}"
    assert cluster.balancer.say(sender, "what is CSPO?"), "no answer after the kill"
