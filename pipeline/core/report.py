"""The reports: a human report (Markdown + self-contained HTML), a compact machine report and
a Korean push-message preview. Pure: every number comes in as an argument."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from pipeline.artifacts.backtest import BacktestResultV1
from pipeline.artifacts.bundle import StrategyBundleV1
from pipeline.artifacts.recon import ReconSummaryV1
from pipeline.core.svg import Series, line_chart, timeline
from pipeline.enums import DayState, ReconStatus

BADGE_COLORS = {
    ReconStatus.GREEN: "#2e7d32",
    ReconStatus.AMBER: "#f9a825",
    ReconStatus.CRITICAL: "#c62828",
    ReconStatus.BOOTSTRAP: "#607d8b",
}
STATE_COLORS = {
    DayState.BULL.value: "#43a047",
    DayState.BEAR.value: "#e53935",
    DayState.CHOP.value: "#fb8c00",
    DayState.WARMUP.value: "#9e9e9e",
}
STATE_KO = {
    DayState.BULL: "상승",
    DayState.BEAR: "하락",
    DayState.CHOP: "횡보",
    DayState.WARMUP: "준비",
}


@dataclass(frozen=True)
class ReportInputs:
    result: BacktestResultV1
    bundle: StrategyBundleV1
    recon: ReconSummaryV1
    names: dict[str, str]  # ticker -> display name
    dates: Sequence[dt.date]  # equity / drawdown series dates
    equity: Sequence[float]
    bench_equity: Sequence[float]
    drawdown: Sequence[float]
    bench_drawdown: Sequence[float]
    states: Sequence[tuple[dt.date, DayState]]  # regime timeline
    source_note: str
    sweep_surface: str | None = None  # SVG of the sweep leaderboard's metric surface, if any


def pct(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x * 100:.{digits}f}%"


def num(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def monthly_returns(
    dates: Sequence[dt.date], values: Sequence[float]
) -> dict[int, dict[int, float]]:
    """Return per (year, month) from month-end values (first month: from the first value)."""
    ends: dict[tuple[int, int], float] = {}
    for d, v in zip(dates, values, strict=True):
        ends[(d.year, d.month)] = v
    out: dict[int, dict[int, float]] = {}
    prev = values[0] if values else None
    for (y, m), v in sorted(ends.items()):
        if prev:
            out.setdefault(y, {})[m] = v / prev - 1
        prev = v
    return out


def key_metrics(r: BacktestResultV1) -> list[tuple[str, str, str]]:
    s, b = r.metrics.strategy, r.metrics.benchmark
    return [
        ("총수익률 (Total return)", pct(s.total_return), pct(b.total_return)),
        ("CAGR", pct(s.cagr), pct(b.cagr)),
        ("변동성 (Volatility)", pct(s.volatility), pct(b.volatility)),
        ("Sharpe", num(s.sharpe), num(b.sharpe)),
        ("Sortino", num(s.sortino), num(b.sortino)),
        ("MDD", pct(s.max_drawdown), pct(b.max_drawdown)),
        ("MDD 기간 (days)", str(s.max_drawdown_days), str(b.max_drawdown_days)),
        ("Calmar", num(s.calmar), num(b.calmar)),
        ("노출도 (Exposure)", pct(r.metrics.exposure), "100.0%"),
        ("회전율 (Turnover, /yr)", num(r.metrics.turnover), "–"),
        ("거래 수 (Trades)", str(r.metrics.trade_count), "–"),
        ("승률 (Win rate)", pct(r.metrics.win_rate), "–"),
        ("비용 합계 (Costs, KRW)", f"{r.metrics.costs.total:,}", "–"),
    ]


def target_rows(inp: ReportInputs) -> list[tuple[str, str, str]]:
    rows = [
        (t.ticker, inp.names.get(t.ticker, ""), pct(t.weight)) for t in inp.bundle.target_weights
    ]
    rows.append(("현금", "Cash", pct(inp.bundle.cash_weight)))
    return rows


def headline(inp: ReportInputs) -> str:
    b = inp.bundle
    return (
        f"{b.asof} 상태 {b.day_state.value}({STATE_KO[b.day_state]}), 노출 {pct(b.exposure, 0)}, "
        f"정산 {inp.recon.status.value}"
    )


def render_markdown(inp: ReportInputs) -> str:
    r, b = inp.result, inp.bundle
    lines = [
        f"# KRX Alertor 리포트 — {b.asof}",
        "",
        f"> 데이터: {inp.source_note}"
        + (" — **합성 데이터 (실제 시세 아님)**" if b.synthetic_data else ""),
        "",
        f"**{headline(inp)}**",
        "",
        f"- 레짐: {b.regime.value} ({b.regime_reason.value}) — {b.regime_detail}",
        f"- 다음 리밸런싱: {'예' if b.rebalance_due else '아니오'}; "
        f"유효 기간 {b.valid_from} ~ {b.valid_until}",
        "",
        "## 핵심 지표 (Key metrics)",
        "",
        "| 지표 | 전략 | 069500 보유 |",
        "|---|---:|---:|",
        *(f"| {k} | {s} | {bm} |" for k, s, bm in key_metrics(r)),
        "",
        "## 목표 비중 (Target weights)",
        "",
        "| 종목 | 이름 | 비중 |",
        "|---|---|---:|",
        *(f"| {t} | {n} | {w} |" for t, n, w in target_rows(inp)),
        "",
        f"## 정산 (Reconcile): {inp.recon.status.value}",
        "",
        *(_issue_lines(inp) or ["- 문제 없음"]),
        "",
        "## 월별 수익률 (Monthly returns)",
        "",
        "| 연도 | " + " | ".join(f"{m}월" for m in range(1, 13)) + " |",
        "|---|" + "---:|" * 12,
        *(
            f"| {y} | " + " | ".join(pct(ms.get(m)) if m in ms else "" for m in range(1, 13)) + " |"
            for y, ms in sorted(monthly_returns(inp.dates, inp.equity).items())
        ),
        "",
        "차트는 report.html 에 있습니다 (오프라인에서 열림).",
        "",
    ]
    return "\n".join(lines)


def _issue_lines(inp: ReportInputs) -> list[str]:
    return [
        f"- [{i.severity.value}] {i.code.value}"
        + (f" ({i.session})" if i.session else "")
        + f": {i.message}"
        for i in inp.recon.issues[:5]
    ]


CSS = """
body{font-family:system-ui,-apple-system,"Noto Sans KR","Malgun Gothic",sans-serif;margin:24px;
color:#222;max-width:980px}
h1{font-size:22px;margin:0 0 6px} h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px} td,th{border:1px solid #ddd;padding:3px 8px}
th{background:#f5f5f5} td.n{text-align:right} .badge{color:#fff;padding:3px 10px;border-radius:10px;
font-weight:600}
.synthetic{background:#fff3cd;border:1px solid #e0c36b;padding:6px 10px;margin:8px 0}
.pos{color:#2e7d32} .neg{color:#c62828} .muted{color:#777;font-size:12px}
"""


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int = 1) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{escape(c)}</td>' if i >= numeric_from else f"<td>{escape(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _monthly_html(inp: ReportInputs) -> str:
    rows = []
    for y, ms in sorted(monthly_returns(inp.dates, inp.equity).items()):
        cells = []
        for m in range(1, 13):
            v = ms.get(m)
            cls = "" if v is None else ("pos" if v >= 0 else "neg")
            cells.append(f'<td class="n {cls}">{pct(v) if v is not None else ""}</td>')
        rows.append(f"<tr><td>{y}</td>{''.join(cells)}</tr>")
    head = "".join(f"<th>{m}</th>" for m in range(1, 13))
    return (
        f"<table><thead><tr><th>연도</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def render_html(inp: ReportInputs) -> str:
    """One self-contained page: inline CSS and SVG, no scripts, no external resources."""
    b, recon = inp.bundle, inp.recon
    badge = (
        f'<span class="badge" id="recon-badge" style="background:{BADGE_COLORS[recon.status]}">'
        f"{recon.status.value}</span>"
    )
    synthetic = (
        '<div class="synthetic">합성 데이터입니다 — 실제 시세가 아닙니다 '
        "(SYNTHETIC sample data).</div>"
        if b.synthetic_data
        else ""
    )
    equity = line_chart(
        [
            Series("전략 (strategy)", inp.dates, inp.equity, "#1565c0"),
            Series("069500 보유 (buy & hold)", inp.dates, inp.bench_equity, "#9e9e9e"),
        ],
        "Equity vs benchmark (KRW)",
    )
    drawdown = line_chart(
        [
            Series("전략 낙폭", inp.dates, [-x for x in inp.drawdown], "#c62828", fill=True),
            Series("069500 낙폭", inp.dates, [-x for x in inp.bench_drawdown], "#9e9e9e"),
        ],
        "Drawdown",
        percent=True,
    )
    regime = timeline(
        [d for d, _ in inp.states],
        [s.value for _, s in inp.states],
        STATE_COLORS,
        "Regime timeline",
    )
    code = (b.producer.code_sha or "")[:12]
    issues = (
        "".join(f"<li>{escape(line[2:])}</li>" for line in _issue_lines(inp))
        or "<li>문제 없음</li>"
    )
    return f"""<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>KRX Alertor — {b.asof}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body>
<h1>KRX Alertor 리포트 — {b.asof}</h1>
<p class="muted">데이터: {escape(inp.source_note)} · 코드 {escape(code)}</p>
{synthetic}
<p><strong>{escape(headline(inp))}</strong> {badge}</p>
<p>레짐 {b.regime.value} ({b.regime_reason.value}): {escape(b.regime_detail)}</p>
<h2>자산 곡선 (Equity vs 069500)</h2>
<div id="equity-chart">{equity}</div>
<h2>낙폭 (Drawdown)</h2>
<div id="drawdown-chart">{drawdown}</div>
<h2>레짐 타임라인 (Regime timeline)</h2>
<div id="regime-timeline">{regime}</div>
<h2>핵심 지표 (Key metrics)</h2>
{_table(["지표", "전략", "069500 보유"], key_metrics(inp.result))}
<h2>목표 비중 (Target weights, next session)</h2>
{_table(["종목", "이름", "비중"], target_rows(inp), numeric_from=2)}
<h2>정산 (Reconcile) {badge}</h2>
<p class="muted">{recon.window_start} ~ {recon.window_end},
영수증 {recon.counts.days_with_receipt}일 /
{recon.counts.window_days}일</p>
<ul id="recon-issues">{issues}</ul>
<h2>월별 수익률 (Monthly returns)</h2>
{_monthly_html(inp)}
{_surface_html(inp)}
</body></html>
"""


def _surface_html(inp: ReportInputs) -> str:
    if inp.sweep_surface is None:
        return ""
    return (
        "<h2>파라미터 스윕 (Sweep: out-of-sample metric surface)</h2>"
        f'<div id="sweep-surface">{inp.sweep_surface}</div>'
    )


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
