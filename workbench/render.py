"""Jinja2 rendering for the pages and the self-contained HTML reports (CSS inlined, charts as inline SVG)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from workbench import charts
from workbench.safe import visible

TEMPLATES = Path(__file__).parent / "templates"
_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True
)


def _safe(fn: Any) -> Any:
    return lambda *a, **k: Markup(fn(*a, **k))


_env.globals.update(
    hbar=_safe(charts.hbar),
    line=_safe(charts.line),
    heatmap=_safe(charts.heatmap),
    css=lambda: Markup((TEMPLATES / "style.css").read_text()),
)
_env.filters["time"] = lambda ts: dt.datetime.fromtimestamp(float(ts or 0), tz=dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
_env.filters["visible"] = visible  # ids and user texts: control and bidi characters shown as escapes
_env.filters["pct"] = lambda v: f"{float(v or 0):.1%}"
_env.filters["f3"] = lambda v: "–" if v is None else f"{float(v):.3f}"


def render(template: str, **context: Any) -> str:
    context.setdefault("standalone", False)
    return _env.get_template(template).render(**context)
