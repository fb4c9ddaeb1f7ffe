"""Stage ``tickets``: one result per new ticket id, then the derived positions.

A ticket id that already has a result is skipped (reprocessing is a no-op); one bad ticket
never stops the others. Rules in ``pipeline.core.tickets``.
"""

from __future__ import annotations

from pathlib import Path

from pipeline import registry
from pipeline.artifacts.live import PlanLedgerV1
from pipeline.artifacts.tickets import TicketResultV1
from pipeline.canonical import sha256_hex
from pipeline.core import tickets as core
from pipeline.core.holdings import book_after
from pipeline.enums import Owner, TicketReason, TicketStatus
from pipeline.errors import EXIT_OK
from pipeline.flows.positions import write_positions
from pipeline.io import gitref
from pipeline.io import server_state as st
from pipeline.io.context import now_seoul, producer
from pipeline.params import load_params, params_sha256


def ticket_files(root: Path) -> list[tuple[str, str, Path]]:
    """(result key, name in the folder, path) of every ``*.json`` file under the tickets folder.

    Wider than the registry's collection on purpose: a file with a bad name still gets its
    (REJECTED BAD_FILE_NAME) result instead of being skipped or crashing the stage.
    """
    folder = root / registry.get("ticket").path.split("{key}")[0]
    out = []
    for path in folder.rglob("*.json") if folder.is_dir() else ():
        if path.is_file():
            name = path.relative_to(folder).as_posix()
            out.append((core.result_key(name)[0], name, path))
    return sorted(out)


def main(root: Path, asof: str | None) -> int:
    st.require_role(Owner.SERVER, "stage tickets")
    session = st.trading_session(root, asof)
    if session is None:
        print("tickets: not a KRX trading day; nothing written")
        return EXIT_OK
    params = load_params(root)
    holdings = st.load_holdings(root)
    ledger = st.read_valid(root, "plan_ledger", PlanLedgerV1)
    plans = {e.plan_id: e for e in ledger.entries} if ledger else {}
    results = st.ticket_results(root)
    done = [core.done_of(r) for r in results if r.status is TicketStatus.DONE]
    # Any result file, even an unreadable one, means "processed": never judged twice. An
    # unreadable result makes the positions inconsistent (its fills are unknown): fail closed.
    processed = {k for k, _ in st.collection(root, "ticket_result")}
    unreadable = sorted(processed - {r.ticket_id for r in results})
    head, new = gitref.head(root), 0
    # a declared dvc output: exists even with no tickets
    (root / registry.get("ticket_result").path.split("{key}")[0]).mkdir(parents=True, exist_ok=True)
    for key, name, path in ticket_files(root):
        if key in processed:
            continue  # exactly one result per ticket id
        raw = path.read_bytes()
        ctx = core.Context(session.day, plans, book_after(holdings, done), session.cal, params.ops)
        ticket, verdict = core.judge_file(name, raw, ctx, done)
        result = TicketResultV1(
            asof=session.day,
            generated_at=now_seoul(),
            producer=producer("tickets", root),
            params_sha256=params_sha256(params.ops),
            inputs=st.refs(root, [path.relative_to(root).as_posix()], head),
            ticket_id=key,
            ticket_sha256=sha256_hex(raw),
            kind=ticket.kind if ticket else None,
            plan_id=ticket.plan_id if ticket else None,
            status=verdict.status,
            reason=verdict.reason,
            detail=verdict.detail,
            applied_fills=ticket.fills if ticket and verdict.reason is TicketReason.APPLIED else (),
        )
        st.write(root, "ticket_result", result, key)
        results.append(result)
        done += [core.done_of(result)] if verdict.status is TicketStatus.DONE else []
        new += 1
        print(f"ticket {key}: {verdict.status} {verdict.reason}")
    problems = tuple(f"{registry.path('ticket_result', k)} is unreadable" for k in unreadable)
    write_positions(root, session.day, holdings, done, head, params_sha256(params.ops), problems)
    print(f"tickets {session.day}: {new} new result(s), {len(results)} in total")
    return EXIT_OK
