"""The workbench web app: Sanic (already installed with Rasa, so nothing new to pin) serving server-rendered
Jinja2 pages with inline SVG charts: no JavaScript build, no CDN, works offline.

Access (workbench/access.py), checked in this order on every request: the `Host` header must be one the
workbench answers to (else 421, so a DNS-rebound name gets nothing); a state-changing request must come from
one of those origins (else 403); then a session (cookie from the one-time login link or the login form) or
`Authorization: Bearer <token>` (else 401); and every form post carries its session's CSRF secret (else 403).
Each trainer signs in with their own token (workbench/users.py); `req.ctx.session.trainer` is their name, for
a Bearer request too. Every state-changing action is written to the audit log (workbench/audit.py, the Audit
page) under that name, and commits on `workbench/annotations` are authored by it.
Messages after a redirect come from a fixed table (FLASH): nothing in the URL is shown as a message.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Tuple
from urllib.parse import urlencode

from sanic import Sanic, response
from sanic.request import Request

from workbench import (
    analytics,
    audit,
    checks,
    facts_edit,
    feedback,
    handoff_stats,
    inbox,
    live,
    nlu_data,
    nlu_report,
    privacy,
    stories,
)
from workbench.access import STATE_CHANGING, Access, Session, allowed_hosts, same
from workbench.conversations import Filters, transcript
from workbench.gitbranch import Author, GitError, is_repo
from workbench.render import TEMPLATES, render
from workbench.reviews import MAX_NOTE_CHARS, Reviews
from workbench.safe import open_private, private_dir
from workbench.store import DASHBOARD_SECONDS, REFRESH_SECONDS, ConversationSource
from workbench.users import FILE_NAME as USERS_FILE
from workbench.users import Users

MAX_BODY = 512 * 1024
AUDIT_PAGE_SIZE = 50
PUBLIC = frozenset({"/health", "/style.css", "/login", "/live.js"})

# Messages after a redirect: `?flash=<key>` plus the ids in SAFE_ARGS, checked against their patterns.
# Unknown keys, or a key whose ids do not match, show nothing. `failed` shows the session's own last error.
FLASH: Dict[str, Tuple[bool, str]] = {
    "review_saved": (True, "Review saved."),
    "story_saved": (True, "Saved as {file} on workbench/annotations (commit {commit})."),
    "example_added": (True, "Added to {file} as {intent} on workbench/annotations (commit {commit})."),
    "dismissed": (True, "Dismissed {n} message(s)."),
    "checks_started": (True, "Checks started."),
    "checks_running": (False, "Checks are already running."),
    "nlu_started": (True, "Cross-validation started (several minutes)."),
    "nlu_running": (False, "Already running."),
    "not_a_repo": (False, "Not added: the project is not a git repository."),
    "question_added": (True, "Added to the questions of {fact} in knowledge/facts.yml on workbench/annotations "
                             "(commit {commit})."),
    "fact_added": (True, "New fact {fact} in knowledge/facts.yml on workbench/annotations (commit {commit})."),
    "duty_saved": (True, "On-duty switch saved."),
    "taken": (True, "You have the conversation: the user sees your replies live."),
    "handed_back": (True, "Handed back to the bot."),
    "message_done": (True, "Marked done: the message and its address are deleted."),
}
SAFE_ARGS = {
    "commit": re.compile(r"[0-9a-f]{8,40}"),
    "n": re.compile(r"[0-9]{1,5}"),
    "intent": re.compile(r"[A-Za-z0-9_]{1,80}"),
    "file": re.compile(r"(data/nlu|tests/stories)/[A-Za-z0-9_-]{1,120}\.yml"),
    "fact": re.compile(r"[A-Za-z0-9_.-]{1,80}"),
}


def flash_message(args: Mapping[str, str], session: Optional[Session]) -> Tuple[str, bool]:
    """(text, ok) for a redirect's `?flash=` key, from FLASH only; ("", False) when there is nothing to show."""
    key = args.get("flash", "")
    if key == "failed":
        message = session.message if session else None
        if session is not None:
            session.message = None
        return message or "", False
    if key not in FLASH:
        return "", False
    ok, template = FLASH[key]
    values: Dict[str, str] = {}
    for name in re.findall(r"{(\w+)}", template):
        value = args.get(name, "")
        if not SAFE_ARGS[name].fullmatch(value):
            return "", False
        values[name] = value
    return template.format(**values), ok


@dataclass
class Settings:
    root: Path
    endpoints: Path
    port: int = 8001
    hosts: FrozenSet[str] = frozenset()
    threshold: float = inbox.LOW_CONFIDENCE
    state_dir: Optional[Path] = None
    rasa_url: str = ""  # the Rasa server's HTTP API, for the Live page's replies (ADVISOR_RASA_URL)
    api_token: Optional[str] = None  # its API token (advisor/api_token.py), sent as a Bearer header
    users: Optional[Users] = None  # default: <state>/access.db

    @property
    def state(self) -> Path:
        return self.state_dir or self.root / ".workbench"

    @property
    def cookie(self) -> str:
        return f"workbench_session_{self.port}"


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
        private_dir(self.state)
        # The child gets its own copy of the descriptor: ours is closed as soon as it has started.
        with open(open_private(self.state / f"{kind}.log"), "wb") as log:
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
    private_dir(s.state)
    access = Access(s.users or Users(s.state / USERS_FILE), s.hosts or allowed_hosts(s.port))
    app.ctx.access = access
    log = audit.configure(s.state)
    source = ConversationSource(s.endpoints, s.root / "domain.yml", s.root, analytics.resource_url_from_knowledge())
    reviews = Reviews(s.state / "workbench.db")

    source.on_refresh = lambda src: prune_marks(reviews, src)
    jobs = Jobs(s.state)
    intents, entities, _, _ = nlu_data.domain_names((s.root / "domain.yml").read_text(encoding="utf-8"))
    intent_list = sorted(intents)

    def page(template: str, req: Request, **ctx: Any) -> response.HTTPResponse:
        session: Optional[Session] = req.ctx.session
        flash, ok = flash_message({k: req.args.get(k, "") for k in req.args}, session)
        html = render(
            template,
            page=req.path,
            csrf=session.csrf if session else "",
            signed_in=session is not None,
            trainer=session.trainer if session else None,
            flash=flash,
            flash_ok=ok,
            store_error=source.error,
            **ctx,
        )
        return response.html(html)

    def back(url: str, key: str, **ids: str) -> response.HTTPResponse:
        sep = "&" if "?" in url else "?"
        return response.redirect(f"{url}{sep}{urlencode({'flash': key, **ids})}")

    def failed(req: Request, url: str, message: str) -> response.HTTPResponse:
        """Back to `url` showing `message` (made here, e.g. a validation error) once, kept in the session."""
        if req.ctx.session is not None:
            req.ctx.session.message = message
        return back(url, "failed")

    def who(req: Request) -> Optional[str]:
        session: Optional[Session] = req.ctx.session
        return session.trainer if session else None

    def author(req: Request) -> Author:
        """The signed-in trainer as the git author of what they commit."""
        session: Session = req.ctx.session
        return Author(session.identity.name, session.identity.git_email)

    async def conversations_of(keys: List[str]) -> Dict[str, int]:
        """conversation id -> how many of the inbox message keys are in it (for the audit log)."""
        return await source.conversations_of(keys)

    def login_page(why: str, status: int = 401) -> response.HTTPResponse:
        return response.html(render("login.html", page="/login", why=why, port=s.port), status=status)

    def signed_in(session: Session) -> response.HTTPResponse:
        resp = response.redirect("/")
        resp.cookies[s.cookie] = session.id
        resp.cookies[s.cookie]["httponly"] = True
        resp.cookies[s.cookie]["samesite"] = "Strict"
        resp.cookies[s.cookie]["path"] = "/"
        resp.cookies[s.cookie]["max-age"] = int(session.expires - time.time())
        return resp

    @app.middleware("request")
    async def guard(req: Request) -> Optional[response.HTTPResponse]:
        req.ctx.session = None
        # 1. Only the names the workbench answers to (a DNS-rebound name gets nothing, not even a login page).
        if not access.host_ok(req.headers.get("host")):
            return response.text("421: misdirected request (this Host is not served here)", status=421)
        # 2. State changes only from the workbench's own pages.
        if req.method in STATE_CHANGING and not access.origin_ok(req.headers.get("origin"), req.headers.get("referer")):
            return response.text("403: cross-site request refused", status=403)
        # 3. Signed in: a session cookie, or a live token as a Bearer header (scripts); either names its trainer.
        bearer = access.bearer(req.headers.get("authorization"))
        session = bearer or access.session(req.cookies.get(s.cookie))
        req.ctx.session = session
        if req.path in PUBLIC:
            return None
        if session is None:
            return login_page("Sign in to use the workbench.")
        # 4. A browser's form post carries its session's secret (a Bearer request cannot come from another site).
        if req.method in STATE_CHANGING and bearer is None:
            if session is None or not same(req.form.get("csrf"), session.csrf):
                return response.text("403: the form is stale: reload the page", status=403)
        return None

    @app.middleware("response")
    async def headers(req: Request, resp: response.HTTPResponse) -> None:
        resp.headers["Content-Security-Policy"] = (
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers["Cache-Control"] = "no-store"

    @app.get("/health")
    async def health(_: Request) -> response.HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/style.css")
    async def style(_: Request) -> response.HTTPResponse:
        return response.text((TEMPLATES / "style.css").read_text(), content_type="text/css")

    @app.get("/login")
    async def login_link(req: Request) -> response.HTTPResponse:
        code = req.args.get("code")
        if code is None:
            return login_page("", status=200)
        identity = access.redeem(code)
        if identity is None:
            return login_page("This login link was already used, has expired or was revoked.")
        log.record(identity.name, "sign in", method="login link")
        return signed_in(access.new_session(identity))

    @app.post("/login")
    async def login_form(req: Request) -> response.HTTPResponse:
        identity = access.token_ok(req.form.get("token"))
        if identity is None:
            return login_page("Wrong or revoked token.")
        log.record(identity.name, "sign in", method="token")
        return signed_in(access.new_session(identity))

    @app.post("/logout")
    async def logout(req: Request) -> response.HTTPResponse:
        if req.ctx.session is not None and not req.ctx.session.bearer:
            access.end(req.ctx.session)
            log.record(who(req), "sign out")
        resp = response.redirect("/login")
        del resp.cookies[s.cookie]
        return resp

    @app.get("/")
    async def home(_: Request) -> response.HTTPResponse:
        return response.redirect("/conversations")

    @app.get("/conversations")
    async def conversations(req: Request) -> response.HTTPResponse:
        f = Filters.from_query({k: req.args.get(k, "") for k in req.args})
        listing = await source.list_page(f, page_number(req))
        return page(
            "conversations.html",
            req,
            shown=listing.rows,
            listing=listing,
            total=await source.count(),
            f=f,
            channels=await source.channels(),
            intents=sorted(set(intent_list) | {"nlu_fallback"}),
            reviews=reviews.of(c.id for c in listing.rows),
            nav=nav(req, listing),
            behind=source.behind,
        )

    @app.get("/conversation")
    async def conversation(req: Request) -> response.HTTPResponse:
        cid = req.args.get("id", "")
        c = await source.get(cid)
        if c is None:
            return response.html(render("base.html", page="", flash="No such conversation.", flash_ok=False), status=404)
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
        cid = req.args.get("id", "")  # in the form's URL, percent-encoded: a raw id never sits in the page
        done = req.form.get("reviewed") == "1"
        note = req.form.get("note", "")
        reviews.set(cid, done, note)
        log.record(who(req), "review", cid, reviewed=done, note_chars=min(len(note), MAX_NOTE_CHARS))
        return back(f"/conversation?id={_q(cid)}", "review_saved")

    @app.post("/conversation/story")
    async def save_story(req: Request) -> response.HTTPResponse:
        cid = req.args.get("id", "")
        try:
            saved = stories.save_story(s.root, cid, req.form.get("story", ""), author=author(req))
        except (nlu_data.AnnotationError, GitError) as exc:
            return failed(req, f"/conversation?id={_q(cid)}", f"Not saved: {exc}")
        log.record(who(req), "save as test", cid, file=saved["file"], commit=saved["commit"][:12])
        return back(f"/conversation?id={_q(cid)}", "story_saved", file=saved["file"], commit=saved["commit"][:8])

    @app.get("/conversation/export")
    async def export_conversation(req: Request) -> response.HTTPResponse:
        """A subject-access export (PRIVACY.md): the conversation as JSON, downloaded."""
        cid = req.args.get("id", "")
        c = await source.get(cid)
        if c is None:
            return response.json({"error": "no such conversation"}, status=404)
        body = privacy.export(c.id, c.events)
        log.record(who(req), "export", cid, events=len(c.events))
        return response.json(body, headers={"Content-Disposition": 'attachment; filename="conversation.json"'},
                             dumps=lambda o: json.dumps(o, ensure_ascii=False, indent=1))

    @app.post("/conversation/delete")
    async def delete_conversation(req: Request) -> response.HTTPResponse:
        """Erasure on request (PRIVACY.md): only with the form's confirmation box ticked."""
        cid = req.args.get("id", "")
        if req.form.get("confirm") != "yes":
            return failed(req, f"/conversation?id={_q(cid)}", "Not deleted: tick the box to confirm the deletion.")
        if await source.get(cid) is None:
            return response.html(render("base.html", page="", flash="No such conversation.", flash_ok=False), status=404)
        try:
            counts = await source.forget(cid, reviews.path, reason="a trainer's request in the workbench")
        except Exception as exc:  # noqa: BLE001 - the trainer is told, the conversation is still there
            return failed(req, f"/conversation?id={_q(cid)}", f"Not deleted: {type(exc).__name__}")
        # the audit keeps a keyed pseudonym of the id, never its content (workbench/audit.py)
        log.record(who(req), "delete", cid, events=int(counts.get("events", 0)))
        return page("deleted.html", req, cid=cid, events=counts.get("events", 0),
                    counts=counts, committed=privacy.committed_stories(s.root, cid))

    @app.get("/inbox")
    async def inbox_page(req: Request) -> response.HTTPResponse:
        msgs, listing = await source.inbox_page(s.threshold, reviews.handled(), page_number(req))
        return page(
            "inbox.html",
            req,
            groups=inbox.group(msgs),
            count=listing.total,
            listing=listing,
            nav=nav(req, listing),
            behind=source.behind,
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
            return back("/inbox", "not_a_repo")
        try:
            target, commit = nlu_data.add_example(s.root, ann, intents, entities, author=author(req))
        except (nlu_data.AnnotationError, GitError) as exc:
            return failed(req, "/inbox", f"Not added: {exc}")
        for key in keys:
            reviews.mark(key, "annotated", f"{ann.intent}: {ann.example}")
        found = await conversations_of(keys)
        for cid, n in found.items() or [(None, 0)]:
            log.record(who(req), "annotate", cid, intent=ann.intent, file=target, commit=commit[:12], messages=n)
        return back("/inbox", "example_added", file=target, intent=ann.intent, commit=commit[:8])

    @app.post("/inbox/dismiss")
    async def dismiss(req: Request) -> response.HTTPResponse:
        keys = _keys(req)
        for key in keys:
            reviews.mark(key, "dismissed")
        found = await conversations_of(keys)
        for cid, n in found.items():
            log.record(who(req), "dismiss", cid, messages=n)
        if len(keys) > sum(found.values()):
            log.record(who(req), "dismiss", None, messages=len(keys) - sum(found.values()), in_store=False)
        return back("/inbox", "dismissed", n=str(len(keys)))

    @app.get("/feedback")
    async def feedback_page(req: Request) -> response.HTTPResponse:
        convs, listing = await source.voted_page(page_number(req))
        votes = feedback.all_votes(convs)
        editable = is_repo(s.root)
        try:
            choices = facts_edit.read_branch(s.root).choices if editable else facts_edit.choices({})
        except (GitError, nlu_data.AnnotationError):
            editable, choices = False, facts_edit.choices({})
        return page(
            "feedback.html",
            req,
            wrong=feedback.marked_wrong(votes),
            ups=sum(1 for v in votes if v.vote == "up"),
            tally=feedback.tally(votes),
            editable=editable,
            choices=choices,
            suggest=lambda v: feedback.suggested_fact(v, choices.facts),
            listing=listing,
            nav=nav(req, listing),
        )

    @app.post("/feedback/question")
    async def feedback_question(req: Request) -> response.HTTPResponse:
        if not is_repo(s.root):
            return back("/feedback", "not_a_repo")
        fact_id = req.form.get("fact", "")
        try:
            commit = facts_edit.commit_question(s.root, fact_id, req.form.get("question", ""), author=author(req))
        except (nlu_data.AnnotationError, GitError) as exc:
            return failed(req, "/feedback", f"Not added: {exc}")
        log.record(who(req), "vote triage", _conversation_field(req), added="question", fact=fact_id,
                   commit=commit[:12])
        return back("/feedback", "question_added", fact=fact_id, commit=commit[:8])

    @app.post("/feedback/fact")
    async def feedback_fact(req: Request) -> response.HTTPResponse:
        if not is_repo(s.root):
            return back("/feedback", "not_a_repo")
        raw = {
            "id": req.form.get("id", ""),
            "certifications": req.form.getlist("certifications") or [],
            "topic": req.form.get("topic", ""),
            "answer": req.form.get("answer", ""),
            "source": req.form.get("source", ""),
            "questions": facts_edit.lines_of(req.form.getlist("questions")),
        }
        try:
            fact_id, commit = facts_edit.commit_new_fact(s.root, raw, author=author(req))
        except (nlu_data.AnnotationError, GitError) as exc:
            return failed(req, "/feedback", f"Not written: {exc}")
        log.record(who(req), "vote triage", _conversation_field(req), added="fact", fact=fact_id,
                   commit=commit[:12])
        return back("/feedback", "fact_added", fact=fact_id, commit=commit[:8])

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
        if started:
            log.record(who(req), "run checks", stories=which if which in ("none", "branch") else "checkout")
        return back("/checks", "checks_started" if started else "checks_running")

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
        if started:
            log.record(who(req), "run cross-validation")
        return back("/nlu", "nlu_started" if started else "nlu_running")

    @app.get("/dashboard")
    async def dashboard(req: Request) -> response.HTTPResponse:
        return page("dashboard.html", req, behind=source.behind, **(await source.dashboard()))

    live.register(app, source, live.RasaLink(s.rasa_url, s.api_token), page, back, failed)
    @app.get("/audit")
    async def audit_page(req: Request) -> response.HTTPResponse:
        number = int(req.args.get("page", "1")) if req.args.get("page", "1").isdigit() else 1
        trainer = req.args.get("trainer") or None
        entries, total = log.page(max(number, 1), AUDIT_PAGE_SIZE, trainer)
        pages = max((total + AUDIT_PAGE_SIZE - 1) // AUDIT_PAGE_SIZE, 1)
        if number > pages:  # past the end: the last page
            number = pages
            entries, total = log.page(number, AUDIT_PAGE_SIZE, trainer)
        wanted = {e.conversation for e in entries if e.conversation}
        known = {}
        if wanted:
            for cid in await source.ids():
                ref = log.conversation_ref(cid)
                if ref in wanted:
                    known[ref] = cid
        return page(
            "audit.html",
            req,
            entries=entries,
            total=total,
            number=max(number, 1),
            pages=pages,
            trainer_filter=trainer,
            trainers=sorted(u.name for u in access.users.list()),
            known=known,
            verdict=log.verify(),
        )

    async def stop_jobs(*_: Any) -> None:
        jobs.stop_all()
        refresher.stop()

    async def start_refresher(*_: Any) -> None:
        refresher.start()

    refresher = Refresher(source)
    app.register_listener(start_refresher, "after_server_start")
    app.register_listener(stop_jobs, "after_server_stop")

    return app


class Refresher:
    """Keeps the index current in a thread of its own (the first read of a large store takes a while; pages
    show how far behind it is meanwhile): a full refresh every REFRESH_SECONDS, and the dashboard's figures
    when they are about DASHBOARD_SECONDS old."""

    def __init__(self, source: ConversationSource) -> None:
        self.source = source
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="workbench-index", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.source.refresh(wait=True)
            if self.source.error is None:
                try:  # the dashboard's figures, recomputed when a minute old (a page shows them at once)
                    self.source.recompute_dashboard(older_than=DASHBOARD_SECONDS - REFRESH_SECONDS)
                except Exception as exc:  # noqa: BLE001 - the page computes them itself, and shows the error
                    self.source.error = f"cannot compute the dashboard: {type(exc).__name__}"
            self._stop.wait(REFRESH_SECONDS)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


def prune_marks(reviews: Reviews, source: ConversationSource) -> int:
    """Drops the reviews and inbox marks of conversations the store no longer holds (erased, expired): called
    after a full refresh of the index. Rows deleted."""
    cids, keys = reviews.marked()
    found_ids, found_keys = source.existing_sync(cids, keys)
    return reviews.drop(cids - found_ids, keys - found_keys)


def page_number(req: Request) -> int:
    raw = req.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) <= 7 else 1


def nav(req: Request, listing: Any) -> Dict[str, str]:
    """Links to the newer / older page of a listing, keeping the request's other arguments."""
    args = {k: req.args.get(k, "") for k in req.args if k not in ("page", "flash")}
    out = {}
    if listing.number > 1:
        out["newer"] = f"{req.path}?{urlencode({**args, 'page': listing.number - 1})}"
    if listing.number < listing.pages:
        out["older"] = f"{req.path}?{urlencode({**args, 'page': listing.number + 1})}"
    return out


def _conversation_field(req: Request) -> Optional[str]:
    """The conversation a feedback form was about (for the audit log only; anything odd is left out)."""
    value = req.form.get("conversation") or ""
    return value if 0 < len(value) <= 512 else None


def _keys(req: Request) -> List[str]:
    return [k for k in (req.form.get("keys") or "").split(",") if k.strip()][:1000]


def _q(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


LATENCY_BUCKETS = ((0.5, "< 0.5 s"), (1.0, "0.5–1 s"), (2.0, "1–2 s"), (5.0, "2–5 s"), (float("inf"), "≥ 5 s"))


def dashboard_context(convs: List[Any], resource_url: str) -> Dict[str, Any]:
    a = analytics.compute(convs, resource_url)
    buckets = {label: 0 for _, label in LATENCY_BUCKETS}
    for v in a.latencies:
        for top, label in LATENCY_BUCKETS:
            if v < top:
                buckets[label] += 1
                break
    return analytics.dashboard_view(a, list(buckets.items()), handoff_stats.compute(convs))
