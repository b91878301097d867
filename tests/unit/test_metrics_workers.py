"""/metrics of a Rasa server with several workers (advisor.metrics.SharedDirectory): every live worker's
samples added up, counters and histograms summed, gauges by their merge; a worker that ended is left out."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from advisor.metrics import Registry, SharedDirectory


def two_workers() -> tuple:
    mine, other = Registry(), Registry()
    for registry, messages, seconds, rss, ready in ((mine, 3, 0.02, 100.0, 1), (other, 4, 0.2, 50.0, 0)):
        counter = registry.counter("advisor_messages", "messages", ["channel"])
        counter.inc(messages, channel="rest")
        registry.histogram("advisor_reply_seconds", "reply", ["channel"]).observe(seconds, channel="rest")
        registry.gauge("process_resident_memory_bytes", "rss", merge="sum").set(rss)
        registry.gauge("advisor_ready", "ready", merge="min").set(ready)
        registry.gauge("advisor_model_info", "model", ["model_id"]).set(1, model_id="advisor-x")
    return mine, other


def test_a_scrape_adds_up_the_live_workers(tmp_path: Path) -> None:
    mine, other = two_workers()
    shared = SharedDirectory(mine, str(tmp_path / "metrics"))
    worker = subprocess.Popen(["sleep", "30"])  # another live process stands for the second worker
    try:
        (tmp_path / "metrics" / f"{worker.pid}.json").write_text(json.dumps(other.snapshot()))
        text = shared.render()
    finally:
        worker.kill()
        worker.wait()
    assert 'advisor_messages_total{channel="rest"} 7' in text
    assert 'advisor_reply_seconds_count{channel="rest"} 2' in text
    assert 'advisor_reply_seconds_bucket{channel="rest",le="0.025"} 1' in text  # one fast reply, one slow
    assert 'advisor_reply_seconds_bucket{channel="rest",le="+Inf"} 2' in text
    assert "process_resident_memory_bytes 150" in text
    assert "advisor_ready 0" in text  # one worker not ready: the server is not
    assert 'advisor_model_info{model_id="advisor-x"} 1' in text
    assert text.count("# TYPE advisor_messages counter") == 1
    # the worker has ended: its samples are no longer counted
    text = shared.render()
    assert 'advisor_messages_total{channel="rest"} 3' in text and "advisor_ready 1" in text


def test_the_directory_is_private_and_a_flush_replaces_the_file(tmp_path: Path) -> None:
    mine, _ = two_workers()
    shared = SharedDirectory(mine, str(tmp_path / "metrics"))
    shared.flush()
    mine.metrics["advisor_messages"].inc(channel="rest")  # type: ignore[attr-defined]
    shared.flush()
    assert (tmp_path / "metrics").stat().st_mode & 0o077 == 0
    files = list((tmp_path / "metrics").iterdir())
    assert [f.name for f in files] == [Path(shared.path).name]
    assert json.loads(files[0].read_text())["advisor_messages"] == [["advisor_messages_total", {"channel": "rest"}, 4.0]]
