"""Issue 22 on PostgreSQL (the cluster's store), without the whole cluster: PostgreSQL from the Debian package
on a free port (scripts/services.sh, data under the test's directory), one Rasa server and action server with
the tracker store `make run-cluster` configures from POSTGRES_*. An e-mail address and a phone number never
reach the database; "forget me", confirmed, leaves no row of the conversation; the other conversations stay.
(tests/e2e/test_cluster.py checks the same through the cluster's balancer.)"""
from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from tests.support.stack import ROOT, Stack, free_port, texts

WORKDIR = ROOT / "reports" / "e2e" / "privacy-postgres"
SERVICES = ROOT / "scripts" / "services.sh"
PERSONAL = "I'm anna.schmidt@example.com, call me on +49 151 2345678"

if not list(Path("/usr/lib/postgresql").glob("*/bin/postgres")) and not shutil.which("apt-get"):
    pytest.skip("PostgreSQL is not installed and there is no apt-get to install it", allow_module_level=True)


@pytest.fixture(scope="module")
def postgres() -> Iterator[Dict[str, str]]:
    if WORKDIR.exists():
        shutil.rmtree(WORKDIR)
    WORKDIR.mkdir(parents=True)
    state = WORKDIR / "postgres"
    out = subprocess.run([str(SERVICES), "start", "postgres", "--port", str(free_port()), "--dir", str(state)],
                         check=True, capture_output=True, text=True, timeout=300).stdout
    env = dict(item.split("=", 1) for item in out.split())
    try:
        yield env
    finally:
        subprocess.run([str(SERVICES), "stop", "postgres", "--dir", str(state)], capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def stack(postgres: Dict[str, str]) -> Iterator[Stack]:
    s = Stack(WORKDIR, env={"POSTGRES_PASSWORD": postgres["POSTGRES_PASSWORD"]}, tracker_env=postgres)
    try:
        yield s.start()
    finally:
        s.stop()


def rows(postgres: Dict[str, str], sender: str) -> List[str]:
    import psycopg2  # the driver Rasa's SQL tracker store uses

    conn = psycopg2.connect(host=postgres["POSTGRES_HOST"], port=int(postgres["POSTGRES_PORT"]),
                            dbname=postgres.get("POSTGRES_DB", "advisor"), user=postgres.get("POSTGRES_USER", "advisor"),
                            password=postgres["POSTGRES_PASSWORD"])
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (f"rest:{sender}",))
            return [r[0] for r in cur.fetchall()]
    finally:
        conn.close()


def test_personal_data_stays_out_of_postgresql_and_forget_me_erases_only_that_conversation(
        stack: Stack, postgres: Dict[str, str]) -> None:
    sender, other = f"pg-{uuid.uuid4().hex[:10]}", f"pg-{uuid.uuid4().hex[:10]}"
    stack.say(other, "what is the CSPO?")
    stack.say(sender, "what is the CSM?")
    stack.say(sender, PERSONAL)
    stored = json.dumps(rows(postgres, sender))
    assert "I'm [email], call me on [phone]" in stored
    for value in ("anna.schmidt", "example.com", "151 2345678", "2345678"):
        assert value not in stored, value
    assert "Delete it now?" in texts(stack.say(sender, "forget me please"))
    assert "this conversation is deleted" in texts(stack.say(sender, "yes"))
    assert rows(postgres, sender) == [], "the conversation is still in PostgreSQL"
    assert rows(postgres, other), "another conversation was deleted too"
    log = stack.rasa.log_path.read_text(errors="replace")
    assert "erased on the user's request" in log and "what is the CSM" not in log
    stack.say(sender, "hi")
    assert [e["text"] for e in stack.tracker(sender)["events"] if e["event"] == "user"] == ["hi"]
