"""Artifacts of the backtest stage: metrics (DVC metrics) and the full result (DESIGN §4)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from pipeline.artifacts.envelope import Envelope, Model
from pipeline.enums import DayState, PriceSource, Regime
from pipeline.types import Ticker


class Performance(Model):
    """Return and risk figures of one equity curve; ratios are null on too few observations."""

    start: dt.date = Field(description="First day of the evaluation window (its close is the base)")
    end: dt.date = Field(description="Last day of the evaluation window")
    observations: int = Field(ge=0, description="Number of daily returns in the window")
    total_return: float = Field(description="end equity / start equity - 1, fraction")
    cagr: float | None = Field(description="Annual growth over calendar days / 365.25, fraction")
    volatility: float | None = Field(description="Std of daily returns (ddof=1) * sqrt(252)")
    sharpe: float | None = Field(description="Mean / std of daily excess returns * sqrt(252)")
    sortino: float | None = Field(description="Mean daily excess / downside deviation * sqrt(252)")
    max_drawdown: float = Field(ge=0.0, le=1.0, description="Largest peak-to-trough fall, fraction")
    max_drawdown_days: int = Field(
        ge=0,
        description="Trading days from the peak before the deepest trough to recovery (or end)",
    )
    calmar: float | None = Field(description="CAGR / max drawdown")


class YearFigures(Model):
    year: int = Field(description="Calendar year")
    total_return: float = Field(description="Year-end equity / previous year-end equity - 1")
    max_drawdown: float = Field(ge=0.0, le=1.0, description="Within the year, fraction")
    benchmark_return: float = Field(description="Benchmark buy-and-hold return in the year")


class Costs(Model):
    commission: int = Field(ge=0, description="KRW, both sides (rounded to the won)")
    slippage: int = Field(ge=0, description="KRW, modelled price impact (rounded to the won)")
    sell_tax: int = Field(ge=0, description="KRW, securities transaction tax on sells")
    total: int = Field(ge=0, description="KRW, sum of the three")


class Metrics(Model):
    """Strategy and benchmark figures over the same window (the warm-up is excluded)."""

    strategy: Performance = Field(description="The Crisis Alpha equity curve")
    benchmark: Performance = Field(description="Buy-and-hold of the regime benchmark (069500)")
    benchmark_ticker: Ticker = Field(description="Regime and buy-and-hold benchmark")
    excess_return: float = Field(description="Strategy total return - benchmark total return")
    excess_cagr: float | None = Field(description="Strategy CAGR - benchmark CAGR")
    exposure: float = Field(ge=0.0, le=1.0, description="Mean of positions / equity at the close")
    turnover: float | None = Field(
        description="Annual one-way turnover: traded KRW / 2 / mean equity / years"
    )
    trade_count: int = Field(ge=0, description="Fills (buys + sells)")
    sell_count: int = Field(ge=0, description="Sells (closes and reductions)")
    win_rate: float | None = Field(description="Sells with positive realized P&L / sells")
    stop_loss_count: int = Field(ge=0, description="Sells triggered by the stop loss")
    costs: Costs = Field(description="Trading costs paid in the window, by kind")
    final_equity: int = Field(description="KRW at the last close (rounded to the won)")
    years: tuple[YearFigures, ...] = Field(description="Per calendar year in the window")


class BacktestMetricsV1(Envelope):
    """``reports/backtest/metrics.json``: the numbers ``dvc metrics show/diff`` compare."""

    schema_id: Literal["backtest_metrics/v1"] = Field("backtest_metrics/v1", alias="schema")
    synthetic_data: bool = Field(description="True if computed on generated sample data")
    metrics: Metrics = Field(description="Strategy vs benchmark over the evaluation window")


class Position(Model):
    ticker: Ticker = Field(description="KRX short code")
    shares: int = Field(ge=0, description="Shares held after the last close")
    avg_entry: float = Field(ge=0.0, description="Average entry price incl. slippage, KRW/share")
    value: int = Field(ge=0, description="Shares * last close, KRW")


class RegimeChange(Model):
    date: dt.date = Field(description="Trading day the locked regime changed")
    regime: Regime = Field(description="Locked regime from this day on")


class StateDays(Model):
    state: DayState = Field(description="Day state after the chop filter")
    days: int = Field(ge=0, description="Trading days spent in this state")


class BacktestResultV1(Envelope):
    """``reports/backtest/result.json``: the full result of one backtest run."""

    schema_id: Literal["backtest_result/v1"] = Field("backtest_result/v1", alias="schema")
    data_source: PriceSource = Field(description="Where the prices came from")
    synthetic_data: bool = Field(description="True if computed on generated sample data")
    first_date: dt.date = Field(description="First day of price history used")
    initial_capital: int = Field(gt=0, description="KRW")
    integer_shares: bool = Field(description="True: whole shares only (the live model)")
    tickers: tuple[Ticker, ...] = Field(description="Tradable universe, in params order")
    signal_days: int = Field(ge=0, description="Days whose close produced a trade signal")
    last_signal: dt.date | None = Field(description="Last day whose close was a trade signal")
    metrics: Metrics = Field(description="Same figures as the backtest_metrics artifact")
    state_days: tuple[StateDays, ...] = Field(description="Trading days per day state")
    regime_changes: tuple[RegimeChange, ...] = Field(
        description="Every change of the locked regime, in date order"
    )
    positions: tuple[Position, ...] = Field(description="Holdings after the last close")
    cash: int = Field(description="KRW after the last close")
