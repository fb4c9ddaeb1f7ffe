"""Report inputs built from a synthetic backtest (no checkout data): ``make_report_inputs``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from typing import Any

import numpy as np
import pandas as pd

from pipeline.artifacts.backtest import BacktestResultV1
from pipeline.artifacts.bundle import StrategyBundleV1
from pipeline.artifacts.envelope import Producer
from pipeline.artifacts.live import OrderLine, OrderPlanV2
from pipeline.artifacts.recon import ReconSummaryV1
from pipeline.core import handoff
from pipeline.core.backtest import BacktestRun, backtest_bars
from pipeline.core.reconcile import reconcile
from pipeline.core.regime import benchmark_day_states
from pipeline.core.report import ReportInputs
from pipeline.enums import (
    CycleReason,
    ExecutionGate,
    OrderAdjustment,
    OrderReason,
    OrderSide,
    PlanStatus,
    PriceSource,
)
from pipeline.flows.reports import fills_from_frame
from pipeline.krx_calendar import load_calendar
from pipeline.params import Params
from tests.conftest import ROOT
from tests.core.bt_factories import make_bars, make_params
from tests.core.test_backtest import FAST

NOW = dt.datetime(2026, 1, 1, 16, tzinfo=dt.UTC)


def _env(asof: dt.date, stage: str) -> dict[str, Any]:
    return handoff.envelope(
        asof, NOW, Producer(stage=stage, host="PC", code_sha=None), "a" * 64, []
    )


@functools.cache
def _base(days: int, seed: int) -> ReportInputs:
    return _build(days, seed)


def make_report_inputs(days: int = 500, seed: int = 5, **overrides: Any) -> ReportInputs:
    """A full, valid set of report inputs from ``days`` synthetic sessions (cached)."""
    return dataclasses.replace(_base(days, seed), **overrides)


@dataclasses.dataclass(frozen=True)
class World:
    """A synthetic backtest and the artifacts the reports stage reads."""

    params: Params
    bars: pd.DataFrame
    run: BacktestRun
    result: BacktestResultV1
    bundle: StrategyBundleV1
    recon: ReconSummaryV1


@functools.cache
def backtest_world(days: int = 500, seed: int = 5) -> World:
    """Bars, backtest, result, bundle and a bootstrap reconcile summary (cached)."""
    params = make_params(**FAST)
    bars = make_bars(days, seed=seed)
    asof = bars["date"].max()
    run = backtest_bars(bars, params, asof)
    cal = load_calendar(ROOT)
    result = handoff.result_artifact(run, params, _env(asof, "backtest"), PriceSource.SAMPLE, True)
    bundle = handoff.bundle_artifact(
        run, params, cal, _env(asof, "backtest"), PriceSource.SAMPLE, True
    )
    eq, _ = handoff.series_frames(run)
    window = [dt.date.fromisoformat(d) for d in eq["date"][-20:]]
    out = reconcile(window, {}, params.strategy.exposure, [], [], [], [])
    recon = ReconSummaryV1(
        **_env(asof, "reconcile"),
        status=out.status,
        window_start=window[0],
        window_end=window[-1],
        counts=out.counts,
        coverage=out.coverage,
        issues=out.issues,
        sources=(),
    )
    return World(params, bars, run, result, bundle, recon)


def _build(days: int, seed: int) -> ReportInputs:
    """A full, valid set of report inputs from ``days`` synthetic sessions."""
    w = backtest_world(days, seed)
    params, run, result, bundle, recon = w.params, w.run, w.result, w.bundle, w.recon
    cal = load_calendar(ROOT)
    eq, dd = handoff.series_frames(run)
    fills = fills_from_frame(handoff.trades_frame(run))
    m = run.matrix
    b = m.column(params.strategy.benchmark)
    states = benchmark_day_states(
        m.dates, m.high[:, b], m.low[:, b], m.close[:, b], params.strategy
    )
    kwargs: dict[str, Any] = {
        "result": result,
        "bundle": bundle,
        "recon": recon,
        "names": {i.ticker: i.name for i in params.data.universe},
        "dates": [dt.date.fromisoformat(d) for d in eq["date"]],
        "equity": eq["strategy"].tolist(),
        "bench_equity": eq["benchmark"].tolist(),
        "drawdown": dd["strategy"].tolist(),
        "bench_drawdown": dd["benchmark"].tolist(),
        "states": sorted(states.items()),
        "source_note": "SYNTHETIC test bars",
        "fills": fills,
        "next_rebalance": cal.add(bundle.valid_until, 1),
        "risk_free_rate": params.backtest.risk_free_rate,
        "rolling_window": 63,
    }
    return ReportInputs(**kwargs)


def make_plan(
    bundle_asof: dt.date, session: dt.date, orders: int = 2, status: PlanStatus = PlanStatus.READY
) -> OrderPlanV2:
    """A server order plan made from the bundle of ``bundle_asof`` for ``session``."""
    lines = tuple(
        OrderLine(
            ticker=t,
            side=side,
            shares=10 * (k + 1),
            intended_shares=10 * (k + 1),
            price_krw=10_000,
            notional_krw=100_000 * (k + 1),
            reason=OrderReason.REBALANCE,
            adjustment=OrderAdjustment.NONE,
            current_shares=0 if side is OrderSide.BUY else 10 * (k + 1),
            current_weight=0.0,
            target_weight=0.2,
        )
        for k, (t, side) in enumerate(
            [("102110", OrderSide.SELL), ("229200", OrderSide.BUY), ("122630", OrderSide.BUY)][
                :orders
            ]
        )
    )
    blocked = status is PlanStatus.BLOCKED
    return OrderPlanV2(
        **_env(session, "live_cycle"),
        plan_id=None if blocked else f"P-{session:%Y%m%d}-{'b' * 12}",
        status=status,
        block_reason=CycleReason.BUNDLE_STALE if blocked else None,
        gate=ExecutionGate.DRY_RUN,
        executable=False,
        bundle_asof=bundle_asof,
        rebalance=True,
        equity_krw=10_000_000,
        cash_krw=1_000_000,
        est_cash_after_krw=800_000,
        total_buy_krw=int(sum(o.notional_krw for o in lines if o.side is OrderSide.BUY)),
        total_sell_krw=int(sum(o.notional_krw for o in lines if o.side is OrderSide.SELL)),
        orders=() if blocked else lines,
    )


def equity_of(returns: list[float], start: float = 1_000_000.0) -> np.ndarray:
    """Closes from daily returns (the first close is the base)."""
    return start * np.cumprod(np.concatenate(([1.0], 1.0 + np.asarray(returns))))
