"""Command line: `python -m workbench serve|check|lint|test-stories|nlu-report|analytics` (the make targets)."""

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
    for p in (ck, nr, an, sv, li, ts):
        p.add_argument("--root", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    # What the workbench writes (its database, job logs, reports of conversations) is for its owner only.
    os.umask(0o077)
    root = Path(args.root).resolve()
    if not (root / "domain.yml").is_file():
        print(f"{root} is not the advisor's project folder (no domain.yml): give it with --root", file=sys.stderr)
        return 2

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
    if args.cmd == "analytics":
        from workbench import analytics
        from workbench.render import render
        from workbench.store import ConversationSource
        from workbench.web import dashboard_context

        src = ConversationSource(_endpoints(root, args.endpoints), root / "domain.yml", root)
        print(f"[analytics] reading conversations from the tracker store of {src.endpoints}", flush=True)
        convs = src.read_sync()
        if src.error:
            print(f"[analytics] {src.error}", file=sys.stderr)
            return 1
        out = Path(args.out)
        out = out if out.is_absolute() else root / out
        out.mkdir(parents=True, exist_ok=True)
        ctx = dashboard_context(convs, analytics.resource_url_from_knowledge())
        (out / "index.html").write_text(render("dashboard.html", standalone=True, **ctx), encoding="utf-8")
        (out / "analytics.json").write_text(__import__("json").dumps(ctx["a"].as_dict(), indent=1))
        print(f"[analytics] {len(convs)} conversations; report: {out / 'index.html'}")
        return 0
    # serve
    from workbench import access, inbox
    from workbench.web import Settings, create_app

    try:
        token = access.load_token(root, os.environ)
    except access.TokenProblem as problem:
        print(f"[workbench] not started: {problem}", file=sys.stderr)
        return 2
    settings = Settings(
        root=root,
        endpoints=_endpoints(root, args.endpoints),
        token=token,
        port=args.port,
        hosts=access.allowed_hosts(args.port, os.environ.get(access.ENV_HOSTS, ""), bind=args.host),
        threshold=args.threshold if args.threshold is not None else inbox.LOW_CONFIDENCE,
        rasa_url=os.environ.get("ADVISOR_RASA_URL", "").strip() or "http://127.0.0.1:5005",
        api_token=_api_token(),
    )
    app = create_app(settings)
    where = access.ENV_TOKEN if os.environ.get(access.ENV_TOKEN, "").strip() else f"the token in {root / access.TOKEN_FILE}"
    if not access.is_loopback(args.host):
        print(
            "[workbench] listening beyond loopback: serve it through a TLS reverse proxy and add the name it is "
            f"reached by to {access.ENV_HOSTS} (other Host headers get 421)",
            flush=True,
        )
    print(
        f"[workbench] conversations from {settings.endpoints}; listening on {args.host}:{args.port}\n"
        f"[workbench] sign in with this one-time link (valid 10 minutes, once): "
        f"http://{_link_host(args.host)}:{args.port}/login?code={app.ctx.access.new_code()}\n"
        f"[workbench] or later on its login page with {where}",
        flush=True,
    )
    app.run(host=args.host, port=args.port, access_log=False, workers=1)
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
