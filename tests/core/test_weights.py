"""Target weights: ranking, top N, RSI bands, normalisation, exposure; sum never above 1."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.weights import momentum_rank, rsi_scale, select, top_k
from pipeline.params import RsiBand, StrategyParams

NAN = np.nan


def test_rsi_band_edges() -> None:
    p = StrategyParams()
    got = rsi_scale([80.0, 79.9, 70.0, 60.0, 59.9, 40.0, 39.9, 30.0, 29.9, 0.0, NAN], p)
    np.testing.assert_array_equal(got, [0, 0.5, 0.5, 0.8, 1.0, 1.0, 1.1, 1.1, 1.2, 1.2, NAN])


def test_top_n_equal_weight_times_rsi_scale() -> None:
    p = StrategyParams(max_positions=3)
    mom = np.array([[0.10, 0.30, NAN, 0.20, 0.05, 0.25]])
    rsi = np.array([[50.0, 85.0, 50.0, 65.0, 20.0, 35.0]])
    tradable = np.array([True, True, True, True, True, False])
    sel = select(mom, rsi, tradable, np.array([1.0]), p)
    # eligible: 0 (0.10), 1 (0.30), 3 (0.20), 4 (0.05); 2 has no momentum, 5 not tradable.
    np.testing.assert_array_equal(sel.rank[0], [3, 1, 0, 2, 4, 0])
    # top 3 = tickers 1, 3, 0 -> 1/3 * (0.0, 0.8, 1.0); sum 0.6 <= 1: no rescale.
    np.testing.assert_allclose(sel.weights[0], [1 / 3, 0.0, 0.0, 0.8 / 3, 0.0, 0.0])


def test_oversold_row_is_scaled_down_to_one_then_exposure() -> None:
    p = StrategyParams(max_positions=2)
    sel = select(
        np.array([[0.2, 0.1]]), np.array([[10.0, 20.0]]), np.array([True, True]), np.array([0.5]), p
    )
    # 0.5*1.2 each = 1.2 total -> scaled to 0.5 each, then x exposure 0.5.
    np.testing.assert_allclose(sel.weights[0], [0.25, 0.25])


def test_ties_rank_in_universe_order() -> None:
    p = StrategyParams(max_positions=1)
    sel = select(
        np.array([[0.1, 0.1]]), np.array([[50.0, 50.0]]), np.array([True, True]), np.array([1.0]), p
    )
    np.testing.assert_array_equal(sel.weights[0], [1.0, 0.0])


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 40),
    k=st.integers(1, 12),
    top_scale=st.floats(0.0, 2.0),
    exposure=st.floats(0.0, 1.0),
)
def test_weights_never_sum_above_one(
    seed: int, n: int, k: int, top_scale: float, exposure: float
) -> None:
    rng = np.random.default_rng(seed)
    bands = (RsiBand(lower=50, scale=top_scale), RsiBand(lower=0, scale=2.0))
    p = StrategyParams(max_positions=k, rsi_bands=bands)
    mom = rng.normal(0, 0.1, (5, n))
    mom[rng.random((5, n)) < 0.2] = NAN
    rsi = rng.uniform(0, 100, (5, n))
    sel = select(mom, rsi, rng.random(n) < 0.9, np.full(5, exposure), p)
    assert (sel.weights >= 0).all()
    assert (sel.weights.sum(axis=1) <= 1.0).all()
    assert ((sel.weights > 0).sum(axis=1) <= k).all()


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 30), k=st.integers(1, 10))
def test_partial_sort_selects_exactly_the_top_ranks(seed: int, n: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    # Few distinct values, so ties are common; NaN = not eligible.
    mom = rng.integers(-3, 3, (4, n)).astype(float)
    mom[rng.random((4, n)) < 0.2] = NAN
    eligible = np.isfinite(mom)
    key = np.where(eligible, -mom, np.inf)
    want = eligible & (momentum_rank(key, eligible) <= k)
    np.testing.assert_array_equal(top_k(key, eligible, k), want)
