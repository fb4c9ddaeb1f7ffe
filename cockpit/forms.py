"""The Act section: forms whose callbacks validate, commit once, and record the result.

Callbacks run before the page is drawn, so the page always shows the state after the new
commit. Results stay in ``st.session_state`` and are shown above the forms (plus a toast).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from cockpit import actions, gitops, views
from cockpit import today_view as tv
from cockpit.actions import SWITCH_KO
from cockpit.data import Snapshot
from cockpit.settings import Settings
from pipeline.enums import ExecutionGate


def show_last_result() -> None:
    result = st.session_state.get("last_result")
    if result is None:
        return
    title, ok, text = result
    (st.success if ok else st.error)(f"**{title}** — {text}")
    if st.session_state.pop("toast", False):  # once per action, wherever the page is scrolled
        st.toast(f"{title}: {'완료' if ok else '거절'}", icon="✅" if ok else "⛔")


def act(settings: Settings, snap: Snapshot, repo_label: str) -> None:
    st.header("기록하기 — 한 번에 커밋 하나")
    st.caption(
        f"모든 작업은 검사한 뒤 `{repo_label}`에 커밋을 정확히 하나 만듭니다; "
        f"서버는 '{tv.SYNC_FORM}'에서 PUSH 한 뒤에 봅니다."
    )
    show_last_result()
    safety_tab, pf_tab, ticket_tab, sync_tab = st.tabs(
        [tv.SAFETY_FORM, tv.PORTFOLIO_FORM, tv.TICKET_FORM, tv.SYNC_FORM]
    )
    ctx = {"root": settings.repo, "by": settings.operator}
    with safety_tab:
        safety_forms(ctx)
    with pf_tab:
        portfolio_form(ctx, snap)
    with ticket_tab:
        ticket_form(ctx, snap)
    with sync_tab:
        sync_buttons(ctx)


def _state(key: str) -> Any:
    return st.session_state.get(key)


def _record(title: str, result: actions.ActionResult, reset: str = "") -> None:
    text = result.message + (f" (커밋 `{result.commit[:10]}`)" if result.commit else "")
    st.session_state["last_result"] = (title, result.ok, text)
    st.session_state["toast"] = True
    if result.ok and reset:
        _reset(reset)


def _reset(*prefixes: str) -> None:
    """Forget form values so the forms start again from the (new) committed state."""
    for key in [k for k in st.session_state if str(k).startswith(prefixes)]:
        del st.session_state[key]


def _on_switch(ctx: dict[str, Any], name: str) -> None:
    result = actions.set_switch(
        ctx["root"],
        name,
        str(_state(f"{name}_value")),
        _state("operator") or ctx["by"],
        _state(f"{name}_reason") or "",
        confirm=_state(f"{name}_confirm") or "",
    )
    _record(f"{SWITCH_KO[name]} 변경", result)


def safety_forms(ctx: dict[str, Any]) -> None:
    specs = {
        "execution_gate": [g.value for g in ExecutionGate],
        "real_sender": ["off", "on"],
        "emergency_stop": ["off", "on"],
    }
    cols = st.columns(3)
    for col, (name, options) in zip(cols, specs.items(), strict=True):
        with col, st.form(f"{name}_form"):
            now = actions.current_switch(ctx["root"], name)
            st.markdown(f"**{SWITCH_KO[name]}** ({name}, 지금: `{now}`)")
            st.selectbox(
                "새 값",
                options,
                index=options.index(now) if now in options else 0,
                key=f"{name}_value",
            )
            st.text_input("이유 (필수)", key=f"{name}_reason")
            if name == "execution_gate":
                st.text_input(
                    f"REAL_ENABLED 확인: {actions.REAL_CONFIRMATION} 라고 입력",
                    key=f"{name}_confirm",
                )
            st.form_submit_button(
                f"{SWITCH_KO[name]} 커밋", on_click=_on_switch, args=(ctx, name), type="primary"
            )


def _on_portfolio(ctx: dict[str, Any]) -> None:
    holdings, errors = views.parse_holdings(_state("pf_holdings") or "")
    if errors:
        _record(tv.PORTFOLIO_FORM, actions.ActionResult(False, "; ".join(errors)))
        return
    result = actions.set_portfolio(
        ctx["root"],
        int(_state("pf_cash") or 0),
        holdings,
        str(_state("pf_asof") or ""),
        _state("operator") or ctx["by"],
        _state("pf_note") or "",
    )
    _record(tv.PORTFOLIO_FORM, result, reset="pf_")


def portfolio_form(ctx: dict[str, Any], snap: Snapshot) -> None:
    current = snap.data("portfolio")
    bundle = snap.data("strategy_bundle")
    default_asof = (bundle or current or {}).get("asof", "")
    with st.form("portfolio_form"):
        st.number_input(
            "현금 (원)",
            min_value=-(10**12),
            value=int((current or {}).get("cash_krw", 0)),
            step=10_000,
            key="pf_cash",
        )
        st.text_area(
            f"보유 종목: 한 줄에 `{views.HOLDINGS_FORMAT}`",
            views.holdings_text(current),
            key="pf_holdings",
        )
        st.text_input("기준일 (그 종가의 날짜, YYYY-MM-DD)", str(default_asof), key="pf_asof")
        st.text_input("메모 (예: 증권사 잔고 화면)", key="pf_note")
        st.form_submit_button("포트폴리오 커밋", on_click=_on_portfolio, args=(ctx,))


def _on_ticket(ctx: dict[str, Any]) -> None:
    ack = bool(_state("tk_ack"))
    fills, errors = views.parse_fills("" if ack else _state("tk_fills") or "")
    if errors:
        _record(tv.TICKET_FORM, actions.ActionResult(False, "; ".join(errors)))
        return
    result = actions.new_ticket(
        ctx["root"],
        str(_state("tk_plan") or ""),
        fills,
        _state("operator") or ctx["by"],
        note=_state("tk_note") or "",
        ack=ack,
    )
    _record(tv.TICKET_FORM, result, reset="tk_")


def ticket_form(ctx: dict[str, Any], snap: Snapshot) -> None:
    plan = snap.data("order_plan")
    with st.form("ticket_form"):
        st.text_input("계획 ID", (plan or {}).get("plan_id") or "", key="tk_plan")
        st.text_area(
            f"체결: 한 줄에 `{views.FILLS_FORMAT}` (계획에서 미리 채움)",
            views.fills_text(plan),
            key="tk_fills",
            height=160,
        )
        st.checkbox("확인만 (체결 없음)", key="tk_ack")
        st.text_input("메모", key="tk_note")
        st.form_submit_button("티켓 커밋", on_click=_on_ticket, args=(ctx,))


def _on_git(ctx: dict[str, Any], what: str) -> None:
    result = (gitops.pull if what == "pull" else gitops.push)(ctx["root"])
    text = f"`{result.command}`\n\n```\n{result.output}\n```"
    st.session_state["last_result"] = (what.upper(), result.ok, text)
    st.session_state["toast"] = True
    if result.ok and what == "pull":
        _reset("pf_", "tk_")  # a pull may bring a new plan or portfolio


def sync_buttons(ctx: dict[str, Any]) -> None:
    c1, c2 = st.columns(2)
    c1.button("PULL (서버 결과 받기)", key="pull", on_click=_on_git, args=(ctx, "pull"))
    c2.button("PUSH (서버로 보내기)", key="push", on_click=_on_git, args=(ctx, "push"))
