"""Pure shaping for the page: ages, badges, tables and chart frames (no Streamlit, no I/O).

The words the operator reads are Korean (the house rule); the column names here are the one
home of the look section's table headers. Enum values (OK, BLOCKED, reason codes), tickers and
commit hashes stay as they are.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cockpit.actions import FillRow
from cockpit.data import MetricsPoint
from pipeline.core.message import SIDE_KO
from pipeline.enums import OrderSide

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

#: The ops summary's overall status (the daily message's "운영 상태").
OPS_STATUS = "운영 상태"
#: Where the page reads from (``Snapshot.source``) in the page's words.
SOURCE_KO = {"local": "로컬 저장소", "remote": "리졸버"}
#: A switch's file value in words (the ``on``/``off`` the forms and commit subjects use).
ON_OFF_KO = {"on": "켜짐", "off": "꺼짐"}
YES_NO_KO = {True: "예", False: "아니오"}
#: Table headers of the look section: artifact field -> the page's word.
ORDER_HEAD = {
    "ticker": "종목",
    "side": "구분",
    "shares": "수량(주)",
    "price_krw": "기준가(원)",
    "notional_krw": "금액(원)",
    "target_weight": "목표 비중",
    "reason": "사유",
}
RISK_HEAD = {"severity": "심각도", "code": "코드", "message": "내용", "evidence": "근거"}
ISSUE_HEAD = {"severity": "심각도", "code": "코드", "session": "거래일", "message": "내용"}
DAY_HEAD = {
    "session": "거래일",
    "signal_state": "신호 상태",
    "gate": "게이트",
    "plan_status": "계획 상태",
    "receipt_decision": "영수증 결정",
    "issues": "문제",
}
#: Key metrics per commit (the table's columns and the chart's legend).
HISTORY_HEAD = {
    "total_return": "총수익률",
    "benchmark_total_return": "069500 총수익률",
    "max_drawdown": "최대 낙폭",
    "committed_at": "커밋 시각",
    "commit": "커밋",
    "asof": "기준일",
    "cagr": "CAGR",
    "sharpe": "Sharpe",
    "excess_return": "초과 수익률",
    "subject": "커밋 제목",
}
#: The backtest CSVs' columns as the chart legends say them (the report's words).
SERIES_KO = {"strategy": "전략", "benchmark": "069500 보유"}
#: The editable line formats of the forms (their labels and the parse errors quote them).
HOLDINGS_FORMAT = "종목코드 수량 평균단가"
FILLS_FORMAT = "종목코드 BUY|SELL 수량 가격 [수수료]"


def badge(status: str | None) -> str:
    """A Streamlit markdown badge for a status (``:green-badge[OK]``); grey when unknown."""
    if not status:
        return ":gray-badge[데이터 없음]"
    return f":{STATUS_COLORS.get(status, 'gray')}-badge[{status}]"


def yes_no(value: object) -> str:
    """``예``/``아니오`` for a flag; ``?`` when unknown."""
    return YES_NO_KO[bool(value)] if isinstance(value, bool) else "?"


def age(then: dt.datetime | None, now: dt.datetime) -> str:
    """How long ago ``then`` was, for a human (``3시간 20분 전``)."""
    if then is None:
        return "시각 모름"
    seconds = int((now - then).total_seconds())
    if seconds < 0:
        return "미래 시각 (시계 차이?)"
    if seconds < 90:
        return f"{seconds}초 전"
    minutes = seconds // 60
    if minutes < 90:
        return f"{minutes}분 전"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}시간 {minutes}분 전"
    return f"{hours // 24}일 전"


def repo_label(repo: Path, cwd: Path, home: Path) -> str:
    """The local repo as the page shows it, without this machine's absolute path when it can:
    ``.`` or a relative path under the working folder, ``~/…`` under the home folder.

    The sidebar field shows this label and the page resolves it back against the same working
    folder, so it must stay a path (not just the folder's name).
    """
    for base, prefix in ((cwd, ""), (home, "~/")):
        if repo == base:
            return "." if not prefix else "~"
        if repo.is_relative_to(base):
            return prefix + repo.relative_to(base).as_posix()
    return repo.as_posix()


def risks_frame(summary: dict[str, Any] | None) -> pd.DataFrame:
    """Top risks of the ops summary, most severe first."""
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
    return pd.DataFrame(rows, columns=list(RISK_HEAD)).rename(columns=RISK_HEAD)


def side_ko(side: object) -> str:
    """``매수``/``매도`` (the message's words); anything else as it is."""
    return SIDE_KO.get(OrderSide(side), str(side)) if side in ("BUY", "SELL") else str(side)


def orders_frame(plan: dict[str, Any] | None) -> pd.DataFrame:
    """The plan's order lines (sells first, as planned)."""
    rows = [{c: o.get(c) for c in ORDER_HEAD} for o in (plan or {}).get("orders") or []]
    for row in rows:
        row["side"] = side_ko(row["side"])
    return pd.DataFrame(rows, columns=list(ORDER_HEAD)).rename(columns=ORDER_HEAD)


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


def issues_frame(recon: dict[str, Any] | None) -> pd.DataFrame:
    """The reconcile summary's issues."""
    rows = [{k: i.get(k) for k in ISSUE_HEAD} for i in (recon or {}).get("issues") or []]
    return pd.DataFrame(rows, columns=list(ISSUE_HEAD)).rename(columns=ISSUE_HEAD)


def day_states(recon_daily: dict[str, Any] | None) -> pd.DataFrame:
    """Per-session day state and what the server did, from the reconcile window."""
    rows = []
    for d in (recon_daily or {}).get("days") or []:
        row = {c: d.get(c) for c in DAY_HEAD}
        row["issues"] = ", ".join(d.get("issues") or [])
        rows.append(row)
    return pd.DataFrame(rows, columns=list(DAY_HEAD)).rename(columns=DAY_HEAD)


def history_frame(points: Sequence[MetricsPoint]) -> pd.DataFrame:
    """Key backtest metrics per commit, oldest first (for a chart and a table)."""
    head = [
        "committed_at",
        "commit",
        "asof",
        "total_return",
        "cagr",
        "sharpe",
        "max_drawdown",
        "benchmark_total_return",
        "excess_return",
        "subject",
    ]
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
    return pd.DataFrame(rows, columns=head).rename(columns=HISTORY_HEAD)


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
            errors.append(f"{n}번째 줄 {line.strip()!r}: `{HOLDINGS_FORMAT}` 형식이어야 합니다")
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
            errors.append(f"{n}번째 줄 {line.strip()!r}: `{FILLS_FORMAT}` 형식이어야 합니다")
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
    return f":{color}-badge[{ON_OFF_KO['on' if on else 'off']}]"
