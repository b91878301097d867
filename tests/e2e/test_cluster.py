"""`make run-cluster` for real: scripts/cluster.sh on free ports starts PostgreSQL, Redis (Debian
packages, data under the test's directory), one action server, two Rasa replicas and nginx; the
tests talk to the replicas directly and through nginx, kill a replica (its supervisor restarts it) and
restart PostgreSQL; nothing the cluster writes is readable by others, no API token reaches nginx's logs.

Runs whenever the Debian packages are installed or can be installed; skipped only where there is
no apt-get to install them with."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import time
import uuid
from pathlib import Path
from typing import Callable, Dict, Iterator, List

import pytest
import requests

from tests.support import lockrace
from tests.support.scripts import Client, ScriptRun
from tests.support.stack import ROOT, free_port, texts, two_free_ports

WORKDIR = ROOT / "reports" / "e2e" / "cluster"
SERVICES = ROOT / "scripts" / "services.sh"
TOKEN = uuid.uuid4().hex


def _installed() -> bool:
    postgres = list(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    return all(shutil.which(b) for b in ("redis-server", "nginx")) and bool(postgres)


if not _installed() and not shutil.which("apt-get"):
    pytest.skip("PostgreSQL, Redis and nginx are not installed and there is no apt-get to install them",
                allow_module_level=True)


class Cluster:
    def __init__(self, workdir: Path = WORKDIR) -> None:
        if workdir.exists():
            shutil.rmtree(workdir)
        self.dir = workdir / "state"
        self.replica_base = two_free_ports()
        self.env = dict(os.environ, RASA_PORT=str(free_port()), ACTION_PORT=str(free_port()), WEB_PORT=str(free_port()),
                        CLUSTER_REPLICA_BASE_PORT=str(self.replica_base), CLUSTER_PG_PORT=str(free_port()),
                        CLUSTER_REDIS_PORT=str(free_port()), CLUSTER_DIR=str(self.dir), RASA_AUTH_TOKEN=TOKEN,
                        CLUSTER_DEBUG_HEADERS="1",  # X-Advisor-Replica: r1 / r2
                        # every request of these tests comes from 127.0.0.1: nginx's per-address chat limit is
                        # raised here (tests/e2e/test_nginx_edge.py checks it)
                        CLUSTER_CHAT_RATE="1000", CLUSTER_CHAT_BURST="1000")
        for name in ("POSTGRES_HOST", "REDIS_HOST", "CLUSTER_REPLICAS"):
            self.env.pop(name, None)
        # someone is on duty, whatever the time of day (docs/handoff.md)
        workdir.mkdir(parents=True, exist_ok=True)
        handoff = workdir / "handoff.yml"
        handoff.write_text('on_duty: "on"\ntimezone: UTC\nhours: {}\nsweep_seconds: 2\n'
                           "timeouts: {waiting: 600, user_idle: 600, trainer_gone: 600}\n")
        self.env["ADVISOR_HANDOFF_FILE"] = str(handoff)
        # stopped, it must leave nothing running that names or runs in WORKDIR (ScriptRun.stop checks)
        self.run = ScriptRun(["bash", "scripts/cluster.sh"], self.env, workdir / "cluster.log", dirs=[workdir])
        self.balancer = Client(f"http://127.0.0.1:{self.env['RASA_PORT']}", TOKEN)

    def start(self) -> "Cluster":
        self.run.start(lambda: (self.dir / "pids" / "ready").exists(), timeout=900)
        return self

    def replica(self, i: int) -> Client:
        return Client(f"http://127.0.0.1:{self.replica_base + i - 1}", TOKEN)

    def replica_pid(self, i: int) -> int:
        """The Rasa server's own pid (rasa-<i>.pid is its supervisor's)."""
        return int((self.dir / "pids" / f"rasa-{i}.server").read_text())

    def postgres(self, action: str) -> None:
        subprocess.run([str(SERVICES), action, "postgres", "--port", self.env["CLUSTER_PG_PORT"], "--dir",
                        str(self.dir / "postgres")], check=True, capture_output=True, timeout=120)

    def stored_events(self, sender: str) -> List[Dict[str, str]]:
        import psycopg2  # the driver Rasa's SQL tracker store uses

        conn = psycopg2.connect(host="127.0.0.1", port=int(self.env["CLUSTER_PG_PORT"]), dbname="advisor", user="advisor",
                                password=(self.dir / "postgres" / "password").read_text().strip())
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT type_name, data FROM events WHERE sender_id LIKE %s ORDER BY id", (f"%{sender}",))
                return [{"type": t, "data": d} for t, d in cur.fetchall()]
        finally:
            conn.close()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    c = Cluster()
    try:
        yield c.start()
    finally:
        # Ctrl-C and a second signal 2 s later, while the script is still stopping the replicas: it must
        # still stop everything (a second signal used to cut its clean-up short and leave PostgreSQL,
        # Redis, nginx, the action server and a replica running); ScriptRun.stop fails the test if not.
        c.run.stop(impatient=True)


ANSWERS = {"current_role": "i'm a backend developer", "preferred_focus": "I'd love deciding what we build and why",
           "leads_transformation": "no"}


def _answer_form(bots: List[Client], sender: str) -> str:
    """Drives the recommendation form, one message per bot in turn; returns the last reply."""
    turn = 0
    last = texts(bots[turn % len(bots)].say(sender, "which certification should I take?"))
    for _ in range(4):
        turn += 1
        tracker = bots[turn % len(bots)].tracker(sender)
        if tracker["slots"].get("recommendation"):
            break
        slot = tracker["slots"]["requested_slot"]
        last = texts(bots[turn % len(bots)].say(sender, ANSWERS[slot]))
    return last


def _assert_all_stored(cluster: Cluster, bot: Client, sender: str) -> None:
    events = bot.tracker(sender)["events"]
    stored = cluster.stored_events(sender)
    assert [e["event"] for e in events] == [s["type"] for s in stored], "PostgreSQL does not hold the conversation's events"


def test_a_conversation_alternating_between_replicas_reaches_a_recommendation(cluster: Cluster) -> None:
    sender = f"alt-{uuid.uuid4().hex[:10]}"
    last = _answer_form([cluster.replica(1), cluster.replica(2)], sender)
    assert cluster.replica(1).slot(sender, "recommendation") == "cspo", last
    assert "recommendation" in last.lower()
    _assert_all_stored(cluster, cluster.replica(2), sender)


def test_simultaneous_messages_to_one_conversation_are_processed_in_turn(cluster: Cluster) -> None:
    result = lockrace.measure(cluster.balancer.rasa_url, cluster.balancer.rasa_url, pairs=6, token=TOKEN,
                              tracker=cluster.balancer.tracker)
    assert result.races == 0, result.examples
    # nginx pins each conversation to one replica, and spreads the conversations over both.
    assert sum(result.replicas.values()) == 12


def _handoff(bot: Client, operation: str, cid: str, trainer: str, **extra: str) -> requests.Response:
    return requests.post(f"{bot.rasa_url}/handoff/{operation}", json={"conversation_id": cid, "trainer": trainer, **extra},
                         headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)


def test_a_handoff_across_replicas(cluster: Cluster) -> None:
    """Asked on one replica, taken by four trainers at once through the balancer (which sends a conversation's
    handoff calls where its messages go: one wins), claimed again on the other replica (refused: the claim is
    in PostgreSQL), answered and handed back through either; the user's REST requests alternate between the
    replicas (docs/handoff.md)."""
    from concurrent.futures import ThreadPoolExecutor

    r1, r2, lb = cluster.replica(1), cluster.replica(2), cluster.balancer
    sender = f"handoff-{uuid.uuid4().hex[:10]}"
    cid = f"rest:{sender}"
    r1.say(sender, "I'm a product manager")
    assert "asked a trainer" in texts(r2.say(sender, "can I talk to a real person?"))
    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(lambda name: _handoff(lb, "take", cid, name).status_code, ["A", "B", "C", "D"]))
    assert sorted(codes) == [200, 409, 409, 409], codes
    holder = r1.slot(sender, "handoff_trainer")
    assert _handoff(r1, "take", cid, "E").status_code == 409 and _handoff(r2, "take", cid, "F").status_code == 409
    assert _handoff(r2, "say", cid, holder, text="Hello from replica two").status_code == 200
    reply = texts(r1.say(sender, "hi, is someone there?"))
    assert "Hello from replica two" in reply and "from the team has joined" in reply
    assert texts(r2.say(sender, "great")) == ""  # the bot is silent on the other replica too
    assert _handoff(r1, "release", cid, holder).status_code == 200
    reply = texts(r2.say(sender, "what does a scrum master do?"))
    assert "back with me, the bot" in reply and "Scrum Master" in reply
    assert r2.slot(sender, "current_role") == "product_manager"
    kinds = [e["type"] for e in cluster.stored_events(sender)]
    assert "pause" in kinds and "resume" in kinds
    _assert_all_stored(cluster, r1, sender)


def test_the_balancer_sends_one_conversation_to_one_replica(cluster: Cluster) -> None:
    seen: Dict[str, set] = {}
    for n in range(16):  # with 8, all on one replica by chance once in 128 runs (seen once); with 16, 1 in 32,768
        sender = f"pin-{n}-{uuid.uuid4().hex[:6]}"
        for text in ("hi", "what is CSPO?"):
            r = requests.post(f"{cluster.balancer.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                              timeout=60)
            assert r.status_code == 200 and r.json(), r.text
            seen.setdefault(sender, set()).add(r.headers["X-Advisor-Replica"])
    assert all(len(replicas) == 1 for replicas in seen.values()), seen
    assert len(set().union(*seen.values())) == 2, f"every conversation went to the same replica: {seen}"


def test_the_advisor_answers_again_after_postgresql_restarts(cluster: Cluster) -> None:
    bot = cluster.balancer
    sender = f"pg-{uuid.uuid4().hex[:10]}"
    bot.say(sender, "which certification should I take?")
    ready = f"{cluster.replica(1).rasa_url}/ready"
    assert requests.get(ready, timeout=10).status_code == 200
    cluster.postgres("stop")
    try:
        r = requests.get(ready, timeout=10)  # advisor/operations.py: the tracker store is checked
        assert r.status_code == 503 and r.json()["checks"]["tracker_store"] != "ok", r.text
        assert r.json()["checks"]["model"] == "ok" and r.json()["checks"]["lock_store"] == "ok", r.text
    finally:
        cluster.postgres("start")
    assert requests.get(ready, timeout=10).status_code == 200
    reply = texts(bot.say(sender, ANSWERS["current_role"]))
    assert bot.slot(sender, "current_role") == "developer", reply
    assert bot.slot(sender, "requested_slot") == "preferred_focus", reply
    _assert_all_stored(cluster, bot, sender)


def _until(condition: Callable[[], bool], seconds: float, what: str) -> float:
    start = time.time()
    while not condition():
        assert time.time() - start < seconds, f"not within {seconds} s: {what}"
        time.sleep(0.5)
    return time.time() - start


def test_a_replica_that_is_not_ready_is_taken_out_of_nginx_and_put_back(cluster: Cluster) -> None:
    """A replica that accepts connections but does not answer (SIGSTOP: as a hung process) is not seen by
    nginx's own checks; the readiness loop of scripts/cluster.sh marks it down within seconds, and its
    conversations are answered by the other replica; back in rotation once it answers /ready again."""
    conf = cluster.dir / "nginx.conf"
    port = cluster.replica_base  # replica 1
    pinned = []
    for n in range(24):
        sender = f"hung-{n}-{uuid.uuid4().hex[:6]}"
        r = requests.post(f"{cluster.balancer.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": "hi"},
                          timeout=60)
        if r.headers["X-Advisor-Replica"] == "r1":
            pinned.append(sender)
    assert pinned, "no conversation went to replica 1"
    pid = cluster.replica_pid(1)
    answered: Dict[str, str] = {}

    def answered_by_the_other() -> bool:  # what a user whose conversation lives on replica 1 sees
        try:
            r = requests.post(f"{cluster.balancer.rasa_url}/webhooks/rest/webhook",
                              json={"sender": pinned[0], "message": "what is CSPO?"}, timeout=5)
        except requests.RequestException:
            return False
        answered.update(replica=r.headers.get("X-Advisor-Replica", ""), text=texts(r.json()) if r.ok else r.text)
        return r.ok and answered["replica"] == "r2"

    os.kill(pid, signal.SIGSTOP)
    try:
        took = _until(answered_by_the_other, 30, "the hung replica's conversation answered by the other one")
        assert "CSPO" in answered["text"], answered
        assert f"127.0.0.1:{port} max_fails=1 fail_timeout=5s down;" in conf.read_text()
        assert "replica(s) 1 not ready" in (WORKDIR / "cluster.log").read_text(errors="replace")
    finally:
        os.kill(pid, signal.SIGCONT)
    def home_again() -> bool:  # nginx reloads after the conf is written: ask until the answer comes from r1
        r = requests.post(f"{cluster.balancer.rasa_url}/webhooks/rest/webhook",
                          json={"sender": pinned[0], "message": "what is CSM?"}, timeout=60)
        return r.status_code == 200 and r.headers["X-Advisor-Replica"] == "r1"

    _until(home_again, 30, "the conversation goes home to replica 1 once it is ready again")
    assert " down;" not in conf.read_text()
    print(f"a conversation of the hung replica answered by the other {took:.1f} s after it hung")


def test_prometheus_configuration_scrapes_every_server_with_its_credentials(cluster: Cluster) -> None:
    """make run-cluster writes Prometheus's configuration (and starts it when installed): every replica and
    the action server, each /metrics answering with the credential the configuration names."""
    import yaml

    from tests.support.scrape import parse, total

    config = yaml.safe_load((cluster.dir / "prometheus" / "prometheus.yml").read_text())
    jobs = {j["job_name"]: j for j in config["scrape_configs"]}
    replicas = jobs["advisor-rasa"]["static_configs"][0]["targets"]
    assert replicas == [f"127.0.0.1:{cluster.replica_base}", f"127.0.0.1:{cluster.replica_base + 1}"]
    assert jobs["advisor-actions"]["static_configs"][0]["targets"] == [f"127.0.0.1:{cluster.env['ACTION_PORT']}"]
    for job in jobs.values():
        credential = Path(job["authorization"]["credentials_file"]).read_text().strip()
        for target in job["static_configs"][0]["targets"]:
            url = f"http://{target}{job['metrics_path']}"
            assert requests.get(url, timeout=10).status_code == 401, url
            r = requests.get(url, headers={"Authorization": f"Bearer {credential}"}, timeout=10)
            assert r.status_code == 200, url
            assert total(parse(r.text), "process_resident_memory_bytes") > 0
    web = yaml.safe_load((cluster.dir / "prometheus" / "web.yml").read_text())
    assert web["basic_auth_users"]["advisor"].startswith("$2"), "Prometheus's own page has a password (bcrypt)"


def test_personal_data_stays_out_of_postgresql_and_forget_me_erases_the_conversation(cluster: Cluster) -> None:
    """Issue 22 in the production layout: through the balancer, an e-mail address and a phone number reach
    neither PostgreSQL nor a replica's log; "forget me", confirmed, leaves no row of the conversation."""
    bot = cluster.balancer
    sender = f"privacy-{uuid.uuid4().hex[:10]}"
    bot.say(sender, "what is the CSM?")
    bot.say(sender, "I'm anna.schmidt@example.com, call me on +49 151 2345678")
    stored = json.dumps(cluster.stored_events(sender))
    assert "I'm [email], call me on [phone]" in stored
    logs = "\n".join(p.read_text(errors="replace") for p in cluster.dir.rglob("*.log"))
    for value in ("anna.schmidt", "example.com", "151 2345678", "2345678"):
        assert value not in stored and value not in logs, value
    assert "Delete it now?" in texts(bot.say(sender, "please delete my data"))
    assert "this conversation is deleted" in texts(bot.say(sender, "yes"))
    assert cluster.stored_events(sender) == [], "the conversation is still in PostgreSQL"
    bot.say(sender, "hi")
    assert [e["text"] for e in bot.tracker(sender)["events"] if e["event"] == "user"] == ["hi"]
    erased = "\n".join(p.read_text(errors="replace") for p in cluster.dir.rglob("*.log"))
    assert "erased on the user's request" in erased and "what is the CSM" not in erased


def _wait_refused(port: int) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return
        time.sleep(0.05)
    raise AssertionError(f"port {port} still accepts connections after the replica was killed")


KILLED: Dict[str, float] = {}  # the replica the test below kills; the last test checks it came back
RESTARTED_WITHIN_S = 300  # a Rasa replica starts in 30-60 s alone, slower beside the other tests


def test_killing_a_replica_mid_conversation_loses_no_event(cluster: Cluster) -> None:
    bot = cluster.balancer
    sender = f"kill-{uuid.uuid4().hex[:10]}"
    r = requests.post(f"{bot.rasa_url}/webhooks/rest/webhook",
                      json={"sender": sender, "message": "which certification should I take?"}, timeout=60)
    serving = r.headers["X-Advisor-Replica"]
    bot.say(sender, ANSWERS["current_role"])
    victim = int(serving.lstrip("r"))
    pid = cluster.replica_pid(victim)
    os.kill(pid, signal.SIGKILL)
    KILLED.update(replica=victim, pid=pid, at=time.time())
    _wait_refused(cluster.replica_base + victim - 1)  # the kernel tears a big process down in a few ms
    r = requests.post(f"{bot.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": ANSWERS["preferred_focus"]},
                      timeout=60)
    assert r.status_code == 200 and r.json(), r.text
    assert r.headers["X-Advisor-Replica"] != serving
    last = texts(bot.say(sender, ANSWERS["leads_transformation"]))
    assert bot.slot(sender, "recommendation") == "cspo", last
    assert bot.slot(sender, "current_role") == "developer"
    _assert_all_stored(cluster, bot, sender)


def test_the_web_widget_protocol_works_through_the_balancer(cluster: Cluster) -> None:
    """socket.io over long-polling (several HTTP requests per session: they must reach one replica)."""
    import asyncio

    import socketio

    async def chat() -> str:
        client = socketio.AsyncClient(reconnection=False)
        answers: asyncio.Queue = asyncio.Queue()
        confirmed: asyncio.Queue = asyncio.Queue()
        client.on("session_confirm", lambda sid: confirmed.put_nowait(sid))
        client.on("bot_uttered", lambda msg: answers.put_nowait(msg))
        await client.connect(cluster.balancer.rasa_url, transports=["polling"], socketio_path="/socket.io",
                             headers={"Origin": f"http://127.0.0.1:{cluster.env['WEB_PORT']}"})
        try:
            await client.emit("session_request", {"session_id": uuid.uuid4().hex})
            session = await asyncio.wait_for(confirmed.get(), 30)  # the id the server issues (and signs)
            for _ in range(3):  # a few polls, so that a replica switch would show
                await client.emit("user_uttered", {"message": "what is CSPO?", "session_id": session})
                msg = await asyncio.wait_for(answers.get(), 60)
            return str(msg.get("text", ""))
        finally:
            await client.disconnect()

    assert "CSPO" in asyncio.run(chat())


def test_nothing_the_cluster_writes_is_readable_by_others(cluster: Cluster) -> None:
    exposed = []
    for root, dirs, files in os.walk(cluster.dir):
        for name in [*dirs, *files]:
            path = Path(root) / name
            st = path.lstat()
            # directories: others may at most pass through (PostgreSQL's user, to reach its own); files: owner only
            if (stat.S_ISDIR(st.st_mode) and st.st_mode & 0o076) or (stat.S_ISREG(st.st_mode) and st.st_mode & 0o077):
                exposed.append(f"{oct(st.st_mode & 0o777)} {path.relative_to(cluster.dir)}")
    assert cluster.dir.stat().st_mode & 0o076 == 0
    assert not exposed, exposed


def test_no_api_token_reaches_the_balancer_logs(cluster: Cluster) -> None:
    # the tests above called the API through nginx with ?token=, with a replica down for some of them
    logs = list((cluster.dir / "nginx").glob("*.log"))
    assert logs
    for log in logs:
        text = log.read_text(errors="replace")
        assert TOKEN not in text and "token=" not in text, log.name


def test_a_killed_replica_is_restarted_by_its_supervisor_and_the_restart_is_logged(cluster: Cluster) -> None:
    if not KILLED:  # run on its own: kill one now
        pid = cluster.replica_pid(2)
        os.kill(pid, signal.SIGKILL)
        KILLED.update(replica=2, pid=pid, at=time.time())
    i, pid = int(KILLED["replica"]), int(KILLED["pid"])
    url = cluster.replica(i).rasa_url + "/"
    while not _answers(url):
        assert time.time() - KILLED["at"] < RESTARTED_WITHIN_S, f"replica {i} does not answer again"
        time.sleep(1)
    assert cluster.replica_pid(i) != pid
    log = cluster.dir / "logs" / f"rasa-{i}.log"
    crash = f"Rasa replica {i} (pid {pid}) was killed by SIGKILL"
    for _ in range(30):  # the supervisor notices the answer within a second or so
        if "answers again" in log.read_text(errors="replace"):
            break
        time.sleep(0.5)
    text = log.read_text(errors="replace")
    assert crash in text and "restarting it in 1 s" in text and f"Rasa replica {i} restarted" in text, text[-2000:]
    assert f"Rasa replica {i} answers again" in text
    assert crash in (WORKDIR / "cluster.log").read_text(errors="replace"), "the crash is reported on the terminal too"
    sender = f"back-{uuid.uuid4().hex[:10]}"
    assert "CSPO" in texts(cluster.replica(i).say(sender, "what is CSPO?"))


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False
