"""Stage ``reports``: human report (Markdown + HTML), machine report, push preview."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd

from pipeline import registry
from pipeline.artifacts.backtest import BacktestResultV1
from pipeline.artifacts.bundle import StrategyBundleV1
from pipeline.artifacts.live import OrderPlanV2
from pipeline.artifacts.prices import PricesMetaV1
from pipeline.artifacts.recon import ReconSummaryV1
from pipeline.artifacts.reports import MachineReportV1, PushPreviewV1
from pipeline.artifacts.sweep import SweepLeaderboardV1
from pipeline.core.matrix import to_matrix
from pipeline.core.regime import benchmark_day_states
from pipeline.core.report import ReportInputs, push_preview, render_markdown
from pipeline.core.report_html import render_html
from pipeline.core.sweep_surface import surface_svg
from pipeline.core.tearsheet import Fill
from pipeline.errors import EXIT_OK, ArtifactError
from pipeline.flows import live_cycle
from pipeline.io.atomic import write_bytes_atomic
from pipeline.io.context import input_ref, now_seoul, producer, require_asof
from pipeline.io.jsonio import read_artifact, write_artifact
from pipeline.io.parquet import TRADES_SCHEMA, read_table
from pipeline.io.prices import read_prices
from pipeline.io.server_state import Session
from pipeline.krx_calendar import load_calendar
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
        fills=_fills(root),
        plan=_order_plan(root),
        next_rebalance=load_calendar(root).add(bundle.valid_until, 1),
        risk_free_rate=params.backtest.risk_free_rate,
        momentum_period=params.strategy.momentum_period,
        rsi_period=params.strategy.rsi_period,
        stop_loss=params.strategy.stop_loss,
        rebalance_threshold=params.strategy.rebalance_threshold,
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
    message = _message_preview(root, bundle.asof)
    preview = PushPreviewV1(**common, inputs=inputs, title=title, body=body, message_text=message)
    write_artifact(root, registry.get("push_preview"), preview, keep_if_unchanged=True)
    print(f"reports: {registry.get('report_html').path} (open it in a browser; works offline)")
    return EXIT_OK


def _message_preview(root: Path, signal_day: dt.date) -> str:
    """The server's message for the bundle's next session, from this repo's files (same code)."""
    cal = load_calendar(root)
    return live_cycle.prepare(root, Session(cal.add(signal_day, 1), cal)).text


def _sweep_surface(root: Path) -> str | None:
    """The committed sweep leaderboard's surface (sweeps are optional: None if absent)."""
    spec = registry.get("sweep_leaderboard")
    if not (root / spec.path).exists():
        return None
    return surface_svg(read_artifact(root, spec, SweepLeaderboardV1))


def _fills(root: Path) -> list[Fill]:
    """The backtest's fills (the trades artifact) for the trade statistics."""
    return fills_from_frame(read_table(root / registry.get("backtest_trades").path, TRADES_SCHEMA))


def fills_from_frame(df: pd.DataFrame) -> list[Fill]:
    """Rows of the trades artifact as :class:`Fill` values (realized P&L null on buys)."""
    cols = ("date", "ticker", "side", "shares", "price", "notional", "reason")
    pnl = [None if pd.isna(x) else int(x) for x in df["realized_pnl"].astype(object)]
    return [
        Fill(d, str(t), str(side), int(n), float(px), int(amt), str(why), p)
        for d, t, side, n, px, amt, why, p in zip(*(df[c] for c in cols), pnl, strict=True)
    ]


def _order_plan(root: Path) -> OrderPlanV2 | None:
    """The server's latest order plan as pulled (optional: None before the server's first run).

    An unreadable plan is the server's fault, reported by ops summary and validate; the report
    then says what the bundle says instead of failing the PC pipeline."""
    spec = registry.get("order_plan")
    try:
        return read_artifact(root, spec, OrderPlanV2)
    except ArtifactError:
        return None


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
