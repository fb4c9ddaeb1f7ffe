"""The metric surface of a sweep as a self-contained SVG heat map (for the HTML report). Pure.

Cells are the (x, y) values of the leaderboard's two surface keys; a cell's colour is the
median out-of-sample Sharpe of every trial with those two values (the other keys vary inside
the cell), so one lucky trial cannot colour a region. Cells show the median and the trial
count; the current params' cell is outlined in black, the rank-1 candidate's in blue.
"""

from __future__ import annotations

import statistics
from html import escape

from pipeline.artifacts.sweep import SweepLeaderboardV1
from pipeline.core.svg import PAD_L, PAD_R, PAD_T, WIDTH

ParamValue = int | float | str
CELL_H = 26


def _order(v: ParamValue) -> tuple[int, float, str]:
    return (1, 0.0, v) if isinstance(v, str) else (0, float(v), "")


def _colour(v: float | None, span: float) -> str:
    """Diverging: red below 0, white at 0, green above (saturating at +-span)."""
    if v is None:
        return "#ddd"
    t = max(-1.0, min(1.0, v / span)) if span > 0 else 0.0
    if t >= 0:
        r, g, b = 255 - int(155 * t), 255 - int(75 * t), 255 - int(155 * t)
    else:
        r, g, b = 255 + int(35 * t), 255 + int(155 * t), 255 + int(155 * t)
    return f"#{r:02x}{g:02x}{b:02x}"


def surface_svg(board: SweepLeaderboardV1, title: str = "Out-of-sample Sharpe surface") -> str:
    """An SVG heat map of median OOS Sharpe over the board's two surface keys."""
    s = board.surface
    keys = list(board.swept_keys)
    ix, iy = keys.index(s.x), keys.index(s.y)
    cells: dict[tuple[ParamValue, ParamValue], list[float]] = {}
    seen: dict[tuple[ParamValue, ParamValue], int] = {}
    for p in s.points:
        key = (p.values[ix], p.values[iy])
        seen[key] = seen.get(key, 0) + 1
        if p.oos_sharpe is not None:
            cells.setdefault(key, []).append(p.oos_sharpe)
    if not seen:
        return f'<p class="empty">{escape(title)}: no data</p>'
    xs = sorted({k[0] for k in seen}, key=_order)
    ys = sorted({k[1] for k in seen}, key=_order)
    med = {k: statistics.median(v) for k, v in cells.items()}
    span = max((abs(v) for v in med.values()), default=0.0)
    cw = (WIDTH - PAD_L - PAD_R) / len(xs)
    height = PAD_T + CELL_H * len(ys) + 56
    marks = {
        (board.baseline.params[s.x], board.baseline.params[s.y]): "#000",
        (board.candidates[0].params[s.x], board.candidates[0].params[s.y]): "#1f5fbf",
    }
    body = []
    for j, yv in enumerate(reversed(ys)):
        y0 = PAD_T + j * CELL_H
        body.append(
            f'<text x="{PAD_L - 6}" y="{y0 + CELL_H / 2 + 4:.1f}" font-size="10" '
            f'text-anchor="end" fill="#666">{escape(str(yv))}</text>'
        )
        for i, xv in enumerate(xs):
            x0 = PAD_L + i * cw
            v = med.get((xv, yv))
            n = seen.get((xv, yv), 0)
            stroke = marks.get((xv, yv))
            outline = f' stroke="{stroke}" stroke-width="2"' if stroke else ' stroke="#fff"'
            label = "-" if v is None else f"{v:.2f}"
            body.append(
                f'<rect x="{x0:.1f}" y="{y0}" width="{cw:.1f}" height="{CELL_H}" '
                f'fill="{_colour(v, span)}"{outline}><title>{escape(s.x)}={escape(str(xv))}, '
                f"{escape(s.y)}={escape(str(yv))}: median OOS Sharpe {label} over {n} trial(s)"
                f"</title></rect>"
                f'<text x="{x0 + cw / 2:.1f}" y="{y0 + CELL_H / 2 + 4:.1f}" font-size="10" '
                f'text-anchor="middle">{label} ({n})</text>'
            )
    bottom = PAD_T + CELL_H * len(ys)
    for i, xv in enumerate(xs):
        body.append(
            f'<text x="{PAD_L + (i + 0.5) * cw:.1f}" y="{bottom + 14}" font-size="10" '
            f'text-anchor="middle" fill="#666">{escape(str(xv))}</text>'
        )
    body.append(
        f'<text x="{PAD_L + (WIDTH - PAD_L - PAD_R) / 2:.1f}" y="{bottom + 30}" font-size="11" '
        f'text-anchor="middle">{escape(s.x)} → · ↑ {escape(s.y)} · cell: median OOS Sharpe '
        f"(trials); black = current params, blue = rank 1</text>"
    )
    return (
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )
