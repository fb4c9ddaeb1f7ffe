"""The same sweep in this process, a process pool and a 2-worker Dask cluster: identical."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from pipeline.core.sweep import ComboScore
from pipeline.io.sweep_pool import score_all
from tests.core import sweep_factories as sf


def _same(a: list[ComboScore], b: list[ComboScore]) -> None:
    assert [s.id for s in a] == [s.id for s in b]
    for x, y in zip(a, b, strict=True):
        for f in dataclasses.fields(ComboScore):
            u, v = getattr(x, f.name), getattr(y, f.name)
            if isinstance(u, np.ndarray):
                assert np.array_equal(u, v, equal_nan=True), (x.id, f.name)
            elif isinstance(u, float) and np.isnan(u):
                assert np.isnan(v), (x.id, f.name)
            else:
                assert u == v, (x.id, f.name)


@pytest.fixture(scope="module")
def prep() -> sf.Prepared:
    return sf.prepared(sf.bars(days=500, seed=3))


@pytest.fixture(scope="module")
def in_process(prep: sf.Prepared) -> list[ComboScore]:
    return score_all(prep.ctx, prep.combos, workers=1, progress=False)


def test_process_pool_gives_identical_results(
    prep: sf.Prepared, in_process: list[ComboScore]
) -> None:
    _same(in_process, score_all(prep.ctx, prep.combos, workers=2, progress=False))


def test_dask_local_cluster_gives_identical_results(
    prep: sf.Prepared, in_process: list[ComboScore]
) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",  # loopback only
        dashboard_address=None,
    ) as cluster:
        got = score_all(prep.ctx, prep.combos, scheduler=cluster.scheduler_address, progress=False)
        workers = list(cluster.scheduler.workers)  # the in-process scheduler's registry
    assert len(workers) == 2
    assert all(addr.startswith("tcp://127.0.0.1:") for addr in workers)
    _same(in_process, got)


def test_scheduler_local_starts_and_stops_its_own_loopback_cluster(
    prep: sf.Prepared, in_process: list[ComboScore]
) -> None:
    pytest.importorskip("distributed")
    _same(
        in_process, score_all(prep.ctx, prep.combos, scheduler="local", workers=2, progress=False)
    )
