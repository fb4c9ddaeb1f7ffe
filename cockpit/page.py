"""The Streamlit page: settings, header and Look (status, plan, charts, reconcile, history).

The Act section (forms that commit) is ``cockpit.forms``. Every word the operator reads is
Korean; a heading the HTML report also has is the report's (``pipeline.core.report.HEAD``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import altair as alt
import streamlit as st

from cockpit import forms, govern, today, views
from cockpit import today_view as tv
from cockpit.actions import SWITCH_KO
from cockpit.data import Snapshot, load, load_remote
from cockpit.settings import Settings
from cockpit.views import HISTORY_HEAD, OPS_STATUS, SERIES_KO, SOURCE_KO
from pipeline import registry
from pipeline.core.message import GATE_KO
from pipeline.core.report import HEAD, STATE_KO
from pipeline.enums import DayState, ExecutionGate
from pipeline.io.context import now_seoul

SEOUL = dt.timezone(dt.timedelta(hours=9), "KST")
#: Strategy strong, benchmark grey (Streamlit maps colours to the y columns in order).
STRATEGY_COLOR, BENCHMARK_COLOR = "#1565c0", "#9e9e9e"
REGIME_COLORS = {"BULL": "#2e7d32", "BEAR": "#c62828", "CHOP": "#f9a825", "WARMUP": "#9e9e9e"}
TITLE = "KRX Alertor 콕핏"
PLAN = "서버의 주문 계획"
#: The metrics history chart's lines (``views.HISTORY_HEAD`` names).
HISTORY_LINES = [
    HISTORY_HEAD[k] for k in ("total_return", "benchmark_total_return", "max_drawdown")
]


def main() -> None:
    st.set_page_config(page_title=TITLE, page_icon="📈", layout="wide")
    settings = sidebar(Settings.from_env())
    snap = load(settings.repo, settings.api_url, settings.timeout_s, remote=_remote)
    label = repo_label(settings.repo)
    st.title(TITLE)
    header(snap, label)
    if today.is_fresh(snap):
        today.first_run_guide(settings, snap)
    else:
        today.today_panel(settings, snap)
        st.divider()
        look(snap)
        govern.positions_and_tickets(settings, snap)
        govern.drill_and_scheduler(snap)
    govern.governance(settings, snap)
    govern.action_log(settings)
    govern.report_link(settings)
    st.divider()
    forms.act(settings, snap, label)


@st.cache_data(ttl=10, show_spinner="리졸버에서 읽는 중…")
def _remote(url: str, timeout_s: float) -> Snapshot:
    """Resolver answers for 10 s (it caches ``latest`` for 5 s itself); failures are not kept."""
    return load_remote(url, timeout_s)


def _reload() -> None:
    _remote.clear()


# ----------------------------------------------------------------------------- settings


def repo_label(repo: Path) -> str:
    """The local repo without this machine's absolute path where possible (``.``, ``~/…``)."""
    return views.repo_label(repo.expanduser().resolve(), Path.cwd(), Path.home())


def sidebar(base: Settings) -> Settings:
    sb = st.sidebar
    sb.header("설정")
    source = sb.radio(
        "읽을 곳",
        list(SOURCE_KO),
        index=1 if base.api_url else 0,
        format_func=SOURCE_KO.__getitem__,
        key="source",
        help="리졸버(예: SSH 터널 경유)는 서버가 커밋한 상태를 보여 줍니다",
    )
    repo = sb.text_input(SOURCE_KO["local"], repo_label(base.repo), key="repo")
    url = sb.text_input("리졸버 URL", base.api_url or "http://127.0.0.1:8000", key="api_url")
    timeout = sb.number_input(
        "제한 시간 (초)", 0.2, 30.0, float(base.timeout_s), step=0.5, key="timeout"
    )
    operator = sb.text_input("운영자", base.operator, key="operator")
    sb.button("새로 읽기", key="reload", on_click=_reload)
    return Settings(
        repo=Path(repo).expanduser().resolve(),  # the label is relative to the working folder
        api_url=url.strip() if source == "remote" and url.strip() else None,
        timeout_s=float(timeout),
        operator=operator.strip(),
    )


def header(snap: Snapshot, local_label: str) -> None:
    now = dt.datetime.now(SEOUL)
    if snap.unreachable:
        st.error(f"**서버 연결 안 됨** — 로컬 저장소를 대신 보여 줍니다. ({snap.unreachable})")
    if snap.problem:
        st.error(f"로컬 저장소를 읽지 못했습니다: {snap.problem}")
    where = SOURCE_KO.get(snap.source, snap.source)
    label = snap.label if snap.source == "remote" else local_label
    if snap.commit is None:
        st.warning(f"{where} `{label}`: 아직 커밋이 없습니다")
        return
    at = (
        snap.committed_at.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M %Z")
        if snap.committed_at
        else "?"
    )
    st.markdown(
        f"읽는 곳: **{where}** `{label}` · 커밋 **`{snap.commit[:10]}`**"
        f" ({snap.branch or 'detached HEAD'}), {at} — **{views.age(snap.committed_at, now)}**"
    )
    if snap.dirty:
        st.caption(
            f"작업 트리의 커밋하지 않은 변경 {len(snap.dirty)}개는 보이지 않습니다: "
            + ", ".join(snap.dirty[:5])
        )


# ---------------------------------------------------------------------------------- look


def look(snap: Snapshot) -> None:
    summary = snap.data("ops_summary")
    recon = snap.data("recon_summary")
    safety = (summary or {}).get("safety") or {}
    gate = safety.get("gate")
    tiles = {
        OPS_STATUS: views.badge((summary or {}).get("overall_status")),
        SWITCH_KO["execution_gate"]: (
            f":{'red' if gate == 'REAL_ENABLED' else 'blue'}-badge[{gate or '?'}]"
        ),
        SWITCH_KO["real_sender"]: views.on_off(safety.get("real_sender_enabled"), alarm=False),
        SWITCH_KO["emergency_stop"]: views.on_off(safety.get("emergency_stop"), alarm=True),
        HEAD["reconcile"]: views.badge((recon or {}).get("status")),
    }
    for col, (label, value) in zip(st.columns(len(tiles)), tiles.items(), strict=True):
        col.markdown(f"{label}\n\n#### {value}")
    if summary is None:
        st.info(f"운영 요약이 없습니다: {_why(snap, 'ops_summary')}")
    else:
        st.caption(
            f"서버가 본 상태: 운영 요약 기준일 {summary.get('asof')}, 번들 기준일 "
            f"{summary.get('bundle_asof')} (아래 '{tv.SAFETY_FORM}' 양식은 PC의 안전 파일 값)"
        )
        risks = views.risks_frame(summary)
        if not risks.empty:
            st.subheader("운영 요약의 위험")
            st.dataframe(risks, hide_index=True, width="stretch")

    left, right = st.columns([3, 2])
    with left:
        plan_section(snap)
    with right:
        receipt_section(snap)

    st.subheader(HEAD["equity-chart"])
    equity = views.series_frame(snap.tables.get("backtest_equity")).rename(columns=SERIES_KO)
    if equity.empty:
        st.info(f"커밋된 백테스트 자산 곡선이 없습니다 ({registry.path('backtest_equity')})")
    else:
        st.line_chart(
            equity,
            y=list(SERIES_KO.values()),
            color=[STRATEGY_COLOR, BENCHMARK_COLOR],
            y_label="원",
            height=300,
        )
    drawdown = views.series_frame(snap.tables.get("backtest_drawdown")).rename(columns=SERIES_KO)
    if not drawdown.empty:
        st.subheader(HEAD["drawdown-chart"])
        st.line_chart(
            -drawdown,
            y=list(SERIES_KO.values()),
            color=[STRATEGY_COLOR, BENCHMARK_COLOR],
            y_label="비율",
            height=200,
        )

    regime_section(snap)
    recon_section(snap)
    history_section(snap)


def plan_section(snap: Snapshot) -> None:
    plan = snap.data("order_plan")
    st.subheader(PLAN)
    if plan is None:
        st.info(f"주문 계획이 없습니다: {_why(snap, 'order_plan')}")
        return
    st.markdown(
        f"`{plan.get('plan_id')}` 기준일 **{plan.get('asof')}** — "
        f"{views.badge(plan.get('status'))} · {SWITCH_KO['execution_gate']} "
        f"{_gate_ko(plan.get('gate'))} · 실행 가능 {views.yes_no(plan.get('executable'))}"
        f" · 매도 합계 {plan.get('total_sell_krw', 0):,}원"
        f" · 매수 합계 {plan.get('total_buy_krw', 0):,}원"
    )
    today = now_seoul().date().isoformat()
    if plan.get("asof") != today:
        st.warning(
            f"이 계획은 {plan.get('asof')}의 것입니다(오늘은 {today}): "
            f"새 계획은 '{tv.SYNC_FORM}'에서 PULL 하세요"
        )
    orders = views.orders_frame(plan)
    if orders.empty:
        st.caption(
            f"주문 없음 (리밸런싱 {views.yes_no(plan.get('rebalance'))}, "
            f"차단 사유 {plan.get('block_reason') or '없음'})"
        )
    else:
        st.dataframe(orders, hide_index=True, width="stretch")


def receipt_section(snap: Snapshot) -> None:
    receipt = snap.data("live_cycle_receipt")
    st.subheader("라이브 사이클 영수증")
    if receipt is None:
        st.info(f"영수증이 없습니다: {_why(snap, 'live_cycle_receipt')}")
    else:
        box = st.error
        if receipt.get("result") == "OK":
            box = st.success if receipt.get("decision") == "COMPLETED" else st.warning
        box(
            f"{receipt.get('asof')}: {receipt.get('result')} / {receipt.get('decision')}"
            f" ({receipt.get('reason')}), 종료 코드 {receipt.get('exit_code')}"
        )
        st.caption(f"스냅샷 `{receipt.get('snapshot_ref')}`")
    delivery = snap.data("delivery_record")
    st.markdown("**메시지 발송**")
    if delivery is None:
        st.caption(f"발송 기록이 없습니다: {_why(snap, 'delivery_record')}")
    else:
        st.markdown(
            f"{delivery.get('status')} · 경로 **{delivery.get('delivery_actual')}**"
            f" ({SWITCH_KO['real_sender']} 허용: {views.yes_no(delivery.get('real_send_allowed'))})"
        )
        with st.expander(tv.MESSAGE_LABEL):
            st.text(delivery.get("message_text", ""))


def regime_section(snap: Snapshot) -> None:
    st.subheader(HEAD["regime-timeline"])
    result = snap.data("backtest_result")
    spans = views.regime_spans(result, None)
    if spans.empty:
        st.info(f"레짐 이력이 없습니다: {_why(snap, 'backtest_result')}")
    else:
        chart = (
            alt.Chart(spans)
            .mark_bar(height=28)
            .encode(
                x=alt.X("start:T", title=None),
                x2="end:T",
                color=alt.Color(
                    "regime:N",
                    title="레짐",
                    scale=alt.Scale(domain=list(REGIME_COLORS), range=list(REGIME_COLORS.values())),
                ),
                tooltip=[
                    alt.Tooltip("regime:N", title="레짐"),
                    alt.Tooltip("start:T", title="시작"),
                    alt.Tooltip("end:T", title="끝"),
                ],
            )
            .properties(height=70)
        )
        st.altair_chart(chart, width="stretch")
    bundle = snap.data("strategy_bundle")
    if bundle:
        st.caption(
            f"번들 기준일 {bundle.get('asof')}: 레짐 **{bundle.get('regime')}**, 상태 "
            f"**{_state_ko(bundle.get('day_state'))}**, 노출 {bundle.get('exposure')}, "
            f"유효 {bundle.get('valid_from')} → {bundle.get('valid_until')}"
        )


def recon_section(snap: Snapshot) -> None:
    recon = snap.data("recon_summary")
    st.subheader(f"{HEAD['reconcile']} {views.badge((recon or {}).get('status'))}")
    if recon is None:
        st.info(f"정산 요약이 없습니다: {_why(snap, 'recon_summary')}")
        return
    counts = recon.get("counts") or {}
    st.caption(
        f"기간 {recon.get('window_start')} → {recon.get('window_end')}: "
        f"CRITICAL {counts.get('critical', 0)}건, WARN {counts.get('warn', 0)}건, "
        f"INFO {counts.get('info', 0)}건"
    )
    issues = views.issues_frame(recon)
    if not issues.empty:
        st.dataframe(issues, hide_index=True, width="stretch")
    days = views.day_states(snap.data("recon_daily"))
    if not days.empty:
        with st.expander("기간 중 거래일별 상태"):
            st.dataframe(days, hide_index=True, width="stretch")


def history_section(snap: Snapshot) -> None:
    st.subheader(f"{HEAD['key-metrics']} (커밋별)")
    frame = views.history_frame(snap.history)
    if frame.empty:
        st.info("커밋된 backtest_metrics 버전이 없습니다")
        return
    if len(frame) > 1:
        commit, at = HISTORY_HEAD["commit"], HISTORY_HEAD["committed_at"]
        long = frame.melt(
            id_vars=[commit, at], value_vars=HISTORY_LINES, var_name="지표", value_name="값"
        )
        chart = (
            alt.Chart(long)
            .mark_line(point=True)
            .encode(
                x=alt.X(f"{commit}:O", sort=None, title="커밋 (오래된 → 최신)"),
                y=alt.Y("값:Q", title="비율"),
                color="지표:N",
                tooltip=[commit, at, "지표", "값"],
            )
            .properties(height=220)
        )
        st.altair_chart(chart, width="stretch")
    st.dataframe(frame, hide_index=True, width="stretch")


def _why(snap: Snapshot, name: str) -> str:
    doc = snap.docs.get(name)
    return (doc.problem if doc else None) or "읽지 않음"


def _gate_ko(gate: object) -> str:
    """``모의(MOCK_ONLY)``: the message's words for a gate; anything else as it is."""
    known = {g.value: g for g in ExecutionGate}
    return GATE_KO[known[gate]] if isinstance(gate, str) and gate in known else str(gate)


def _state_ko(state: object) -> str:
    """``BULL(상승)``: the day state with the report's word for it."""
    known = {s.value: s for s in DayState}
    return (
        f"{state}({STATE_KO[known[state]]})"
        if isinstance(state, str) and state in known
        else str(state)
    )
