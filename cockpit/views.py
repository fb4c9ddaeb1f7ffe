"""Pure shaping for the page: ages, badges, tables and chart frames (no Streamlit, no I/O)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from cockpit.actions import FillRow
from cockpit.data import MetricsPoint

#: Badge colour per ops status / reconcile / plan status (Streamlit colour names).
STATUS_COLORS = {
    "OK": "green",
    "GREEN": "green",
    "READY": "green",
    "COMPLETED": "green",
    "WARN": "orange",
    "AMBER": "orange",
    "CLIPPED": "orange",
    "PARTIAL": "orange",
    "BOOTSTRAP": "blue",
    "NO_RUN_HISTORY": "blue",
    "EMPTY": "gray",
    "BLOCKED": "red",
    "CRITICAL": "red",
    "FAILED": "red",
    "STOPPED": "red",
}
SEVERITY_ORDER = {"CRITICAL": 0, "WARN": 1, "INFO": 2}
_SPLIT = re.compile(r"[\s,:]+")


def badge(status: str | None) -> str:
    """A Streamlit markdown badge for a status (``:green-badge[OK]``); grey when unknown."""
    if not status:
        return ":gray-badge[no data]"
    return f":{STATUS_COLORS.get(status, 'gray')}-badge[{status}]"


def age(then: dt.datetime | None, now: dt.datetime) -> str:
    """How long ago ``then`` was, for a human (``3 h 20 min ago``)."""
    if then is None:
        return "unknown age"
    seconds = int((now - then).total_seconds())
    if seconds < 0:
        return "in the future (clock skew?)"
    if seconds < 90:
        return f"{seconds} s ago"
    minutes = seconds // 60
    if minutes < 90:
        return f"{minutes} min ago"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min ago"
    return f"{hours // 24} days ago"


def risks_frame(summary: dict[str, Any] | None) -> pd.DataFrame:
    """Top risks, most severe first."""
    rows = [
        {
            "severity": r["severity"],
            "code": r["code"],
            "message": r["message"],
            "evidence": ", ".join(r.get("evidence_refs") or []),
        }
        for r in (summary or {}).get("top_risks") or []
    ]
    rows.sort(key=lambda r: SEVERITY_ORDER.get(r["severity"], 9))
    return pd.DataFrame(rows, columns=["severity", "code", "message", "evidence"])


def orders_frame(plan: dict[str, Any] | None) -> pd.DataFrame:
    """The plan's order lines (sells first, as planned)."""
    cols = ["ticker", "side", "shares", "price_krw", "notional_krw", "target_weight", "reason"]
    rows = [{c: o.get(c) for c in cols} for o in (plan or {}).get("orders") or []]
    return pd.DataFrame(rows, columns=cols)


def series_frame(csv_text: str | None) -> pd.DataFrame:
    """``date,strategy,benchmark`` CSV -> frame indexed by date (empty if missing)."""
    if not csv_text:
        return pd.DataFrame(columns=["strategy", "benchmark"])
    frame = pd.read_csv(io.StringIO(csv_text), parse_dates=["date"])
    return frame.set_index("date")


def regime_spans(result: dict[str, Any] | None, until: dt.date | None) -> pd.DataFrame:
    """Locked-regime periods from the backtest's regime changes: start, end, regime."""
    changes = (result or {}).get("regime_changes") or []
    rows = []
    end_default = until or (dt.date.fromisoformat(result["asof"]) if result else None)
    for i, ch in enumerate(changes):
        start = dt.date.fromisoformat(ch["date"])
        nxt = changes[i + 1]["date"] if i + 1 < len(changes) else None
        end = dt.date.fromisoformat(nxt) if nxt else end_default or start
        rows.append({"start": start, "end": end, "regime": ch["regime"]})
    return pd.DataFrame(rows, columns=["start", "end", "regime"])


def day_states(recon_daily: dict[str, Any] | None) -> pd.DataFrame:
    """Per-session day state and what the server did, from the reconcile window."""
    cols = ["session", "signal_state", "gate", "plan_status", "receipt_decision", "issues"]
    rows = []
    for d in (recon_daily or {}).get("days") or []:
        row = {c: d.get(c) for c in cols}
        row["issues"] = ", ".join(d.get("issues") or [])
        rows.append(row)
    return pd.DataFrame(rows, columns=cols)


def history_frame(points: Sequence[MetricsPoint]) -> pd.DataFrame:
    """Key backtest metrics per commit, oldest first (for a chart and a table)."""
    rows = [
        {
            "committed_at": p.committed_at,
            "commit": p.commit[:8],
            "asof": p.asof,
            "total_return": p.total_return,
            "cagr": p.cagr,
            "sharpe": p.sharpe,
            "max_drawdown": p.max_drawdown,
            "benchmark_total_return": p.benchmark_total_return,
            "excess_return": p.excess_return,
            "subject": p.subject,
        }
        for p in reversed(points)
    ]
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- form parsing


def holdings_text(portfolio: dict[str, Any] | None) -> str:
    """The current holdings as editable lines ``TICKER SHARES AVG_PRICE``."""
    return "\n".join(
        f"{h['ticker']} {h['shares']} {h['avg_price_krw']}"
        for h in (portfolio or {}).get("holdings") or []
    )


def parse_holdings(text: str) -> tuple[list[tuple[str, int, int]], list[str]]:
    """Lines ``TICKER SHARES AVG_PRICE`` -> rows, and one error per bad line."""
    rows: list[tuple[str, int, int]] = []
    errors: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        parts = [p for p in _SPLIT.split(line.strip()) if p]
        if not parts:
            continue
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            errors.append(f"line {n}: {line.strip()!r}: expected TICKER SHARES AVG_PRICE")
            continue
        rows.append((parts[0].upper(), int(parts[1]), int(parts[2])))
    return rows, errors


def fills_text(plan: dict[str, Any] | None) -> str:
    """The plan's orders as editable fill lines ``TICKER SIDE SHARES PRICE FEE``."""
    return "\n".join(
        f"{o['ticker']} {o['side']} {o['shares']} {o['price_krw']} 0"
        for o in (plan or {}).get("orders") or []
        if o.get("shares", 0) > 0
    )


def parse_fills(text: str) -> tuple[list[FillRow], list[str]]:
    """Lines ``TICKER BUY|SELL SHARES PRICE [FEE]`` -> fills, and one error per bad line."""
    rows: list[FillRow] = []
    errors: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        parts = [p for p in _SPLIT.split(line.strip()) if p]
        if not parts:
            continue
        nums = parts[2:]
        if (
            len(parts) not in (4, 5)
            or parts[1].upper() not in ("BUY", "SELL")
            or not all(x.isdigit() for x in nums)
        ):
            errors.append(
                f"line {n}: {line.strip()!r}: expected TICKER BUY|SELL SHARES PRICE [FEE]"
            )
            continue
        fee = int(nums[2]) if len(nums) == 3 else 0
        rows.append(FillRow(parts[0].upper(), parts[1].upper(), int(nums[0]), int(nums[1]), fee))
    return rows, errors


def on_off(value: object, alarm: bool) -> str:
    """Badge for a switch; ``alarm``: on is the alarming state (emergency stop)."""
    if value is None:
        return ":gray-badge[?]"
    on = bool(value)
    color = ("red" if on else "green") if alarm else ("orange" if on else "gray")
    return f":{color}-badge[{'ON' if on else 'off'}]"
