"""Stage ``backtest``: Crisis Alpha over the stored history, and the handoff bundle.

Writes the DVC metrics, the equity/drawdown plot series, the trade log, the full result and
``state/strategy_bundle.json`` for the session after ``asof``. Every JSON artifact is
validated before it is written; any error leaves a non-zero exit code (fail closed).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.prices import ClockV1, PricesMetaV1
from pipeline.core import handoff
from pipeline.core.backtest import backtest_bars
from pipeline.errors import EXIT_OK
from pipeline.io.atomic import write_bytes_atomic
from pipeline.io.context import input_ref, now_seoul, producer
from pipeline.io.jsonio import read_artifact, write_artifact
from pipeline.io.parquet import TRADES_SCHEMA, write_table_atomic
from pipeline.io.prices import read_prices
from pipeline.krx_calendar import OVERRIDES_FILE, load_calendar
from pipeline.params import PARAMS_FILE, load_params, params_sha256


def _asof(root: Path, explicit: str | None, meta: PricesMetaV1) -> dt.date:
    if explicit:
        return dt.date.fromisoformat(explicit)
    clock = registry.get("clock")
    if (root / clock.path).exists():
        return read_artifact(root, clock, ClockV1).asof
    return meta.last_date


def main(root: Path, asof: str | None) -> int:
    params = load_params(root)
    calendar = load_calendar(root)
    meta = read_artifact(root, registry.get("prices_meta"), PricesMetaV1)
    day = _asof(root, asof, meta)
    run = backtest_bars(read_prices(root), params, day)
    used = [PARAMS_FILE, OVERRIDES_FILE, registry.get("prices_meta").path]
    used += [registry.get("clock").path] if (root / registry.get("clock").path).exists() else []
    env = handoff.envelope(
        day,
        now_seoul(),
        producer("backtest", root),
        params_sha256(params.data, params.strategy, params.costs, params.backtest),
        [input_ref(root, rel) for rel in used],
    )
    src, synth = meta.source, meta.synthetic
    write_artifact(
        root, registry.get("backtest_metrics"), handoff.metrics_artifact(run, env, synth)
    )
    write_artifact(
        root, registry.get("backtest_result"), handoff.result_artifact(run, params, env, src, synth)
    )
    for name, frame in zip(
        ("backtest_equity", "backtest_drawdown"), handoff.series_frames(run), strict=True
    ):
        csv = frame.to_csv(index=False, lineterminator="\n")
        write_bytes_atomic(root / registry.get(name).path, csv.encode("utf-8"))
    write_table_atomic(
        root / registry.get("backtest_trades").path, handoff.trades_frame(run), TRADES_SCHEMA
    )
    bundle = handoff.bundle_artifact(run, params, calendar, env, src, synth)
    write_artifact(root, registry.get("strategy_bundle"), bundle)
    m = run.metrics.strategy
    print(f"backtest: asof {day} {bundle.day_state.value}, total return {m.total_return:.2%}")
    return EXIT_OK
