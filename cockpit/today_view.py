"""Pure shaping for the "today" panel and the first-run guide (no Streamlit, no I/O).

Everything is in the page's words (Korean) and uses the same tables as the daily message:
``pipeline.core.risk_advice`` for risks and blocks, ``pipeline.core.schedule`` for the
server's age.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cockpit import views
from pipeline.core.message import COCKPIT_TICKET_FORM, SIDE_KO, day_ko, next_rebalance_session
from pipeline.core.risk_advice import reason_advice, risk_advice
from pipeline.core.schedule import ServerRunAge, server_run_age
from pipeline.core.today import SEOUL, when_ko
from pipeline.enums import OrderSide
from pipeline.krx_calendar import KrxCalendar

#: Cockpit section titles the texts point to (one place, so the words match the page; the
#: ticket form's name is the daily message's, which points there too).
TICKET_FORM = COCKPIT_TICKET_FORM
PORTFOLIO_FORM = "기준 포트폴리오"
SAFETY_FORM = "안전 스위치"
SYNC_FORM = "동기화"
#: The expander with the Telegram text the server sent.
MESSAGE_LABEL = "서버가 보낸 메시지 (텔레그램 본문)"


@dataclass(frozen=True)
class Todo:
    """The panel's headline: ``level`` is success/info/warning/error (a Streamlit box)."""

    level: str
    text: str


def _active(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in plan.get("orders") or [] if int(o.get("shares") or 0) > 0]


def next_rebalance(bundle: dict[str, Any] | None, cal: KrxCalendar) -> dt.date | None:
    until = (bundle or {}).get("valid_until")
    return next_rebalance_session(dt.date.fromisoformat(until), cal) if until else None


def todo(
    plan: dict[str, Any] | None,
    bundle: dict[str, Any] | None,
    today: dt.date,
    due: dt.date | None,
    cal: KrxCalendar,
) -> Todo:
    """What to do today, in one sentence, from the server's plan (as pulled) and the bundle."""
    if plan is None or plan.get("asof") != today.isoformat():
        last = f"마지막 계획은 {plan.get('asof')}" if plan else "받은 계획이 없습니다"
        if due == today:
            return Todo(
                "warning",
                f"오늘({day_ko(today)}) 서버 계획을 아직 받지 못했습니다({last}). "
                f"아래 '{SYNC_FORM}'에서 PULL 하세요; 그래도 없으면 서버 실행을 확인하세요.",
            )
        return Todo("info", f"오늘은 아직 서버가 실행되기 전이거나 휴장일입니다({last}).")
    if plan.get("status") == "BLOCKED":
        adv = reason_advice(str(plan.get("block_reason")))
        return Todo("error", f"오늘은 주문 없음 — 차단: {adv.what} 할 일: {adv.todo}")
    active = _active(plan)
    if not active:
        nxt = next_rebalance(bundle, cal)
        return Todo(
            "success",
            f"보유 유지 — 주문 없음; 다음 리밸런싱 {day_ko(nxt) if nxt else '미정'}",
        )
    if plan.get("gate") != "REAL_ENABLED":
        return Todo(
            "info",
            f"주문 {len(active)}건 (참고용 — 실행 게이트가 {plan.get('gate')}라 실제로 주문하지 "
            f"마세요; 계획 {plan.get('plan_id')}). 확인만 기록하려면 아래 "
            f"'{TICKET_FORM}'에서 '확인만'을 고르세요.",
        )
    return Todo(
        "warning",
        f"주문 {len(active)}건: HTS/MTS에서 아래대로 주문한 뒤, 체결을 아래 "
        f"'{TICKET_FORM}'에 적고 커밋·푸시하세요 (계획 {plan.get('plan_id')}).",
    )


def orders_table(plan: dict[str, Any] | None, names: dict[str, str]) -> pd.DataFrame:
    """Today's orders in the page's words: 종목, 이름, 구분, 수량, 기준가, 금액."""
    cols = ["종목", "이름", "구분", "수량(주)", "기준가(원)", "금액(원)"]
    rows = [
        {
            "종목": o["ticker"],
            "이름": names.get(o["ticker"], ""),
            "구분": SIDE_KO.get(OrderSide(o["side"]), o["side"]),
            "수량(주)": f"{int(o['shares']):,}",
            "기준가(원)": f"{int(o['price_krw']):,}",
            "금액(원)": f"{int(o['notional_krw']):,}",
        }
        for o in _active(plan or {})
    ]
    return pd.DataFrame(rows, columns=cols)


def names_of(bundle: dict[str, Any] | None) -> dict[str, str]:
    return {s["ticker"]: s.get("name", "") for s in (bundle or {}).get("signals") or []}


@dataclass(frozen=True)
class ServerRun:
    """The server's last run as the page says it."""

    level: str
    text: str
    age: ServerRunAge


def last_run(
    scheduler: dict[str, Any] | None,
    receipt: dict[str, Any] | None,
    now: dt.datetime,
    cal: KrxCalendar,
) -> ServerRun:
    """The last run (scheduler record, else the live-cycle receipt), its age and lateness."""
    src = scheduler or receipt
    asof = (src or {}).get("asof")
    last = dt.date.fromisoformat(asof) if asof else None
    age = server_run_age(last, now.astimezone(SEOUL), cal)
    if src is None:
        return ServerRun("info", "서버 실행 기록이 아직 없습니다 (첫 실행 전).", age)
    at_raw = src.get("finished_at") or src.get("generated_at")
    at = dt.datetime.fromisoformat(at_raw) if isinstance(at_raw, str) else None
    when = when_ko(at) if at else str(asof)
    hours = f", {views.age(at, now)}" if at else ""
    code = src.get("exit_code")
    result = {0: "정상", 2: "안전 차단(2)", 3: "장애(3)"}.get(int(code or 0), str(code))
    text = f"서버의 마지막 실행: {when}{hours} — 결과 {result}"
    if age.late:
        missed = f"그 뒤 예정된 실행 {age.sessions_missed}회의 기록이 없습니다"
        return ServerRun(
            "error",
            f"{text}. 1 거래일보다 오래되었습니다: {missed}. 서버 타이머와 로그를 확인하세요.",
            age,
        )
    return ServerRun("error" if code == 3 else "success", text, age)


def risks_table(summary: dict[str, Any] | None) -> pd.DataFrame:
    """Each risk in words with the one thing to do (``pipeline.core.risk_advice``)."""
    rows = []
    for r in (summary or {}).get("top_risks") or []:
        adv = risk_advice(str(r.get("code")))
        rows.append(
            {
                "심각도": r.get("severity"),
                "위험": adv.what,
                "할 일": adv.todo,
                "코드": r.get("code"),
            }
        )
    return pd.DataFrame(rows, columns=["심각도", "위험", "할 일", "코드"])


@dataclass(frozen=True)
class Step:
    done: bool
    title: str
    how: str


def first_run_steps(
    has_bundle: bool,
    has_portfolio: bool,
    pushed: bool | None,
    has_server_run: bool,
    has_drill: bool,
) -> list[Step]:
    """The first-run guide: what to do first, in order, with what is already done."""
    return [
        Step(
            has_bundle,
            "PC 파이프라인 실행",
            "터미널에서 make run: 시세 → 백테스트 → 전략 번들 → 보고서를 만듭니다.",
        ),
        Step(
            has_portfolio,
            "기준 포트폴리오 입력",
            f"아래 '{PORTFOLIO_FORM}' 양식에 증권사 잔고(현금·보유 종목)를 적고 커밋하세요.",
        ),
        Step(
            bool(pushed),
            "커밋 푸시",
            f"아래 '{SYNC_FORM}'에서 PUSH: 서버는 푸시된 커밋만 봅니다.",
        ),
        Step(
            has_drill,
            "드릴(모의 서버 실행)",
            "터미널에서 krx drill: 서버의 하루를 안전한 사본에서 미리 돌려 봅니다.",
        ),
        Step(
            has_server_run,
            "서버 첫 실행",
            "서버에 설치하면(docs/server.md) 매 거래일 09:05 KST에 실행되고, "
            "그 결과를 PULL 하면 여기 '오늘'에 주문이 보입니다.",
        ),
    ]
