"""Prints one line per side from bench/last-partial.json (quick comparisons while tuning), and the
200-conversation, soak and failure-under-load figures when the partial run has them."""
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
    if "concurrent_200" in x:
        c = x["concurrent_200"]
        print(f"{'':9} 200: {c['throughput']} msg/s p95 {c['p95_ms']} err {c['errors']} "
              f"xt {c['crosstalk']}+{c.get('foreign_replies', 0)}")
    if "soak" in x:
        s = x["soak"]
        print(f"{'':9} soak {s['rate_msg_s']} msg/s {s['seconds']} s: {s['messages']} msgs err {s['errors']} "
              f"p95 {s['p95_ms']} | rss growth {s['rss_growth_pct']} | per minute p95 "
              f"{[m['p95_ms'] for m in s['per_minute']]}")
for f in r.get("cluster", {}).get("failures", []):
    print(f"{f['fault']:24} answered {f['answered']}/{f['messages']} (apology {f['apologies']}) refused "
          f"{f['refused_retryable']} failed {f['failed']} lost {f['events_lost']} twice "
          f"{f['user_messages_stored_twice']}/{f['duplicate_replies']} recovery {f['recovery_s']} "
          f"degraded-until {f['errors_until_s']} longest {f['longest_wait_s']}")
