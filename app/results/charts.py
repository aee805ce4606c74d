"""Geometry of the server-rendered SVG bar charts (the template only draws what this computes)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 320  # viewBox units; the SVG scales to its container
BAR_HEIGHT = 14
LABEL_HEIGHT = 14
GAP = 8
LABEL_CHARS = 48


@dataclass
class Bar:
    y: float
    label: str
    width: float
    value: str
    hidden: bool


def bar_chart(rows, hidden_text: str, value_of=lambda r: r.pct, text_of=None) -> dict:
    """Bars for rows with a percentage (None = hidden); widths in viewBox units of 0-100 %."""
    bars, y = [], 0.0
    for row in rows:
        value = value_of(row)
        label = row.label if len(row.label) <= LABEL_CHARS else row.label[: LABEL_CHARS - 1] + "…"
        hidden = value is None
        width = 0.0 if hidden else max(0.0, min(100.0, value)) / 100 * (WIDTH - 48)
        text = hidden_text if hidden else (text_of(row) if text_of else f"{value:.0f}%")
        bars.append(Bar(y, label, width, text, hidden))
        y += LABEL_HEIGHT + BAR_HEIGHT + GAP
    return {
        "bars": bars,
        "width": WIDTH,
        "height": max(y, 1),
        "bar_height": BAR_HEIGHT,
        "label_height": LABEL_HEIGHT,
    }


def bar_chart_svg(rows, hidden_text: str) -> Markup:
    """The results page's SVG of `bar_chart(rows, hidden_text)`, written here rather than by an
    included template: 114 questions made the include most of a first view's rendering time."""
    chart = bar_chart(rows, hidden_text)
    track = WIDTH - 48
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {chart["height"]}" width="100%" aria-hidden="true"'
        ' focusable="false" xmlns="http://www.w3.org/2000/svg">\n'
    ]
    for bar in chart["bars"]:
        top = bar.y + LABEL_HEIGHT
        parts.append(
            f'  <text x="0" y="{top - 3}" class="chart-label">{escape(bar.label)}</text>\n'
            f'  <rect x="0" y="{top}" width="{track}" height="{BAR_HEIGHT}" class="chart-track"/>\n'
        )
        if not bar.hidden:
            parts.append(
                f'  <rect x="0" y="{top}" width="{bar.width:.1f}" height="{BAR_HEIGHT}" class="chart-bar"/>\n'
            )
        parts.append(
            f'  <text x="{WIDTH}" y="{top + BAR_HEIGHT - 3}" text-anchor="end" class="chart-value">'
            f"{escape(bar.value)}</text>\n"
        )
    parts.append("</svg>\n")
    return Markup("".join(parts))  # noqa: S704 - every text in it is escaped above
