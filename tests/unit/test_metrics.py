"""advisor.metrics (the Prometheus text format), advisor.operations (readiness) and who may read /metrics."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Optional

import pytest

from advisor import action_server, metrics, operations, patches
from tests.support.scrape import parse, value


def test_counters_gauges_and_histograms_render_in_the_text_format() -> None:
    reg = metrics.Registry()
    c = reg.counter("x_messages", "Messages.\nSecond line", ["channel"])
    c.inc(channel="rest")
    c.inc(2, channel='we"ird\\')
    g = reg.gauge("x_waiting", "Waiting.")
    h = reg.histogram("x_seconds", "Seconds.", ["channel"], buckets=(0.1, 1.0))
    for v in (0.05, 0.5, 0.5, 3.0):
        h.observe(v, channel="rest")
    text = reg.render()
    assert "# HELP x_messages Messages. Second line\n# TYPE x_messages counter\n" in text
    assert 'x_messages_total{channel="rest"} 1\n' in text
    assert 'x_messages_total{channel="we\\"ird\\\\"} 2\n' in text
    assert "x_waiting" not in text, "a gauge nobody set is not shown"
    samples = parse(text)
    assert value(samples, "x_messages_total", channel='we"ird\\') == 2
    assert [value(samples, "x_seconds_bucket", channel="rest", le=le) for le in ("0.1", "1", "+Inf")] == [1, 3, 4]
    assert value(samples, "x_seconds_count", channel="rest") == 4
    assert value(samples, "x_seconds_sum", channel="rest") == pytest.approx(4.05)
    g.set(3)
    assert value(parse(reg.render()), "x_waiting") == 3
    g.set_function(lambda: {(): 7.0})
    assert value(parse(reg.render()), "x_waiting") == 7


def test_a_counter_only_goes_up_and_takes_exactly_its_labels() -> None:
    reg = metrics.Registry()
    c = reg.counter("y", "Y.", ["a"])
    with pytest.raises(ValueError):
        c.inc(-1, a="x")
    with pytest.raises(ValueError):
        c.inc(b="x")
    with pytest.raises(ValueError):
        reg.counter("y", "again")


def test_a_failing_gauge_source_hides_that_gauge_only() -> None:
    reg = metrics.Registry()
    reg.counter("z", "Z.").inc()
    reg.gauge("broken", "B.").set_function(lambda: 1 / 0)  # type: ignore[arg-type,return-value]
    assert value(parse(reg.render()), "z_total") == 1


def test_channel_labels_are_bounded() -> None:
    assert [metrics.channel_label(n) for n in ("rest", "SocketIO", "slack", None, "x" * 300)] == [
        "rest", "socketio", "slack", "unknown", "other"]


def test_every_server_metric_of_the_issue_is_registered() -> None:
    names = set(metrics.names(metrics.SERVER))
    assert {"advisor_messages", "advisor_reply_seconds", "advisor_nlu_fallbacks", "advisor_action_failures",
            "advisor_tracker_store_seconds", "advisor_model_info", "advisor_handoffs_waiting"} <= names
    assert {"advisor_actions", "advisor_action_errors", "advisor_action_seconds"} <= set(metrics.names(metrics.ACTIONS))


def test_metrics_need_the_api_token_and_the_probes_do_not() -> None:
    assert patches.is_api_path("/metrics")
    assert not patches.is_api_path("/ready") and not patches.is_api_path("/live")


def test_the_action_server_takes_its_secret_as_bearer_on_metrics_only() -> None:
    secret = "s" * 32

    def headers(**h: str) -> Any:
        lower = {k.lower().replace("_", "-"): v for k, v in h.items()}
        return lambda name: lower.get(name.lower())

    assert action_server.refusal("GET", "/metrics", headers(authorization=f"Bearer {secret}"), secret) is None
    assert action_server.refusal("GET", "/metrics", headers(x_advisor_action_secret=secret), secret) is None
    assert action_server.refusal("GET", "/metrics", headers(), secret)[0] == 401  # type: ignore[index]
    assert action_server.refusal("GET", "/metrics", headers(authorization="Bearer nope"), secret)[0] == 401  # type: ignore[index]
    # the bearer form is for the metrics page only
    assert action_server.refusal("POST", "/webhook", headers(authorization=f"Bearer {secret}",
                                                              content_type="application/json"), secret)[0] == 401  # type: ignore[index]


class Store:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    async def retrieve(self, sender_id: str) -> None:
        if self.fail:
            raise ConnectionError("the database at 10.0.0.5 refused")
        return None


class Wrapper:  # as Rasa's FailSafeTrackerStore: swallows the error
    def __init__(self, inner: Any) -> None:
        self._tracker_store = inner

    async def retrieve(self, sender_id: str) -> None:
        return None


class Redis:
    def __init__(self, fail: bool) -> None:
        self.fail = fail

    def ping(self) -> bool:
        if self.fail:
            raise ConnectionError("redis down")
        return True


class LockStore:
    def __init__(self, fail: bool) -> None:
        self.red = Redis(fail)


class Agent:
    def __init__(self, store: Any, lock_store: Any, ready: bool = True) -> None:
        self.tracker_store, self.lock_store, self.ready = store, lock_store, ready

    def is_ready(self) -> bool:
        return self.ready


def _ready(agent: Optional[Agent]) -> Any:
    return asyncio.run(operations.readiness(agent))


def test_readiness_checks_the_model_the_tracker_store_and_the_lock_store(tmp_path: Path) -> None:
    assert _ready(None) == (False, {"model": "not loaded", "tracker_store": "not checked", "lock_store": "not checked"})
    assert _ready(Agent(Store(), object(), ready=False))[0] is False
    assert _ready(Agent(Wrapper(Store()), object())) == (True, {"model": "ok", "tracker_store": "ok", "lock_store": "ok"})
    ok, checks = _ready(Agent(Wrapper(Store(fail=True)), object()))
    assert not ok and checks["tracker_store"] == "not answering", "the wrapper's swallowing is looked through"
    assert "10.0.0.5" not in str(checks)
    ok, checks = _ready(Agent(Store(), LockStore(fail=True)))
    assert not ok and checks == {"model": "ok", "tracker_store": "ok", "lock_store": "not answering"}
    assert _ready(Agent(Store(), LockStore(fail=False)))[0] is True


def test_readiness_of_a_sql_store_is_one_query(tmp_path: Path) -> None:
    import sqlalchemy as sa

    class SQLStore:
        def __init__(self, url: str) -> None:
            self.engine = sa.create_engine(url)

    assert _ready(Agent(SQLStore(f"sqlite:///{tmp_path / 'x.db'}"), object()))[0] is True
    missing = SQLStore(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")
    ok, checks = _ready(Agent(missing, object()))
    assert not ok and checks["tracker_store"] == "not answering"


def test_prometheus_configuration_names_every_server_and_keeps_credentials_private(tmp_path: Path) -> None:
    import yaml

    from advisor import prometheus_config

    env = {"RASA_AUTH_TOKEN": "t" * 32, "ACTION_SERVER_SECRET": "s" * 32}
    out = prometheus_config.write(tmp_path / "prom", [5011, 5012], 5055, env)
    config = yaml.safe_load(out.read_text())
    jobs = {j["job_name"]: j for j in config["scrape_configs"]}
    assert jobs["advisor-rasa"]["static_configs"][0]["targets"] == ["127.0.0.1:5011", "127.0.0.1:5012"]
    assert jobs["advisor-actions"]["static_configs"][0]["targets"] == ["127.0.0.1:5055"]
    assert Path(jobs["advisor-rasa"]["authorization"]["credentials_file"]).read_text().strip() == "t" * 32
    assert Path(jobs["advisor-actions"]["authorization"]["credentials_file"]).read_text().strip() == "s" * 32
    assert "t" * 32 not in out.read_text() and "s" * 32 not in out.read_text(), "credentials by file, never inline"
    for f in (tmp_path / "prom").iterdir():
        assert f.stat().st_mode & 0o077 == 0, f
    web = yaml.safe_load((tmp_path / "prom" / "web.yml").read_text())
    import crypt  # noqa: F401 - the check below uses the same library

    password = (tmp_path / "prom" / "password").read_text().strip()
    hashed = web["basic_auth_users"]["advisor"]
    assert hashed.startswith("$2") and crypt.crypt(password, hashed) == hashed
