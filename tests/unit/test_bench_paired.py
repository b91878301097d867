"""bench/paired.py: the stock bot and the advisor measured in turn, rounds combined, ratios paired."""
from __future__ import annotations

import pytest

from bench import paired


def run(throughput: float, p50: float, errors: int = 0, samples: tuple = ()) -> dict:
    return {"conversations": 20, "messages": 100, "throughput": throughput, "p50_ms": p50, "p95_ms": p50 * 2,
            "errors": errors, "crosstalk": 0, "error_samples": list(samples)}


def test_order_alternates_so_neither_side_is_always_first() -> None:
    assert paired.order(0, ["stock", "advisor"]) == ["stock", "advisor"]
    assert paired.order(1, ["stock", "advisor"]) == ["advisor", "stock"]
    assert paired.order(2, ["stock", "advisor"]) == ["stock", "advisor"]
    assert paired.order(1, ["alone"]) == ["alone"]


def test_combine_takes_medians_of_timings_and_sums_of_counts() -> None:
    out = paired.combine([run(10, 100, errors=1, samples=("a",)), run(30, 300), run(20, 200, errors=2, samples=("b", "c"))])
    assert out["throughput"] == 20 and out["p50_ms"] == 200 and out["p95_ms"] == 400
    assert out["errors"] == 3 and out["messages"] == 300
    assert out["conversations"] == 20  # the size of one round, not a sum
    assert out["error_samples"] == ["a", "b", "c"]
    assert out["rounds"] == [10, 30, 20]


def test_combine_of_sequential_runs_keeps_their_p50s() -> None:
    out = paired.combine([{"messages": 80, "p50_ms": 40.0, "p95_ms": 60.0, "mean_ms": 42.0},
                          {"messages": 80, "p50_ms": 50.0, "p95_ms": 70.0, "mean_ms": 52.0}])
    assert out["p50_ms"] == 45.0 and out["messages"] == 160 and out["rounds"] == [40.0, 50.0]


def test_combine_refuses_nothing() -> None:
    with pytest.raises(ValueError):
        paired.combine([])


def test_the_ratio_is_the_median_of_the_rounds_own_ratios() -> None:
    # the host slowed down during round 2 for both sides: the paired ratio stays 2, the ratio of the
    # medians would not
    advisor = {"concurrent_20": [run(20, 100), run(10, 200), run(22, 90)]}
    stock = {"concurrent_20": [run(10, 200), run(5, 400), run(11, 180)]}
    pairs = paired.pair(advisor, stock)
    assert pairs["concurrent_20.throughput"] == [2.0, 2.0, 2.0]
    assert paired.median_ratio(pairs["concurrent_20.throughput"]) == 2.0
    assert pairs["concurrent_20.p50_ms"] == [0.5, 0.5, 0.5]
    assert "sequential.p50_ms" not in pairs  # only what both sides measured
    assert paired.spread([0.5, None, 2.0]) == (0.5, 2.0)


def test_unpaired_rounds_and_a_zero_are_not_a_ratio() -> None:
    with pytest.raises(ValueError):
        paired.ratios([run(1, 1)], [run(1, 1), run(1, 1)], "throughput")
    assert paired.ratios([run(5, 1)], [run(0, 1)], "throughput") == [None]
    assert paired.median_ratio([None]) is None
