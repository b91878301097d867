"""Live handoff from the bot to a trainer (issue 21, docs/handoff.md), end to end: a Rasa server (SQLite tracker
store, the Slack and Telegram channels on against local stand-ins), the action server, the web page and the
workbench, all on free local ports; a real browser for the widget and the Live page.

In order, sharing one stack: the widget user and a trainer in a second browser context (two messages each way,
hand back, the bot answers the next question; screenshots into reports/screenshots/, copied to docs/ by hand);
the same over the Slack and Telegram stand-ins; REST (replies delivered with the next request) and four trainers
racing for one conversation; nobody on duty (a message and an e-mail left, shown in Messages, marked done); a
restart of the Rasa server in the middle of a handoff; the timeouts giving a conversation back to the bot; the
dashboard's counts.
"""
from __future__ import annotations

import re
import secrets
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests
from playwright.sync_api import Browser, expect, sync_playwright

from tests.e2e.test_channels import Channels, new_chat, new_id, slack_event, telegram_message
from tests.support.fakes import Fakes, start_fakes
from tests.support.stack import ROOT, Server, Stack, buttons, free_port, texts
from workbench.users import SERVICE as WB_TRAINER  # the trainer WORKBENCH_TOKEN signs in as

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SHOTS = ROOT / "reports" / "screenshots"  # copied into docs/ by hand when they change (docs/handoff.md)
WORKDIR = ROOT / "reports" / "e2e" / "handoff"
WB_TOKEN = secrets.token_urlsafe(24)
WAIT = 60
WAITING_TEXT = "asked a trainer from our team to join"
STAFF = "C0STAFF"  # the Slack staff channel (HANDOFF_SLACK_CHANNEL)
TAKEN_TEXT = "from the team has joined"
BACK_TEXT = "back with me, the bot"
BOT = ".ac-messages .ac-bot"
USER = ".ac-messages .ac-user"


def handoff_settings(path: Path, on_duty: str = "on", **timeouts: float) -> Path:
    t = {"waiting": 600, "user_idle": 600, "trainer_gone": 600, **timeouts}
    path.write_text(f'on_duty: "{on_duty}"\ntimezone: UTC\nhours:\n  monday: "09:00-17:00"\n'
                    f'timeouts: {{waiting: {t["waiting"]}, user_idle: {t["user_idle"]}, trainer_gone: {t["trainer_gone"]}}}\n'
                    "sweep_seconds: 1\n")
    return path


class Workbench:
    def __init__(self, stack: Stack) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**stack.env, "WORKBENCH_TOKEN": WB_TOKEN, "ADVISOR_RASA_URL": stack.rasa_url,
               "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("WORKBENCH_HOSTS", None)
        # its own project folder (its state goes there, not into the checkout): the domain is all it reads
        root = WORKDIR / "workbench-root"
        root.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "domain.yml", root / "domain.yml")
        cmd = [sys.executable, "-m", "workbench", "serve", "--root", str(root), "--port", str(self.port),
               "--endpoints", str(stack.workdir / "endpoints.yml")]
        self.server = Server("workbench", cmd, f"{self.url}/health", WORKDIR / "workbench.log", env)

    def start(self) -> "Workbench":
        self.server.start(timeout=120)
        return self

    def stop(self) -> None:
        self.server.stop()

    def get(self, path: str) -> requests.Response:
        return requests.get(self.url + path, headers={"Authorization": f"Bearer {WB_TOKEN}"}, timeout=30)

    def post(self, path: str, data: Dict[str, str]) -> requests.Response:
        return requests.post(self.url + path, data=data, headers={"Authorization": f"Bearer {WB_TOKEN}"},
                             allow_redirects=False, timeout=30)


@pytest.fixture(scope="module")
def fakes() -> Iterator[Fakes]:
    f = start_fakes()
    try:
        yield f
    finally:
        f.stop()


@pytest.fixture(scope="module")
def stack(fakes: Fakes) -> Iterator[Stack]:
    WORKDIR.mkdir(parents=True, exist_ok=True)
    for old in WORKDIR.glob("*.db*"):
        old.unlink()
    settings = handoff_settings(WORKDIR / "handoff.yml")
    s = Stack(WORKDIR, env={**fakes.env, "ADVISOR_HANDOFF_FILE": str(settings), "HANDOFF_SLACK_CHANNEL": STAFF},
              tracker_env={"ADVISOR_TRACKER_DB": str(WORKDIR / "conversations.db")})
    try:
        s.start(web=True)
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def wb(stack: Stack) -> Iterator[Workbench]:
    w = Workbench(stack).start()
    try:
        yield w
    finally:
        w.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: scripts/setup.sh --test installs it"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def rasa(stack: Stack, operation: str, cid: str, trainer: str, **extra: str) -> requests.Response:
    return requests.post(f"{stack.rasa_url}/handoff/{operation}", json={"conversation_id": cid, "trainer": trainer,
                                                                        **extra},
                         headers={"Authorization": f"Bearer {stack.auth_token}"}, timeout=30)


def events(stack: Stack, cid: str) -> List[Dict[str, Any]]:
    return stack.tracker(cid)["events"]


def wait_until(predicate: Any, timeout: float = WAIT, what: str = "") -> Any:
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


# --- the widget and the Live page, in two browser contexts ---------------------------------------------
def test_widget_user_and_trainer_on_the_live_page(stack: Stack, wb: Workbench, browser: Browser) -> None:
    user_ctx = browser.new_context(viewport={"width": 1100, "height": 820})
    trainer_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    errors: List[str] = []
    try:
        user = user_ctx.new_page()
        user.set_default_timeout(WAIT * 1000)
        user.on("pageerror", lambda e: errors.append(str(e)))
        user.goto(stack.web_url)
        user.wait_for_function("() => window.advisorChat !== undefined")
        expect(user.locator(".ac")).to_have_attribute("data-state", "online", timeout=30_000)

        def user_says(text: str) -> None:
            user.fill(".ac-input", text)
            user.click(".ac-send")
            expect(user.locator(USER).last).to_have_text(text)

        user_says("What is the CSPO?")
        expect(user.locator(BOT).last).to_contain_text("Product Owner")
        user_says("can I talk to a real person?")
        expect(user.locator(BOT).last).to_contain_text(WAITING_TEXT)

        trainer = trainer_ctx.new_page()
        trainer.set_default_timeout(WAIT * 1000)
        trainer.on("pageerror", lambda e: errors.append(str(e)))
        trainer.goto(wb.url + "/login")
        trainer.fill("input[name=token]", WB_TOKEN)
        trainer.click("button[type=submit]")
        trainer.goto(wb.url + "/live")
        row = trainer.locator("tr.live-row", has_text="web:").first
        expect(row).to_contain_text("waiting")
        row.locator("a", has_text="open").click()
        expect(trainer.locator("#transcript")).to_contain_text("can I talk to a real person?")
        trainer.click("#take button")
        expect(trainer.locator("#live-state")).to_contain_text(f"held by {WB_TRAINER}")
        expect(user.locator(BOT).last).to_contain_text(f"{WB_TRAINER} {TAKEN_TEXT}")

        for text in ("Hello, I'm a trainer from the team. How can I help?", "Our next CSPO course starts on Monday."):
            trainer.fill("#reply textarea", text)
            trainer.click("#reply button")
            expect(user.locator(BOT).last).to_contain_text(text)
            expect(trainer.locator("#reply textarea")).to_have_value("")
        for text in ("Is there a discount for two people?", "And is it online?"):
            before = user.locator(BOT).count()
            user_says(text)
            # seen on the trainer's page without a reload, and the bot stays silent
            expect(trainer.locator("#transcript .msg.user").last).to_have_text(re.compile(re.escape(text)))
            time.sleep(1.0)
            assert user.locator(BOT).count() == before, "the bot answered while a trainer held the conversation"
            expect(user.locator(".ac-typing")).to_be_hidden()  # no typing dots: a person answers when they answer
        SHOTS.mkdir(parents=True, exist_ok=True)
        user.screenshot(path=str(SHOTS / "handoff-widget.png"))
        trainer.screenshot(path=str(SHOTS / "handoff-live.png"), full_page=True)

        trainer.click("#release button")
        expect(user.locator(BOT).last).to_contain_text(BACK_TEXT)
        user_says("how much does the CSM cost?")
        expect(user.locator(BOT).last).to_contain_text("USD")

        cid = _web_conversation(stack)
        evs = events(stack, cid)
        agents = [e for e in evs if e["event"] == "bot" and (e.get("metadata") or {}).get("handoff_agent")]
        assert [e["metadata"]["handoff_agent"] for e in agents] == [WB_TRAINER, WB_TRAINER]
        kinds = [e["event"] for e in evs]
        assert "pause" in kinds and "resume" in kinds and kinds.index("pause") < kinds.index("resume")
        assert not errors, errors
    finally:
        user_ctx.close()
        trainer_ctx.close()


def _web_conversation(stack: Stack) -> str:
    """The one web conversation of this module's stack (the tracker store lists it)."""
    import sqlite3

    with sqlite3.connect(WORKDIR / "conversations.db") as db:
        rows = db.execute("select distinct sender_id from events where sender_id like 'web:%'").fetchall()
    assert len(rows) == 1, rows
    return str(rows[0][0])


# --- Slack and Telegram --------------------------------------------------------------------------------
def test_slack_handoff_through_the_stand_in(stack: Stack, wb: Workbench, fakes: Fakes) -> None:
    ch = Channels(stack, fakes.slack, fakes.telegram, fakes.signing_secret)
    user, channel = new_id("U"), new_id("D")
    cid = f"slack:T0TEAM:{user}"
    assert ch.slack_send(slack_event("put me through to a trainer", user, channel)).status_code == 200
    fakes.slack.wait_for("chat.postMessage", lambda c: WAITING_TEXT in c["params"].get("text", ""), channel=channel)
    note = fakes.slack.wait_for("chat.postMessage", lambda c: "waiting for a person" in c["params"].get("text", "")
                                and "(slack)" in c["params"]["text"], channel=STAFF)
    assert user not in str(note["params"]) and channel not in str(note["params"])  # nothing about the user
    assert wb.post(f"/live/take?id={cid}", {}).status_code == 302
    assert rasa(stack, "take", cid, "someone else").status_code == 409
    fakes.slack.wait_for("chat.postMessage", lambda c: TAKEN_TEXT in c["params"].get("text", ""), channel=channel)
    for text in ("Hi from the team on Slack", "Anything else?"):
        assert rasa(stack, "say", cid, WB_TRAINER, text=text).json()["pushed"] is True
        fakes.slack.wait_for("chat.postMessage", lambda c, t=text: c["params"].get("text") == t, channel=channel)
    for text in ("thanks, one more thing", "what about dates?"):
        assert ch.slack_send(slack_event(text, user, channel)).status_code == 200
        wait_until(lambda t=text: any(e["event"] == "user" and e["text"] == t for e in events(stack, cid)),
                   what=f"the user's {text!r} in the tracker")
    r = wb.get(f"/live/poll?id={cid}&after=0").json()
    assert [t["text"] for t in r["turns"] if t["kind"] == "user"][-2:] == ["thanks, one more thing", "what about dates?"]
    assert rasa(stack, "release", cid, WB_TRAINER).status_code == 200
    fakes.slack.wait_for("chat.postMessage", lambda c: BACK_TEXT in c["params"].get("text", ""), channel=channel)
    assert ch.slack_send(slack_event("how much does the CSPO cost?", user, channel)).status_code == 200
    fakes.slack.wait_for("chat.postMessage", lambda c: "USD" in c["params"].get("text", ""), channel=channel)


def test_telegram_handoff_through_the_stand_in(stack: Stack, wb: Workbench, fakes: Fakes) -> None:
    ch = Channels(stack, fakes.slack, fakes.telegram, fakes.signing_secret)
    chat = new_chat()
    cid = f"telegram:{chat}"
    assert ch.telegram_post(telegram_message(chat, "I want to speak to someone from your team")).status_code == 200
    fakes.telegram.wait_for("sendMessage", lambda c: WAITING_TEXT in c["params"].get("text", ""), chat_id=chat)
    assert rasa(stack, "take", cid, "Kim").status_code == 200
    fakes.telegram.wait_for("sendMessage", lambda c: f"Kim {TAKEN_TEXT}" in c["params"].get("text", ""), chat_id=chat)
    for text in ("Hi, Kim here", "How can I help?"):
        assert rasa(stack, "say", cid, "Kim", text=text).json()["pushed"] is True
        fakes.telegram.wait_for("sendMessage", lambda c, t=text: c["params"].get("text") == t, chat_id=chat)
    for text in ("is there a weekend course?", "ok thanks"):
        assert ch.telegram_post(telegram_message(chat, text)).status_code == 200
    users = [e["text"] for e in events(stack, cid) if e["event"] == "user"]
    assert users[-2:] == ["is there a weekend course?", "ok thanks"]
    sent_while_held = [c["params"]["text"] for c in fakes.telegram.find("sendMessage", chat_id=chat)]
    assert not any("USD" in t or "Sorry" in t for t in sent_while_held), sent_while_held
    assert rasa(stack, "release", cid, "Kim").status_code == 200
    fakes.telegram.wait_for("sendMessage", lambda c: BACK_TEXT in c["params"].get("text", ""), chat_id=chat)
    assert ch.telegram_post(telegram_message(chat, "how much does the CSM cost?")).status_code == 200
    fakes.telegram.wait_for("sendMessage", lambda c: "USD" in c["params"].get("text", ""), chat_id=chat)


# --- ways to a person: "are you human?" and two misunderstood messages in a row offer one ---------------
def test_a_person_is_offered_after_are_you_human_and_after_two_misses(stack: Stack) -> None:
    sender = f"offer-{secrets.token_hex(4)}"
    msgs = stack.say(sender, "are you a real person?")
    assert "I'm a bot" in texts(msgs) and "/request_human" in [b["payload"] for b in buttons(msgs)]
    other = f"offer-{secrets.token_hex(4)}"
    stack.say(other, " ")  # a blank REST message is "not understood" (channels/rest.py)
    msgs = stack.say(other, " ")
    assert "talk to a person" in texts(msgs) and "/request_human" in [b["payload"] for b in buttons(msgs)]
    assert WAITING_TEXT in texts(stack.say(other, "/request_human"))
    assert rasa(stack, "take", f"rest:{other}", "Lu").status_code == 200
    assert rasa(stack, "release", f"rest:{other}", "Lu").status_code == 200


# --- REST: replies with the next request; two trainers, one conversation ---------------------------------
def test_rest_replies_come_with_the_next_request_and_only_one_trainer_takes_it(stack: Stack) -> None:
    sender = f"handoff-{secrets.token_hex(4)}"
    cid = f"rest:{sender}"
    stack.say(sender, "I'm a developer, help me choose")
    assert "team" in texts(stack.say(sender, "actually, is there a human I could chat with?"))
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda name: rasa(stack, "take", cid, name).status_code, ["A", "B", "C", "D"]))
    assert sorted(results) == [200, 409, 409, 409], results
    holder = stack.slot(sender, "handoff_trainer")
    assert rasa(stack, "say", cid, holder, text="Hello from a person").json()["pushed"] is False
    assert rasa(stack, "say", cid, "not-the-holder", text="hi").status_code == 409
    reply = texts(stack.say(sender, "hello?"))
    assert TAKEN_TEXT in reply and "Hello from a person" in reply
    assert texts(stack.say(sender, "still there?")) == ""  # delivered once; the bot stays silent
    assert rasa(stack, "release", cid, holder).status_code == 200
    reply = texts(stack.say(sender, "what does a product owner do?"))
    assert BACK_TEXT in reply and "backlog" in reply.lower()
    assert stack.slot(sender, "current_role") == "developer"  # slots kept through the handoff


def test_handoff_routes_need_the_api_token(stack: Stack) -> None:
    r = requests.post(f"{stack.rasa_url}/handoff/take", json={"conversation_id": "rest:x", "trainer": "t"}, timeout=10)
    assert r.status_code == 401
    r = requests.post(f"{stack.rasa_url}/handoff/take?token=wrong", json={"conversation_id": "rest:x"}, timeout=10)
    assert r.status_code == 401
    r = rasa(stack, "take", "rest:nobody-" + secrets.token_hex(4), "t")
    assert r.status_code == 404
    r = requests.post(f"{stack.rasa_url}/handoff/say", data="nope",
                      headers={"Authorization": f"Bearer {stack.auth_token}", "Content-Type": "application/json"},
                      timeout=10)
    assert r.status_code == 400


# --- nobody on duty: a message and an e-mail left -------------------------------------------------------
def test_nobody_on_duty_leaves_a_message_with_an_email(stack: Stack, wb: Workbench, fakes: Fakes) -> None:
    r = wb.post("/live/duty", {"on_duty": "off"})
    assert r.status_code == 302 and "duty_saved" in r.headers["location"], r.headers
    try:
        sender = f"left-{secrets.token_hex(4)}"
        reply = texts(stack.say(sender, "can I talk to a real person?"))
        assert "Nobody from the team is available" in reply and "leave them a message" in reply
        assert stack.tracker(sender)["latest_event_time"] and not any(
            e["event"] == "pause" for e in events(stack, sender))
        assert "Type your message" in texts(stack.say(sender, "yes"))
        assert "e-mail" in texts(stack.say(sender, "Do you offer a discount for groups of five?"))
        assert "Which e-mail address" in texts(stack.say(sender, "yes please"))
        assert "doesn't look like an e-mail" in texts(stack.say(sender, "my address is secret"))
        assert "they'll write back" in texts(stack.say(sender, "it's lee.reader@example.org thanks"))
        page = wb.get("/messages").text
        assert "Do you offer a discount for groups of five?" in page and "lee.reader@example.org" in page
        note = fakes.slack.wait_for("chat.postMessage", lambda c: "left a message" in c["params"].get("text", ""),
                                    channel=STAFF)
        assert "discount" not in note["params"]["text"] and "lee.reader" not in str(note["params"])
        # without a yes, no address is asked for or kept
        other = f"left-{secrets.token_hex(4)}"
        stack.say(other, "human please")
        stack.say(other, "yes")
        stack.say(other, "Call me about the CSM dates, 555 0100 and x@y.com")
        assert "Without an address" in texts(stack.say(other, "no"))
        page = wb.get("/messages").text
        # the message is kept as everything else is, personal data replaced: an address and a phone number in it
        # without the explicit yes are not kept (PRIVACY.md)
        assert page.count("left-message") >= 2 and "Call me about the CSM dates" in page
        assert "x@y.com" not in page and "555 0100" not in page and "[email]" in page
        ref = re.search(r'name="ref" value="([0-9a-f]{32})"', page)
        assert ref
        assert wb.post("/messages/done", {"ref": ref.group(1)}).status_code == 302
        assert wb.get("/messages").text.count('class="left-message"') == page.count('class="left-message"') - 1
    finally:
        wb.post("/live/duty", {"on_duty": "on"})


# --- a restart of the Rasa server in the middle of a handoff ---------------------------------------------
def test_a_rasa_restart_in_the_middle_of_a_handoff_loses_nothing(stack: Stack) -> None:
    sender = f"restart-{secrets.token_hex(4)}"
    cid = f"rest:{sender}"
    stack.say(sender, "I'm a business analyst")
    stack.say(sender, "can a real trainer answer me?")
    assert rasa(stack, "take", cid, "Sam").status_code == 200
    assert rasa(stack, "say", cid, "Sam", text="Before the restart").status_code == 200
    stack.rasa.stop()
    stack.rasa.start(timeout=300)
    assert stack.slot(sender, "handoff") == "held" and stack.slot(sender, "handoff_trainer") == "Sam"
    reply = texts(stack.say(sender, "are you still there?"))
    assert "Before the restart" in reply
    assert rasa(stack, "take", cid, "Other").status_code == 409
    assert rasa(stack, "say", cid, "Sam", text="After the restart").status_code == 200
    assert rasa(stack, "release", cid, "Sam").status_code == 200
    assert "After the restart" in texts(stack.say(sender, "ok"))
    assert stack.slot(sender, "current_role") == "business_analyst"


# --- timeouts: the bot takes the conversation back --------------------------------------------------------
def test_timeouts_give_the_conversation_back_with_a_message(stack: Stack) -> None:
    settings = WORKDIR / "handoff.yml"
    handoff_settings(settings, waiting=3, user_idle=600, trainer_gone=4)
    try:
        waiting = f"wait-{secrets.token_hex(4)}"
        stack.say(waiting, "connect me with a human")
        wait_until(lambda: stack.slot(waiting, "handoff") == "offer_message", what="the waiting timeout")
        reply = texts(stack.say(waiting, "no"))
        assert "nobody from the team could join in time" in reply and "No problem" in reply
        held = f"held-{secrets.token_hex(4)}"
        stack.say(held, "get me a person")
        assert rasa(stack, "take", f"rest:{held}", "Ana").status_code == 200
        # the trainer's page stops checking in: back to the bot
        wait_until(lambda: stack.slot(held, "handoff") is None, what="the trainer-gone timeout")
        assert "trainer had to leave" in texts(stack.say(held, "hello?"))
    finally:
        handoff_settings(settings)


# --- the dashboard counts ----------------------------------------------------------------------------------
def test_dashboard_counts_the_handoffs(wb: Workbench) -> None:
    page = wb.get("/dashboard").text
    handoffs = int(re.search(r'id="kpi-handoffs">(\d+)<', page).group(1))  # type: ignore[union-attr]
    answered = int(re.search(r'id="kpi-handoff-answered">(\d+)<', page).group(1))  # type: ignore[union-attr]
    missed = int(re.search(r'id="kpi-handoff-missed">(\d+)<', page).group(1))  # type: ignore[union-attr]
    assert answered >= 4 and missed >= 1 and handoffs >= answered + missed, (handoffs, answered, missed)
    assert re.search(r'id="kpi-handoff-wait">\d+ / \d+ s<', page)
