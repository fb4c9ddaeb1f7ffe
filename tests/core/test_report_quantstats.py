"""Figures the report shares with quantstats, cross-checked on one synthetic equity series.

Compared like with like. Intentional differences (docs/report.md):
* a drawdown period starts on the last close at the peak (quantstats: the first day under
  water) and ends on the first close back at the peak (quantstats: the last day under water);
  its length counts trading days (quantstats: calendar days + 1);
* win rate counts a zero outcome as a non-win (quantstats drops zeros) — the series here has
  none;
* CAGR uses calendar days / 365.25 (DESIGN §4) and is not compared.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pipeline.core import metrics
from pipeline.core import tearsheet as ts

RF = 0.03
Series = tuple[list[dt.date], np.ndarray, pd.Series]  # type: ignore[type-arg]


@pytest.fixture(scope="module")
def qs() -> Iterator[ModuleType]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # third-party deprecation noise; pytest errors on it
        import quantstats

        yield quantstats


@pytest.fixture(scope="module")
def series() -> Series:
    rng = np.random.default_rng(42)
    days = pd.bdate_range("2019-01-02", periods=1000)
    r = rng.normal(0.0004, 0.012, days.size - 1)
    r[r == 0] = 1e-9
    equity = 1e7 * np.cumprod(np.concatenate(([1.0], 1 + r)))
    dates = [d.date() for d in days]
    returns = pd.Series(r, index=days[1:])
    return dates, equity, returns


def quiet(fn: Callable[..., Any], *args: object, **kw: object) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def test_volatility_sharpe_and_max_drawdown(qs: ModuleType, series: Series) -> None:
    dates, equity, returns = series
    perf = metrics.performance(np.array(dates, dtype="datetime64[D]"), equity, RF, min_obs=60)
    vol = quiet(qs.stats.volatility, returns, periods=252, annualize=True)
    sharpe = quiet(qs.stats.sharpe, returns, rf=RF, periods=252, annualize=True)
    mdd = quiet(qs.stats.max_drawdown, returns)
    assert perf.volatility == pytest.approx(vol, rel=1e-9)
    assert perf.sharpe == pytest.approx(sharpe, rel=1e-9)  # rf -> (1 + rf) ** (1/252) - 1 both
    assert perf.max_drawdown == pytest.approx(-mdd, rel=1e-9)


def test_worst_drawdown_periods(qs: ModuleType, series: Series) -> None:
    dates, equity, returns = series
    ours = ts.drawdown_periods(dates, equity.tolist(), top=5)
    details = quiet(qs.stats.drawdown_details, quiet(qs.stats.to_drawdown_series, returns))
    theirs = details.sort_values("max drawdown").head(5)
    for p, (_, q) in zip(ours, theirs.iterrows(), strict=True):
        assert p.depth * -100 == pytest.approx(q["max drawdown"], rel=1e-9)
        assert str(p.trough) == q["valley"]
        i = dates.index(p.start)
        assert str(dates[i + 1]) == q["start"]  # theirs: the first day under water
        end = dates[dates.index(p.recovery) - 1] if p.recovery else dates[-1]
        assert str(end) == q["end"]  # theirs: the last day under water


def test_outcome_statistics_on_daily_returns(qs: ModuleType, series: Series) -> None:
    _, _, returns = series
    s = ts.outcome_stats(returns.tolist())
    assert s.win_rate == pytest.approx(quiet(qs.stats.win_rate, returns), rel=1e-9)
    assert s.profit_factor == pytest.approx(quiet(qs.stats.profit_factor, returns), rel=1e-9)
    assert s.avg_win == pytest.approx(quiet(qs.stats.avg_win, returns), rel=1e-9)
    assert s.avg_loss == pytest.approx(quiet(qs.stats.avg_loss, returns), rel=1e-9)
    assert s.max_win_streak == quiet(qs.stats.consecutive_wins, returns)
    assert s.max_loss_streak == quiet(qs.stats.consecutive_losses, returns)


def test_monthly_and_yearly_returns(qs: ModuleType, series: Series) -> None:
    dates, equity, returns = series
    ours = ts.monthly_returns(dates, equity.tolist())
    table = quiet(qs.stats.monthly_returns, returns, eoy=True, compounded=True)
    for year, months in ours.items():
        row = table.loc[str(year)]
        for m, v in months.items():
            assert v == pytest.approx(float(row.iloc[m - 1]), abs=1e-12)
        assert ts.compound(list(months.values())) == pytest.approx(float(row["EOY"]), rel=1e-9)
