import datetime as dt
from pathlib import Path

import pytest

from pipeline.errors import OperatorError
from pipeline.krx_calendar import load_calendar

D = dt.date


def test_known_krx_holidays_are_not_trading_days() -> None:
    cal = load_calendar(Path())
    assert not cal.is_trading_day(D(2024, 4, 10))  # 22nd National Assembly election
    assert not cal.is_trading_day(D(2024, 9, 17))  # Chuseok
    assert not cal.is_trading_day(D(2025, 1, 1))
    assert not cal.is_trading_day(D(2026, 11, 21))  # Saturday
    assert cal.is_trading_day(D(2026, 11, 20))


def test_trading_day_arithmetic_skips_holidays() -> None:
    cal = load_calendar(Path())
    assert cal.add(D(2024, 4, 9), 1) == D(2024, 4, 11)
    assert cal.add(D(2024, 4, 11), -1) == D(2024, 4, 9)
    assert cal.add(D(2024, 4, 10), 0) == D(2024, 4, 9)  # a holiday counts from the day before
    assert cal.count_after(D(2024, 4, 8), D(2024, 4, 12)) == 3
    assert cal.previous_or_same(D(2026, 11, 22)) == D(2026, 11, 20)
    assert cal.between(D(2024, 4, 8), D(2024, 4, 12)) == [
        D(2024, 4, 8),
        D(2024, 4, 9),
        D(2024, 4, 11),
        D(2024, 4, 12),
    ]
    assert cal.is_first_of_month(D(2026, 10, 1)) and not cal.is_first_of_month(D(2026, 10, 2))


def test_override_file_removes_an_ad_hoc_closure(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "krx_closures.yaml").write_text(
        "closures:\n  - {date: 2026-11-19, reason: 임시공휴일}\n", encoding="utf-8"
    )
    cal = load_calendar(tmp_path)
    assert not cal.is_trading_day(D(2026, 11, 19))
    assert cal.add(D(2026, 11, 20), -1) == D(2026, 11, 18)


def test_bad_override_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "krx_closures.yaml").write_text(
        "closures:\n  - {date: tomorrow}\n", encoding="utf-8"
    )
    with pytest.raises(OperatorError, match=r"krx_closures\.yaml: invalid calendar overrides"):
        load_calendar(tmp_path)


def test_index_of_a_holiday_is_refused() -> None:
    with pytest.raises(OperatorError, match="not a KRX trading day"):
        load_calendar(Path()).index(D(2024, 4, 10))
