"""The trainers' workbench in a real browser (Debian's Chromium via Playwright) against a tracker store the
test fills through Rasa's own API (SQLite, a few hundred events over four channels), on a temporary copy of
the project that is its own git repository. Screenshots of every page go to reports/screenshots/workbench-*.png.

The tests run in order and share one server: pages and their charts, filters, a review, annotating a
misunderstood message (committed to `workbench/annotations`, never into the checkout), saving a conversation
as a test story and seeing it pass on the Checks page (the one slow step: Rasa loads the model).

The browser signs in through the one-time login link the server prints; the HTTP tests sign in with the token
(login form or Bearer header) and check what an unauthenticated, DNS-rebound or cross-site request gets.
Last, trainers by name: two trainers added with `python -m workbench user` (what `make workbench-user` runs),
in another process while the workbench runs, act with their own login link and token; the Audit page and the
git authors name them; a revoked token is refused at once (Bearer, login form, login link, live session).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Iterator
from urllib.parse import quote

import pytest
import requests
import yaml
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.support.stack import ROOT, Server, free_port, model_path
from tests.support.workbench_fixture import BASE, events_for, fill_store, user, voted_conversation, write_endpoints
from workbench import stories
from workbench.audit import AuditLog

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "reports" / "screenshots"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@localhost",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@localhost",
}
TOKEN = "test-token-0123456789abcdef"
FIRST = "olga"  # the operator's login name: the first trainer, made by the first `make workbench`
WITH_UMASK_022 = ["sh", "-c", 'umask 022 && exec "$@"', "sh"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env={**os.environ, **GIT_ENV}
    ).stdout


def nlu_summary(acc: float, f1s: Dict[str, float]) -> Dict:
    return {
        "created": "2026-11-27 10:00:00",
        "folds": 5,
        "data": "data/nlu",
        "config": "config.yml",
        "seconds": 300,
        "accuracy": acc,
        "macro_f1": sum(f1s.values()) / len(f1s),
        "weighted_f1": acc,
        "intents": {
            k: {"precision": v, "recall": v, "f1": v, "support": 20, "confused_with": {"ask_cost": 2} if v < 0.9 else {}}
            for k, v in f1s.items()
        },
        "worst": [{"text": "how pricey is it", "intent": "ask_requirements", "predicted": "ask_cost", "confidence": 0.81}],
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary copy of the project (what the workbench reads and annotates), committed on `main`."""
    root = tmp_path_factory.mktemp("workbench") / "project"
    root.mkdir()
    for name in ("domain.yml", "config.yml", "endpoints.yml"):
        shutil.copy(ROOT / name, root / name)
    for folder in ("data", "knowledge", "actions", "components", "tests/stories", "tests/nlu"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / ".venv").symlink_to(ROOT / ".venv")  # config.yml names the spaCy model inside .venv
    (root / ".gitignore").write_text(".venv\n.workbench/\n.run/\nreports/\n*.db\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "project")
    history = root / "reports" / "nlu-report" / "history"
    history.mkdir(parents=True)
    (history / "20261126-100000.json").write_text(
        json.dumps(nlu_summary(0.90, {"ask_cost": 0.95, "ask_requirements": 0.80, "greet": 1.0}))
    )
    (history / "20261127-100000.json").write_text(
        json.dumps(nlu_summary(0.93, {"ask_cost": 0.91, "ask_requirements": 0.88, "greet": 1.0}))
    )
    return root


@pytest.fixture(scope="module")
def endpoints(project: Path) -> Path:
    db = project.parent / "trackers.db"
    events = fill_store(db)
    assert events >= 300, events
    return write_endpoints(project.parent / "endpoints.yml", db)


def start(project: Path, endpoints: Path, name: str, *extra: str, env: Dict[str, str] | None = None) -> Server:
    port = free_port()
    cmd = [
        *WITH_UMASK_022,  # the workbench makes its files private by itself
        sys.executable,
        "-m",
        "workbench",
        "serve",
        "--root",
        str(project),
        "--port",
        str(port),
        "--endpoints",
        str(endpoints),
        *extra,
    ]
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "ADVISOR_MODEL": str(model_path()), **GIT_ENV, **(env or {})}
    full_env["PYTHONDONTWRITEBYTECODE"] = "1"
    for name_ in ("WORKBENCH_TOKEN", "WORKBENCH_HOSTS"):
        if name_ not in (env or {}):
            full_env.pop(name_, None)
    server = Server(name, cmd, f"http://127.0.0.1:{port}/health", ROOT / "reports" / "e2e" / f"{name}.log", full_env)
    server.port = port  # type: ignore[attr-defined]
    server.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    return server.start(timeout=120)


def login_link(server: Server) -> str:
    """The one-time login link the server printed when it started (its log is appended to: the last one)."""
    links = re.findall(rf"http://127\.0\.0\.1:{server.port}/login\?code=[A-Za-z0-9_-]+", server.tail(400))  # type: ignore[attr-defined]
    assert links, server.tail()
    return links[-1]


def signed_in(base: str, token: str) -> requests.Session:
    """A session signed in through the login form (as a trainer who typed the token)."""
    session = requests.Session()
    r = session.post(base + "/login", data={"token": token}, allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["location"] == "/", r.text[:300]
    return session


def csrf_of(session: requests.Session, base: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', session.get(base + "/checks", timeout=30).text)
    assert m, "no form secret on the page"
    return m.group(1)


@pytest.fixture(scope="module")
def wb(project: Path, endpoints: Path) -> Iterator[Server]:
    # A state folder and database from an older version, readable by everyone: made private at start.
    state = project / ".workbench"
    state.mkdir(exist_ok=True)
    state.chmod(0o755)
    (state / "workbench.db").touch()
    (state / "workbench.db").chmod(0o644)
    s = start(project, endpoints, "workbench", env={"USER": FIRST})  # the first trainer is named after the login
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def server(wb: Server) -> str:
    return wb.url  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def token(wb: Server, project: Path) -> str:
    """No WORKBENCH_TOKEN: the server generated one into the project's .run/workbench-token."""
    return (project / ".run" / "workbench-token").read_text().strip()


@pytest.fixture(scope="module")
def page(wb: Server) -> Iterator[Page]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: scripts/setup.sh --test installs it"
    with sync_playwright() as p:
        browser: Browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        pg.set_default_timeout(30_000)
        errors: list = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        try:
            pg.goto(login_link(wb))  # signs in, then lands on / without the code in the URL
            expect(pg).to_have_url(wb.url + "/conversations")  # type: ignore[attr-defined]
            yield pg
        finally:
            assert not errors, errors
            browser.close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"workbench-{name}.png"), full_page=True)


def test_conversations_page_lists_and_filters(page: Page, server: str) -> None:
    page.goto(server + "/")
    rows = page.locator("#conversations tbody tr")
    expect(rows).to_have_count(26)
    assert page.locator("#conversations tbody tr").first.locator("td").nth(0).inner_text() == "rest:alice"  # newest first
    shot(page, "conversations")
    page.select_option("select[name=channel]", "slack")
    page.click("form.filters button")
    channels = page.locator("#conversations tbody tr td:nth-child(2)").all_inner_texts()
    assert channels and set(channels) == {"slack"}
    page.goto(server + "/conversations?fallback=yes&recommended=yes")
    for cid in page.locator("#conversations tbody tr td:first-child").all_inner_texts():
        assert cid  # every row had a fallback and a recommendation
    page.goto(server + "/conversations?intent=ask_requirements&min_length=5")
    lengths = [int(x) for x in page.locator("#conversations tbody td:nth-child(4)").all_inner_texts()]
    assert lengths and min(lengths) >= 5


def test_transcript_and_review(page: Page, server: str) -> None:
    page.goto(server + "/conversation?id=rest%3Auser4")
    expect(page.locator("#transcript .msg.user").first).to_contain_text("hello")
    expect(page.locator("#transcript")).to_contain_text("inform_role 0.90")
    expect(page.locator("#transcript")).to_contain_text("role=developer")
    expect(page.locator("#transcript")).to_contain_text("slot current_role = developer")
    expect(page.locator("#transcript .act").first).to_contain_text("action_small_talk")
    page.check("#review input[name=reviewed]")
    page.fill("#review textarea[name=note]", "Good path; the focus question could be shorter.")
    page.click("#review button")
    expect(page.locator("#flash")).to_have_text("Review saved.")
    shot(page, "transcript")
    page.goto(server + "/conversations?channel=rest")
    expect(page.locator("#conversations tr", has_text="rest:user4")).to_contain_text("reviewed")


def test_misunderstood_inbox_annotates_onto_its_branch(page: Page, server: str, project: Path) -> None:
    head = git(project, "rev-parse", "HEAD")
    page.goto(server + "/inbox")
    groups = page.locator(".card.group")
    expect(groups).to_have_count(3)
    shot(page, "inbox")
    weather = groups.filter(has_text="what's the weather in paris")
    weather.locator("select[name=intent]").select_option("out_of_scope")
    weather.locator("button", has_text="Add as training example").click()
    expect(page.locator("#flash")).to_contain_text("Added to data/nlu/out_of_scope.yml as out_of_scope on workbench/annotations")
    expect(page.locator(".card.group")).to_have_count(2)
    on_branch = git(project, "show", "workbench/annotations:data/nlu/out_of_scope.yml")
    assert "    - what's the weather in paris\n" in on_branch
    # The trainer's checkout is untouched: same HEAD, same branch, nothing modified.
    assert git(project, "rev-parse", "HEAD") == head
    assert git(project, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert git(project, "status", "--porcelain").strip() == ""
    assert "weather in paris" not in (project / "data/nlu/out_of_scope.yml").read_text()
    # A duplicate is refused with the place it already is.
    price = page.locator(".card.group", has_text="wat about teh price")
    price.locator("input[name=example]").fill("what is [csm](certification)?")
    price.locator("select[name=intent]").select_option("ask_cost")
    price.locator("button", has_text="Add as training example").click()
    expect(page.locator("#flash")).to_contain_text(
        "already a training example of 'ask_certification_info' (data/nlu/knowledge.yml:"
    )
    # Dismiss.
    page.locator(".card.group", has_text="wat about teh price").locator("button", has_text="Dismiss").click()
    expect(page.locator("#flash")).to_contain_text("Dismissed 3 message(s)")
    expect(page.locator(".card.group")).to_have_count(1)


def test_save_as_test_story_then_checks_show_it_passing(page: Page, server: str, project: Path) -> None:
    page.goto(server + "/conversation?id=rest%3Aalice")
    story = page.locator("#story textarea[name=story]")
    expect(story).to_contain_text("- intent: greet")
    page.click("#story button")
    story_file = stories.file_name("rest:alice")
    expect(page.locator("#flash")).to_contain_text(f"Saved as {story_file} on workbench/annotations")
    saved = git(project, "show", f"workbench/annotations:{story_file}")
    assert "action_small_talk" in saved and "thanks a lot" in saved
    # The annotation made before is still on the branch (commits stack up).
    assert "weather in paris" in git(project, "show", "workbench/annotations:data/nlu/out_of_scope.yml")
    assert not (project / story_file).exists()
    # Checks: the branch's test stories against the trained model (the slow step of this module).
    page.goto(server + "/checks")
    page.select_option("#run-checks select[name=stories]", "branch")
    page.click("#run-checks button")
    expect(page.locator("#steps")).to_be_visible(timeout=600_000)
    rows = page.locator("#steps tbody tr")
    expect(rows).to_have_count(4)
    results = {r.locator("td").nth(0).inner_text(): r.locator("td").nth(1).inner_text() for r in rows.all()}
    assert results["knowledge base"] == "passed"
    assert results["lint"] == "passed"
    assert results["test stories (workbench/annotations)"] == "passed", page.locator("main").inner_text()[-3000:]
    shot(page, "checks")


def test_checks_page_shows_expected_vs_actual(page: Page, server: str, project: Path) -> None:
    """A story that expects the wrong action fails with file, line, expected and actual (from the same run's parser,
    on a result file written as Rasa writes it)."""
    result = {
        "finished": "2026-11-27 10:00:00",
        "steps": [
            {
                "name": "test stories",
                "ok": False,
                "seconds": 50,
                "output": "",
                "findings": [],
                "failures": [
                    {
                        "story": "greet",
                        "file": "tests/stories/test_smalltalk.yml",
                        "line": 7,
                        "expected": "action utter_goodbye",
                        "actual": "utter_greet",
                    }
                ],
            }
        ],
    }
    (project / ".workbench" / "checks.json").write_text(json.dumps(result))
    page.goto(server + "/checks")
    row = page.locator("table.failures tbody tr").first
    expect(row).to_contain_text("tests/stories/test_smalltalk.yml:7")
    expect(row).to_contain_text("action utter_goodbye")
    expect(row).to_contain_text("utter_greet")


def test_nlu_report_page(page: Page, server: str) -> None:
    page.goto(server + "/nlu")
    expect(page.locator("#accuracy")).to_have_text("0.930")
    expect(page.locator("#per-intent tbody tr")).to_have_count(3)
    expect(page.locator("#confusion svg rect.cell")).to_have_count(9)
    expect(page.locator("#worst tbody tr")).to_have_count(1)
    expect(page.locator("#comparison")).to_contain_text("worse")
    expect(page.locator("#comparison")).to_contain_text("better")
    shot(page, "nlu-report")


def test_dashboard_page(page: Page, server: str) -> None:
    page.goto(server + "/dashboard")
    expect(page.locator("#kpi-conversations")).to_have_text("26")
    assert page.locator("svg.chart").count() >= 8
    expect(page.locator("#funnel svg rect.bar")).to_have_count(6)
    assert page.locator("svg.chart polyline.series").count() == 3
    shot(page, "dashboard")



# --- access: a token on every address, the Host allow-list, Origin, per-session form secrets -------------------
def test_loopback_needs_the_token_too(server: str, token: str) -> None:
    for path in ("/", "/conversations", "/conversation?id=rest%3Aalice", "/inbox", "/dashboard"):
        r = requests.get(server + path, allow_redirects=False, timeout=30)
        assert r.status_code == 401, path
        assert "rest:alice" not in r.text and "csrf" not in r.text and "/login" in r.text
    r = requests.post(server + "/conversation/review?id=rest%3Aalice", data={"reviewed": "1"}, allow_redirects=False, timeout=30)
    assert r.status_code == 401
    # The token is never accepted in a URL (it would end up in history and logs).
    assert requests.get(server + f"/conversations?token={token}", timeout=30).status_code == 401


def test_dns_rebinding_gets_nothing(server: str, wb: Server, token: str) -> None:
    """A page at http://rebind.example:PORT/ whose name now resolves to 127.0.0.1 sends that Host header."""
    port = wb.port  # type: ignore[attr-defined]
    for path in ("/", "/conversations", "/conversation?id=rest%3Aalice", "/checks", "/login", "/health"):
        r = requests.get(server + path, headers={"Host": f"rebind.example:{port}"}, allow_redirects=False, timeout=30)
        assert r.status_code == 421, path
        assert "alice" not in r.text and "csrf" not in r.text and len(r.text) < 100
    # Not even with the token (421 comes before authentication).
    r = requests.get(server + "/conversations", headers={"Host": f"rebind.example:{port}", "Authorization": f"Bearer {token}"},
                     timeout=30)
    assert r.status_code == 421 and "alice" not in r.text


def test_post_with_a_foreign_host_and_matching_origin_is_refused(server: str, wb: Server, token: str, project: Path) -> None:
    port = wb.port  # type: ignore[attr-defined]
    session = signed_in(server, token)
    csrf = csrf_of(session, server)
    before = git(project, "rev-parse", "workbench/annotations")
    for host in (f"attacker.example:{port}", f"rebind.example:{port}"):
        r = session.post(
            server + "/inbox/annotate",
            data={"csrf": csrf, "intent": "greet", "example": "howdy partner from afar", "keys": ""},
            headers={"Host": host, "Origin": f"http://{host}"},
            allow_redirects=False,
            timeout=30,
        )
        assert r.status_code == 421, host
    assert git(project, "rev-parse", "workbench/annotations") == before, "nothing committed"


def test_post_from_a_foreign_origin_is_refused(server: str, wb: Server, token: str) -> None:
    port = wb.port  # type: ignore[attr-defined]
    session = signed_in(server, token)
    form = {"csrf": csrf_of(session, server), "reviewed": "1", "note": "cross-site"}
    url = server + "/conversation/review?id=rest%3Anobody"
    for headers in (
        {"Origin": "http://attacker.example"},
        {"Origin": "null"},
        {"Origin": f"http://127.0.0.1:{port + 1}"},
        {"Referer": "http://attacker.example/page.html"},
    ):
        r = session.post(url, data=form, headers=headers, allow_redirects=False, timeout=30)
        assert r.status_code == 403, headers
    # The workbench's own origin (what the browser sends from its pages), or a client that sends neither.
    for headers in ({"Origin": server}, {"Origin": f"http://localhost:{port}"}, {"Referer": server + "/conversations"}, {}):
        assert session.post(url, data=form, headers=headers, allow_redirects=False, timeout=30).status_code == 302, headers
    # A login form posted from another site is refused too.
    r = requests.post(server + "/login", data={"token": token}, headers={"Origin": "http://attacker.example"}, timeout=30)
    assert r.status_code == 403


def test_forms_need_their_sessions_secret(server: str, token: str) -> None:
    a, b = signed_in(server, token), signed_in(server, token)
    secret_a, secret_b = csrf_of(a, server), csrf_of(b, server)
    assert secret_a != secret_b, "one secret per login session, not per process"
    assert csrf_of(a, server) == secret_a, "stable within a session"
    for data in ({"keys": "x"}, {"keys": "x", "csrf": "guess"}, {"keys": "x", "csrf": secret_a}):
        assert b.post(server + "/inbox/dismiss", data=data, allow_redirects=False, timeout=30).status_code == 403, data
    r = b.post(server + "/inbox/dismiss", data={"keys": "x", "csrf": secret_b}, allow_redirects=False, timeout=30)
    assert r.status_code == 302


def test_login_link_works_once(page: Page, wb: Server, server: str) -> None:
    """The browser (fixture `page`) signed in with the printed link; the same link is refused afterwards."""
    page.goto(server + "/dashboard")
    expect(page.locator("#kpi-conversations")).to_have_text("26")
    r = requests.get(login_link(wb), allow_redirects=False, timeout=30)
    assert r.status_code == 401 and "set-cookie" not in r.headers and "already used" in r.text


def test_bearer_token_for_scripts(server: str, token: str) -> None:
    assert requests.get(server + "/dashboard", headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code == 200
    for bad in ("Bearer nope", f"Basic {token}", f"Bearer {token}x"):
        assert requests.get(server + "/dashboard", headers={"Authorization": bad}, timeout=30).status_code == 401, bad
    # A script posts without a form secret: browsers never send an Authorization header cross-site on their own.
    r = requests.post(server + "/inbox/dismiss", data={"keys": "by-script"}, headers={"Authorization": f"Bearer {token}"},
                      allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["location"] == "/inbox?flash=dismissed&n=1"


def test_flash_from_the_url_is_not_shown(server: str, token: str) -> None:
    session = signed_in(server, token)
    for query in ("flash=<b>pwned</b>&ok=1", "flash=pwned+call+555-0100", "flash=dismissed&n=<b>pwned</b>", "flash=failed"):
        r = session.get(server + "/checks?" + query, timeout=30)
        assert r.status_code == 200 and "pwned" not in r.text and 'id="flash"' not in r.text, query
    r = session.get(server + "/conversation?id=pwned%20call%20555-0100", timeout=30)
    assert r.status_code == 404 and "pwned" not in r.text
    assert "Review saved." in session.get(server + "/checks?flash=review_saved", timeout=30).text


EVIL_ID = "rest:mallory\n\u202egnp.exe"


def test_sender_id_with_newline_and_bidi_is_shown_and_committed_safely(server: str, token: str, project: Path) -> None:
    evil = {EVIL_ID: events_for("rest", BASE, [user("hi", "greet", 0.98)])}
    with ThreadPoolExecutor(1) as pool:  # Rasa's store is async; Playwright's loop runs in this thread
        pool.submit(fill_store, project.parent / "trackers.db", evil).result()
    session = signed_in(server, token)
    deadline = time.time() + 30  # the workbench caches the store for a few seconds
    while "mallory" not in (listing := session.get(server + "/conversations", timeout=30).text) and time.time() < deadline:
        time.sleep(1)
    shown = "rest:mallory\\n\\u202egnp.exe"
    for html in (listing, session.get(server + "/conversation?id=" + quote(EVIL_ID, safe=""), timeout=30).text):
        assert shown in html
        assert "\u202e" not in html and "mallory\n" not in html
    story = 'version: "3.1"\nstories:\n- story: mallory\n  steps:\n  - intent: greet\n  - action: utter_greet\n'
    r = session.post(server + "/conversation/story?id=" + quote(EVIL_ID, safe=""),
                     data={"csrf": csrf_of(session, server), "story": story}, allow_redirects=False, timeout=60)
    assert r.status_code == 302
    name = stories.file_name(EVIL_ID)
    assert name.startswith("tests/stories/workbench_rest_mallory_gnp_exe_") and name.isascii()
    assert f"Saved as {name} on workbench/annotations" in session.get(server + r.headers["location"], timeout=30).text
    message = git(project, "log", "-1", "--format=%B", "workbench/annotations").rstrip("\n")
    assert "\n" not in message and "\u202e" not in message and message.endswith(shown)
    assert name in git(project, "ls-tree", "-r", "--name-only", "workbench/annotations", "tests/stories").split("\n")


def test_workbench_files_are_private(wb: Server, project: Path) -> None:
    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    state = project / ".workbench"
    assert mode(state) == 0o700 and mode(state / "workbench.db") == 0o600, "made private at start"
    assert mode(state / "checks.log") == 0o600 and mode(state / "checks.json") == 0o600, "the checks job's files"
    assert mode(project / ".run") == 0o700 and mode(project / ".run" / "workbench-token") == 0o600
    for name in ("access.db", "audit.jsonl", "audit.key"):
        assert mode(state / name) == 0o600, name
    pid = wb.proc.pid  # type: ignore[union-attr]
    umask = re.search(r"^Umask:\s*(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M)
    assert umask and umask.group(1) == "0077"
    # The checks job has ended: the server holds no descriptor of its log.
    held = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            held.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    assert str(state / "checks.log") not in held and held


def test_token_from_the_environment_extra_hosts_and_refusals(project: Path, endpoints: Path, tmp_path: Path) -> None:
    s = start(project, endpoints, "workbench-token", env={"WORKBENCH_TOKEN": TOKEN, "WORKBENCH_HOSTS": "wb.example.test"})
    base = s.url  # type: ignore[attr-defined]
    try:
        link = login_link(s)
        with requests.Session() as browser:
            r = browser.get(link, allow_redirects=False, timeout=30)
            assert r.status_code == 302 and r.headers["location"] == "/"
            cookie = r.headers["set-cookie"]
            for attribute in ("HttpOnly", "SameSite=Strict", "Path=/"):
                assert attribute.lower() in cookie.lower(), cookie
            assert TOKEN not in cookie and link.split("=")[-1] not in cookie
            assert browser.get(base + "/dashboard", timeout=30).status_code == 200
            name = f"workbench_session_{s.port}"  # type: ignore[attr-defined]
            sid = browser.cookies.get(name)
            r = browser.post(base + "/logout", data={"csrf": csrf_of(browser, base)}, allow_redirects=False, timeout=30)
            assert r.status_code == 302 and sid
            assert requests.get(base + "/dashboard", cookies={name: sid}, timeout=30).status_code == 401, "ended on the server"
        assert requests.get(link, allow_redirects=False, timeout=30).status_code == 401, "used once"
        assert requests.get(base + "/dashboard", timeout=30).status_code == 401
        assert requests.post(base + "/login", data={"token": "wrong-token-0123456789"}, timeout=30).status_code == 401
        assert requests.get(base + "/dashboard", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30).status_code == 200
        # A name added with WORKBENCH_HOSTS (a TLS proxy's) is served, its https origin may post.
        proxied = {"Host": "wb.example.test", "Authorization": f"Bearer {TOKEN}"}
        assert requests.get(base + "/dashboard", headers=proxied, timeout=30).status_code == 200
        r = requests.post(base + "/inbox/dismiss", data={"keys": "x"}, headers={**proxied, "Origin": "https://wb.example.test"},
                          allow_redirects=False, timeout=30)
        assert r.status_code == 302
        assert TOKEN not in s.tail(400), "the token is never logged"
    finally:
        s.stop()

    def serve(root: Path, env: Dict[str, str]) -> subprocess.CompletedProcess:
        clean = {k: v for k, v in os.environ.items() if k not in ("WORKBENCH_TOKEN", "WORKBENCH_HOSTS")}
        return subprocess.run(
            [sys.executable, "-m", "workbench", "serve", "--port", str(free_port()), "--root", str(root),
             "--endpoints", str(endpoints)],
            cwd=ROOT, env={**clean, "PYTHONPATH": str(ROOT), **env}, capture_output=True, text=True, timeout=120,
        )

    proc = serve(project, {"WORKBENCH_TOKEN": "short"})
    assert proc.returncode == 2 and "shorter than 16" in proc.stderr
    root = tmp_path / "other"
    (root / ".run").mkdir(parents=True)
    shutil.copy(ROOT / "domain.yml", root / "domain.yml")
    (root / ".run" / "workbench-token").write_text("x" * 40 + "\n")
    (root / ".run" / "workbench-token").chmod(0o644)
    proc = serve(root, {})
    assert proc.returncode == 2 and "chmod 600" in proc.stderr and "x" * 40 not in proc.stderr + proc.stdout


# --- users' votes: seeded last (the tests above count the fixture's conversations) -----------------------------
VOTER = "web:voter"


def test_why_this_answer_and_answers_marked_wrong(page: Page, server: str, project: Path) -> None:
    """A conversation with votes (seeded now: the pages above count the fixture's conversations) shows "why this
    answer" under its traced replies; "Answers marked wrong" shows the 👎 with its question, answer, trace and
    comment, the counts per fact or topic, and adds the question to a fact on the annotations branch."""
    with ThreadPoolExecutor(1) as pool:  # Rasa's store is async; Playwright's loop runs in this thread
        pool.submit(fill_store, project.parent / "trackers.db", {VOTER: voted_conversation(BASE + 5 * 86400 + 3000)}).result()
    deadline = time.time() + 30  # the workbench caches the store for a few seconds
    page.goto(server + "/conversation?id=" + quote(VOTER, safe=""))
    while page.locator("#transcript").count() == 0 and time.time() < deadline:
        time.sleep(1)
        page.goto(server + "/conversation?id=" + quote(VOTER, safe=""))
    why = page.locator("#transcript .msg.bot details.why")
    expect(why).to_have_count(2)
    first = why.first
    expect(first.locator("dd.decision")).not_to_be_visible()  # collapsed until opened
    first.locator("summary").click()
    expect(first.locator("dd.decision")).to_have_text("fact")
    expect(first.locator("dd.rule")).to_have_text("best fact above min_score")
    expect(first.locator("dd.fact")).to_have_text("csm_price")
    expect(first.locator("table.candidates tbody tr")).to_have_count(3)
    expect(first.locator("table.candidates tbody tr").nth(1)).to_contain_text("csm_attempts")
    expect(first.locator("table.candidates tbody tr").nth(1)).to_contain_text("0.390")
    hostile = why.nth(1)
    hostile.locator("summary").click()
    expect(hostile.locator("dd.decision")).to_have_text("<script>window.__pwned = 1</script>")  # shown as text
    assert page.evaluate("() => window.__pwned === undefined")
    shot(page, "transcript-why")

    page.click("nav a:has-text('Answers marked wrong')")
    expect(page).to_have_url(server + "/feedback")
    tally = {r.locator("td").nth(0).inner_text(): (r.locator("td").nth(1).inner_text(), r.locator("td").nth(2).inner_text())
             for r in page.locator("#tally tbody tr").all()}
    assert tally == {"fact:csm_price": ("0", "1"), "topic:comparison": ("1", "0")}, tally
    card = page.locator(".card.vote")
    expect(card).to_have_count(1)
    expect(card.locator(".question")).to_have_text("what does a second go at the csm test cost")
    expect(card.locator(".answer")).to_contain_text("The price of the CSM course is set by each trainer")
    expect(card.locator(".comment")).to_contain_text("the price of a retake, not of the course")
    expect(card.locator("a[href*='conversation?id=web%3Avoter']")).to_be_visible()
    card.locator("details.why summary").click()
    expect(card.locator("details.why dd.fact")).to_have_text("csm_price")
    shot(page, "answers-marked-wrong")

    # Add the question to the fact the trace ranked next (preselected), on the annotations branch only.
    head = git(project, "rev-parse", "HEAD")
    form = card.locator("form.add-question")
    expect(form.locator("select[name=fact]")).to_have_value("csm_attempts")
    form.locator("button").click()
    expect(page.locator("#flash")).to_contain_text("Added to the questions of csm_attempts in knowledge/facts.yml on "
                                                   "workbench/annotations")
    on_branch = git(project, "show", "workbench/annotations:knowledge/facts.yml")
    assert '      - "what does a second go at the csm test cost"\n' in on_branch
    assert git(project, "rev-parse", "HEAD") == head and git(project, "status", "--porcelain").strip() == ""
    # The same question again is refused, with where it already is.
    page.locator(".card.vote form.add-question button").click()
    expect(page.locator("#flash")).to_contain_text("already an example question of fact csm_attempts")

    # A new fact from the same card.
    card = page.locator(".card.vote")
    card.locator("details.new-fact summary").click()
    new = card.locator("form.new-fact")
    new.locator("input[name=id]").fill("csm_retake_price")
    new.locator("input[name=certifications][value=CSM]").check()
    new.locator("select[name=topic]").select_option("cost")
    new.locator("textarea[name=answer]").fill("A further attempt at the CSM test costs 25 USD.")
    new.locator("textarea[name=questions]").fill("how much is a csm retake\nprice of a second csm test attempt")
    new.locator("select[name=source]").select_option("csm_test")
    new.locator("button").click()
    expect(page.locator("#flash")).to_contain_text("New fact csm_retake_price in knowledge/facts.yml on workbench/annotations")
    facts = yaml.safe_load(git(project, "show", "workbench/annotations:knowledge/facts.yml"))["facts"]
    assert facts[-1] == {"id": "csm_retake_price", "certifications": ["CSM"], "topic": "cost",
                         "answer": "A further attempt at the CSM test costs 25 USD.",
                         "questions": ["how much is a csm retake", "price of a second csm test attempt"], "source": "csm_test"}
    assert "csm_retake_price" not in (project / "knowledge" / "facts.yml").read_text()


# --- trainers by name: their own tokens and login links, the audit log, git authors, revocation -------------
def workbench_user(project: Path, wb: Server, *args: str) -> str:
    """`make workbench-user …` (python -m workbench user …) in its own process, as the operator olga."""
    proc = subprocess.run(
        [sys.executable, "-m", "workbench", "user", *args, "--root", str(project), "--port", str(wb.port)],  # type: ignore[attr-defined]
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "USER": FIRST}, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def issued(out: str, port: int) -> tuple[str, str]:
    token = re.search(r"shown once.*\n([A-Za-z0-9_-]{40,})\n", out)
    link = re.search(rf"http://127\.0\.0\.1:{port}/login\?code=[A-Za-z0-9_-]+", out)
    assert token and link, out
    return token.group(1), link.group(0)


def story_for(name: str) -> str:
    return f'version: "3.1"\nstories:\n- story: {name}\n  steps:\n  - intent: greet\n  - action: utter_greet\n'


def test_two_trainers_act_under_their_own_names(page: Page, wb: Server, server: str, project: Path) -> None:
    port = wb.port  # type: ignore[attr-defined]
    anna_token, anna_link = issued(workbench_user(project, wb, "anna"), port)
    ben_token, _ = issued(workbench_user(project, wb, "ben", "--email", "ben@example.org"), port)
    assert anna_token != ben_token
    users = (project / ".workbench" / "access.db").read_bytes().decode("latin-1")
    assert anna_token not in users and ben_token not in users and anna_link.split("=")[-1] not in users, "hashed at rest"

    # anna signs in with her link (made by another process) and works in the browser's way: forms with her secret.
    anna = requests.Session()
    r = anna.get(anna_link, allow_redirects=False, timeout=30)
    assert r.status_code == 302, r.text[:300]
    assert re.search(r'id="trainer">anna<', anna.get(server + "/conversations", timeout=30).text)
    csrf = csrf_of(anna, server)
    note = {"csrf": csrf, "reviewed": "1", "note": "call +49 151 2345678"}
    r = anna.post(server + "/conversation/review?id=rest%3Auser8", data=note, allow_redirects=False, timeout=30)
    assert r.status_code == 302
    r = anna.post(server + "/conversation/story?id=rest%3Auser8", data={"csrf": csrf, "story": story_for("anna's")},
                  allow_redirects=False, timeout=60)
    assert r.status_code == 302 and "story_saved" in r.headers["location"]
    # ben is a script: his token as a Bearer header.
    bearer = {"Authorization": f"Bearer {ben_token}"}
    r = requests.post(server + "/conversation/story?id=rest%3Auser12", data={"story": story_for("ben's")}, headers=bearer,
                      allow_redirects=False, timeout=60)
    assert r.status_code == 302 and "story_saved" in r.headers["location"]
    r = requests.post(server + "/checks/run", data={"stories": "none"}, headers=bearer, allow_redirects=False, timeout=30)
    assert r.status_code == 302

    # The git authors: each trainer with the e-mail of their record (ben's) or a non-personal one; the workbench commits.
    authors = git(project, "log", "-2", "--format=%an <%ae> | %cn", "workbench/annotations").splitlines()
    assert authors == ["ben <ben@example.org> | Advisor workbench", "anna <anna@workbench.invalid> | Advisor workbench"]
    files = git(project, "log", "-2", "--name-only", "--format=", "workbench/annotations").split()
    assert files == [stories.file_name("rest:user12"), stories.file_name("rest:user8")]

    # The Audit page, newest first, in the browser signed in as the first trainer.
    page.goto(server + "/audit")
    expect(page.locator("#chain")).to_contain_text("Hash chain intact")
    rows = page.locator("#audit tbody tr")
    table = [tuple(r.locator(f"td.{c}").inner_text() for c in ("trainer", "action", "conversation")) for r in rows.all()]
    assert table[:4] == [("ben", "run checks", ""), ("ben", "save as test", "rest:user12"),
                         ("anna", "save as test", "rest:user8"), ("anna", "review", "rest:user8")], table[:6]
    started = wb.tail(4000).split("listening on")[-1]  # this run's start (the log is appended to)
    assert f"sign in as {FIRST} with this one-time link" in started, "the first start made the first trainer"
    expect(page.locator("#audit tbody tr", has_text="review").filter(has_text="anna")).to_contain_text("reviewed=yes")
    for who, action in ((FIRST, "add trainer"), (FIRST, "login link"), ("anna", "sign in"), (FIRST, "sign in"),
                        (FIRST, "annotate"), (FIRST, "vote triage"), ("service", "dismiss")):
        assert (who, action) in [(t, a) for t, a, _ in table], (who, action)
    assert "2345678" not in page.content() and "anna's" not in page.content(), "never message text"
    expect(page.locator("#audit tbody tr", has_text="anna").filter(has_text="save as test")).to_contain_text(
        stories.file_name("rest:user8"))
    page.locator("nav a", has_text="Audit").click()
    expect(page.locator("nav a.on")).to_have_text("Audit")
    expect(page.locator("#trainer")).to_have_text(FIRST)
    shot(page, "audit")
    page.screenshot(path=str(SHOTS / "workbench-audit-top.png"), full_page=False)  # docs/ has a copy: a test
    # writes no tracked file (it left `git status` dirty after every `make test`)
    # Paged: entries written by another process (an erasure command, say) appear, 50 a page, newest first.
    other = AuditLog(project / ".workbench")
    for i in range(60):
        other.record("anna", "export", f"rest:user{i % 24}", events=i)
    page.goto(server + "/audit")
    expect(page.locator("#audit tbody tr")).to_have_count(50)
    expect(page.locator("#audit tbody tr").first).to_contain_text("events=59")
    expect(page.locator("#chain")).to_contain_text("Hash chain intact")
    page.click("#pager a[rel=next]")
    expect(page.locator("#pager")).to_contain_text("page 2 of")
    assert "events=9" in page.locator("#audit tbody tr").first.inner_text()
    last = requests.get(server + "/audit?page=999", headers={"Authorization": f"Bearer {anna_token}"}, timeout=30)
    assert last.status_code == 200 and "older →" not in last.text and "← newer" in last.text
    page.select_option("select[name=trainer]", "anna")
    page.click("form.filters button")
    assert set(page.locator("#audit td.trainer").all_inner_texts()) == {"anna"}
    raw = (project / ".workbench" / "audit.jsonl").read_text()
    assert "2345678" not in raw and "rest:user8" not in raw and "anna" in raw


def test_a_revoked_token_is_refused_at_once(wb: Server, server: str, project: Path) -> None:
    port = wb.port  # type: ignore[attr-defined]
    token, _ = issued(workbench_user(project, wb, "cleo"), port)
    again = workbench_user(project, wb, "cleo", "--link")
    assert "shown once" not in again, "a link only: no new token"
    link = re.findall(rf"http://127\.0\.0\.1:{port}/login\?code=[A-Za-z0-9_-]+", again)[-1]
    bearer = {"Authorization": f"Bearer {token}"}
    assert requests.get(server + "/dashboard", headers=bearer, timeout=30).status_code == 200
    session = signed_in(server, token)
    assert session.get(server + "/dashboard", timeout=30).status_code == 200
    out = workbench_user(project, wb, "cleo", "--revoke")
    assert "revoked 1 token(s) of cleo" in out
    # At once, in the running workbench: the token, its session and its pending login link.
    assert requests.get(server + "/dashboard", headers=bearer, timeout=30).status_code == 401
    r = requests.post(server + "/inbox/dismiss", data={"keys": "x"}, headers=bearer, allow_redirects=False, timeout=30)
    assert r.status_code == 401
    r = session.get(server + "/dashboard", allow_redirects=False, timeout=30)
    assert r.status_code == 401 and "kpi-conversations" not in r.text
    assert requests.post(server + "/login", data={"token": token}, allow_redirects=False, timeout=30).status_code == 401
    r = requests.get(link, allow_redirects=False, timeout=30)
    assert r.status_code == 401 and "set-cookie" not in r.headers
    # A new token for cleo works again; the revoked one stays refused.
    fresh, _ = issued(workbench_user(project, wb, "cleo"), port)
    assert requests.get(server + "/dashboard", headers={"Authorization": f"Bearer {fresh}"}, timeout=30).status_code == 200
    assert requests.get(server + "/dashboard", headers=bearer, timeout=30).status_code == 401
    entries = [json.loads(line) for line in (project / ".workbench" / "audit.jsonl").read_text().splitlines()]
    assert any(e["trainer"] == FIRST and e["action"] == "revoke tokens" and e["detail"] == {"tokens": 1, "user": "cleo"}
               for e in entries)
    assert token not in wb.tail(2000) and fresh not in wb.tail(2000), "no token in the workbench's log"
