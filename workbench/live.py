"""The workbench's "Live" and "Messages" pages (docs/handoff.md).

- Live: the conversations waiting for a person or held by a trainer (paused conversations in the tracker
  store), each with its transcript and the bot's last answer traces; "I'll take it", a reply box, "Hand back
  to the bot"; the on-duty switch. A small script (/live.js, CSP `script-src 'self'`) polls for the user's new
  messages and sends replies without reloading the page.
- Messages: what users left when nobody was on duty (with the e-mail address they agreed to give), until a
  trainer marks it done.

Reading is the tracker store's (and the handoff tables beside it, persistence/handoff_store.py); every change
to a conversation goes through the Rasa server's /handoff/* routes with the API token (advisor/handoff_api.py),
which take the conversation's lock: the workbench never writes a tracker itself.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from advisor.handoff_state import AGENT_KEY, HELD, NOTICE_KEY, SLOT_SINCE, SLOT_STATE, SLOT_TAKEN_AT, SLOT_TRAINER
from workbench.trace import TraceView, bot_trace

SCRIPT = Path(__file__).parent / "static" / "live.js"
MAX_TRACES = 3
SEEN_EVERY = 15.0
RASA_TIMEOUT = 15.0


@dataclass(frozen=True)
class LiveTurn:
    kind: str  # "user", "bot" (the bot), "agent" (a trainer), "notice" (the bot about the handoff)
    text: str
    who: str
    time: float

    def as_dict(self) -> Dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "who": self.who, "time": self.time}


def live_turns(events: Sequence[Mapping[str, Any]]) -> List[LiveTurn]:
    """The messages of a conversation, saying who wrote each (pure)."""
    out: List[LiveTurn] = []
    for e in events:
        ts = float(e.get("timestamp") or 0)
        if e.get("event") == "user":
            out.append(LiveTurn("user", str(e.get("text") or ""), "user", ts))
        elif e.get("event") == "bot":
            raw = e.get("metadata")
            meta: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
            text = str(e.get("text") or "")
            if meta.get(AGENT_KEY):
                out.append(LiveTurn("agent", text, str(meta[AGENT_KEY])[:60], ts))
            else:
                out.append(LiveTurn("notice" if meta.get(NOTICE_KEY) else "bot", text, "bot", ts))
    return out


def last_traces(events: Sequence[Mapping[str, Any]], limit: int = MAX_TRACES) -> List[Tuple[str, TraceView]]:
    """(answer text, trace) of the bot's last traced answers, newest first."""
    found: List[Tuple[str, TraceView]] = []
    for e in reversed(events):
        if e.get("event") == "bot":
            trace = bot_trace(e)
            if trace is not None:
                found.append((str(e.get("text") or "")[:300], trace))
                if len(found) >= limit:
                    break
    return found


@dataclass(frozen=True)
class LiveState:
    state: Optional[str]
    trainer: Optional[str]
    since: Optional[float]
    taken_at: Optional[float]
    paused: bool


def live_state(events: Sequence[Mapping[str, Any]]) -> LiveState:
    """The handoff slots and the pause, replayed from the events (pure; the last session's values)."""
    slots: Dict[str, Any] = {}
    paused = False
    for e in events:
        kind = e.get("event")
        if kind == "slot" and str(e.get("name", "")).startswith("handoff"):
            slots[str(e["name"])] = e.get("value")
        elif kind == "pause":
            paused = True
        elif kind in ("resume", "restart", "session_started"):
            paused = False
    return LiveState(slots.get(SLOT_STATE), slots.get(SLOT_TRAINER), slots.get(SLOT_SINCE),
                     slots.get(SLOT_TAKEN_AT), paused)


def trainer_of(req: Any) -> str:
    return getattr(req.ctx.session, "trainer", None) or "trainer"


class RasaLink:
    """The Rasa server's /handoff/* routes, with the API token as a Bearer header (never in a URL or a log)."""

    def __init__(self, url: str, token: Optional[str]) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self._seen: Dict[Tuple[str, str], float] = {}

    @property
    def ready(self) -> bool:
        return bool(self.url and self._token)

    async def call(self, operation: str, body: Dict[str, Any]) -> Tuple[int, Dict[str, Any]]:
        import aiohttp

        if not self.ready:
            return 503, {"error": "the workbench has no Rasa server to talk to (ADVISOR_RASA_URL and the API token)"}
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=RASA_TIMEOUT)) as session:
                async with session.post(f"{self.url}/handoff/{operation}", json=body,
                                        headers={"Authorization": f"Bearer {self._token}"}) as resp:
                    try:
                        data = await resp.json(content_type=None)
                    except ValueError:
                        data = {}
                    return resp.status, data if isinstance(data, dict) else {}
        except (aiohttp.ClientError, TimeoutError, OSError) as e:
            return 502, {"error": f"the Rasa server did not answer ({type(e).__name__})"}

    async def seen(self, conversation_id: str, trainer: str) -> None:
        """The trainer's page is open: told to the Rasa server at most every SEEN_EVERY seconds."""
        key = (conversation_id, trainer)
        now = time.monotonic()
        if now - self._seen.get(key, 0.0) < SEEN_EVERY:
            return
        self._seen[key] = now
        await self.call("seen", {"conversation_id": conversation_id, "trainer": trainer})


def register(app: Any, source: Any, link: RasaLink, page: Any, back: Any, failed: Any) -> None:
    """The Live and Messages routes (called by workbench.web.create_app)."""
    from sanic import response

    from persistence.handoff_store import ON_DUTY_KEY, HandoffStore, engine_of
    from workbench import audit

    stores: Dict[str, Any] = {}

    def handoff_store() -> Optional[HandoffStore]:
        if "store" not in stores:
            try:
                engine = engine_of(source.tracker_store())
            except Exception:  # noqa: BLE001 - shown on the page as "no store"
                return None
            if engine is None:
                return None
            stores["store"] = HandoffStore(engine)
        return stores["store"]

    async def events_of(conversation_id: str) -> Optional[List[Dict[str, Any]]]:
        tracker = await source.tracker_store().retrieve_full_tracker(conversation_id)
        return None if tracker is None else [e.as_dict() for e in tracker.events]

    def q(value: str) -> str:
        from urllib.parse import quote

        return quote(value, safe="")

    @app.get("/live.js")
    async def live_js(_: Any) -> Any:
        return response.text(SCRIPT.read_text(encoding="utf-8"), content_type="text/javascript")

    @app.get("/live")
    async def live(req: Any) -> Any:
        store = handoff_store()
        rows = []
        switch = None
        if store is not None:
            switch = store.setting(ON_DUTY_KEY)
            for cid in store.paused_conversations()[:200]:
                events = await events_of(cid)
                if not events:
                    continue
                st = live_state(events)
                turns = live_turns(events)
                last_user = next((t.text for t in reversed(turns) if t.kind == "user"), "")
                rows.append({"id": cid, "state": st.state or "paused", "trainer": st.trainer, "since": st.since,
                             "last": last_user[:120]})
        from advisor import handoff_config

        try:
            cfg = handoff_config.load()
            hours, default = cfg.hours_text(), cfg.on_duty
        except handoff_config.HandoffConfigError as e:
            hours, default = str(e), "auto"
        return page("live.html", req, rows=rows, switch=switch or default, hours=hours, no_store=store is None,
                    linked=link.ready, open_messages=len(store.open_messages()) if store else 0, refresh=5,
                    now=time.time())

    @app.post("/live/duty")
    async def duty(req: Any) -> Any:
        value = req.form.get("on_duty", "")
        store = handoff_store()
        if value not in ("auto", "on", "off") or store is None:
            return failed(req, "/live", "Not changed: choose auto, on or off (and the tracker store must be SQL).")
        store.set_setting(ON_DUTY_KEY, value)
        audit.record(trainer_of(req), "on duty setting", None, value=value)
        return back("/live", "duty_saved")

    @app.get("/live/c")
    async def live_conversation(req: Any) -> Any:
        cid = req.args.get("id", "")
        events = await events_of(cid) if cid else None
        if events is None:
            return response.html("No such conversation.", status=404)
        st = live_state(events)
        return page("live_conversation.html", req, cid=cid, qid=q(cid), st=st, turns=live_turns(events),
                    traces=last_traces(events), after=len(events), you=trainer_of(req), held=st.state == HELD)

    @app.get("/live/poll")
    async def poll(req: Any) -> Any:
        cid = req.args.get("id", "")
        try:
            after = max(0, int(req.args.get("after", "0")))
        except ValueError:
            after = 0
        events = await events_of(cid) if cid else None
        if events is None:
            return response.json({"error": "no such conversation"}, status=404)
        st = live_state(events)
        you = trainer_of(req)
        if st.state == HELD and st.trainer == you:
            await link.seen(cid, you)
        return response.json({"state": st.state, "trainer": st.trainer, "paused": st.paused, "next": len(events),
                              "turns": [t.as_dict() for t in live_turns(events[after:])]})

    async def operate(req: Any, operation: str, extra: Optional[Dict[str, Any]] = None) -> Tuple[int, Dict[str, Any]]:
        cid = req.args.get("id", "")
        return await link.call(operation, {"conversation_id": cid, "trainer": trainer_of(req), **(extra or {})})

    def wants_json(req: Any) -> bool:
        return "application/json" in (req.headers.get("accept") or "")

    @app.post("/live/take")
    async def take(req: Any) -> Any:
        cid = req.args.get("id", "")
        status, data = await operate(req, "take")
        if status != 200:
            return failed(req, f"/live/c?id={q(cid)}", f"Not taken: {data.get('error', status)}")
        audit.record(trainer_of(req), "take over", cid)
        return back(f"/live/c?id={q(cid)}", "taken")

    @app.post("/live/say")
    async def say(req: Any) -> Any:
        cid = req.args.get("id", "")
        status, data = await operate(req, "say", {"text": req.form.get("text", "")})
        if status == 200:
            audit.record(trainer_of(req), "live reply", cid)  # never the text
        if wants_json(req):
            return response.json(data, status=status)
        if status != 200:
            return failed(req, f"/live/c?id={q(cid)}", f"Not sent: {data.get('error', status)}")
        return response.redirect(f"/live/c?id={q(cid)}")

    @app.post("/live/release")
    async def release(req: Any) -> Any:
        cid = req.args.get("id", "")
        status, data = await operate(req, "release")
        if status != 200:
            return failed(req, f"/live/c?id={q(cid)}", f"Not handed back: {data.get('error', status)}")
        audit.record(trainer_of(req), "hand back", cid)
        return back("/live", "handed_back")

    @app.get("/messages")
    async def messages(req: Any) -> Any:
        store = handoff_store()
        return page("messages.html", req, messages=store.open_messages() if store else [], no_store=store is None)

    @app.post("/messages/done")
    async def message_done(req: Any) -> Any:
        store = handoff_store()
        ref = req.form.get("ref", "")
        if store is None or not ref or not store.mark_done(ref, trainer_of(req)):
            return failed(req, "/messages", "Not marked: that message is gone or already done.")
        audit.record(trainer_of(req), "message done", None)
        return back("/messages", "message_done")

