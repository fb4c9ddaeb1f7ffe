"""Stage ``reconcile``: intended (strategy) vs planned (server, from git history) vs executed.

Always runs (the server's history arrives by ``git pull``, which DVC cannot see), but its
outputs change only when the reconciled content does.
"""

from __future__ import annotations

from pathlib import Path

from pipeline import registry
from pipeline.artifacts.envelope import Envelope
from pipeline.artifacts.live import LiveCycleReceiptV2, OrderPlanV2
from pipeline.artifacts.recon import ReconDailyV1, ReconSource, ReconSummaryV1
from pipeline.artifacts.tickets import TicketResultV1
from pipeline.core.matrix import to_matrix
from pipeline.core.reconcile import IntendedTrade, Versioned, reconcile
from pipeline.core.regime import benchmark_day_states
from pipeline.enums import OrderSide
from pipeline.errors import EXIT_OK
from pipeline.io.context import input_ref, now_seoul, pinned_asof, producer
from pipeline.io.history import collection_at, open_store, versions
from pipeline.io.jsonio import write_artifact
from pipeline.io.parquet import TRADES_SCHEMA, read_table
from pipeline.io.prices import read_prices
from pipeline.krx_calendar import load_calendar
from pipeline.params import load_params, params_sha256


def main(root: Path, asof: str | None) -> int:
    params = load_params(root)
    cal = load_calendar(root)
    day = pinned_asof(root, asof, "reconcile")
    window = cal.between(cal.add(day, 1 - params.reconcile.window_trading_days), day)
    bench = read_prices(root).query("ticker == @params.strategy.benchmark")
    m = to_matrix(bench, [params.strategy.benchmark])
    state_on = benchmark_day_states(
        m.dates, m.high[:, 0], m.low[:, 0], m.close[:, 0], params.strategy
    )
    signal_states = {d: state_on.get(cal.add(d, -1)) for d in window}
    trades_path = registry.get("backtest_trades").path
    trades = read_table(root / trades_path, TRADES_SCHEMA)
    in_window = set(window)
    intended = [
        IntendedTrade(d, str(t), OrderSide(str(side)), int(n))
        for d, t, side, n in zip(
            trades["date"], trades["ticker"], trades["side"], trades["shares"], strict=True
        )
        if d in in_window
    ]
    store = open_store(root)
    plans = versions(store, registry.get("order_plan").path, OrderPlanV2)
    receipts = versions(store, registry.get("live_cycle_receipt").path, LiveCycleReceiptV2)
    tickets = collection_at(store, "reports/tickets", TicketResultV1)
    plans = [v for v in plans if v.doc.asof in in_window]
    receipts = [v for v in receipts if v.doc.asof in in_window]
    out = reconcile(
        window, signal_states, params.strategy.exposure, intended, plans, receipts, tickets
    )
    read: list[Versioned[Envelope]] = [*plans, *receipts, *tickets]
    sources = tuple(
        ReconSource(path=v.path, commit=v.commit, sha256=v.sha256, asof=v.doc.asof) for v in read
    )
    common = {
        "asof": day,
        "generated_at": now_seoul(),
        "producer": producer("reconcile", root),
        "params_sha256": params_sha256(params.reconcile, params.strategy),
        "inputs": (input_ref(root, registry.path("clock")), input_ref(root, trades_path)),
    }
    summary = ReconSummaryV1(
        **common,
        status=out.status,
        window_start=window[0],
        window_end=window[-1],
        counts=out.counts,
        coverage=out.coverage,
        issues=out.issues,
        sources=sources,
    )
    write_artifact(root, registry.get("recon_summary"), summary, keep_if_unchanged=True)
    daily = ReconDailyV1(**common, days=out.days)
    write_artifact(root, registry.get("recon_daily"), daily, keep_if_unchanged=True)
    print(
        f"reconcile: {out.status.value} over {window[0]}..{window[-1]} "
        f"({out.counts.critical} critical, {out.counts.warn} warn)"
    )
    return EXIT_OK
