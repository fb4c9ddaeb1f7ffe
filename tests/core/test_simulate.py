"""The numba engine against the reference simulator, plus hand scenarios."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core import simulate as sim
from tests.core.sim_reference import reference_simulate

NAN = np.nan


def run(
    o, c, sig, tg, *, tax=0.0, comm=0.0, slip=0.0, thr=0.0, stop=0.0, integer=True, cash=1_000_000.0
):  # type: ignore[no-untyped-def]
    o, c = np.asarray(o, float), np.asarray(c, float)
    return sim.simulate(
        o,
        c,
        np.asarray(sig, np.int64),
        np.asarray(tg, float),
        tax_rate=np.full((c.shape[0], 2), tax),
        type_idx=np.zeros(c.shape[1], np.int64),
        commission=comm,
        slippage=slip,
        threshold=thr,
        stop_loss=stop,
        integer_shares=integer,
        initial_cash=cash,
    )


def test_fill_at_next_open_integer_shares_and_costs() -> None:
    # Signal on day 0's close: 50% in ticker 0; fill at day 1's open 1000 with 1% slippage.
    o = [[900.0], [1000.0], [1100.0]]
    c = [[950.0], [1050.0], [1200.0]]
    r = run(o, c, [0, -1, -1], [[0.5]], comm=0.001, slip=0.01)
    # V = 1,000,000 -> floor(500,000 / 1000) = 500 shares at 1010 -> 505,000 + 505 commission.
    assert r.trades.shape[0] == 1
    assert r.trades[0, sim.T_QTY] == 500 and r.trades[0, sim.T_PRICE] == pytest.approx(1010.0)
    assert r.cash[1] == pytest.approx(1_000_000 - 505_000 - 505)
    assert r.equity[0] == 1_000_000
    assert r.equity[2] == pytest.approx(r.cash[1] + 500 * 1200)


def test_no_open_fills_at_close() -> None:
    r = run([[10.0], [NAN]], [[10.0], [20.0]], [0, -1], [[1.0]])
    assert r.trades[0, sim.T_PRICE] == 20.0 and r.trades[0, sim.T_QTY] == 50_000


def test_rebalance_threshold_skips_small_moves_but_exits_fully() -> None:
    o = np.full((4, 2), 100.0)
    # day1 fill: 50/50. day2 signal asks 50.5%/49.5% (within 1%): nothing. day3: 0/50 -> exit 0.
    r = run(o, o, [0, 1, 2, -1], [[0.5, 0.5], [0.505, 0.495], [0.0, 0.5]], thr=0.01)
    days = r.trades[:, sim.T_DAY].tolist()
    assert days == [1.0, 1.0, 3.0]
    assert r.trades[2, sim.T_SIDE] == -1 and r.shares[0] == 0


def test_stop_loss_sells_next_open_and_is_not_bought_back_until_a_signal() -> None:
    o = [[100.0], [100.0], [95.0], [87.0], [90.0], [100.0]]
    c = [[100.0], [100.0], [88.0], [86.0], [92.0], [100.0]]
    r = run(o, c, [0, -1, -1, -1, 1, -1], [[1.0], [1.0]], stop=0.12)
    # Bought 10,000 at 100 on day 1; close 88 on day 2 is exactly 12% down -> sell day 3 open.
    cols = [sim.T_DAY, sim.T_SIDE, sim.T_REASON]
    sides = [tuple(row) for row in r.trades[:, cols].tolist()]
    assert sides == [(1, 1, 0), (3, -1, sim.REASON_STOP), (5, 1, 0)]


def test_sell_tax_by_type_and_cash_never_negative() -> None:
    o = np.full((3, 2), 1000.0)
    r = sim.simulate(
        o,
        o,
        np.array([0, 1, -1]),
        np.array([[0.5, 0.5], [0.0, 0.0]]),
        tax_rate=np.array([[0.0, 0.002]] * 3),
        type_idx=np.array([0, 1]),
        commission=0.0,
        slippage=0.0,
        threshold=0.0,
        stop_loss=0.0,
        integer_shares=True,
        initial_cash=1_000_000.0,
    )
    sells = r.trades[r.trades[:, sim.T_SIDE] < 0]
    assert sells[:, sim.T_TAX].tolist() == [0.0, 500_000 * 0.002]
    assert (r.cash >= 0).all()


def _random_case(seed: int, days: int, cols: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    close = 1000 * np.exp(np.cumsum(rng.normal(0, 0.05, (days, cols)), axis=0))
    opn = close * (1 + rng.normal(0, 0.02, (days, cols)))
    opn[rng.random((days, cols)) < 0.05] = NAN  # no open: fill at close
    gone = rng.random((days, cols)) < 0.03  # no bar at all
    close[gone] = NAN
    opn[gone] = NAN
    close[0] = np.where(np.isnan(close[0]), 1000.0, close[0])
    sig = np.where(rng.random(days) < 0.3, 0, -1)
    sig[sig == 0] = np.arange((sig == 0).sum())
    n_rows = max(int((sig >= 0).sum()), 1)
    tg = rng.dirichlet(np.ones(cols), n_rows) * rng.uniform(0.3, 1.0, (n_rows, 1))
    tg[rng.random(tg.shape) < 0.3] = 0.0
    return {"open": opn, "close": close, "sig": sig, "tg": tg}


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    days=st.integers(2, 40),
    cols=st.integers(1, 6),
    integer=st.booleans(),
    comm=st.sampled_from([0.0, 0.00015, 0.01]),
    slip=st.sampled_from([0.0, 0.001, 0.02]),
    thr=st.sampled_from([0.0, 0.01, 0.1]),
    stop=st.sampled_from([0.0, 0.05, 0.12]),
    tax=st.sampled_from([0.0, 0.0023]),
    cash=st.sampled_from([1e4, 1e7]),
)
def test_engine_equals_reference(
    seed: int,
    days: int,
    cols: int,
    integer: bool,
    comm: float,
    slip: float,
    thr: float,
    stop: float,
    tax: float,
    cash: float,
) -> None:
    case = _random_case(seed, days, cols)
    types = np.arange(cols) % 2
    taxes = np.tile([0.0, tax], (days, 1))
    got = sim.simulate(
        case["open"],
        case["close"],
        case["sig"],
        case["tg"],
        tax_rate=taxes,
        type_idx=types,
        commission=comm,
        slippage=slip,
        threshold=thr,
        stop_loss=stop,
        integer_shares=integer,
        initial_cash=cash,
    )
    eq, cash_ref, trades = reference_simulate(
        case["open"].tolist(),
        case["close"].tolist(),
        case["sig"].tolist(),
        case["tg"].tolist(),
        taxes.tolist(),
        types.tolist(),
        comm,
        slip,
        thr,
        stop,
        integer,
        cash,
    )
    mine = [
        (int(t[sim.T_DAY]), int(t[sim.T_COL]), t[sim.T_SIDE] * t[sim.T_QTY], t[sim.T_PRICE])
        for t in got.trades
    ]
    assert mine == trades
    assert got.equity.tolist() == eq
    assert got.cash.tolist() == cash_ref
    assert (got.cash >= 0).all()
    np.testing.assert_allclose(got.equity, got.cash + got.invested, rtol=1e-12)
