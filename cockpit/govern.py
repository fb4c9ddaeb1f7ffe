"""Parameter governance (leaderboard, a candidate against the current params, promotion through
the same guard as ``krx sweep promote``, the history of ``params.yaml``), the operator's action
log, positions and ticket results, drill and scheduler status, and the link to the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from cockpit.data import Snapshot
from cockpit.settings import Settings
from cockpit.views import OPS_STATUS
from pipeline import registry
from pipeline.artifacts.sweep import Candidate, SweepLeaderboardV1
from pipeline.core.promotion import changes_for
from pipeline.errors import KrxError, SafetyBlock
from pipeline.flows.promote import promote
from pipeline.io import gitlog
from pipeline.io.gitstore import GitStore
from pipeline.io.store import StoreError
from pipeline.params import load_params

GUARD_KO = "통과"
CURRENT_KO = "현재 파라미터"
TICKET_LIMIT = 20


def _f(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def leaderboard_frame(board: SweepLeaderboardV1) -> pd.DataFrame:
    rows = [
        {
            "순위": c.rank,
            "후보": c.id,
            "OOS 샤프": _f(c.oos_sharpe),
            "IS 샤프": _f(c.is_sharpe),
            "차이": _f(c.sharpe_gap),
            "DSR": _f(c.deflated_sharpe),
            "가드": GUARD_KO if c.guard.passed else ", ".join(f.value for f in c.guard.failures),
            "현재": CURRENT_KO if c.is_baseline else "",
        }
        for c in (*board.candidates, board.baseline)
    ]
    return pd.DataFrame(rows).drop_duplicates(subset=["후보"])


def log_frame(entries: list[gitlog.LogEntry], why: bool = True) -> pd.DataFrame:
    rows = [
        {
            "언제": e.at.strftime("%Y-%m-%d %H:%M"),
            "누가": e.author,
            "무엇": e.subject,
            **({"왜": e.body.replace("\n", " · ")} if why else {}),
            "커밋": e.commit[:8],
        }
        for e in entries
    ]
    return pd.DataFrame(rows)


def _on_promote(root: Path) -> None:
    ref = str(st.session_state.get("promote_candidate") or "")
    try:
        done = promote(root, ref)
    except SafetyBlock as err:
        st.session_state["promote_result"] = ("error", f"가드가 승격을 거절했습니다: {err}")
        return
    except KrxError as err:
        st.session_state["promote_result"] = ("error", f"승격하지 않았습니다: {err}")
        return
    st.session_state["promote_result"] = (
        "success",
        f"후보 {done.candidate.id}(순위 {done.candidate.rank})를 params.yaml에 커밋했습니다 "
        f"(`{done.commit[:8]}`). 푸시하고 PC 파이프라인(make run)을 다시 실행하세요.",
    )


def governance(settings: Settings, snap: Snapshot) -> None:
    st.header("파라미터 관리")
    root = settings.repo
    raw = snap.data("sweep_leaderboard")
    board = None
    if raw is not None:
        try:
            board = SweepLeaderboardV1.model_validate(raw)
        except ValidationError:
            board = None
    if board is None:
        st.info("스윕 리더보드가 아직 없습니다: 터미널에서 krx sweep run 을 실행하고 커밋하세요.")
    else:
        st.caption(
            f"스윕 {board.spec.name} · 기준일 {board.asof} · 시도 {board.trials}회 · "
            f"운 좋은 시도의 기대 최고 OOS 샤프 {board.expected_max_sharpe:.3f}"
        )
        st.dataframe(leaderboard_frame(board), hide_index=True, width="stretch")
        candidate_vs_current(root, board)
    st.subheader("params.yaml 변경 이력 (누가, 언제, 왜)")
    history = gitlog.params_history(root)
    if history:
        st.dataframe(log_frame(history), hide_index=True, width="stretch")
    else:
        st.caption("params.yaml의 커밋 이력이 없습니다.")


def candidate_vs_current(root: Path, board: SweepLeaderboardV1) -> None:
    pool: list[Candidate] = [c for c in board.candidates if not c.is_baseline]
    if not pool:
        return
    ids = [c.id for c in pool]
    pick = st.selectbox(
        "후보",
        ids,
        key="promote_candidate",
        format_func=lambda i: f"{i} (순위 {next(c.rank for c in pool if c.id == i)})",
    )
    cand = next(c for c in pool if c.id == pick)
    try:
        current = load_params(root).strategy
        changes = changes_for(cand, current)
    except KrxError as err:
        st.error(f"params.yaml을 읽지 못했습니다: {err}")
        return
    rows = [{"키": c.key, "현재": str(c.old), "후보": str(c.new)} for c in changes]
    base = board.baseline
    st.markdown(
        f"후보 OOS 샤프 **{_f(cand.oos_sharpe)}** · {CURRENT_KO} OOS 샤프 **{_f(base.oos_sharpe)}**"
        f" · 가드: **{GUARD_KO if cand.guard.passed else '실패'}**"
    )
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    result: Any = st.session_state.get("promote_result")
    if result:
        (st.success if result[0] == "success" else st.error)(result[1])
    st.button(
        "이 후보를 승격 (가드 확인 후 params.yaml 커밋)",
        key="promote_button",
        on_click=_on_promote,
        args=(root,),
    )


def action_log(settings: Settings) -> None:
    st.header("운영자 작업 기록")
    entries = gitlog.operator_log(settings.repo)
    if entries:
        st.dataframe(log_frame(entries, why=False), hide_index=True, width="stretch")
    else:
        st.caption("아직 운영자 작업(안전 스위치, 포트폴리오, 티켓, 파라미터) 커밋이 없습니다.")


def positions_and_tickets(settings: Settings, snap: Snapshot) -> None:
    st.header("포지션과 티켓 결과")
    pos = snap.data("positions") or snap.data("portfolio")
    if pos is None:
        st.caption("포지션이 아직 없습니다: 기준 포트폴리오를 입력하세요.")
    else:
        which = "서버 포지션" if snap.data("positions") else "기준 포트폴리오"
        st.caption(f"{which} · 기준일 {pos.get('asof')} · 현금 {int(pos.get('cash_krw', 0)):,}원")
        rows = [
            {
                "종목": h.get("ticker"),
                "수량(주)": h.get("shares"),
                "평균단가(원)": h.get("avg_price_krw"),
            }
            for h in pos.get("holdings") or []
        ]
        if rows:
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    results = ticket_results(settings.repo)
    if results.empty:
        st.caption("서버가 처리한 티켓이 아직 없습니다.")
    else:
        st.dataframe(results, hide_index=True, width="stretch")


def ticket_results(root: Path) -> pd.DataFrame:
    """The latest committed ticket results (newest first)."""
    spec = registry.get("ticket_result")
    folder = spec.path.split("{key}")[0].rstrip("/")
    cols = ["티켓", "계획", "결과", "사유", "설명", "기준일"]
    rows = []
    try:
        store = GitStore(root)
        head = store.head().commit
        files = store.list_files(head, folder, 500) if head else []
        for rel in files:
            blob = store.read(head, rel) if head else None
            if blob is None:
                continue
            try:
                d = json.loads(blob.data)
            except ValueError:
                continue
            if isinstance(d, dict):
                rows.append(
                    {
                        "티켓": d.get("ticket_id"),
                        "계획": d.get("plan_id"),
                        "결과": d.get("status"),
                        "사유": d.get("reason"),
                        "설명": d.get("detail"),
                        "기준일": d.get("asof"),
                    }
                )
    except StoreError:
        return pd.DataFrame(columns=cols)
    rows.sort(key=lambda r: str(r["기준일"]), reverse=True)
    return pd.DataFrame(rows[:TICKET_LIMIT], columns=cols)


def drill_and_scheduler(snap: Snapshot) -> None:
    st.header("드릴과 서버 스케줄러")
    drill = snap.data("drill_report")
    left, right = st.columns(2)
    with left:
        if drill is None:
            st.caption("드릴 기록이 없습니다: 터미널에서 krx drill 을 실행하세요.")
        else:
            st.markdown(
                f"드릴 **{drill.get('overall_result')}** · 기준일 {drill.get('asof')} · "
                f"{OPS_STATUS} {drill.get('ops_status')}"
            )
    with right:
        sched = snap.data("scheduler_record")
        if sched is None:
            st.caption("서버 스케줄러 기록이 아직 없습니다 (서버 첫 실행 전).")
        else:
            st.markdown(
                f"스케줄러 **{sched.get('result')}** (종료 코드 {sched.get('exit_code')}) · "
                f"{sched.get('asof')} · 끝난 시각 {sched.get('finished_at')}"
            )
            failed = [s for s in sched.get("steps") or [] if s.get("result") != "OK"]
            for s in failed[:5]:
                st.caption(f"{s.get('name')}: {s.get('result')} — {s.get('message')}")


def report_link(settings: Settings) -> None:
    st.header("보고서")
    rel = registry.get("report_html").path
    path = settings.repo / rel
    if path.exists():
        st.markdown(
            f"HTML 보고서: [{rel}]({path.resolve().as_uri()}) (브라우저로 열기; 오프라인 가능)"
        )
    else:
        st.caption(f"보고서가 아직 없습니다 ({rel}): PC 파이프라인(make run)을 실행하세요.")
    if settings.api_url:
        base = settings.api_url.rstrip("/")
        st.markdown(f"서버 요약(리졸버): {base}/api/ops/summary/latest")
