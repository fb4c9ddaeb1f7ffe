"""Tiny, dependency-free SVG charts for the self-contained HTML report (no CDN, no JS)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 860, 260
PAD_L, PAD_R, PAD_T, PAD_B = 64, 16, 16, 28


@dataclass(frozen=True)
class Series:
    label: str
    dates: Sequence[dt.date]
    values: Sequence[float]
    color: str
    fill: bool = False


Scale = Callable[[float], float]


def _scale(lo: float, hi: float, a: float, b: float) -> Scale:
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def _x_axis(first: dt.date, last: dt.date, fx: Scale) -> str:
    out = []
    for year in range(first.year + 1, last.year + 1):
        x = fx(dt.date(year, 1, 1).toordinal())
        out.append(
            f'<line x1="{x:.1f}" y1="{PAD_T}" x2="{x:.1f}" y2="{HEIGHT - PAD_B}" '
            f'stroke="#eee"/><text x="{x:.1f}" y="{HEIGHT - 8}" font-size="10" '
            f'text-anchor="middle" fill="#666">{year}</text>'
        )
    return "".join(out)


def line_chart(series: Sequence[Series], title: str, percent: bool = False) -> str:
    """An SVG line (or filled area) chart of one or more date series."""
    pts = [(d, v) for s in series for d, v in zip(s.dates, s.values, strict=True)]
    if not pts:
        return f'<p class="empty">{escape(title)}: no data</p>'
    first, last = min(d for d, _ in pts), max(d for d, _ in pts)
    lo, hi = min(v for _, v in pts), max(v for _, v in pts)
    if any(s.fill for s in series):
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    fx = _scale(
        first.toordinal(), max(last.toordinal(), first.toordinal() + 1), PAD_L, WIDTH - PAD_R
    )
    fy = _scale(lo, hi, HEIGHT - PAD_B, PAD_T)
    body = [_x_axis(first, last, fx)]
    for i in range(5):
        v = lo + (hi - lo) * i / 4
        label = f"{v * 100:.0f}%" if percent else f"{v:,.0f}"
        body.append(
            f'<line x1="{PAD_L}" y1="{fy(v):.1f}" x2="{WIDTH - PAD_R}" y2="{fy(v):.1f}" '
            f'stroke="#eee"/><text x="{PAD_L - 6}" y="{fy(v) + 3:.1f}" font-size="10" '
            f'text-anchor="end" fill="#666">{label}</text>'
        )
    legend = []
    for k, s in enumerate(series):
        coords = " ".join(
            f"{fx(d.toordinal()):.1f},{fy(v):.1f}" for d, v in zip(s.dates, s.values, strict=True)
        )
        if s.fill and s.dates:
            x0, x1 = fx(s.dates[0].toordinal()), fx(s.dates[-1].toordinal())
            body.append(
                f'<polygon points="{x0:.1f},{fy(0):.1f} {coords} {x1:.1f},{fy(0):.1f}" '
                f'fill="{s.color}" fill-opacity="0.35" stroke="{s.color}" stroke-width="1"/>'
            )
        else:
            body.append(
                f'<polyline points="{coords}" fill="none" stroke="{s.color}" stroke-width="1.5"/>'
            )
        legend.append(
            f'<rect x="{PAD_L + 10 + k * 170}" y="{PAD_T + 2}" width="10" height="10" '
            f'fill="{s.color}"/><text x="{PAD_L + 24 + k * 170}" y="{PAD_T + 11}" '
            f'font-size="11">{escape(s.label)}</text>'
        )
    return (
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(body)
        + "".join(legend)
        + "</svg>"
    )


def timeline(
    days: Sequence[dt.date], states: Sequence[str], colors: dict[str, str], title: str
) -> str:
    """A one-row band coloured by state per day (e.g. the regime timeline)."""
    if not days:
        return f'<p class="empty">{escape(title)}: no data</p>'
    height = 70
    first, last = days[0], days[-1]
    fx = _scale(
        first.toordinal(), max(last.toordinal(), first.toordinal() + 1), PAD_L, WIDTH - PAD_R
    )
    rects, start = [], 0
    for i in range(1, len(days) + 1):
        if i == len(days) or states[i] != states[start]:
            x0 = fx(days[start].toordinal())
            x1 = fx(days[i].toordinal()) if i < len(days) else WIDTH - PAD_R
            rects.append(
                f'<rect x="{x0:.1f}" y="8" width="{max(x1 - x0, 0.5):.1f}" height="30" '
                f'fill="{colors.get(states[start], "#999")}"><title>{escape(states[start])} '
                f"{days[start]}..{days[i - 1]}</title></rect>"
            )
            start = i
    legend = "".join(
        f'<rect x="{PAD_L + k * 110}" y="48" width="10" height="10" fill="{c}"/>'
        f'<text x="{PAD_L + 14 + k * 110}" y="57" font-size="11">{escape(s)}</text>'
        for k, (s, c) in enumerate(colors.items())
    )
    return (
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(rects)
        + legend
        + "</svg>"
    )
