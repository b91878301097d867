"""Paired, repeated measurements of two bots in one run (issue 23).

Measuring the stock bot once at the start of `make bench` and the advisor minutes later let the
machine's noise decide the ratio: a run in which the host slowed down while the stock bot was measured
reported the advisor 3.3x as fast; the same code had measured 1.1x an hour earlier. Now both servers
run side by side and each measure (sequential, 20 and 50 conversations) is taken for one bot right
after the other, in alternating order (A B, then B A, ...), for several rounds. The ratio reported is
the median of the rounds' own ratios: each compares two measurements a few seconds apart, so a slow
minute of the host touches both sides of it. Pure functions; bench/run.py runs the servers.
"""
from __future__ import annotations

import statistics
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar

T = TypeVar("T")

# a round's figures that are combined as the median over rounds; counts are summed; anything else is
# the first round's (the size of the measurement: conversations, ...)
MEDIAN_KEYS = ("throughput", "p50_ms", "p95_ms", "mean_ms", "seconds")
SUM_KEYS = ("messages", "errors", "empty_replies", "crosstalk", "checked_conversations", "foreign_replies")
SAMPLES = 5


def order(round_index: int, sides: Sequence[T]) -> List[T]:
    """The sides in the order round `round_index` (from 0) measures them: as given, then reversed, ..."""
    return list(sides) if round_index % 2 == 0 else list(reversed(sides))


def combine(runs: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
    """One measurement's rounds as one: medians of the timings, sums of the counts, the rounds' own
    figures kept under `rounds` (throughput, or p50 for a sequential run)."""
    if not runs:
        raise ValueError("no rounds to combine")
    out: Dict[str, Any] = {}
    for key, first in runs[0].items():
        values = [r[key] for r in runs if key in r]
        if key in MEDIAN_KEYS:
            out[key] = round(statistics.median(float(v) for v in values), 2)
        elif key in SUM_KEYS:
            out[key] = sum(int(v) for v in values)
        elif key == "error_samples":
            out[key] = [s for v in values for s in v][:SAMPLES]
        else:
            out[key] = first
    figure = "throughput" if "throughput" in runs[0] else "p50_ms"
    out["rounds"] = [r.get(figure) for r in runs]
    return out


def ratios(a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]], key: str) -> List[Optional[float]]:
    """Each round's a[key] / b[key] (None where b's is 0)."""
    if len(a) != len(b):
        raise ValueError(f"unpaired rounds: {len(a)} against {len(b)}")
    return [round(float(x[key]) / float(y[key]), 3) if float(y[key]) else None for x, y in zip(a, b, strict=True)]


def median_ratio(values: Sequence[Optional[float]]) -> Optional[float]:
    """The median of the rounds' ratios (None when no round has one)."""
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 2) if known else None


def spread(values: Sequence[Optional[float]]) -> Tuple[Optional[float], Optional[float]]:
    """The lowest and highest of the rounds' ratios."""
    known = [v for v in values if v is not None]
    return (min(known), max(known)) if known else (None, None)


PAIRED = (("sequential", "p50_ms"), ("sequential", "p95_ms"), ("concurrent_20", "throughput"),
          ("concurrent_50", "throughput"), ("concurrent_20", "p50_ms"), ("concurrent_50", "p50_ms"),
          ("concurrent_20", "p95_ms"), ("concurrent_50", "p95_ms"))


def pair(a_runs: Mapping[str, Sequence[Mapping[str, Any]]],
         b_runs: Mapping[str, Sequence[Mapping[str, Any]]]) -> Dict[str, List[Optional[float]]]:
    """The rounds' ratios a / b of every measure both sides took, keyed `measure.figure`."""
    return {f"{measure}.{figure}": ratios(a_runs[measure], b_runs[measure], figure)
            for measure, figure in PAIRED if a_runs.get(measure) and b_runs.get(measure)}
