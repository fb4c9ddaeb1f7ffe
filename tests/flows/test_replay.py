"""Replay 30 consecutive KRX trading days of the sample data (driven by KRX_ASOF) on a real git
repo, with operator tickets filled at plan prices: exactly one receipt per trading day, none for
weekends and holidays (Chuseok 2025 is inside the window)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.enums import TicketKind
from pipeline.params import load_params
from pipeline.sources.sample import generate
from tests.server.factories import (
    SRC,
    bundle_model,
    cal,
    commit_all,
    git,
    git_init,
    portfolio,
    put,
    read_json,
    run_day,
    ticket,
)

pytestmark = pytest.mark.slow
RECEIPT = "reports/live/live_cycle_receipt.json"


def sample_closes(start: dt.date, end: dt.date) -> dict[dt.date, dict[str, int]]:
    """Closes of the project's deterministic sample source (the `sample` data source)."""
    params = load_params(SRC)
    wanted = [i for i in params.data.universe if i.ticker in ("069500", "102110", "132030")]
    frame = generate(params.data, wanted, start, end, cal())
    out: dict[dt.date, dict[str, int]] = {}
    for row in frame.itertuples():
        out.setdefault(row.date, {})[str(row.ticker)] = int(row.close)
    return out


def test_thirty_trading_days(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    c = cal()
    start = dt.date(2025, 9, 15)
    days = c.between(start, c.add(start, 29))
    assert len(days) == 30
    root = tmp_path / "repo"
    from tests.server.factories import make_repo

    make_repo(root)
    git_init(root)
    first_signal = c.add(start, -1)
    put(root, "portfolio", portfolio(first_signal, cash=20_000_000))
    commit_all(root, "pc: baseline portfolio")
    calendar_days = [start + dt.timedelta(n) for n in range((days[-1] - start).days + 1)]
    closes = sample_closes(first_signal, days[-1])
    exits = {}
    for day in calendar_days:
        if c.is_trading_day(day):
            signal = c.add(day, -1)  # the PC ran on the previous close
            put(
                root,
                "strategy_bundle",
                bundle_model(
                    signal,
                    closes=dict(closes[signal]),
                    rebalance_due=c.is_first_of_month(day) or day == start,
                ),
            )
            commit_all(root, f"artifact(bundle): asof {signal}")
        exits[day] = run_day(root, day, monkeypatch)  # the cron runs every calendar day
        if git(root, "status", "--porcelain"):
            commit_all(root, f"artifact(server): asof {day}")
        plan = (
            read_json(root, "order_plan")
            if (root / "reports/live/order_plan.json").exists()
            else None
        )
        if plan and plan["asof"] == day.isoformat() and plan["plan_id"]:
            fills = [
                (o["ticker"], o["side"], o["shares"], o["price_krw"])
                for o in plan["orders"]
                if o["shares"] > 0
            ]
            kind = TicketKind.EXECUTION if fills else TicketKind.ACK
            tid = f"T-{day:%Y%m%d}"
            put(root, "ticket", ticket(tid, plan["plan_id"], day, fills or None, kind=kind), tid)
            commit_all(root, f"ticket: {tid}")
    shas = git(root, "log", "--format=%H", "--", RECEIPT).split()
    asofs = [json.loads(git(root, "show", f"{sha}:{RECEIPT}"))["asof"] for sha in shas]
    assert sorted(asofs) == [d.isoformat() for d in days]  # one per trading day, no duplicates
    assert all(exits[d] == 0 for d in days)
    assert not any(c.is_trading_day(d) for d in calendar_days if d not in days)
    assert dt.date(2025, 10, 6) not in days and dt.date(2025, 10, 10) in days
    results = sorted(p.stem for p in (root / "reports/tickets").glob("*.json"))
    assert len(results) == 29  # every plan's ticket but the last day's was processed
    statuses = {read_json(root, "ticket_result", k)["status"] for k in results}
    assert statuses == {"DONE"}
    pos = read_json(root, "positions")
    assert pos["cash_krw"] >= 0 and pos["inconsistencies"] == []
