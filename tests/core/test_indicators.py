"""The indicator library against hand-computed tables and the `ta` package."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ta.momentum import RSIIndicator
from ta.trend import ADXIndicator, SMAIndicator

from pipeline.core.indicators import adx, momentum, rsi, sma

NAN = np.nan


def test_sma_hand_table() -> None:
    x = [1.0, 2.0, 3.0, 4.0, 10.0]
    np.testing.assert_allclose(sma(x, 3), [NAN, NAN, 2.0, 3.0, 17.0 / 3], rtol=1e-15)


def test_sma_needs_every_bar_of_the_window() -> None:
    x = np.array([[1.0, NAN], [2.0, 5.0], [3.0, 7.0], [NAN, 9.0], [5.0, 11.0]])
    got = sma(x, 2)
    want = np.array([[NAN, NAN], [1.5, NAN], [2.5, 6.0], [NAN, 8.0], [NAN, 10.0]])
    np.testing.assert_allclose(got, want, rtol=1e-15)


def test_sma_on_rows_equals_full_series() -> None:
    x = np.random.default_rng(1).uniform(1, 2, (50, 4))
    rows = [0, 3, 4, 20, 49]
    np.testing.assert_array_equal(sma(x, 5, rows), sma(x, 5)[rows])
    np.testing.assert_array_equal(momentum(x, 5, rows), momentum(x, 5)[rows])


def test_momentum_hand() -> None:
    np.testing.assert_allclose(momentum([2.0, 4.0, 6.0], 2), [NAN, 4 / 3 - 1, 6 / 5 - 1])


def test_rsi_wilder_hand_table() -> None:
    # n=3; diffs +1, -0.5, +1.5, -1, +0.5. First averages are simple means of 3 changes:
    # gain 2.5/3, loss 0.5/3 -> 83.33; then avg = (prev*2 + x)/3:
    # gain 5/9, loss 4/9 -> 55.56; gain 29/54, loss 16/54 -> 100*29/45.
    got = rsi([10.0, 11.0, 10.5, 12.0, 11.0, 11.5], 3)
    want = [NAN, NAN, NAN, 100 * 2.5 / 3.0, 100 * 5 / 9, 100 * 29 / 45]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_rsi_flat_and_one_sided() -> None:
    assert rsi([5.0] * 6, 3)[-1] == 50.0
    assert rsi([1.0, 2, 3, 4, 5], 3)[-1] == 100.0
    assert rsi([5.0, 4, 3, 2, 1], 3)[-1] == 0.0


def test_rsi_per_column_starts_at_each_listing() -> None:
    a = np.array([10.0, 11.0, 10.5, 12.0, 11.0, 11.5])
    m = np.column_stack([a, np.concatenate([[NAN, NAN], a[:4]])])
    got = rsi(m, 3)
    np.testing.assert_array_equal(got[:, 0], rsi(a, 3))
    np.testing.assert_array_equal(got[2:, 1], rsi(a[:4], 3))


def test_adx_wilder_hand_table() -> None:
    # n=2. TR: 2,3,3,3; +DM: 1,1,0,0; -DM: 0,0,1,1.
    # t2: sums TR 5, +DM 2, -DM 0 -> DX 100.  t3: TR 5.5, +DM 1, -DM 1 -> DX 0; ADX = 50.
    # t4: TR 5.75, +DM .5, -DM 1.5 -> DX 50; ADX = (50*1 + 50)/2 = 50.
    high = [10.0, 11, 12, 11, 10]
    low = [8.0, 9, 9, 8, 7]
    close = [9.0, 10, 11, 9, 8]
    np.testing.assert_allclose(adx(high, low, close, 2), [NAN, NAN, NAN, 50.0, 50.0])


def _walk(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    c = 10_000 * np.exp(np.cumsum(rng.normal(0, 0.02, n)))
    h = c * (1 + rng.uniform(0, 0.02, n))
    lo = c * (1 - rng.uniform(0, 0.02, n))
    return pd.DataFrame({"high": h, "low": lo, "close": c})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sma_matches_ta(seed: int) -> None:
    d = _walk(300, seed)
    theirs = SMAIndicator(d["close"], window=60).sma_indicator().to_numpy()
    np.testing.assert_allclose(sma(d["close"].to_numpy(), 60), theirs, rtol=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rsi_matches_ta_after_burn_in(seed: int) -> None:
    # ta seeds Wilder's average with the first change instead of the mean of the first n;
    # the difference decays as (13/14)**k, below 1e-9 after a few hundred bars.
    d = _walk(1000, seed)
    ours = rsi(d["close"].to_numpy(), 14)
    theirs = RSIIndicator(d["close"], window=14).rsi().to_numpy()
    np.testing.assert_allclose(ours[400:], theirs[400:], rtol=0, atol=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_adx_matches_ta_after_burn_in(seed: int) -> None:
    d = _walk(1200, seed)
    ours = adx(d["high"].to_numpy(), d["low"].to_numpy(), d["close"].to_numpy(), 30)
    theirs = ADXIndicator(d["high"], d["low"], d["close"], window=30).adx().to_numpy()
    assert np.isnan(ours[:59]).all() and np.isfinite(ours[59:]).all()
    np.testing.assert_allclose(ours[800:-1], theirs[800:-1], rtol=0, atol=1e-6)


def test_rsi_on_rows_equals_full_series() -> None:
    x = 100 * np.exp(np.cumsum(np.random.default_rng(4).normal(0, 0.02, (80, 3)), axis=0))
    rows = [0, 5, 14, 15, 40, 40, 79]
    np.testing.assert_array_equal(rsi(x, 14, rows), rsi(x, 14)[rows])
