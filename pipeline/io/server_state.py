"""Readers and writers the server stages share: inputs with their refs, ownership, the session.

Everything here touches files; decisions stay in ``pipeline.core``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pipeline import registry
from pipeline.artifacts.envelope import Envelope, InputRef
from pipeline.artifacts.portfolio import PortfolioV1, PositionsV1
from pipeline.artifacts.tickets import TicketResultV1
from pipeline.canonical import JsonInputError, parse_json
from pipeline.core.holdings import Holdings
from pipeline.enums import Owner
from pipeline.errors import ArtifactError, OperatorError
from pipeline.io import gitref
from pipeline.io.context import Session as Session  # the as-of rule: pipeline.io.context
from pipeline.io.context import input_ref, role
from pipeline.io.context import trading_session as trading_session
from pipeline.io.jsonio import file_sha256, parse_artifact, write_artifact
from pipeline.io.validate import validate_bytes

M = TypeVar("M", bound=Envelope)


def require_role(owner: Owner, what: str) -> None:
    """Refuse to write another machine's paths (DESIGN §1: path ownership)."""
    if role() is not owner:
        hint = (
            "set KRX_ROLE=SERVER on the server"
            if owner is Owner.SERVER
            else ("run it on the PC and push; on the server use KRX_EMERGENCY_STOP=1 to stop now")
        )
        raise OperatorError(f"{what} writes {owner.value}-owned files; KRX_ROLE={role()}: {hint}")


def read_raw(root: Path, rel: str) -> bytes | None:
    try:
        return (root / rel).read_bytes()
    except FileNotFoundError:
        return None


def read_valid(root: Path, name: str, model: type[M], key: str | None = None) -> M | None:
    """A registered artifact if present and valid (shape + rules), else None."""
    rel = registry.get(name).path_for(key)
    raw = read_raw(root, rel)
    if raw is None or validate_bytes(raw, rel):
        return None
    try:
        return parse_artifact(raw, rel, model)
    except ArtifactError:
        return None


def collection(root: Path, name: str) -> list[tuple[str, Path]]:
    """(key, path) of every file of a collection artifact, sorted by key."""
    spec = registry.get(name)
    out = []
    for path in (root).glob(spec.glob):
        key = spec.key_of(path.relative_to(root).as_posix())
        if key is not None and path.is_file():
            out.append((key, path))
    return sorted(out)


def refs(root: Path, rels: list[str], commit: str | None) -> tuple[InputRef, ...]:
    """Input refs with content hashes and, where the file is committed as is, the commit."""
    return tuple(
        input_ref(root, rel, gitref.committed_at(root, rel, commit)) for rel in sorted(set(rels))
    )


def write(root: Path, name: str, model: Envelope, key: str | None = None) -> Path:
    """Validate and write a server artifact (refuses non-SERVER paths)."""
    spec = registry.get(name)
    if spec.owner is not Owner.SERVER:
        raise OperatorError(f"the server never writes {spec.path} (owner {spec.owner.value})")
    return write_artifact(root, spec, model, key)


def load_holdings(root: Path) -> Holdings:
    rel = registry.get("portfolio").path
    present = (root / rel).exists()
    portfolio = read_valid(root, "portfolio", PortfolioV1)
    positions = read_valid(root, "positions", PositionsV1)
    matches = positions is not None and positions.baseline.sha256 == file_sha256(root / rel)
    return Holdings(portfolio, present and portfolio is None, positions, matches)


def read_status_field(root: Path, rel: str, field: str) -> str | None:
    """One top-level string field of a JSON file we do not own the model of (None if absent)."""
    raw = read_raw(root, rel)
    if raw is None:
        return None
    try:
        data: Any = parse_json(raw)
    except JsonInputError:
        return "CRITICAL"  # an unreadable reconcile summary is itself critical
    value = data.get(field) if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def ticket_results(root: Path) -> list[TicketResultV1]:
    """Every valid ticket result, in processing order (asof, generated_at, id)."""
    found = [
        read_valid(root, "ticket_result", TicketResultV1, k)
        for k, _ in collection(root, "ticket_result")
    ]
    return sorted((r for r in found if r), key=lambda r: (r.asof, r.generated_at, r.ticket_id))
