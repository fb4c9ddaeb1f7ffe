"""Stage ``backtest``: Crisis Alpha over the stored history, and the handoff bundle.

Writes the DVC metrics, the equity/drawdown plot series, the trade log, the full result and
``state/strategy_bundle.json`` for the session after ``asof``. Every JSON artifact is
validated before it is written; any error leaves a non-zero exit code (fail closed).
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.backtest import Metrics
from pipeline.artifacts.bundle import StrategyBundleV1
from pipeline.artifacts.envelope import Envelope
from pipeline.artifacts.prices import PricesMetaV1
from pipeline.canonical import canonical_bytes
from pipeline.core import handoff
from pipeline.core.backtest import backtest_bars
from pipeline.errors import EXIT_OK, ArtifactError
from pipeline.io.atomic import write_bytes_atomic
from pipeline.io.context import input_ref, now_seoul, pinned_asof, producer
from pipeline.io.jsonio import dump_model, read_artifact, write_artifact
from pipeline.io.parquet import TRADES_SCHEMA, write_table_atomic
from pipeline.io.prices import read_prices
from pipeline.io.validate import validate_document
from pipeline.krx_calendar import OVERRIDES_FILE, load_calendar
from pipeline.params import PARAMS_FILE, load_params, params_sha256


def _check_all(docs: dict[str, Envelope]) -> None:
    """Validate every JSON artifact before writing any, so a failure leaves no mixed set."""
    for name, doc in docs.items():
        rel = registry.get(name).path
        problems = validate_document(json.loads(dump_model(doc)), rel)
        if problems:
            raise ArtifactError(
                f"refusing to write invalid {rel}:\n" + "\n".join(map(str, problems))
            )


def main(root: Path, asof: str | None) -> int:
    params = load_params(root)
    meta = read_artifact(root, registry.get("prices_meta"), PricesMetaV1)
    day = pinned_asof(root, asof, "backtest", fallback=meta.last_date)
    run = backtest_bars(read_prices(root), params, day)
    used = [
        PARAMS_FILE,
        OVERRIDES_FILE,
        registry.get("prices_meta").path,
        registry.get("clock").path,
    ]
    env = handoff.envelope(
        day,
        now_seoul(),
        producer("backtest", root),
        params_sha256(params.data, params.strategy, params.costs, params.backtest),
        [input_ref(root, rel) for rel in used if (root / rel).exists()],
    )
    src, synth = meta.source, meta.synthetic
    docs: dict[str, Envelope] = {
        "backtest_metrics": handoff.metrics_artifact(run, env, synth),
        "backtest_result": handoff.result_artifact(run, params, env, src, synth),
        "strategy_bundle": handoff.bundle_artifact(
            run, params, load_calendar(root), env, src, synth
        ),
    }
    _check_all(docs)
    equity, drawdown = handoff.series_frames(run)
    for name, frame in (("backtest_equity", equity), ("backtest_drawdown", drawdown)):
        csv = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
        write_bytes_atomic(root / registry.get(name).path, csv)
    flat = canonical_bytes(dvc_metrics(run.metrics))
    write_bytes_atomic(root / registry.get("backtest_dvc_metrics").path, flat)
    trades = registry.get("backtest_trades").path
    write_table_atomic(root / trades, handoff.trades_frame(run), TRADES_SCHEMA)
    for name, doc in docs.items():  # the bundle last: it is what the server acts on
        write_artifact(root, registry.get(name), doc)
    state, m = docs["strategy_bundle"], run.metrics.strategy
    assert isinstance(state, StrategyBundleV1)
    print(f"backtest: asof {day} {state.day_state.value}, total return {m.total_return:.2%}")
    return EXIT_OK


def dvc_metrics(m: Metrics) -> dict[str, float | int | None]:
    """The headline figures as DVC's metric: flat, so `dvc metrics show` fits 120 columns."""
    s = m.strategy
    return {
        "cagr": s.cagr,
        "sharpe": s.sharpe,
        "max_dd": s.max_drawdown,
        "vol": s.volatility,
        "excess_cagr": m.excess_cagr,
        "exposure": m.exposure,
        "trades": m.trade_count,
    }
