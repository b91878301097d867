"""`make run` keeps conversations in SQLite: an open form continues after a restart (the real
`scripts/run.sh`, on free ports, with its conversations file in the test's directory)."""
from __future__ import annotations

import os
import secrets
import sqlite3
import uuid

from tests.support.scripts import Client, ScriptRun, answers
from tests.support.stack import ROOT, free_port, texts

WORKDIR = ROOT / "reports" / "e2e" / "persistence"


def test_an_open_form_survives_a_restart_of_make_run() -> None:
    WORKDIR.mkdir(parents=True, exist_ok=True)
    db = WORKDIR / "conversations.db"
    db.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    rasa_port = free_port()
    env = dict(os.environ, RASA_PORT=str(rasa_port), ACTION_PORT=str(free_port()), WEB_PORT=str(free_port()),
               ADVISOR_TRACKER_DB=str(db), RASA_AUTH_TOKEN=token)
    for name in ("POSTGRES_HOST", "REDIS_HOST"):
        env.pop(name, None)
    bot = Client(f"http://127.0.0.1:{rasa_port}", token)
    sender = f"persist-{uuid.uuid4().hex[:10]}"

    def ready() -> bool:
        return answers(f"{bot.rasa_url}/") and answers(f"http://127.0.0.1:{env['WEB_PORT']}/healthz")

    run = ScriptRun(["bash", "scripts/run.sh"], env, WORKDIR / "run.log")
    try:
        run.start(ready, timeout=420)
        bot.say(sender, "which certification should I take?")
        assert bot.slot(sender, "requested_slot") == "current_role"
    finally:
        run.stop()
    assert db.is_file(), "make run did not create its SQLite conversations file"
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM events WHERE sender_id LIKE ?", (f"%{sender}",)).fetchone()[0]
    assert stored > 0, "no event of the conversation reached the SQLite file"

    run = ScriptRun(["bash", "scripts/run.sh"], env, WORKDIR / "run.log")
    try:
        run.start(ready, timeout=420)
        reply = texts(bot.say(sender, "i'm a backend developer"))
        tracker = bot.tracker(sender)
        assert tracker["slots"]["current_role"] == "developer", reply
        assert tracker["slots"]["requested_slot"] == "preferred_focus", reply
        assert (tracker.get("active_loop") or {}).get("name"), "the form is no longer active after the restart"
    finally:
        run.stop()
