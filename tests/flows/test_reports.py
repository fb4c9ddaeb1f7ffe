"""The reports stage on a world built from factories (no checkout data): it reads the trades,
the bundle and — when the server's plan for this bundle has been pulled — today's orders."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from pipeline import registry
from pipeline.artifacts.prices import PricesMetaV1, UniverseEntry
from pipeline.core import handoff
from pipeline.core import report as rp
from pipeline.enums import PriceSource
from pipeline.flows import reports
from pipeline.io.atomic import write_bytes_atomic
from pipeline.io.jsonio import write_artifact
from pipeline.io.parquet import TRADES_SCHEMA, write_table_atomic
from pipeline.io.prices import describe_partitions, write_partitions
from tests.conftest import copy_project
from tests.core.report_factories import World, backtest_world, make_plan

NOW = dt.datetime(2026, 1, 1, 16, tzinfo=dt.UTC)


def write_world(root: Path, w: World) -> None:
    """The artifacts the reports stage reads, written where the registry says."""
    bars = w.bars
    write_partitions(root, bars)
    first, last = bars["date"].min(), bars["date"].max()
    meta = PricesMetaV1(
        **{k: v for k, v in w.result.model_dump(by_alias=True).items() if k in ENVELOPE},
        source=PriceSource.SAMPLE,
        synthetic=True,
        source_note="SYNTHETIC flow-test bars",
        first_date=first,
        last_date=last,
        bars=len(bars),
        universe=tuple(
            UniverseEntry(
                ticker=t, name=f"ETF {t}", type="ETF", first_date=first, last_date=last, bars=n
            )
            for t, n in bars.groupby("ticker").size().items()
        ),
        partitions=tuple(describe_partitions(root, bars)),
    )
    for name, doc in (
        ("prices_meta", meta),
        ("backtest_result", w.result),
        ("strategy_bundle", w.bundle),
        ("recon_summary", w.recon),
    ):
        write_artifact(root, registry.get(name), doc)
    eq, dd = handoff.series_frames(w.run)
    for name, frame in (("backtest_equity", eq), ("backtest_drawdown", dd)):
        csv = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
        write_bytes_atomic(root / registry.get(name).path, csv)
    trades = root / registry.get("backtest_trades").path
    write_table_atomic(trades, handoff.trades_frame(w.run), TRADES_SCHEMA)


ENVELOPE = {"schema", "asof", "generated_at", "producer", "params_sha256", "inputs"} - {"schema"}


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, World]:
    root = copy_project(tmp_path / "p", include_data=False)
    w = backtest_world()
    write_world(root, w)
    return root, w


def html_of(root: Path) -> str:
    return (root / registry.get("report_html").path).read_text(encoding="utf-8")


def today_block(html: str) -> str:
    m = re.search(r'<section class="today (\w+)" id="today">(.*?)</section>', html, re.S)
    assert m, "no today block"
    return f"{m[1]} {m[2]}"


def test_without_a_server_plan_the_bundle_decides(world: tuple[Path, World]) -> None:
    root, w = world
    assert reports.main(root, None) == 0
    html, block = html_of(root), today_block(html_of(root))
    expected = "REBALANCE" if w.bundle.rebalance_due else "HOLD"
    assert block.startswith(expected)
    if not w.bundle.rebalance_due:
        assert "보유 유지 — 주문 없음; 다음 리밸런싱" in block
    stats = html[html.index('id="trade-stats"') :]
    sells = sum(1 for x in handoff.trades_frame(w.run)["side"] if x == "SELL")
    assert f"{sells}건 (이익" in stats  # the trades artifact was read
    md = (root / registry.get("report_markdown").path).read_text(encoding="utf-8")
    assert md.index(f"## {rp.HEAD['today']}") < md.index(f"## {rp.HEAD['key-metrics']}")


def test_a_pulled_plan_for_this_bundle_gives_todays_orders(world: tuple[Path, World]) -> None:
    root, w = world
    plan = make_plan(w.bundle.asof, w.bundle.valid_from, orders=3)
    write_artifact(root, registry.get("order_plan"), plan)
    assert reports.main(root, None) == 0
    block = today_block(html_of(root))
    assert block.startswith("ORDERS") and "오늘의 주문 3건" in block
    assert str(plan.plan_id) in block and f"--plan {plan.plan_id}" in block
    assert "30주" in block and "300,000원" in block  # shares and KRW amount of the third line


def test_an_unreadable_plan_falls_back_to_the_bundle(world: tuple[Path, World]) -> None:
    root, _ = world
    path = root / registry.get("order_plan").path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    assert reports.main(root, None) == 0
    assert today_block(html_of(root)).split()[0] in ("HOLD", "REBALANCE")
