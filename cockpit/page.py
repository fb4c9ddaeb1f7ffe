"""The Streamlit page: settings, header and Look (status, plan, charts, reconcile, history).

The Act section (forms that commit) is ``cockpit.forms``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from cockpit import forms, govern, today, views
from cockpit.data import Snapshot, load, load_remote
from cockpit.settings import Settings
from pipeline import registry
from pipeline.io.context import now_seoul

SEOUL = dt.timezone(dt.timedelta(hours=9), "KST")
#: Strategy strong, benchmark grey (Streamlit maps colours to the y columns in order).
STRATEGY_COLOR, BENCHMARK_COLOR = "#1565c0", "#9e9e9e"
REGIME_COLORS = {"BULL": "#2e7d32", "BEAR": "#c62828", "CHOP": "#f9a825", "WARMUP": "#9e9e9e"}


def main() -> None:
    st.set_page_config(page_title="KRX Alertor cockpit", page_icon="📈", layout="wide")
    settings = sidebar(Settings.from_env())
    snap = load(settings.repo, settings.api_url, settings.timeout_s, remote=_remote)
    st.title("KRX Alertor cockpit")
    header(snap)
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
    forms.act(settings, snap)


@st.cache_data(ttl=10, show_spinner="Reading the resolver…")
def _remote(url: str, timeout_s: float) -> Snapshot:
    """Resolver answers for 10 s (it caches ``latest`` for 5 s itself); failures are not kept."""
    return load_remote(url, timeout_s)


def _reload() -> None:
    _remote.clear()


# ----------------------------------------------------------------------------- settings


def sidebar(base: Settings) -> Settings:
    sb = st.sidebar
    sb.header("Settings")
    source = sb.radio(
        "Read from",
        ["local repo", "resolver URL"],
        index=1 if base.api_url else 0,
        key="source",
        help="The resolver (e.g. through an SSH tunnel) serves the server's committed state",
    )
    repo = sb.text_input("Local repo", str(base.repo), key="repo")
    url = sb.text_input("Resolver URL", base.api_url or "http://127.0.0.1:8000", key="api_url")
    timeout = sb.number_input(
        "Timeout (s)", 0.2, 30.0, float(base.timeout_s), step=0.5, key="timeout"
    )
    operator = sb.text_input("Operator", base.operator, key="operator")
    sb.button("Reload", key="reload", on_click=_reload)
    return Settings(
        repo=Path(repo).expanduser(),
        api_url=url.strip() if source == "resolver URL" and url.strip() else None,
        timeout_s=float(timeout),
        operator=operator.strip(),
    )


def header(snap: Snapshot) -> None:
    now = dt.datetime.now(SEOUL)
    if snap.unreachable:
        st.error(f"**Server unreachable** — showing the local repo. {snap.unreachable}")
    if snap.problem:
        st.error(f"Cannot read the local repo: {snap.problem}")
    where = "resolver" if snap.source == "remote" else "local repo"
    if snap.commit is None:
        st.warning(f"{where} `{snap.label}`: no commits yet")
        return
    at = (
        snap.committed_at.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M %Z")
        if snap.committed_at
        else "?"
    )
    st.markdown(
        f"Reading the **{where}** `{snap.label}` at commit **`{snap.commit[:10]}`**"
        f" ({snap.branch or 'detached'}), committed {at} — **{views.age(snap.committed_at, now)}**"
    )
    if snap.dirty:
        st.caption(
            f"{len(snap.dirty)} uncommitted change(s) in the working tree are not shown: "
            + ", ".join(snap.dirty[:5])
        )


# ---------------------------------------------------------------------------------- look


def look(snap: Snapshot) -> None:
    summary = snap.data("ops_summary")
    recon = snap.data("recon_summary")
    safety = (summary or {}).get("safety") or {}
    gate = safety.get("gate")
    tiles = {
        "Ops status": views.badge((summary or {}).get("overall_status")),
        "Execution gate": f":{'red' if gate == 'REAL_ENABLED' else 'blue'}-badge[{gate or '?'}]",
        "Real sender": views.on_off(safety.get("real_sender_enabled"), alarm=False),
        "Emergency stop": views.on_off(safety.get("emergency_stop"), alarm=True),
        "Reconcile": views.badge((recon or {}).get("status")),
    }
    for col, (label, value) in zip(st.columns(len(tiles)), tiles.items(), strict=True):
        col.markdown(f"{label}\n\n#### {value}")
    if summary is None:
        st.info(f"No ops summary: {_why(snap, 'ops_summary')}")
    else:
        st.caption(
            f"As the server saw it: ops summary asof {summary.get('asof')}, bundle asof "
            f"{summary.get('bundle_asof')} (the forms under Act show the PC's safety files)"
        )
        risks = views.risks_frame(summary)
        if not risks.empty:
            st.subheader("Top risks")
            st.dataframe(risks, hide_index=True, width="stretch")

    left, right = st.columns([3, 2])
    with left:
        plan_section(snap)
    with right:
        receipt_section(snap)

    st.subheader("Equity vs benchmark")
    equity = views.series_frame(snap.tables.get("backtest_equity"))
    if equity.empty:
        st.info(f"No backtest equity committed ({registry.path('backtest_equity')})")
    else:
        st.line_chart(
            equity,
            y=["strategy", "benchmark"],
            color=[STRATEGY_COLOR, BENCHMARK_COLOR],
            y_label="KRW",
            height=300,
        )
    drawdown = views.series_frame(snap.tables.get("backtest_drawdown"))
    if not drawdown.empty:
        st.subheader("Drawdown")
        st.line_chart(
            -drawdown,
            y=["strategy", "benchmark"],
            color=[STRATEGY_COLOR, BENCHMARK_COLOR],
            y_label="fraction",
            height=200,
        )

    regime_section(snap)
    recon_section(snap)
    history_section(snap)


def plan_section(snap: Snapshot) -> None:
    plan = snap.data("order_plan")
    st.subheader("Today's order plan")
    if plan is None:
        st.info(f"No order plan: {_why(snap, 'order_plan')}")
        return
    st.markdown(
        f"`{plan.get('plan_id')}` asof **{plan.get('asof')}** — {views.badge(plan.get('status'))}"
        f" · gate {plan.get('gate')} · executable {plan.get('executable')}"
        f" · buy {plan.get('total_buy_krw', 0):,} / sell {plan.get('total_sell_krw', 0):,} KRW"
    )
    today = now_seoul().date().isoformat()
    if plan.get("asof") != today:
        st.warning(f"This plan is for {plan.get('asof')}, not today ({today}): PULL for newer")
    orders = views.orders_frame(plan)
    if orders.empty:
        st.caption(
            f"No orders (rebalance: {plan.get('rebalance')}, block: {plan.get('block_reason')})"
        )
    else:
        st.dataframe(orders, hide_index=True, width="stretch")


def receipt_section(snap: Snapshot) -> None:
    receipt = snap.data("live_cycle_receipt")
    st.subheader("Live-cycle receipt")
    if receipt is None:
        st.info(f"No receipt: {_why(snap, 'live_cycle_receipt')}")
    else:
        box = st.error
        if receipt.get("result") == "OK":
            box = st.success if receipt.get("decision") == "COMPLETED" else st.warning
        box(
            f"{receipt.get('asof')}: {receipt.get('result')} / {receipt.get('decision')}"
            f" ({receipt.get('reason')}), exit {receipt.get('exit_code')}"
        )
        st.caption(f"snapshot `{receipt.get('snapshot_ref')}`")
    delivery = snap.data("delivery_record")
    st.markdown("**Delivery**")
    if delivery is None:
        st.caption(f"No delivery record: {_why(snap, 'delivery_record')}")
    else:
        st.markdown(
            f"{delivery.get('status')} via **{delivery.get('delivery_actual')}**"
            f" (real send allowed: {delivery.get('real_send_allowed')})"
        )
        with st.expander("Message text"):
            st.text(delivery.get("message_text", ""))


def regime_section(snap: Snapshot) -> None:
    st.subheader("Regime timeline")
    result = snap.data("backtest_result")
    spans = views.regime_spans(result, None)
    if spans.empty:
        st.info(f"No regime history: {_why(snap, 'backtest_result')}")
    else:
        chart = (
            alt.Chart(spans)
            .mark_bar(height=28)
            .encode(
                x=alt.X("start:T", title=None),
                x2="end:T",
                color=alt.Color(
                    "regime:N",
                    scale=alt.Scale(domain=list(REGIME_COLORS), range=list(REGIME_COLORS.values())),
                ),
                tooltip=["regime", "start", "end"],
            )
            .properties(height=70)
        )
        st.altair_chart(chart, width="stretch")
    bundle = snap.data("strategy_bundle")
    if bundle:
        st.caption(
            f"Bundle asof {bundle.get('asof')}: regime **{bundle.get('regime')}**, day state "
            f"**{bundle.get('day_state')}**, exposure {bundle.get('exposure')}, "
            f"valid {bundle.get('valid_from')} → {bundle.get('valid_until')}"
        )


def recon_section(snap: Snapshot) -> None:
    recon = snap.data("recon_summary")
    st.subheader(f"Reconcile {views.badge((recon or {}).get('status'))}")
    if recon is None:
        st.info(f"No reconcile summary: {_why(snap, 'recon_summary')}")
        return
    counts = recon.get("counts") or {}
    st.caption(
        f"window {recon.get('window_start')} → {recon.get('window_end')}: "
        f"{counts.get('critical', 0)} critical, {counts.get('warn', 0)} warn, "
        f"{counts.get('info', 0)} info"
    )
    issues = pd.DataFrame(
        [
            {k: i.get(k) for k in ("severity", "code", "session", "message")}
            for i in recon.get("issues") or []
        ],
        columns=["severity", "code", "session", "message"],
    )
    if not issues.empty:
        st.dataframe(issues, hide_index=True, width="stretch")
    days = views.day_states(snap.data("recon_daily"))
    if not days.empty:
        with st.expander("Day states in the window"):
            st.dataframe(days, hide_index=True, width="stretch")


def history_section(snap: Snapshot) -> None:
    st.subheader("Key metrics across commits")
    frame = views.history_frame(snap.history)
    if frame.empty:
        st.info("No committed backtest_metrics versions")
        return
    if len(frame) > 1:
        long = frame.melt(
            id_vars=["commit", "committed_at"],
            value_vars=["total_return", "benchmark_total_return", "max_drawdown"],
            var_name="metric",
        )
        chart = (
            alt.Chart(long)
            .mark_line(point=True)
            .encode(
                x=alt.X("commit:O", sort=None, title="commit (oldest → newest)"),
                y=alt.Y("value:Q", title="fraction"),
                color="metric:N",
                tooltip=["commit", "committed_at", "metric", "value"],
            )
            .properties(height=220)
        )
        st.altair_chart(chart, width="stretch")
    st.dataframe(frame, hide_index=True, width="stretch")


def _why(snap: Snapshot, name: str) -> str:
    doc = snap.docs.get(name)
    return (doc.problem if doc else None) or "not read"
