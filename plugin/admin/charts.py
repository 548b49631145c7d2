"""Bar charts as inline SVG, drawn on the server: no script, readable without the CDN."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 180
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 36, 22, 10


def bar_chart(points: Sequence[tuple[date, int]], *, label: str) -> Markup:
    """A daily bar chart with a y-axis maximum, the first and last day, and a title per bar."""
    total = sum(v for _, v in points)
    top = max((v for _, v in points), default=0) or 1
    plot_w = WIDTH - PAD_LEFT - 4
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    step = plot_w / max(len(points), 1)
    bars = []
    for i, (day, value) in enumerate(points):
        h = plot_h * value / top
        x = PAD_LEFT + i * step + step * 0.15
        y = PAD_TOP + plot_h - h
        bars.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}">'
            f"<title>{day.isoformat()}: {value}</title></rect>"
        )
    first = points[0][0].isoformat() if points else ""
    last = points[-1][0].isoformat() if points else ""
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}: {total} in all" xmlns="http://www.w3.org/2000/svg"><line '
        f'class="axis" x1="{PAD_LEFT}" y1="{PAD_TOP + plot_h}" x2="{WIDTH - 4}" '
        f'y2="{PAD_TOP + plot_h}"/><text class="tick" x="{PAD_LEFT - 4}" y="{PAD_TOP + 8}" '
        f'text-anchor="end">{top if total else 0}</text><text class="tick" x="{PAD_LEFT - 4}" '
        f'y="{PAD_TOP + plot_h}" text-anchor="end">0</text>'
        + "".join(bars)
        + f'<text class="tick" x="{PAD_LEFT}" y="{HEIGHT - 6}">{first}</text>'
        f'<text class="tick" x="{WIDTH - 4}" y="{HEIGHT - 6}" text-anchor="end">{last}</text>'
        "</svg>"
    )
    return Markup(svg)
