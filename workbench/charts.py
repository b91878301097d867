"""Small inline SVG charts (no JavaScript, no CDN): bars, a line over days, a confusion-matrix heat map."""

from __future__ import annotations

from html import escape
from typing import List, Sequence, Tuple

PALETTE = ("#2f6db5", "#e08a2e", "#3a9a5b", "#b8404a", "#7a5bb5", "#6b7a8f")


def _svg(width: int, height: int, body: str, title: str) -> str:
    return (
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f"<style>text{{font:12px sans-serif;fill:#222}}</style>{body}</svg>"
    )


def hbar(items: Sequence[Tuple[str, float]], title: str, width: int = 560, fmt: str = "{:g}", color: str = PALETTE[0]) -> str:
    """Horizontal bars, one per (label, value)."""
    if not items:
        return f'<p class="empty">No data for “{escape(title)}”.</p>'
    row, label_w = 22, 190
    top = max(float(v) for _, v in items) or 1.0
    body = []
    for i, (label, value) in enumerate(items):
        y = i * row + 4
        w = (width - label_w - 60) * float(value) / top
        body.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(str(label))[:32]}</text>'
            f'<rect class="bar" x="{label_w}" y="{y}" width="{w:.1f}" height="{row - 6}" fill="{color}">'
            f"<title>{escape(str(label))}: {escape(fmt.format(value))}</title></rect>"
            f'<text x="{label_w + w + 4:.1f}" y="{y + 14}">{escape(fmt.format(value))}</text>'
        )
    return _svg(width, len(items) * row + 8, "".join(body), title)


def line(
    days: Sequence[str],
    series: Sequence[Tuple[str, Sequence[float]]],
    title: str,
    width: int = 560,
    height: int = 200,
    percent: bool = False,
) -> str:
    """One line per series over the days (x axis), with a legend."""
    if not days:
        return f'<p class="empty">No data for “{escape(title)}”.</p>'
    left, right, top_pad, bottom = 44, 26, 24, 40
    top = max([max(vals) if vals else 0 for _, vals in series] + [1e-9])
    if percent:
        top = max(top, 0.01)
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    step = plot_w / max(len(days) - 1, 1)
    body: List[str] = [
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - right}" y2="{top_pad + plot_h}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top_pad + 4}" text-anchor="end">{(f"{top:.0%}" if percent else f"{top:g}")}</text>',
        f'<text x="{left - 4}" y="{top_pad + plot_h}" text-anchor="end">0</text>',
    ]
    for i, d in enumerate(days):
        if len(days) <= 8 or i % max(1, len(days) // 8) == 0 or i == len(days) - 1:
            body.append(f'<text x="{left + i * step:.1f}" y="{height - bottom + 16}" text-anchor="middle">{escape(d[5:])}</text>')
    for k, (name, vals) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        pts = [(left + i * step, top_pad + plot_h - plot_h * (float(v) / top)) for i, v in enumerate(vals)]
        body.append(
            f'<polyline class="series" fill="none" stroke="{color}" stroke-width="2" '
            f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in pts)}"/>'
        )
        for (x, y), v, d in zip(pts, vals, days, strict=False):
            shown = f"{v:.0%}" if percent else f"{v:g}"
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                f"<title>{escape(d)} {escape(name)}: {shown}</title></circle>"
            )
        body.append(
            f'<rect x="{left + k * 150}" y="{height - 14}" width="10" height="10" fill="{color}"/>'
            f'<text x="{left + k * 150 + 14}" y="{height - 5}">{escape(name)}</text>'
        )
    return _svg(width, height, "".join(body), title)


def heatmap(labels: Sequence[str], matrix: Sequence[Sequence[int]], title: str) -> str:
    """A confusion matrix: rows are the true intents, columns what they were taken for."""
    if not labels:
        return f'<p class="empty">No data for “{escape(title)}”.</p>'
    n, cell, left, top = len(labels), 22, 190, 175
    width, height = left + n * cell + 10, top + n * cell + 10
    body: List[str] = []
    for i, lab in enumerate(labels):
        body.append(f'<text x="{left - 6}" y="{top + i * cell + 15}" text-anchor="end">{escape(lab)[:28]}</text>')
        x = left + i * cell + 15
        body.append(f'<text x="{x}" y="{top - 6}" transform="rotate(-60 {x} {top - 6})">{escape(lab)[:28]}</text>')
    for i, row in enumerate(matrix):
        total = sum(row) or 1
        for j, v in enumerate(row):
            share = v / total
            if i == j:
                fill = f"rgba(58,154,91,{0.15 + 0.85 * share:.2f})"
            else:
                fill = f"rgba(184,64,74,{min(1.0, 0.1 + 2 * share):.2f})" if v else "#f4f4f4"
            body.append(
                f'<rect class="cell" x="{left + j * cell}" y="{top + i * cell}" width="{cell - 1}" height="{cell - 1}" '
                f'fill="{fill}"><title>{escape(labels[i])} taken for {escape(labels[j])}: {v}</title></rect>'
            )
            if v:
                body.append(
                    f'<text x="{left + j * cell + cell / 2 - 0.5:.1f}" y="{top + i * cell + 15}" text-anchor="middle" '
                    f'style="font-size:10px">{v}</text>'
                )
    return _svg(width, height, "".join(body), title)
