"""`make bench`: the advisor against a stock `rasa init` bot, in one run on one machine.

For each bot: (3) training time from scratch (empty Rasa cache), (4) time from start to first answer,
(1) sequential latency of a scripted 8-turn conversation, (2) 20 and 50 concurrent conversations
(throughput, p50/p95, errors, cross-talk), (5) peak RSS of each process; then 200 concurrent
conversations, and a soak of the advisor at half its measured capacity (BENCH_SOAK_SECONDS, default
600: RSS of each process after warm-up and at the end, errors and p95 per minute); in `make
run-cluster`'s layout, 20 and 50 conversations and failure under load (bench/failure.py: a replica
killed, PostgreSQL restarted, Redis stopped 10 s, the action server restarted, each during 50
conversations). Writes bench/results.md (a table with advisor/reference ratios, the machine, the
commit) and bench/results.json.
Both bots run side by side; each of (1) and (2) is measured for one right after the other, in alternating
order, BENCH_ROUNDS times (default 3), and the ratio is the median of the rounds' own (bench/paired.py).
Not part of `make test`: timings on a shared machine are noisy; compare ratios measured in one run.
Every server binds to 127.0.0.1 on a free port and is stopped at the end.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import paired, store_scale  # noqa: E402
from bench.load import CONCURRENT_SCRIPT, run_load, run_sequential, run_soak  # noqa: E402
from tests.support import processes  # noqa: E402
from tests.support.stack import Server, Stack, free_port  # noqa: E402

VENV_BIN = Path(sys.executable).parent
RASA = str(VENV_BIN / "rasa")


def say(text: str) -> None:
    print(f"\033[1;34m[bench]\033[0m {text}", flush=True)


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its children, in MB (Linux /proc)."""
    total = 0.0
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return round(total, 0)


def rss_by_process(server: Server) -> Dict[str, float]:
    """Peak RSS of the server's process group members that are Python processes."""
    if not server.proc:
        return {}
    out: Dict[str, float] = {}
    pgid = server.proc.pid
    listing = subprocess.run(["ps", "-o", "pid=", "-g", str(pgid)], capture_output=True, text=True).stdout.split()
    for i, p in enumerate(sorted(int(x) for x in listing)):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    out[f"pid{i}"] = round(int(line.split()[1]) / 1024, 0)
        except OSError:
            continue
    return out


def timed(cmd: List[str], cwd: Path, env: Dict[str, str], log: Path) -> float:
    start = time.perf_counter()
    with open(log, "wb") as f:
        subprocess.run(cmd, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT, check=True)
    return round(time.perf_counter() - start, 1)


def first_answer_seconds(url: str, started: float, limit: float = 600) -> float:
    while time.time() - started < limit:
        try:
            r = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": "first", "message": "hi"}, timeout=30)
            if r.status_code == 200 and r.json():
                return round(time.time() - started, 1)
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"no answer from {url} within {limit} s")


SOAK_ENV = "BENCH_SOAK_SECONDS"
DEFAULT_SOAK_SECONDS = 600
MANY = 200  # the "200 concurrent conversations" row


def _env_number(name: str, default: float, least: float, what: str, cast: Callable[[str], float] = float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = cast(raw) if raw else default
    except ValueError:
        raise SystemExit(f"{name}={raw!r}: {what}") from None
    return max(least, value)


def soak_seconds() -> float:
    return _env_number(SOAK_ENV, DEFAULT_SOAK_SECONDS, 0.0, "a number of seconds (0 skips the soak)")


ROUNDS_ENV = "BENCH_ROUNDS"
DEFAULT_ROUNDS = 3
MAIN_MEASURES = ("sequential", "concurrent_20", "concurrent_50")


def rounds_count() -> int:
    return int(_env_number(ROUNDS_ENV, DEFAULT_ROUNDS, 1, "a number of rounds (at least 1)", int))


@dataclass
class Side:
    """A running bot the bench talks to: its REST URL, the token to read trackers back, the prefix of
    its REST conversation ids (the advisor's are rest:<sender>, channels/ids.py)."""
    name: str
    url: str
    token: Optional[str] = None
    prefix: str = ""


def measure_once(side: Side, measure: str) -> Dict[str, Any]:
    if measure == "sequential":
        return run_sequential(side.url)
    n = int(measure.split("_", 1)[1])
    res = asyncio.run(run_load(side.url, n, CONCURRENT_SCRIPT, token=side.token, tracker_id=lambda s: side.prefix + s))
    return res.as_dict()


def interleaved(sides: List[Side], measures: Tuple[str, ...], rounds: int) -> Dict[str, Dict[str, List[Dict[str, Any]]]]:
    """Each measure taken for every side, one right after the other, in alternating order, `rounds`
    times (bench/paired.py): side name -> measure -> the rounds' results."""
    runs: Dict[str, Dict[str, List[Dict[str, Any]]]] = {s.name: {m: [] for m in measures} for s in sides}
    for i in range(rounds):
        for measure in measures:
            for side in paired.order(i, sides):
                label = "sequential 8-turn conversations" if measure == "sequential" else \
                    f"{measure.split('_', 1)[1]} concurrent conversations"
                say(f"round {i + 1}/{rounds}, {side.name}: {label}")
                runs[side.name][measure].append(measure_once(side, measure))
    return runs


def combined(runs: Dict[str, List[Dict[str, Any]]]) -> Dict[str, Any]:
    return {measure: paired.combine(results) for measure, results in runs.items() if results}


def train_reference(work: Path, env: Dict[str, str], model: Optional[str] = None) -> Tuple[Path, Optional[float]]:
    ref = work / "reference"
    say("reference: the `rasa init` project (Rasa's own template, copied; `rasa init` would also train it)")
    import rasa.cli

    shutil.copytree(Path(rasa.cli.__file__).parent / "initial_project", ref, ignore=shutil.ignore_patterns("__pycache__"))
    train_s: Optional[float] = None
    if model:
        (ref / "models").mkdir(parents=True, exist_ok=True)
        shutil.copy(model, ref / "models" / "ref.tar.gz")
    else:
        say("reference: training from scratch")
        train_s = timed([RASA, "train", "--out", "models", "--fixed-model-name", "ref"], ref,
                        {**env, "RASA_CACHE_DIRECTORY": str(work / "ref-cache")}, work / "ref-train.log")
    return ref, train_s


def reference_server(work: Path, ref: Path, env: Dict[str, str]) -> Tuple[Server, Side, float]:
    """Starts the stock bot (it runs until the end of the advisor's rows and the cluster's)."""
    port = free_port()
    server = Server("reference Rasa server", [RASA, "run", "--model", str(ref / "models" / "ref.tar.gz"), "--enable-api",
                                              "--interface", "127.0.0.1", "--port", str(port),
                                              "--endpoints", str(ref / "endpoints.yml"),
                                              "--credentials", str(ref / "credentials.yml")],
                    f"http://127.0.0.1:{port}/", work / "ref-rasa.log", env)
    started = time.time()
    url = f"http://127.0.0.1:{port}"
    server.start(timeout=600)
    return server, Side("reference", url), first_answer_seconds(url, started)


def advisor_stack(work: Path, workers: int) -> Stack:
    """The advisor as `make run` runs it: conversations in a SQLite tracker store (persistence/); with
    more than one Sanic worker, conversation locks in a local Redis (scripts/services.sh)."""
    tracker_env = {"ADVISOR_TRACKER_DB": str(work / "conversations.db")}
    env: Dict[str, str] = {}
    if workers > 1:
        out = subprocess.run([str(ROOT / "scripts" / "services.sh"), "start", "redis", "--port", str(free_port()),
                              "--dir", str(work / "redis")], capture_output=True, text=True, check=True).stdout
        tracker_env.update(dict(v.split("=", 1) for v in out.split()))
        env = {"SANIC_WORKERS": str(workers), **{k: v for k, v in tracker_env.items() if k.startswith("REDIS_")}}
    from channels.guard import DEFAULT_PER_ADDRESS, DEFAULT_PER_CONVERSATION  # make run's limits, not the tests'

    env.update(ADVISOR_RATE_PER_ADDRESS=DEFAULT_PER_ADDRESS, ADVISOR_RATE_PER_CONVERSATION=DEFAULT_PER_CONVERSATION)
    return Stack(work / "advisor-run", env=env, tracker_env=tracker_env)


def stop_services(work: Path) -> None:
    if (work / "redis").exists():
        subprocess.run([str(ROOT / "scripts" / "services.sh"), "stop", "redis", "--dir", str(work / "redis")],
                       capture_output=True)


def current_rss_mb(server: Server, name: str) -> Dict[str, float]:
    """Resident memory now (VmRSS, MB) of each process in the server's process group, named `name`,
    `name`-2, … in pid order (the Sanic workers of a multi-worker server)."""
    if not server.proc:
        return {}
    listing = subprocess.run(["ps", "-o", "pid=", "-g", str(server.proc.pid)], capture_output=True, text=True).stdout.split()
    out: Dict[str, float] = {}
    for i, p in enumerate(sorted(int(x) for x in listing)):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out[name if i == 0 else f"{name}-{i + 1}"] = round(int(line.split()[1]) / 1024, 1)
        except OSError:
            continue
    return out


def soak(stack: Stack, capacity: float, seconds: float) -> Dict[str, Any]:
    """Half of `capacity` (messages a second) for `seconds` s against a running advisor stack."""
    rate = max(1.0, capacity / 2)
    say(f"advisor: soak at {rate:.1f} messages/s (half of {capacity:.1f}) for {seconds:.0f} s ({SOAK_ENV})")

    def rss() -> Dict[str, float]:
        return {**current_rss_mb(stack.rasa, "rasa"), **current_rss_mb(stack.actions, "actions")}

    return run_soak(stack.rasa_url, rate, seconds, rss, tracker_id=lambda s: "rest:" + s)


def train_advisor(work: Path, env: Dict[str, str], model: Optional[str] = None) -> Tuple[str, Optional[float]]:
    if model:
        return model, None
    say("advisor: training from scratch")
    out = work / "advisor-models"
    train_s = timed([RASA, "train", "--out", str(out), "--fixed-model-name", "advisor"], ROOT,
                    {**env, "RASA_CACHE_DIRECTORY": str(work / "advisor-cache")}, work / "advisor-train.log")
    return str(out / "advisor.tar.gz"), train_s


def bench_advisor(work: Path, model: str, workers: int, ref: Optional[Side], rounds: int,
                  measures: Tuple[str, ...] = MAIN_MEASURES, many: bool = False,
                  soak_s: float = 0.0) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """The advisor with `workers` Sanic workers, each measure paired with the running stock bot `ref`
    (bench/paired.py); returns the advisor's figures (with the rounds' ratios under `paired`) and the
    stock bot's figures of the same rounds."""
    os.environ["ADVISOR_MODEL"] = model
    stack: Optional[Stack] = None
    try:
        stack = advisor_stack(work, workers)
        started = time.time()
        stack.start()
        first = first_answer_seconds(stack.rasa_url, started)
        side = Side(f"advisor ({workers} worker{'s' if workers > 1 else ''})", stack.rasa_url, stack.auth_token, "rest:")
        sides = [ref, side] if ref else [side]
        runs = interleaved(sides, measures, rounds)
        result: Dict[str, Any] = {"first_answer_s": first, **combined(runs[side.name])}
        ref_part: Dict[str, Any] = combined(runs[ref.name]) if ref else {}
        if ref:
            result["paired"] = paired.pair(runs[side.name], runs[ref.name])
        if many:
            for s in sides:  # once each: 200 conversations take a minute or two on the stock bot
                say(f"{s.name}: {MANY} concurrent conversations")
                (result if s is side else ref_part)[f"concurrent_{MANY}"] = measure_once(s, f"concurrent_{MANY}")
        result["peak_rss_mb"] = {
            "rasa": peak_rss_mb(stack.rasa.proc.pid) if stack.rasa.proc else 0,
            "actions": peak_rss_mb(stack.actions.proc.pid) if stack.actions.proc else 0,
        }
        if soak_s > 0:
            capacity = max(result["concurrent_20"]["throughput"], result["concurrent_50"]["throughput"])
            result["soak"] = soak(stack, capacity, soak_s)
        result["workers"] = str(workers)
    finally:
        if stack is not None:
            stack.stop()
        stop_services(work)
    return result, ref_part


FAILURE_ORDER = ("PostgreSQL restarted", "Redis stopped 10 s", "action server restarted", "nginx reloaded", "replica killed")


def bench_cluster(ref: Optional[Side], rounds: int, failures: bool = True) -> Dict[str, Any]:
    """`make run-cluster`'s layout (PostgreSQL, Redis, two replicas behind nginx; started as the cluster
    test starts it, on free ports) under 20 and 50 conversations through nginx, paired with the stock bot
    `ref` when it runs; then failure under load (bench/failure.py) on the same cluster, the killed replica
    last (its restart is not waited for)."""
    from bench import failure
    from tests.e2e.test_cluster import TOKEN, Cluster

    say("cluster: starting PostgreSQL, Redis, two Rasa replicas and nginx (scripts/cluster.sh)")
    cluster = Cluster()
    # every simulated conversation comes from 127.0.0.1: lift nginx's per-address chat rate for the load
    cluster.env.update(CLUSTER_CHAT_RATE="10000", CLUSTER_CHAT_BURST="10000")
    cluster.run.env.update(CLUSTER_CHAT_RATE="10000", CLUSTER_CHAT_BURST="10000")
    out: Dict[str, Any] = {}
    try:
        cluster.start()
        side = Side("cluster (through nginx)", cluster.balancer.rasa_url, TOKEN, "rest:")
        sides = [ref, side] if ref else [side]
        measures = ("concurrent_20", "concurrent_50")
        runs = interleaved(sides, measures, rounds)
        for measure in measures:
            out[measure.split("_", 1)[1]] = paired.combine(runs[side.name][measure])
        if ref:
            out["reference"] = combined(runs[ref.name])
            out["paired"] = paired.pair(runs[side.name], runs[ref.name])
        if failures:
            try:
                faults = failure.run_faults(cluster, FAILURE_ORDER, conversations=50, before=5.0, after=20.0, say=say)
                out["failures"] = [f.as_dict() for f in faults]
            except Exception as exc:  # noqa: BLE001 - the load rows still count; say why the table is missing
                say(f"failure under load stopped: {type(exc).__name__}: {exc}")
                out["failures_error"] = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        cluster.run.stop()  # raises (after stopping them) when scripts/cluster.sh left processes behind
    return out


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def machine() -> Dict[str, str]:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    except OSError:
        pass
    load = os.getloadavg()
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": mem, "python": platform.python_version(),
            "load_average_at_start": f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"}


def paired_ratio(block: Dict[str, Any], key: str, a: Any, b: Any) -> str:
    """The median of the rounds' own ratios for `key` (bench/paired.py) where the block has them, else a / b."""
    value = paired.median_ratio(block.get("paired", {}).get(key, []))
    if value is not None:
        return f"{value:.2f}"
    return ratio(float(a), float(b)) if isinstance(a, (int, float)) and isinstance(b, (int, float)) else "-"


def write_results(results: Dict[str, Any]) -> None:
    a, r = results["advisor"], results["reference"]
    rows = [
        ("Sequential p50 (ms)", "sequential.p50_ms", a["sequential"]["p50_ms"], r["sequential"]["p50_ms"]),
        ("Sequential p95 (ms)", "sequential.p95_ms", a["sequential"]["p95_ms"], r["sequential"]["p95_ms"]),
    ]
    for n in (20, 50, MANY):
        if f"concurrent_{n}" not in a or f"concurrent_{n}" not in r:
            continue
        ca, cr = a[f"concurrent_{n}"], r[f"concurrent_{n}"]
        rows += [
            (f"{n} conversations: throughput (msg/s)", f"concurrent_{n}.throughput", ca["throughput"], cr["throughput"]),
            (f"{n} conversations: p50 (ms)", f"concurrent_{n}.p50_ms", ca["p50_ms"], cr["p50_ms"]),
            (f"{n} conversations: p95 (ms)", f"concurrent_{n}.p95_ms", ca["p95_ms"], cr["p95_ms"]),
            (f"{n} conversations: errors / cross-talk", "", f"{ca['errors']} / {_crosstalk(ca)}",
             f"{cr['errors']} / {_crosstalk(cr)}"),
        ]
    rows += [
        ("Training from scratch (s)", "", a["train_s"], r["train_s"]),
        ("Start to first answer (s)", "", a["first_answer_s"], r["first_answer_s"]),
        ("Peak RSS, Rasa server (MB)", "", a["peak_rss_mb"]["rasa"], r["peak_rss_mb"]["rasa"]),
        ("Peak RSS, action server (MB)", "", a["peak_rss_mb"]["actions"], "-"),
    ]
    rounds = results.get("rounds", 1)
    lines = [
        "# Benchmark: the advisor against a stock `rasa init` bot",
        "",
        f"Commit `{results['commit']}`, {results['date']}; machine: {results['machine']['cores']} cores "
        f"({results['machine']['cpu']}), {results['machine']['memory']}, Python {results['machine']['python']}, "
        f"load average at start {results['machine']['load_average_at_start']}. "
        f"Advisor Sanic workers: {a.get('workers', '1')}. Whole run: {results['total_s']} s.",
        "",
        f"Both bots run side by side; each measure is taken for one right after the other, in alternating order, "
        f"{rounds} times ({ROUNDS_ENV}). Figures are the medians of the rounds; the ratio is the median of the "
        f"rounds' own ratios (each compares two measurements seconds apart; bench/paired.py). The 200-conversation "
        f"rows, training, start-up and memory are measured once.",
        "",
        "| measure | advisor | stock bot | advisor / stock |",
        "| --- | --- | --- | --- |",
    ]
    for label, key, va, vr in rows:
        rat = paired_ratio(a, key, va, vr) if key else (
            ratio(float(va), float(vr)) if isinstance(va, (int, float)) and isinstance(vr, (int, float)) else "-")
        lines.append(f"| {label} | {va} | {vr} | {rat} |")
    blocks: List[Tuple[str, Dict[str, Any]]] = [("advisor, `make run`'s default", a)]
    for key in ("advisor_2_workers", "advisor_1_worker"):  # the other worker count than the default's rows above
        if key not in results:
            continue
        w, count = results[key], int(results[key].get("workers", "2" if key == "advisor_2_workers" else "1"))
        what = f"{count} worker{'s' if count > 1 else ''} (`ADVISOR_WORKERS={count}`)"
        blocks.append((f"advisor with {what}", w))
        wr = w.get("reference") or r
        for n in (20, 50):
            c, cr = w[f"concurrent_{n}"], wr[f"concurrent_{n}"]
            lines.append(f"| {n} conversations, advisor with {what}: throughput (msg/s), "
                         f"p50, p95, errors/cross-talk | {c['throughput']}, {c['p50_ms']}, {c['p95_ms']}, "
                         f"{c['errors']}/{c['crosstalk']} | {cr['throughput']} | "
                         f"{paired_ratio(w, f'concurrent_{n}.throughput', c['throughput'], cr['throughput'])} |")
        lines.append(f"| Peak RSS, Rasa server with {what} (MB, all its processes) | {w['peak_rss_mb']['rasa']} | - | - |")
    if "cluster" in results:
        cl = results["cluster"]
        blocks.append(("cluster", cl))
        clr = cl.get("reference") or r
        for n, c in cl.items():
            if not n.isdigit():
                continue
            cr = clr[f"concurrent_{n}"]
            lines.append(f"| {n} conversations, cluster (2 replicas behind nginx, PostgreSQL, Redis): throughput "
                         f"(msg/s), p50, p95, errors/cross-talk | {c['throughput']}, {c['p50_ms']}, {c['p95_ms']}, "
                         f"{c['errors']}/{c['crosstalk']} | {cr['throughput']} | "
                         f"{paired_ratio(cl, f'concurrent_{n}.throughput', c['throughput'], cr['throughput'])} |")
    lines += rounds_lines(blocks)
    if "soak" in a:
        lines += soak_lines(a["soak"])
    if "cluster" in results and ("failures" in results["cluster"] or "failures_error" in results["cluster"]):
        lines += failure_lines(results["cluster"])
    lines += [
        "",
        "Concurrent load: each conversation sends " + ", ".join(f'"{t}"' for t in CONCURRENT_SCRIPT) +
        " one after the other; all conversations at once. Cross-talk: conversations whose stored user "
        "messages differ from what was sent to them. Sequential: 10 scripted 8-turn conversations, one "
        "message at a time. Training with an empty Rasa cache. Start to first answer: from launching the "
        "servers to the first non-empty REST reply (model already trained).",
        "",
        "Cross-talk counts conversations whose stored messages differ from what they sent, and replies addressed "
        "to another conversation than the one that asked (`recipient_id`).",
        "",
        "Figures from a shared 2-core machine: absolute times are noisy; compare the paired ratios measured in one "
        "run.",
        "",
        f"Reproduce: `make bench` (about {max(1, round(results['total_s'] / 60))} minutes; "
        f"`{SOAK_ENV}=60 make bench` for a short soak). Raw figures: `bench/results.json`.",
    ]
    lines += store_scale.markdown(results.get("store_scale"))
    (ROOT / "bench" / "results.md").write_text("\n".join(lines) + "\n")
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")


def rounds_lines(blocks: List[Tuple[str, Dict[str, Any]]]) -> List[str]:
    """Each round's own ratio to the stock bot, so that the spread behind a median is visible."""
    lines = ["", "## The rounds' ratios to the stock bot", "", "| configuration | measure | rounds (advisor / stock) | median |",
             "| --- | --- | --- | --- |"]
    found = False
    for name, block in blocks:
        for key, values in block.get("paired", {}).items():
            if key.endswith(".throughput") or key == "sequential.p50_ms":
                found = True
                shown = ", ".join("-" if v is None else f"{v:.2f}" for v in values)
                lines.append(f"| {name} | {key} | {shown} | {paired.median_ratio(values)} |")
    return lines if found else []


def _crosstalk(c: Dict[str, Any]) -> int:
    return int(c.get("crosstalk", 0)) + int(c.get("foreign_replies", 0))


def soak_lines(soak: Dict[str, Any]) -> List[str]:
    lines = [
        "",
        "## Soak: the advisor (`make run`'s configuration) at half its measured capacity",
        "",
        f"{soak['rate_msg_s']} messages/s for {soak['seconds']:.0f} s ({SOAK_ENV}; capacity = the best of the 20- and "
        f"50-conversation throughputs above): {soak['messages']} messages in {soak['conversations']} conversations, "
        f"{soak['errors']} errors, {soak['empty_replies']} empty replies, {soak['foreign_replies']} replies to the "
        f"wrong conversation, p95 {soak['p95_ms']} ms. Warm-up: the first {soak['warmup_s']:.0f} s.",
        "",
        "| process | RSS after warm-up (MB) | RSS at the end (MB) | growth |",
        "| --- | --- | --- | --- |",
    ]
    for name, mb in soak["rss_mb_after_warmup"].items():
        lines.append(f"| {name} | {mb} | {soak['rss_mb_end'].get(name, '-')} | {soak['rss_growth_pct'].get(name, '-')} % |")
    lines += ["", "| minute | messages | errors | p95 (ms) |", "| --- | --- | --- | --- |"]
    for m in soak["per_minute"]:
        lines.append(f"| {m['minute']} | {m['messages']} | {m['errors']} | {m['p95_ms']} |")
    growth = soak.get("rss_growth_max_pct")
    verdict = "within" if growth is not None and growth <= 5 else "above"
    lines += ["", f"Largest RSS growth after warm-up: {growth} % ({verdict} the 5 % target)."]
    return lines


def failure_lines(cluster: Dict[str, Any]) -> List[str]:
    lines = [
        "",
        "## Failure under load: `make run-cluster` (2 replicas behind nginx, PostgreSQL, Redis), 50 conversations",
        "",
    ]
    if "failures_error" in cluster:
        lines.append(f"Stopped: {cluster['failures_error']}")
    faults = cluster.get("failures", [])
    if not faults:
        return lines
    lines += [
        "| fault | lasted (s) | messages | answered (of which apology) | refused, retryable (attempts) | "
        "no answer in the end | unclear errors | events lost | duplicates (stored twice / replies) | "
        "recovery (s) | degraded until (s) | longest wait (s) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for f in faults:
        refused = ", ".join(f"{n}× {k}" for k, n in sorted(f["refused_retryable"].items())) or "0"
        failed = ", ".join(f"{n}× {k}" for k, n in sorted(f["failed"].items())) or "0"
        recovery = "not within the run" if f["recovery_s"] is None else f["recovery_s"]
        until = "-" if f["errors_until_s"] is None else f["errors_until_s"]
        lines.append(f"| {f['fault']} | {f['fault_seconds']} | {f['messages']} | {f['answered']} ({f['apologies']}) | "
                     f"{refused} | {failed} | {f['unclear_errors']} | {f['events_lost']} | "
                     f"{f['user_messages_stored_twice']} / {f['duplicate_replies']} | {recovery} | {until} | "
                     f"{f['longest_wait_s']} |")
    lines += [
        "",
        "Each conversation sends the next line of a 6-line script as soon as the previous one is answered; a "
        "message refused with 429/502/503/504 is sent again after its Retry-After (at most 3 times), as a client "
        "would. The fault comes 5 s into the run; the run goes on 20 s after the fault is over (the service back: "
        "for a killed replica, at once; its supervisor restarts it meanwhile). Events lost: an answered message "
        "not stored exactly once in PostgreSQL, or replies the client got that are not stored. Unclear errors: "
        "answers a client cannot read as \"retry\" (200 with no reply, 500, a time-out). Recovery: from the end "
        "of the fault until no request fails or gets the apology any more and the answered rate over every 3 s "
        "is at least half the rate before the fault; degraded until: the last failed or apologising answer "
        "after the fault's end; longest wait: the longest single request (a conversation stuck behind the "
        "fault shows here). bench/failure.py; the short version is tests/e2e/test_failure_under_load.py.",
    ]
    return lines


def _terminated(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt("SIGTERM")  # the `finally` blocks stop the servers, as on Ctrl-C


def main() -> int:
    """Runs the bench; then checks that nothing it started is still running (stopped, and status 1, if so)."""
    processes.REGISTRY.begin()  # every child inherits the marker; the check at the end finds them by it
    signal.signal(signal.SIGTERM, _terminated)
    try:
        bench()
    finally:
        left = processes.settle(processes.REGISTRY.find, grace=10)
        if left:
            processes.stop(left)
            say(f"{len(left)} processes the bench started were still running at its end (now stopped):")
            for p in left:
                print(f"  {p}", flush=True)
    return 1 if left else 0


def bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["advisor", "reference", "cluster", "failures"],
                        help="run one side (for profiling), the cluster rows alone, or the cluster with failure under load")
    parser.add_argument("--advisor-model", help="use this trained model (no training figure)")
    parser.add_argument("--reference-model", help="use this trained stock-bot model (no training figure)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SANIC_WORKERS", "2") or 2),
                        help="Sanic workers of the advisor's Rasa server (more than one uses a local Redis lock store)")
    parser.add_argument("--no-cluster", action="store_true", help="skip the cluster row (make run-cluster's layout)")
    parser.add_argument("--no-scale", action="store_true", help="skip the workbench-at-scale rows (bench/store_scale.py)")
    parser.add_argument("--keep", help="copy the trained models here (for later --*-model runs)")
    args = parser.parse_args()
    t0 = time.time()
    rounds = rounds_count()
    env = dict(os.environ)
    env.update({"TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)})
    results: Dict[str, Any] = {
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                 text=True).stdout.strip(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "rounds": rounds,
    }
    if args.only in ("cluster", "failures"):
        results["cluster"] = bench_cluster(None, rounds, failures=args.only == "failures")
        (ROOT / "bench" / "last-partial.json").write_text(json.dumps(results, indent=2) + "\n")
        print(json.dumps(results["cluster"], indent=2))
        return
    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as tmp:
        work = Path(tmp)
        processes.REGISTRY.add_dir(work)
        # both bots are trained before either is measured (a training would slow the other's figures);
        # then the stock bot runs beside each advisor configuration and the cluster, measured in turn with them
        ref_dir, ref_train = train_reference(work, env, args.reference_model) if args.only != "advisor" else (None, None)
        model, adv_train = train_advisor(work, env, args.advisor_model) if args.only != "reference" else ("", None)
        ref_server: Optional[Server] = None
        ref_side: Optional[Side] = None
        reference: Dict[str, Any] = {"train_s": ref_train}
        try:
            if ref_dir is not None:
                ref_server, ref_side, reference["first_answer_s"] = reference_server(work, ref_dir, env)
                results["reference"] = reference
            if args.only == "reference" and ref_side is not None:
                reference.update(combined(interleaved([ref_side], MAIN_MEASURES, rounds)[ref_side.name]))
            if args.only != "reference":
                advisor, ref_part = bench_advisor(work, model, args.workers, ref_side, rounds, many=True,
                                                  soak_s=soak_seconds())
                results["advisor"] = {"train_s": adv_train, **advisor}
                reference.update(ref_part)
            if args.workers in (1, 2) and not args.only:
                # the same model with the other worker count: one worker alone (ADVISOR_WORKERS=1) beside make
                # run's default of two (with a Redis lock store), or two beside one
                other = 1 if args.workers == 2 else 2
                w, ref_other = bench_advisor(work, model, other, ref_side, rounds, ("concurrent_20", "concurrent_50"))
                results[f"advisor_{other}_worker{'s' if other > 1 else ''}"] = {**w, "reference": ref_other}
            if not args.only and not args.no_cluster:
                try:
                    results["cluster"] = bench_cluster(ref_side, rounds)
                except Exception as exc:  # noqa: BLE001 - the rest of the bench still counts; say why the row is missing
                    say(f"cluster row skipped: {exc}")
                    results["cluster_error"] = str(exc)[:300]
        finally:
            if ref_server is not None:
                reference["peak_rss_mb"] = {"rasa": peak_rss_mb(ref_server.proc.pid) if ref_server.proc else 0}
                ref_server.stop()
        if args.keep:
            Path(args.keep).mkdir(parents=True, exist_ok=True)
            for found in work.glob("**/models/*.tar.gz"):
                shutil.copy(found, args.keep)
            for found in work.glob("advisor-models/*.tar.gz"):
                shutil.copy(found, args.keep)
    if not args.only and not args.no_scale:  # the workbench at scale and the store's per-message cost (issue 23; both databases)
        results["store_scale"] = store_scale.run()
    results["total_s"] = round(time.time() - t0)
    if args.only or args.advisor_model or args.reference_model:
        (ROOT / "bench" / "last-partial.json").write_text(json.dumps(results, indent=2) + "\n")
        print(json.dumps(results, indent=2))
        return
    write_results(results)
    say(f"done in {results['total_s']} s: bench/results.md")
    print((ROOT / "bench" / "results.md").read_text())


if __name__ == "__main__":
    sys.exit(main())
