"""Sweeps: equal to individual backtests, combinations, and no look-ahead in walk-forward."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.core.backtest import run_backtest, simulate_strategy
from pipeline.core.leaderboard import build_body
from pipeline.core.sweep import ComboScore, IndicatorCache, enumerate_combos, score_chunk
from pipeline.params import StrategyParams
from tests.core import sweep_factories as sf

Swept = tuple[sf.Prepared, list[ComboScore]]
RF_DAY = 1.03 ** (1 / 252) - 1  # params.yaml risk_free_rate 0.03


def _sharpe(equity: np.ndarray, first: int, last: int) -> float:
    """Independent window Sharpe: returns of days first..last from the close before first."""
    r = equity[first : last + 1] / equity[first - 1 : last] - 1.0 - RF_DAY
    sd = r.std(ddof=1)
    return float(r.mean() / sd * math.sqrt(252)) if sd > 0 else math.nan  # all cash: undefined


@pytest.fixture(scope="module")
def swept() -> Swept:
    prep = sf.prepared(sf.bars())
    return prep, score_chunk(prep.ctx, prep.combos)


def test_sweep_equals_individual_backtests_exactly(swept: Swept) -> None:
    prep, scores = swept
    ctx = prep.ctx
    assert len(scores) == 32 + 1  # the grid plus the baseline (not on the grid)
    for combo, score in zip(prep.combos, scores, strict=True):
        run = run_backtest(
            ctx.matrix, ctx.types, ctx.tradable, combo.strategy, ctx.costs, ctx.backtest
        )
        assert score.full == run.metrics.strategy, combo.values
        eq = run.sim.equity
        for k, f in enumerate(ctx.folds):
            want_is = _sharpe(eq, f.is_start, f.is_end)
            want_oos = _sharpe(eq, f.oos_start, f.oos_end)
            assert score.is_sharpe[k] == pytest.approx(want_is, rel=1e-12, nan_ok=True)
            assert score.oos_sharpe[k] == pytest.approx(want_oos, rel=1e-12, nan_ok=True)
            assert score.oos_return[k] == pytest.approx(eq[f.oos_end] / eq[f.oos_start - 1] - 1)


def test_cached_indicators_give_the_same_simulation_bit_for_bit(swept: Swept) -> None:
    prep, _ = swept
    ctx, cache = prep.ctx, IndicatorCache()
    for combo in prep.combos:
        args = (ctx.matrix, ctx.types, ctx.tradable, combo.strategy, ctx.costs, ctx.backtest)
        direct = simulate_strategy(*args)
        cached = simulate_strategy(*args, indicators=cache)
        assert np.array_equal(direct.sim.equity, cached.sim.equity)
        assert np.array_equal(direct.sim.trades, cached.sim.trades, equal_nan=True)
        assert np.array_equal(direct.strategy.targets, cached.strategy.targets)
    # One cache entry per distinct period, reused across the combinations.
    got = cache.computed()
    assert got["momentum"] == (10, 20, 30)  # the grid's two periods and the baseline's
    assert got["rsi"] == (14,)
    # Regimes: ma_short x adx_threshold of the grid, plus the baseline's; SMAs by period.
    assert len(got["regime"]) == 2 * 2 + 1
    assert [n for _, n in got["sma"]] == [10, 20, 40]


def test_grid_skips_invalid_params_and_counts_them() -> None:
    s = sf.spec(params={"ma_short": [10, 40, 50], "ma_long": [40, 60]})
    combos, invalid = enumerate_combos(s, sf.params().strategy)
    assert invalid == 2  # (40, 40) and (50, 40): ma_short must be below ma_long
    assert sorted(c.values for c in combos) == [(10, 40), (10, 60), (40, 60), (50, 60)]
    assert all(c.strategy.ma_short < c.strategy.ma_long for c in combos)


def test_random_sampling_is_seeded_distinct_and_on_the_grid() -> None:
    s = sf.spec(sampling="random", samples=10, seed=3)
    a, _ = enumerate_combos(s, sf.params().strategy)
    b, _ = enumerate_combos(s, sf.params().strategy)
    full, _ = enumerate_combos(sf.spec(), sf.params().strategy)
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == 10
    assert {c.id for c in a} <= {c.id for c in full}


def test_dotted_and_list_keys_reach_the_params() -> None:
    s = sf.spec(params={"rsi_bands.0.lower": [75], "rebalance.mode": ["every_n"]})
    [c], _ = enumerate_combos(s, StrategyParams())
    assert c.strategy.rsi_bands[0].lower == 75
    assert c.strategy.rebalance.mode == "every_n"
    assert c.strategy.rsi_bands[1:] == StrategyParams().rsi_bands[1:]


def _plant(bars: pd.DataFrame, ticker: str, since: object, rally: float) -> pd.DataFrame:
    """A rally of ``ticker`` that exists only on and after ``since`` (a future-only signal)."""
    out = bars.copy()
    rows = (out["ticker"] == ticker) & (out["date"] >= since)
    steps = np.arange(1, int(rows.sum()) + 1)
    factor = (1.0 + rally) ** steps
    for col in ("open", "high", "low", "close"):
        out.loc[rows, col] = np.round(out.loc[rows, col].to_numpy() * factor).astype(np.int64)
    return out


def test_a_future_only_signal_is_not_picked_up() -> None:
    """Plant a rally in the last out-of-sample window only: nothing chosen before it changes."""
    base = sf.bars()
    prep_a = sf.prepared(base)
    last = prep_a.ctx.folds[-1]
    since = pd.Timestamp(prep_a.ctx.matrix.dates[last.oos_start]).date()
    prep_b = sf.prepared(_plant(base, "229200", since, 0.02))
    assert prep_b.ctx.folds == prep_a.ctx.folds
    a = score_chunk(prep_a.ctx, prep_a.combos)
    b = score_chunk(prep_b.ctx, prep_b.combos)
    n = len(prep_a.ctx.folds)
    for sa, sb in zip(a, b, strict=True):
        assert np.array_equal(sa.is_sharpe, sb.is_sharpe, equal_nan=True)  # IS never sees it
        assert np.array_equal(sa.oos_sharpe[:-1], sb.oos_sharpe[:-1], equal_nan=True)
    # The plant is real: the last window's returns change, and hindsight would pick by it.
    assert any(sa.oos_return[-1] != sb.oos_return[-1] for sa, sb in zip(a, b, strict=True))
    hindsight = max(b, key=lambda s: s.oos_return[-1]).id
    body_a = build_body(
        sf.spec(),
        prep_a.keys,
        prep_a.combos,
        a,
        prep_a.baseline_id,
        prep_a.ctx.matrix.dates,
        prep_a.ctx.folds,
    )
    body_b = build_body(
        sf.spec(),
        prep_b.keys,
        prep_b.combos,
        b,
        prep_b.baseline_id,
        prep_b.ctx.matrix.dates,
        prep_b.ctx.folds,
    )
    picks_a = [p.chosen_id for p in body_a["selection"].folds]
    picks_b = [p.chosen_id for p in body_b["selection"].folds]
    assert picks_a == picks_b and len(picks_b) == n
    best_a = max(s.oos_return[-1] for s in a)
    assert max(s.oos_return[-1] for s in b) > best_a
    # Hindsight (choosing by the last window itself) would follow the plant; we choose by IS.
    assert hindsight in {s.id for s in b}


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=330, max_value=590))
def test_fold_figures_do_not_depend_on_later_data(cut: int) -> None:
    """Truncating history after any day leaves every fold that ended before it unchanged."""
    s = sf.spec(params={"ma_short": [10, 20], "max_positions": [2, 4]})
    full_bars = sf.bars()
    days = sorted(full_bars["date"].unique())
    short_bars = full_bars[full_bars["date"] <= days[cut]]
    full, short = sf.prepared(full_bars, s), sf.prepared(short_bars, s)
    n = len(short.ctx.folds)
    assert short.ctx.folds == full.ctx.folds[:n]
    for x, y in zip(
        score_chunk(full.ctx, full.combos), score_chunk(short.ctx, short.combos), strict=True
    ):
        assert np.array_equal(x.is_sharpe[:n], y.is_sharpe, equal_nan=True)
        assert np.array_equal(x.oos_sharpe[:n], y.oos_sharpe, equal_nan=True)
        assert np.array_equal(x.oos_return[:n], y.oos_return)
