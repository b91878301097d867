"""`make test-containers`: the images and the compose layout for real (deploy/containers, docs/containers.md).

Builds the seven images with scripts/containers.sh (podman), brings the layout up on free 127.0.0.1 ports
under a project name of its own, chats through nginx to a recommendation, kills the replica serving the
conversation and carries on with the other, restarts the PostgreSQL container and carries on, compares
what was said with what PostgreSQL holds, checks the images (non-root, labels, HEALTHCHECK, no secret),
then brings it down and checks that nothing it made is left: containers, volumes, the network, the images
it built (unless ADVISOR_KEEP_IMAGES=1), ip_forward and the firewall chains podman's network added.

Run by scripts/test-containers.sh, which skips it (with the reason) where podman cannot run. Figures
(build time, image sizes, time from `up` to the first answer, the failover) are printed and written to
reports/containers/figures.json.
"""
from __future__ import annotations

import json
import os
import secrets
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set, Tuple

import pytest
import requests

from tests.support.stack import ROOT, free_port, texts

CONTAINERS = ROOT / "scripts" / "containers.sh"
REPORT = ROOT / "reports" / "containers"
UID = 10001  # the user every image runs as; the secret files are its own
ENV = dict(os.environ, CONTAINERS_CONF=os.environ.get("CONTAINERS_CONF") or str(ROOT / "deploy/containers/containers.conf"))
APP_IMAGES = ("rasa", "actions", "workbench", "page")
SERVICE_IMAGES = ("postgres", "redis", "nginx")
ANSWERS = {"current_role": "i'm a backend developer", "preferred_focus": "I'd love deciding what we build and why",
           "leads_transformation": "no"}
FIGURES: Dict[str, Any] = {}

if not shutil.which("podman") or not shutil.which("podman-compose"):
    pytest.skip("podman and podman-compose are not installed (scripts/test-containers.sh installs them as root)",
                allow_module_level=True)


def podman(*args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(["podman", *args], env=ENV, capture_output=True, text=True, check=check, timeout=timeout)


def lines(*args: str) -> Set[str]:
    return {ln for ln in podman(*args).stdout.split() if ln}


def ip_forward() -> str:
    return Path("/proc/sys/net/ipv4/ip_forward").read_text().strip()


def firewall_chains() -> Set[Tuple[str, str, str]]:
    """(tool, table, chain) of every chain, where iptables can be read (as root)."""
    found: Set[Tuple[str, str, str]] = set()
    for tool in ("iptables", "ip6tables"):
        if not shutil.which(tool) or os.geteuid() != 0:
            continue
        for table in ("filter", "nat"):
            out = subprocess.run([tool, "-t", table, "-S"], capture_output=True, text=True).stdout
            found |= {(tool, table, ln.split()[1]) for ln in out.splitlines() if ln.startswith("-N ")}
    return found


def remove_chains(chains: Set[Tuple[str, str, str]]) -> None:
    """Removes chains podman's network added (only those named by netavark or CNI): the rules elsewhere that
    jump to them, then their rules, then the chains."""
    ours = {c for c in chains if c[2].startswith(("NETAVARK", "CNI-"))}
    names = {c[2] for c in ours}
    for tool, table in {(c[0], c[1]) for c in ours}:
        for rule in subprocess.run([tool, "-t", table, "-S"], capture_output=True, text=True).stdout.splitlines():
            words = shlex.split(rule)  # comments are quoted
            if words[:1] == ["-A"] and words[1] not in names and "-j" in words and words[words.index("-j") + 1] in names:
                subprocess.run([tool, "-t", table, "-D", *words[1:]], capture_output=True)
    for flag in ("-F", "-X"):
        for tool, table, chain in ours:
            subprocess.run([tool, "-t", table, flag, chain], capture_output=True)


class Layout:
    def __init__(self) -> None:
        self.project = f"advisortest{uuid.uuid4().hex[:8]}"
        self.tag = f"test-{self.project[-8:]}"
        self.keep_images = os.environ.get("ADVISOR_KEEP_IMAGES") == "1"
        if os.environ.get("ADVISOR_IMAGE_TAG") and self.keep_images:
            self.tag = os.environ["ADVISOR_IMAGE_TAG"]  # reuse images built before (development only)
        self.ports = {"ADVISOR_RASA_PORT": free_port(), "ADVISOR_WEB_PORT": free_port(), "ADVISOR_WORKBENCH_PORT": free_port()}
        self.url = f"http://127.0.0.1:{self.ports['ADVISOR_RASA_PORT']}"
        REPORT.mkdir(parents=True, exist_ok=True)
        self.secrets_dir = REPORT / f"secrets-{self.project}"
        self.secrets: Dict[str, str] = {}
        self.env = dict(ENV, ADVISOR_IMAGE_TAG=self.tag, ADVISOR_SECRETS=str(self.secrets_dir),
                        ADVISOR_DEBUG_HEADERS="1", ADVISOR_CHAT_RATE="1000", ADVISOR_CHAT_BURST="1000",
                        **{k: str(v) for k, v in self.ports.items()})
        # what was there before: only what appears after is this test's to remove
        self.images_before = lines("images", "-a", "-q", "--no-trunc")
        self.forward_before = ip_forward()
        self.chains_before = firewall_chains()
        self.up_at = 0.0
        self.killed = ""  # the replica the failover test killed

    # --- podman-compose and the containers -------------------------------------------------------------
    def compose(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(["podman-compose", "-p", self.project, "-f", str(ROOT / "deploy/containers/compose.yml"), *args],
                              env=self.env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)

    def container(self, service: str) -> str:
        return f"{self.project}_{service}_1"

    def write_secrets(self) -> None:
        self.secrets_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name in ("api_token", "action_secret", "postgres_password", "redis_password", "rest_channel_key", "workbench_token"):
            value = secrets.token_urlsafe(32)
            path = self.secrets_dir / name
            path.write_text(value + "\n")
            path.chmod(0o600)
            if os.geteuid() == 0:
                os.chown(path, UID, UID)
            self.secrets[name] = value

    def build(self) -> None:
        started = time.monotonic()
        run = subprocess.run(["bash", str(CONTAINERS), "build"], env=self.env, capture_output=True, text=True, timeout=3600)
        (REPORT / "build.log").write_text(run.stdout + run.stderr)
        assert run.returncode == 0, f"the build failed (reports/containers/build.log):\n{run.stderr[-3000:]}"
        FIGURES["build_seconds"] = round(time.monotonic() - started)
        FIGURES["image_mb"] = {
            name: round(int(podman("image", "inspect", "--format", "{{.Size}}", self.image(name)).stdout) / 1e6)
            for name in (*APP_IMAGES, *SERVICE_IMAGES)}

    def image(self, name: str) -> str:
        return f"localhost/advisor-{name}:{self.tag}"

    def up(self) -> None:
        self.write_secrets()
        self.up_at = time.monotonic()
        run = self.compose("up", "-d")
        (REPORT / "up.log").write_text(run.stdout + run.stderr)
        assert run.returncode == 0, f"compose up failed (reports/containers/up.log):\n{run.stderr[-3000:]}"

    def healthy(self, service: str) -> bool:
        return podman("healthcheck", "run", self.container(service), check=False, timeout=30).returncode == 0

    def address(self, service: str) -> str:
        """The container's address on the layout's network."""
        return podman("inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}",
                      self.container(service)).stdout.split()[0]

    def nginx_addresses(self) -> str:
        """What nginx's watch loop last resolved: `rasa-1=<address> rasa-2=<address> `."""
        return podman("exec", self.container("nginx"), "cat", "/var/lib/advisor-nginx/addresses", check=False).stdout

    def nginx_diagnosis(self) -> str:
        upstreams = podman("exec", self.container("nginx"), "grep", "-E", "server [0-9.]+:",
                           "/var/lib/advisor-nginx/nginx.conf", check=False).stdout
        return (f"nginx's watch loop resolved: {self.nginx_addresses()!r}\n"
                f"the replicas are at: {', '.join(f'{s}={self.address(s)}' for s in ('rasa-1', 'rasa-2'))}\n"
                f"nginx's upstreams:\n{upstreams}--- nginx's log:\n"
                + podman("logs", "--tail", "30", self.container("nginx"), check=False).stderr[-2500:])

    def wait_healthy(self, services: List[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        waiting = list(services)
        while waiting and time.monotonic() < deadline:
            waiting = [s for s in waiting if not self.healthy(s)]
            if waiting:
                time.sleep(2)
        assert not waiting, f"not healthy after {timeout:.0f} s: {waiting}\n" + "\n".join(
            f"--- {s}:\n{podman('logs', '--tail', '30', self.container(s), check=False).stderr[-2500:]}" for s in waiting)

    def say(self, sender: str, text: str, timeout: float = 90) -> Tuple[str, str]:
        """(the bot's texts, the replica that answered: r1 / r2) through nginx."""
        r = requests.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout,
                          headers={"Authorization": f"Bearer {self.secrets['rest_channel_key']}"})
        assert r.status_code == 200, (r.status_code, r.text[:300])
        return texts(r.json()), r.headers.get("X-Advisor-Replica", "")

    def tracker(self, sender: str) -> Dict[str, Any]:
        """The conversation's tracker through nginx. A 502 or 503 is retried (at most 3 times, a second apart), as
        any client of the cluster does (bench/failure.py): right after a replica dies, nginx may answer a request it
        could not deliver with 502 before it has marked that replica down; reading a tracker is safe to repeat."""
        for attempt in range(4):
            r = requests.get(f"{self.url}/conversations/rest:{sender}/tracker",
                             headers={"Authorization": f"Bearer {self.secrets['api_token']}"}, timeout=60)
            if r.status_code not in (502, 503) or attempt == 3:
                break
            FIGURES["tracker_retried"] = int(FIGURES.get("tracker_retried", 0)) + 1
            time.sleep(1)
        r.raise_for_status()
        return r.json()

    def stored_events(self, sender: str) -> List[Tuple[str, str]]:
        """(type, text) of the conversation's events in PostgreSQL, in order, read inside its container."""
        sql = ("SELECT coalesce(json_agg(json_build_array(type_name, data::json->>'text') ORDER BY id), '[]') "
               "FROM events WHERE sender_id = 'rest:' || :'s';\n")  # one line of JSON: texts hold newlines
        run = subprocess.run(["podman", "exec", "-i", self.container("postgres"), "psql", "-h", "/tmp", "-U", "postgres",
                              "-d", "advisor", "-At", "-v", f"s={sender}", "-f", "-"],
                             input=sql, env=ENV, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        return [(kind, text or "") for kind, text in json.loads(run.stdout)]

    # --- down, and what must be left ------------------------------------------------------------------
    def down(self) -> List[str]:
        problems: List[str] = []
        run = self.compose("down", "-v", timeout=300)
        (REPORT / "down.log").write_text(run.stdout + run.stderr)
        label = f"label=io.podman.compose.project={self.project}"
        for cid in lines("ps", "-a", "-q", "--filter", label):
            problems.append(f"container {cid} left by down")
            podman("rm", "-f", cid, check=False)
        for vol in lines("volume", "ls", "-q", "--filter", label):
            problems.append(f"volume {vol} left by down")
            podman("volume", "rm", "-f", vol, check=False)
        networks = lines("network", "ls", "--format", "{{.Name}}")
        for net in lines("network", "ls", "-q", "--filter", label) | ({f"{self.project}_default"} & networks):
            podman("network", "rm", "-f", net, check=False)  # podman-compose 1.0.3's down leaves it
        if not self.keep_images:
            for name in (*APP_IMAGES, *SERVICE_IMAGES):
                podman("rmi", "-f", self.image(name), check=False)
            for _ in range(3):  # the build's intermediate images, children before parents
                new = lines("images", "-a", "-q", "--no-trunc") - self.images_before
                if not new:
                    break
                for image in new:
                    podman("rmi", "-f", image, check=False)
            left = lines("images", "-a", "-q", "--no-trunc") - self.images_before
            if left:
                problems.append(f"images left: {sorted(left)}")
        if ip_forward() != self.forward_before:
            Path("/proc/sys/net/ipv4/ip_forward").write_text(self.forward_before)
        remove_chains(firewall_chains() - self.chains_before)
        if firewall_chains() - self.chains_before:
            problems.append(f"firewall chains left: {sorted(firewall_chains() - self.chains_before)}")
        if ip_forward() != self.forward_before:
            problems.append("net.ipv4.ip_forward could not be restored")
        shutil.rmtree(self.secrets_dir, ignore_errors=True)
        return problems


@pytest.fixture(scope="module")
def layout() -> Iterator[Layout]:
    lay = Layout()
    problems: List[str] = []
    try:
        if not (os.environ.get("ADVISOR_IMAGE_TAG") and lay.keep_images):
            lay.build()
        lay.up()
        lay.wait_healthy(["postgres", "redis", "actions", "nginx", "page"], timeout=180)
        yield lay
    finally:
        problems = lay.down()
        REPORT.mkdir(parents=True, exist_ok=True)
        (REPORT / "figures.json").write_text(json.dumps(FIGURES, indent=1) + "\n")
        print(f"\n[test-containers] figures: {json.dumps(FIGURES)}")
    assert not problems, f"left behind (now removed): {problems}"


def _first_answer(layout: Layout, timeout: float = 900) -> str:
    """Waits until a message through nginx is answered; records the time from `up`."""
    deadline = time.monotonic() + timeout
    sender = f"first-{uuid.uuid4().hex[:8]}"
    while time.monotonic() < deadline:
        try:
            reply, _ = layout.say(sender, "hi", timeout=30)
            if reply:
                FIGURES.setdefault("up_to_first_answer_seconds", round(time.monotonic() - layout.up_at))
                return reply
        except (requests.RequestException, AssertionError):
            pass
        time.sleep(2)
    raise AssertionError(f"no answer through nginx within {timeout:.0f} s of up:\n"
                         + podman("logs", "--tail", "40", layout.container("rasa-1"), check=False).stderr[-3000:])


def test_the_layout_answers_through_nginx(layout: Layout) -> None:
    assert _first_answer(layout)
    layout.wait_healthy(["rasa-1", "rasa-2", "workbench"], timeout=600)
    FIGURES["up_to_all_healthy_seconds"] = round(time.monotonic() - layout.up_at)


def test_a_conversation_survives_a_replica_kill_and_a_postgres_restart(layout: Layout) -> None:
    _first_answer(layout)
    layout.wait_healthy(["rasa-1", "rasa-2"], timeout=600)
    sender = f"ctr-{uuid.uuid4().hex[:10]}"
    said: List[str] = []

    def say(text: str) -> Tuple[str, str]:
        said.append(text)
        return layout.say(sender, text)

    reply, replica = say("which certification should I take?")
    assert reply and replica in ("r1", "r2"), (reply, replica)
    FIGURES["conversation_replica"] = replica
    # the first form answer, then the replica holding the conversation is killed
    slot = layout.tracker(sender)["slots"]["requested_slot"]
    reply, again = say(ANSWERS[slot])
    assert again == replica, "nginx moved a conversation between replicas while both were up"
    victim = layout.container(f"rasa-{replica[1]}")
    podman("kill", victim)
    layout.killed = f"rasa-{replica[1]}"
    killed_at = time.monotonic()
    slot = layout.tracker(sender)["slots"]["requested_slot"]
    FIGURES["tracker_after_kill_seconds"] = round(time.monotonic() - killed_at, 1)
    asked_at = time.monotonic()
    reply, other = say(ANSWERS[slot])
    FIGURES["answer_after_kill_seconds"] = round(time.monotonic() - asked_at, 1)
    assert reply and other != replica and other in ("r1", "r2"), (reply, other)
    FIGURES["failover_to"] = other

    # PostgreSQL restarts (the volume keeps the data); the conversation carries on where it was
    restarted_at = time.monotonic()
    podman("restart", layout.container("postgres"), timeout=120)
    layout.wait_healthy(["postgres"], timeout=120)
    for _ in range(60):  # the replica's pool reconnects on the next request; /ready says when it can
        if layout.healthy(f"rasa-{other[1]}"):
            break
        time.sleep(1)
    tracker = layout.tracker(sender)
    while not tracker["slots"].get("recommendation"):
        assert len(said) < 8, f"no recommendation after {said}"
        reply, by = say(ANSWERS[tracker["slots"]["requested_slot"]])
        tracker = layout.tracker(sender)
    FIGURES["answer_after_postgres_restart_seconds"] = round(time.monotonic() - restarted_at, 1)
    assert tracker["slots"]["recommendation"] == "cspo", tracker["slots"]
    assert "recommendation" in reply.lower() or "cspo" in reply.lower(), reply

    # nothing lost: every message said is in the tracker and in PostgreSQL, once, in order, and PostgreSQL
    # holds exactly the tracker's events
    events = tracker["events"]
    user_texts = [e.get("text") for e in events if e["event"] == "user"]
    assert user_texts == said, (user_texts, said)
    stored = layout.stored_events(sender)
    assert [t for t, _ in stored] == [e["event"] for e in events], "PostgreSQL does not hold the tracker's events"
    assert [txt for t, txt in stored if t == "user"] == said
    FIGURES["events_compared"] = len(stored)
    FIGURES["messages_said"] = len(said)


def test_the_killed_replica_comes_back_into_rotation(layout: Layout) -> None:
    """Started again (podman's restart policy leaves a container stopped by `podman kill` alone, as an
    operator's stop), the killed replica loads the model, and nginx sends conversations to it again."""
    if layout.killed:
        podman("start", layout.container(layout.killed))
        restarted = time.monotonic()
        layout.wait_healthy([layout.killed], timeout=600)
        FIGURES["killed_replica_ready_again_seconds"] = round(time.monotonic() - restarted)
        # podman gives a started container a new address; nginx's watch loop (service-entrypoint) looks the
        # names up every 2 s and reloads with it. Until then nginx still knows the dead address.
        address = layout.address(layout.killed)
        # the replica wrote its new address into the volume it shares with nginx (entrypoint.sh), which nginx's
        # watch loop reads before it asks the DNS service
        written = podman("exec", layout.container("nginx"), "cat",
                         f"/var/lib/advisor-replicas/{5010 + int(layout.killed.split('-')[1])}", check=False).stdout.strip()
        assert written == address, (written, address)
        followed = False
        for _ in range(30):
            followed = f"{layout.killed}={address} " in layout.nginx_addresses()
            if followed:
                break
            time.sleep(1)
        assert followed, (f"nginx does not know {layout.killed}'s new address {address} "
                          f"{time.monotonic() - restarted:.0f} s after its start\n" + layout.nginx_diagnosis())
        FIGURES["nginx_followed_seconds"] = round(time.monotonic() - restarted)
    layout.wait_healthy(["rasa-1", "rasa-2"], timeout=600)
    seen: Dict[str, str] = {}
    for n in range(16):
        sender = f"back-{n}-{uuid.uuid4().hex[:6]}"
        reply, replica = layout.say(sender, "what is CSPO?")
        assert reply, sender
        seen[sender] = replica
    assert set(seen.values()) == {"r1", "r2"}, f"{seen}\n" + layout.nginx_diagnosis()


def test_the_page_and_the_workbench(layout: Layout) -> None:
    page = requests.get(f"http://127.0.0.1:{layout.ports['ADVISOR_WEB_PORT']}/config.js", timeout=10)
    assert page.status_code == 200 and layout.url in page.text
    vendor = requests.get(f"http://127.0.0.1:{layout.ports['ADVISOR_WEB_PORT']}/vendor/purify.min.js", timeout=10)
    assert vendor.status_code == 200 and len(vendor.content) > 10_000
    wb = f"http://127.0.0.1:{layout.ports['ADVISOR_WORKBENCH_PORT']}"
    assert requests.get(f"{wb}/health", timeout=10).status_code == 200
    anonymous = requests.get(f"{wb}/", timeout=10, allow_redirects=False)
    assert anonymous.status_code in (302, 303, 401), anonymous.status_code
    bearer = {"Authorization": f"Bearer {layout.secrets['workbench_token']}"}
    signed = requests.get(f"{wb}/", timeout=30, headers=bearer)
    assert signed.status_code == 200 and "/login" not in signed.url, (signed.status_code, signed.url, signed.text[:300])
    wrong = requests.get(f"{wb}/", timeout=30, headers={"Authorization": "Bearer not-the-token-at-all"})
    assert wrong.status_code == 401 or wrong.url.endswith("/login"), (wrong.status_code, wrong.url)


def test_images_run_as_a_user_with_labels_healthchecks_and_no_secret(layout: Layout) -> None:
    for name in (*APP_IMAGES, *SERVICE_IMAGES):
        info = json.loads(podman("image", "inspect", layout.image(name)).stdout)[0]
        config = info["Config"]
        assert config.get("User", "") not in ("", "0", "root") and not config["User"].startswith("0:"), (name, config.get("User"))
        assert (info.get("Healthcheck") or {}).get("Test", [""])[0] == "CMD", f"{name}: no HEALTHCHECK"
        blob = json.dumps(info)
        assert not any(v in blob for v in layout.secrets.values()), f"{name}: a secret in the image's configuration"
    labels = json.loads(podman("image", "inspect", layout.image("rasa")).stdout)[0]["Config"]["Labels"]
    assert labels["org.opencontainers.image.version"] and labels["io.github.advisor.model-id"].startswith("advisor-")
    # published ports: only nginx, the page and the workbench, only on 127.0.0.1
    published: List[str] = []
    for service in ("postgres", "redis", "actions", "rasa-1", "rasa-2", "nginx", "page", "workbench"):
        published += [p for p in podman("port", layout.container(service), check=False).stdout.splitlines() if p]
        info = json.loads(podman("container", "inspect", layout.container(service)).stdout)[0]
        assert not any(v in json.dumps(info) for v in layout.secrets.values()), f"{service}: a secret in its configuration"
    assert len(published) == 3 and all("127.0.0.1:" in p for p in published), published


def test_every_process_runs_as_the_unprivileged_user(layout: Layout) -> None:
    """`podman top` prints "?" as the user of a process that ended while it was read (nginx's
    entrypoint re-resolves the replicas every few seconds with short-lived `timeout`/`awk`): such
    a sample is read again; any other user than UID fails at once."""
    for service in ("rasa-1", "rasa-2", "actions", "workbench", "postgres", "redis", "nginx", "page"):
        for _ in range(10):
            run = podman("top", layout.container(service), "huser", "comm", check=False)
            rows = [ln.split() for ln in run.stdout.splitlines()[1:] if ln.strip()]
            assert rows, (service, run.stdout, run.stderr)
            assert all(r[0] in (str(UID), "?") for r in rows), (service, run.stdout, run.stderr)
            if all(r[0] == str(UID) for r in rows):
                break
            time.sleep(0.3)
        else:
            raise AssertionError((service, "a process read as '?' ten times", run.stdout))


def test_figures(layout: Layout) -> None:
    """Not a check: the figures the report needs (printed, and in reports/containers/figures.json)."""
    FIGURES["tag"] = layout.tag
    stats = podman("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}", check=False).stdout
    FIGURES["memory"] = [ln for ln in stats.splitlines() if layout.project in ln]
    assert FIGURES.get("up_to_first_answer_seconds") is not None
