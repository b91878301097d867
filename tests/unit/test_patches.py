"""advisor.patches (every patch of Rasa internals) and the launcher, without a server."""
from __future__ import annotations

import asyncio
import importlib
from typing import Any, List

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, FollowupAction, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from advisor import __main__ as launcher
from advisor import api_token, patches

patches.install()


def test_every_patch_names_its_target_and_reason_and_installs_once() -> None:
    assert {p.name for p in patches.PATCHES} >= {"remote_action_guard", "clean_user_message_text",
                                                  "harden_configure_app"}
    for p in patches.PATCHES:
        module_path, _, attribute = p.target.rpartition(".")
        owner: Any
        try:
            owner = importlib.import_module(module_path)
        except ImportError:  # a class attribute: module.Class.attr
            module_name, _, cls = module_path.rpartition(".")
            owner = getattr(importlib.import_module(module_name), cls)
        assert hasattr(owner, attribute), p.target
        assert len(p.why) > 60 and "Rasa" in p.why, p.name
    assert patches.install() == []  # already installed: nothing twice


class NLG:
    async def generate(self, name: str, tracker: Any, channel: str, **kwargs: Any) -> Any:
        return {"text": f"apology from {name}"}


class Endpoint(EndpointConfig):
    """An action endpoint whose request does what the test says."""

    def __init__(self, behaviour: Any) -> None:
        super().__init__(url="http://127.0.0.1:9/webhook")
        self.behaviour = behaviour

    async def request(self, *args: Any, **kwargs: Any) -> Any:
        return await self.behaviour()


def run_action(behaviour: Any, tracker: Any = None) -> List[Any]:
    action = RemoteAction("action_answer_question", Endpoint(behaviour))
    tracker = tracker or DialogueStateTracker("rest:conv-1", [])
    return asyncio.run(action.run(CollectingOutputChannel(), NLG(), tracker, Domain.empty()))


async def slow() -> Any:
    await asyncio.sleep(30)


async def malformed() -> Any:
    return {"events": "not a list"}


async def not_json() -> Any:
    return None  # what Rasa's EndpointConfig.request returns for a non-JSON 200


async def non_json_400() -> Any:
    from aiohttp import ClientResponseError

    error = ClientResponseError(None, (), status=400)  # type: ignore[arg-type]
    error.text = "Bad Request"  # type: ignore[attr-defined]
    raise error


async def down() -> Any:
    raise ConnectionRefusedError("connection refused")


async def crash() -> Any:
    raise RuntimeError("anything")


@pytest.mark.parametrize("behaviour", [slow, malformed, not_json, non_json_400, down, crash])
def test_any_action_failure_becomes_one_apology_and_ends_the_turn(behaviour: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv(patches.ACTION_TIMEOUT_ENV, "0.5")
    events = run_action(behaviour)
    bots = [e for e in events if isinstance(e, BotUttered)]
    assert [b.text for b in bots] == ["apology from utter_action_failed"]
    assert bots[0].metadata["utter_action"] == patches.FAILURE_RESPONSE
    assert isinstance(events[-1], FollowupAction) and events[-1].action_name == "action_listen"


def test_timeout_is_bounded(monkeypatch: Any) -> None:
    import time

    monkeypatch.setenv(patches.ACTION_TIMEOUT_ENV, "0.3")
    start = time.time()
    run_action(slow)
    assert time.time() - start < 2
    monkeypatch.setenv(patches.ACTION_TIMEOUT_ENV, "nonsense")
    assert patches.action_timeout() == patches.DEFAULT_ACTION_TIMEOUT


def test_no_second_apology_in_the_same_turn() -> None:
    apology = BotUttered("sorry", metadata={"utter_action": patches.FAILURE_RESPONSE})
    tracker = DialogueStateTracker.from_events("rest:c", [UserUttered("hi"), ActionExecuted("x"), apology])
    events = run_action(down, tracker)
    assert not [e for e in events if isinstance(e, BotUttered)]
    # the next turn may apologise again
    tracker.update(UserUttered("again"))
    assert patches.apology_sent_this_turn(tracker) is False


def test_form_rejection_passes_through() -> None:
    async def reject() -> Any:
        raise ActionExecutionRejection("action_answer_question", "ask again")

    with pytest.raises(ActionExecutionRejection):
        run_action(reject)


def test_user_message_text_is_cleaned_and_cut() -> None:
    message = UserMessage("what is \u202ecspo\u2066?\x00 " + "x " * 5000, sender_id="rest:a")
    assert message.text.startswith("what is cspo ?")
    assert len(message.text) <= 1000 and "\x00" not in message.text
    assert UserMessage(None).text is None


@pytest.mark.parametrize("method,path,ctype,origin,expected", [
    ("POST", "/model/parse", "application/json", None, None),
    ("POST", "/model/parse", "text/plain", None, 415),
    ("POST", "/model/parse", None, None, 415),
    ("POST", "/conversations/x/tracker/events", "application/x-www-form-urlencoded", None, 415),
    ("PUT", "/model", "multipart/form-data; boundary=z", None, 415),
    ("POST", "/model/parse", "application/json", "http://evil.example", 403),
    ("POST", "/model/parse", "application/json", "null", 403),
    ("POST", "/model/parse", "application/json", "http://127.0.0.1:8000", None),
    ("DELETE", "/model", None, None, None),
    ("GET", "/conversations/x/tracker", None, "http://evil.example", None),  # reads: CORS and the token
    ("POST", "/webhooks/rest/webhook", "text/plain", None, 415),
    ("POST", "/socket.io/", "text/plain;charset=UTF-8", "http://127.0.0.1:8000", None),
    ("POST", "/webhooks/slack/webhook", "application/x-www-form-urlencoded", None, None),
    ("POST", "/webhooks/telegram/webhook", "text/plain", None, None),
])
def test_cross_site_rules(method: str, path: str, ctype: Any, origin: Any, expected: Any) -> None:
    problem = patches.cross_site_problem(method, path, ctype, origin, ["http://127.0.0.1:8000"])
    assert (problem[0] if problem else None) == expected


def test_body_limits() -> None:
    assert patches.body_limit("/webhooks/rest/webhook") == 64 * 1024
    assert patches.body_limit("/socket.io/") == 64 * 1024
    assert patches.body_limit("/model/train") == 10 * 1024 * 1024
    assert patches.body_limit("/conversations/x/tracker/events") == patches.DEFAULT_BODY_LIMIT


def test_configure_app_refuses_an_api_without_token(monkeypatch: Any) -> None:
    import rasa.core.run
    from sanic import Sanic

    # Sanic refuses a second app named "rasa_server" in one process: another test of the same pytest
    # process (whichever `--shard` puts beside this one) may have made one
    monkeypatch.setattr(Sanic, "_app_registry", {})

    with pytest.raises(patches.MissingAuthToken):
        rasa.core.run.configure_app(None, None, None, True)
    app = rasa.core.run.configure_app(None, ["http://127.0.0.1:8000"], "a-token-of-sufficient-length", True)
    assert app.config.REQUEST_MAX_SIZE == 10 * 1024 * 1024
    assert app.config.WEBSOCKET_MAX_SIZE == patches.WEBSOCKET_MAX_SIZE


# --- the launcher and the token ------------------------------------------------------------------------
def test_launcher_adds_the_token_only_inside_the_process(monkeypatch: Any) -> None:
    monkeypatch.setenv("RASA_AUTH_TOKEN", "t" * 20)
    assert launcher.rasa_arguments(["run", "--enable-api", "--port", "1"])[-1] == "--auth-token=" + "t" * 20
    monkeypatch.setenv("RASA_AUTH_TOKEN", "-starts-with-a-dash-")  # token_urlsafe may start with "-"
    import argparse

    from rasa.cli.arguments.run import add_server_arguments

    parser = argparse.ArgumentParser()
    add_server_arguments(parser)
    args = launcher.rasa_arguments(["run", "--enable-api", "--cors", "http://a.example"])[1:]
    assert parser.parse_args(args).auth_token == "-starts-with-a-dash-"
    assert launcher.rasa_arguments(["run", "actions"]) == ["run", "actions"]
    for refused in (["run", "--auth-token", "x"], ["run", "--auth-token=x"]):
        with pytest.raises(api_token.TokenProblem):
            launcher.rasa_arguments(refused)


def test_token_file_is_generated_owner_only_and_checked(tmp_path: Any, monkeypatch: Any) -> None:
    path = tmp_path / ".run" / "api-token"
    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    monkeypatch.setenv("RASA_AUTH_TOKEN_FILE", str(path))
    with pytest.raises(api_token.TokenProblem, match="no API token"):
        api_token.load_token()
    assert launcher.main(["token"]) == 0
    assert path.stat().st_mode & 0o777 == 0o600
    token = api_token.load_token()
    assert len(token) >= 32
    api_token.ensure_token_file(path)
    assert api_token.load_token() == token, "an existing token is kept"
    path.chmod(0o644)
    with pytest.raises(api_token.TokenProblem, match="chmod 600"):
        api_token.load_token()
    assert launcher.main(["run", "--enable-api"]) == 2  # refuses to start, says why
    monkeypatch.setenv("RASA_AUTH_TOKEN", "from-the-environment-123")
    assert api_token.load_token() == "from-the-environment-123"


# --- issue 19: nothing a client sends stops the server ------------------------------------------------
@pytest.mark.parametrize("sender", ["\ud800", "a\x00b"])
def test_a_value_the_store_cannot_take_fails_the_request_not_the_process(sender: str, tmp_path: Any) -> None:
    """Rasa's session_scope turned any ValueError into sys.exit(1); SQLite raises one for a lone surrogate."""
    from rasa.core.tracker_store import SQLTrackerStore

    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "c.db"))
    tracker = DialogueStateTracker.from_events(sender, [UserUttered("hi")])
    try:
        for attempt in (store.save(tracker), store.retrieve(sender)):
            try:
                asyncio.run(attempt)
            except patches.StoreValueError:
                pass  # an ordinary error: the channel answers the one request
    except SystemExit:  # pragma: no cover - the behaviour the patch removes
        pytest.fail("the tracker store exited the process")
    assert asyncio.run(store.retrieve("rest:ok")) is None  # the store still works


def test_user_message_metadata_is_reduced_and_surrogates_removed() -> None:
    message = UserMessage("/\ud800 hi", CollectingOutputChannel(), "rest:x",
                          metadata={"page": "/", "blob": "x" * 60_000})
    assert message.text == "/ hi" and message.metadata == {"page": "/"}


@pytest.mark.parametrize("line", [
    "Exception occurred while handling uri: 'http://127.0.0.1:5005/conversations/x/messages?token=s3cr3t-Value'",
    "GET /status?a=1&token=s3cr3t-Value HTTP/1.1",
    "headers: {'Authorization': 'Bearer s3cr3t-Value'}",
])
def test_tokens_are_redacted_from_log_lines(line: str, caplog: Any) -> None:
    import logging

    record = logging.LogRecord("sanic.error", logging.ERROR, __file__, 1, "%s", (line,), None)
    patches.RedactSecrets().filter(record)
    assert "s3cr3t-Value" not in record.getMessage() and "[redacted]" in record.getMessage()


def test_the_api_token_is_presented_as_bearer_or_query_and_compared_whole() -> None:
    assert patches.presented_token("q", "Bearer b") == "b"
    assert patches.presented_token("q", None) == "q"
    assert patches.token_matches("a" * 20, "a" * 20)
    assert not patches.token_matches("a" * 19, "a" * 20) and not patches.token_matches(None, "a" * 20)
    assert patches.is_api_path("/status") and patches.is_api_path("/model/train")
    assert not patches.is_api_path("/") and not patches.is_api_path("/webhooks/rest/webhook")


def test_turns_are_counted_from_the_last_session_start() -> None:
    from rasa.shared.core.events import SessionStarted

    events = [UserUttered("a"), UserUttered("b"), SessionStarted(), UserUttered("c")]
    assert patches.turns_in_session(DialogueStateTracker.from_events("rest:t", events)) == 1
    assert patches.turns_in_session(DialogueStateTracker.from_events("rest:t", events[:2])) == 2


def test_a_short_environment_token_is_refused(monkeypatch: Any) -> None:
    monkeypatch.setenv("RASA_AUTH_TOKEN", "short")
    with pytest.raises(api_token.TokenProblem):
        api_token.load_token()


def test_a_new_session_carries_each_slot_once_with_its_last_value() -> None:
    from rasa.core.actions.action import ActionSessionStart
    from rasa.shared.core.events import SessionStarted, SlotSet

    events = [SlotSet("a", 1), SlotSet("b", "x"), SlotSet("a", 2), SlotSet("a", 3), SlotSet("b", None)]
    tracker = DialogueStateTracker.from_events("rest:s", events)
    carried = ActionSessionStart._slot_set_events_from_tracker(tracker)
    assert [(e.key, e.value) for e in carried] == [("a", 3), ("b", None)]
    # and a second session start does not copy the copies
    again = DialogueStateTracker.from_events("rest:s", [*events, SessionStarted(), *carried, SlotSet("a", 4)])
    assert [(e.key, e.value) for e in ActionSessionStart._slot_set_events_from_tracker(again)] == [("b", None), ("a", 4)]


def test_a_refused_connection_is_tried_again_until_the_action_server_is_back(monkeypatch: Any) -> None:
    """The action server restarting refuses connections for a second or two: the call is tried again (the
    request never reached it) and the user gets the answer, not the apology; counted on /metrics."""
    import types

    from aiohttp import ClientConnectorError

    from advisor import metrics

    key = types.SimpleNamespace(host="127.0.0.1", port=9, is_ssl=False, ssl=None)
    calls: List[int] = []

    async def restarting() -> Any:
        calls.append(1)
        if len(calls) < 4:
            raise ClientConnectorError(key, ConnectionRefusedError(111, "Connection refused"))  # type: ignore[arg-type]
        return {"events": [], "responses": [{"text": "the answer"}]}

    before = metrics.ACTION_RECONNECTS.value(action="action_answer_question")
    events = run_action(restarting)
    assert [e.text for e in events if isinstance(e, BotUttered)] == ["the answer"] and len(calls) == 4
    assert metrics.ACTION_RECONNECTS.value(action="action_answer_question") - before == 3


def test_a_server_that_stays_down_gets_the_apology_after_the_window(monkeypatch: Any) -> None:
    import time
    import types

    from aiohttp import ClientConnectorError

    monkeypatch.setattr(patches, "RECONNECT_WINDOW", 0.5)
    key = types.SimpleNamespace(host="127.0.0.1", port=9, is_ssl=False, ssl=None)
    calls: List[int] = []

    async def gone() -> Any:
        calls.append(1)
        raise ClientConnectorError(key, ConnectionRefusedError(111, "Connection refused"))  # type: ignore[arg-type]

    start = time.time()
    events = run_action(gone)
    assert [e.text for e in events if isinstance(e, BotUttered)] == ["apology from utter_action_failed"]
    assert 2 <= len(calls) <= 4 and time.time() - start < 2


def test_only_a_connection_that_never_opened_is_tried_again() -> None:
    """A request that may have reached the server (disconnected, a 500, a crash) is never sent twice."""
    calls: List[int] = []

    async def disconnected() -> Any:
        from aiohttp import ServerDisconnectedError

        calls.append(1)
        raise ServerDisconnectedError()

    run_action(disconnected)
    assert len(calls) == 1


def test_event_types_are_looked_up_once_with_rasas_own_answers() -> None:
    from rasa.shared.core.events import Event, SlotSet

    assert Event.resolve_by_type("user") is UserUttered and Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("followup") is FollowupAction
    assert Event.resolve_by_type("topic") is None  # Rasa's backwards compatibility
    assert Event.resolve_by_type("no_such_event", default=BotUttered) is BotUttered
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")  # (a default given once is not kept for the name)
    event = Event.from_parameters({"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}})
    assert isinstance(event, UserUttered) and event.text == "hi"

