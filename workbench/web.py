"""The workbench web app: Sanic (already installed with Rasa, so nothing new to pin) serving server-rendered
Jinja2 pages with inline SVG charts: no JavaScript build, no CDN, works offline.

Access: on a loopback address anyone on the machine may use it (like `make run`'s servers); on any other
address a token is required (`WORKBENCH_TOKEN`) for every request. Every form carries a per-process secret,
so another web site cannot post to it from the trainer's browser.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from sanic import Sanic, response
from sanic.request import Request

from workbench import analytics, checks, inbox, nlu_data, nlu_report, stories
from workbench.conversations import Filters, newest_first, transcript
from workbench.gitbranch import GitError, is_repo
from workbench.render import TEMPLATES, render
from workbench.reviews import Reviews
from workbench.store import ConversationSource

COOKIE = "workbench_token"
MAX_BODY = 512 * 1024


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Settings:
    root: Path
    endpoints: Path
    token: Optional[str] = None
    require_token: bool = False
    threshold: float = inbox.LOW_CONFIDENCE
    state_dir: Optional[Path] = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @property
    def state(self) -> Path:
        return self.state_dir or self.root / ".workbench"


class Jobs:
    """One background run per kind (checks, nlu), as a child process writing its log and result file."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.procs: Dict[str, Any] = {}

    def running(self, kind: str) -> Optional[int]:
        p = self.procs.get(kind)
        if p and p[0].poll() is None:
            return int(time.time() - p[1])
        return None

    def start(self, kind: str, args: List[str], cwd: Path) -> bool:
        if self.running(kind) is not None:
            return False
        self.state.mkdir(parents=True, exist_ok=True)
        log = open(self.state / f"{kind}.log", "wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "workbench", *args],
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        )
        self.procs[kind] = (proc, time.time())
        return True

    def stop_all(self) -> None:
        for proc, _ in self.procs.values():
            if proc.poll() is None:
                proc.terminate()


def create_app(s: Settings) -> Sanic:
    app = Sanic(f"workbench_{secrets.token_hex(4)}")
    app.config.REQUEST_MAX_SIZE = MAX_BODY
    app.config.ACCESS_LOG = False
    source = ConversationSource(s.endpoints, s.root / "domain.yml", s.root)
    reviews = Reviews(s.state / "workbench.db")
    jobs = Jobs(s.state)
    intents, entities, _, _ = nlu_data.domain_names((s.root / "domain.yml").read_text(encoding="utf-8"))
    intent_list = sorted(intents)

    def page(template: str, req: Request, **ctx: Any) -> response.HTTPResponse:
        flash = req.args.get("flash", "")
        html = render(
            template, page=req.path, csrf=s.csrf, flash=flash, flash_ok=req.args.get("ok") == "1", store_error=source.error, **ctx
        )
        return response.html(html)

    def back(url: str, message: str, ok: bool) -> response.HTTPResponse:
        from urllib.parse import urlencode

        sep = "&" if "?" in url else "?"
        return response.redirect(f"{url}{sep}{urlencode({'flash': message, 'ok': '1' if ok else '0'})}")

    @app.middleware("request")
    async def guard(req: Request) -> Optional[response.HTTPResponse]:
        if s.require_token:
            given = req.args.get("token") or req.cookies.get(COOKIE) or ""
            auth = req.headers.get("authorization", "")
            if auth.lower().startswith("bearer "):
                given = auth[7:]
            if not s.token or not hmac.compare_digest(given.encode(), s.token.encode()):
                return response.text("401: this workbench needs its token (?token=…, see WORKBENCH_TOKEN)", status=401)
        if req.method == "POST":
            origin = req.headers.get("origin")
            if origin and origin.split("://", 1)[-1] != req.headers.get("host", ""):
                return response.text("403: cross-site request refused", status=403)
            if not hmac.compare_digest((req.form.get("csrf") or "").encode(), s.csrf.encode()):
                return response.text("403: the form is stale: reload the page", status=403)
        return None

    @app.middleware("response")
    async def headers(req: Request, resp: response.HTTPResponse) -> None:
        resp.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"
        if (
            s.require_token
            and req.args.get("token")
            and s.token
            and hmac.compare_digest(req.args.get("token").encode(), s.token.encode())
        ):
            resp.cookies[COOKIE] = s.token
            resp.cookies[COOKIE]["httponly"] = True
            resp.cookies[COOKIE]["samesite"] = "Strict"

    @app.get("/health")
    async def health(_: Request) -> response.HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/style.css")
    async def style(_: Request) -> response.HTTPResponse:
        return response.text((TEMPLATES / "style.css").read_text(), content_type="text/css")

    @app.get("/")
    async def home(_: Request) -> response.HTTPResponse:
        return response.redirect("/conversations")

    @app.get("/conversations")
    async def conversations(req: Request) -> response.HTTPResponse:
        convs = newest_first(await source.conversations())
        f = Filters.from_query({k: req.args.get(k, "") for k in req.args})
        shown = [c for c in convs if f.accepts(c)]
        all_intents = sorted({i for c in convs for i in c.intents if i})
        return page(
            "conversations.html",
            req,
            shown=shown,
            total=len(convs),
            f=f,
            channels=sorted({c.channel for c in convs}),
            intents=all_intents,
            reviews=reviews.all(),
        )

    @app.get("/conversation")
    async def conversation(req: Request) -> response.HTTPResponse:
        cid = req.args.get("id", "")
        c = await source.get(cid)
        if c is None:
            return response.html(render("base.html", page="", flash=f"No conversation '{cid}'.", flash_ok=False), status=404)
        reviewed, note = reviews.get(cid)
        try:
            story = stories.conversation_to_story(cid, c.events)
        except Exception as exc:  # noqa: BLE001 - the page still shows the transcript
            story = f"# this conversation cannot be written as a story: {exc}"
        return page(
            "conversation.html",
            req,
            c=c,
            turns=transcript(c),
            reviewed=reviewed,
            note=note,
            story=story,
            story_file=stories.file_name(cid),
        )

    @app.post("/conversation/review")
    async def review(req: Request) -> response.HTTPResponse:
        cid = req.form.get("id", "")
        reviews.set(cid, req.form.get("reviewed") == "1", req.form.get("note", ""))
        return back(f"/conversation?id={_q(cid)}", "Review saved.", True)

    @app.post("/conversation/story")
    async def save_story(req: Request) -> response.HTTPResponse:
        cid = req.form.get("id", "")
        try:
            saved = stories.save_story(s.root, cid, req.form.get("story", ""))
        except (nlu_data.AnnotationError, GitError) as exc:
            return back(f"/conversation?id={_q(cid)}", f"Not saved: {exc}", False)
        return back(
            f"/conversation?id={_q(cid)}",
            f"Saved as {saved['file']} on workbench/annotations (commit {saved['commit'][:8]}).",
            True,
        )

    @app.get("/inbox")
    async def inbox_page(req: Request) -> response.HTTPResponse:
        msgs = inbox.misunderstood(await source.conversations(), s.threshold, reviews.handled())
        return page(
            "inbox.html",
            req,
            groups=inbox.group(msgs),
            count=len(msgs),
            threshold=s.threshold,
            intents=intent_list,
            entities=sorted(entities),
            annotated=inbox.annotated_text,
        )

    @app.post("/inbox/annotate")
    async def annotate(req: Request) -> response.HTTPResponse:
        keys = _keys(req)
        ann = nlu_data.Annotation(req.form.get("intent", ""), req.form.get("example", ""))
        if not is_repo(s.root):
            return back("/inbox", "Not added: the project is not a git repository.", False)
        try:
            target, commit = nlu_data.add_example(s.root, ann, intents, entities)
        except (nlu_data.AnnotationError, GitError) as exc:
            return back("/inbox", f"Not added: {exc}", False)
        for key in keys:
            reviews.mark(key, "annotated", f"{ann.intent}: {ann.example}")
        return back("/inbox", f"Added to {target} as {ann.intent} on workbench/annotations (commit {commit[:8]}).", True)

    @app.post("/inbox/dismiss")
    async def dismiss(req: Request) -> response.HTTPResponse:
        keys = _keys(req)
        for key in keys:
            reviews.mark(key, "dismissed")
        return back("/inbox", f"Dismissed {len(keys)} message(s).", True)

    @app.get("/checks")
    async def checks_page(req: Request) -> response.HTTPResponse:
        running = jobs.running("checks")
        return page(
            "checks.html",
            req,
            running=running,
            refresh=3 if running is not None else None,
            result=checks.load(s.state / "checks.json"),
        )

    @app.post("/checks/run")
    async def run_checks(req: Request) -> response.HTTPResponse:
        which = req.form.get("stories", "checkout")
        args = ["check", "--json", str(s.state / "checks.json"), "--root", str(s.root)]
        args += ["--no-stories"] if which == "none" else ["--branch"] if which == "branch" else []
        started = jobs.start("checks", args, s.root)
        return back("/checks", "Checks started." if started else "Checks are already running.", started)

    @app.get("/nlu")
    async def nlu_page(req: Request) -> response.HTTPResponse:
        running = jobs.running("nlu")
        out = s.root / nlu_report.REPORT_DIR
        prev, cur = nlu_report.latest_two(out)
        ctx: Dict[str, Any] = {"report": cur, "previous": prev, "running": running, "refresh": 5 if running is not None else None}
        ctx.update(nlu_report.page_context(prev, cur))
        return page("nlu_report.html", req, **ctx)

    @app.post("/nlu/run")
    async def run_nlu(req: Request) -> response.HTTPResponse:
        started = jobs.start("nlu", ["nlu-report", "--root", str(s.root)], s.root)
        return back("/nlu", "Cross-validation started (several minutes)." if started else "Already running.", started)

    @app.get("/dashboard")
    async def dashboard(req: Request) -> response.HTTPResponse:
        convs = await source.conversations()
        return page("dashboard.html", req, **dashboard_context(convs, analytics.resource_url_from_knowledge()))

    async def stop_jobs(*_: Any) -> None:
        jobs.stop_all()

    app.register_listener(stop_jobs, "after_server_stop")

    return app


def _keys(req: Request) -> List[str]:
    return [k for k in (req.form.get("keys") or "").split(",") if k.strip()][:1000]


def _q(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


LATENCY_BUCKETS = ((0.5, "< 0.5 s"), (1.0, "0.5–1 s"), (2.0, "1–2 s"), (5.0, "2–5 s"), (float("inf"), "≥ 5 s"))


def dashboard_context(convs: List[Any], resource_url: str) -> Dict[str, Any]:
    a = analytics.compute(convs, resource_url)
    days = list(a.per_day)
    buckets = {label: 0 for _, label in LATENCY_BUCKETS}
    for v in a.latencies:
        for top, label in LATENCY_BUCKETS:
            if v < top:
                buckets[label] += 1
                break
    return {
        "a": a,
        "days": days,
        "per_day_c": [a.per_day[d][0] for d in days],
        "per_day_m": [a.per_day[d][1] for d in days],
        "fb_rate": [(a.fallback_by_day[d][0] / a.fallback_by_day[d][1]) if a.fallback_by_day[d][1] else 0.0 for d in days],
        "lat": a.latency(),
        "latency_buckets": list(buckets.items()),
    }
