"""The human report says what to do first, has every section, and stays one offline file."""

from __future__ import annotations

import dataclasses
import re

import pytest

from pipeline.artifacts.backtest import Position
from pipeline.artifacts.bundle import TargetWeight
from pipeline.core import report as rp
from pipeline.core.report_html import render_html
from pipeline.enums import PlanStatus
from tests.core.report_factories import make_plan, make_report_inputs


def hold_inputs() -> rp.ReportInputs:
    inp = make_report_inputs()
    bundle = inp.bundle.model_copy(update={"rebalance_due": False})
    return dataclasses.replace(inp, bundle=bundle)


def test_hold_day_says_hold_and_the_next_rebalance_not_target_weights() -> None:
    inp = hold_inputs()
    t = rp.today(inp)
    assert t.kind == "HOLD" and t.headline.startswith("보유 유지 — 주문 없음; 다음 리밸런싱 ")
    assert str(inp.next_rebalance) in t.headline
    html = render_html(inp)
    assert "목표 비중 (Target weights" not in html
    body = html[html.index("<body>") :]
    first_section = re.search(r'<section class="today (\w+)" id="today">', body)
    assert first_section and first_section[1] == "HOLD"
    assert body.index('id="today"') < body.index("<h2", body.index('id="today"') + 60)


def rebalance_inputs(targets: dict[str, float], held: dict[str, int]) -> rp.ReportInputs:
    """A rebalance-day bundle with ``targets`` over a strategy holding ``held`` (KRW values)."""
    inp = make_report_inputs()
    weights = tuple(TargetWeight(ticker=t, weight=w) for t, w in sorted(targets.items()))
    bundle = inp.bundle.model_copy(update={"rebalance_due": True, "target_weights": weights})
    positions = tuple(
        Position(ticker=t, shares=10, avg_entry=v / 10, value=v) for t, v in held.items()
    )
    cash = 1_000_000 - sum(held.values())
    result = inp.result.model_copy(update={"positions": positions, "cash": cash})
    return dataclasses.replace(inp, bundle=bundle, result=result)


def test_rebalance_day_lists_the_trades_to_targets() -> None:
    inp = rebalance_inputs({"102110": 0.5, "229200": 0.3}, {"229200": 300_000, "122630": 200_000})
    t = rp.today(inp)
    assert t.kind == "REBALANCE" and str(inp.bundle.valid_from) in t.headline
    assert "투자 비중 80% · 현금 20%" in t.headline
    assert [(r[0], r[2], r[3], r[4]) for r in t.rows] == [
        ("102110", "0.0%", "50.0%", "매수"),
        ("122630", "20.0%", "0.0%", "매도"),  # target 0: sold completely
        ("229200", "30.0%", "30.0%", "유지"),
    ]


@pytest.mark.parametrize(
    ("targets", "held"),
    [
        ({}, {}),  # risk-off and already all cash
        ({"229200": 0.305}, {"229200": 300_000}),  # within the 1% threshold
    ],
)
def test_a_rebalance_with_nothing_to_trade_is_a_hold(
    targets: dict[str, float], held: dict[str, int]
) -> None:
    t = rp.today(rebalance_inputs(targets, held))
    assert t.kind == "HOLD" and t.headline.startswith("보유 유지 — 주문 없음; 다음 리밸런싱")


def test_the_servers_plan_for_this_bundle_gives_todays_orders() -> None:
    inp = hold_inputs()
    plan = make_plan(inp.bundle.asof, inp.bundle.valid_from, orders=2)
    t = rp.today(dataclasses.replace(inp, plan=plan))
    assert t.kind == "ORDERS" and plan.plan_id and plan.plan_id in t.headline
    assert [(r[0], r[2], r[3]) for r in t.rows] == [
        ("102110", "매도", "10주"),
        ("229200", "매수", "20주"),
    ]
    assert any(f"krx ticket new --plan {plan.plan_id}" in n for n in t.notes)
    # A plan made from an older bundle is not today's: the bundle decides.
    old = make_plan(inp.dates[-5], inp.bundle.valid_from)
    assert rp.today(dataclasses.replace(inp, plan=old)).kind == "HOLD"
    empty = make_plan(inp.bundle.asof, inp.bundle.valid_from, orders=0, status=PlanStatus.EMPTY)
    assert rp.today(dataclasses.replace(inp, plan=empty)).headline.startswith("보유 유지")
    blocked = make_plan(inp.bundle.asof, inp.bundle.valid_from, status=PlanStatus.BLOCKED)
    t = rp.today(dataclasses.replace(inp, plan=blocked))
    assert t.kind == "BLOCKED" and "BUNDLE_STALE" in t.headline and not t.rows


def test_labels_cannot_be_misread() -> None:
    inp = make_report_inputs()
    html = render_html(inp)
    inv = sum(t.weight for t in inp.bundle.target_weights)
    assert f"투자 {rp.pct(inv, 0)} · 현금 {rp.pct(1 - inv, 0)}" in html
    assert "노출 100%" not in html
    assert "Sharpe (무위험 3.0%, 연 252 거래일 기준)" in html
    assert "백만원 (KRW, millions)" in html
    assert not re.search(r">\d{1,3}(,\d{3}){2,}<", html.split("<svg", 1)[1].split("</svg>")[0])


def test_every_section_is_there_in_html_and_markdown() -> None:
    inp = make_report_inputs()
    html, md = render_html(inp), rp.render_markdown(inp)
    for key, heading in rp.SECTIONS:
        assert f'id="{key}"' in html, key
        assert heading in html, heading
        if key not in rp.CHART_ONLY:
            assert f"## {heading}" in md, heading
    assert "| 연도 | 1월 |" in md and "| 연간 | 069500 |" in md


def test_one_self_contained_file_without_scripts_or_urls() -> None:
    html = render_html(make_report_inputs())
    assert "<script" not in html.lower()
    assert not re.search(r"<[^>]+\son\w+\s*=", html)  # no event handlers either
    assert not re.search(r"""(src|href)\s*=""", html)
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls <= {"http://www.w3.org/2000/svg"}  # the SVG namespace, never fetched
    assert "@import" not in html and "url(" not in html


@pytest.mark.parametrize("warmup_days", [150])
def test_a_short_history_still_renders(warmup_days: int) -> None:
    inp = make_report_inputs(days=warmup_days)
    html = render_html(inp)
    assert 'id="today"' in html and "</html>" in html
