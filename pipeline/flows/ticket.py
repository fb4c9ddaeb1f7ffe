"""Operator write: a ticket recording the fills of a plan, from the CLI and the cockpit."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.live import LedgerEntry, OrderPlanV2, PlanLedgerV1
from pipeline.artifacts.tickets import Fill, TicketV1
from pipeline.core import tickets
from pipeline.core.holdings import book_after
from pipeline.enums import (
    OrderSide,
    Owner,
    TicketKind,
    TicketStatus,
)
from pipeline.errors import OperatorError
from pipeline.io.context import now_seoul, producer, requested_asof
from pipeline.io.jsonio import write_artifact
from pipeline.io.server_state import (
    load_holdings,
    read_valid,
    require_role,
    ticket_results,
)
from pipeline.krx_calendar import load_calendar
from pipeline.params import load_params

FILL_RE = re.compile(
    r"^(?P<ticker>[0-9A-Z]{6}):(?P<side>BUY|SELL):(?P<shares>[0-9]+):(?P<price>[0-9]+)"
    r"(?::(?P<fee>[0-9]+))?(?:@(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}))?$"
)


def _plan(root: Path, plan_id: str) -> LedgerEntry | dt.date:
    ledger = read_valid(root, "plan_ledger", PlanLedgerV1)
    for entry in ledger.entries if ledger else ():
        if entry.plan_id == plan_id:
            return entry
    plan = read_valid(root, "order_plan", OrderPlanV2)
    if plan is not None and plan.plan_id == plan_id:
        return plan.asof
    raise OperatorError(f"plan {plan_id} not found in the pulled server state: git pull first")


def parse_fill(text: str, session: dt.date) -> Fill:
    m = FILL_RE.match(text)
    if m is None:
        raise OperatorError(f"fill {text!r}: expected TICKER:BUY|SELL:SHARES:PRICE[:FEE][@DATE]")
    return Fill(
        ticker=m["ticker"],
        side=OrderSide(m["side"]),
        shares=int(m["shares"]),
        price_krw=int(m["price"]),
        fee_krw=int(m["fee"] or 0),
        executed_on=dt.date.fromisoformat(m["date"]) if m["date"] else session,
    )


def write_ticket(
    root: Path,
    plan_id: str,
    fills: Sequence[str],
    *,
    ack: bool,
    by: str,
    note: str = "",
    ticket_id: str | None = None,
    force: bool = False,
) -> tuple[Path, TicketV1]:
    """Validate, pre-judge and write ``state/tickets/<id>.json``; its path and the ticket.

    ``fills`` use the CLI's ``TICKER:SIDE:SHARES:PRICE[:FEE][@DATE]`` form. OperatorError
    (nothing written) on a malformed ticket or one the server would surely reject (unless
    ``force``). The CLI and the cockpit both call this.
    """
    require_role(Owner.PC, "krx ticket new")
    if ack == bool(fills):
        raise OperatorError("give either an acknowledgement or at least one fill")
    if not by.strip():
        raise OperatorError("the operator name is required")
    found = _plan(root, plan_id)
    session = found.session if isinstance(found, LedgerEntry) else found
    ticket_id = ticket_id or f"T-{session:%Y%m%d}-{secrets.token_hex(3)}"
    spec = registry.get("ticket")
    try:
        rel = spec.path_for(ticket_id)
    except ValueError as err:
        raise OperatorError(str(err)) from None
    if (root / rel).exists():
        raise OperatorError(f"{rel} exists; ticket ids are never reused")
    try:
        ticket = TicketV1(
            asof=session,
            generated_at=now_seoul(),
            producer=producer("ticket new", root),
            ticket_id=ticket_id,
            kind=TicketKind.ACK if ack else TicketKind.EXECUTION,
            plan_id=plan_id,
            created_by=by.strip(),
            note=note,
            fills=tuple(parse_fill(f, session) for f in fills),
        )
    except ValueError as err:  # pydantic's ValidationError is a ValueError
        raise OperatorError(f"invalid ticket: {err}") from None
    if isinstance(found, LedgerEntry) and not force:
        _precheck(root, ticket, found)
    return write_artifact(root, spec, ticket, ticket_id), ticket


def _precheck(root: Path, ticket: TicketV1, plan: LedgerEntry) -> None:
    """Judge the ticket as the server will (same rules, pulled state); refuse a sure reject."""
    holdings = load_holdings(root)
    done = [tickets.done_of(r) for r in ticket_results(root) if r.status is TicketStatus.DONE]
    today = requested_asof(None)  # KRX_ASOF or today in Seoul
    ctx = tickets.Context(
        today,
        {plan.plan_id: plan},
        book_after(holdings, done),
        load_calendar(root),
        load_params(root).ops,
    )
    verdict = tickets.judge(ticket, ctx, done)
    if verdict.status is not TicketStatus.DONE:
        raise OperatorError(
            f"the server would answer {verdict.status} {verdict.reason}: {verdict.detail} "
            "(not written)"
        )
