"""Operator write: the baseline portfolio, from the CLI and the cockpit."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.portfolio import Holding, PortfolioV1
from pipeline.enums import (
    Owner,
)
from pipeline.errors import OperatorError
from pipeline.io.context import now_seoul, producer, requested_asof
from pipeline.io.jsonio import write_artifact
from pipeline.io.server_state import (
    require_role,
)
from pipeline.krx_calendar import load_calendar


def write_portfolio(
    root: Path,
    cash: int,
    holdings: Sequence[tuple[str, int, int]],
    asof: str | None,
    by: str,
    note: str,
) -> Path:
    """Validate and write ``state/portfolio.json`` from (ticker, shares, avg price KRW) rows.

    OperatorError (nothing written) if the date is not a KRX trading day, a ticker repeats or
    any field fails the schema. The CLI and the cockpit both call this.
    """
    require_role(Owner.PC, "krx portfolio set")
    day = requested_asof(asof)
    if not load_calendar(root).is_trading_day(day):
        raise OperatorError(f"{day} is not a KRX trading day: give the close it describes")
    if cash < 0:
        raise OperatorError("cash cannot be negative")
    if not by.strip():
        raise OperatorError("the operator name is required")
    tickers = [t for t, _, _ in holdings]
    if len(set(tickers)) != len(tickers):
        raise OperatorError(f"a ticker appears twice in the holdings: {sorted(tickers)}")
    try:
        model = PortfolioV1(
            asof=day,
            generated_at=now_seoul(),
            producer=producer("portfolio set", root),
            cash_krw=cash,
            holdings=tuple(
                Holding(ticker=t, shares=s, avg_price_krw=a) for t, s, a in sorted(holdings)
            ),
            updated_by=by.strip(),
            note=note,
        )
    except ValueError as err:  # pydantic's ValidationError is a ValueError
        raise OperatorError(f"invalid portfolio: {err}") from None
    return write_artifact(root, registry.get("portfolio"), model)
