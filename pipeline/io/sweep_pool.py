"""Where a sweep's combinations run: this process, a local process pool, or a Dask cluster.

Every way calls the same pure ``score_chunk``; results are put back in combination order,
so they are identical whichever way they ran. Chunks keep combinations that share a regime
together, and each worker process keeps its indicator cache between chunks of one sweep.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from tqdm import tqdm

from pipeline.core.sweep import (
    Combo,
    ComboScore,
    IndicatorCache,
    SweepContext,
    chunked,
    score_chunk,
)
from pipeline.errors import OperatorError, RetryableError

#: Per worker process: the context of the running sweep and its indicator cache.
_CTX: SweepContext | None = None
_CACHE: dict[str, IndicatorCache] = {}


def _cache_for(ctx: SweepContext) -> IndicatorCache:
    if ctx.token not in _CACHE:
        _CACHE.clear()  # one sweep at a time per worker: never grow across sweeps
        _CACHE[ctx.token] = IndicatorCache()
    return _CACHE[ctx.token]


def _init_worker(ctx: SweepContext) -> None:
    global _CTX
    _CTX = ctx


def _pool_chunk(chunk: list[Combo]) -> list[ComboScore]:
    assert _CTX is not None, "worker not initialised"
    return score_chunk(_CTX, chunk, _cache_for(_CTX))


def score_remote(ctx: SweepContext, chunk: list[Combo]) -> list[ComboScore]:
    """A Dask task: one chunk, with the worker's cache."""
    return score_chunk(ctx, chunk, _cache_for(ctx))


def chunk_size(n: int, workers: int) -> int:
    """About eight chunks per worker (load balance), at most 50 combinations each."""
    return max(1, min(50, n // max(1, workers * 8) or 1))


def score_all(
    ctx: SweepContext,
    combos: Sequence[Combo],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
) -> list[ComboScore]:
    """Score every combination; the result is in ``combos`` order."""
    bar = tqdm(total=len(combos), desc="sweep", unit="combo", file=sys.stderr, disable=not progress)
    try:
        if scheduler:
            got = _on_dask(ctx, combos, scheduler, workers, bar.update)
        elif workers > 1:
            got = _on_pool(ctx, combos, workers, bar.update)
        else:
            cache = IndicatorCache()
            got = {}
            for chunk in chunked(combos, chunk_size(len(combos), 1)):
                for s in score_chunk(ctx, chunk, cache):
                    got[s.id] = s
                bar.update(len(chunk))
    finally:
        bar.close()
    return [got[c.id] for c in combos]


def _on_pool(
    ctx: SweepContext, combos: Sequence[Combo], workers: int, tick: Callable[[int], Any]
) -> dict[str, ComboScore]:
    # fork: workers inherit the imported modules and the compiled kernels (Linux, the PC).
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    got: dict[str, ComboScore] = {}
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(ctx,),
    ) as pool:
        futures = [
            pool.submit(_pool_chunk, c) for c in chunked(combos, chunk_size(len(combos), workers))
        ]
        for fut in as_completed(futures):
            scores = fut.result()
            got.update((s.id, s) for s in scores)
            tick(len(scores))
    return got


def _on_dask(
    ctx: SweepContext,
    combos: Sequence[Combo],
    scheduler: str,
    workers: int,
    tick: Callable[[int], Any],
) -> dict[str, ComboScore]:
    try:
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_completed
    except ImportError:
        raise OperatorError("--scheduler needs dask: pip install '.[dist]'") from None
    cluster = None
    if scheduler == "local":
        # A throwaway cluster of worker processes on loopback only (no dashboard).
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=max(1, workers),
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        address = cluster.scheduler_address
    else:
        address = scheduler
    try:
        with Client(address, timeout=30) as client:  # type: ignore[no-untyped-call]
            n = max(1, len(client.scheduler_info().get("workers", {})))
            [ctx_future] = client.scatter([ctx], broadcast=True)
            futures = [
                client.submit(score_remote, ctx_future, chunk, pure=False)
                for chunk in chunked(combos, chunk_size(len(combos), n))
            ]
            got: dict[str, ComboScore] = {}
            for fut in dask_completed(futures):  # type: ignore[no-untyped-call]
                scores = fut.result()
                got.update((s.id, s) for s in scores)
                tick(len(scores))
            return got
    except OSError as err:
        raise RetryableError(f"dask scheduler {address}: {err}") from None
    finally:
        if cluster is not None:
            cluster.close()
