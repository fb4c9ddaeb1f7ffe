"""DVC as the operator meets it, offline: ``dvc metrics show/diff`` print only the headline
metrics within 120 columns, and ``dvc plots show`` renders in Chromium with no network."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from pipeline import registry
from pipeline.artifacts.backtest import Costs, Metrics, Performance
from pipeline.canonical import canonical_bytes
from pipeline.flows.backtest import dvc_metrics
from tests.conftest import copy_project, git, offline_page, run

pytestmark = pytest.mark.slow
FLAT = registry.get("backtest_dvc_metrics").path
ENVELOPE_KEYS = ("schema", "producer", "inputs", "generated_at", "params_sha256", "asof")


def perf(sign: float, digits: int) -> Performance:
    """Worst-case widths: negative, many digits."""
    x = sign * 0.123456789
    return Performance(
        start=dt.date(2009, 6, 24), end=dt.date(2026, 11, 20), observations=4291,
        total_return=x, cagr=x, volatility=0.99999, sharpe=sign * 9.87654, sortino=x,
        max_drawdown=0.98765, max_drawdown_days=10**digits, calmar=x,
    )  # fmt: skip


def metrics(sign: float) -> Metrics:
    return Metrics(
        strategy=perf(sign, 4), benchmark=perf(-sign, 4), benchmark_ticker="069500",
        excess_return=sign * 0.5, excess_cagr=-0.0123456, exposure=0.987654, turnover=1.5,
        trade_count=99_999, sell_count=50_000, win_rate=0.5, stop_loss_count=7,
        costs=Costs(commission=1, slippage=2, sell_tax=3, total=6), final_equity=12_524_450,
        years=(),
    )  # fmt: skip


#: Pixels of DVC's first series colour (#945dd6) on a chart's canvas: the lines were drawn.
LINE_PIXELS = """c => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    const near = (v, c) => Math.abs(v - c) < 24;
    if (near(d[i], 0x94) && near(d[i + 1], 0x5d) && near(d[i + 2], 0xd6)) n++;
  }
  return n;
}"""


def dvc(repo: Path, *args: str) -> str:
    return run([sys.executable, "-m", "dvc", *args], repo).stdout


def test_metrics_show_and_diff_print_only_metrics_within_120_columns(tmp_path: Path) -> None:
    repo = copy_project(tmp_path / "pc", include_data=False)
    flat = repo / FLAT
    flat.parent.mkdir(parents=True, exist_ok=True)
    flat.write_bytes(canonical_bytes(dvc_metrics(metrics(1.0))))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "metrics")
    flat.write_bytes(canonical_bytes(dvc_metrics(metrics(-1.0))))
    shown = dvc(repo, "metrics", "show")
    diff = dvc(repo, "metrics", "diff")
    for out in (shown, diff):
        lines = out.splitlines()
        assert lines and max(map(len, lines)) <= 120, out
        assert not any(key in out for key in ENVELOPE_KEYS), out
    names = set(dvc_metrics(metrics(1.0)))
    assert {"cagr", "sharpe", "max_dd", "exposure", "trades"} <= names
    assert all(name in shown.split() for name in names)
    assert {line.split()[1] for line in diff.splitlines()[1:]} == {"cagr", "sharpe"}  # changed


def test_plots_show_renders_offline_in_chromium(tmp_path: Path) -> None:
    repo = copy_project(tmp_path / "pc", include_data=False)
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(60)]
    for name, base in (("backtest_equity", 10_000_000.0), ("backtest_drawdown", 0.0)):
        rows = ["date,strategy,benchmark"]
        rows += [f"{d},{base + i * 1000.0},{base - i * 500.0}" for i, d in enumerate(days)]
        path = repo / registry.get(name).path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "plots"
    dvc(repo, "plots", "show", "--out", str(out))
    page_html = (out / "index.html").read_text(encoding="utf-8")
    assert "cdn.jsdelivr.net" not in page_html
    with offline_page() as (page, external):
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto((out / "index.html").as_uri(), timeout=30_000)
        charts = page.locator(".vega-embed")
        charts.first.wait_for(timeout=30_000)
        count = charts.count()  # dvc.yaml's stage plots and its top-level plots
        for i in range(count):
            charts.nth(i).locator("canvas, svg").first.wait_for(timeout=30_000)
        sizes = [charts.nth(i).locator("canvas, svg").first.bounding_box() for i in range(count)]
        page.screenshot(path=str(tmp_path / "dvc_plots.png"), full_page=True)
        drawn = [charts.nth(i).locator("canvas").first.evaluate(LINE_PIXELS) for i in range(count)]
    assert external == [] and errors == []
    assert count == 4
    assert all(box is not None and box["width"] > 200 and box["height"] > 100 for box in sizes)
    assert min(drawn) > 300, drawn  # the series are drawn (a date x axis, not NaN on a linear one)
