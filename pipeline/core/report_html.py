"""The human report as one self-contained HTML page: inline CSS and SVG, no scripts, no
external resources; readable from a phone (420 px) to a desktop (1,400 px)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from pipeline.core import report as rp
from pipeline.core import tearsheet as ts
from pipeline.core.svg import Series, YAxis, legend, line_chart, responsive, timeline
from pipeline.enums import DayState, ReconStatus

BADGE_COLORS = {
    ReconStatus.GREEN: "#2e7d32",
    ReconStatus.AMBER: "#b07d00",
    ReconStatus.CRITICAL: "#c62828",
    ReconStatus.BOOTSTRAP: "#607d8b",
}
STATE_COLORS = {
    DayState.BULL.value: "#43a047",
    DayState.BEAR.value: "#e53935",
    DayState.CHOP.value: "#fb8c00",
    DayState.WARMUP.value: "#9e9e9e",
}
STRATEGY, BENCH, LOSS = "#1565c0", "#9e9e9e", "#c62828"
#: Rolling Sharpe is drawn only for windows invested on at least half of the days: a window
#: mostly in cash has a near-zero spread and an absurd ratio (DESIGN §4: not absurd, null).
MIN_INVESTED = 0.5

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Noto Sans CJK KR","Noto Sans KR","Malgun Gothic",
sans-serif;margin:0 auto;padding:20px 24px;color:#222;max-width:1040px;line-height:1.45}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;padding-bottom:3px;
border-bottom:1px solid #ddd}
p{margin:6px 0} .muted{color:#666;font-size:12.5px} li{font-size:14px}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
td,th{border:1px solid #ddd;padding:3px 8px;white-space:nowrap} th{background:#f5f5f5;
text-align:left} td.n{text-align:right}
.badge{color:#fff;padding:2px 9px;border-radius:10px;font-weight:600;font-size:13px}
.synthetic{background:#fff3cd;border:1px solid #e0c36b;padding:6px 10px;margin:8px 0}
.today{border:2px solid #1565c0;border-radius:8px;padding:10px 14px;background:#f3f8ff;
margin:12px 0}
.today h2{border:0;margin:0 0 4px;font-size:15px;color:#1565c0}
.today .what{font-size:18px;font-weight:700;margin:2px 0 6px}
.today.HOLD{border-color:#2e7d32;background:#f1f8f1} .today.HOLD h2{color:#2e7d32}
.today.BLOCKED{border-color:#c62828;background:#fdf0f0} .today.BLOCKED h2{color:#c62828}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:8px;margin:8px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:6px 10px}
.card b{display:block;font-size:16px} .card>span{color:#666;font-size:12px}
.nw{white-space:nowrap} code{background:#eef;padding:0 3px;border-radius:3px;
font-size:12px} td.w{white-space:normal;min-width:9em}
.legend{font-size:12.5px;margin:2px 0} .legend span{margin-right:14px;white-space:nowrap}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
.narrow{display:none} #sweep-surface svg{min-width:640px}
.heat td.n{color:#222} .heat td:first-child,.heat th:first-child{position:sticky;left:0;
background:#f5f5f5} .heat td.y{font-weight:700;border-left:2px solid #999}
@media (max-width:640px){
 body{padding:12px 10px} h1{font-size:19px} h2{font-size:16px}
 .wide{display:none} .narrow{display:block} .today .what{font-size:16px}
 td,th{padding:3px 6px;font-size:12.5px}
}
"""


def _cell(c: str, numeric: bool, wrap: bool = False) -> str:
    if numeric:
        return f'<td class="n">{escape(c)}</td>'
    return f'<td class="w">{escape(c)}</td>' if wrap else f"<td>{escape(c)}</td>"


def dates_nowrap(text: str) -> str:
    """Escape ``text``, keep each ISO date on one line (a phone breaks at its hyphens) and
    show `backticked` commands as code."""
    out = re.sub(r"\d{4}-\d{2}-\d{2}", lambda m: f'<span class="nw">{m[0]}</span>', escape(text))
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", out)


def table(
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric_from: int = 1,
    wrap_first: bool = False,
) -> str:
    """A table in a horizontally scrolling box (wide tables never widen the page)."""
    if not rows:
        return '<p class="muted">없음</p>'
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(_cell(c, i >= numeric_from, wrap_first and i == 0) for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="scroll"><table><thead><tr>{th}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def heat_color(v: float | None, full: float = 0.08) -> str:
    """Background of a monthly cell: green for gains, red for losses, white near 0."""
    if v is None:
        return "#fff"
    a = min(abs(v) / full, 1.0)
    r, g, b = (46, 125, 50) if v >= 0 else (198, 40, 40)
    mix = [round(255 + (c - 255) * a * 0.55) for c in (r, g, b)]
    return f"#{mix[0]:02x}{mix[1]:02x}{mix[2]:02x}"


def monthly_heatmap(inp: rp.ReportInputs) -> str:
    rows = []
    for y, ms, yr, bm in rp.monthly_rows(inp):
        cells = "".join(
            f'<td class="n" style="background:{heat_color(v)}">{rp.pct(v) if v is not None else ""}'
            "</td>"
            for v in ms
        )
        rows.append(
            f"<tr><td>{y}</td>{cells}"
            f'<td class="n y" style="background:{heat_color(yr, 0.3)}">{rp.pct(yr)}</td>'
            f'<td class="n">{rp.pct(bm)}</td></tr>'
        )
    head = "".join(f"<th>{m}월</th>" for m in range(1, 13))
    return (
        '<div class="scroll"><table class="heat"><thead><tr><th>연도</th>'
        f"{head}<th>연간</th><th>069500</th></tr></thead><tbody>{''.join(rows)}</tbody>"
        "</table></div>"
    )


def _today_html(inp: rp.ReportInputs) -> str:
    t = rp.today(inp)
    notes = "".join(f"<p class='muted'>{dates_nowrap(n)}</p>" for n in t.notes)
    rows = table(t.head, t.rows, numeric_from=2) if t.rows else ""
    return (
        f'<section class="today {t.kind}" id="today"><h2>{rp.HEAD["today"]} — '
        f"{inp.bundle.valid_from} 세션</h2>"
        f'<p class="what">{dates_nowrap(t.headline)}</p>{rows}{notes}</section>'
    )


def _status_html(inp: rp.ReportInputs) -> str:
    b, recon, s = inp.bundle, inp.recon, inp.result.metrics.strategy
    inv = rp.invested(b)
    badge = (
        f'<span class="badge" id="recon-badge" style="background:{BADGE_COLORS[recon.status]}">'
        f"{recon.status.value}</span>"
    )
    cards = [
        (f"{b.day_state.value} ({rp.STATE_KO[b.day_state]})", f"상태 · 레짐 {b.regime.value}"),
        (f"투자 {rp.pct(inv, 0)} · 현금 {rp.pct(max(0.0, 1 - inv), 0)}", "다음 세션 목표 비중"),
        (rp.pct(s.cagr), "CAGR (백테스트)"),
        (rp.pct(s.max_drawdown), "최대 낙폭 (MDD)"),
        (rp.num(s.sharpe), f"Sharpe ({rp.sharpe_basis(inp.risk_free_rate)})"),
    ]
    html = "".join(
        f'<div class="card"><b>{escape(v)}</b><span>{escape(k)}</span></div>' for v, k in cards
    )
    return (
        f'<h2 id="status">{rp.HEAD["status"]}</h2><div class="cards">{html}'
        f'<div class="card"><b>{badge}</b><span>{rp.HEAD["reconcile"]}</span></div></div>'
        f'<p class="muted">레짐 {b.regime.value} ({b.regime_reason.value}): '
        f"{escape(b.regime_detail)}. 상태별 노출 한도 {rp.pct(b.exposure, 0)}; "
        f"유효 기간 {b.valid_from} ~ {b.valid_until}.</p>"
    )


def _charts(inp: rp.ReportInputs) -> dict[str, str]:
    krw_axis = YAxis("백만원 (KRW, millions)", "millions")
    eq = [
        Series("전략", inp.dates, inp.equity, STRATEGY),
        Series("069500 보유", inp.dates, inp.bench_equity, BENCH),
    ]
    dd = [
        Series("전략 낙폭", inp.dates, [-x for x in inp.drawdown], LOSS, fill=True),
        Series("069500 낙폭", inp.dates, [-x for x in inp.bench_drawdown], BENCH),
    ]
    w = inp.rolling_window
    rs = ts.rolling_ratios(inp.dates, inp.equity, w, inp.risk_free_rate, MIN_INVESTED)
    rb = ts.rolling_ratios(inp.dates, inp.bench_equity, w, inp.risk_free_rate, MIN_INVESTED)
    sharpe = [
        Series("전략", rs.dates, rs.sharpe, STRATEGY),
        Series("069500", rb.dates, rb.sharpe, BENCH),
    ]
    vol = [
        Series("전략", rs.dates, rs.volatility, STRATEGY),
        Series("069500", rb.dates, rb.volatility, BENCH),
    ]
    states = [s.value for _, s in inp.states]
    days = [d for d, _ in inp.states]
    eq_t, dd_t = "자산 곡선 (원)", "낙폭"
    sh_t, vo_t = f"롤링 Sharpe ({w}거래일)", f"롤링 변동성 ({w}거래일, 연율)"
    return {
        "equity-chart": legend([(s.label, s.color) for s in eq])
        + responsive(lambda z: line_chart(eq, eq_t, krw_axis, z)),
        "drawdown-chart": legend([(s.label, s.color) for s in dd])
        + responsive(lambda z: line_chart(dd, dd_t, YAxis("고점 대비 %", "percent"), z)),
        "regime-timeline": legend([(k, c) for k, c in STATE_COLORS.items()])
        + responsive(lambda z: timeline(days, states, STATE_COLORS, "레짐", z)),
        "rolling": legend([(s.label, s.color) for s in sharpe])
        + f"<p class='muted'>최근 {w}거래일(약 {max(1, round(w / 21))}개월) 창. "
        f"Sharpe는 {rp.sharpe_basis(inp.risk_free_rate)}; "
        "투자한 날이 절반 미만인 창(대부분 현금)은 Sharpe를 그리지 않습니다.</p>"
        + responsive(lambda z: line_chart(sharpe, sh_t, YAxis("Sharpe", zero_line=True), z))
        + responsive(lambda z: line_chart(vol, vo_t, YAxis("연율 변동성 %", "percent"), z)),
    }


def _section(key: str, body: str, note: str = "") -> str:
    note_html = f'<p class="muted">{escape(note)}</p>' if note else ""
    return f'<h2 id="h-{key}">{rp.HEAD[key]}</h2>{note_html}<div id="{key}">{body}</div>'


def render_html(inp: rp.ReportInputs) -> str:
    """One self-contained page: inline CSS and SVG, no scripts, no external resources."""
    b, recon = inp.bundle, inp.recon
    synthetic = (
        '<div class="synthetic">합성 데이터입니다 — 실제 시세가 아닙니다 '
        "(SYNTHETIC sample data).</div>"
        if b.synthetic_data
        else ""
    )
    charts = _charts(inp)
    code = (b.producer.code_sha or "")[:12]
    issues = "".join(f"<li>{escape(x)}</li>" for x in rp.issue_lines(inp)) or "<li>문제 없음</li>"
    mom, rsi = inp.momentum_period, inp.rsi_period
    parts = [
        _today_html(inp),
        _status_html(inp),
        _section(
            "key-metrics",
            table(("지표", "전략", "069500 보유"), rp.key_metrics(inp), wrap_first=True),
        ),
        _section("equity-chart", charts["equity-chart"]),
        _section("drawdown-chart", charts["drawdown-chart"]),
        _section(
            "worst-drawdowns",
            table(rp.DRAWDOWN_HEAD, rp.drawdown_rows(inp), numeric_from=4),
            "시작은 직전 고점의 날, 회복은 그 고점을 처음 다시 넘은 날, 기간은 거래일 수.",
        ),
        _section("regime-timeline", charts["regime-timeline"]),
        _section("yearly-returns", table(rp.YEARLY_HEAD, rp.yearly_rows(inp))),
        _section(
            "monthly-returns",
            monthly_heatmap(inp),
            "월말 종가 기준; 연간 = 월별 수익률의 복리 합. 초록 = 이익, 빨강 = 손실.",
        ),
        _section("rolling", charts["rolling"]),
        _section(
            "trade-stats",
            table(("항목", "값"), rp.trade_stat_rows(inp), wrap_first=True),
            "매도 1건 = 거래 1건 (실현 손익, 비용 포함). 보유 기간은 진입부터 전량 매도까지.",
        ),
        _section("exit-reasons", table(rp.EXIT_HEAD, rp.exit_rows(inp))),
        _section(
            "contribution",
            table(rp.CONTRIB_HEAD, rp.contribution_rows(inp), numeric_from=2),
            "실현 손익 + 보유 종목의 평가 손익; 합계는 최종 평가액 - 초기자본과 같습니다.",
        ),
        _section(
            "recent-trades",
            table(rp.TRADES_HEAD, rp.recent_trade_rows(inp), numeric_from=4),
            f"백테스트 체결 최근 {rp.RECENT_TRADES}건 (신호 다음 날 시가 체결).",
        ),
        _section(
            "selection",
            table(rp.SELECTION_HEAD, rp.selection_rows(inp), numeric_from=3),
            f"{b.asof} 종가 기준. 모멘텀 = 종가 / SMA{mom} - 1 (순위 1 = 최고), "
            f"RSI({rsi}, Wilder) 구간별 배수로 동일 비중을 조정.",
        ),
        _section(
            "reconcile",
            f'<p class="muted">{recon.window_start} ~ {recon.window_end}, 영수증 '
            f"{recon.counts.days_with_receipt}일 / {recon.counts.window_days}일 · "
            f"{recon.status.value}</p><ul id='recon-issues'>{issues}</ul>",
        ),
        _surface_html(inp),
    ]
    return f"""<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>KRX Alertor — {b.asof}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body>
<h1>KRX Alertor 리포트 — {b.asof}</h1>
<p class="muted">데이터: {escape(inp.source_note)}{f" · 코드 {escape(code)}" if code else ""}</p>
{synthetic}
{"".join(parts)}
</body></html>
"""


def _surface_html(inp: rp.ReportInputs) -> str:
    if inp.sweep_surface is None:
        return ""
    return (
        "<h2>파라미터 스윕 (Sweep: out-of-sample metric surface)</h2>"
        f'<div id="sweep-surface" class="scroll">{inp.sweep_surface}</div>'
    )
