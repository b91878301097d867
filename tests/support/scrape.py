"""Reads a Prometheus text page (advisor.metrics) into {(name, labels): value} for the tests."""
from __future__ import annotations

import re
from typing import Dict, FrozenSet, Optional, Tuple

import requests

Key = Tuple[str, FrozenSet[Tuple[str, str]]]
LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text: str) -> Dict[Key, float]:
    out: Dict[Key, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = LINE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        labels = frozenset((k, v.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\"))
                           for k, v in LABEL.findall(m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def value(samples: Dict[Key, float], name: str, **labels: str) -> float:
    """The sample's value, 0 when it is absent (a counter not incremented yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: Dict[Key, float], name: str, **labels: str) -> float:
    """The sum over every sample of `name` whose labels include `labels`."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= set(ls))


def scrape(url: str, token: Optional[str] = None, header: Optional[Dict[str, str]] = None) -> Dict[Key, float]:
    headers = dict(header or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    r = requests.get(url, headers=headers, timeout=10)
    r.raise_for_status()
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers["Content-Type"]
    return parse(r.text)
