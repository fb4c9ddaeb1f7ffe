"""pykrx and FinanceDataReader adapters: the real client code path on recorded-shape frames.

The library functions are the outside service; they are replaced by functions returning
frames in exactly the shape each library returns (column names read from their source),
so our adapter, its normalisation and the ingest checks run for real. No network.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import DataError, RetryableError
from pipeline.flows import clock, ingest
from pipeline.io.prices import read_prices
from tests.support.factories import small_root

DAYS = pd.DatetimeIndex(["2025-01-02", "2025-01-03"], name="날짜")


def pykrx_etf_frame(ticker: str) -> pd.DataFrame:
    """Shape of pykrx.stock.get_etf_ohlcv_by_date (NAV, 시가..기초지수, index 날짜)."""
    base = {"069500": 35000, "114800": 4000, "133690": 120000}[ticker]
    return pd.DataFrame(
        {
            "NAV": [base + 1.23, base + 51.5],
            "시가": [base, 0],  # KRX reports 0 open/high/low on a no-trade day
            "고가": [base + 100, 0],
            "저가": [base - 100, 0],
            "종가": [base + 50, base + 50],
            "거래량": [1234, 0],
            "거래대금": [43_000_000, 0],
            "기초지수": [350.12, 350.3],
        },
        index=DAYS,
    )


def test_pykrx_frames_become_bars(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pykrx import stock

    calls: list[tuple[str, str, str]] = []

    def fake(fromdate: str, todate: str, ticker: str, freq: str = "d") -> pd.DataFrame:
        calls.append((fromdate, todate, ticker))
        return pykrx_etf_frame(ticker)

    monkeypatch.setattr(stock, "get_etf_ohlcv_by_date", fake)
    root = small_root(tmp_path, source="pykrx", start="2025-01-02")
    clock.main(root, "2025-01-03")
    ingest.main(root, None)
    assert calls == [("20250102", "20250103", t) for t in ("069500", "114800", "133690")]
    bars = read_prices(root)
    kodex = bars[bars["ticker"] == "069500"].reset_index(drop=True)
    assert kodex.loc[0, ["open", "high", "low", "close", "volume"]].tolist() == [
        35000,
        35100,
        34900,
        35050,
        1234,
    ]
    # The no-trade day is stored as a flat bar at the close, not refused as a zero price.
    assert kodex.loc[1, ["open", "high", "low", "close", "volume"]].tolist() == [
        35050,
        35050,
        35050,
        35050,
        0,
    ]
    assert kodex.loc[1, "date"] == dt.date(2025, 1, 3)


def test_pykrx_failure_is_retryable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pykrx import stock

    def boom(*args: object, **kwargs: object) -> pd.DataFrame:
        raise ConnectionError("KRX is down")

    monkeypatch.setattr(stock, "get_etf_ohlcv_by_date", boom)
    root = small_root(tmp_path, source="pykrx", start="2025-01-02")
    clock.main(root, "2025-01-03")
    with pytest.raises(RetryableError, match="069500: pykrx request failed: KRX is down"):
        ingest.main(root, None)
    assert not (root / "data/prices").exists()


def test_fdr_frames_become_bars(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import FinanceDataReader as fdr  # noqa: N813 - the library's spelling

    def fake(symbol: str, start: str, end: str) -> pd.DataFrame:
        assert (start, end) == ("2025-01-02", "2025-01-03")
        return pd.DataFrame(
            {
                "Open": [100, 105],
                "High": [110, 112],
                "Low": [95, 101],
                "Close": [105, 110],
                "Volume": [10, 20],
                "Change": [0.01, 0.047],
            },
            index=pd.DatetimeIndex(["2025-01-02", "2025-01-03"], name="Date"),
        )

    monkeypatch.setattr(fdr, "DataReader", fake)
    root = small_root(tmp_path, source="fdr", start="2025-01-02")
    clock.main(root, "2025-01-03")
    ingest.main(root, None)
    assert len(read_prices(root)) == 6


def test_fdr_frame_with_wrong_columns_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import FinanceDataReader as fdr  # noqa: N813 - the library's spelling

    monkeypatch.setattr(fdr, "DataReader", lambda *a: pd.DataFrame({"Close": [1]}, index=DAYS[:1]))
    root = small_root(tmp_path, source="fdr", start="2025-01-02")
    clock.main(root, "2025-01-03")
    with pytest.raises(DataError, match=r"069500: FinanceDataReader frame lacks columns \['Open'"):
        ingest.main(root, None)
