"""Write ``state/server/positions.json``: the operator baseline + fills of DONE tickets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.portfolio import PositionsV1
from pipeline.core import tickets
from pipeline.core.holdings import Holdings, book_after
from pipeline.io import gitref
from pipeline.io import server_state as st
from pipeline.io.context import input_ref, now_seoul, producer


def write_positions(
    root: Path,
    day: dt.date,
    holdings: Holdings,
    done: list[tickets.Done],
    head: str | None,
    params_sha: str,
    problems: tuple[str, ...] = (),
) -> PositionsV1 | None:
    """Derive and write positions; nothing without a valid baseline portfolio."""
    base = holdings.portfolio
    if base is None:
        return None
    book = book_after(holdings, done)
    rel = registry.get("portfolio").path
    baseline_ref = input_ref(root, rel, gitref.committed_at(root, rel, head))
    result = registry.get("ticket_result")
    result_refs = [result.path_for(d.ticket_id) for d in done if d.fills]
    positions = PositionsV1(
        asof=day,
        generated_at=now_seoul(),
        producer=producer("tickets", root),
        params_sha256=params_sha,
        inputs=(baseline_ref, *st.refs(root, result_refs, head)),
        cash_krw=book.cash_krw,
        holdings=book.as_holdings(),
        baseline=baseline_ref,
        baseline_asof=base.asof,
        applied_tickets=tuple(d.ticket_id for d in done if d.fills),
        inconsistencies=(*book.problems(), *problems),
    )
    st.write(root, "positions", positions)
    return positions
