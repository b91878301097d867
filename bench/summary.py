"""Prints one line per side from bench/last-partial.json (quick comparisons while tuning)."""
import json
from pathlib import Path

r = json.loads((Path(__file__).parent / "last-partial.json").read_text())
for side in ("reference", "advisor"):
    if side not in r:
        continue
    x = r[side]
    c20, c50 = x["concurrent_20"], x["concurrent_50"]
    print(f"{side:9} seq p50/p95 {x['sequential']['p50_ms']}/{x['sequential']['p95_ms']} ms | "
          f"20: {c20['throughput']} msg/s p50 {c20['p50_ms']} p95 {c20['p95_ms']} err {c20['errors']} xt {c20['crosstalk']} | "
          f"50: {c50['throughput']} msg/s p50 {c50['p50_ms']} p95 {c50['p95_ms']} err {c50['errors']} xt {c50['crosstalk']} | "
          f"rss {x['peak_rss_mb']} first {x['first_answer_s']} s")
