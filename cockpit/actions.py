"""Operator actions: each validates, writes one artifact and makes exactly one commit.

The writing is the CLI's own library code (the ``pipeline.flows`` safety, portfolio and ticket
flows), so a change made in the cockpit is recorded exactly as ``krx safety|portfolio|ticket``
would record it. Invalid input raises no exception to the page: the result says why, and
nothing is written or committed. If the commit itself fails, the file is put back as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cockpit.gitops import commit_paths
from pipeline import registry
from pipeline.artifacts.safety import EmergencyStopV1, ExecutionGateV1, RealSenderV1
from pipeline.core import safety as safety_rules
from pipeline.enums import SafetyFileState
from pipeline.errors import KrxError
from pipeline.flows.portfolio import write_portfolio
from pipeline.flows.safety import write_switch
from pipeline.flows.ticket import write_ticket
from pipeline.io.gitcli import git
from pipeline.io.safety import read_safety_file

#: What the operator types to turn on real execution: one rule for the CLI and the cockpit.
REAL_CONFIRMATION = safety_rules.REAL_CONFIRMATION
SWITCH_SCOPES = {"execution_gate": "gate", "real_sender": "sender", "emergency_stop": "stop"}
#: Each safety switch's name on the page (form titles, status tiles, results).
SWITCH_KO = {
    "execution_gate": "실행 게이트",
    "real_sender": "실제 발송",
    "emergency_stop": "비상 정지",
}


@dataclass(frozen=True)
class ActionResult:
    """``ok`` with the new commit, or refused with the reason (nothing committed)."""

    ok: bool
    message: str
    commit: str | None = None


@dataclass(frozen=True)
class FillRow:
    """One executed fill as the operator enters it (prices and fees in KRW)."""

    ticker: str
    side: str
    shares: int
    price_krw: int
    fee_krw: int = 0

    def as_cli(self) -> str:
        return f"{self.ticker}:{self.side}:{self.shares}:{self.price_krw}:{self.fee_krw}"


def current_switch(root: Path, name: str) -> str:
    """The file's value as text (``MISSING``/``CORRUPT`` when it cannot be read)."""
    models: dict[str, type[ExecutionGateV1 | RealSenderV1 | EmergencyStopV1]] = {
        "execution_gate": ExecutionGateV1,
        "real_sender": RealSenderV1,
        "emergency_stop": EmergencyStopV1,
    }
    model = models[name]
    state, doc = read_safety_file(root, name, model)
    if state is not SafetyFileState.OK or doc is None:
        return state.value
    if isinstance(doc, ExecutionGateV1):
        return doc.gate.value
    assert isinstance(doc, RealSenderV1 | EmergencyStopV1)
    return "on" if doc.enabled else "off"


def set_switch(
    root: Path, name: str, value: str, by: str, reason: str, confirm: str = ""
) -> ActionResult:
    """Set the execution gate, real sender or emergency stop; one ``operator(...)`` commit."""
    before = current_switch(root, name)
    if name == "execution_gate" and (
        problem := safety_rules.gate_confirmation_problem(value, confirm)
    ):
        return ActionResult(False, problem)
    if before == value:
        return ActionResult(
            False, f"{SWITCH_KO.get(name, name)}은(는) 이미 {value}입니다: 커밋할 변경이 없습니다"
        )
    scope = SWITCH_SCOPES.get(name, name)
    subject = f"operator({scope}): {before} -> {value} by {by.strip()}: {_line(reason)}"
    body = {"by": by.strip(), "reason": reason.strip(), "from": before, "to": value}
    return _commit(
        root, lambda: write_switch(root, name, value, by, reason, confirm), subject, body
    )


def set_portfolio(
    root: Path,
    cash_krw: int,
    holdings: Sequence[tuple[str, int, int]],
    asof: str,
    by: str,
    note: str,
) -> ActionResult:
    """Replace the baseline portfolio (cash + holdings at a close); one commit."""
    n = len(holdings)
    subject = (
        f"operator(portfolio): asof {asof} cash {cash_krw:,} KRW, {n} holding"
        f"{'' if n == 1 else 's'} by {by.strip()}"
    )
    body = {"by": by.strip(), "note": note.strip()}
    return _commit(
        root,
        lambda: write_portfolio(root, cash_krw, list(holdings), asof or None, by, note),
        subject,
        body,
    )


def new_ticket(
    root: Path,
    plan_id: str,
    fills: Sequence[FillRow],
    by: str,
    note: str = "",
    ack: bool = False,
) -> ActionResult:
    """Write an execution-record (or ACK) ticket for a pulled plan; one commit.

    Refused, like ``krx ticket new``, when the server would surely reject it.
    """
    what = "ACK" if ack else f"EXECUTION, {len(fills)} fill{'' if len(fills) == 1 else 's'}"

    def write() -> Path:
        cli_fills = [f.as_cli() for f in fills]
        return write_ticket(root, plan_id, cli_fills, ack=ack, by=by, note=note)[0]

    def subject(rel: str) -> str:  # the ticket id is the file name stem
        return f"operator(ticket): {Path(rel).stem} {what} for {plan_id} by {by.strip()}"

    return _commit(root, write, subject, {"by": by.strip(), "note": note.strip()})


def _line(text: str, width: int = 60) -> str:
    first = " ".join(text.split())
    return first if len(first) <= width else first[: width - 1] + "…"


def _commit(
    root: Path,
    write: Callable[[], Path],
    subject: str | Callable[[str], str],
    body: dict[str, str],
) -> ActionResult:
    """Run ``write`` (validates, writes atomically), then commit only the written file."""
    try:
        path = write()
    except KrxError as err:
        return ActionResult(False, str(err))
    rel = path.relative_to(root).as_posix()
    title = subject(rel) if callable(subject) else subject
    spec = registry.spec_for_path(rel)
    lines = [f"artifact: {spec.name if spec else rel}", f"path: {rel}"]
    lines += [f"{k}: {v}" for k, v in body.items() if v]
    message = title + "\n\n" + "\n".join(lines) + "\n"
    try:
        sha = commit_paths(root, [rel], message)
    except KrxError as err:
        _restore(root, rel)
        return ActionResult(
            False, f"커밋하지 못했습니다 ({err}); {rel}은(는) 원래대로 되돌렸습니다"
        )
    return ActionResult(True, title, sha)


def _restore(root: Path, rel: str) -> None:
    """Put ``rel`` back as committed at HEAD (or remove it if it never was)."""
    try:
        git(root, "reset", "-q", "--", rel)
        git(root, "checkout", "-q", "HEAD", "--", rel)
    except KrxError:
        (root / rel).unlink(missing_ok=True)
