"""Command line: `python -m workbench serve|user|users|audit|check|lint|test-stories|nlu-report|analytics|forget|
export` (the make targets)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _endpoints(root: Path, given: str | None) -> Path:
    """The endpoints file: --endpoints, else WORKBENCH_ENDPOINTS, else the one `make run` writes (.run/endpoints.yml)
    when it exists, else endpoints.yml."""
    if given:
        return Path(given).resolve()
    if os.environ.get("WORKBENCH_ENDPOINTS"):
        return Path(os.environ["WORKBENCH_ENDPOINTS"]).resolve()
    run = root / ".run" / "endpoints.yml"
    return run if run.is_file() else root / "endpoints.yml"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m workbench", description=__doc__)
    ap.add_argument("--root", default=".", help="the project folder (default: here)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sv = sub.add_parser("serve", help="the web workbench")
    sv.add_argument("--host", default=os.environ.get("WORKBENCH_HOST", "127.0.0.1"))
    sv.add_argument("--port", type=int, default=int(os.environ.get("WORKBENCH_PORT", "8001")))
    sv.add_argument("--endpoints", help="endpoints file whose tracker_store to read")
    sv.add_argument("--threshold", type=float, default=None, help="inbox: confidence below which a message is listed")
    sv.add_argument("--require-token", action="store_true", help=argparse.SUPPRESS)  # the token is always required now
    us = sub.add_parser("user", help="add a trainer (or give them a new token) and print a one-time login link")
    us.add_argument("name", help="the trainer's name: lower-case letters, digits, . _ -")
    us.add_argument("--email", help="the e-mail for their git commits (default: <name>@workbench.invalid)")
    us.add_argument("--revoke", action="store_true", help="revoke every token of theirs; their sessions end at once")
    us.add_argument("--link", action="store_true", help="only a new login link for their current token")
    us.add_argument("--by", default=None, help="who does this, for the audit log (default: your login name)")
    us.add_argument("--port", type=int, default=int(os.environ.get("WORKBENCH_PORT", "8001")))
    us.add_argument("--host", default=os.environ.get("WORKBENCH_HOST", "127.0.0.1"))
    ul = sub.add_parser("users", help="the workbench's users and how many live tokens each has")
    au = sub.add_parser("audit", help="check the audit log's hash chain and print its newest entries")
    au.add_argument("--last", type=int, default=20)
    ck = sub.add_parser("check", help="knowledge schema, rasa data validate, lint, test stories")
    ck.add_argument("--no-stories", action="store_true")
    ck.add_argument("--branch", action="store_true", help="test stories of the workbench/annotations branch")
    ck.add_argument("--json", help="also write the results here")
    li = sub.add_parser("lint", help="only the lint")
    ts = sub.add_parser("test-stories", help="only the test stories")
    nr = sub.add_parser("nlu-report", help="5-fold cross-validation report (reports/nlu-report/index.html)")
    nr.add_argument("--nlu", default="data/nlu")
    nr.add_argument("--config", default="config.yml")
    nr.add_argument("--out", default=None)
    nr.add_argument("--folds", type=int, default=5)
    an = sub.add_parser("analytics", help="dashboard as HTML (reports/analytics/index.html)")
    an.add_argument("--endpoints")
    an.add_argument("--out", default="reports/analytics")
    fg = sub.add_parser("forget", help="erase one conversation (PRIVACY.md) and list test stories committed from it")
    fg.add_argument("id", help="the conversation id, e.g. rest:anna or telegram:123456")
    fg.add_argument("--endpoints")
    fg.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    ex = sub.add_parser("export", help="one conversation as JSON (a subject-access request, PRIVACY.md)")
    ex.add_argument("id", help="the conversation id")
    ex.add_argument("--endpoints")
    ex.add_argument("--out", help="write the JSON here (private file) instead of printing it")
    for p in (ck, nr, an, sv, li, ts, us, ul, au, fg, ex):
        p.add_argument("--root", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    # What the workbench writes (its database, job logs, reports of conversations) is for its owner only.
    os.umask(0o077)
    _log_erasures()
    root = Path(args.root).resolve()
    if not (root / "domain.yml").is_file():
        print(f"{root} is not the advisor's project folder (no domain.yml): give it with --root", file=sys.stderr)
        return 2

    if args.cmd in ("user", "users", "audit"):
        return _users_command(args, root)
    if args.cmd == "lint":
        from workbench import lint

        return lint.main([str(root)])
    if args.cmd in ("check", "test-stories"):
        from workbench import checks

        if args.cmd == "test-stories":
            print("[test-stories] running tests/stories against the trained model (a minute or two)", flush=True)
            steps = [checks.run_stories(root)]
            for st in steps:
                for f in st.failures:
                    print(f"  {f['file']}:{f['line']}: story '{f['story']}': expected {f['expected']}, the bot did {f['actual']}")
                print(f"[test-stories] {'passed' if st.ok else 'FAILED'} in {st.seconds:.0f} s")
                if not st.ok and st.output and not st.failures:
                    print(st.output)
        else:
            steps = checks.run_all(root, stories=not args.no_stories, from_branch=args.branch)
            if args.json:
                checks.save(steps, Path(args.json))
        return 0 if all(st.ok for st in steps) else 1
    if args.cmd == "nlu-report":
        from workbench import nlu_report

        out = Path(args.out).resolve() if args.out else root / nlu_report.REPORT_DIR
        nlu_report.run(root, args.nlu, args.config, out, args.folds)
        return 0
    if args.cmd in ("forget", "export"):
        return _privacy(args, root)
    if args.cmd == "analytics":
        from workbench import analytics
        from workbench.render import render
        from workbench.store import ConversationSource, StoreError

        src = ConversationSource(_endpoints(root, args.endpoints), root / "domain.yml", root,
                                 analytics.resource_url_from_knowledge())
        print(f"[analytics] reading conversations from the tracker store of {src.endpoints}", flush=True)
        try:
            ctx = src.dashboard_sync()
        except StoreError as exc:
            print(f"[analytics] {exc}", file=sys.stderr)
            return 1
        out = Path(args.out)
        out = out if out.is_absolute() else root / out
        out.mkdir(parents=True, exist_ok=True)
        (out / "index.html").write_text(render("dashboard.html", standalone=True, **ctx), encoding="utf-8")
        (out / "analytics.json").write_text(__import__("json").dumps(ctx["a"].as_dict(), indent=1))
        print(f"[analytics] {ctx['a'].conversations} conversations; report: {out / 'index.html'}")
        return 0
    # serve
    from workbench import access, inbox
    from workbench.users import FILE_NAME, Users
    from workbench.web import Settings, create_app

    users = Users(root / STATE / FILE_NAME)
    try:
        holder = access.bootstrap(root, os.environ, users)
    except access.TokenProblem as problem:
        print(f"[workbench] not started: {problem}", file=sys.stderr)
        return 2
    settings = Settings(
        root=root,
        endpoints=_endpoints(root, args.endpoints),
        users=users,
        port=args.port,
        hosts=access.allowed_hosts(args.port, os.environ.get(access.ENV_HOSTS, ""), bind=args.host),
        threshold=args.threshold if args.threshold is not None else inbox.LOW_CONFIDENCE,
        rasa_url=os.environ.get("ADVISOR_RASA_URL", "").strip() or "http://127.0.0.1:5005",
        api_token=_api_token(),
    )
    app = create_app(settings)
    if not access.is_loopback(args.host):
        print(
            "[workbench] listening beyond loopback: serve it through a TLS reverse proxy and add the name it is "
            f"reached by to {access.ENV_HOSTS} (other Host headers get 421)",
            flush=True,
        )
    print(f"[workbench] conversations from {settings.endpoints}; listening on {args.host}:{args.port}", flush=True)
    if holder is not None:
        print(
            f"[workbench] sign in as {holder.name} with this one-time link (valid 10 minutes, once): "
            f"http://{_link_host(args.host)}:{args.port}/login?code={app.ctx.access.new_code(holder)}\n"
            f"[workbench] or later on its login page with the token in {root / access.TOKEN_FILE}; "
            "other trainers: make workbench-user NAME=…",
            flush=True,
        )
    else:
        print("[workbench] sign in with your own login link: make workbench-user NAME=<you> LINK=1", flush=True)
    app.run(host=args.host, port=args.port, access_log=False, workers=1)
    return 0


STATE = ".workbench"  # web.Settings.state's default


def _users_command(args: argparse.Namespace, root: Path) -> int:
    """`make workbench-user NAME=… [EMAIL=…] [REVOKE=1] [LINK=1]`, `make workbench-users`, `make workbench-audit`."""
    from workbench.audit import AuditError, AuditLog
    from workbench.users import FILE_NAME, SERVICE, UserProblem, Users, name_from_login

    users = Users(root / STATE / FILE_NAME)
    log = AuditLog(root / STATE)
    if args.cmd == "users":
        for u in users.list():
            email = f" <{u.email}>" if u.email else ""
            print(f"{u.name:<20} {u.kind:<8} live tokens: {u.active_tokens}  revoked: {u.revoked_tokens}{email}")
        return 0
    if args.cmd == "audit":
        verdict = log.verify()
        for e in log.page(1, max(args.last, 0))[0][::-1]:
            detail = " ".join(f"{k}={v}" for k, v in sorted(e.detail.items()))
            print(f"{e.seq:>6} {_utc(e.at)} {e.trainer or '-':<16} {e.action:<20} {e.conversation or '':<18} {detail}")
        if verdict.ok:
            print(f"[audit] hash chain intact: {verdict.count} entries, newest hash {verdict.head}")
            return 0
        print(f"[audit] hash chain BROKEN at line {verdict.broken_at}: {verdict.reason}", file=sys.stderr)
        return 1
    by = args.by or name_from_login(os.environ.get("USER") or os.environ.get("LOGNAME"))
    try:
        if args.revoke:
            n = users.revoke(args.name)
            log.record(by, "revoke tokens", user=args.name, tokens=n)
            print(f"[workbench] revoked {n} token(s) of {args.name}: their sessions and login links stop working now")
            return 0
        if args.name == SERVICE:
            raise UserProblem(f"'{SERVICE}' signs in with WORKBENCH_TOKEN only: set a new one to replace it")
        if args.link:
            identity = users.latest(args.name)
            if identity is None:
                raise UserProblem(f"{args.name} has no live token: run it without LINK=1 to give them one")
            token = None
        else:
            created = users.add(args.name, email=args.email)
            token = users.issue(args.name, replace=True)
            identity = users.by_token(token)
            assert identity is not None
            log.record(by, "add trainer" if created else "new token", user=args.name)
        code = users.new_code(identity)
        log.record(by, "login link", user=args.name)
    except (UserProblem, AuditError) as problem:
        print(f"[workbench] {problem}", file=sys.stderr)
        return 2
    if token is not None:
        print(f"[workbench] {args.name}'s token (shown once, kept only as a hash; for the login page and "
              f"'Authorization: Bearer'; their earlier tokens no longer work):\n{token}")
    print(f"[workbench] {args.name}'s one-time login link (valid 10 minutes, once; give it to them only):\n"
          f"http://{_link_host(args.host)}:{args.port}/login?code={code}")
    return 0


def _utc(ts: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _log_erasures() -> None:
    """Erasures (persistence.tracker_store: counts and a short hash, never content) reach this process's
    output, as the Rasa server's do its log: the deletion is on record wherever it was made."""
    import logging

    log = logging.getLogger("persistence")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("[workbench] %(asctime)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def _privacy(args: argparse.Namespace, root: Path) -> int:
    """`make forget ID=…` / `make export ID=…` (PRIVACY.md), against the store the workbench reads."""
    import asyncio
    import json

    from workbench import privacy
    from workbench.store import ConversationSource, StoreError

    src = ConversationSource(_endpoints(root, args.endpoints), root / "domain.yml", root)
    try:
        conv = asyncio.run(src.get(args.id))
    except StoreError as exc:
        print(f"[{args.cmd}] {exc}", file=sys.stderr)
        return 1
    if src.error:
        print(f"[{args.cmd}] {src.error}", file=sys.stderr)
        return 1
    if conv is None:
        print(f"[{args.cmd}] no conversation {args.id!r} in the tracker store of {src.endpoints}", file=sys.stderr)
        return 1
    if args.cmd == "export":
        from workbench.audit import AuditLog
        from workbench.users import name_from_login

        text = json.dumps(privacy.export(conv.id, conv.events), ensure_ascii=False, indent=1) + "\n"
        AuditLog(root / STATE).record(name_from_login(os.environ.get("USER") or os.environ.get("LOGNAME")), "export",
                                      args.id, events=len(conv.events), via="cli")
        if args.out:
            from workbench.safe import open_private

            with open(open_private(Path(args.out)), "w", encoding="utf-8") as out:
                out.write(text)
            print(f"[export] {len(conv.events)} events of {args.id} written to {args.out}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0
    if not args.yes:
        answer = input(f"Delete conversation {args.id} ({conv.user_messages} user messages) for good? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("[forget] nothing deleted")
            return 1
    from workbench.audit import AuditLog
    from workbench.users import name_from_login
    from workbench.web import Settings

    state_db = Settings(root=root, endpoints=src.endpoints).state / "workbench.db"
    counts = asyncio.run(src.forget(args.id, state_db, reason="the command line (make forget)"))
    AuditLog(root / STATE).record(name_from_login(os.environ.get("USER") or os.environ.get("LOGNAME")), "delete",
                                  args.id, events=len(conv.events), via="cli")
    print(f"[forget] {args.id} deleted: " + ", ".join(f"{n} {where}" for where, n in counts.items()))
    committed = privacy.committed_stories(root, args.id)
    if committed:
        print("[forget] test stories committed from it; remove them yourself (the deletion does not touch git; "
              "rewriting history, e.g. git filter-repo --path <file> --invert-paths, is the trainer's decision):")
        for line in committed:
            print(f"  {line}")
    else:
        print("[forget] no test story was committed from it")
    return 0


def _api_token() -> str | None:
    """The Rasa server's API token for the Live page (RASA_AUTH_TOKEN or .run/api-token); None: Live is read-only."""
    from advisor.api_token import TokenProblem, load_token

    try:
        return load_token()
    except TokenProblem as problem:
        print(f"[workbench] the Live page cannot answer users: {problem}", file=sys.stderr)
        return None


def _link_host(bind: str) -> str:
    """Where the printed login link points: loopback unless the workbench is bound to one other address."""
    if bind in ("0.0.0.0", "::", "*", "", "localhost"):
        return "127.0.0.1"
    return f"[{bind}]" if ":" in bind else bind


if __name__ == "__main__":
    raise SystemExit(main())
