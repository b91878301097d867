"""The trainers' workbench in a real browser (Debian's Chromium via Playwright) against a tracker store the
test fills through Rasa's own API (SQLite, a few hundred events over four channels), on a temporary copy of
the project that is its own git repository. Screenshots of every page go to reports/screenshots/workbench-*.png.

The tests run in order and share one server: pages and their charts, filters, a review, annotating a
misunderstood message (committed to `workbench/annotations`, never into the checkout), saving a conversation
as a test story and seeing it pass on the Checks page (the one slow step: Rasa loads the model).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.support.stack import ROOT, Server, free_port, model_path
from tests.support.workbench_fixture import fill_store, write_endpoints

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "reports" / "screenshots"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@localhost",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@localhost",
}
TOKEN = "test-token-0123456789abcdef"


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
    (root / ".gitignore").write_text(".venv\n.workbench/\nreports/\n*.db\n")
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
    if "WORKBENCH_TOKEN" not in (env or {}):
        full_env.pop("WORKBENCH_TOKEN", None)
    health = f"http://127.0.0.1:{port}/health" + (f"?token={TOKEN}" if "--require-token" in extra else "")
    server = Server(name, cmd, health, ROOT / "reports" / "e2e" / f"{name}.log", full_env)
    server.port = port  # type: ignore[attr-defined]
    return server.start(timeout=120)


@pytest.fixture(scope="module")
def server(project: Path, endpoints: Path) -> Iterator[str]:
    s = start(project, endpoints, "workbench")
    try:
        yield f"http://127.0.0.1:{s.port}"  # type: ignore[attr-defined]
    finally:
        s.stop()


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Page]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: scripts/setup.sh --test installs it"
    with sync_playwright() as p:
        browser: Browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        pg.set_default_timeout(30_000)
        errors: list = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        try:
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
    expect(page.locator("#transcript .act").first).to_contain_text("utter_greet")
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
    expect(page.locator("#flash")).to_contain_text("Saved as tests/stories/workbench_rest_alice.yml on workbench/annotations")
    saved = git(project, "show", "workbench/annotations:tests/stories/workbench_rest_alice.yml")
    assert "utter_thank" in saved and "thanks a lot" in saved
    # The annotation made before is still on the branch (commits stack up).
    assert "weather in paris" in git(project, "show", "workbench/annotations:data/nlu/out_of_scope.yml")
    assert not (project / "tests/stories/workbench_rest_alice.yml").exists()
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


def test_forms_need_the_page_secret(server: str) -> None:
    r = requests.post(server + "/inbox/dismiss", data={"keys": "x"}, allow_redirects=False, timeout=10)
    assert r.status_code == 403
    r = requests.post(
        server + "/conversation/review",
        data={"id": "rest:alice", "reviewed": "1", "csrf": "guess"},
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 403


def test_token_required_beyond_loopback(project: Path, endpoints: Path) -> None:
    """`--require-token` is what a non-loopback address implies (tests bind only to 127.0.0.1)."""
    s = start(project, endpoints, "workbench-token", "--require-token", env={"WORKBENCH_TOKEN": TOKEN})
    base = f"http://127.0.0.1:{s.port}"  # type: ignore[attr-defined]
    try:
        assert requests.get(base + "/conversations", timeout=10).status_code == 401
        assert requests.get(base + "/conversations?token=wrong", timeout=10).status_code == 401
        assert requests.get(base + "/dashboard", headers={"Authorization": "Bearer nope"}, timeout=10).status_code == 401
        with requests.Session() as session:
            assert session.get(base + f"/conversations?token={TOKEN}", timeout=30).status_code == 200
            assert session.get(base + "/dashboard", timeout=30).status_code == 200  # the cookie carries it
        assert requests.get(base + "/dashboard", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30).status_code == 200
    finally:
        s.stop()
    # Beyond loopback without a token it does not even start.
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_TOKEN"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            str(free_port()),
            "--root",
            str(project),
            "--endpoints",
            str(endpoints),
        ],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "WORKBENCH_TOKEN" in proc.stderr
