"""Server-rendered SVG charts. Each chart is an image with a title and a description
(role="img", aria-labelledby); the page always shows the same numbers as a real table next to it.
No script, no inline style (the CSP forbids both): colours come from classes in caseflow.css."""
from __future__ import annotations

import textwrap
from collections.abc import Sequence
from itertools import count

from markupsafe import Markup, escape

_ids = count(1)


def _fmt(value) -> str:
    return "" if value is None else f"{value:,}".replace(",", "\u202f")


# Sizes come from the text, so that no label is ever cut off: the chart text is 12px
# (caseflow.css), whose glyphs average well under CHAR_WIDTH (the widest, "W" and "M", reach it);
# long labels wrap onto several lines instead of running past the left edge.
CHAR_WIDTH = 7.5
LINE_HEIGHT = 15
WRAP_AT = 38      # characters per label line


def text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def wrap_label(text: str, width: int = WRAP_AT) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def bar_chart(title: str, description: str, rows: Sequence[tuple[str, int | None]], *,
              value_label=_fmt) -> Markup:
    """Horizontal bars, one per (label, value); None (a suppressed small cell) draws no bar. Labels
    wrap onto several lines; the label column and the room for the values are as wide as their
    longest text."""
    n = next(_ids)
    wrapped = [wrap_label(label) for label, _ in rows]
    values = [value_label(v) if v is not None else "< 5" for _, v in rows]
    label_width = round(max([text_width(line) for lines in wrapped for line in lines] or [0]) + 16)
    value_width = round(max([text_width(v) for v in values] or [0]) + 16)
    bar_width = 330
    width = label_width + bar_width + value_width
    heights = [max(26, len(lines) * LINE_HEIGHT + 11) for lines in wrapped]
    height = sum(heights) + 10
    top = max([v for _, v in rows if v] or [1])
    parts = [f'<svg class="chart" role="img" aria-labelledby="chart{n}-title chart{n}-desc" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="chart{n}-title">{escape(title)}</title>',
             f'<desc id="chart{n}-desc">{escape(description)}</desc>']
    y = 5
    for (_, value), lines, shown, row_h in zip(rows, wrapped, values, heights, strict=True):
        w = 0 if not value else max(2, round(bar_width * value / top))
        middle = y + row_h / 2
        first = middle - (len(lines) - 1) * LINE_HEIGHT / 2 + 4
        spans = "".join(f'<tspan x="{label_width - 8}" y="{first + i * LINE_HEIGHT:g}">{escape(line)}</tspan>'
                        for i, line in enumerate(lines))
        parts.append(f'<text text-anchor="end">{spans}</text>')
        parts.append(f'<rect class="bar" x="{label_width}" y="{middle - 9:g}" width="{w}" height="18"></rect>')
        parts.append(f'<text x="{label_width + w + 6}" y="{middle + 4:g}">{escape(shown)}</text>')
        y += row_h
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(title: str, description: str, categories: Sequence[str],
                 series: Sequence[tuple[str, Sequence[int]]]) -> Markup:
    """Grouped vertical columns: one group per category (e.g. month), one column per series, with a
    legend. The room below the axis fits the longest (slanted) category label, the width fits the
    legend, and the top value's label fits on the left."""
    n = next(_ids)
    groups, per = max(1, len(categories)), max(1, len(series))
    col_w, gap, plot_h = 9, 10, 180
    top = max([v for _, values in series for v in values] or [1]) or 1
    # a category label slanted at 45° reaches down and to the left by its length / √2
    slant = max([text_width(c) for c in categories] or [0]) / 1.414
    left = round(max(text_width(_fmt(top)) + 14, slant + 6))
    bottom = round(slant + 24)
    legend_width = sum(14 + text_width(name) + 20 for name, _ in series)
    width = round(max(left + groups * (per * col_w + gap) + 20, legend_width + left + 10))
    height = plot_h + bottom + 30
    parts = [f'<svg class="chart" role="img" aria-labelledby="chart{n}-title chart{n}-desc" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="chart{n}-title">{escape(title)}</title>',
             f'<desc id="chart{n}-desc">{escape(description)}</desc>',
             f'<line class="axis" x1="{left}" y1="{plot_h + 10}" x2="{width - 10}" y2="{plot_h + 10}"></line>',
             f'<text x="{left - 6}" y="{15}" text-anchor="end">{escape(_fmt(top))}</text>',
             f'<text x="{left - 6}" y="{plot_h + 10}" text-anchor="end">0</text>']
    for g, category in enumerate(categories):
        x0 = left + g * (per * col_w + gap) + gap / 2
        for s, (_, values) in enumerate(series):
            v = values[g]
            h = 0 if not v else max(1, round(plot_h * v / top))
            parts.append(f'<rect class="bar bar-{s + 1}" x="{x0 + s * col_w}" y="{plot_h + 10 - h}" '
                         f'width="{col_w - 1}" height="{h}"></rect>')
        if groups <= 24 or g % max(1, groups // 12) == 0:
            cx = x0 + per * col_w / 2
            parts.append(f'<text x="{cx}" y="{plot_h + 26}" text-anchor="end" '
                         f'transform="rotate(-45 {cx} {plot_h + 26})">{escape(category)}</text>')
    lx: float = left
    for s, (name, _) in enumerate(series):
        parts.append(f'<rect class="bar bar-{s + 1}" x="{lx:g}" y="{height - 14}" width="10" height="10"></rect>')
        parts.append(f'<text x="{lx + 14:g}" y="{height - 5}">{escape(name)}</text>')
        lx += 14 + text_width(name) + 20
    parts.append("</svg>")
    return Markup("".join(parts))
