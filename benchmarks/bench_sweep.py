"""Benchmark: a 1,000-combination sweep over the default universe and its full history.

Usage: PYTHONPATH=. python benchmarks/bench_sweep.py [--spec sweeps/default.yaml]
       [--naive-sample 20] [--stage-sample 2] [--repeats 1]

Measures, on the repo's stored prices and params.yaml (what `krx sweep run` does):
* in this process (1 worker) and on a local process pool of 2 workers (the default on 2 cores);
  a thread pool of 2 for comparison (the work is mostly Python, so threads share one core);
* on a 2-worker Dask LocalCluster on loopback (start-up timed apart), and Dask's own overhead:
  cluster start, scatter of the context, round trip of 200 empty tasks;
* peers, measured on a sample and extrapolated to the same number of combinations (said so in
  the output): (a) calling ``run_backtest`` afresh per combination (indicators recomputed every
  time, full metrics), (b) rerunning the pipeline's backtest stage per combination as a process
  (``krx stage backtest``: start-up, read prices, all artifacts), what a naive
  "edit params.yaml, repro" loop costs at least.
Everything after the first phase runs with compiled kernels already cached.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from pipeline import registry
from pipeline.artifacts.prices import PricesMetaV1
from pipeline.core.backtest import matrix_inputs, run_backtest
from pipeline.core.sweep import IndicatorCache, chunked, prepare, score_chunk
from pipeline.io.jsonio import read_artifact
from pipeline.io.prices import read_prices
from pipeline.io.sweep_pool import score_all
from pipeline.krx_calendar import load_calendar
from pipeline.params import load_params
from pipeline.params.sweep_spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
DASK_COLD = "sweep on the 2-worker Dask cluster, 1st run (workers import, load kernels)"
DASK_WARM = "sweep on the 2-worker Dask cluster, later runs (warm workers)"


def _load() -> float:
    return os.getloadavg()[0]


def _timed(label: str, fn, out: dict[str, float], repeats: int = 1):  # type: ignore[no-untyped-def]
    """Run ``fn`` ``repeats`` times; record the median wall time."""
    loads, times = [], []
    for _ in range(repeats):
        loads.append(_load())
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    out[label] = statistics.median(times)
    runs = ", ".join(f"{x:.2f}" for x in times)
    print(
        f"{label}: median {out[label]:.2f} s of [{runs}] "
        f"(1-min load average before each: {', '.join(f'{x:.1f}' for x in loads)})",
        flush=True,
    )
    return result


def _dask_overhead(ctx) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from distributed import Client, LocalCluster

    got: dict[str, float] = {}
    t0 = time.perf_counter()
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    client = Client(cluster)
    got["cluster_start_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    client.scatter([ctx], broadcast=True)
    got["scatter_context_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    client.gather(client.map(lambda x: x, range(200), pure=False))
    got["empty_task_roundtrip_ms"] = (time.perf_counter() - t0) / 200 * 1000
    addr = cluster.scheduler_address
    client.close()
    got["_address"] = addr  # type: ignore[assignment]
    got["_cluster"] = cluster  # type: ignore[assignment]
    return got


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", default="sweeps/default.yaml")
    ap.add_argument("--naive-sample", type=int, default=20)
    ap.add_argument("--stage-sample", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3, help="runs per sweep mode (median)")
    args = ap.parse_args()
    print(f"command: python benchmarks/bench_sweep.py --spec {args.spec}")
    print(f"measured: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
        f"{os.cpu_count()} cores; the machine is shared with other sessions (load averages below)"
    )
    t: dict[str, float] = {}
    params = load_params(ROOT)
    spec, _ = load_spec(ROOT / args.spec)
    meta = read_artifact(ROOT, registry.get("prices_meta"), PricesMetaV1)
    m, types, tradable = _timed(
        "read prices + matrix",
        lambda: matrix_inputs(read_prices(ROOT), params, meta.last_date),
        t,
    )
    prep = prepare(m, types, tradable, params, spec, load_calendar(ROOT).sessions)
    n = len(prep.combos)
    print(
        f"universe {len(m.tickers)} tickers x {m.dates.size} days "
        f"({m.dates[0]}..{m.dates[-1]}); {n} combinations ({spec.samples} sampled + baseline); "
        f"{len(prep.ctx.folds)} walk-forward folds"
    )
    score_chunk(prep.ctx, prep.combos[:2])  # compile / load the numba cache, not timed

    caches: list[IndicatorCache] = []

    def in_process():  # type: ignore[no-untyped-def]
        caches.append(IndicatorCache())  # a fresh cache per run: nothing carried over
        return score_chunk(prep.ctx, prep.combos, caches[-1])

    seq = _timed("sweep in-process (1 worker)", in_process, t, args.repeats)
    done = caches[-1].computed()
    print(
        f"  indicator reuse: {len(done['regime'])} regimes, {len(done['momentum'])} momentum "
        f"and {len(done['rsi'])} RSI series computed for {n} combinations"
    )
    pool = _timed(
        "sweep process pool (2 workers)",
        lambda: score_all(prep.ctx, prep.combos, workers=2, progress=False),
        t,
        args.repeats,
    )

    def threads() -> None:
        # Why the default is processes: the per-combination work is mostly Python (GIL).
        shared = IndicatorCache()  # dict races only duplicate work; results are not kept
        with ThreadPoolExecutor(2) as ex:
            list(ex.map(lambda c: score_chunk(prep.ctx, c, shared), chunked(prep.combos, 50)))

    _timed("sweep thread pool (2 threads, one shared cache)", threads, t)

    over = _dask_overhead(prep.ctx)
    print(
        f"dask LocalCluster(2 processes, loopback): start {over['cluster_start_s']:.2f} s, "
        f"scatter context {over['scatter_context_s']:.3f} s, "
        f"empty task round trip {over['empty_task_roundtrip_ms']:.2f} ms"
    )
    address = str(over["_address"])
    _timed(
        DASK_COLD,
        lambda: score_all(prep.ctx, prep.combos, scheduler=address, progress=False),
        t,
    )
    dask = _timed(
        DASK_WARM,
        lambda: score_all(prep.ctx, prep.combos, scheduler=address, progress=False),
        t,
        args.repeats,
    )
    over["_cluster"].close()  # type: ignore[attr-defined]

    same = all(
        a.full == b.full == c.full
        and np.array_equal(a.oos_sharpe, b.oos_sharpe, equal_nan=True)
        and np.array_equal(a.oos_sharpe, c.oos_sharpe, equal_nan=True)
        for a, b, c in zip(seq, pool, dask, strict=True)
    )
    print(f"identical results in-process / pool / dask: {same}")

    ctx = prep.ctx
    sample = prep.combos[: args.naive_sample]

    def naive() -> None:
        for c in sample:
            run_backtest(ctx.matrix, ctx.types, ctx.tradable, c.strategy, ctx.costs, ctx.backtest)

    _timed(f"peer (a): run_backtest afresh x {len(sample)}", naive, t)
    per = t[f"peer (a): run_backtest afresh x {len(sample)}"] / len(sample)
    t["peer_a_extrapolated"] = per * n
    print(f"  -> {per * 1000:.1f} ms each, extrapolated to {n}: {per * n:.1f} s (not measured)")

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "repo"
        copy.mkdir()
        for rel in ("params.yaml", "config", "data"):
            src = ROOT / rel
            (shutil.copytree if src.is_dir() else shutil.copy)(src, copy / rel)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "KRX_ASOF": str(meta.last_date)}
        argv = [sys.executable, "-m", "pipeline.cli", "-C", str(copy), "stage", "backtest"]

        def stage() -> None:
            for _ in range(args.stage_sample):
                subprocess.run(argv, env=env, check=True, capture_output=True)

        _timed(f"peer (b): krx stage backtest x {args.stage_sample}", stage, t)
        per_b = t[f"peer (b): krx stage backtest x {args.stage_sample}"] / args.stage_sample
        t["peer_b_extrapolated"] = per_b * n
        print(f"  -> {per_b:.2f} s each, extrapolated to {n}: {per_b * n:.0f} s (not measured)")

    best = min(t["sweep in-process (1 worker)"], t["sweep process pool (2 workers)"])
    print()
    print(f"target: {n} combinations <= 60 s on this 2-core machine")
    for label in (
        "sweep in-process (1 worker)",
        "sweep process pool (2 workers)",
        DASK_COLD,
        DASK_WARM,
    ):
        verdict = "PASS" if t[label] <= 60 else "FAIL"
        print(f"  {label}: {t[label]:.2f} s  {verdict}  ({n / t[label]:.0f} combinations/s)")
    print(
        f"  peer (a) run_backtest per combination, extrapolated: {t['peer_a_extrapolated']:.1f} s "
        f"= x{t['peer_a_extrapolated'] / best:.1f} our best"
    )
    print(
        f"  peer (b) backtest stage per combination, extrapolated: "
        f"{t['peer_b_extrapolated']:.0f} s "
        f"= x{t['peer_b_extrapolated'] / best:.0f} our best"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
