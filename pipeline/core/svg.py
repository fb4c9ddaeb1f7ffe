"""Tiny, dependency-free SVG charts for the self-contained HTML report (no CDN, no JS).

Every chart is drawn twice, for a wide and a narrow (phone) box; the page's CSS shows one of
the two (``.wide`` / ``.narrow``), so labels keep a readable size at 420 px. Ticks are round
numbers, the y unit is written on the axis, the x axis is time, and legends are HTML above the
chart (never over the data).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

WIDE = (860, 260)
NARROW = (400, 230)
FONT = 11
PAD_R, PAD_T, PAD_B = 12, 20, 22
WIDTH, HEIGHT = WIDE
PAD_L = 64  # fixed left margin of charts without tick labels of varying width (sweep surface)


@dataclass(frozen=True)
class Series:
    label: str
    dates: Sequence[dt.date]
    values: Sequence[float | None]  # None: a gap in the line
    color: str
    fill: bool = False  # area down to 0 (e.g. drawdown)


@dataclass(frozen=True)
class YAxis:
    """How the y axis is labelled: ``unit`` is written above it; ``kind`` formats the ticks."""

    unit: str
    kind: str = "number"  # number | percent | millions
    zero_line: bool = False

    def label(self, v: float, step: float) -> str:
        if self.kind == "percent":
            return f"{v * 100:.{_decimals(step * 100)}f}%"
        if self.kind == "millions":
            return f"{v / 1e6:,.{_decimals(step / 1e6)}f}"
        return f"{v:,.{_decimals(step)}f}"


def _decimals(step: float) -> int:
    """Fewest decimals that write ``step`` exactly (2.5 -> 1, 0.02 -> 2, 5 -> 0)."""
    for d in range(7):
        if abs(round(step, d) - step) <= 1e-9 * max(1.0, abs(step)):
            return d
    return 6


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round ticks (1, 2, 2.5, 5 x 10^k apart) covering ``[lo, hi]``; about ``count`` of them."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError("nice_ticks: bounds must be finite")
    if hi < lo:
        lo, hi = hi, lo
    span = hi - lo or abs(hi) or 1.0
    raw = span / max(count - 1, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1.0, 2.0, 2.5, 5.0, 10.0) if s * mag >= raw * (1 - 1e-9))
    first = math.floor(lo / step + 1e-9) * step
    last = math.ceil(hi / step - 1e-9) * step
    if last <= first:
        last = first + step
    n = round((last - first) / step)
    return [round(first + i * step, 12) for i in range(n + 1)]


Scale = Callable[[float], float]


def _scale(lo: float, hi: float, a: float, b: float) -> Scale:
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def time_ticks(first: dt.date, last: dt.date, width_px: float) -> list[tuple[dt.date, str]]:
    """Year ticks (every k years so labels stay >= 44 px apart), or months (every 1, 2, 3, 6
    or 12) for spans up to three years."""
    room = max(int(width_px // 44), 2)
    days = max((last - first).days, 1)
    if days > 3 * 365:
        years = [y for y in range(first.year, last.year + 2) if first <= dt.date(y, 1, 1) <= last]
        k = next(k for k in (1, 2, 3, 4, 5, 10, 20, 50) if len(years) / k <= room)
        return [(dt.date(y, 1, 1), str(y)) for y in years if y % k == 0]
    months = []
    y, m = first.year, first.month
    while dt.date(y, m, 1) <= last:
        if dt.date(y, m, 1) >= first:
            months.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    k = next(k for k in (1, 2, 3, 6, 12) if len(months) / k <= room)
    picked = [d for d in months if (d.month - 1) % k == 0]
    # January shows its year, the first tick its year and month, the others the month.
    return [
        (d, str(d.year) if d.month == 1 else f"{d.year}.{d.month}" if i == 0 else f"{d.month}월")
        for i, d in enumerate(picked)
    ]


def _text(x: float, y: float, s: str, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{FONT}" text-anchor="{anchor}" '
        f'fill="#555"{extra}>{escape(s)}</text>'
    )


def _x_axis(first: dt.date, last: dt.date, fx: Scale, left: float, w: int, h: int) -> str:
    out = []
    for d, label in time_ticks(first, last, w - left - PAD_R):
        x = fx(d.toordinal())
        out.append(
            f'<line x1="{x:.1f}" y1="{PAD_T}" x2="{x:.1f}" y2="{h - PAD_B}" stroke="#eee"/>'
            + _text(x, h - 6, label)
        )
    return "".join(out)


def _thin(points: list[tuple[float, float]], width: float) -> list[tuple[float, float]]:
    """Keep first, min, max and last point per pixel column (the shape survives, bytes don't)."""
    if len(points) <= 2 * width:
        return points
    keep: list[tuple[float, float]] = []
    bucket: list[tuple[float, float]] = []
    for p in points:
        if bucket and int(p[0]) != int(bucket[0][0]):
            keep.extend(_bucket(bucket))
            bucket = []
        bucket.append(p)
    keep.extend(_bucket(bucket))
    return keep


def _bucket(b: list[tuple[float, float]]) -> list[tuple[float, float]]:
    idx = {0, len(b) - 1, min(range(len(b)), key=lambda i: b[i][1])}
    idx.add(max(range(len(b)), key=lambda i: b[i][1]))
    return [b[i] for i in sorted(idx)]


def _segments(s: Series) -> list[list[tuple[dt.date, float]]]:
    out: list[list[tuple[dt.date, float]]] = [[]]
    for d, v in zip(s.dates, s.values, strict=True):
        if v is None or not math.isfinite(v):
            if out[-1]:
                out.append([])
            continue
        out[-1].append((d, v))
    return [seg for seg in out if seg]


def line_chart(series: Sequence[Series], title: str, y: YAxis, size: tuple[int, int] = WIDE) -> str:
    """An SVG line (or filled area) chart of date series, ``size`` = (width, height) units."""
    w, h = size
    segs = [(s, seg) for s in series for seg in _segments(s)]
    pts = [p for _, seg in segs for p in seg]
    if not pts:
        return f'<p class="empty">{escape(title)}: 데이터 없음 (no data)</p>'
    first, last = min(d for d, _ in pts), max(d for d, _ in pts)
    lo, hi = min(v for _, v in pts), max(v for _, v in pts)
    if any(s.fill for s in series) or y.zero_line:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    ticks = nice_ticks(lo, hi, 5 if h >= 240 else 4)
    step = ticks[1] - ticks[0]
    labels = [y.label(v, step) for v in ticks]
    left = 10 + 6.5 * max(len(s) for s in labels)
    fx = _scale(first.toordinal(), max(last.toordinal(), first.toordinal() + 1), left, w - PAD_R)
    fy = _scale(ticks[0], ticks[-1], h - PAD_B, PAD_T)
    body = [_x_axis(first, last, fx, left, w, h)]
    for v, label in zip(ticks, labels, strict=True):
        stroke = "#999" if (v == 0 and y.zero_line) else "#eee"
        body.append(
            f'<line x1="{left:.1f}" y1="{fy(v):.1f}" x2="{w - PAD_R}" y2="{fy(v):.1f}" '
            f'stroke="{stroke}"/>' + _text(left - 5, fy(v) + 4, label, "end")
        )
    body.append(_text(4, 12, y.unit, "start", ' font-weight="600"'))
    for s, seg in segs:
        xy = _thin([(fx(d.toordinal()), fy(v)) for d, v in seg], w - left - PAD_R)
        coords = " ".join(f"{a:.1f},{b:.1f}" for a, b in xy)
        if s.fill:
            x0, x1 = xy[0][0], xy[-1][0]
            body.append(
                f'<polygon points="{x0:.1f},{fy(0):.1f} {coords} {x1:.1f},{fy(0):.1f}" '
                f'fill="{s.color}" fill-opacity="0.3" stroke="{s.color}" stroke-width="1"/>'
            )
        else:
            body.append(
                f'<polyline points="{coords}" fill="none" stroke="{s.color}" '
                f'stroke-width="1.5" stroke-linejoin="round"/>'
            )
    return _svg(title, w, h, "".join(body))


def _svg(title: str, w: int, h: int, body: str) -> str:
    return (
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {w} {h}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def legend(items: Sequence[tuple[str, str]]) -> str:
    """An HTML legend (label, colour) shown above a chart, off the data."""
    return (
        '<div class="legend">'
        + "".join(
            f'<span><i style="background:{c}"></i>{escape(label)}</span>' for label, c in items
        )
        + "</div>"
    )


def responsive(draw: Callable[[tuple[int, int]], str]) -> str:
    """The chart drawn for a wide and a narrow box; CSS shows the one that fits."""
    return (
        f'<div class="wide">{draw(WIDE)}</div><div class="narrow">{draw((NARROW[0], NARROW[1]))}'
        "</div>"
    )


def timeline(
    days: Sequence[dt.date],
    states: Sequence[str],
    colors: dict[str, str],
    title: str,
    size: tuple[int, int] = WIDE,
) -> str:
    """A one-row band coloured by state per day (e.g. the regime strip), with a time axis."""
    if not days:
        return f'<p class="empty">{escape(title)}: 데이터 없음 (no data)</p>'
    w, h = size[0], 64
    left = 10.0
    first, last = days[0], days[-1]
    fx = _scale(first.toordinal(), max(last.toordinal(), first.toordinal() + 1), left, w - PAD_R)
    rects, start = [], 0
    for i in range(1, len(days) + 1):
        if i == len(days) or states[i] != states[start]:
            x0 = fx(days[start].toordinal())
            x1 = fx(days[i].toordinal()) if i < len(days) else w - PAD_R
            rects.append(
                f'<rect x="{x0:.1f}" y="6" width="{max(x1 - x0, 0.5):.1f}" height="30" '
                f'fill="{colors.get(states[start], "#999")}"><title>{escape(states[start])} '
                f"{days[start]}..{days[i - 1]}</title></rect>"
            )
            start = i
    axis = []
    for d, label in time_ticks(first, last, w - left - PAD_R):
        x = fx(d.toordinal())
        axis.append(
            f'<line x1="{x:.1f}" y1="36" x2="{x:.1f}" y2="42" stroke="#777"/>' + _text(x, 56, label)
        )
    return _svg(title, w, h, "".join(rects) + "".join(axis))
