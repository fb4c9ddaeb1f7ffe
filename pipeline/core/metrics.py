"""Performance metrics: one written definition (DESIGN §4), annualised with 252 KRX days.

Over an equity curve ``E_0 .. E_n`` (closes; ``E_0`` is the base) with daily returns
``r_t = E_t / E_{t-1} - 1`` and daily risk-free ``rf_d = (1 + rf) ** (1/252) - 1``:

* total return ``E_n / E_0 - 1``; CAGR ``(E_n / E_0) ** (1 / years) - 1`` with
  ``years = calendar days / 365.25``;
* volatility ``std(r, ddof=1) * sqrt(252)``;
* Sharpe ``mean(r - rf_d) / std(r - rf_d, ddof=1) * sqrt(252)``;
* Sortino ``mean(r - rf_d) / sqrt(mean(min(r - rf_d, 0) ** 2)) * sqrt(252)``;
* max drawdown ``max(1 - E_t / max_{s<=t} E_s)`` (a positive fraction) and its duration in
  trading days from the peak before the deepest trough to the first close back at that peak
  (or the last day if it never recovered); Calmar ``CAGR / max drawdown``.

CAGR, volatility, Sharpe, Sortino, Calmar and turnover are null when there are fewer than
``min_obs`` daily returns, and a ratio is null when its denominator is zero.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import numpy.typing as npt

from pipeline.artifacts.backtest import Costs, Metrics, Performance, YearFigures
from pipeline.core import simulate as sim

FloatArray = npt.NDArray[np.float64]
DAYS_PER_YEAR = 252


def _date(d: np.datetime64) -> dt.date:
    out: dt.date = d.astype("datetime64[D]").astype(object)
    return out


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def drawdown(equity: FloatArray) -> FloatArray:
    """``1 - E_t / running peak`` (0 at new highs)."""
    peak = np.maximum.accumulate(equity)
    out: FloatArray = 1.0 - equity / peak
    return out


def max_drawdown(equity: FloatArray) -> tuple[float, int]:
    """(max drawdown fraction, its duration in trading days)."""
    if equity.size < 2:
        return 0.0, 0
    dd = drawdown(equity)
    trough = int(np.argmax(dd))
    mdd = float(dd[trough])
    if mdd <= 0.0:
        return 0.0, 0
    peak_value = np.max(equity[: trough + 1])
    peak = int(np.flatnonzero(equity[: trough + 1] == peak_value)[-1])
    recovered = np.flatnonzero(equity[trough:] >= peak_value)
    end = trough + int(recovered[0]) if recovered.size else equity.size - 1
    return mdd, end - peak


def daily_returns(equity: FloatArray) -> FloatArray:
    """``r_t = E_t / E_{t-1} - 1`` (one fewer value than closes)."""
    out: FloatArray = equity[1:] / equity[:-1] - 1.0
    return out


def excess_returns(r: FloatArray, risk_free_rate: float) -> FloatArray:
    """Daily returns minus the daily risk-free rate ``(1 + rf) ** (1/252) - 1``."""
    out: FloatArray = r - ((1.0 + risk_free_rate) ** (1.0 / DAYS_PER_YEAR) - 1.0)
    return out


def sharpe_of_excess(ex: FloatArray) -> float | None:
    """Annualised Sharpe ``mean / std(ddof=1) * sqrt(252)`` of daily excess returns."""
    sd = float(np.std(ex, ddof=1)) if ex.size > 1 else 0.0
    return float(np.mean(ex)) / sd * math.sqrt(DAYS_PER_YEAR) if sd > 0 else None


def performance(
    dates: npt.NDArray[np.datetime64],
    equity: FloatArray,
    risk_free_rate: float,
    min_obs: int,
) -> Performance:
    """Figures of one equity curve (``dates[0]`` is the base close)."""
    n = equity.size - 1
    total = float(equity[-1] / equity[0] - 1.0)
    years = (_date(dates[-1]) - _date(dates[0])).days / 365.25
    enough = n >= min_obs and years > 0
    r = daily_returns(equity)
    ex = excess_returns(r, risk_free_rate)
    cagr = vol = sharpe = sortino = None
    ann = math.sqrt(DAYS_PER_YEAR)
    if enough:
        cagr = _finite(float(equity[-1] / equity[0]) ** (1.0 / years) - 1.0)
        vol = float(np.std(r, ddof=1)) * ann
        sharpe = sharpe_of_excess(ex)
        down = math.sqrt(float(np.mean(np.minimum(ex, 0.0) ** 2)))
        sortino = float(np.mean(ex)) / down * ann if down > 0 else None
    mdd, mdd_days = max_drawdown(equity)
    calmar = cagr / mdd if (cagr is not None and mdd > 0) else None
    return Performance(
        start=_date(dates[0]),
        end=_date(dates[-1]),
        observations=n,
        total_return=total,
        cagr=cagr,
        volatility=vol,
        sharpe=sharpe,
        sortino=sortino,
        max_drawdown=mdd,
        max_drawdown_days=mdd_days,
        calmar=calmar,
    )


def per_year(
    dates: npt.NDArray[np.datetime64], equity: FloatArray, bench: FloatArray
) -> tuple[YearFigures, ...]:
    """Calendar-year return and drawdown from the previous year-end (first year: window start)."""
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    out = []
    for y in np.unique(years[1:]):
        idx = np.flatnonzero(years == y)
        lo = max(int(idx[0]) - 1, 0)  # previous close is the base
        hi = int(idx[-1]) + 1
        seg, bseg = equity[lo:hi], bench[lo:hi]
        out.append(
            YearFigures(
                year=int(y),
                total_return=float(seg[-1] / seg[0] - 1.0),
                max_drawdown=max_drawdown(seg)[0],
                benchmark_return=float(bseg[-1] / bseg[0] - 1.0),
            )
        )
    return tuple(out)


def compute_metrics(
    dates: npt.NDArray[np.datetime64],
    equity: FloatArray,
    invested: FloatArray,
    bench_close: FloatArray,
    trades: FloatArray,
    *,
    benchmark_ticker: str,
    risk_free_rate: float,
    min_obs: int,
) -> Metrics:
    """All metrics over one window; ``trades`` are the simulator's rows filled in the window."""
    bench = bench_close / bench_close[0] * equity[0]
    strat = performance(dates, equity, risk_free_rate, min_obs)
    bmk = performance(dates, bench, risk_free_rate, min_obs)
    years = (_date(dates[-1]) - _date(dates[0])).days / 365.25
    notional = float(np.sum(trades[:, sim.T_QTY] * trades[:, sim.T_PRICE]))
    turnover = None
    if strat.observations >= min_obs and years > 0:
        turnover = notional / 2.0 / float(np.mean(equity)) / years
    sells = trades[trades[:, sim.T_SIDE] < 0]
    comm = float(trades[:, sim.T_COMM].sum())
    slip = float(trades[:, sim.T_SLIP].sum())
    tax = float(trades[:, sim.T_TAX].sum())
    exposure = float(np.mean(invested[1:] / equity[1:])) if equity.size > 1 else 0.0
    return Metrics(
        strategy=strat,
        benchmark=bmk,
        benchmark_ticker=benchmark_ticker,
        excess_return=strat.total_return - bmk.total_return,
        excess_cagr=(
            strat.cagr - bmk.cagr if strat.cagr is not None and bmk.cagr is not None else None
        ),
        exposure=min(max(exposure, 0.0), 1.0),
        turnover=turnover,
        trade_count=int(trades.shape[0]),
        sell_count=int(sells.shape[0]),
        win_rate=float(np.mean(sells[:, sim.T_PNL] > 0)) if sells.shape[0] else None,
        stop_loss_count=int(np.sum(sells[:, sim.T_REASON] == sim.REASON_STOP)),
        costs=Costs(
            commission=round(comm),
            slippage=round(slip),
            sell_tax=round(tax),
            total=round(comm) + round(slip) + round(tax),
        ),
        final_equity=round(float(equity[-1])),
        years=per_year(dates, equity, bench),
    )
