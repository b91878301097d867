"""The action server (rasa_sdk) as the launcher runs it: on loopback unless the operator says otherwise,
every call but the health check with the shared secret, small JSON bodies only.

    python -m advisor run actions --actions actions --port 5055   # what the scripts and the tests start
    python -m advisor.action_server secret                        # creates .run/action-secret, prints its path

- **Interface.** rasa_sdk binds ``SANIC_HOST``, or 0.0.0.0 when it is unset. The launcher sets
  ``SANIC_HOST`` to ``ACTION_SERVER_HOST``, 127.0.0.1 by default: an inherited ``SANIC_HOST`` alone does
  not move the action server off loopback.
- **Secret.** ``ACTION_SERVER_SECRET``, or the file ``ACTION_SERVER_SECRET_FILE`` (default
  ``.run/action-secret``) created once with a random secret, mode 600. The launcher puts it into the
  environment of the Rasa server as well as of the action server; the endpoints file that
  persistence/endpoints.py writes sends it as the ``X-Advisor-Action-Secret`` header by reference
  (``${ACTION_SERVER_SECRET}``, expanded by Rasa when it reads the file): it is never written there.
- **Every request** but ``GET``/``HEAD /health`` without the right header gets 401 (compared in constant
  time). The check runs after routing and before the body is read.
- ``POST /webhook`` needs ``Content-Type: application/json`` (415 otherwise): rasa_sdk parses any body
  as JSON, so a web page could post ``text/plain`` to it without a CORS preflight.
- ``GET /metrics``: the Prometheus text format of advisor.metrics.ACTIONS (actions run by name, errors,
  seconds), with the secret as the header above or as ``Authorization: Bearer <secret>`` (what Prometheus
  sends from ``authorization: credentials_file:``); docs/metrics.md.
- Bodies are limited to 1 MiB, checked against the declared (or streamed) size before anything is
  buffered (413); rasa_sdk keeps Sanic's 100 MB.

The hardening is applied by one patch of ``rasa_sdk.endpoint.create_app`` (advisor.patches).
"""
from __future__ import annotations

import functools
import hmac
import os
import re
import secrets
import sys
from http import HTTPStatus
from pathlib import Path
from typing import Any, Callable, List, Mapping, MutableMapping, Optional, Tuple

from advisor import api_token

ENV_SECRET = "ACTION_SERVER_SECRET"
ENV_SECRET_FILE = "ACTION_SERVER_SECRET_FILE"
ENV_HOST = "ACTION_SERVER_HOST"
DEFAULT_SECRET_FILE = api_token.ROOT / ".run" / "action-secret"
DEFAULT_HOST = "127.0.0.1"
HEADER = "X-Advisor-Action-Secret"
GRACEFUL_ENV = "SANIC_GRACEFUL_SHUTDOWN_TIMEOUT"  # Sanic reads SANIC_* variables into its config
DEFAULT_GRACEFUL_S = "3"
BODY_LIMIT = 1024 * 1024
OPEN_PATHS = ("/health",)  # GET/HEAD without the secret: the readiness probe
BEARER_PATHS = ("/metrics",)  # GET/HEAD: the secret may come as Authorization: Bearer (Prometheus)
JSON_PATHS = ("/webhook",)
# A secret Rasa can take from ${ACTION_SERVER_SECRET} unchanged and send as a header: no spaces, no "$".
SECRET_PATTERN = re.compile(r"[A-Za-z0-9._~+/=-]{16,}")


class ActionServerRefusal(Exception):
    """A request the action server refuses before reading its body."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status_code, self.reason = status, reason


# --- the secret --------------------------------------------------------------------------------------
def secret_file(environ: Optional[Mapping[str, str]] = None) -> Path:
    env = os.environ if environ is None else environ
    value = (env.get(ENV_SECRET_FILE) or "").strip()
    return Path(value) if value else DEFAULT_SECRET_FILE


def ensure_secret_file(path: Path) -> Path:
    """Creates `path` with a new random secret (mode 600) unless it exists, atomically: the action server
    and the Rasa server may start at the same moment. Checks its mode either way."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(32) + "\n")
            try:
                os.link(tmp, path)  # fails if another process was first: its secret is kept
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    api_token.read_token_file(path)  # owner-only, long enough
    return path


def load_secret(environ: Optional[Mapping[str, str]] = None) -> str:
    """ACTION_SERVER_SECRET when set, else the secret file's content (created if missing)."""
    env = os.environ if environ is None else environ
    value = (env.get(ENV_SECRET) or "").strip()
    if not value:
        value = api_token.read_token_file(ensure_secret_file(secret_file(env)))
    if not SECRET_PATTERN.fullmatch(value):
        raise api_token.TokenProblem(
            f"{ENV_SECRET} must be at least 16 characters of letters, digits and ._~+/=- "
            "(no spaces, no $): `python -c 'import secrets; print(secrets.token_urlsafe(32))'` makes one"
        )
    return value


def prepare_environment(argv: List[str], environ: Optional[MutableMapping[str, str]] = None) -> None:
    """What the launcher does before Rasa's CLI runs ``run`` or ``run actions``: the shared secret into the
    environment (both servers), and the action server's interface (loopback unless ACTION_SERVER_HOST) and
    its stop time (SANIC_GRACEFUL_SHUTDOWN_TIMEOUT, 3 s unless set)."""
    env = os.environ if environ is None else environ
    if argv[:1] != ["run"]:
        return
    env[ENV_SECRET] = load_secret(env)
    if argv[:2] == ["run", "actions"]:
        host = (env.get(ENV_HOST) or "").strip() or DEFAULT_HOST
        inherited = (env.get("SANIC_HOST") or "").strip()
        if inherited and inherited != host:
            print(f"advisor: the action server binds {host}, not SANIC_HOST={inherited}: set {ENV_HOST} to choose "
                  "its interface", file=sys.stderr)
        env["SANIC_HOST"] = host
        # Sanic waits up to 15 s for open connections when stopped; Rasa's kept-alive connections under load
        # stay busy that long, so a restart refused every action call for about 18 s. An action call takes
        # milliseconds and Rasa gives it 10 s at most: 3 s is enough for the calls in flight.
        env.setdefault(GRACEFUL_ENV, DEFAULT_GRACEFUL_S)


# --- the checks ----------------------------------------------------------------------------------------
def refusal(method: str, path: str, header: Callable[[str], Optional[str]], secret: str) -> Optional[Tuple[int, str]]:
    """(status, reason) when a request must be refused before its body is read, else None.
    `header(name)` returns a request header (case-insensitive) or None."""
    route = path.rstrip("/") or "/"
    if method in ("GET", "HEAD") and route in OPEN_PATHS:
        return None
    given = header(HEADER) or ""
    if not given and method in ("GET", "HEAD") and route in BEARER_PATHS:
        authorization = header("authorization") or ""
        given = authorization[7:].strip() if authorization[:7].lower() == "bearer " else ""
    if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), secret.encode("utf-8")):
        return HTTPStatus.UNAUTHORIZED, f"the action server needs the {HEADER} header"
    if method == "POST" and route in JSON_PATHS:
        media = (header("content-type") or "").split(";")[0].strip().lower()
        if media != "application/json":
            return (HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                    f"Content-Type {media or 'none'} is not accepted here: send JSON with Content-Type: application/json")
    return None


def harden_action_app(app: Any, secret: str) -> Any:
    """The secret, the content type and the body limit on a rasa_sdk Sanic app."""
    from sanic import response
    from sanic.exceptions import PayloadTooLarge

    app.config.REQUEST_MAX_SIZE = BODY_LIMIT

    @app.signal("http.routing.after")
    async def check_before_the_body(request: Any, **_: Any) -> None:
        # After routing, before Sanic reads the body (Sanic.handle_request): nothing of an unauthenticated
        # request's body is buffered.
        problem = refusal(request.method, request.path, request.headers.get, secret)
        if problem:
            raise ActionServerRefusal(*problem)

    @app.exception(ActionServerRefusal)
    async def refused(request: Any, exception: ActionServerRefusal) -> Any:
        return response.json({"error": exception.reason}, status=exception.status_code)

    @app.exception(PayloadTooLarge)
    async def too_large(request: Any, exception: Exception) -> Any:
        return response.json({"error": f"the request body is larger than the action server accepts ({BODY_LIMIT} bytes)",
                              "limit": BODY_LIMIT}, status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    @app.get("/metrics")
    async def prometheus_metrics(request: Any) -> Any:  # the secret was checked before routing
        from advisor import metrics

        return response.text(metrics.ACTIONS.render(), content_type=metrics.CONTENT_TYPE)

    return app


def observed_run(original: Callable[..., Any]) -> Callable[..., Any]:
    """``rasa_sdk.executor.ActionExecutor.run`` that counts and times each action by name."""
    from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

    from advisor import metrics

    @functools.wraps(original)
    async def run(self: Any, action_call: Any) -> Any:
        name = action_call.get("next_action") if isinstance(action_call, dict) else None
        if not name:
            return await original(self, action_call)
        label = str(name) if name in self.actions else "unknown"  # a label is never a caller's free text
        metrics.ACTIONS_RUN.inc(action=label)
        try:
            with metrics.Timer(metrics.ACTION_SECONDS, action=label):
                return await original(self, action_call)
        except ActionExecutionRejection:
            metrics.ACTION_ERRORS.inc(action=label, error="rejected")
            raise
        except ActionNotFoundException:
            metrics.ACTION_ERRORS.inc(action=label, error="not_found")
            raise
        except Exception:
            metrics.ACTION_ERRORS.inc(action=label, error="exception")
            raise

    return run


def hardened_create_app(original: Callable[..., Any]) -> Callable[..., Any]:
    """``rasa_sdk.endpoint.create_app`` that returns the hardened app."""

    @functools.wraps(original)
    def create_app(*args: Any, **kwargs: Any) -> Any:
        return harden_action_app(original(*args, **kwargs), load_secret())

    create_app.advisor_hardened = True  # type: ignore[attr-defined]
    return create_app


def main(argv: Optional[List[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["secret"]:
        print("usage: python -m advisor.action_server secret   (creates the secret file if missing, prints its path)",
              file=sys.stderr)
        return 2
    try:
        if (os.environ.get(ENV_SECRET) or "").strip():
            load_secret()  # checks it
            print(f"${ENV_SECRET}")
        else:
            print(ensure_secret_file(secret_file()))
    except api_token.TokenProblem as problem:
        print(f"advisor: {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
