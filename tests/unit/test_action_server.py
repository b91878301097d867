"""advisor.action_server without a server: which requests are refused, the secret (environment or a file
made once, owner-only, safe when two processes make it at once), the interface the launcher chooses, the
patch of rasa_sdk's app, and the endpoints file that makes Rasa send the secret (by reference)."""
from __future__ import annotations

import os
import threading
import types
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

from advisor import __main__ as launcher
from advisor import action_server, api_token, patches
from persistence.endpoints import render

SECRET = "s3cret-of-sufficient-length"


def headers(values: Dict[str, str]) -> Any:
    lowered = {k.lower(): v for k, v in values.items()}
    return lambda name: lowered.get(name.lower())


@pytest.mark.parametrize("method,path,given,expected", [
    ("GET", "/health", {}, None),
    ("HEAD", "/health", {}, None),
    ("GET", "/health/", {}, None),
    ("POST", "/health", {}, 401),
    ("GET", "/actions", {}, 401),
    ("OPTIONS", "/webhook", {}, 401),
    ("POST", "/webhook", {"Content-Type": "application/json"}, 401),
    ("POST", "/webhook", {"Content-Type": "application/json", "X-Advisor-Action-Secret": "wrong"}, 401),
    ("POST", "/webhook", {"Content-Type": "application/json", "X-Advisor-Action-Secret": SECRET[:-1]}, 401),
    ("POST", "/webhook", {"Content-Type": "application/json", "X-Advisor-Action-Secret": SECRET + "x"}, 401),
    ("POST", "/webhook", {"Content-Type": "application/json", "x-advisor-action-secret": SECRET}, None),
    ("POST", "/webhook", {"Content-Type": "application/json; charset=utf-8", "X-Advisor-Action-Secret": SECRET}, None),
    ("POST", "/webhook", {"Content-Type": "text/plain", "X-Advisor-Action-Secret": SECRET}, 415),
    ("POST", "/webhook", {"X-Advisor-Action-Secret": SECRET}, 415),
    ("POST", "/webhook", {"Content-Type": "application/x-www-form-urlencoded", "X-Advisor-Action-Secret": SECRET}, 415),
    ("GET", "/actions", {"X-Advisor-Action-Secret": SECRET}, None),
])
def test_requests_without_the_secret_or_json_are_refused(method: str, path: str, given: Dict[str, str],
                                                          expected: Optional[int]) -> None:
    problem = action_server.refusal(method, path, headers(given), SECRET)
    assert (problem[0] if problem else None) == expected


def test_the_comparison_is_constant_time(monkeypatch: Any) -> None:
    calls = []
    real = action_server.hmac.compare_digest
    monkeypatch.setattr(action_server.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    action_server.refusal("POST", "/webhook", headers({"X-Advisor-Action-Secret": "x"}), SECRET)
    assert calls == [(b"x", SECRET.encode())]


def test_the_launcher_keeps_the_action_server_on_loopback(tmp_path: Path) -> None:
    base = {action_server.ENV_SECRET_FILE: str(tmp_path / "secret")}
    for env, host in [({}, "127.0.0.1"), ({"SANIC_HOST": "0.0.0.0"}, "127.0.0.1"),
                      ({"ACTION_SERVER_HOST": "0.0.0.0"}, "0.0.0.0"),
                      ({"ACTION_SERVER_HOST": "10.1.2.3", "SANIC_HOST": "0.0.0.0"}, "10.1.2.3")]:
        env = {**base, **env}
        action_server.prepare_environment(["run", "actions", "--port", "1"], env)
        assert env["SANIC_HOST"] == host, env
        assert env["SANIC_GRACEFUL_SHUTDOWN_TIMEOUT"] == "3", "a restart stops within 3 s, not Sanic's 15"
    kept = {**base, "SANIC_GRACEFUL_SHUTDOWN_TIMEOUT": "8"}
    action_server.prepare_environment(["run", "actions"], kept)
    assert kept["SANIC_GRACEFUL_SHUTDOWN_TIMEOUT"] == "8", "the operator's value is kept"
    server_env = dict(base)
    action_server.prepare_environment(["run", "--enable-api"], server_env)
    assert "SANIC_HOST" not in server_env, "the Rasa server's interface is --interface"
    other: Dict[str, str] = {}
    action_server.prepare_environment(["train"], other)
    assert other == {}


def test_the_secret_file_is_made_once_owner_only_and_shared(tmp_path: Path) -> None:
    path = tmp_path / ".run" / "action-secret"
    env = {action_server.ENV_SECRET_FILE: str(path)}
    action_server.prepare_environment(["run", "actions"], env)
    assert path.stat().st_mode & 0o777 == 0o600
    secret = env[action_server.ENV_SECRET]
    assert len(secret) >= 32 and path.read_text().strip() == secret
    server_env = {action_server.ENV_SECRET_FILE: str(path)}
    action_server.prepare_environment(["run", "--enable-api"], server_env)
    assert server_env[action_server.ENV_SECRET] == secret, "the Rasa server gets the same secret"
    path.chmod(0o644)
    with pytest.raises(api_token.TokenProblem, match="chmod 600"):
        action_server.load_secret({action_server.ENV_SECRET_FILE: str(path)})


def test_two_processes_making_the_file_at_once_get_one_secret(tmp_path: Path) -> None:
    path = tmp_path / "action-secret"
    barrier = threading.Barrier(8)
    seen = []

    def make() -> None:
        barrier.wait()
        seen.append(action_server.load_secret({action_server.ENV_SECRET_FILE: str(path)}))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 8 and len(set(seen)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["action-secret"], "no temporary file left"


@pytest.mark.parametrize("bad", ["short", "has a space in the middle!!", "dollar$sign-and-long-enough"])
def test_a_bad_secret_from_the_environment_is_refused(bad: str) -> None:
    with pytest.raises(api_token.TokenProblem, match="ACTION_SERVER_SECRET"):
        action_server.load_secret({action_server.ENV_SECRET: bad})
    assert action_server.load_secret({action_server.ENV_SECRET: f"  {SECRET}\n"}) == SECRET


def test_the_launcher_prepares_the_environment_before_rasa_runs(monkeypatch: Any, tmp_path: Path) -> None:

    import rasa_sdk.__main__

    seen: Dict[str, Optional[str]] = {}
    monkeypatch.setattr(rasa_sdk.__main__, "main_from_args", lambda args: seen.update(
        host=os.environ.get("SANIC_HOST"), secret=os.environ.get(action_server.ENV_SECRET), actions=args.actions))
    monkeypatch.setenv("SANIC_HOST", "0.0.0.0")
    monkeypatch.setenv(action_server.ENV_SECRET, "placeholder")
    monkeypatch.delenv(action_server.ENV_SECRET)
    monkeypatch.delenv(action_server.ENV_HOST, raising=False)
    monkeypatch.setenv(action_server.ENV_SECRET_FILE, str(tmp_path / "action-secret"))
    monkeypatch.setattr(launcher.sys, "argv", list(launcher.sys.argv))
    assert launcher.main(["run", "actions", "--actions", "actions"]) == 0
    assert seen == {"host": "127.0.0.1", "secret": (tmp_path / "action-secret").read_text().strip(), "actions": "actions"}
    monkeypatch.setenv(action_server.ENV_SECRET, "short")
    assert launcher.main(["run", "actions"]) == 2, "a bad secret stops the launcher, with a message"


def test_rasa_sdk_create_app_is_patched_with_the_limits(monkeypatch: Any) -> None:
    import rasa_sdk.endpoint

    patches.install()
    assert "harden_action_server" in {p.name for p in patches.PATCHES}
    assert getattr(rasa_sdk.endpoint.create_app, "advisor_hardened", False)
    monkeypatch.setenv(action_server.ENV_SECRET, SECRET)
    app = rasa_sdk.endpoint.create_app(types.ModuleType("no_actions"))
    assert app.config.REQUEST_MAX_SIZE == action_server.BODY_LIMIT == 1024 * 1024


def test_the_endpoints_file_sends_the_secret_by_reference(tmp_path: Path, monkeypatch: Any) -> None:
    from rasa.utils.endpoints import read_endpoint_config

    text = render("http://127.0.0.1:5055/webhook", {"ADVISOR_TRACKER_DB": str(tmp_path / "c.db")})
    assert "X-Advisor-Action-Secret: ${ACTION_SERVER_SECRET}" in text
    monkeypatch.setenv(action_server.ENV_SECRET, SECRET)
    assert SECRET not in text
    (tmp_path / "endpoints.yml").write_text(text)
    endpoint = read_endpoint_config(str(tmp_path / "endpoints.yml"), "action_endpoint")
    assert endpoint is not None and endpoint.headers == {action_server.HEADER: SECRET}, "Rasa expands ${…}"


def test_the_action_server_starts_without_rasa_s_dialogue_engine() -> None:
    """`run actions` goes to rasa_sdk directly with the SDK's patches only: no TensorFlow, no rasa.core
    (Rasa's CLI imported both, 5-6 s of a 7.5 s start that a restart under load pays again)."""
    import subprocess
    import sys

    code = ("import sys, rasa_sdk.__main__ as sdk; sdk.main_from_args = lambda args: None; "
            "from advisor.__main__ import main; main(['run', 'actions', '--actions', 'actions', '--port', '1']); "
            "from rasa_sdk.executor import ActionExecutor; ActionExecutor().register_package('actions'); "
            "from advisor import patches; "
            "print(sorted(n for n, done in patches._installed.items() if done)); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'rasa')))")
    env = {**os.environ, action_server.ENV_SECRET: SECRET}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                         check=True).stdout.splitlines()
    assert out[0] == str(["harden_action_server", "observe_actions"])
    assert out[1] == "[]", "no TensorFlow and no Rasa module in the action server"
