"""The top of the page: the first-run guide, "today" (what to do, the orders, the server's last
run and its age), the unpushed-commits indicator and the one-action emergency stop."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import streamlit as st

from cockpit import today_view as tv
from cockpit.data import Snapshot
from cockpit.settings import Settings
from cockpit.views import ON_OFF_KO
from pipeline.core.schedule import due_session
from pipeline.core.today import SEOUL, next_server_run, when_ko
from pipeline.errors import KrxError
from pipeline.flows import safety
from pipeline.io import gitlog
from pipeline.io.context import now_seoul
from pipeline.krx_calendar import KrxCalendar, load_calendar

STOP_KO = {
    **ON_OFF_KO,
    "MISSING": f"{ON_OFF_KO['off']} (파일 없음)",
    "CORRUPT": "파일 손상 — 서버는 정지로 읽습니다",
}
BOXES = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}


def calendar(root: Path) -> KrxCalendar | None:
    try:
        return load_calendar(root)
    except (KrxError, OSError, ValueError):
        return None


def is_fresh(snap: Snapshot) -> bool:
    """No server run and no baseline portfolio yet: the guide replaces empty boxes."""
    return snap.commit is None or (
        snap.data("live_cycle_receipt") is None and snap.data("portfolio") is None
    )


def first_run_guide(settings: Settings, snap: Snapshot) -> None:
    st.header("처음 시작하기")
    st.markdown(
        "아직 서버 실행 기록과 기준 포트폴리오가 없습니다. 아래 순서대로 하면 이 화면의 "
        "'오늘'에 매일 할 일이 나타납니다."
    )
    pushed = gitlog.unpushed(settings.repo)
    steps = tv.first_run_steps(
        has_bundle=snap.data("strategy_bundle") is not None,
        has_portfolio=snap.data("portfolio") is not None,
        pushed=pushed is not None and not pushed and snap.commit is not None,
        has_server_run=snap.data("live_cycle_receipt") is not None,
        has_drill=snap.data("drill_report") is not None,
    )
    for n, step in enumerate(steps, 1):
        mark = "✅" if step.done else "⬜"
        st.markdown(f"{mark} **{n}. {step.title}** — {step.how}")


def today_panel(settings: Settings, snap: Snapshot) -> None:
    now = now_seoul()
    cal = calendar(settings.repo)
    st.header(f"오늘 — {now.date().isoformat()}")
    if cal is None:
        st.error("KRX 거래일 달력을 읽지 못했습니다: config 폴더를 확인하세요.")
        return
    plan, bundle = snap.data("order_plan"), snap.data("strategy_bundle")
    head = tv.todo(plan, bundle, now.date(), due_session(now.astimezone(SEOUL), cal), cal)
    BOXES[head.level](f"**할 일:** {head.text}")
    todays = plan if plan and plan.get("asof") == now.date().isoformat() else None
    orders = tv.orders_table(todays, tv.names_of(bundle))
    if not orders.empty:
        st.dataframe(orders, hide_index=True, width="stretch")
    run = tv.last_run(snap.data("scheduler_record"), snap.data("live_cycle_receipt"), now, cal)
    BOXES[run.level](run.text)
    risks = tv.risks_table(snap.data("ops_summary"))
    if not risks.empty:
        st.markdown("**위험과 할 일**")
        st.dataframe(risks, hide_index=True, width="stretch")
    delivery = snap.data("delivery_record")
    if delivery and delivery.get("message_text"):
        with st.expander(tv.MESSAGE_LABEL):
            st.text(delivery["message_text"])
    left, right = st.columns(2)
    with left:
        unpushed_indicator(settings.repo)
    with right:
        emergency_stop(settings, now, cal)


def unpushed_indicator(root: Path) -> None:
    commits = gitlog.unpushed(root)
    if commits is None:
        st.warning("원격 저장소(업스트림)가 설정되지 않아 서버로 보낼 수 없습니다.")
    elif commits:
        st.warning(
            f"**푸시하지 않은 커밋 {len(commits)}개** — 서버는 아직 이 변경을 못 봅니다. "
            f"아래 '{tv.SYNC_FORM}'에서 PUSH 하세요."
        )
        for c in commits[:5]:
            st.caption(f"`{c.commit[:8]}` {c.subject}")
    else:
        st.success("모든 커밋이 푸시되었습니다.")


def _on_stop(root: Path, on: bool) -> None:
    by = str(st.session_state.get("operator") or "").strip()
    reason = str(st.session_state.get("stop_reason") or "")
    if not by:
        by = str(st.session_state.get("_operator_default") or "")
    try:
        done = safety.emergency_stop(root, on, by, reason)
    except KrxError as err:
        st.session_state["stop_result"] = ("error", f"비상 정지를 바꾸지 않았습니다: {err}")
        return
    cal = calendar(root)
    nxt = next_server_run(now_seoul(), cal) if cal else None
    when = when_ko(nxt) if nxt else "다음 실행"
    state = "켜짐" if on else "해제"
    if done.pushed:
        text = (
            f"비상 정지 {state}: 커밋 `{done.commit[:8]}`을 푸시했습니다. "
            f"서버는 다음 실행 {when}에 이를 봅니다."
        )
        st.session_state["stop_result"] = ("success", text)
    else:
        text = (
            f"비상 정지 {state}: 커밋 `{done.commit[:8]}`은 만들었지만 푸시하지 못했습니다 "
            f"({done.push_output.splitlines()[-1] if done.push_output else '원인 불명'}). "
            f"서버가 {when}에 보려면 '{tv.SYNC_FORM}'에서 PUSH 하세요."
        )
        st.session_state["stop_result"] = ("error", text)


def emergency_stop(settings: Settings, now: dt.datetime, cal: KrxCalendar) -> None:
    st.markdown("**비상 정지**")
    state = safety.emergency_stop_state(settings.repo)
    on = state in ("on", "CORRUPT")  # a corrupt stop file stops the server (its safe value)
    st.session_state["_operator_default"] = settings.operator
    nxt = next_server_run(now, cal)
    when = when_ko(nxt) if nxt else "다음 실행"
    st.caption(
        f"지금: {STOP_KO.get(state, state)}"
        f" · 한 번 누르면 커밋하고 푸시합니다 · 서버는 {when}에 봅니다"
    )
    result: Any = st.session_state.get("stop_result")
    if result:
        BOXES[result[0]](result[1])
    st.text_input("이유 (필수)", key="stop_reason")
    label = "비상 정지 해제 — 커밋하고 푸시" if on else "비상 정지 켜기 — 커밋하고 푸시"
    st.button(
        label,
        key="stop_button",
        type="primary",
        on_click=_on_stop,
        args=(settings.repo, not on),
    )
