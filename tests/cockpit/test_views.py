"""Pure shaping for the cockpit page (no Streamlit, no git): parsing forms, ages, frames."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cockpit.actions import FillRow
from cockpit.views import (
    age,
    badge,
    fills_text,
    holdings_text,
    on_off,
    orders_frame,
    parse_fills,
    parse_holdings,
    regime_spans,
    repo_label,
    series_frame,
)

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (dt.timedelta(seconds=5), "5초 전"),
        (dt.timedelta(minutes=42), "42분 전"),
        (dt.timedelta(hours=3, minutes=20), "3시간 20분 전"),
        (dt.timedelta(days=5), "5일 전"),
        (dt.timedelta(minutes=-5), "미래 시각 (시계 차이?)"),
    ],
)
def test_age(delta: dt.timedelta, text: str) -> None:
    assert age(NOW - delta, NOW) == text


def test_age_unknown_and_badges() -> None:
    assert age(None, NOW) == "시각 모름"
    assert badge("OK") == ":green-badge[OK]"
    assert badge("STOPPED") == ":red-badge[STOPPED]"
    assert badge(None) == ":gray-badge[데이터 없음]"
    assert badge("SOMETHING_NEW") == ":gray-badge[SOMETHING_NEW]"
    assert on_off(True, alarm=True) == ":red-badge[켜짐]"
    assert on_off(False, alarm=True) == ":green-badge[꺼짐]"
    assert on_off(None, alarm=False) == ":gray-badge[?]"


def test_holdings_round_trip_and_errors() -> None:
    portfolio = {"holdings": [{"ticker": "069500", "shares": 10, "avg_price_krw": 35_000}]}
    text = holdings_text(portfolio)
    assert text == "069500 10 35000"
    rows, errors = parse_holdings(text + "\n\n132030, 3, 15000\nbad line\n102110 x 1")
    assert rows == [("069500", 10, 35_000), ("132030", 3, 15_000)]
    assert [e.split(" ")[0] for e in errors] == ["4번째", "5번째"]
    assert all("`종목코드 수량 평균단가` 형식이어야 합니다" in e for e in errors)


def test_fills_prefilled_from_the_plan() -> None:
    plan = {
        "orders": [
            {"ticker": "102110", "side": "SELL", "shares": 20, "price_krw": 35_500},
            {"ticker": "069500", "side": "BUY", "shares": 0, "price_krw": 35_000},
        ]
    }
    text = fills_text(plan)
    assert text == "102110 SELL 20 35500 0"  # zero-share lines are not fills
    rows, errors = parse_fills(text + "\n069500 buy 3 35000\n069500 HOLD 1 1")
    assert rows == [FillRow("102110", "SELL", 20, 35_500, 0), FillRow("069500", "BUY", 3, 35_000)]
    assert len(errors) == 1 and errors[0].startswith("3번째 줄")
    assert rows[0].as_cli() == "102110:SELL:20:35500:0"


def test_frames() -> None:
    frame = series_frame("date,strategy,benchmark\n2026-11-20,1.0,2.0\n2026-11-23,1.5,2.5\n")
    assert list(frame.columns) == ["strategy", "benchmark"] and len(frame) == 2
    assert series_frame(None).empty
    result = {
        "asof": "2026-11-20",
        "regime_changes": [
            {"date": "2020-01-02", "regime": "BULL"},
            {"date": "2020-03-02", "regime": "BEAR"},
        ],
    }
    spans = regime_spans(result, None)
    assert spans.to_dict("records") == [
        {"start": dt.date(2020, 1, 2), "end": dt.date(2020, 3, 2), "regime": "BULL"},
        {"start": dt.date(2020, 3, 2), "end": dt.date(2026, 11, 20), "regime": "BEAR"},
    ]


def test_orders_frame_in_the_pages_words() -> None:
    plan = {
        "orders": [
            {
                "ticker": "102110",
                "side": "SELL",
                "shares": 20,
                "price_krw": 35_500,
                "notional_krw": 710_000,
                "target_weight": 0.0,
                "reason": "REBALANCE",
            }
        ]
    }
    frame = orders_frame(plan)
    assert list(frame.columns) == [
        "종목",
        "구분",
        "수량(주)",
        "기준가(원)",
        "금액(원)",
        "목표 비중",
        "사유",
    ]
    assert frame.iloc[0]["구분"] == "매도" and frame.iloc[0]["사유"] == "REBALANCE"  # enum kept


@pytest.mark.parametrize(
    ("repo", "label"),
    [
        ("/work/krx", "."),
        ("/work/krx/clones/pc", "clones/pc"),
        ("/home/kim", "~"),
        ("/home/kim/krx", "~/krx"),
        ("/srv/krx", "/srv/krx"),  # elsewhere: the path the operator chose
    ],
)
def test_repo_label_shows_no_machine_path_when_it_can(repo: str, label: str) -> None:
    assert repo_label(Path(repo), Path("/work/krx"), Path("/home/kim")) == label
