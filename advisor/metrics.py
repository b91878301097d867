"""Counters, gauges and histograms in the Prometheus text format (version 0.0.4), without a dependency
(``prometheus_client`` is not in the project's environment).

Each server process has its own registry: :data:`SERVER` (the Rasa server: advisor.patches and
advisor.operations fill it) and :data:`ACTIONS` (the action server: advisor.action_server). They are
served on ``/metrics`` (API token / action-server secret required); docs/metrics.md lists every metric.

Labels are bounded by the code that sets them (channel names, action names of the domain, fixed reasons):
nothing a client sends becomes a label value as such.
"""
from __future__ import annotations

import json
import math
import os
import threading
import time
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

LabelValues = Tuple[str, ...]
Sample = Tuple[str, Dict[str, str], float]  # (name with suffix, labels, value)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# how a gauge's values of several worker processes add up
MERGES: Dict[str, Callable[[List[float]], float]] = {"max": max, "min": min, "sum": sum}
SHARED_DIR_ENV = "ADVISOR_METRICS_DIR"  # set by `make run` when the Rasa server has more than one worker
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
STORE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _sample_line(name: str, labels: Iterable[Tuple[str, str]], value: float) -> str:
    shown = ",".join(f'{k}="{_escape_label(v)}"' for k, v in labels)
    return f"{name}{{{shown}}} {_number(value)}" if shown else f"{name} {_number(value)}"


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return repr(float(value)) if value != int(value) else f"{int(value)}"


class Metric:
    kind = "untyped"

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> None:
        self.name, self.help, self.labelnames = name, help_text, tuple(labelnames)
        self._lock = threading.Lock()

    def _key(self, labels: Dict[str, str]) -> LabelValues:
        if set(labels) != set(self.labelnames):
            raise ValueError(f"{self.name} takes the labels {self.labelnames}, not {tuple(labels)}")
        return tuple(str(labels[n]) for n in self.labelnames)

    def _labels(self, key: LabelValues) -> Dict[str, str]:
        return dict(zip(self.labelnames, key, strict=True))

    def samples(self) -> List[Sample]:
        raise NotImplementedError

    def render(self) -> List[str]:
        samples = self.samples()
        if not samples and self.kind == "gauge":  # a gauge nobody set (a hook not filled yet) is not shown
            return []
        return self.header() + [_sample_line(name, labels.items(), value) for name, labels, value in samples]

    def header(self) -> List[str]:
        return [f"# HELP {self.name} {self.help.replace(chr(92), chr(92) * 2).replace(chr(10), ' ')}",
                f"# TYPE {self.name} {self.kind}"]


class Counter(Metric):
    kind = "counter"

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labelnames)
        self._values: Dict[LabelValues, float] = {}
        if not self.labelnames:
            self._values[()] = 0.0

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError("a counter only goes up")
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        return self._values.get(self._key(labels), 0.0)

    def samples(self) -> List[Sample]:
        name = self.name if self.name.endswith("_total") else f"{self.name}_total"
        with self._lock:
            return [(name, self._labels(k), v) for k, v in sorted(self._values.items())]


class Gauge(Metric):
    """A value set by the code, or read at scrape time from a function (`set_function`) that returns
    {label values: value}; a gauge with neither is not shown. ``merge``: how the values of several worker
    processes of one server add up (:class:`SharedDirectory`): "max", "min" or "sum"."""

    kind = "gauge"

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = (), merge: str = "max") -> None:
        super().__init__(name, help_text, labelnames)
        if merge not in MERGES:
            raise ValueError(f"{name}: merge must be one of {sorted(MERGES)}")
        self.merge = merge
        self._values: Dict[LabelValues, float] = {}
        self._function: Optional[Callable[[], Dict[LabelValues, float]]] = None

    def set(self, value: float, **labels: str) -> None:
        with self._lock:
            self._values[self._key(labels)] = float(value)

    def set_function(self, function: Optional[Callable[[], Dict[LabelValues, float]]]) -> None:
        self._function = function

    def samples(self) -> List[Sample]:
        values = dict(self._values)
        if self._function is not None:
            try:
                values.update(self._function())
            except Exception:  # noqa: BLE001 - a failing source hides its gauge, never the whole page
                pass
        return [(self.name, self._labels(k), v) for k, v in sorted(values.items())]


class Histogram(Metric):
    kind = "histogram"

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = (),
                 buckets: Sequence[float] = LATENCY_BUCKETS) -> None:
        super().__init__(name, help_text, labelnames)
        self.buckets = tuple(sorted(buckets))
        self._counts: Dict[LabelValues, List[int]] = {}  # per bucket (not cumulative), then +Inf
        self._sums: Dict[LabelValues, float] = {}

    def observe(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            counts = self._counts.setdefault(key, [0] * (len(self.buckets) + 1))
            i = next((i for i, bound in enumerate(self.buckets) if value <= bound), len(self.buckets))
            counts[i] += 1
            self._sums[key] = self._sums.get(key, 0.0) + value

    def count(self, **labels: str) -> int:
        return sum(self._counts.get(self._key(labels), []))

    def samples(self) -> List[Sample]:
        out: List[Sample] = []
        with self._lock:
            for key in sorted(self._counts):
                labels, running = self._labels(key), 0
                for bound, n in zip((*self.buckets, math.inf), self._counts[key], strict=True):
                    running += n
                    out.append((f"{self.name}_bucket", {**labels, "le": _number(bound)}, running))
                out.append((f"{self.name}_sum", labels, self._sums[key]))
                out.append((f"{self.name}_count", labels, running))
        return out


class Timer:
    """``with Timer(histogram, **labels):`` observes the seconds the block took (also when it raises)."""

    def __init__(self, histogram: Histogram, **labels: str) -> None:
        self.histogram, self.labels = histogram, labels
        self.start = 0.0

    def __enter__(self) -> "Timer":
        self.start = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.histogram.observe(time.perf_counter() - self.start, **self.labels)


class Registry:
    def __init__(self) -> None:
        self.metrics: Dict[str, Metric] = {}

    def _add(self, metric: Metric) -> Metric:
        if metric.name in self.metrics:
            raise ValueError(f"{metric.name} is registered twice")
        self.metrics[metric.name] = metric
        return metric

    def counter(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> Counter:
        return self._add(Counter(name, help_text, labelnames))  # type: ignore[return-value]

    def gauge(self, name: str, help_text: str, labelnames: Sequence[str] = (), merge: str = "max") -> Gauge:
        return self._add(Gauge(name, help_text, labelnames, merge))  # type: ignore[return-value]

    def histogram(self, name: str, help_text: str, labelnames: Sequence[str] = (),
                  buckets: Sequence[float] = LATENCY_BUCKETS) -> Histogram:
        return self._add(Histogram(name, help_text, labelnames, buckets))  # type: ignore[return-value]

    def render(self) -> str:
        lines: List[str] = []
        for metric in self.metrics.values():
            lines += metric.render()
        return "\n".join(lines) + "\n"

    def snapshot(self) -> Dict[str, List[List[object]]]:
        """Every metric's samples, as JSON-ready lists: {metric name: [[sample name, labels, value], ...]}."""
        return {name: [[n, labels, value] for n, labels, value in metric.samples()] for name, metric in self.metrics.items()}


class SharedDirectory:
    """The samples of every worker process of one server, added up (`make run` starts two Sanic workers, and a
    scrape reaches either): each worker writes its own snapshot to ``<directory>/<pid>.json`` after each
    message (:meth:`flush`) and before it answers a scrape, and the scrape adds up the snapshots of the workers
    still alive: counters and histograms summed, gauges by their ``merge``. The directory is the owner's only."""

    def __init__(self, registry: Registry, directory: str) -> None:
        self.registry, self.directory = registry, directory
        os.makedirs(directory, mode=0o700, exist_ok=True)
        self.path = os.path.join(directory, f"{os.getpid()}.json")

    def flush(self) -> None:
        temporary = f"{self.path}.tmp"
        with open(temporary, "w") as f:
            json.dump(self.registry.snapshot(), f)
        os.replace(temporary, self.path)

    def snapshots(self) -> List[Dict[str, List[List[object]]]]:
        found = []
        for entry in sorted(os.listdir(self.directory)):
            pid = entry[:-len(".json")] if entry.endswith(".json") else ""
            if not pid.isdigit() or not _alive(int(pid)):
                continue
            try:
                with open(os.path.join(self.directory, entry)) as f:
                    found.append(json.load(f))
            except (OSError, ValueError):  # a worker replacing its file, or one that just ended
                continue
        return found

    def render(self) -> str:
        self.flush()
        merged: Dict[str, Dict[Tuple[str, Tuple[Tuple[str, str], ...]], List[float]]] = {}
        for snapshot in self.snapshots():
            for metric_name, samples in snapshot.items():
                into = merged.setdefault(metric_name, {})
                for name, labels, value in samples:
                    key = (str(name), tuple(sorted(dict(labels).items())))  # type: ignore[call-overload]
                    into.setdefault(key, []).append(float(value))  # type: ignore[arg-type]
        lines: List[str] = []
        for name, metric in self.registry.metrics.items():
            values = merged.get(name)
            if not values:
                continue
            add = MERGES[metric.merge] if isinstance(metric, Gauge) else sum
            lines += metric.header() + [_sample_line(sample, labels, add(found))
                                        for (sample, labels), found in sorted(values.items())]
        return "\n".join(lines) + "\n"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_metrics(registry: Registry) -> None:
    """process_resident_memory_bytes and process_start_time_seconds of this process (Linux /proc)."""
    started = time.time()
    page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

    def rss() -> Dict[LabelValues, float]:
        with open("/proc/self/statm") as f:
            return {(): float(int(f.read().split()[1]) * page)}

    registry.gauge("process_resident_memory_bytes", "Resident memory of this server's processes (its workers added up).",
                   merge="sum").set_function(rss)
    registry.gauge("process_start_time_seconds", "When this server (its first worker) started (Unix time).",
                   merge="min").set(started)


# --- the Rasa server -----------------------------------------------------------------------------------
SERVER = Registry()
CHANNELS = ("rest", "socketio", "slack", "telegram", "cmdline")  # label values; anything else is "other"
MESSAGES = SERVER.counter("advisor_messages", "User messages handled, by input channel.", ["channel"])
MESSAGE_ERRORS = SERVER.counter("advisor_message_errors",
                                "User messages whose handling raised (the client got an error), by channel.", ["channel"])
REPLY_SECONDS = SERVER.histogram("advisor_reply_seconds",
                                 "Seconds from a user message reaching Rasa to its replies being ready, by channel.",
                                 ["channel"])
NLU_FALLBACKS = SERVER.counter("advisor_nlu_fallbacks",
                               "User messages whose intent was nlu_fallback (rate: divide by advisor_messages_total).",
                               ["channel"])
ACTION_FAILURES = SERVER.counter("advisor_action_failures",
                                 "Custom actions that failed as seen by Rasa (reason: timeout or error); the user got "
                                 "utter_action_failed.", ["action", "reason"])
ACTION_RECONNECTS = SERVER.counter("advisor_action_reconnects",
                                   "Calls to the action server tried again because it refused the connection (it "
                                   "was restarting; within 5 s, before any apology).", ["action"])
STORE_SECONDS = SERVER.histogram("advisor_tracker_store_seconds",
                                 "Seconds a tracker-store operation took (retrieve, save).", ["operation"],
                                 buckets=STORE_BUCKETS)
STORE_ERRORS = SERVER.counter("advisor_tracker_store_errors", "Tracker-store operations that raised.", ["operation"])
MODEL_INFO = SERVER.gauge("advisor_model_info", "The loaded model (value 1; the id and file are labels).",
                          ["model_id", "model_file"])
READY = SERVER.gauge("advisor_ready", "1 when the last /ready check passed, 0 when it failed.", merge="min")
# Filled by another part later (issue 23: "handoffs waiting when that exists"): call
# HANDOFFS_WAITING.set(n) as the queue changes, or HANDOFFS_WAITING.set_function(lambda: {(): n}).
# Until then it is not shown.
for _channel in CHANNELS[:4]:  # the channels' series exist from the start (a first increment is then a rate)
    for _counter in (MESSAGES, MESSAGE_ERRORS, NLU_FALLBACKS):
        _counter.inc(0, channel=_channel)
HANDOFFS_WAITING = SERVER.gauge("advisor_handoffs_waiting", "Conversations waiting for a human (handoff queue).")
process_metrics(SERVER)


_SHARED: Dict[str, Optional[SharedDirectory]] = {}


def shared_server() -> Optional[SharedDirectory]:
    """The Rasa server's shared snapshots when ADVISOR_METRICS_DIR is set (several workers), else None."""
    directory = os.environ.get(SHARED_DIR_ENV, "").strip()
    if not directory:
        return None
    if directory not in _SHARED:
        _SHARED[directory] = SharedDirectory(SERVER, directory)
    return _SHARED[directory]


def render_server() -> str:
    """/metrics of the Rasa server: every worker's samples added up, or this process's alone."""
    shared = shared_server()
    return shared.render() if shared is not None else SERVER.render()


def flush_server() -> None:
    """After a message: this worker's snapshot for a scrape that another worker answers (no-op with one)."""
    shared = shared_server()
    if shared is not None:
        try:
            shared.flush()
        except OSError:  # a full disk must not fail the message; the next flush tries again
            pass


def channel_label(name: Optional[str]) -> str:
    """A bounded label value for an input channel name."""
    name = (name or "").strip().lower()
    return name if name in CHANNELS else ("unknown" if not name else "other")


# --- the action server ---------------------------------------------------------------------------------
ACTIONS = Registry()
ACTIONS_RUN = ACTIONS.counter("advisor_actions", "Custom actions run by the action server, by name.", ["action"])
ACTION_ERRORS = ACTIONS.counter("advisor_action_errors",
                                "Custom actions that did not return events (error: rejected, not_found, exception).",
                                ["action", "error"])
ACTION_SECONDS = ACTIONS.histogram("advisor_action_seconds", "Seconds a custom action took, by name.", ["action"])
process_metrics(ACTIONS)


def names(registry: Registry) -> Iterable[str]:
    return registry.metrics.keys()
