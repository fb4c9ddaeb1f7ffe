"""What the server knows of the account: the operator's baseline and the derived positions.

Pure: the readers in ``pipeline.io.server_state`` build a ``Holdings``; the live cycle, the ops
summary and the tickets flow decide from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.artifacts.portfolio import PortfolioV1, PositionsV1
from pipeline.core import tickets
from pipeline.core.ops import PortfolioView
from pipeline.enums import CycleReason


@dataclass(frozen=True)
class Holdings:
    """Portfolio baseline and derived positions as the live cycle and ops summary see them."""

    portfolio: PortfolioV1 | None
    portfolio_invalid: bool
    positions: PositionsV1 | None
    positions_matches: bool  # derived from the current baseline bytes

    def view(self) -> PortfolioView:
        problems: tuple[str, ...] = ()
        if self.positions is not None:
            problems = self.positions.inconsistencies
        if self.portfolio is not None and self.positions is None:
            problems = (*problems, "server positions missing: the tickets stage has not run")
        elif self.portfolio is not None and not self.positions_matches:
            problems = (*problems, "positions were derived from another portfolio baseline")
        return PortfolioView(
            baseline_asof=self.portfolio.asof if self.portfolio else None,
            baseline_invalid=self.portfolio_invalid,
            positions_problems=problems,
        )

    def block(self) -> CycleReason | None:
        if self.portfolio_invalid:
            return CycleReason.PORTFOLIO_INVALID
        if self.portfolio is None:
            return CycleReason.NO_PORTFOLIO
        if self.positions is None or not self.positions_matches:
            return CycleReason.POSITIONS_OUT_OF_DATE
        if self.positions.inconsistencies:
            return CycleReason.PORTFOLIO_INVALID
        return None


def book_after(holdings: Holdings, done: list[tickets.Done]) -> tickets.Book:
    """The baseline plus every fill of the DONE tickets after it (empty book without one)."""
    base = holdings.portfolio
    if base is None:
        return tickets.Book(0, {})
    start = tickets.book_of(base.cash_krw, base.holdings)
    return tickets.derive(start, base.asof, (f for d in done for f in d.fills))
