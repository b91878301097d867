"""`make run` keeps conversations in SQLite: an open form continues after a restart (the real
`scripts/run.sh`, on free ports, with its conversations file in the test's directory)."""
from __future__ import annotations

import os
import secrets
import signal
import sqlite3
import time
import uuid

import requests

from tests.support.scripts import Client, ScriptRun, answers
from tests.support.stack import ROOT, free_port, texts

WORKDIR = ROOT / "reports" / "e2e" / "persistence"


def test_an_open_form_survives_a_restart_of_make_run() -> None:
    WORKDIR.mkdir(parents=True, exist_ok=True)
    db = WORKDIR / "conversations.db"
    db.unlink(missing_ok=True)
    # an older run's world-readable database and log (created before the project's umask 077)
    db.touch()
    db.chmod(0o644)
    stale_log = ROOT / ".run" / "rasa.log"
    stale_log.parent.mkdir(exist_ok=True)
    stale_log.touch()
    stale_log.chmod(0o644)
    token = secrets.token_hex(16)
    rasa_port = free_port()
    env = dict(os.environ, RASA_PORT=str(rasa_port), ACTION_PORT=str(free_port()), WEB_PORT=str(free_port()),
               ADVISOR_TRACKER_DB=str(db), RASA_AUTH_TOKEN=token, ADVISOR_REDIS_PORT=str(free_port()),
               ADVISOR_REDIS_DIR=str(WORKDIR / "redis"))
    for name in ("POSTGRES_HOST", "REDIS_HOST", "ADVISOR_WORKERS", "SANIC_WORKERS", "SOCKETIO_TRANSPORTS"):
        env.pop(name, None)
    bot = Client(f"http://127.0.0.1:{rasa_port}", token)
    sender = f"persist-{uuid.uuid4().hex[:10]}"

    def ready() -> bool:
        return answers(f"{bot.rasa_url}/") and answers(f"http://127.0.0.1:{env['WEB_PORT']}/healthz")

    run = ScriptRun(["bash", "scripts/run.sh"], env, WORKDIR / "run.log")
    try:
        run.start(ready, timeout=420)
        for private in (db, stale_log):
            assert private.stat().st_mode & 0o077 == 0, f"{private} is readable by others after make run started"
        assert (ROOT / ".run").stat().st_mode & 0o077 == 0
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
        _the_rasa_server_is_restarted_after_kill_9(bot, run)
    finally:
        run.stop()


def _the_rasa_server_is_restarted_after_kill_9(bot: Client, run: ScriptRun) -> None:
    """`make run` supervises its servers (advisor.supervise): a crash is logged and the server restarted."""
    pidfile, log_file = ROOT / ".run" / "rasa.pid", ROOT / ".run" / "rasa.log"
    pid = int(pidfile.read_text())
    for _ in range(100):  # the supervisor has seen it answer (until then an exit is a failed start)
        if f"the Rasa server answers (pid {pid}" in log_file.read_text(errors="replace"):
            break
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    killed = time.time()
    while not (pidfile.exists() and pidfile.read_text().strip() not in ("", str(pid)) and _answers(f"{bot.rasa_url}/")):
        assert run.running, f"make run stopped after the Rasa server was killed:\n{run.tail()}"
        assert time.time() - killed < 300, "the Rasa server does not answer again"
        time.sleep(1)
    crash = f"the Rasa server (pid {pid}) was killed by SIGKILL"
    log = log_file.read_text(errors="replace")
    assert crash in log and "restarting it in 1 s" in log and "the Rasa server restarted" in log, log[-2000:]
    assert crash in run.tail(200), "the crash is reported on the terminal too"
    assert bot.slot(f"persist-probe-{uuid.uuid4().hex[:6]}", "current_role") is None  # the API answers again


def _answers(url: str) -> bool:
    try:
        return answers(url)
    except requests.RequestException:
        return False


def test_make_run_uses_both_cores_and_the_widget_works_on_either_worker() -> None:
    """`make run` starts two Rasa workers by default (with a Redis lock store), and the web widget works whichever
    worker the kernel hands each page load to: socket.io over a websocket only (one connection, one worker),
    long-polling refused with engine.io's own 400. The page's widget is reloaded several times and keeps its
    conversation. (The stock rasa-webchat 1.0.1 always starts with long-polling: it needs ADVISOR_WORKERS=1, where
    tests/e2e/test_web.py checks it, or `make run-cluster`.)"""
    from playwright.sync_api import sync_playwright

    from tests.e2e.test_web import CHROMIUM, CHROMIUM_ARGS

    workdir = WORKDIR / "workers"
    workdir.mkdir(parents=True, exist_ok=True)
    rasa_port, web_port = free_port(), free_port()
    env = dict(os.environ, RASA_PORT=str(rasa_port), ACTION_PORT=str(free_port()), WEB_PORT=str(web_port),
               ADVISOR_TRACKER_DB=str(workdir / "conversations.db"), RASA_AUTH_TOKEN=secrets.token_hex(16),
               ADVISOR_REDIS_PORT=str(free_port()), ADVISOR_REDIS_DIR=str(workdir / "redis"),
               SOCKETIO_CORS_ORIGINS=f"http://127.0.0.1:{web_port}")
    for name in ("POSTGRES_HOST", "REDIS_HOST", "ADVISOR_WORKERS", "SANIC_WORKERS", "SOCKETIO_TRANSPORTS"):
        env.pop(name, None)
    rasa_url, page_url = f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{web_port}/"
    questions = [("how long is the csm test?", "60 minutes"), ("how much does renewal cost?", "100 USD"),
                 ("how many free attempts for the csm test?", "two free"), ("who teaches the cspo course?", "Trainer")]
    run = ScriptRun(["bash", "scripts/run.sh"], env, workdir / "run.log")
    try:
        run.start(lambda: answers(f"{rasa_url}/") and answers(f"http://127.0.0.1:{web_port}/healthz"), timeout=420)
        assert "with 2 worker(s)" in run.tail(200), run.tail(40)
        polling = requests.get(f"{rasa_url}/socket.io/?EIO=4&transport=polling", timeout=10)
        assert polling.status_code == 400 and "Invalid transport" in polling.text, (polling.status_code, polling.text)
        # /metrics adds up both workers: every scrape (either worker answers it) counts all 6 REST messages
        bot = Client(rasa_url, env["RASA_AUTH_TOKEN"])
        for _ in range(6):
            bot.say(f"workers-{uuid.uuid4().hex[:8]}", "how long is the csm test?")
        totals = set()
        for _ in range(6):
            scraped = requests.get(f"{rasa_url}/metrics", headers={"Authorization": f"Bearer {env['RASA_AUTH_TOKEN']}"},
                                   timeout=10)
            assert scraped.status_code == 200, scraped.status_code
            line = next(ln for ln in scraped.text.splitlines() if ln.startswith('advisor_messages_total{channel="rest"}'))
            totals.add(float(line.split()[-1]))
        assert totals == {6.0}, totals
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_context().new_page()
                errors: list = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                for question, wanted in questions * 2:  # 8 page loads: 8 new connections, either worker
                    page.goto(page_url)
                    page.wait_for_selector(".ac-messages .ac-bot", timeout=60000)
                    # (a reload shows the kept conversation at once; the message is sent once the widget is online
                    # again: pressing Enter while it still connects kept the text in the box, and the test waited
                    # 60 s for a reply to a message never sent)
                    page.wait_for_selector(".ac[data-state=online]", timeout=60000)
                    page.fill("textarea, input[type=text]", question)
                    page.keyboard.press("Enter")
                    page.wait_for_function(
                        "([w]) => { const r = document.querySelectorAll('.ac-messages .ac-bot');"
                        " return r.length && r[r.length - 1].innerText.includes(w); }", arg=[wanted], timeout=60000)
                # one conversation throughout: the greeting and the 8 answers are all on the page after the last load
                assert page.locator(".ac-messages .ac-user").count() == 8
                assert not errors, errors
            finally:
                browser.close()
    finally:
        run.stop()
