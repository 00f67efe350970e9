"""Server-rendered SVG charts. Each chart is an image with a title and a description
(role="img", aria-labelledby); the page always shows the same numbers as a real table next to it.
No script, no inline style (the CSP forbids both): colours come from classes in caseflow.css."""
from __future__ import annotations

from collections.abc import Sequence
from itertools import count

from markupsafe import Markup, escape

_ids = count(1)


def _fmt(value) -> str:
    return "" if value is None else f"{value:,}".replace(",", "\u202f")


def bar_chart(title: str, description: str, rows: Sequence[tuple[str, int | None]], *,
              value_label=_fmt) -> Markup:
    """Horizontal bars, one per (label, value); None (a suppressed small cell) draws no bar."""
    n = next(_ids)
    label_width, bar_width, row_h = 300, 330, 26
    height = row_h * max(1, len(rows)) + 10
    top = max([v for _, v in rows if v] or [1])
    parts = [f'<svg class="chart" role="img" aria-labelledby="chart{n}-title chart{n}-desc" '
             f'viewBox="0 0 {label_width + bar_width + 70} {height}" width="{label_width + bar_width + 70}" '
             f'height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="chart{n}-title">{escape(title)}</title>',
             f'<desc id="chart{n}-desc">{escape(description)}</desc>']
    for i, (label, value) in enumerate(rows):
        y = 5 + i * row_h
        w = 0 if not value else max(2, round(bar_width * value / top))
        parts.append(f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{w}" height="{row_h - 8}"></rect>')
        parts.append(f'<text x="{label_width + w + 6}" y="{y + 17}">'
                     f'{escape(value_label(value) if value is not None else "< 5")}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(title: str, description: str, categories: Sequence[str],
                 series: Sequence[tuple[str, Sequence[int]]]) -> Markup:
    """Grouped vertical columns: one group per category (e.g. month), one column per series, with a legend."""
    n = next(_ids)
    groups, per = max(1, len(categories)), max(1, len(series))
    col_w, gap, plot_h, left, bottom = 9, 10, 180, 40, 50
    width = left + groups * (per * col_w + gap) + 20
    height = plot_h + bottom + 30
    top = max([v for _, values in series for v in values] or [1]) or 1
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
    lx = left
    for s, (name, _) in enumerate(series):
        parts.append(f'<rect class="bar bar-{s + 1}" x="{lx}" y="{height - 14}" width="10" height="10"></rect>')
        parts.append(f'<text x="{lx + 14}" y="{height - 5}">{escape(name)}</text>')
        lx += 14 + 8 * len(name) + 20
    parts.append("</svg>")
    return Markup("".join(parts))
