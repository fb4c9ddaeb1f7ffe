"""The today panel's sentences (pure): orders, hold with the next rebalance, block with its
to-do, a plan not yet received; the server's last run in sessions; the first-run steps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cockpit import today_view as tv
from pipeline.core.today import SEOUL
from tests.server.factories import cal

TODAY = dt.date(2026, 11, 23)
BUNDLE = {"valid_until": "2026-11-30", "signals": [{"ticker": "069500", "name": "KODEX 200"}]}


def plan(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "asof": TODAY.isoformat(),
        "plan_id": "P-20261123-0123456789ab",
        "status": "READY",
        "block_reason": None,
        "gate": "REAL_ENABLED",
        "orders": [
            {
                "ticker": "069500",
                "side": "BUY",
                "shares": 1200,
                "price_krw": 35_000,
                "notional_krw": 42_000_000,
            },
            {
                "ticker": "102110",
                "side": "SELL",
                "shares": 0,
                "price_krw": 35_500,
                "notional_krw": 0,
            },
        ],
    }
    return {**base, **kw}


def test_orders_hold_block_and_missing_plan() -> None:
    c = cal()
    t = tv.todo(plan(), BUNDLE, TODAY, TODAY, c)
    assert t.level == "warning" and t.text.startswith("주문 1건: HTS/MTS에서")
    assert "체결 기록(티켓)" in t.text
    hold = tv.todo(plan(orders=[], status="EMPTY"), BUNDLE, TODAY, TODAY, c)
    assert hold.text == "보유 유지 — 주문 없음; 다음 리밸런싱 2026-12-01(화)"
    block = tv.todo(
        plan(status="BLOCKED", block_reason="BUNDLE_STALE", orders=[]), BUNDLE, TODAY, TODAY, c
    )
    assert block.level == "error" and "할 일: PC에서 오늘 장 마감 후" in block.text
    old = tv.todo(plan(asof="2026-11-20"), BUNDLE, TODAY, TODAY, c)
    assert "서버 계획을 아직 받지 못했습니다" in old.text and "2026-11-20" in old.text
    early = tv.todo(None, BUNDLE, TODAY, dt.date(2026, 11, 20), c)
    assert early.level == "info"


def test_orders_table_in_the_pages_words() -> None:
    frame = tv.orders_table(plan(), tv.names_of(BUNDLE))
    assert frame.to_dict("records") == [
        {
            "종목": "069500",
            "이름": "KODEX 200",
            "구분": "매수",
            "수량(주)": "1,200",
            "기준가(원)": "35,000",
            "금액(원)": "42,000,000",
        }
    ]


def test_last_run_age_in_sessions() -> None:
    c = cal()
    rec = {"asof": "2026-11-20", "finished_at": "2026-11-20T09:06:10+09:00", "exit_code": 0}
    fine = tv.last_run(rec, None, dt.datetime(2026, 11, 23, 9, 0, tzinfo=SEOUL), c)
    assert fine.level == "success" and "2026-11-20(금) 09:06 KST" in fine.text
    late = tv.last_run(rec, None, dt.datetime(2026, 11, 23, 9, 40, tzinfo=SEOUL), c)
    assert late.level == "error" and "1 거래일보다 오래되었습니다" in late.text
    never = tv.last_run(None, None, dt.datetime(2026, 11, 23, 9, 30, tzinfo=SEOUL), c)
    assert never.level == "info" and "첫 실행 전" in never.text


def test_first_run_steps_mark_what_is_done() -> None:
    steps = tv.first_run_steps(True, False, None, False, False)
    assert [s.done for s in steps] == [True, False, False, False, False]
    assert all("--" not in s.how for s in steps)  # the page's words, never a CLI flag
