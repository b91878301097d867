"""Privacy end to end (issue 22, PRIVACY.md), against a real Rasa server and action server with the SQLite
tracker store `make run` configures (read directly from the file), debug logging on (Rasa then logs every
message's text), the Slack and Telegram channels on against their local stand-ins, and the trainers'
workbench reading the same store on a temporary copy of the project (its own git repository).

- In every channel (REST, the web widget's socket.io, Slack, Telegram) a user leaves an e-mail address and a
  phone number: neither reaches the tracker store, the server logs or the workbench page; their
  placeholders do (so each check can fail).
- In every channel the user says "forget me" and confirms: the conversation is gone from the SQLite file, the
  workbench's review of it too, the erasure is logged without content, and the next message starts afresh.
- From the workbench (a delete button with a confirmation box) and the command line (`forget`), the same; the
  test stories committed from the conversation are listed.
- A subject-access export from the workbench and the command line.
- In a real browser (Chromium): the web widget's "forget me" (the browser's copy goes too) and the workbench's
  delete button with its confirmation box.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
import requests

from tests.e2e.test_channels import new_chat, new_id, slack_event, telegram_message
from tests.e2e.test_security_http import WebClient
from tests.e2e.test_web import BOT, CHROMIUM, CHROMIUM_ARGS, DESKTOP, USER, Visitor
from tests.support.fakes import TELEGRAM_SECRET, Fakes
from tests.support.stack import ROOT, Server, Stack, free_port, model_path, texts

WORKDIR = ROOT / "reports" / "e2e" / "privacy"
EMAIL, PHONE = "anna.schmidt@example.com", "+49 151 2345678"
PERSONAL = f"I'm {EMAIL}, call me on {PHONE}"
REDACTED = "I'm [email], call me on [phone]"
# What must never be stored or logged: the whole values and the parts a careless cut would leave.
NEVER = (EMAIL, "anna.schmidt", "example.com", PHONE, "151 2345678", "2345678")
TOKEN = "privacy-test-token-0123456789abcdef"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@localhost", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@localhost"}
CHANNELS = ["rest", "web", "slack", "telegram"]
ASKED = "Delete it now?"
DONE = "this conversation is deleted"


# --- the stack, the workbench and the project copy --------------------------------------------------------
def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


@pytest.fixture(scope="module")
def project() -> Path:
    root = WORKDIR / "project"
    if WORKDIR.exists():
        shutil.rmtree(WORKDIR)
    root.mkdir(parents=True)
    for name in ("domain.yml", "config.yml", "endpoints.yml"):
        shutil.copy(ROOT / name, root / name)
    for folder in ("data", "knowledge", "tests/stories"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / ".gitignore").write_text(".workbench/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "project")
    return root


@pytest.fixture(scope="module")
def stack(fakes: Fakes, project: Path) -> Iterator[Stack]:
    s = Stack(WORKDIR, env={**fakes.env, "LOG_LEVEL": "DEBUG"},
              tracker_env={"ADVISOR_TRACKER_DB": str(WORKDIR / "conversations.db"),
                           "ADVISOR_WORKBENCH_DB": str(project / ".workbench" / "workbench.db")})
    try:
        s.start(web=True)
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def workbench(stack: Stack, project: Path) -> Iterator[Server]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ADVISOR_MODEL": str(model_path()), "WORKBENCH_TOKEN": TOKEN,
           **GIT_ENV}
    env.pop("WORKBENCH_HOSTS", None)
    server = Server("workbench", [sys.executable, "-m", "workbench", "--root", str(project), "serve", "--port",
                                  str(port), "--endpoints", str(WORKDIR / "endpoints.yml")],
                    f"http://127.0.0.1:{port}/health", WORKDIR / "workbench.log", env)
    server.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    try:
        yield server.start(timeout=120)
    finally:
        server.stop()


def wb_get(workbench: Server, path: str, **params: str) -> requests.Response:
    return requests.get(workbench.url + path, params=params, headers={"Authorization": f"Bearer {TOKEN}"},  # type: ignore[attr-defined]
                        timeout=30, allow_redirects=False)


def wb_post(workbench: Server, path: str, cid: str, data: Dict[str, str]) -> requests.Response:
    return requests.post(f"{workbench.url}{path}", params={"id": cid}, data=data,  # type: ignore[attr-defined]
                         headers={"Authorization": f"Bearer {TOKEN}", "Origin": workbench.url},  # type: ignore[attr-defined]
                         timeout=60, allow_redirects=False)


def workbench_page(workbench: Server, cid: str) -> str:
    """The conversation's page (the workbench reads the store every few seconds)."""
    deadline = time.time() + 30
    while True:
        r = wb_get(workbench, "/conversation", id=cid)
        if r.status_code == 200 or time.time() > deadline:
            assert r.status_code == 200, r.text[:300]
            return r.text
        time.sleep(1)


def stored_rows(cid: str) -> List[str]:
    with sqlite3.connect(WORKDIR / "conversations.db") as conn:
        return [r[0] for r in conn.execute("select data from events where sender_id = ?", (cid,))]


def all_rows() -> str:
    with sqlite3.connect(WORKDIR / "conversations.db") as conn:
        return "\n".join(r[0] for r in conn.execute("select data from events"))


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, f"not {what} within {timeout} s"
        time.sleep(0.3)


# --- one user per channel -------------------------------------------------------------------------------
class User:
    """A user of one channel: `say` sends a message and returns the bot's texts of the reply."""

    def __init__(self, channel: str, stack: Stack, fakes: Fakes) -> None:
        self.channel, self.stack, self.fakes = channel, stack, fakes
        self.web: Any = None
        if channel == "rest":
            self.sender = f"privacy-{uuid.uuid4().hex[:10]}"
            self.cid = f"rest:{self.sender}"
        elif channel == "web":
            self.web = WebClient(stack)
            self.session = self.web.session()
            self.cid = stack.web_conversation(self.session)
        elif channel == "slack":
            self.user, self.im = new_id("U"), new_id("D")
            self.cid = f"slack:T0TEAM:{self.user}"
        else:
            self.chat = new_chat()
            self.cid = f"telegram:{self.chat}"

    def say(self, text: str, expect: str) -> str:
        """Sends `text`; waits for a reply containing `expect`; returns all the reply's text."""
        if self.channel == "rest":
            return texts(self.stack.say(self.sender, text))
        if self.channel == "web":
            before = len(self.web.bot)
            self.web.client.emit("user_uttered", {"message": text, "session_id": self.session})
            wait_until(lambda: any(expect in (m.get("text") or "") for m in self.web.bot[before:]), f"'{expect}'")
            time.sleep(1.0)
            return "\n".join(m.get("text") or "" for m in self.web.bot[before:])
        if self.channel == "slack":
            before = len(self.fakes.slack.find("chat.postMessage", channel=self.im))
            body = json.dumps(slack_event(text, self.user, self.im)).encode()
            r = requests.post(f"{self.stack.rasa_url}/webhooks/slack/webhook", data=body, timeout=30,
                              headers={"Content-Type": "application/json", **_slack_sign(self.fakes, body)})
            assert r.status_code == 200, r.text
            wait_until(lambda: any(expect in (c["params"].get("text") or "")
                                   for c in self.fakes.slack.find("chat.postMessage", channel=self.im)[before:]),
                       f"'{expect}' on Slack")
            time.sleep(1.0)
            return "\n".join(c["params"].get("text") or ""
                             for c in self.fakes.slack.find("chat.postMessage", channel=self.im)[before:])
        before = len(self.fakes.telegram.find("sendMessage", chat_id=self.chat))
        r = requests.post(f"{self.stack.rasa_url}/webhooks/telegram/webhook", json=telegram_message(self.chat, text),
                          headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}, timeout=60)
        assert r.status_code == 200, r.text
        return "\n".join(c["params"].get("text") or ""
                         for c in self.fakes.telegram.find("sendMessage", chat_id=self.chat)[before:])

    def close(self) -> None:
        if self.web is not None:
            self.web.close()


def _slack_sign(fakes: Fakes, body: bytes) -> Dict[str, str]:
    import hashlib
    import hmac

    ts = str(int(time.time()))
    digest = hmac.new(fakes.signing_secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@pytest.fixture
def user_of(stack: Stack, fakes: Fakes) -> Iterator[Callable[[str], User]]:
    made: List[User] = []

    def make(channel: str) -> User:
        made.append(User(channel, stack, fakes))
        return made[-1]

    yield make
    for u in made:
        u.close()


def logs(stack: Stack, workbench: Server) -> str:
    return "\n".join(p.read_text(errors="replace") for p in (stack.rasa.log_path, stack.actions.log_path,
                                                             workbench.log_path) if p.exists())


# --- personal data kept out -----------------------------------------------------------------------------
@pytest.mark.parametrize("channel", CHANNELS)
def test_an_email_and_a_phone_number_reach_no_store_log_or_page(channel: str, stack: Stack, workbench: Server,
                                                                user_of: Callable[[str], User]) -> None:
    user = user_of(channel)
    user.say("what does the CSPO cost?", "CSPO")
    user.say(PERSONAL, "")
    # the store: the user's message is kept, redacted (and nothing of the values anywhere in the file)
    wait_until(lambda: any("[email]" in row for row in stored_rows(user.cid)), "stored")
    rows = "\n".join(stored_rows(user.cid))
    assert REDACTED in rows
    for value in NEVER:
        assert value not in all_rows(), f"{value!r} is in the tracker store"
    # what Rasa serves of the conversation
    user_texts = [e["text"] for e in user.stack.tracker(user.cid)["events"] if e["event"] == "user"]
    assert REDACTED in user_texts
    # the workbench page shows the conversation, redacted
    page = workbench_page(workbench, user.cid)
    assert "[email]" in page and "[phone]" in page
    for value in NEVER:
        assert value not in page, f"{value!r} is on the workbench page"
    # the logs: Rasa logs every message's text at debug level; only the placeholders are there
    text = logs(stack, workbench)
    assert REDACTED in text, "the message's text is not in the debug log: the check below would prove nothing"
    for value in NEVER:
        assert value not in text, f"{value!r} is in a server log"


def test_prices_durations_and_scores_are_stored_as_typed(stack: Stack) -> None:
    sender = f"privacy-{uuid.uuid4().hex[:10]}"
    message = "is it 250 to 2,500 USD, 16 hours, and 37 of 50 (74%) to pass in 2026?"
    stack.say(sender, message)
    assert message in [e["text"] for e in stack.tracker(sender)["events"] if e["event"] == "user"]


# --- erasure on request --------------------------------------------------------------------------------
@pytest.mark.parametrize("channel", CHANNELS)
def test_forget_me_erases_the_conversation_in_every_channel(channel: str, stack: Stack, workbench: Server,
                                                            user_of: Callable[[str], User]) -> None:
    user = user_of(channel)
    user.say("what is the CSM?", "Scrum")
    assert stored_rows(user.cid)
    # a trainer reviewed it in the workbench
    workbench_page(workbench, user.cid)
    assert wb_post(workbench, "/conversation/review", user.cid, {"reviewed": "1", "note": "seen"}).status_code == 302
    assert _reviews_of(workbench, user.cid) == 1

    asked = user.say("please delete my data", ASKED)
    assert "everything you wrote here" in asked and "cannot be undone" in asked
    assert stored_rows(user.cid), "nothing is deleted before the user confirms"
    done = user.say("yes", DONE)
    assert DONE in done
    wait_until(lambda: stored_rows(user.cid) == [], "erased from the SQLite file")
    assert _reviews_of(workbench, user.cid) == 0, "the workbench's review of it is still there"
    log = stack.rasa.log_path.read_text(errors="replace").splitlines()
    erased = [line for line in log if "erased on the user's request" in line]
    assert erased and all("what is the CSM" not in line and user.cid not in line for line in erased)
    if channel == "web":  # the widget is told to drop its copy of the transcript
        assert {"advisor": "conversation_forgotten"} in user.web.bot
    # a fresh conversation: nothing of the old one comes back
    user.say("hi", "advisor")
    events = user.stack.tracker(user.cid)["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == ["hi"]
    assert "what is the CSM" not in "\n".join(stored_rows(user.cid))


def test_forget_me_declined_deletes_nothing(stack: Stack) -> None:
    sender = f"privacy-{uuid.uuid4().hex[:10]}"
    stack.say(sender, "what is the CSPO?")
    assert ASKED in texts(stack.say(sender, "forget me"))
    # only a yes deletes: asking again (or a "no, keep …" the NLU reads as forget_me) asks again
    assert ASKED in texts(stack.say(sender, "please delete my data"))
    assert "what is the CSPO?" in [e["text"] for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    assert "nothing is deleted" in texts(stack.say(sender, "no"))
    assert "what is the CSPO?" in [e["text"] for e in stack.tracker(sender)["events"] if e["event"] == "user"]


def _reviews_of(workbench: Server, cid: str) -> int:
    db = WORKDIR / "project" / ".workbench" / "workbench.db"
    with sqlite3.connect(db) as conn:
        return int(conn.execute("select count(*) from reviews where conversation_id = ?", (cid,)).fetchone()[0])


STORY = """version: "3.1"
stories:
- story: workbench {cid}
  steps:
  - user: |
      hi
    intent: greet
  - action: utter_greet
"""


def test_the_workbench_deletes_a_conversation_after_confirmation_and_lists_its_stories(
        stack: Stack, workbench: Server, project: Path) -> None:
    sender = f"privacy-{uuid.uuid4().hex[:10]}"
    cid = f"rest:{sender}"
    stack.say(sender, "hi")
    stack.say(sender, PERSONAL)
    page = workbench_page(workbench, cid)
    assert 'id="delete"' in page and 'name="confirm"' in page and "required" in page
    saved = wb_post(workbench, "/conversation/story", cid, {"story": STORY.format(cid=cid)})
    assert saved.status_code == 302 and "story_saved" in saved.headers["location"]

    refused = wb_post(workbench, "/conversation/delete", cid, {})
    assert refused.status_code == 302 and "failed" in refused.headers["location"]
    assert stored_rows(cid), "deleted without the confirmation"

    done = wb_post(workbench, "/conversation/delete", cid, {"confirm": "yes"})
    assert done.status_code == 200 and "Conversation deleted" in done.text, done.text[:500]
    assert stored_rows(cid) == []
    assert "tests/stories/workbench_" in done.text and "workbench/annotations" in done.text
    assert "filter-repo" in done.text  # how to take it out of the history: the trainer's to do
    assert wb_get(workbench, "/conversation", id=cid).status_code == 404, "a cached copy is still shown"
    assert "erased on a trainer's request in the workbench" in workbench.log_path.read_text(errors="replace")


def test_the_command_line_exports_and_forgets_a_conversation(stack: Stack, project: Path) -> None:
    sender = f"privacy-{uuid.uuid4().hex[:10]}"
    cid = f"rest:{sender}"
    stack.say(sender, "how much is the CSM?")
    stack.say(sender, PERSONAL)
    env = {**os.environ, "PYTHONPATH": str(ROOT), **GIT_ENV}
    base = [sys.executable, "-m", "workbench", "--root", str(project)]
    endpoints = ["--endpoints", str(WORKDIR / "endpoints.yml")]
    out = WORKDIR / "export.json"
    run = subprocess.run([*base, "export", cid, *endpoints, "--out", str(out)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert out.stat().st_mode & 0o077 == 0
    exported = json.loads(out.read_text())
    _check_export(exported, cid)

    refused = subprocess.run([*base, "forget", cid, *endpoints], env=env, input="n\n", capture_output=True,
                             text=True, timeout=120)
    assert refused.returncode == 1 and stored_rows(cid)
    forgot = subprocess.run([*base, "forget", cid, *endpoints, "--yes"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert forgot.returncode == 0, forgot.stderr
    assert f"{cid} deleted" in forgot.stdout and "no test story was committed" in forgot.stdout
    assert "erased on the command line (make forget)" in forgot.stderr and "how much" not in forgot.stderr
    assert stored_rows(cid) == []
    again = subprocess.run([*base, "export", cid, *endpoints], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "no conversation" in again.stderr


def test_the_workbench_exports_a_conversation_as_json(stack: Stack, workbench: Server) -> None:
    sender = f"privacy-{uuid.uuid4().hex[:10]}"
    cid = f"rest:{sender}"
    stack.say(sender, "how much is the CSM?")
    stack.say(sender, PERSONAL)
    workbench_page(workbench, cid)
    r = wb_get(workbench, "/conversation/export", id=cid)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert "attachment" in r.headers.get("content-disposition", "")
    _check_export(r.json(), cid)
    assert wb_get(workbench, "/conversation/export", id="rest:nobody").status_code == 404
    unsigned = requests.get(workbench.url + "/conversation/export", params={"id": cid}, timeout=30,  # type: ignore[attr-defined]
                            allow_redirects=False)
    assert unsigned.status_code == 401 and EMAIL not in unsigned.text and "how much" not in unsigned.text


def _check_export(exported: Dict[str, Any], cid: str) -> None:
    assert exported["conversation_id"] == cid and exported["channel"] == "rest"
    said: List[Tuple[str, str]] = [(m["from"], m["text"]) for m in exported["messages"]]
    assert ("user", "how much is the CSM?") in said and ("user", REDACTED) in said
    assert any(who == "bot" and "CSM" in text for who, text in said)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", m["time"]) for m in exported["messages"])
    assert all(m["channel"] == "rest" for m in exported["messages"] if m["from"] == "user")
    assert EMAIL not in json.dumps(exported)


# --- in a real browser -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def test_the_web_widget_forgets_in_a_browser_and_starts_afresh(stack: Stack, browser: Any) -> None:
    context = browser.new_context(viewport=DESKTOP)
    try:
        v = Visitor(context, stack.web_url)
        v.open()
        v.page.wait_for_function("([sel]) => document.querySelectorAll(sel).length > 0", arg=[BOT])  # the greeting
        v.say("what is the CSM?")
        old = v.session_id()
        cid = stack.web_conversation(old)
        assert stored_rows(cid)
        assert ASKED in v.say("please delete my data")
        v.page.locator(".ac-reply:enabled").filter(has_text="Yes, delete it").last.click()
        v.page.wait_for_function(
            """([old]) => { const s = JSON.parse(localStorage.getItem('advisor-chat:' + window.ADVISOR_CONFIG.rasaUrl)
                             || 'null'); return s && s.sessionId && s.sessionId !== old; }""", arg=[old])
        wait_until(lambda: stored_rows(cid) == [], "erased")
        kept = v.page.evaluate("() => localStorage.getItem('advisor-chat:' + window.ADVISOR_CONFIG.rasaUrl)")
        assert "what is the CSM" not in kept and DONE in kept, kept
        assert v.page.locator(USER).count() == 0 and v.page.locator(BOT).count() == 1
        assert DONE in v.page.locator(BOT).first.inner_text()
        v.shot("forgotten")
        assert "Scrum" in v.say("what is the CSPO?")
        fresh = stack.web_conversation(v.session_id())
        assert fresh != cid and any("what is the CSPO?" in row for row in stored_rows(fresh))
        assert v.errors == []
    finally:
        context.close()


def test_the_workbench_delete_button_needs_its_confirmation_box(stack: Stack, workbench: Server, browser: Any) -> None:
    sender = f"privacy-{uuid.uuid4().hex[:10]}"
    cid = f"rest:{sender}"
    stack.say(sender, "what is the CSM?")
    workbench_page(workbench, cid)
    links = re.findall(rf"{re.escape(workbench.url)}/login\?code=[A-Za-z0-9_-]+", workbench.log_path.read_text())  # type: ignore[attr-defined]
    assert links
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(links[-1])
        page.goto(f"{workbench.url}/conversation?id={cid}")  # type: ignore[attr-defined]
        page.click("#delete button[type=submit]")  # the box is not ticked: the browser does not send the form
        time.sleep(1)
        assert "/conversation?id=" in page.url and stored_rows(cid)
        page.check("#delete input[name=confirm]")
        page.locator("#privacy").screenshot(path=str(ROOT / "reports" / "screenshots" / "workbench-privacy.png"))
        page.click("#delete button[type=submit]")
        page.wait_for_selector("#deleted")
        assert "Conversation deleted" in page.content() and stored_rows(cid) == []
        assert page.locator("#committed-none").count() == 1
    finally:
        context.close()
