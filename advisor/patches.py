"""Every patch of Rasa 3.6 internals, in one module, installed from one place.

The launcher (``python -m advisor run …``, used by scripts/run.sh and tests/support/stack.py instead of the
``rasa`` executable) calls :func:`install` before it hands over to Rasa's command line. Nothing else
installs a patch: no NLU component, no import side effect.

Each patch is a function registered with ``@patch(target, why)``: ``target`` names the Rasa attribute
it replaces, ``why`` the Rasa behaviour it changes. Every patch is installed at most once per process
(``install()`` may be called again) and has a test in tests/unit/test_patches.py. To add one: write a
function below that replaces the attribute, decorate it with ``@patch``, and add its test.
"""
from __future__ import annotations

import asyncio
import functools
import hmac
import inspect
import json
import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from typing import Any, Callable, Dict, List, Optional, Tuple

from advisor import metrics

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Patch:
    name: str
    target: str  # the Rasa attribute replaced, e.g. "rasa.core.actions.action.RemoteAction.run"
    why: str  # the Rasa behaviour it changes
    apply: Callable[[], None]


PATCHES: List[Patch] = []
_installed: Dict[str, bool] = {}


def patch(target: str, why: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Registers a patch; see the module docstring."""
    def register(apply: Callable[[], None]) -> Callable[[], None]:
        PATCHES.append(Patch(apply.__name__, target, why, apply))
        return apply
    return register


def install(prefix: str = "") -> List[str]:
    """Installs every registered patch not installed yet (only those whose target starts with `prefix`:
    "rasa_sdk." for the action server); returns the names installed by this call."""
    done = []
    for p in PATCHES:
        if p.target.startswith(prefix) and not _installed.get(p.name):
            p.apply()
            _installed[p.name] = True
            done.append(p.name)
            logger.debug("patched %s (%s)", p.target, p.why)
    return done


# --- 1. custom actions: every failure answered once, within a bounded time ----------------------------
FAILURE_RESPONSE = "utter_action_failed"
ACTION_TIMEOUT_ENV = "ADVISOR_ACTION_TIMEOUT"
DEFAULT_ACTION_TIMEOUT = 10.0  # seconds; Rasa waits up to 300 s (DEFAULT_REQUEST_TIMEOUT)


def action_timeout() -> float:
    try:
        value = float(os.environ.get(ACTION_TIMEOUT_ENV, "") or DEFAULT_ACTION_TIMEOUT)
    except ValueError:
        value = DEFAULT_ACTION_TIMEOUT
    return value if value > 0 else DEFAULT_ACTION_TIMEOUT


def apology_sent_this_turn(tracker: Any) -> bool:
    """True when this turn (the events since the last user message) already has the apology."""
    from rasa.shared.core.events import BotUttered, UserUttered

    for event in reversed(list(tracker.events)):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and (event.metadata or {}).get("utter_action") == FAILURE_RESPONSE:
            return True
    return False


RECONNECT_WINDOW = 5.0  # seconds a refused connection to the action server is tried again (at most half the timeout)
RECONNECT_PAUSE = 0.25


def never_connected(exc: BaseException) -> bool:
    """True when `exc` (or what it was raised from or during) is aiohttp's failure to connect: the request
    was never sent. Rasa raises a RasaException while handling aiohttp's ClientConnectorError."""
    from aiohttp import ClientConnectorError

    seen = 0
    cause: Optional[BaseException] = exc
    while cause is not None and seen < 5:
        if isinstance(cause, ClientConnectorError):
            return True
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    return False


@patch(
    "rasa.core.actions.action.RemoteAction.run",
    "Rasa logs a failed custom action and says nothing (the processor swallows the exception): an "
    "action-server timeout waits 300 s (asyncio.TimeoutError), a non-JSON 4xx/5xx, a malformed response "
    "(jsonschema ValidationError, KeyError, ValueError) or a server that is down end in silence. Here the "
    "call is bounded by ADVISOR_ACTION_TIMEOUT (10 s), any failure but a form's rejection becomes the "
    "domain response utter_action_failed, once per turn, and the turn ends (FollowupAction action_listen) "
    "so no second action waits on a failing server. A refused connection (the action server restarting) is "
    "tried again for up to 5 s first: such a request never reached the server.",
)
def remote_action_guard() -> None:
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
    from rasa.shared.core.events import FollowupAction

    original = RemoteAction.run

    @functools.wraps(original)
    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        if apology_sent_this_turn(tracker):
            logger.warning("custom action %s skipped in conversation %s: an action already failed this turn",
                           self.name(), _log_id(tracker.sender_id))
            return [FollowupAction("action_listen")]
        async def call() -> List[Any]:
            # A refused connection (the action server restarting: it is back within about 2 s) is tried again
            # every RECONNECT_PAUSE s for RECONNECT_WINDOW s: that request never reached the server, so it
            # cannot run twice. Any other failure is final.
            waited, window = 0.0, min(RECONNECT_WINDOW, action_timeout() / 2)  # the apology stays an "error"
            while True:
                try:
                    return await original(self, output_channel, nlg, tracker, domain)
                except Exception as exc:  # noqa: BLE001 - only a refused connection is retried
                    if not never_connected(exc) or waited + RECONNECT_PAUSE > window:
                        raise
                metrics.ACTION_RECONNECTS.inc(action=str(self.name()))
                await asyncio.sleep(RECONNECT_PAUSE)
                waited += RECONNECT_PAUSE

        try:
            return await asyncio.wait_for(call(), action_timeout())
        except ActionExecutionRejection as rejection:
            # A form asking again (a JSON 400 naming the action): Rasa's own handling. A 400 with any
            # other body surfaces below as a ValueError/KeyError and gets the apology.
            raise rejection
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - every other failure gets the apology
            timed_out = isinstance(exc, asyncio.TimeoutError)
            metrics.ACTION_FAILURES.inc(action=str(self.name()), reason="timeout" if timed_out else "error")
            reason = "timed out" if timed_out else f"{type(exc).__name__}: {exc}"
            logger.error("custom action %s failed in conversation %s: %s", self.name(), _log_id(tracker.sender_id),
                         reason)
            response = await nlg.generate(FAILURE_RESPONSE, tracker, output_channel.name())
            events: List[Any] = []
            if response:
                response["utter_action"] = FAILURE_RESPONSE
                events.append(create_bot_utterance(response))
            return [*events, FollowupAction("action_listen")]

    RemoteAction.run = run


# --- 2. the stored user text is the cleaned, redacted, cut text ---------------------------------------
@patch(
    "rasa.core.channels.channel.UserMessage.__init__",
    "Rasa stores the raw text of every message in the tracker (UserUttered.text) although NLU only sees "
    "MessageCleaner's cleaned, 1,000-character cut: a 100 kB message was kept whole, bidi/invisible "
    "characters were stored and echoed, and a lone surrogate reached spaCy (which raised: no reply). It "
    "stores and logs e-mail addresses, phone numbers, card numbers, IBANs and street addresses verbatim "
    "(issue 22). It also stores whatever metadata a client sends, twice per message (60 KB became 121 KB "
    "per event). Here every UserMessage, from every channel and the HTTP API, carries the cleaned text with "
    "personal data replaced by placeholders ([email], [phone] …) and then cut (advisor.privacy."
    "redact_user_text), parse data a client sent is redacted the same way (its text, its entities' "
    "values), and only allow-listed small metadata is kept, at most 1 KiB (channels.guard.reduce_metadata). "
    "Everything after (NLU, the tracker, the logs, the actions, the workbench) sees the redacted text.",
)
def clean_user_message_text() -> None:
    from rasa.core.channels.channel import UserMessage

    from advisor.handoff_actions import keep_text_for_consented_capture
    from advisor.privacy import clean_for_redaction, redact_parse_data, redact_user_text
    from channels.guard import reduce_metadata

    original = UserMessage.__init__

    @functools.wraps(original)
    def __init__(self: Any, text: Optional[str] = None, *args: Any, **kwargs: Any) -> None:
        original(self, text, *args, **kwargs)
        if isinstance(self.text, str):
            text = clean_for_redaction(self.text)  # the user's text, cleaned; never stored or logged
            # An e-mail address given after an explicit yes goes to the handoff's messages table as written
            # (docs/handoff.md, PRIVACY.md): the cleaned text stays on this in-memory message only.
            self.text = text
            keep_text_for_consented_capture(self)
            self.text = redact_user_text(text)  # personal data replaced, then cut
        else:
            keep_text_for_consented_capture(self)
        if self.parse_data:  # sent by a client with its message (HTTP API)
            self.parse_data = redact_parse_data(self.parse_data)
        self.metadata = reduce_metadata(self.metadata)

    UserMessage.__init__ = __init__


# --- 3. the Sanic app: token required, size limits before buffering, no cross-site simple requests ----
KIB, MIB = 1024, 1024 * 1024
# Largest body per path prefix (first match wins), checked against Content-Length (or while a chunked
# body arrives) before anything is buffered. Anything else: DEFAULT_BODY_LIMIT.
ROUTE_BODY_LIMITS: Tuple[Tuple[str, int], ...] = (
    ("/webhooks/rest/", 64 * KIB),
    ("/socket.io", 64 * KIB),  # engine.io long-polling POSTs; websocket frames: WEBSOCKET_MAX_SIZE
    ("/webhooks/slack/", 256 * KIB),
    ("/webhooks/telegram/", 256 * KIB),
    ("/model/train", 10 * MIB),  # training data (API token required)
    ("/model/test/", 10 * MIB),
    ("/handoff/", 16 * KIB),  # a trainer's reply (advisor.handoff_api; API token required)
)
DEFAULT_BODY_LIMIT = 1 * MIB
WEBSOCKET_MAX_SIZE = 64 * KIB
# Routes whose callers (Slack, Telegram, engine.io) send form or text bodies and have their own checks.
NON_JSON_PREFIXES = ("/socket.io", "/webhooks/slack/", "/webhooks/telegram/")
# What a browser may send cross-site without a CORS preflight ("simple requests"). Sanic parses such a
# body as JSON all the same (request.json), so a web page could drive the API through a visitor's browser.
SIMPLE_CONTENT_TYPES = frozenset({"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"})
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def body_limit(path: str) -> int:
    for prefix, limit in ROUTE_BODY_LIMITS:
        if path.startswith(prefix):
            return limit
    return DEFAULT_BODY_LIMIT


def cross_site_problem(method: str, path: str, content_type: Optional[str], origin: Optional[str],
                       allowed_origins: List[str]) -> Optional[Tuple[int, str]]:
    """(status, reason) when a request must be refused as a possible cross-site request, else None."""
    if method not in STATE_CHANGING or path.startswith(NON_JSON_PREFIXES):
        return None
    if origin and origin != "null" and "*" not in allowed_origins and origin.rstrip("/") not in allowed_origins:
        return HTTPStatus.FORBIDDEN, f"requests from the web origin {origin} are not accepted"
    if origin == "null":
        return HTTPStatus.FORBIDDEN, "requests from an opaque (null) origin are not accepted"
    media = (content_type or "").split(";")[0].strip().lower()
    if method != "DELETE" and media in SIMPLE_CONTENT_TYPES:
        shown = media or "none"
        return (HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                f"Content-Type {shown} is not accepted here: send JSON with Content-Type: application/json")
    return None


def _origins(cors: Any) -> List[str]:
    if not cors:
        return []
    if isinstance(cors, str):
        return [o.rstrip("/") for o in cors.split()]
    return [str(o).rstrip("/") for o in cors]


# Paths that answer without the API token: the health check, the version and the chat channels (which
# have their own checks). Everything else on the Rasa server is the HTTP API.
OPEN_PATHS = frozenset({"/", "/version", "/ready", "/live"})  # /metrics needs the token (advisor.operations)
CHANNEL_PREFIXES = ("/webhooks/", "/socket.io")


def is_api_path(path: str) -> bool:
    return path not in OPEN_PATHS and not path.startswith(CHANNEL_PREFIXES)


def presented_token(query_token: Optional[str], authorization: Optional[str]) -> Optional[str]:
    """The token a request presents: `Authorization: Bearer <token>`, else `?token=`."""
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return query_token


def token_matches(given: Optional[str], token: str) -> bool:
    """Constant-time comparison (Rasa compares with ==)."""
    return given is not None and hmac.compare_digest(given.encode("utf-8", "replace"), token.encode())


_SECRET_IN_TEXT = re.compile(r"((?:auth_|access_)?token=)[^&\s'\"#]+|(bearer\s+)[^\s'\"]+", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` without the value of any `token=` parameter or Bearer credential."""
    return _SECRET_IN_TEXT.sub(lambda m: (m.group(1) or m.group(2)) + "[redacted]", text)


class RedactSecrets(logging.Filter):
    """Rewrites a log record whose message carries a token (Sanic logs the whole URL, query string and
    all, when a handler raises: "Exception occurred while handling uri: '...?token=...'")."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is the logging module's to report
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class RedactPersonalData(logging.Filter):
    """Rewrites a log record whose message carries personal data (an e-mail address, a phone number …:
    advisor.privacy.redact_log_message): Rasa logs a message's text at debug level ("Received user
    message '…'"), Sanic and the libraries log what they were given when something fails. User text is
    redacted before Rasa sees it (clean_user_message_text); this is the second layer, for whatever else
    reaches a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        from advisor.privacy import redact_log_message

        try:
            message = record.getMessage()
            cleaned = redact_log_message(message)
        except Exception:  # noqa: BLE001 - a broken record is the logging module's to report
            return True
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


LOG_FILTERS = (RedactSecrets, RedactPersonalData)


def redact_secrets_in_logs() -> None:
    """Adds :class:`RedactSecrets` and :class:`RedactPersonalData` to every handler of every logger that
    exists now (idempotent)."""
    loggers = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values()
                                      if isinstance(lg, logging.Logger))]
    for lg in loggers:
        for handler in lg.handlers:
            for kind in LOG_FILTERS:
                if not any(isinstance(f, kind) for f in handler.filters):
                    handler.addFilter(kind())


def harden_app(app: Any, cors: Any, auth_token: Optional[str] = None) -> Any:
    """Size limits, the 413 answer, the API token before the body and the cross-site check on a Rasa
    Sanic app."""
    from sanic import response
    from sanic.exceptions import PayloadTooLarge, SanicException

    app.config.REQUEST_MAX_SIZE = max([DEFAULT_BODY_LIMIT, *(limit for _, limit in ROUTE_BODY_LIMITS)])
    app.config.WEBSOCKET_MAX_SIZE = WEBSOCKET_MAX_SIZE
    allowed = _origins(cors)

    class NotAuthenticated(SanicException):
        status_code = HTTPStatus.UNAUTHORIZED

    @app.signal("http.routing.after")
    async def per_route_limit(request: Any, **_: Any) -> None:
        # Runs after routing and before Sanic reads the body (Sanic.handle_request): the body is refused
        # as soon as its declared (or streamed) size passes the route's limit, and an API request without
        # the token is refused before any of its body is read.
        if auth_token and is_api_path(request.path):
            given = presented_token(request.args.get("token"), request.headers.get("authorization"))
            jwt = app.config.get("USE_JWT") and given and given.count(".") == 2  # a JWT: Rasa checks it
            if not jwt and not token_matches(given, auth_token):
                raise NotAuthenticated("the HTTP API needs its token")
        if request.stream is not None:
            request.stream.request_max_size = body_limit(request.path)

    redact_secrets_in_logs()

    @app.listener("before_server_start")
    async def redact_in_workers(*_: Any) -> None:  # Sanic sets up its own loggers when a worker starts
        redact_secrets_in_logs()

    @app.exception(NotAuthenticated)
    async def not_authenticated(request: Any, exception: Exception) -> Any:
        return response.json(
            {"status": "failure", "reason": "NotAuthenticated", "code": 401,
             "message": "User is not authenticated: send the API token as Authorization: Bearer <token> "
                        "(or ?token=)."},
            status=HTTPStatus.UNAUTHORIZED,
        )

    @app.exception(PayloadTooLarge)
    async def too_large(request: Any, exception: Exception) -> Any:
        limit = body_limit(request.path) if request is not None else DEFAULT_BODY_LIMIT
        return response.json(
            {"error": f"the request body is larger than this address accepts ({limit} bytes)", "limit": limit},
            status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        )

    @app.middleware("request")
    async def refuse_cross_site(request: Any) -> Any:
        problem = cross_site_problem(request.method, request.path, request.headers.get("content-type"),
                                     request.headers.get("origin"), allowed)
        if problem:
            status, reason = problem
            return response.json({"error": reason}, status=status)
        return None

    return app


class MissingAuthToken(RuntimeError):
    pass


@patch(
    "rasa.core.run.configure_app",
    "Rasa serves the HTTP API without authentication when --auth-token is not given, keeps Sanic's "
    "100 MB body limit and checks sizes after buffering, and lets Sanic parse a text/plain or form body "
    "as JSON (a cross-site 'simple request' from any web page). Here the API refuses to start without a "
    "token, every route has a body limit enforced before buffering with a JSON 413, and state-changing "
    "requests with a simple content type or a foreign Origin are refused (415/403).",
)
def harden_configure_app() -> None:
    import rasa.core.run as run_module

    original = run_module.configure_app
    signature = inspect.signature(original)

    @functools.wraps(original)
    def configure_app(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = bound.arguments
        if values.get("enable_api") and not (values.get("auth_token") or values.get("jwt_secret")):
            raise MissingAuthToken(
                "the HTTP API needs a token: set RASA_AUTH_TOKEN or start through `python -m advisor run` "
                "(scripts/run.sh), which reads .run/api-token"
            )
        from advisor import operations

        app = harden_app(original(*args, **kwargs), values.get("cors"), values.get("auth_token"))
        return operations.add_routes(app) if values.get("enable_api") else app

    run_module.configure_app = configure_app


def requires_auth_constant_time(original: Callable[..., Any]) -> Callable[..., Any]:
    """``rasa.server.requires_auth`` that accepts the token as `?token=` or `Authorization: Bearer`,
    compared in constant time; anything else goes to Rasa's own check without a token (JWT, or 401)."""
    from functools import wraps

    def requires_auth(app: Any, token: Optional[str] = None) -> Callable[[Any], Any]:
        def decorator(f: Any) -> Any:
            others = original(app, None)(f)  # Rasa's JWT check and its 401

            @wraps(f)
            async def decorated(request: Any, *args: Any, **kwargs: Any) -> Any:
                given = presented_token(request.args.get("token"), request.headers.get("authorization"))
                if token is not None and token_matches(given, token):
                    result = f(request, *args, **kwargs)
                    return await result if inspect.isawaitable(result) else result
                return await others(request, *args, **kwargs)

            return decorated

        return decorator

    return requires_auth


@patch(
    "rasa.server.requires_auth",
    "Rasa compares the API token with == (a timing side channel) and only accepts it in the query string "
    "(where proxies and Sanic's error log keep it). Here it is compared in constant time and also "
    "accepted as Authorization: Bearer <token>; JWTs still go to Rasa's own check. (The token is checked "
    "once more before the body is read: harden_app.)",
)
def api_token_constant_time() -> None:
    import rasa.server

    rasa.server.requires_auth = requires_auth_constant_time(rasa.server.requires_auth)


# --- 4. the action round trip without repeated work (issue 9, performance) --------------------------
@lru_cache(maxsize=1)
def response_validator() -> Any:
    """The JSON-schema validator of action-server responses, built (and its schema checked) once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, as jsonschema.validate would on every call
    return cls(schema)


def validate_action_result(self: Any, result: Dict[str, Any]) -> bool:
    """Drop-in for ``RemoteAction._validate_action_result`` (same result, same exception)."""
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        response_validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


@patch(
    "rasa.core.actions.action.RemoteAction._validate_action_result",
    "Rasa validates every action-server response with jsonschema.validate(), which checks the schema "
    "itself against its meta-schema and builds a new validator on every call (21 ms a call with "
    "jsonschema 4.17, 2.9 ms with 3.2, here). The validator is built once; the response is checked the "
    "same way and a bad one raises the same ValidationError with Rasa's hint.",
)
def action_response_validator_built_once() -> None:
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result


_SESSIONS: Dict[Tuple[str, str, str, int], Any] = {}


async def request_with_kept_session(self: Any, method: str = "post", subpath: Optional[str] = None,
                                    content_type: Optional[str] = "application/json", compress: bool = False,
                                    **kwargs: Any) -> Any:
    """``EndpointConfig.request`` on one aiohttp session per endpoint and event loop (kept open)."""
    import ssl

    import aiohttp
    from rasa.utils.endpoints import ClientResponseError, concat_url

    headers = {"Content-Type": content_type} if content_type else {}
    headers.update(kwargs.pop("headers", None) or {})
    headers.update(self.headers or {})
    sslcontext = ssl.create_default_context(cafile=self.cafile) if self.cafile else None
    loop = asyncio.get_running_loop()
    key = (self.url, repr(sorted((self.headers or {}).items())), repr(self.basic_auth), id(loop))
    session = _SESSIONS.get(key)
    if session is None or session.closed or getattr(session, "_loop", loop) is not loop:
        session = self.session()
        _SESSIONS[key] = session
    async with session.request(method, concat_url(self.url, subpath), headers=headers,
                               params=self.combine_parameters(kwargs), compress=compress, ssl=sslcontext,
                               **kwargs) as response:
        if response.status >= 400:
            raise ClientResponseError(response.status, response.reason, await response.content.read())
        try:
            return await response.json()
        except aiohttp.ContentTypeError:
            return None


@patch(
    "rasa.utils.endpoints.EndpointConfig.request",
    "Rasa opens a new aiohttp ClientSession, and so a new TCP connection, for every call to the action "
    "server (and closes it after). One session per endpoint and event loop is kept here, so calls reuse "
    "a kept-alive connection; the request, the errors (ClientResponseError for 4xx/5xx) and the time-outs "
    "are Rasa's.",
)
def action_endpoint_keeps_its_session() -> None:
    from rasa.utils.endpoints import EndpointConfig

    EndpointConfig.request = request_with_kept_session


@patch(
    "rasa.shared.core.events.Event.resolve_by_type",
    "Rasa finds the class of every event it reads (from the tracker store, a request or the action server's "
    "reply) by walking the whole tree of Event subclasses (all_subclasses) and comparing names, every time: "
    "about 4 % of a replica's time under load (py-spy, bench/profile.py). Here a table from type name to class "
    "is filled on first use; a name not in it still gets Rasa's own lookup (the same class, the same default, "
    "the same error for an unknown name).",
)
def event_types_looked_up_once() -> None:
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    known: Dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Optional[Any] = None) -> Optional[Any]:
        found = known.get(type_name)
        if found is None:
            found = original(type_name, default)
            if found is not None and getattr(found, "type_name", None) == type_name:
                known[type_name] = found  # (not a default given for an unknown name)
        return found

    Event.resolve_by_type = staticmethod(resolve_by_type)


# --- 5. the action server: a shared secret, JSON only, 1 MiB (issue 19) ------------------------------
@patch(
    "rasa_sdk.endpoint.create_app",
    "The Rasa SDK action server answers anyone who reaches its port (no authentication), keeps Sanic's "
    "100 MB body limit and parses a text/plain body as JSON (a cross-site 'simple request' from any web "
    "page). Here every call but GET /health needs the X-Advisor-Action-Secret header (401, constant-time "
    "compare, checked before the body is read), POST /webhook needs Content-Type: application/json (415) "
    "and bodies over 1 MiB are refused before buffering (413). advisor.action_server; the launcher also "
    "keeps the action server on 127.0.0.1 unless ACTION_SERVER_HOST is set.",
)
def harden_action_server() -> None:
    import rasa_sdk.endpoint

    from advisor.action_server import hardened_create_app

    rasa_sdk.endpoint.create_app = hardened_create_app(rasa_sdk.endpoint.create_app)


@patch(
    "rasa_sdk.executor.ActionExecutor.run",
    "The Rasa SDK action server counts nothing: which actions run, how long they take and how often they "
    "fail is only in its debug log. Here each call is counted by action name (advisor_actions_total), "
    "timed (advisor_action_seconds) and a failure counted by kind (advisor_action_errors_total: rejected, "
    "not_found, exception); served on the action server's /metrics (advisor.action_server). Results and "
    "exceptions are rasa_sdk's own.",
)
def observe_actions() -> None:
    from rasa_sdk.executor import ActionExecutor

    from advisor.action_server import observed_run

    ActionExecutor.run = observed_run(ActionExecutor.run)


# --- 6. a bad value never stops the server --------------------------------------------------------------
class StoreValueError(RuntimeError):
    """A value the tracker store could not take (it raised ValueError inside a session)."""


def guarded_session_scope(self: Any) -> Any:
    """Rasa's ``SQLTrackerStore.session_scope``: the schema check keeps Rasa's exit (a missing schema is a
    deployment error, found at the first query); a ValueError from the query itself becomes
    :class:`StoreValueError`, an ordinary error that costs one request, not the process."""
    import rasa.shared.utils.cli
    from rasa.core.tracker_store import POSTGRESQL_SCHEMA, ensure_schema_exists

    session = self.sessionmaker()
    try:
        try:
            ensure_schema_exists(session)
        except ValueError as e:
            rasa.shared.utils.cli.print_error_and_exit(
                f"Requested PostgreSQL schema '{e}' was not found in the database. To continue, please create "
                f"the schema by running 'CREATE DATABASE {e};' or unset the '{POSTGRESQL_SCHEMA}' environment "
                "variable in order to use the default schema. Exiting application."
            )
        try:
            yield session
        except ValueError as e:
            session.rollback()
            raise StoreValueError(f"the tracker store could not take a value: {type(e).__name__}") from e
    finally:
        session.close()


@patch(
    "rasa.core.tracker_store.SQLTrackerStore.session_scope",
    "Rasa turns *any* ValueError raised inside a tracker-store session into print_error_and_exit "
    "(sys.exit(1)), meant for a missing PostgreSQL schema; FailSafeTrackerStore does not catch SystemExit. "
    "So one chat message whose sender could not be encoded for SQLite (a lone surrogate) or PostgreSQL (a "
    "NUL) stopped the server. Here only the schema check exits; a ValueError from a query raises "
    "StoreValueError, which fails that one request.",
)
def tracker_store_errors_do_not_exit() -> None:
    from contextlib import contextmanager

    from rasa.core.tracker_store import SQLTrackerStore

    SQLTrackerStore.session_scope = contextmanager(guarded_session_scope)


# --- 7. a bounded conversation session ----------------------------------------------------------------
MAX_TURNS_ENV = "ADVISOR_MAX_TURNS_PER_SESSION"
DEFAULT_MAX_TURNS = 40
SESSION_CAPPED_RESPONSE = "utter_session_capped"


def max_turns() -> int:
    try:
        value = int(os.environ.get(MAX_TURNS_ENV, "") or DEFAULT_MAX_TURNS)
    except ValueError:
        value = DEFAULT_MAX_TURNS
    return value if value > 0 else DEFAULT_MAX_TURNS


def turns_in_session(tracker: Any) -> int:
    """User messages since the current session started."""
    from rasa.shared.core.events import SessionStarted, UserUttered

    turns = 0
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        if isinstance(event, UserUttered):
            turns += 1
    return turns


@patch(
    "rasa.core.processor.MessageProcessor._update_tracker_session",
    "Rasa lets one conversation session grow without bound: every turn loads, replays, featurizes and "
    "sends to the action server the whole session, so a turn took 31 ms at turn 1 and ~520 ms at turn "
    "400. Here a session holds at most ADVISOR_MAX_TURNS_PER_SESSION user messages (40): the next message "
    "starts a new session (slots carried over, as after an idle hour), and the user is told "
    "(utter_session_capped).",
)
def cap_turns_per_session() -> None:
    from rasa.core.policies.policy import PolicyPrediction
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import ActionExecuted

    original_update = MessageProcessor._update_tracker_session
    original_expired = MessageProcessor._has_session_expired

    def _has_session_expired(self: Any, tracker: Any) -> bool:
        return original_expired(self, tracker) or turns_in_session(tracker) >= max_turns()

    @functools.wraps(original_update)
    async def _update_tracker_session(self: Any, tracker: Any, output_channel: Any,
                                      metadata: Optional[Dict] = None) -> None:
        capped = bool(tracker.applied_events()) and not original_expired(self, tracker) \
            and turns_in_session(tracker) >= max_turns()
        await original_update(self, tracker, output_channel, metadata)
        if capped and SESSION_CAPPED_RESPONSE in self.domain.responses:
            logger.info("conversation %s reached %d turns: a new session started", _log_id(tracker.sender_id),
                        max_turns())
            await self._run_action(
                action=self._get_action(SESSION_CAPPED_RESPONSE), tracker=tracker, output_channel=output_channel,
                nlg=self.nlg, prediction=PolicyPrediction.for_action_name(self.domain, SESSION_CAPPED_RESPONSE),
            )
            # Listening again, as after any session start: the user's message that follows must be read
            # after action_listen, or the policies see an unknown history (and fell back, rewinding the
            # carried-over slots away).
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME), self.domain)

    MessageProcessor._has_session_expired = _has_session_expired
    MessageProcessor._update_tracker_session = _update_tracker_session


def last_slot_values(events: Any) -> List[Any]:
    """One SlotSet per slot, with its last value, in the order the slots were last set."""
    from rasa.shared.core.events import SlotSet

    last: Dict[str, Any] = {}
    for event in events:
        if isinstance(event, SlotSet):
            last.pop(event.key, None)
            last[event.key] = event
    return [SlotSet(key=e.key, value=e.value, metadata=e.metadata) for e in last.values()]


@patch(
    "rasa.core.actions.action.ActionSessionStart._slot_set_events_from_tracker",
    "Rasa carries slots over to a new session by copying every SlotSet event of the old session, not each "
    "slot's last value; the copies are copied again at the next session, so a conversation's sessions grow "
    "with its whole history (600 slot events at the start of the 8th session, a turn 2x slower at turn "
    "300). Here one SlotSet per slot carries its last value: the same slots, the same values.",
)
def carry_over_last_slot_values() -> None:
    from rasa.core.actions.action import ActionSessionStart

    ActionSessionStart._slot_set_events_from_tracker = staticmethod(
        lambda tracker: last_slot_values(tracker.applied_events()))


# --- 8. live handoff to a trainer (issue 21, docs/handoff.md); 9 below wraps its handle_message -------------
@patch(
    "rasa.core.processor.MessageProcessor.handle_message",
    "Rasa predicts and answers every message unless the tracker is paused, and even then answers /restart. "
    "Here, after the message is logged (and its slots extracted), advisor.handoff_actions.handoff_turn runs: "
    "the trainer's replies and handoff notices a REST user could not be pushed are delivered first; while a "
    "person holds or is coming to the conversation the bot says nothing at all (a pause lost to a new session "
    "is restored); and the steps of leaving a message for the team (message, an e-mail address only after a "
    "yes) are answered from the handoff state. Everything else is Rasa's handle_message as it was.",
)
def handoff_turn_hook() -> None:
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.processor import MessageProcessor
    from rasa.shared.data import TrainingType

    from advisor.handoff_actions import handoff_turn

    original = MessageProcessor.handle_message

    @functools.wraps(original)
    async def handle_message(self: Any, message: Any) -> Optional[List[Dict[str, Any]]]:
        if self.model_metadata.training_type == TrainingType.NLU:
            return await original(self, message)
        tracker = await self.log_message(message, should_save_tracker=False)
        tracker = await self.run_action_extract_slots(message.output_channel, tracker)
        if await handoff_turn(self, message, tracker):
            await self._run_prediction_loop(message.output_channel, tracker)
        await self.run_anonymization_pipeline(tracker)
        await self.save_tracker(tracker)
        if isinstance(message.output_channel, CollectingOutputChannel):
            return message.output_channel.messages
        return None

    MessageProcessor.handle_message = handle_message


@patch(
    "rasa.core.actions.action.action_for_name_or_text",
    "Rasa runs every action the domain lists that is not a response or a default action on the action "
    "server. action_request_human runs in the Rasa process instead (advisor.handoff_actions): it reads the "
    "on-duty switch beside the tracker store and pauses the conversation for a trainer.",
)
def handoff_action_in_process() -> None:
    import rasa.core.actions.action as action_module

    from advisor.handoff_actions import ACTION_NAME, request_human_action

    original = action_module.action_for_name_or_text

    @functools.wraps(original)
    def action_for_name_or_text(name: str, domain: Any, endpoint: Any) -> Any:
        if name == ACTION_NAME and name in domain.action_names_or_texts:
            return request_human_action()
        return original(name, domain, endpoint)

    # The processor calls it through the module (rasa.core.actions.action.action_for_name_or_text).
    action_module.action_for_name_or_text = action_for_name_or_text


@patch(
    "rasa.core.run.configure_app",
    "Rasa has no route for a person to answer in a conversation. Here the HTTP API gets /handoff/take, "
    "/handoff/say, /handoff/release and /handoff/seen (API token required; advisor.handoff_api) and a task "
    "that gives timed-out handoffs back to the bot.",
)
def handoff_routes() -> None:
    import rasa.core.run as run_module

    original = run_module.configure_app
    signature = inspect.signature(original)

    @functools.wraps(original)
    def configure_app(*args: Any, **kwargs: Any) -> Any:
        values = signature.bind(*args, **kwargs)
        values.apply_defaults()
        app = original(*args, **kwargs)
        if values.arguments.get("enable_api") and values.arguments.get("auth_token"):
            from advisor.handoff_api import register

            register(app, values.arguments["auth_token"])
        return app

    run_module.configure_app = configure_app


# --- 9. what an operator watches: messages, latency, fallbacks, tracker-store time (advisor.metrics) ---
@patch(
    "rasa.core.processor.MessageProcessor.handle_message",
    "Rasa keeps no count of the messages it handles, how long a reply takes or how many failed: an operator "
    "could only read logs. Here every user message is counted by input channel (advisor_messages_total), "
    "its handling timed (advisor_reply_seconds) and a raising one counted (advisor_message_errors_total); "
    "the message, the replies and the exception are Rasa's own.",
)
def observe_messages() -> None:
    from rasa.core.processor import MessageProcessor

    original = MessageProcessor.handle_message

    @functools.wraps(original)
    async def handle_message(self: Any, message: Any) -> Any:
        channel = metrics.channel_label(getattr(message, "input_channel", None))
        metrics.MESSAGES.inc(channel=channel)
        try:
            with metrics.Timer(metrics.REPLY_SECONDS, channel=channel):
                return await original(self, message)
        except AlreadyHandled:  # a client's retry of a stored message (client_retries_are_answered_once)
            raise
        except Exception:
            metrics.MESSAGE_ERRORS.inc(channel=channel)
            raise
        finally:
            metrics.flush_server()  # with several workers: a scrape answered by another one sees this message

    MessageProcessor.handle_message = handle_message


@patch(
    "rasa.core.processor.MessageProcessor._handle_message_with_tracker",
    "Rasa logs the intent of each message but counts nothing: how often NLU falls back is only found by "
    "reading trackers. Here a message whose intent is nlu_fallback is counted by channel "
    "(advisor_nlu_fallbacks_total; the rate is its ratio to advisor_messages_total); the tracker is "
    "updated exactly as before.",
)
def observe_nlu_fallbacks() -> None:
    from rasa.core.processor import MessageProcessor

    original = MessageProcessor._handle_message_with_tracker

    @functools.wraps(original)
    async def _handle_message_with_tracker(self: Any, message: Any, tracker: Any) -> None:
        await original(self, message, tracker)
        latest = tracker.latest_message
        if latest is not None and (latest.intent or {}).get("name") == "nlu_fallback":
            metrics.NLU_FALLBACKS.inc(channel=metrics.channel_label(getattr(message, "input_channel", None)))

    MessageProcessor._handle_message_with_tracker = _handle_message_with_tracker


@patch(
    "rasa.core.processor.MessageProcessor.get_tracker",
    "Rasa does not measure its tracker store: a slow PostgreSQL shows only as slow replies. Here the "
    "processor's tracker retrieval (get_tracker) and save (save_tracker) are timed "
    "(advisor_tracker_store_seconds{operation}) and their exceptions counted "
    "(advisor_tracker_store_errors_total); results and exceptions are unchanged.",
)
def observe_tracker_store() -> None:
    from rasa.core.processor import MessageProcessor

    def timed(original: Callable[..., Any], operation: str) -> Callable[..., Any]:
        @functools.wraps(original)
        async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                with metrics.Timer(metrics.STORE_SECONDS, operation=operation):
                    return await original(self, *args, **kwargs)
            except Exception:
                metrics.STORE_ERRORS.inc(operation=operation)
                raise
        return wrapper

    MessageProcessor.get_tracker = timed(MessageProcessor.get_tracker, "retrieve")
    MessageProcessor.save_tracker = timed(MessageProcessor.save_tracker, "save")



# --- 10. failure under load: no answered message unstored, no conversation stuck behind a dead replica ---
class TrackerStoreUnavailable(RuntimeError):
    """The tracker store failed: the message is refused (the channel answers 503, retry), never answered
    from an empty or unsaved tracker."""


@patch(
    "rasa.core.tracker_store.FailSafeTrackerStore.save",
    "Rasa's FailSafeTrackerStore swallows every tracker-store error: a failed retrieve returns None (the "
    "processor starts the conversation from an empty tracker) and a failed save goes to an in-memory store "
    "no other request reads. Under load through a PostgreSQL restart, 45 of 299 answered messages were "
    "never stored (bench/failure.py). Here retrieve, retrieve_full_tracker and save raise "
    "TrackerStoreUnavailable instead: the message fails as a whole (the REST channel answers 503 with "
    "Retry-After, channels/rest.py) and the client's retry is processed on the stored conversation.",
)
def tracker_store_failures_refuse_the_message() -> None:
    from rasa.core.tracker_store import FailSafeTrackerStore

    def raising(name: str) -> Callable[..., Any]:
        async def method(self: Any, *args: Any) -> Any:
            try:
                return await getattr(self._tracker_store, name)(*args)
            except Exception as e:
                metrics_name = type(e).__name__
                logger.error("tracker store %s failed (%s): the message is refused, the client may retry",
                             name, metrics_name)
                raise TrackerStoreUnavailable(f"the tracker store failed ({metrics_name})") from e
        method.__name__ = name
        return method

    for name in ("retrieve", "retrieve_full_tracker", "save"):
        setattr(FailSafeTrackerStore, name, raising(name))


LOCK_LEASE_ENV = "ADVISOR_LOCK_LEASE"
DEFAULT_LOCK_LEASE = 6.0  # seconds a conversation's lock ticket lives unless its holder renews it


def lock_lease() -> float:
    try:
        value = float(os.environ.get(LOCK_LEASE_ENV, "") or DEFAULT_LOCK_LEASE)
    except ValueError:
        value = DEFAULT_LOCK_LEASE
    return value if value >= 1 else DEFAULT_LOCK_LEASE


def renew_ticket(store: Any, conversation_id: str, ticket: int, lease: float) -> bool:
    """Pushes the expiry of `ticket` to now + `lease`; False when the ticket is gone. In Redis the
    read-modify-write is a WATCH/MULTI transaction: a ticket another process issues meanwhile is not
    overwritten (the renewal is skipped and tried at the next beat)."""
    import time

    from rasa.core.lock import TicketLock

    def renewed(lock: Any) -> bool:
        for t in lock.tickets:
            if t.number == ticket:
                t.expires = time.time() + lease
                return True
        return False

    red = getattr(store, "red", None)
    if red is None or not hasattr(store, "key_prefix"):
        lock = store.get_lock(conversation_id)
        if lock is None or not renewed(lock):
            return False
        store.save_lock(lock)
        return True
    import redis

    key = store.key_prefix + conversation_id
    with red.pipeline() as pipe:
        try:
            pipe.watch(key)
            raw = pipe.get(key)
            if not raw:
                return False
            lock = TicketLock.from_dict(json.loads(raw))
            if not renewed(lock):
                return False
            pipe.multi()
            pipe.set(key, lock.dumps())
            pipe.execute()
        except redis.WatchError:
            return True  # changed meanwhile; renewed at the next beat
    return True


@patch(
    "rasa.core.lock_store.LockStore.lock",
    "Rasa issues a conversation's lock ticket for 60 s (TICKET_LOCK_LIFETIME) and never renews it: when a "
    "replica dies holding tickets, every later message of those conversations waits until they expire, and "
    "under load a killed replica stalled its conversations for about 46 s (bench/failure.py). And when the "
    "lock store fails after the message was handled and saved (Redis stopped), the failed clean-up turned "
    "an answered, stored message into an error, so the client's retry stored it twice. Here a ticket lives "
    "ADVISOR_LOCK_LEASE seconds (6) and its holder renews it every lease/4 s while it waits and works, so a "
    "dead holder's ticket is gone within the lease; a failed clean-up is logged (the ticket expires) and the "
    "answer stands.",
)
def lock_tickets_are_leases() -> None:
    from contextlib import asynccontextmanager

    from rasa.core.lock_store import LockStore

    @asynccontextmanager
    async def lock(self: Any, conversation_id: str, lock_lifetime: Optional[float] = None,
                   wait_time_in_seconds: float = 1) -> Any:
        lease = lock_lease()
        ticket = self.issue_ticket(conversation_id, lease)

        async def renew() -> None:
            while True:
                await asyncio.sleep(lease / 4)
                try:
                    if not renew_ticket(self, conversation_id, ticket, lease):
                        return
                except Exception as e:  # noqa: BLE001 - the lock store is down: the ticket expires by itself
                    logger.warning("could not renew a lock ticket of conversation %s: %s",
                                   _log_id(conversation_id), type(e).__name__)

        beat = asyncio.ensure_future(renew())
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            beat.cancel()
            try:
                self.cleanup(conversation_id, ticket)
            except Exception as e:  # noqa: BLE001 - the message was handled; the ticket expires within the lease
                logger.warning("could not release the lock of conversation %s (%s): it expires within %.0f s",
                               _log_id(conversation_id), type(e).__name__, lease)

    LockStore.lock = lock

CLIENT_MESSAGE_ID = "advisor_client_message_id"  # attribute a channel sets on a UserMessage whose id the client chose
RECENT_TURNS = 100  # how far back a client's message id is looked for in the conversation


class AlreadyHandled(Exception):
    """The message is one the conversation already holds (a client's retry): its stored replies are sent."""

    def __init__(self, replies: List[Dict[str, Any]]) -> None:
        super().__init__("message already handled")
        self.replies = replies


def stored_replies(events: Any, message_id: str) -> Optional[List[Dict[str, Any]]]:
    """The bot messages that followed the user message `message_id` among the last RECENT_TURNS user
    messages of `events`, or None when it is not there."""
    from rasa.shared.core.events import BotUttered, UserUttered

    after: List[Dict[str, Any]] = []
    seen = 0
    for event in reversed(list(events)):
        if isinstance(event, BotUttered):
            after.append(event.message())
        elif isinstance(event, UserUttered):
            if event.message_id == message_id:
                return list(reversed(after))
            seen += 1
            if seen >= RECENT_TURNS:
                return None
            after = []
    return None


@patch(
    "rasa.core.processor.MessageProcessor._handle_message_with_tracker",
    "Rasa handles every message it receives, so a client that sends a message again after an error (a replica "
    "killed after it had stored the message, before the answer left) gets it handled and stored twice: seen "
    "once under load (bench/failure.py, a replica killed). Here a message whose id the client chose (REST "
    "'message_id', channels/rest.py) and that the conversation already holds is not handled again: the "
    "replies stored after it are sent instead, and nothing is stored.",
)
def client_retries_are_answered_once() -> None:
    from rasa.core.processor import MessageProcessor

    handle_with_tracker = MessageProcessor._handle_message_with_tracker
    handle = MessageProcessor.handle_message

    @functools.wraps(handle_with_tracker)
    async def _handle_message_with_tracker(self: Any, message: Any, tracker: Any) -> None:
        if getattr(message, CLIENT_MESSAGE_ID, False):
            replies = stored_replies(tracker.events, message.message_id)
            if replies is not None:
                raise AlreadyHandled(replies)
        await handle_with_tracker(self, message, tracker)

    @functools.wraps(handle)
    async def handle_message(self: Any, message: Any) -> Any:
        try:
            return await handle(self, message)
        except AlreadyHandled as done:
            logger.info("a message of conversation %s was sent again: its stored replies are repeated, it is "
                        "not handled twice", _log_id(message.sender_id))
            for reply in done.replies:
                await message.output_channel.send_response(message.sender_id, reply)
            return getattr(message.output_channel, "messages", None)

    MessageProcessor._handle_message_with_tracker = _handle_message_with_tracker
    MessageProcessor.handle_message = handle_message


def _log_id(conversation_id: Any) -> str:
    from channels.ids import log_id

    return log_id(conversation_id)


def describe() -> str:
    """The patches as text (``python -m advisor patches``)."""
    return json.dumps([{"name": p.name, "target": p.target, "why": p.why} for p in PATCHES], indent=2)
