"""Assemble the backtest artifacts (metrics, result, strategy bundle) from a run. Pure."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from pipeline.artifacts.backtest import (
    BacktestMetricsV1,
    BacktestResultV1,
    Position,
    RegimeChange,
    StateDays,
)
from pipeline.artifacts.bundle import (
    SignalReason,
    StrategyBundleV1,
    TargetWeight,
    TickerSignal,
    bundle_integrity,
)
from pipeline.artifacts.envelope import InputRef, Producer
from pipeline.canonical import canonical_bytes
from pipeline.core import simulate as sim
from pipeline.core.backtest import BacktestRun, valid_until
from pipeline.core.metrics import drawdown
from pipeline.core.regime import DAY_STATES, REGIMES
from pipeline.enums import DayState, InstrumentType, PriceSource, Regime
from pipeline.krx_calendar import KrxCalendar
from pipeline.params import Params


def _d(x: np.datetime64) -> dt.date:
    out: dt.date = x.astype("datetime64[D]").astype(object)
    return out


def _last_close(column: np.ndarray) -> float:
    """Last finite close of a column (a held ticker may have no bar on the last day)."""
    ok = np.flatnonzero(np.isfinite(column))
    return float(column[ok[-1]]) if ok.size else 0.0


def _opt(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def envelope(
    asof: dt.date,
    generated_at: dt.datetime,
    producer: Producer,
    params_sha256: str,
    inputs: Sequence[InputRef],
) -> dict[str, Any]:
    return {
        "asof": asof,
        "generated_at": generated_at,
        "producer": producer,
        "params_sha256": params_sha256,
        "inputs": tuple(inputs),
    }


def metrics_artifact(run: BacktestRun, env: dict[str, Any], synthetic: bool) -> BacktestMetricsV1:
    return BacktestMetricsV1(**env, synthetic_data=synthetic, metrics=run.metrics)


def result_artifact(
    run: BacktestRun, params: Params, env: dict[str, Any], source: PriceSource, synthetic: bool
) -> BacktestResultV1:
    m, s, r = run.matrix, run.strategy, run.sim
    last = m.dates.size - 1
    reg = s.regime
    changes = [
        RegimeChange(date=_d(m.dates[t]), regime=REGIMES[int(reg.regime[t])])
        for t in range(1, m.dates.size)
        if reg.regime[t] != reg.regime[t - 1]
    ]
    counts = np.bincount(reg.day_state, minlength=len(DAY_STATES))
    positions = [
        Position(
            ticker=m.tickers[j],
            shares=round(float(r.shares[j])),
            avg_entry=float(r.avg_entry[j]),
            value=round(float(r.shares[j] * _last_close(m.close[:, j]))),
        )
        for j in np.flatnonzero(r.shares > 0)
    ]
    return BacktestResultV1(
        **env,
        data_source=source,
        synthetic_data=synthetic,
        first_date=_d(m.dates[0]),
        initial_capital=params.backtest.initial_capital,
        integer_shares=run.integer_shares,
        tickers=tuple(t for t, ok in zip(m.tickers, run.tradable, strict=True) if ok),
        signal_days=int(s.signal_days.size),
        last_signal=_d(m.dates[s.signal_days[-1]]) if s.signal_days.size else None,
        metrics=run.metrics,
        state_days=tuple(
            StateDays(state=st, days=int(c)) for st, c in zip(DAY_STATES, counts, strict=True)
        ),
        regime_changes=tuple(changes),
        positions=tuple(positions),
        cash=round(float(r.cash[last])),
    )


def series_frames(run: BacktestRun) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(equity, drawdown) over the evaluation window; the benchmark starts at the same capital."""
    m, r, s0 = run.matrix, run.sim, run.start
    b = m.column(run.metrics.benchmark_ticker)
    eq = r.equity[s0:]
    bench = m.close[s0:, b] / m.close[s0, b] * eq[0]
    dates = [d.isoformat() for d in m.dates[s0:].astype(object)]
    equity = pd.DataFrame({"date": dates, "strategy": eq.round(0), "benchmark": bench.round(0)})
    dd = pd.DataFrame(
        {"date": dates, "strategy": drawdown(eq).round(6), "benchmark": drawdown(bench).round(6)}
    )
    return equity, dd


def trades_frame(run: BacktestRun) -> pd.DataFrame:
    """The trade log, one row per fill (KRW amounts rounded to the won)."""
    t, m = run.sim.trades, run.matrix
    days = t[:, sim.T_DAY].astype(np.int64)
    qty = t[:, sim.T_QTY]
    price = t[:, sim.T_PRICE]
    pnl = pd.array(np.round(t[:, sim.T_PNL]), dtype="Int64")
    return pd.DataFrame(
        {
            "date": m.dates[days].astype(object),
            "ticker": [m.tickers[j] for j in t[:, sim.T_COL].astype(np.int64)],
            "side": np.where(t[:, sim.T_SIDE] > 0, "BUY", "SELL"),
            "shares": np.round(qty).astype(np.int64),
            "price": price,
            "notional": np.round(qty * price).astype(np.int64),
            "commission": np.round(t[:, sim.T_COMM]).astype(np.int64),
            "slippage": np.round(t[:, sim.T_SLIP]).astype(np.int64),
            "sell_tax": np.round(t[:, sim.T_TAX]).astype(np.int64),
            "reason": np.where(t[:, sim.T_REASON] == sim.REASON_STOP, "STOP_LOSS", "REBALANCE"),
            "realized_pnl": pnl,
        }
    )


def _signals(
    run: BacktestRun, params: Params, weights: np.ndarray, due: bool
) -> list[TickerSignal]:
    m, s = run.matrix, run.strategy
    last = m.dates.size - 1
    expo = float(s.exposure[last])
    out = []
    names = {i.ticker: i for i in params.data.universe}
    for j, ticker in enumerate(m.tickers):
        inst = names.get(ticker)
        close = m.close[last, j]
        eligible = bool(s.last.eligible[0, j])
        rank = int(s.last.rank[0, j])
        scale = float(s.last.scale[0, j])
        w = float(weights[j])
        if inst is None or not run.tradable[j]:
            why = SignalReason.BENCHMARK_ONLY
        elif not eligible and w == 0.0:
            why = SignalReason.NO_DATA
        elif expo == 0.0:
            why = SignalReason.RISK_OFF
        elif not due:
            why = SignalReason.HELD_BETWEEN_REBALANCES
        elif rank > params.strategy.max_positions:
            why = SignalReason.NOT_TOP_N
        elif scale == 0.0:
            why = SignalReason.RSI_OVERBOUGHT
        else:
            why = SignalReason.SELECTED
        out.append(
            TickerSignal(
                ticker=ticker,
                name=inst.name if inst else ticker,
                type=inst.type if inst else InstrumentType.ETF,
                close=round(float(close)) if np.isfinite(close) else None,
                momentum=_opt(float(s.last_momentum[j])),
                rsi=_opt(float(s.last_rsi[j])),
                rank=rank if eligible else None,
                rsi_scale=_opt(scale),
                weight=w,
                reason=why,
            )
        )
    return out


def _detail(run: BacktestRun, params: Params) -> str:
    reg, p, t = run.strategy.regime, params.strategy, run.matrix.dates.size - 1
    if reg.state_at(t) is DayState.WARMUP:
        return f"{p.benchmark}: too little history for SMA{p.ma_long} and ADX{p.adx_period}"
    text = (
        f"{p.benchmark} close {reg.close[t]:.0f}, SMA{p.ma_short} {reg.sma_short[t]:.2f}, "
        f"SMA{p.ma_long} {reg.sma_long[t]:.2f}, ADX{p.adx_period} {reg.adx[t]:.2f} "
        f"(chop below {p.adx_threshold}); locked regime {reg.regime_at(t).value}"
    )
    if reg.pending[t]:
        other = Regime.BEAR if reg.regime_at(t) is Regime.BULL else Regime.BULL
        text += f"; {other.value} has held {int(reg.pending[t])} of {p.regime_hold_days} days"
    return text


def _held_weights(run: BacktestRun) -> tuple[TargetWeight, ...]:
    """The strategy's positions at the last close as fractions of its equity (sum <= 1)."""
    m, last = run.matrix, run.matrix.dates.size - 1
    equity = float(run.sim.equity[last])
    if not np.isfinite(equity) or equity <= 0:
        return ()
    out = []
    for j in sorted(np.flatnonzero(run.sim.shares > 0), key=lambda j: m.tickers[j]):
        close = float(m.close[last, j])
        if np.isfinite(close) and close > 0:
            w = round(float(run.sim.shares[j]) * close / equity, 6)
            out.append(TargetWeight(ticker=m.tickers[j], weight=min(1.0, w)))
    total = sum(t.weight for t in out)
    if total > 1.0:  # rounding only: scale down so the sum never exceeds 1
        out = [t.model_copy(update={"weight": t.weight / total}) for t in out]
    return tuple(out)


def bundle_artifact(
    run: BacktestRun,
    params: Params,
    calendar: KrxCalendar,
    env: dict[str, Any],
    source: PriceSource,
    synthetic: bool,
) -> StrategyBundleV1:
    """The handoff for the session after the last day of the run (DESIGN §3)."""
    m, s = run.matrix, run.strategy
    last = m.dates.size - 1
    asof = _d(m.dates[last])
    due = bool(s.signal_days.size) and int(s.signal_days[-1]) == last
    weights = s.targets[-1] if s.signal_days.size else np.zeros(len(m.tickers))
    reg = s.regime
    targets = tuple(
        TargetWeight(ticker=m.tickers[j], weight=float(weights[j]))
        for j in sorted(np.flatnonzero(weights > 0), key=lambda j: m.tickers[j])
    )
    total = float(sum(tw.weight for tw in targets))
    intended = targets if due else _held_weights(run)
    doc = StrategyBundleV1(
        **env,
        data_source=source,
        synthetic_data=synthetic,
        day_state=reg.state_at(last),
        regime=reg.regime_at(last),
        regime_reason=reg.reason_at(last),
        regime_detail=_detail(run, params),
        exposure=float(s.exposure[last]),
        rebalance_due=due,
        last_rebalance=_d(m.dates[s.signal_days[-1]]) if s.signal_days.size else None,
        valid_from=calendar.add(asof, 1),
        valid_until=valid_until(asof, last, calendar, params.strategy),
        target_weights=targets,
        cash_weight=max(0.0, 1.0 - total),
        intended_weights=intended,
        signals=tuple(_signals(run, params, weights, due)),
        integrity_sha256="0" * 64,
    )
    data = json.loads(canonical_bytes(doc.model_dump(mode="json", by_alias=True)))
    return doc.model_copy(update={"integrity_sha256": bundle_integrity(data)})
