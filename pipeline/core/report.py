"""The reports: a human report (Markdown + self-contained HTML), a compact machine report and
a Korean push-message preview. Pure: every number comes in as an argument.

This module decides *what* the report says (today's action, the tables of each section); the
HTML page is drawn by :mod:`pipeline.core.report_html`; the figures come from
:mod:`pipeline.core.tearsheet` and :mod:`pipeline.core.metrics` (one definition each).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.artifacts.backtest import BacktestResultV1
from pipeline.artifacts.bundle import SignalReason, StrategyBundleV1
from pipeline.artifacts.live import OrderPlanV2
from pipeline.artifacts.recon import ReconSummaryV1
from pipeline.core import tearsheet as ts
from pipeline.enums import DayState, PlanStatus

STATE_KO = {
    DayState.BULL: "상승",
    DayState.BEAR: "하락",
    DayState.CHOP: "횡보",
    DayState.WARMUP: "준비",
}
SIDE_KO = {"BUY": "매수", "SELL": "매도"}
REASON_KO = {"REBALANCE": "리밸런싱", "STOP_LOSS": "손절"}
SIGNAL_KO = {
    SignalReason.SELECTED: "선정 (모멘텀 상위)",
    SignalReason.NOT_TOP_N: "상위 밖",
    SignalReason.RSI_OVERBOUGHT: "RSI 과열 → 비중 0",
    SignalReason.NO_DATA: "데이터 부족",
    SignalReason.HELD_BETWEEN_REBALANCES: "보유 유지 (리밸런싱 사이)",
    SignalReason.RISK_OFF: "위험 회피 (노출 0)",
    SignalReason.BENCHMARK_ONLY: "벤치마크 (매매 안 함)",
}
RECENT_TRADES = 12
WORST_DRAWDOWNS = 5


@dataclass(frozen=True)
class ReportInputs:
    result: BacktestResultV1
    bundle: StrategyBundleV1
    recon: ReconSummaryV1
    names: dict[str, str]  # ticker -> display name
    dates: Sequence[dt.date]  # equity / drawdown series dates (trading days)
    equity: Sequence[float]
    bench_equity: Sequence[float]
    drawdown: Sequence[float]
    bench_drawdown: Sequence[float]
    states: Sequence[tuple[dt.date, DayState]]  # regime timeline
    source_note: str
    sweep_surface: str | None = None  # SVG of the sweep leaderboard's metric surface, if any
    fills: Sequence[ts.Fill] = ()  # backtest fills (the trades artifact)
    plan: OrderPlanV2 | None = None  # the server's latest order plan, if any
    next_rebalance: dt.date | None = None  # session of the next scheduled rebalance
    risk_free_rate: float = 0.03  # params backtest.risk_free_rate (annual)
    rolling_window: int = 126  # trading days (about six months)
    momentum_period: int = 60
    rsi_period: int = 14
    stop_loss: float = 0.12
    rebalance_threshold: float = 0.01  # trade a ticker only if off target by more than this


def pct(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x * 100:.{digits}f}%"


def num(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def krw(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}원"


def signed_krw(x: float | None) -> str:
    return "–" if x is None else f"{x:+,.0f}원"


def invested(b: StrategyBundleV1) -> float:
    """Sum of the target weights: the fraction invested from the next session."""
    return sum(t.weight for t in b.target_weights)


def allocation_label(b: StrategyBundleV1) -> str:
    """'투자 비중 96% · 현금 4%' — what is invested and what stays cash (they add to 100%)."""
    inv = invested(b)
    return f"투자 비중 {pct(inv, 0)} · 현금 {pct(max(0.0, 1.0 - inv), 0)}"


def sharpe_basis(rf: float) -> str:
    return f"무위험 {pct(rf)}, 연 252 거래일 기준"


# --- Today ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Today:
    """What the operator does in the next session, first thing on the page."""

    kind: str  # ORDERS | REBALANCE | HOLD | BLOCKED
    headline: str
    notes: list[str] = field(default_factory=list)
    head: tuple[str, ...] = ()
    rows: Sequence[tuple[str, ...]] = ()


def todays_plan(inp: ReportInputs) -> OrderPlanV2 | None:
    """The server plan made from this bundle (None if the server has not planned it yet)."""
    p = inp.plan
    return p if p is not None and p.bundle_asof == inp.bundle.asof else None


def _hold_line(inp: ReportInputs) -> str:
    nxt = str(inp.next_rebalance) if inp.next_rebalance else "미정"
    return f"보유 유지 — 주문 없음; 다음 리밸런싱 {nxt}"


def today(inp: ReportInputs) -> Today:
    """Today's orders (server plan), the rebalance to do, or hold with the next rebalance."""
    b, plan = inp.bundle, todays_plan(inp)
    if plan is not None:
        return _from_plan(inp, plan)
    if not b.rebalance_due:
        return Today(
            "HOLD",
            _hold_line(inp),
            [
                f"{b.valid_from} 세션: 목표 비중 변경 없음. 손절 조건(평균 매입가 대비 "
                f"-{pct(inp.stop_loss, 0)})이 되면 서버 주문 계획에 매도가 나옵니다."
            ],
        )
    weights = _strategy_weights(inp.result)
    targets = {t.ticker: t.weight for t in b.target_weights}
    rows: list[tuple[str, ...]] = []
    for t in sorted(set(weights) | set(targets)):
        cur, tgt = weights.get(t, 0.0), targets.get(t, 0.0)
        moved = abs(tgt - cur) > inp.rebalance_threshold or (tgt == 0.0 < cur)
        side = ("매수" if tgt > cur else "매도") if moved else "유지"
        rows.append((t, inp.names.get(t, ""), pct(cur), pct(tgt), side))
    if all(r[4] == "유지" for r in rows):
        note = f"{b.valid_from} 리밸런싱: 목표 비중이 현재와 같아 매매할 것이 없습니다."
        return Today("HOLD", _hold_line(inp), [note])
    headline = (
        f"리밸런싱 — {b.valid_from} 시가에 목표 비중으로 매매 ({allocation_label(b)})"
        if targets
        else f"전량 현금화 — {b.valid_from} 시가에 보유 종목 매도 (상태 {b.day_state.value})"
    )
    notes = [
        f"주문 수량(주)은 서버가 {b.valid_from} 아침 실제 보유 기준 주문 계획으로 확정합니다.",
        "체결 후 기록: 콕핏의 체결 기록 양식 또는 `krx ticket new --plan <plan_id>`.",
    ]
    head = ("종목", "이름", "현재 비중", "목표 비중", "매매")
    return Today("REBALANCE", headline, notes, head, rows)


def _from_plan(inp: ReportInputs, plan: OrderPlanV2) -> Today:
    if plan.status is PlanStatus.BLOCKED:
        reason = plan.block_reason.value if plan.block_reason else "?"
        return Today(
            "BLOCKED",
            f"주문 없음 — 서버 주문 계획 차단 ({reason}), 세션 {plan.asof}",
            ["원인을 해결하기 전에는 매매하지 마세요. 콕핏의 '오늘' 패널에 조치가 있습니다."],
        )
    if not plan.orders:
        return Today("HOLD", _hold_line(inp), [f"서버 주문 계획 {plan.plan_id}: 0건."])
    rows: list[tuple[str, ...]] = [
        (
            o.ticker,
            inp.names.get(o.ticker, ""),
            SIDE_KO.get(o.side.value, o.side.value),
            f"{o.shares:,}주",
            krw(o.price_krw),
            krw(o.notional_krw),
            REASON_KO.get(o.reason.value, o.reason.value),
        )
        for o in plan.orders
    ]
    return Today(
        "ORDERS",
        f"오늘의 주문 {len(rows)}건 — 세션 {plan.asof} (서버 주문 계획 {plan.plan_id})",
        [
            f"매수 {krw(plan.total_buy_krw)} · 매도 {krw(plan.total_sell_krw)} · "
            f"실행 게이트 {plan.gate.value}.",
            f"체결 후 기록: 콕핏의 체결 기록 양식 또는 `krx ticket new --plan {plan.plan_id}`.",
        ],
        ("종목", "이름", "매매", "수량", "기준가", "금액", "사유"),
        rows,
    )


def _strategy_weights(r: BacktestResultV1) -> dict[str, float]:
    equity = r.cash + sum(p.value for p in r.positions)
    return {p.ticker: p.value / equity for p in r.positions if equity > 0}


# --- Section tables (rows of strings; HTML and Markdown draw the same rows) ----------------------


def key_metrics(inp: ReportInputs) -> list[tuple[str, str, str]]:
    r = inp.result
    s, b = r.metrics.strategy, r.metrics.benchmark
    return [
        ("총수익률 (Total return)", pct(s.total_return), pct(b.total_return)),
        ("CAGR (연복리)", pct(s.cagr), pct(b.cagr)),
        ("변동성 (연율, 252 거래일)", pct(s.volatility), pct(b.volatility)),
        (f"Sharpe ({sharpe_basis(inp.risk_free_rate)})", num(s.sharpe), num(b.sharpe)),
        ("Sortino", num(s.sortino), num(b.sortino)),
        ("최대 낙폭 (MDD)", pct(s.max_drawdown), pct(b.max_drawdown)),
        ("MDD 기간 (거래일)", str(s.max_drawdown_days), str(b.max_drawdown_days)),
        ("Calmar", num(s.calmar), num(b.calmar)),
        ("평균 투자 비중 (Exposure)", pct(r.metrics.exposure), "100.0%"),
        ("회전율 (연, 편도)", num(r.metrics.turnover), "–"),
        ("체결 수 (매수+매도)", str(r.metrics.trade_count), "–"),
        ("승률 (매도 기준)", pct(r.metrics.win_rate), "–"),
        ("비용 합계", krw(r.metrics.costs.total), "–"),
        ("최종 평가액", krw(r.metrics.final_equity), "–"),
    ]


def yearly_rows(inp: ReportInputs) -> list[tuple[str, ...]]:
    return [
        (
            str(y.year),
            pct(y.total_return),
            pct(y.benchmark_return),
            pct(y.total_return - y.benchmark_return),
            pct(y.max_drawdown),
        )
        for y in inp.result.metrics.years
    ]


def drawdown_rows(inp: ReportInputs) -> list[tuple[str, ...]]:
    return [
        (
            str(k),
            str(p.start),
            str(p.trough),
            str(p.recovery) if p.recovery else "미회복",
            pct(p.depth),
            f"{p.days}일" + ("" if p.recovery else "+"),
        )
        for k, p in enumerate(ts.drawdown_periods(inp.dates, inp.equity, WORST_DRAWDOWNS), 1)
    ]


def trade_stat_rows(inp: ReportInputs) -> list[tuple[str, str]]:
    st = ts.trade_stats(inp.fills, inp.dates)
    s = st.sells
    hold = "–" if st.avg_holding_sessions is None else f"{st.avg_holding_sessions:.1f} 거래일"
    return [
        ("매도 건수 (청산·축소)", f"{s.count}건 (이익 {s.wins} · 손실 {s.losses})"),
        ("승률", pct(s.win_rate)),
        ("평균 이익 / 평균 손실", f"{signed_krw(s.avg_win)} / {signed_krw(s.avg_loss)}"),
        ("손익비 (Profit factor)", num(s.profit_factor)),
        ("기대값 (매도 1건 평균 손익)", signed_krw(s.expectancy)),
        ("평균 보유 기간", f"{hold} (왕복 {st.round_trips}회)"),
        ("최대 연속 이익 / 손실", f"{s.max_win_streak}회 / {s.max_loss_streak}회"),
    ]


def exit_rows(inp: ReportInputs) -> list[tuple[str, ...]]:
    return [
        (
            REASON_KO.get(e.reason, e.reason),
            f"{e.count}건",
            pct(e.win_rate),
            signed_krw(e.total_pnl),
            signed_krw(e.avg_pnl),
        )
        for e in ts.exit_reasons(inp.fills)
    ]


def contribution_rows(inp: ReportInputs) -> list[tuple[str, ...]]:
    holdings = [ts.Holding(p.ticker, p.shares, p.avg_entry, p.value) for p in inp.result.positions]
    rows = ts.contributions(inp.fills, holdings)
    cap = inp.result.initial_capital
    out: list[tuple[str, ...]] = [
        (
            c.ticker,
            inp.names.get(c.ticker, ""),
            signed_krw(c.realized),
            signed_krw(c.unrealized) if c.unrealized else "",
            signed_krw(c.total),
            pct(c.total / cap),
        )
        for c in rows
    ]
    other = inp.result.metrics.final_equity - cap - sum(c.total for c in rows)
    out.append(("", "기타 (매수 수수료 등)", "", "", signed_krw(other), pct(other / cap)))
    return out


def recent_trade_rows(inp: ReportInputs) -> list[tuple[str, ...]]:
    fills = sorted(inp.fills, key=lambda f: (f.date, f.side != "SELL", f.ticker))
    return [
        (
            str(f.date),
            f.ticker,
            inp.names.get(f.ticker, ""),
            SIDE_KO.get(f.side, f.side),
            f"{f.shares:,}",
            krw(f.price),
            krw(f.notional),
            REASON_KO.get(f.reason, f.reason),
            signed_krw(f.pnl) if f.pnl is not None else "",
        )
        for f in reversed(fills[-RECENT_TRADES:])
    ]


def selection_rows(inp: ReportInputs) -> list[tuple[str, ...]]:
    sig = sorted(inp.bundle.signals, key=lambda s: (s.rank is None, s.rank or 0, s.ticker))
    return [
        (
            "–" if s.rank is None else str(s.rank),
            s.ticker,
            s.name,
            "–" if s.close is None else f"{s.close:,}",
            pct(s.momentum),
            num(s.rsi, 1),
            num(s.rsi_scale, 1),
            pct(s.weight),
            SIGNAL_KO.get(s.reason, s.reason.value),
        )
        for s in sig
    ]


def monthly_rows(inp: ReportInputs) -> list[tuple[int, list[float | None], float, float | None]]:
    """(year, 12 monthly returns or None, year return, benchmark year return)."""
    bench = {y.year: y.benchmark_return for y in inp.result.metrics.years}
    out = []
    for y, ms in sorted(ts.monthly_returns(inp.dates, inp.equity).items()):
        months = [ms.get(m) for m in range(1, 13)]
        out.append((y, months, ts.compound(list(ms.values())), bench.get(y)))
    return out


# --- Markdown -----------------------------------------------------------------------------------

#: (anchor id, heading) of every section, in page order; HTML and Markdown use the same names.
SECTIONS = (
    ("today", "오늘 할 일"),
    ("status", "현재 상태"),
    ("key-metrics", "핵심 지표"),
    ("equity-chart", "자산 곡선 (전략 vs 069500)"),
    ("drawdown-chart", "낙폭"),
    ("worst-drawdowns", "최악의 낙폭 구간"),
    ("regime-timeline", "레짐 타임라인"),
    ("yearly-returns", "연도별 수익률 (vs 069500)"),
    ("monthly-returns", "월별 수익률"),
    ("rolling", "롤링 Sharpe · 변동성"),
    ("trade-stats", "거래 통계"),
    ("exit-reasons", "청산 사유"),
    ("contribution", "종목별 기여"),
    ("recent-trades", "최근 거래"),
    ("selection", "종목 선정 근거"),
    ("reconcile", "정산 (Reconcile)"),
)
HEAD = dict(SECTIONS)
CHART_ONLY = {"equity-chart", "drawdown-chart", "regime-timeline", "rolling"}

YEARLY_HEAD = ("연도", "전략", "069500", "초과", "전략 MDD")
DRAWDOWN_HEAD = ("#", "시작 (고점)", "저점", "회복", "깊이", "기간")
EXIT_HEAD = ("사유", "건수", "승률", "손익 합계", "건당 평균")
CONTRIB_HEAD = ("종목", "이름", "실현 손익", "평가 손익", "합계", "초기자본 대비")
TRADES_HEAD = ("체결일", "종목", "이름", "매매", "수량", "체결가", "금액", "사유", "실현 손익")
SELECTION_HEAD = ("순위", "종목", "이름", "종가", "모멘텀", "RSI", "RSI 배수", "목표 비중", "사유")


def _md_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table; every column but the first is right-aligned (numbers)."""
    if not rows:
        return ["(없음)"]
    return [
        "| " + " | ".join(head) + " |",
        "|---|" + "---:|" * (len(head) - 1),
        *("| " + " | ".join(r) + " |" for r in rows),
    ]


def issue_lines(inp: ReportInputs) -> list[str]:
    return [
        f"[{i.severity.value}] {i.code.value}"
        + (f" ({i.session})" if i.session else "")
        + f": {i.message}"
        for i in inp.recon.issues[:5]
    ]


def render_markdown(inp: ReportInputs) -> str:
    r, b = inp.result, inp.bundle
    t = today(inp)
    months = monthly_rows(inp)
    lines = [
        f"# KRX Alertor 리포트 — {b.asof}",
        "",
        f"> 데이터: {inp.source_note}"
        + (" — **합성 데이터 (실제 시세 아님)**" if b.synthetic_data else ""),
        "",
        f"## {HEAD['today']}",
        "",
        f"**{t.headline}**",
        "",
        *(f"- {n}" for n in t.notes),
        "",
        *([*_md_table(t.head, t.rows), ""] if t.rows else []),
        f"## {HEAD['status']}",
        "",
        f"- 상태 {b.day_state.value}({STATE_KO[b.day_state]}), 레짐 {b.regime.value} "
        f"({b.regime_reason.value}) — {b.regime_detail}",
        f"- {allocation_label(b)} (상태별 노출 한도 {pct(b.exposure, 0)})",
        f"- 정산 {inp.recon.status.value}; 유효 기간 {b.valid_from} ~ {b.valid_until}",
        "",
        f"## {HEAD['key-metrics']}",
        "",
        *_md_table(("지표", "전략", "069500 보유"), key_metrics(inp)),
        "",
        f"## {HEAD['worst-drawdowns']}",
        "",
        *_md_table(DRAWDOWN_HEAD, drawdown_rows(inp)),
        "",
        f"## {HEAD['yearly-returns']}",
        "",
        *_md_table(YEARLY_HEAD, yearly_rows(inp)),
        "",
        f"## {HEAD['monthly-returns']}",
        "",
        *_md_table(
            ("연도", *(f"{m}월" for m in range(1, 13)), "연간", "069500"),
            [
                (str(y), *(pct(v) if v is not None else "" for v in ms), pct(yr), pct(bm))
                for y, ms, yr, bm in months
            ],
        ),
        "",
        f"## {HEAD['trade-stats']}",
        "",
        *_md_table(("항목", "값"), trade_stat_rows(inp)),
        "",
        f"## {HEAD['exit-reasons']}",
        "",
        *_md_table(EXIT_HEAD, exit_rows(inp)),
        "",
        f"## {HEAD['contribution']}",
        "",
        *_md_table(CONTRIB_HEAD, contribution_rows(inp)),
        "",
        f"## {HEAD['recent-trades']}",
        "",
        *_md_table(TRADES_HEAD, recent_trade_rows(inp)),
        "",
        f"## {HEAD['selection']}",
        "",
        *_md_table(SELECTION_HEAD, selection_rows(inp)),
        "",
        f"## {HEAD['reconcile']}: {inp.recon.status.value}",
        "",
        *(f"- {x}" for x in issue_lines(inp) or ["문제 없음"]),
        "",
        f"차트(자산 곡선, 낙폭, 레짐, 롤링 Sharpe·변동성)는 report.html 에 있습니다 "
        f"(오프라인에서 열림). 초기자본 {krw(r.initial_capital)}.",
        "",
    ]
    return "\n".join(lines)


def push_preview(inp: ReportInputs) -> tuple[str, str]:
    """(title ≤ 50 chars, body ≤ 500 chars) in Korean; no paths, no secrets."""
    b = inp.bundle
    title = (
        f"[KRX] {b.asof} {b.day_state.value} 노출 {pct(b.exposure, 0)} "
        f"정산 {inp.recon.status.value}"
    )
    weights = ", ".join(f"{t.ticker} {pct(t.weight, 0)}" for t in b.target_weights) or "전액 현금"
    s = inp.result.metrics.strategy
    body_lines = [
        f"상태: {b.day_state.value}({STATE_KO[b.day_state]}), 레짐 {b.regime.value}",
        f"리밸런싱: {'다음 거래일 실행' if b.rebalance_due else '보유 유지'}",
        f"목표 비중: {weights}",
        f"백테스트 CAGR {pct(s.cagr)}, MDD {pct(s.max_drawdown)}, Sharpe {num(s.sharpe)}",
        f"정산: {inp.recon.status.value}, 문제 {len(inp.recon.issues)}건",
    ]
    if b.synthetic_data:
        body_lines.append("※ 합성 데이터 기반 (실제 시세 아님)")
    return title[:50], "\n".join(body_lines)[:500]
