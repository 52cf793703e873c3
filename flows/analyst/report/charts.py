"""Grouped bar charts as inline SVG, drawn here so the page needs no JavaScript and no fetched asset."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from flows.analyst.report.html import esc, fmt

PALETTE = ("#2b6cb0", "#dd6b20", "#38a169", "#d53f8c", "#805ad5", "#718096", "#b7791f")


@dataclass(slots=True)
class Chart:
    """A grouped bar chart: one group per year, one bar per series."""

    title: str
    years: list[int]
    series: list[tuple[str, str]]  # (key, label)
    values: dict[tuple[str, int], float | None]
    notes: dict[str, str] = field(default_factory=dict)  # key -> grade / caveat shown in the legend
    break_before: set[int] = field(default_factory=set)
    reported: set[int] | None = None  # years with a report (None: every year with a value)


def bar_chart_svg(chart: Chart, width: int = 760, height: int = 280) -> str:
    """Grouped bars with value labels, a y grid, a legend, and a dashed line where the report form
    changed (break_before: values on both sides are comparable only as graded in the legend)."""
    left, right, top, bottom = 56, 16, 56, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    present = [v for v in chart.values.values() if v is not None and not math.isnan(v)]
    vmax = nice_max(max(present) if present else 1.0)
    n_years = max(len(chart.years), 1)
    group_w = plot_w / n_years
    n_series = max(len(chart.series), 1)
    bar_w = min(36.0, group_w * 0.8 / n_series)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{esc(chart.title)}" class="chart">'
    ]
    for i in range(5):  # y grid and labels
        v = vmax * i / 4
        y = top + plot_h - plot_h * i / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">{fmt(v)}</text>')
    for gi, year in enumerate(chart.years):
        gx = left + gi * group_w
        x0 = gx + (group_w - bar_w * n_series) / 2
        if year in chart.break_before and gi > 0:
            out.append(
                f'<line x1="{gx:.1f}" y1="{top - 6}" x2="{gx:.1f}" y2="{top + plot_h}" class="break"/>'
                f'<text x="{gx + 4:.1f}" y="{height - 2}" class="note">← 口径变化 form changed</text>'
            )
        if all(chart.values.get((key, year)) is None for key, _ in chart.series):
            out.append(
                f'<text x="{gx + group_w / 2:.1f}" y="{top + plot_h - 6}" class="na" text-anchor="middle">'
                f"{'无报告 no report' if chart.reported is None or year not in chart.reported else '表式无此项 n/a'}</text>"
            )
            out.append(
                f'<text x="{gx + group_w / 2:.1f}" y="{height - 12}" class="year" text-anchor="middle">{year}</text>'
            )
            continue
        for si, (key, label) in enumerate(chart.series):
            value = chart.values.get((key, year))
            x = x0 + si * bar_w
            color = PALETTE[si % len(PALETTE)]
            if value is None or math.isnan(value):
                out.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - 4}" class="na" '
                    f'text-anchor="middle">–<title>{esc(label)} {year}: not reported</title></text>'
                )
                continue
            h = plot_h * value / vmax if vmax else 0
            y = top + plot_h - h
            out.append(
                f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" '
                f'fill="{color}"><title>{esc(label)} {year}: {fmt(value)}</title></rect>'
            )
            out.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" class="val" text-anchor="middle">{fmt(value)}</text>'
            )
        out.append(
            f'<text x="{gx + group_w / 2:.1f}" y="{height - 12}" class="year" text-anchor="middle">{year}</text>'
        )
    lx, ly = left, 16
    for si, (key, label) in enumerate(chart.series):  # legend, wrapping to a second row
        text = label + (f" · {chart.notes[key]}" if key in chart.notes else "")
        w = 18 + 7.2 * display_len(text)
        if lx + w > width - right:
            lx, ly = left, ly + 16
        out.append(
            f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{PALETTE[si % len(PALETTE)]}"/>'
        )
        out.append(f'<text x="{lx + 14}" y="{ly}" class="legend">{esc(text)}</text>')
        lx += int(w)
    out.append("</svg>")
    return "".join(out)


def year_span(years: Sequence[int]) -> list[int]:
    """Every year from the first to the last: a year without a report is a visible gap, not skipped."""
    return list(range(min(years), max(years) + 1)) if years else []


def nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    for step in (1, 2, 2.5, 5, 10):
        if v <= step * exp:
            return step * exp
    return 10 * exp


def display_len(text: str) -> float:
    """Width in Latin characters: CJK glyphs are about twice as wide."""
    return sum(1.9 if ord(ch) > 0x2E80 else 1.0 for ch in text)
