"""Operator writes and reads, one function per action, for the CLI and the cockpit alike.

Each write validates first and raises ``OperatorError`` (nothing written) on bad input, so a
change made in the cockpit is recorded exactly as ``krx safety|portfolio|ticket|sweep`` records
it. The reads (unpushed commits, who changed ``params.yaml`` when and why, the operator's action
log) are git queries the page shows as they are. Messages never quote a command-line flag.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline import registry
from pipeline.artifacts.envelope import Envelope
from pipeline.artifacts.live import LedgerEntry, OrderPlanV1, PlanLedgerV1
from pipeline.artifacts.portfolio import Holding, PortfolioV1
from pipeline.artifacts.safety import EmergencyStopV1, ExecutionGateV1, RealSenderV1
from pipeline.artifacts.sweep import Candidate, SweepLeaderboardV1
from pipeline.artifacts.tickets import Fill, TicketV1
from pipeline.core import tickets
from pipeline.core.promotion import (
    changes_for,
    check_promotable,
    commit_message,
    find_candidate,
)
from pipeline.enums import (
    ExecutionGate,
    OrderSide,
    Owner,
    SafetyFileState,
    TicketKind,
    TicketStatus,
)
from pipeline.errors import KrxError, OperatorError
from pipeline.io.atomic import write_bytes_atomic
from pipeline.io.context import now_seoul, producer, requested_asof
from pipeline.io.gitcli import git, run_git
from pipeline.io.jsonio import read_artifact, write_artifact
from pipeline.io.params_edit import set_strategy_values
from pipeline.io.safety import read_safety_file
from pipeline.io.server_state import (
    book_after,
    load_holdings,
    read_valid,
    require_role,
    ticket_results,
)
from pipeline.krx_calendar import load_calendar
from pipeline.params import PARAMS_FILE, Params, load_params, parse_params
from pipeline.sweep_run import sweep_params_sha256

ON_OFF = {"on": True, "off": False}
FILL_RE = re.compile(
    r"^(?P<ticker>[0-9A-Z]{6}):(?P<side>BUY|SELL):(?P<shares>[0-9]+):(?P<price>[0-9]+)"
    r"(?::(?P<fee>[0-9]+))?(?:@(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}))?$"
)
BOARD = registry.get("sweep_leaderboard")

# ------------------------------------------------------------------------------ writes


#: CLI action -> registered safety file.
SWITCHES = {"set-gate": "execution_gate", "set-sender": "real_sender", "set-stop": "emergency_stop"}


def write_switch(root: Path, name: str, value: str, by: str, reason: str) -> Path:
    """Validate and write one safety file (``value``: a gate name, or on/off); its path.

    OperatorError (nothing written) on an unknown value or an empty ``by``/``reason``. The CLI
    and the cockpit both call this, so a switch is always recorded the same way.
    """
    action = next((a for a, n in SWITCHES.items() if n == name), None)
    if action is None:
        raise OperatorError(f"{name!r} is not a safety file: one of {', '.join(SWITCHES.values())}")
    require_role(Owner.PC, f"krx safety {action}")
    if not by.strip():
        raise OperatorError("who makes the change is required (operator name)")
    if not reason.strip():
        raise OperatorError("a reason is required")
    allowed = [g.value for g in ExecutionGate] if name == "execution_gate" else list(ON_OFF)
    if value not in allowed:
        raise OperatorError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
    common = {
        "asof": requested_asof(None),
        "generated_at": now_seoul(),
        "producer": producer(f"safety {action}", root),
        "changed_by": by.strip(),
        "reason": reason.strip(),
    }
    model: Envelope
    try:
        if name == "execution_gate":
            model = ExecutionGateV1(**common, gate=ExecutionGate(value))
        elif name == "real_sender":
            model = RealSenderV1(**common, enabled=ON_OFF[value])
        else:
            model = EmergencyStopV1(**common, enabled=ON_OFF[value])
    except ValueError as err:  # pydantic's ValidationError is a ValueError (e.g. too long)
        raise OperatorError(f"invalid {name}: {err}") from None
    return write_artifact(root, registry.get(name), model)


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


def _plan(root: Path, plan_id: str) -> LedgerEntry | dt.date:
    ledger = read_valid(root, "plan_ledger", PlanLedgerV1)
    for entry in ledger.entries if ledger else ():
        if entry.plan_id == plan_id:
            return entry
    plan = read_valid(root, "order_plan", OrderPlanV1)
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


@dataclass(frozen=True)
class Promoted:
    """A promoted candidate and the commit that changed ``params.yaml``."""

    candidate: Candidate
    commit: str


def promote(root: Path, ref: str) -> Promoted:
    """Commit a leaderboard candidate's values to ``params.yaml`` through the guard.

    OperatorError on a bad reference, stale leaderboard or uncommitted inputs; SafetyBlock when
    the candidate fails the out-of-sample guard (nothing written, nothing committed).
    """
    require_role(Owner.PC, "krx sweep promote")
    dirty = git(root, "status", "--porcelain", "--", BOARD.path, PARAMS_FILE).strip()
    if dirty:
        raise OperatorError(
            f"commit {BOARD.path} and {PARAMS_FILE} first (uncommitted: {dirty.splitlines()})"
        )
    board = read_artifact(root, BOARD, SweepLeaderboardV1)
    params = load_params(root)
    cand = find_candidate(board, ref)
    changes = changes_for(cand, params.strategy)
    check_promotable(board, cand, sweep_params_sha256(params), changes)
    path = root / PARAMS_FILE
    text = set_strategy_values(path.read_text(encoding="utf-8"), {c.key: c.new for c in changes})
    new = parse_params_text(text)
    if new.model_dump(exclude={"strategy"}) != params.model_dump(exclude={"strategy"}):
        raise OperatorError("internal: promotion would change more than the strategy section")
    if changes_for(cand, new.strategy):
        raise OperatorError("internal: params.yaml does not read back as the candidate's values")
    head = git(root, "rev-parse", "HEAD").strip()
    message = commit_message(board, cand, changes, BOARD.path, head)
    write_bytes_atomic(path, text.encode("utf-8"))
    git(root, "add", "--", PARAMS_FILE)
    git(root, "commit", "-q", "-F", "-", "--", PARAMS_FILE, input_text=message)
    return Promoted(cand, git(root, "rev-parse", "HEAD").strip())


def parse_params_text(text: str) -> Params:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise OperatorError(f"internal: edited params.yaml is not YAML: {err}") from None
    return parse_params(raw)


# ---------------------------------------------------------------------------------- git

#: Seconds a push may take before the action gives up and says so.
PUSH_TIMEOUT_S = 60.0
#: The artifacts only the operator writes (the action log is their history + params.yaml).
OPERATOR_ARTIFACTS = ("execution_gate", "real_sender", "emergency_stop", "portfolio", "ticket")


@dataclass(frozen=True)
class LogEntry:
    """One commit: who, when, what subject, and which paths it touched."""

    commit: str
    author: str
    at: dt.datetime
    subject: str
    body: str = ""


@dataclass(frozen=True)
class PushResult:
    ok: bool
    output: str


def commit_paths(root: Path, paths: Sequence[str], message: str) -> str:
    """Commit only ``paths`` (other staged or dirty files are left alone); the new HEAD."""
    git(root, "add", "--", *paths)
    git(root, "commit", "-q", "-F", "-", "--only", "--", *paths, input_text=message)
    return git(root, "rev-parse", "HEAD").strip()


def push(root: Path, timeout: float = PUSH_TIMEOUT_S) -> PushResult:
    """``git push`` that never waits for a password and gives up after ``timeout``."""
    env = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_SSH_COMMAND": os.environ.get(
            "GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o ConnectTimeout=10"
        ),
    }
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "push"],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return PushResult(False, f"timed out after {timeout:.0f} s (remote unreachable?)")
    except OSError as err:
        return PushResult(False, str(err))
    out = "\n".join(s.strip() for s in (proc.stdout, proc.stderr) if s.strip())
    return PushResult(proc.returncode == 0, out or "(no output)")


def upstream(root: Path) -> str | None:
    """The branch's upstream (``origin/main``), or None when it has none."""
    code, out, _ = run_git(
        root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}", timeout=10
    )
    return out.strip() if code == 0 and out.strip() else None


def unpushed(root: Path, limit: int = 50) -> list[LogEntry] | None:
    """Local commits the upstream does not have, newest first (None: no upstream to compare)."""
    up = upstream(root)
    if up is None:
        return None
    return log(root, f"{up}..HEAD", limit=limit)


_SEP = "\x1f"
_END = "\x1e"


def log(root: Path, rev: str = "HEAD", *paths: str, limit: int = 50) -> list[LogEntry]:
    """``git log`` of ``rev`` (restricted to ``paths``), newest first; [] without commits."""
    fmt = _SEP.join(["%H", "%an", "%aI", "%s", "%b"]) + _END
    args = ["log", f"-n{limit}", f"--format={fmt}", rev]
    code, out, _ = run_git(root, *args, "--", *paths, timeout=30)
    if code != 0:
        return []
    entries = []
    for rec in out.split(_END):
        parts = rec.strip("\n").split(_SEP)
        if len(parts) != 5:
            continue
        sha, author, at, subject, body = parts
        entries.append(LogEntry(sha, author, dt.datetime.fromisoformat(at), subject, body.strip()))
    return entries


def params_history(root: Path, limit: int = 30) -> list[LogEntry]:
    """Who changed ``params.yaml``, when and why (the commit message), newest first."""
    return log(root, "HEAD", PARAMS_FILE, limit=limit)


def operator_log(root: Path, limit: int = 50) -> list[LogEntry]:
    """The operator's actions: commits touching operator-owned files or ``params.yaml``."""
    paths = [registry.get(n).glob.replace("**/*", "") for n in OPERATOR_ARTIFACTS]
    return log(root, "HEAD", *paths, PARAMS_FILE, limit=limit)


# ----------------------------------------------------------------------- emergency stop


@dataclass(frozen=True)
class StopOutcome:
    """The emergency-stop action: the commit, and whether the push reached the remote."""

    commit: str
    pushed: bool
    push_output: str


def emergency_stop(
    root: Path, on: bool, by: str, reason: str, timeout: float = PUSH_TIMEOUT_S
) -> StopOutcome:
    """Turn the emergency stop on (or off), commit that one file and push: one action.

    OperatorError (nothing written or committed) on a missing name or reason, or when the stop
    is already in that state. A failed push keeps the commit (push again later).
    """
    value = "on" if on else "off"
    current = emergency_stop_state(root)
    if current == value:
        raise OperatorError(f"the emergency stop is already {value}")
    path = write_switch(root, "emergency_stop", value, by, reason)
    rel = path.relative_to(root).as_posix()
    subject = f"operator(stop): {current} -> {value} by {by.strip()}: {_one_line(reason)}"
    body = f"artifact: emergency_stop\npath: {rel}\nby: {by.strip()}\nreason: {reason.strip()}\n"
    try:
        sha = commit_paths(root, [rel], subject + "\n\n" + body)
    except KrxError:
        restore(root, rel)
        raise
    result = push(root, timeout)
    return StopOutcome(sha, result.ok, result.output)


def emergency_stop_state(root: Path) -> str:
    """``on``, ``off``, ``MISSING`` (the server reads: not stopped) or ``CORRUPT`` (stopped)."""
    state, doc = read_safety_file(root, "emergency_stop", EmergencyStopV1)
    if state is not SafetyFileState.OK or not isinstance(doc, EmergencyStopV1):
        return state.value
    return "on" if doc.enabled else "off"


def restore(root: Path, rel: str) -> None:
    """Put ``rel`` back as committed at HEAD (or remove it if it never was)."""
    try:
        git(root, "reset", "-q", "--", rel)
        git(root, "checkout", "-q", "HEAD", "--", rel)
    except KrxError:  # a file never committed: remove the new one
        (root / rel).unlink(missing_ok=True)


def _one_line(text: str, width: int = 60) -> str:
    first = " ".join(text.split())
    return first if len(first) <= width else first[: width - 1] + "…"
