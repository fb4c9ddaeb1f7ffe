"""Load what the cockpit shows: committed artifacts from the local repo or from the resolver.

Both sources answer the same ``Snapshot``: the commit it was read at and when that commit was
made (the page always shows both), one ``Doc`` per artifact and the backtest CSVs. The resolver
is optional and never trusted to be up: every request has a short timeout, and when it fails
the snapshot falls back to the local repo with ``unreachable`` saying why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError

from pipeline import registry
from pipeline.artifacts.backtest import BacktestMetricsV1
from pipeline.canonical import JsonInputError, parse_json
from pipeline.io.gitstore import GitStore
from pipeline.io.history import SCAN_LIMIT
from pipeline.io.store import Store, StoreError
from pipeline.io.validate import validate_bytes

#: Artifacts the page shows (JSON, one file each).
VIEWED = (
    "ops_summary",
    "order_plan",
    "live_cycle_receipt",
    "delivery_record",
    "plan_ledger",
    "recon_summary",
    "recon_daily",
    "backtest_metrics",
    "backtest_result",
    "strategy_bundle",
    "portfolio",
    "positions",
    "execution_gate",
    "real_sender",
    "emergency_stop",
    "scheduler_record",
    "drill_report",
    "sweep_leaderboard",
)
#: CSV series for the charts. The resolver serves no CSV rows, and they are PC-owned: always
#: read from the local repo.
TABLES = ("backtest_equity", "backtest_drawdown")
HISTORY_LIMIT = 30


@dataclass(frozen=True)
class Doc:
    """One artifact as read: ``data`` None if absent or unreadable (``problem`` says why).

    ``data`` is in the current schema version (``registry.upgrade``: a receipt written before
    a rename shows today's codes and advice); ``valid`` is about the file as stored.
    """

    name: str
    data: dict[str, Any] | None
    valid: bool | None = None
    problem: str | None = None


@dataclass(frozen=True)
class MetricsPoint:
    """Key backtest metrics of one committed version of ``backtest_metrics``."""

    commit: str
    committed_at: dt.datetime
    subject: str
    asof: str
    total_return: float
    cagr: float | None
    sharpe: float | None
    max_drawdown: float
    benchmark_total_return: float
    excess_return: float


@dataclass
class Snapshot:
    """Everything one page render needs, read at one commit."""

    source: str  # "local" or "remote"
    label: str  # the repo path or the resolver URL
    commit: str | None
    committed_at: dt.datetime | None
    branch: str | None
    docs: dict[str, Doc]
    tables: dict[str, str] = field(default_factory=dict)
    history: list[MetricsPoint] = field(default_factory=list)
    dirty: list[str] = field(default_factory=list)
    unreachable: str | None = None  # why the resolver failed; this is local data
    problem: str | None = None  # the local repo could not be read at all

    def data(self, name: str) -> dict[str, Any] | None:
        doc = self.docs.get(name)
        return doc.data if doc else None


# ---------------------------------------------------------------------------------- local


def load_local(root: Path, names: Iterable[str] = VIEWED) -> Snapshot:
    """Artifacts committed at HEAD of the repo at ``root`` (validated like ``krx validate``)."""
    try:
        store = GitStore(root)
    except StoreError as err:
        return Snapshot("local", str(root), None, None, None, {}, problem=str(err))
    head = store.head()
    docs: dict[str, Doc] = {}
    tables: dict[str, str] = {}
    history: list[MetricsPoint] = []
    committed_at = None
    if head.commit is not None:
        committed_at = store.commit_info(head.commit).committed_at
        docs = {name: _local_doc(store, head.commit, name) for name in names}
        tables = _local_tables(store, head.commit)
        history = local_history(store, head.commit)
    dirty, _ = store.dirty_paths(limit=50)
    return Snapshot(
        "local", str(root), head.commit, committed_at, head.branch, docs, tables, history, dirty
    )


def _local_doc(store: Store, commit: str, name: str) -> Doc:
    rel = registry.get(name).path
    blob = store.read(commit, rel)
    if blob is None:
        return Doc(name, None, None, f"{rel}: 커밋되지 않았습니다")
    problems = validate_bytes(blob.data, rel)
    try:
        data = parse_json(blob.data)
    except JsonInputError as err:
        return Doc(name, None, False, f"{rel}: JSON이 아닙니다 ({err})")
    if not isinstance(data, dict):
        return Doc(name, None, False, f"{rel}: JSON 객체가 아닙니다")
    problem = "; ".join(f"{p.pointer or '/'}: {p.message}" for p in problems[:3]) or None
    return Doc(name, registry.upgrade(data), not problems, problem)


def _local_tables(store: Store, commit: str) -> dict[str, str]:
    out = {}
    for name in TABLES:
        blob = store.read(commit, registry.get(name).path)
        if blob is not None:
            out[name] = blob.data.decode("utf-8", errors="replace")
    return out


def local_history(store: Store, commit: str) -> list[MetricsPoint]:
    """Key metrics of the latest committed ``backtest_metrics`` versions, newest first."""
    rel = registry.get("backtest_metrics").path
    page = store.history(rel, commit, after=None, limit=HISTORY_LIMIT, scan_limit=SCAN_LIMIT)
    out = []
    for v in page.versions:
        blob = store.read(v.commit, rel) if v.oid else None
        if blob is None:
            continue
        try:
            doc = BacktestMetricsV1.model_validate_json(blob.data)
        except ValidationError:  # ``krx validate`` and the resolver report those
            continue
        out.append(_point(v.commit, v.committed_at, v.subject, doc.model_dump(mode="json")))
    return out


def _point(commit: str, at: dt.datetime, subject: str, doc: dict[str, Any]) -> MetricsPoint:
    m = doc["metrics"]
    return MetricsPoint(
        commit=commit,
        committed_at=at,
        subject=subject,
        asof=str(doc.get("asof")),
        total_return=m["strategy"]["total_return"],
        cagr=m["strategy"]["cagr"],
        sharpe=m["strategy"]["sharpe"],
        max_drawdown=m["strategy"]["max_drawdown"],
        benchmark_total_return=m["benchmark"]["total_return"],
        excess_return=m["excess_return"],
    )


# --------------------------------------------------------------------------------- remote


class Unreachable(Exception):  # noqa: N818 - a state the page shows, not a bug
    """The resolver did not answer in time (or at all)."""


def load_remote(url: str, timeout_s: float, names: Iterable[str] = VIEWED) -> Snapshot:
    """Artifacts of the resolver's served branch; Unreachable if it does not answer."""
    base = url.rstrip("/")
    try:
        with httpx.Client(base_url=base, timeout=timeout_s, trust_env=False) as client:
            summary = _get(client, "/api/ops/summary/latest")
            docs = {"ops_summary": _remote_doc("ops_summary", summary)}
            for name in names:
                if name not in docs:
                    docs[name] = _remote_doc(name, _get(client, f"/api/artifacts/{name}"))
            history = remote_history(client)
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as err:
        raise Unreachable(f"{base}: {type(err).__name__}: {err or '응답 없음'}") from None
    at = summary.get("committed_at")
    return Snapshot(
        "remote",
        base,
        summary.get("commit"),
        dt.datetime.fromisoformat(at) if isinstance(at, str) else None,
        summary.get("ref"),
        docs,
        history=history,
    )


def _get(client: httpx.Client, path: str, **params: str) -> dict[str, Any]:
    resp = client.get(path, params=params or None)
    if resp.status_code >= 500:
        raise ValueError(f"GET {path}: HTTP {resp.status_code} 응답")
    body = resp.json()
    if not isinstance(body, dict):
        raise ValueError(f"GET {path}: 리졸버 응답 형식이 아닙니다")
    return body


def _remote_doc(name: str, env: dict[str, Any]) -> Doc:
    rows = env.get("rows") or []
    error = env.get("error") or {}
    if env.get("status") not in ("ok", "invalid") or not rows:
        return Doc(
            name, None, None, f"{error.get('code', env.get('status'))}: {error.get('message')}"
        )
    problems = env.get("validation_errors") or []
    problem = "; ".join(f"{p['pointer'] or '/'}: {p['message']}" for p in problems[:3]) or None
    return Doc(name, registry.upgrade(rows[0]), env.get("valid"), problem)


def remote_history(client: httpx.Client) -> list[MetricsPoint]:
    """Key metrics per committed version, through ``/history`` then ``?ref=<commit>``."""
    page = _get(client, "/api/artifacts/backtest_metrics/history", limit=str(HISTORY_LIMIT))
    out = []
    for row in page.get("rows") or []:
        env = _get(client, "/api/artifacts/backtest_metrics", ref=row["commit"])
        rows = env.get("rows") or []
        if env.get("status") == "ok" and rows:
            at = dt.datetime.fromisoformat(row["committed_at"])
            out.append(_point(row["commit"], at, row.get("subject", ""), rows[0]))
    return out


# -------------------------------------------------------------------------------- choose


def load(
    root: Path,
    api_url: str | None,
    timeout_s: float,
    remote: Callable[[str, float], Snapshot] = load_remote,
) -> Snapshot:
    """The resolver's view if ``api_url`` is set and answers, else the local repo's.

    Server-unreachable never hides local data: the local snapshot comes back with
    ``unreachable`` set. The backtest CSVs always come from the local repo. ``remote`` lets the
    page cache resolver answers for a few seconds.
    """
    if api_url is None:
        return load_local(root)
    try:
        snap = remote(api_url, timeout_s)
    except Unreachable as err:
        snap = load_local(root)
        snap.unreachable = str(err)
        return snap
    tables: dict[str, str] = {}
    try:
        store = GitStore(root)
        tables = _local_tables(store, store.resolve_name("HEAD"))
    except StoreError:
        pass
    return dataclasses.replace(snap, tables=tables)
