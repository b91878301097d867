"""What an operator (Prometheus, nginx, a supervisor) asks a Rasa server: ``/metrics``, ``/ready``, ``/live``.

- ``GET /metrics``: the Prometheus text format of :data:`advisor.metrics.SERVER`. It is part of the HTTP
  API: it needs the API token (``Authorization: Bearer <token>``; Prometheus: ``authorization:
  credentials_file: .run/api-token``), checked before routing by advisor.patches.harden_app.
- ``GET /ready``: 200 when the model is loaded and the tracker store and the lock store answer (each
  within :data:`PROBE_TIMEOUT` s), else 503. Open, as ``/`` is (probes rarely carry credentials): the
  answer says only which check failed, never an address, a name or an error text.
- ``GET /live``: 200 as long as the server's event loop answers. Open.

docs/metrics.md describes the metrics and how to scrape them.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Dict, Optional, Tuple

from advisor import metrics

logger = logging.getLogger(__name__)

PROBE_TIMEOUT = 3.0  # seconds per store check
PROBE_CONVERSATION = "ready:probe"  # never a real conversation id (channels/ids.py: "rest:", "web:", ...)


def innermost_store(store: Any) -> Any:
    """The tracker store inside Rasa's wrappers (FailSafeTrackerStore, AwaitableTrackerStore), which
    swallow the errors a readiness check must see."""
    seen = 0
    while hasattr(store, "_tracker_store") and seen < 5:
        store, seen = store._tracker_store, seen + 1
    return store


def _sql_ping(engine: Any) -> None:
    import sqlalchemy as sa

    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))


async def check_tracker_store(store: Any) -> bool:
    inner = innermost_store(store)
    loop = asyncio.get_running_loop()
    if getattr(inner, "engine", None) is not None:  # SQL (SQLite, PostgreSQL): one round trip, off the loop
        await asyncio.wait_for(loop.run_in_executor(None, _sql_ping, inner.engine), PROBE_TIMEOUT)
        return True
    result = inner.retrieve(PROBE_CONVERSATION)
    if asyncio.iscoroutine(result):
        await asyncio.wait_for(result, PROBE_TIMEOUT)
    return True


async def check_lock_store(lock_store: Any) -> bool:
    red = getattr(lock_store, "red", None)  # RedisLockStore
    if red is None:
        return True  # in memory: nothing to reach
    loop = asyncio.get_running_loop()
    return bool(await asyncio.wait_for(loop.run_in_executor(None, red.ping), PROBE_TIMEOUT))


async def readiness(agent: Optional[Any]) -> Tuple[bool, Dict[str, str]]:
    """(ready, {check: "ok" | what failed}) for the model, the tracker store and the lock store."""
    checks: Dict[str, str] = {}
    if agent is None or not agent.is_ready():
        return False, {"model": "not loaded", "tracker_store": "not checked", "lock_store": "not checked"}
    checks["model"] = "ok"
    for name, probe, target in (("tracker_store", check_tracker_store, agent.tracker_store),
                                ("lock_store", check_lock_store, agent.lock_store)):
        try:
            checks[name] = "ok" if await probe(target) else "not answering"
        except asyncio.TimeoutError:
            checks[name] = "timed out"
        except Exception as e:  # noqa: BLE001 - any failure means "not ready"; the kind only, in the log too
            logger.warning("readiness: the %s does not answer (%s)", name.replace("_", " "), type(e).__name__)
            checks[name] = "not answering"
    return all(v == "ok" for v in checks.values()), checks


def model_info(app: Any) -> Dict[metrics.LabelValues, float]:
    agent = getattr(app.ctx, "agent", None)
    processor = getattr(agent, "processor", None)
    if agent is None or processor is None:
        return {}
    return {(str(agent.model_id or ""), str(getattr(processor, "model_filename", "") or "")): 1.0}


def add_routes(app: Any) -> Any:
    """/metrics, /ready and /live on a Rasa server's Sanic app."""
    from sanic import response

    metrics.MODEL_INFO.set_function(lambda: model_info(app))

    @app.get("/metrics")
    async def prometheus_metrics(request: Any) -> Any:  # the token was checked before routing (harden_app)
        return response.text(metrics.render_server(), content_type=metrics.CONTENT_TYPE)

    @app.get("/ready")
    async def ready(request: Any) -> Any:
        started = time.perf_counter()
        ok, checks = await readiness(getattr(app.ctx, "agent", None))
        metrics.READY.set(1 if ok else 0)
        body = {"ready": ok, "checks": checks, "seconds": round(time.perf_counter() - started, 3)}
        return response.json(body, status=200 if ok else 503, headers={"Cache-Control": "no-store"})

    @app.get("/live")
    async def live(request: Any) -> Any:
        return response.json({"live": True}, headers={"Cache-Control": "no-store"})

    return app
