"""Fractional-share mode against vectorbt's Portfolio.from_orders (test-only dependency).

Threshold and stop loss off; target-percent sizing at the fill price (the open), the same
commission and slippage, one cash pool, sells first (vectorbt's auto call sequence).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from pipeline.core import simulate as sim


@pytest.fixture(scope="module")
def vbt() -> Any:
    """vectorbt, imported only by the worker that runs this module (seconds of import that
    every xdist worker paid at collection when it was imported at module level)."""
    return pytest.importorskip("vectorbt")


@pytest.mark.parametrize(("seed", "fully_invested"), [(7, False), (8, False), (9, True)])
def test_fractional_equity_matches_vectorbt(vbt: Any, seed: int, fully_invested: bool) -> None:
    rng = np.random.default_rng(seed)
    days, cols = 400, 12
    close = 10_000 * np.exp(np.cumsum(rng.normal(0, 0.02, (days, cols)), axis=0))
    opn = close * (1 + rng.normal(0, 0.01, (days, cols)))
    signal_days = np.sort(rng.choice(days - 1, 40, replace=False))
    targets = rng.dirichlet(np.ones(cols) * 0.5, signal_days.size)
    targets *= rng.uniform(0.2, 0.98, (signal_days.size, 1))  # sum <= 0.98: no cash squeeze
    targets[rng.random(targets.shape) < 0.3] = 0.0
    if fully_invested:  # weights sum to 1: costs leave too little cash, the last buy is cut
        targets[targets.sum(axis=1) == 0, 0] = 1.0
        targets /= targets.sum(axis=1, keepdims=True)
    signal_row = np.full(days, -1, dtype=np.int64)
    signal_row[signal_days] = np.arange(signal_days.size)
    comm, slip, cash = 0.00015, 0.001, 10_000_000.0

    ours = sim.simulate(
        opn,
        close,
        signal_row,
        targets,
        tax_rate=np.zeros((days, 1)),
        type_idx=np.zeros(cols, np.int64),
        commission=comm,
        slippage=slip,
        threshold=0.0,
        stop_loss=0.0,
        integer_shares=False,
        initial_cash=cash,
    )

    size = np.full((days, cols), np.nan)
    size[signal_days + 1] = targets  # decided on the close of t, filled on t+1
    pf = vbt.Portfolio.from_orders(
        close=pd.DataFrame(close),
        size=pd.DataFrame(size),
        price=pd.DataFrame(opn),
        size_type="targetpercent",
        fees=comm,
        slippage=slip,
        init_cash=cash,
        cash_sharing=True,
        group_by=True,
        call_seq="auto",
        freq="1D",
    )
    theirs = pf.value().to_numpy()
    assert ours.trades.shape[0] == len(pf.orders.records)
    assert (ours.cash >= 0).all()
    np.testing.assert_allclose(ours.equity, theirs, rtol=1e-9, atol=0)
