"""The website: the page served by web/serve.py and its chat widget, in a real headless browser.

Debian's Chromium (/usr/bin/chromium) driven by Playwright talks to the real Rasa server and action
server over socket.io, as a visitor would. The module has its own stack (it stops and restarts the
Rasa server to check the offline message), in reports/e2e/web/. Screenshots of both widths go to
reports/screenshots/ (web-*.png).

The tests in this file run in order and share one desktop browser page: greeting, a typed question,
buttons through the recommendation, a reload, the server going away and coming back.
"""
from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.support.stack import ROOT, Stack

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SHOTS = ROOT / "reports" / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 812}
REPLY_S = 60  # seconds for the bot to answer (the action server runs the answers)

from tests.e2e.conftest import WEBCHAT_PORT  # noqa: E402 - the rasa-webchat test page (see the end of this file)

WEBCHAT_BUNDLE = ROOT / "web" / "node_modules" / "rasa-webchat" / "lib" / "index.js"

BOT = ".ac-messages .ac-bot"
USER = ".ac-messages .ac-user"
BANNER = ".ac-banner"


# --- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def web_stack(stack: Stack) -> Stack:
    """The session's shared stack: action server, Rasa server and this page (tests/e2e/conftest.py)."""
    return stack


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: scripts/setup.sh --test installs it (apt-get install chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Visitor:
    """One browser tab on the page, with the JavaScript errors it raised."""

    def __init__(self, context: BrowserContext, url: str) -> None:
        self.context = context
        self.url = url
        self.page: Page = context.new_page()
        self.page.set_default_timeout(REPLY_S * 1000)
        self.errors: List[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self) -> None:
        self.page.goto(self.url)
        # (functions, not expression strings: the page's Content-Security-Policy forbids eval)
        self.page.wait_for_function("() => window.advisorChat !== undefined")
        # Records whether the typing indicator was ever shown (it may be visible for a moment only).
        self.page.evaluate(
            """() => {
                window.__typingSeen = false;
                const t = document.querySelector('.ac-typing');
                new MutationObserver(() => { if (!t.hidden) window.__typingSeen = true; })
                    .observe(t, {attributes: true, attributeFilter: ['hidden']});
            }"""
        )

    def bot_count(self) -> int:
        return self.page.locator(BOT).count()

    def bot_turn(self, act: Callable[[], Any]) -> str:
        """Does `act` and waits for the bot's answer to finish arriving; returns the new bot texts."""
        before = self.bot_count()
        act()
        self.page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length > n", arg=[BOT, before],
                                    timeout=REPLY_S * 1000)
        self.settle()
        return "\n".join(self.page.locator(BOT).nth(i).inner_text() for i in range(before, self.bot_count()))

    def settle(self, quiet_s: float = 1.5) -> None:
        """Waits until no bot message has arrived for quiet_s seconds (a turn may have several)."""
        count, since = self.bot_count(), time.time()
        while time.time() - since < quiet_s:
            time.sleep(0.25)
            now = self.bot_count()
            if now != count:
                count, since = now, time.time()

    def say(self, text: str) -> str:
        def act() -> None:
            self.page.fill(".ac-input", text)
            self.page.click(".ac-send")
        return self.bot_turn(act)

    def click_reply(self, title: str) -> str:
        button = self.page.locator(".ac-reply:enabled").filter(has_text=re.compile(f"^{re.escape(title)}$")).last
        expect(button).to_be_visible()
        return self.bot_turn(button.click)

    def session_id(self) -> str:
        return self.page.evaluate(
            "() => JSON.parse(localStorage.getItem('advisor-chat:' + window.ADVISOR_CONFIG.rasaUrl)).sessionId"
        )

    def shot(self, name: str, full_page: bool = False) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"web-{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        assert path.stat().st_size > 5000, f"screenshot {path} looks empty"
        return path

    def show_widget(self) -> None:
        """Scrolls the page so that the chat widget starts at the top of the window."""
        self.page.evaluate("() => document.querySelector('.ac').scrollIntoView({block: 'start'})")

    def no_horizontal_scroll(self) -> None:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        viewport = self.page.viewport_size["width"]
        assert width <= viewport, f"the page is {width}px wide in a {viewport}px window (horizontal scrolling)"
        box = self.page.locator(".ac").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport + 0.5, f"chat widget off screen: {box}"


@pytest.fixture(scope="module")
def desktop(web_stack: Stack, browser: Browser) -> Iterator[Visitor]:
    context = browser.new_context(viewport=DESKTOP)
    visitor = Visitor(context, web_stack.web_url)
    try:
        yield visitor
    finally:
        context.close()


def user_texts(stack: Stack, sender: str) -> List[str]:
    """User texts of the web conversation whose session credential is `sender` (stored under an id derived
    from it: channels.ids.web_conversation_id)."""
    return [e.get("text") for e in stack.tracker(stack.web_conversation(sender))["events"] if e.get("event") == "user"]


def test_allowed_origins_come_from_the_environment() -> None:
    from channels.socketio import allowed_origins

    assert allowed_origins({}) == ["http://127.0.0.1:8000", "http://localhost:8000"]
    assert allowed_origins({"SOCKETIO_CORS_ORIGINS": "  "}) == ["http://127.0.0.1:8000", "http://localhost:8000"]
    assert allowed_origins({"SOCKETIO_CORS_ORIGINS": "https://a.example/ https://b.example:8443 https://a.example"}) == [
        "https://a.example", "https://b.example:8443"]


# --- the page server and the socket.io origin check, over plain HTTP -----------------------------
def test_page_config_and_libraries_are_served(web_stack: Stack) -> None:
    base = web_stack.web_url.rstrip("/")
    page = requests.get(base + "/", timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert "CSM or CSPO" in page.text and 'src="/chat.js"' in page.text
    assert "cdn" not in page.text.lower() and "https://" not in page.text, "the page must not load anything from elsewhere"
    # the trademark notice: not affiliated with Scrum Alliance, whose registered marks CSM and CSPO are
    legal = re.sub(r"\s+", " ", page.text)
    assert "not affiliated with or endorsed by Scrum Alliance" in legal, "the page must say it is not affiliated"
    assert "CSM® (Certified ScrumMaster®) and CSPO® (Certified Scrum Product Owner®) are registered trademarks" in legal
    config = requests.get(base + "/config.js", timeout=10)
    assert config.status_code == 200 and web_stack.rasa_url in config.text
    for path in ("/vendor/socket.io.min.js", "/vendor/marked.umd.js", "/vendor/purify.min.js", "/chat.js", "/chat.css"):
        r = requests.get(base + path, timeout=10)
        assert r.status_code == 200 and len(r.content) > 1000, path
    # nothing else: no listing, no way out of the fixed file list
    for path in ("/vendor/", "/node_modules/", "/node_modules/marked/package.json", "/serve.py", "/../serve.py",
                 "/%2e%2e/serve.py", "/vendor/../serve.py", "/web/serve.py", "/etc/passwd"):
        r = requests.get(base + path, timeout=10)
        assert r.status_code == 404, f"{path} answered {r.status_code}"
    assert requests.post(base + "/", data="x", timeout=10).status_code == 405


def _handshake(stack: Stack, origin: str) -> requests.Response:
    return requests.get(f"{stack.rasa_url}/socket.io/", params={"EIO": "4", "transport": "polling"},
                        headers={"Origin": origin}, timeout=10)


def test_socketio_accepts_only_the_page_origins(web_stack: Stack) -> None:
    for origin in (web_stack.web_origin, f"http://localhost:{web_stack.web_port}"):
        r = _handshake(web_stack, origin)
        assert r.status_code == 200 and r.text.startswith("0{"), f"{origin}: {r.status_code} {r.text[:80]}"
        # exactly one Access-Control-Allow-Origin header (two make browsers refuse the response)
        assert r.raw.headers.getlist("Access-Control-Allow-Origin") == [origin]
    for origin in ("http://evil.example", "http://127.0.0.1:1", f"https://127.0.0.1:{web_stack.web_port}", "null"):
        r = _handshake(web_stack, origin)
        assert r.status_code in (400, 403), f"foreign origin {origin} was accepted: {r.status_code} {r.text[:80]}"
        assert "0{" not in r.text and not r.headers.get("Access-Control-Allow-Origin")


def test_browser_on_a_foreign_site_cannot_connect(web_stack: Stack, browser: Browser) -> None:
    """A page served from another origin (stood in by Playwright) cannot open the socket, by polling or websocket."""
    client = (ROOT / "web" / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js").read_text()
    context = browser.new_context()
    try:
        context.route("http://foreign.example/**", lambda route: route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><title>foreign</title>"))
        page = context.new_page()
        page.goto("http://foreign.example/")
        page.add_script_tag(content=client)
        for transports in (["polling"], ["websocket"]):
            result = page.evaluate(
                """([url, transports]) => new Promise(resolve => {
                    const s = io(url, {transports, reconnection: false, timeout: 5000});
                    s.on('connect', () => { s.close(); resolve('connected'); });
                    s.on('connect_error', e => { s.close(); resolve('refused: ' + e.message); });
                })""",
                [web_stack.rasa_url, transports],
            )
            assert result.startswith("refused"), f"{transports}: {result}"
    finally:
        context.close()


# --- the conversation on a desktop-sized window --------------------------------------------------
def test_greeting_with_buttons_and_a_typed_question(desktop: Visitor, web_stack: Stack) -> None:
    page = desktop.page
    desktop.open()
    expect(page.locator(".ac")).to_have_attribute("data-state", "online", timeout=30_000)
    expect(page.locator(BOT).first).to_contain_text("CSM/CSPO advisor", timeout=REPLY_S * 1000)
    desktop.settle()
    for title in ("Help me choose", "Compare CSM and CSPO"):
        expect(page.locator(".ac-reply:enabled", has_text=title).first).to_be_visible()
    expect(page.locator(BANNER)).to_be_hidden()
    expect(page.locator(".site-footer .legal")).to_contain_text("not affiliated with or endorsed by Scrum Alliance")
    desktop.shot("desktop-greeting")

    answer = desktop.say("How much does the CSPO certification cost?")  # a fact whose source has an address
    assert "Product Owner" in answer, answer
    expect(page.locator(USER).last).to_have_text("How much does the CSPO certification cost?")
    assert page.evaluate("window.__typingSeen"), "no typing indicator was shown while waiting for the answer"
    expect(page.locator(".ac-typing")).to_be_hidden()
    # Markdown: links are real links that open in a new tab; nothing shows raw Markdown syntax
    link = page.locator(f"{BOT} .ac-bubble a[href^='http']").last
    expect(link).to_be_visible()
    expect(link).to_have_attribute("target", "_blank")
    last = page.locator(f"{BOT} .ac-bubble").last.inner_text()
    assert "](" not in last and "**" not in last, f"raw Markdown in the bubble: {last!r}"

    # the conversation id is web:<the widget's session id>, an id the server issued (random, signed)
    sender = desktop.session_id()
    assert re.fullmatch(r"[0-9a-f]{32}\.[0-9]+\.[0-9a-f]{32}", sender), sender
    assert "How much does the CSPO certification cost?" in user_texts(web_stack, sender)


def test_comparison_is_readable(desktop: Visitor) -> None:
    page = desktop.page
    answer = desktop.say("What is the difference between CSM and CSPO?")
    assert "CSM" in answer and "CSPO" in answer, answer
    bubble = page.locator(f"{BOT} .ac-bubble").filter(has_text="CSPO").last
    # the comparison arrives as one bubble rendered as a table or as lists, with bold headings
    assert bubble.locator("table, ul li").count() >= 4, bubble.inner_html()
    assert bubble.locator("strong").count() >= 2, bubble.inner_html()
    desktop.shot("desktop-comparison")


def test_buttons_lead_to_a_recommendation(desktop: Visitor, web_stack: Stack) -> None:
    page = desktop.page
    sender = desktop.session_id()
    asked_role = desktop.say("Help me choose")
    assert "role" in asked_role.lower(), asked_role

    asked_focus = desktop.click_reply("Developer")
    expect(page.locator(USER).last).to_have_text("Developer")  # the title is shown...
    assert user_texts(web_stack, sender)[-1] == "I'm a developer"  # ...and the payload is sent
    assert "team" in asked_focus.lower() and "product" in asked_focus.lower(), asked_focus

    asked_transformation = desktop.click_reply("Helping the team work well")
    assert user_texts(web_stack, sender)[-1] == "/goal_facilitate_teams"
    assert "transformation" in asked_transformation.lower(), asked_transformation

    recommendation = desktop.click_reply("No")
    assert "My recommendation for you" in recommendation, recommendation
    assert web_stack.slot(web_stack.web_conversation(sender), "recommendation") in ("csm", "cspo", "both")
    # a long answer is shown from its start, not scrolled to its end
    assert page.evaluate("""() => {
        const log = document.querySelector('.ac-log').getBoundingClientRect();
        const answer = [...document.querySelectorAll('.ac-messages .ac-bot')].pop().getBoundingClientRect();
        return answer.top >= log.top - 1 && answer.top < log.bottom;
    }"""), "the start of the recommendation is scrolled out of view"
    # older buttons no longer apply once answered
    assert page.locator(".ac-reply:disabled", has_text="Developer").count() >= 1
    desktop.no_horizontal_scroll()
    desktop.shot("desktop-recommendation")


def test_reload_keeps_the_conversation(desktop: Visitor, web_stack: Stack) -> None:
    page = desktop.page
    sender = desktop.session_id()
    bot_before, user_before = desktop.bot_count(), page.locator(USER).count()
    texts_before = page.locator(".ac-messages").inner_text()
    page.reload()
    desktop.open()
    expect(page.locator(".ac")).to_have_attribute("data-state", "online", timeout=30_000)
    assert desktop.session_id() == sender, "the reload started another conversation"
    assert desktop.bot_count() == bot_before and page.locator(USER).count() == user_before
    assert page.locator(".ac-messages").inner_text() == texts_before
    expect(page.locator(BOT, has_text="My recommendation for you")).to_have_count(1)
    desktop.shot("desktop-after-reload")

    # the conversation goes on under the same sender id after the reload
    answer = desktop.say("How much does the CSM cost?")
    assert answer.strip(), "no answer after the reload"
    assert user_texts(web_stack, sender)[-1] == "How much does the CSM cost?"


# --- a phone-sized window ------------------------------------------------------------------------
def test_phone_width(web_stack: Stack, browser: Browser) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        phone = Visitor(context, web_stack.web_url)
        phone.open()
        page = phone.page
        expect(page.locator(BOT).first).to_contain_text("CSM/CSPO advisor", timeout=REPLY_S * 1000)
        phone.settle()
        phone.no_horizontal_scroll()
        phone.shot("phone-greeting", full_page=True)

        answer = phone.click_reply("Compare CSM and CSPO")
        assert "CSPO" in answer, answer
        phone.no_horizontal_scroll()
        send = page.locator(".ac-send").bounding_box()
        assert send and send["x"] + send["width"] <= PHONE["width"], f"send button off screen: {send}"
        phone.show_widget()
        phone.shot("phone-comparison")

        asked_role = phone.say("help me choose")
        assert "role" in asked_role.lower(), asked_role
        phone.click_reply("Business analyst")
        phone.click_reply("Deciding what we build")
        recommendation = phone.click_reply("No")
        assert "My recommendation for you" in recommendation, recommendation
        phone.no_horizontal_scroll()
        phone.show_widget()
        phone.shot("phone-recommendation")
        assert not phone.errors, f"JavaScript errors on the page: {phone.errors}"
    finally:
        context.close()


# --- last: the Rasa server goes away and comes back -------------------------------------------
def test_offline_message_and_recovery(desktop: Visitor, web_stack: Stack) -> None:
    page = desktop.page
    web_stack.rasa.stop()
    banner = page.locator(BANNER)
    expect(banner).to_be_visible(timeout=30_000)
    expect(banner).to_contain_text("can't be reached")
    expect(page.locator(".ac")).to_have_attribute("data-state", "offline")
    expect(page.locator(".ac-send")).to_be_disabled()
    desktop.page.fill(".ac-input", "are you there?")
    assert page.locator(".ac-send").is_disabled() and page.locator(USER).last.inner_text() != "are you there?"
    desktop.page.fill(".ac-input", "")
    assert page.locator(BOT, has_text="My recommendation for you").count() == 1, "history lost while offline"
    desktop.shot("desktop-offline")

    web_stack.rasa.start(timeout=300)
    expect(banner).to_be_hidden(timeout=60_000)
    expect(page.locator(".ac")).to_have_attribute("data-state", "online")
    expect(page.locator(".ac-send")).to_be_enabled()
    answer = desktop.say("What does a Scrum Master do?")
    assert "Scrum Master" in answer, answer
    desktop.shot("desktop-recovered")
    assert not desktop.errors, f"JavaScript errors on the page: {desktop.errors}"



# --- the stock rasa-webchat widget (npm rasa-webchat 1.0.1, a devDependency) ---------------------------
WEBCHAT_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>rasa-webchat test page</title></head>
<body><div id="webchat"></div><script src="/rasa-webchat.js"></script>
<script>WebChat.default({initPayload: "/greet", socketUrl: %s, socketPath: "/socket.io/", title: "Advisor",
  embedded: true, params: {storage: "local"}}, document.getElementById("webchat"));</script></body></html>"""


def test_stock_rasa_webchat_widget_chats_with_the_advisor(web_stack: Stack, browser: Browser) -> None:
    """Rasa's standard socket.io protocol still works for a widget we did not write: rasa-webchat sends
    session_request, keeps the id session_confirm returns and sends user_uttered with it. The test page
    is served by the test itself on its own port (an origin the test stack allows), never by serve.py."""
    assert WEBCHAT_BUNDLE.is_file(), "rasa-webchat is missing: scripts/setup.sh --test (npm ci in web/)"
    page_server = webchat_page_server(WEBCHAT_PAGE % json.dumps(web_stack.rasa_url))
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors: List[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.route("**/fonts.googleapis.com/**", lambda route: route.abort())  # the bundle's web font
        page.goto(f"http://127.0.0.1:{WEBCHAT_PORT}/")
        greeting = page.locator(".rw-response").first
        expect(greeting).to_contain_text("CSM/CSPO advisor", timeout=REPLY_S * 1000)
        expect(page.locator(".rw-reply").first).to_be_visible()  # quick replies rendered as buttons
        before = page.locator(".rw-response").count()
        page.fill(".rw-new-message", "What is the CSPO certification?")
        page.click(".rw-send")
        # rasa-webchat shows a bubble with typing dots first, then the text
        page.wait_for_function(
            "([n]) => { const r = document.querySelectorAll('.rw-response');"
            " return r.length > n && r[r.length - 1].innerText.includes('CSPO'); }",
            arg=[before], timeout=REPLY_S * 1000)
        time.sleep(1.5)
        answer = "\n".join(page.locator(".rw-response").nth(i).inner_text()
                           for i in range(before, page.locator(".rw-response").count()))
        assert "Product Owner" in answer, answer
        stored = page.evaluate("() => JSON.parse(localStorage.getItem('chat_session') || '{}').session_id")
        assert re.fullmatch(r"[0-9a-f]{32}\.[0-9]+\.[0-9a-f]{32}", stored or ""), stored
        assert "What is the CSPO certification?" in user_texts(web_stack, stored)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "web-rasa-webchat.png"))
        assert not errors, f"JavaScript errors with rasa-webchat: {errors}"
    finally:
        context.close()
        page_server.shutdown()
        page_server.server_close()


def webchat_page_server(page: str) -> ThreadingHTTPServer:
    """A test-only page with the stock widget: / (the page) and /rasa-webchat.js (the npm bundle)."""
    files = {"/": (page.encode(), "text/html; charset=utf-8"),
             "/rasa-webchat.js": (WEBCHAT_BUNDLE.read_bytes(), "text/javascript")}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            body, ctype = files.get(self.path, (b"not found", "text/plain"))
            self.send_response(200 if self.path in files else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", WEBCHAT_PORT), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
