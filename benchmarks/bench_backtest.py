"""Benchmark: the full Crisis Alpha run vs vectorbt from_orders on the same target weights.

Usage: PYTHONPATH=. python benchmarks/bench_backtest.py [--days 5000] [--sizes 300,1000,3000]
       [--repeats 5] [--vbt-repeats 1]

"Full run" = ``run_backtest`` on (days x tickers) matrices: indicators, regime, signal days,
selection, integer-share simulation with stops/threshold/costs, metrics. vectorbt gets only the
simulation (its ``from_orders`` with target-percent sizing at the open, same commission and
slippage, one cash pool, auto call sequence) on our target weights, measured after a compile
warm-up. We also time our own engine alone in fractional mode on the same weights and check
that its equity agrees with vectorbt's.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time

import numpy as np
import pandas as pd

from pipeline.core import simulate as sim
from pipeline.core.backtest import run_backtest
from pipeline.core.matrix import PriceMatrix
from pipeline.enums import InstrumentType
from pipeline.params import BacktestParams, CostParams, StrategyParams

COSTS = CostParams.model_validate({"sell_tax": {"ETF": [{"from": "2000-01-01", "rate": 0.0}]}})


def synthetic(tickers: int, days: int, seed: int = 0) -> PriceMatrix:
    """Random walks with regime-like drift swings; the benchmark 069500 is the last column."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)[:, None]
    drift = 0.0008 * np.sin(t / rng.uniform(60, 250, tickers) + rng.uniform(0, 6, tickers))
    close = 10_000 * np.exp(np.cumsum(drift + rng.normal(0, 0.015, (days, tickers)), axis=0))
    opn = close * (1 + rng.normal(0, 0.003, (days, tickers)))
    high = np.maximum(opn, close) * (1 + rng.uniform(0, 0.01, (days, tickers)))
    low = np.minimum(opn, close) * (1 - rng.uniform(0, 0.01, (days, tickers)))
    # Listings: a tenth of the tickers start later (NaN before their first bar).
    late = rng.choice(tickers - 1, tickers // 10, replace=False)
    for j in late:
        start = int(rng.integers(1, days // 2))
        for m in (opn, high, low, close):
            m[:start, j] = np.nan
    dates = np.busday_offset("2006-01-02", np.arange(days), roll="forward").astype("datetime64[D]")
    names = (*(f"{i:06d}" for i in range(1, tickers)), "069500")
    return PriceMatrix(dates, names, opn, high, low, close)


def full_run(m: PriceMatrix):  # type: ignore[no-untyped-def]
    n = len(m.tickers)
    return run_backtest(
        m,
        [InstrumentType.ETF] * n,
        np.ones(n, dtype=bool),
        StrategyParams(),
        COSTS,
        BacktestParams(),
    )


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as fh:  # noqa: PTH123 - Linux procfs
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_peak_mb(m: PriceMatrix) -> tuple[float, float]:
    """(resident MB before, peak resident MB during) one full run, inputs resident.

    The peak counter (VmHWM) is reset first (Linux: write 5 to /proc/self/clear_refs) so the
    data generation's temporaries do not count.
    """
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:  # noqa: PTH123
            fh.write("5")
    except OSError:
        pass  # not Linux: VmHWM then also covers the generation
    before = _status_mb("VmRSS")
    full_run(m)
    return before, _status_mb("VmHWM")


def timed(fn, repeats: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def vbt_run(m: PriceMatrix, signal_days: np.ndarray, targets: np.ndarray):  # type: ignore[no-untyped-def]
    import vectorbt as vbt

    size = np.full(m.close.shape, np.nan)
    fill = signal_days + 1
    keep = fill < m.close.shape[0]
    size[fill[keep]] = targets[keep]
    close = pd.DataFrame(np.nan_to_num(m.close, nan=1.0))  # vectorbt wants a valuation price
    price = pd.DataFrame(m.open)
    t0 = time.perf_counter()
    pf = vbt.Portfolio.from_orders(
        close=close,
        size=pd.DataFrame(size),
        price=price,
        size_type="targetpercent",
        fees=COSTS.commission_rate,
        slippage=COSTS.slippage_rate,
        init_cash=10_000_000.0,
        cash_sharing=True,
        group_by=True,
        call_seq="auto",
        freq="1D",
    )
    value = pf.value().to_numpy()
    return time.perf_counter() - t0, value


def ours_fractional(m: PriceMatrix, signal_row: np.ndarray, targets: np.ndarray) -> np.ndarray:
    r = sim.simulate(
        m.open,
        np.where(np.isnan(m.close), 1.0, m.close),
        signal_row,
        targets,
        tax_rate=np.zeros((m.close.shape[0], 1)),
        type_idx=np.zeros(len(m.tickers), np.int64),
        commission=COSTS.commission_rate,
        slippage=COSTS.slippage_rate,
        threshold=0.0,
        stop_loss=0.0,
        integer_shares=False,
        initial_cash=10_000_000.0,
    )
    return r.equity


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=5000)
    ap.add_argument("--sizes", default="300,1000,3000")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--vbt-repeats", type=int, default=1)
    ap.add_argument("--no-vbt", action="store_true")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    full_run(synthetic(50, 400))  # numba compile / cache load, not timed
    if not args.no_vbt:
        vbt_run(synthetic(5, 50), np.array([1, 20]), np.full((2, 5), 0.1))  # vectorbt warm-up
    rows = []
    for n in sizes:
        m = synthetic(n, args.days)
        rss_before, peak = run_peak_mb(m)
        times = timed(lambda m=m: full_run(m), args.repeats)
        run = full_run(m)
        row = {
            "tickers": n,
            "days": args.days,
            "full_run_median_s": statistics.median(times),
            "full_run_times_s": [round(x, 4) for x in times],
            "peak_rss_during_run_mb": round(peak),
            "rss_before_run_mb": round(rss_before),
            "input_matrices_mb": round(4 * m.close.nbytes / 2**20),
            "signal_days": int(run.strategy.signal_days.size),
            "trades": int(run.sim.trades.shape[0]),
        }
        if not args.no_vbt:
            s = run.strategy
            sig_row = s.signal_row(args.days)
            sim_times = timed(
                lambda m=m, r=sig_row, t=s.targets: ours_fractional(m, r, t), args.repeats
            )
            ours_eq = ours_fractional(m, sig_row, s.targets)
            vt = [vbt_run(m, s.signal_days, s.targets) for _ in range(args.vbt_repeats)]
            vbt_s = statistics.median(t for t, _ in vt)
            rel = float(np.max(np.abs(ours_eq - vt[0][1]) / np.abs(vt[0][1])))
            row.update(
                {
                    "vectorbt_from_orders_s": vbt_s,
                    "ratio_full_run_over_vectorbt": row["full_run_median_s"] / vbt_s,
                    "our_sim_only_fractional_median_s": statistics.median(sim_times),
                    "ratio_sim_only_over_vectorbt": statistics.median(sim_times) / vbt_s,
                    "max_rel_equity_diff_vs_vectorbt": rel,
                }
            )
        rows.append(row)
        print(json.dumps(row), flush=True)
    base = rows[0]
    for r in rows:
        scale = r["tickers"] / base["tickers"]
        grow = r["full_run_median_s"] / base["full_run_median_s"]
        print(
            f"{r['tickers']:>5} tickers: {r['full_run_median_s']:.3f} s "
            f"(x{grow:.2f} time for x{scale:.1f} tickers), "
            f"peak RSS during run {r['peak_rss_during_run_mb']} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
