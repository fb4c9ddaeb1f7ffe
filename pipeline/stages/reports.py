"""Stage ``reports``: human report (Markdown + HTML), machine report, push preview."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.backtest import BacktestResultV1
from pipeline.artifacts.bundle import StrategyBundleV1
from pipeline.artifacts.prices import PricesMetaV1
from pipeline.artifacts.recon import ReconSummaryV1
from pipeline.artifacts.reports import MachineReportV1, PushPreviewV1
from pipeline.artifacts.sweep import SweepLeaderboardV1
from pipeline.core.matrix import to_matrix
from pipeline.core.regime import benchmark_day_states
from pipeline.core.report import ReportInputs, push_preview, render_html, render_markdown
from pipeline.core.sweep_surface import surface_svg
from pipeline.errors import EXIT_OK
from pipeline.io.atomic import write_bytes_atomic
from pipeline.io.context import input_ref, now_seoul, producer, require_asof
from pipeline.io.jsonio import read_artifact, write_artifact
from pipeline.io.prices import read_prices
from pipeline.params import load_params

INPUTS = ("backtest_result", "strategy_bundle", "recon_summary", "prices_meta")


def _series(path: Path) -> tuple[list[dt.date], list[float], list[float]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    dates = [dt.date.fromisoformat(r["date"]) for r in rows]
    return dates, [float(r["strategy"]) for r in rows], [float(r["benchmark"]) for r in rows]


def main(root: Path, asof: str | None) -> int:
    params = load_params(root)
    result = read_artifact(root, registry.get("backtest_result"), BacktestResultV1)
    bundle = read_artifact(root, registry.get("strategy_bundle"), StrategyBundleV1)
    require_asof(asof, bundle.asof, "reports", f"the strategy bundle is as of {bundle.asof}", root)
    recon = read_artifact(root, registry.get("recon_summary"), ReconSummaryV1)
    meta = read_artifact(root, registry.get("prices_meta"), PricesMetaV1)
    dates, equity, bench = _series(root / registry.get("backtest_equity").path)
    _, dd, bench_dd = _series(root / registry.get("backtest_drawdown").path)
    bars = read_prices(root).query("ticker == @params.strategy.benchmark")
    m = to_matrix(bars, [params.strategy.benchmark])
    states = benchmark_day_states(
        m.dates, m.high[:, 0], m.low[:, 0], m.close[:, 0], params.strategy
    )
    inp = ReportInputs(
        result=result,
        bundle=bundle,
        recon=recon,
        names={i.ticker: i.name for i in params.data.universe},
        dates=dates,
        equity=equity,
        bench_equity=bench,
        drawdown=dd,
        bench_drawdown=bench_dd,
        states=sorted(states.items()),
        source_note=meta.source_note,
        sweep_surface=_sweep_surface(root),
    )
    write_bytes_atomic(root / registry.get("report_markdown").path, render_markdown(inp).encode())
    write_bytes_atomic(root / registry.get("report_html").path, render_html(inp).encode())
    common = {
        "asof": bundle.asof,
        "generated_at": now_seoul(),
        "producer": producer("reports", root),
    }
    s = result.metrics
    machine = MachineReportV1(
        **common,
        synthetic=bundle.synthetic_data,
        day_state=bundle.day_state,
        exposure=bundle.exposure,
        targets={t.ticker: t.weight for t in bundle.target_weights},
        cagr=_r(s.strategy.cagr),
        mdd=round(s.strategy.max_drawdown, 4),
        sharpe=_r(s.strategy.sharpe),
        bench_cagr=_r(s.benchmark.cagr),
        recon=recon.status,
        issues=tuple(i.code.value for i in recon.issues[:3]),
    )
    write_artifact(root, registry.get("machine_report"), machine, keep_if_unchanged=True)
    title, body = push_preview(inp)
    inputs = tuple(input_ref(root, registry.get(n).path) for n in INPUTS)
    preview = PushPreviewV1(**common, inputs=inputs, title=title, body=body)
    write_artifact(root, registry.get("push_preview"), preview, keep_if_unchanged=True)
    print(f"reports: {registry.get('report_html').path} (open it in a browser; works offline)")
    return EXIT_OK


def _sweep_surface(root: Path) -> str | None:
    """The committed sweep leaderboard's surface (sweeps are optional: None if absent)."""
    spec = registry.get("sweep_leaderboard")
    if not (root / spec.path).exists():
        return None
    return surface_svg(read_artifact(root, spec, SweepLeaderboardV1))


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
