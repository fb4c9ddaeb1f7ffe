"""Every committed version of an artifact, read through the injected git store."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from pipeline.artifacts.envelope import Envelope
from pipeline.canonical import JsonInputError, parse_json, sha256_hex
from pipeline.core.reconcile import Versioned
from pipeline.io.gitstore import GitStore
from pipeline.io.jsonio import to_model
from pipeline.io.store import Store, StoreError

M = TypeVar("M", bound=Envelope)

#: Upper bound of commits walked per path (a year of daily commits from two machines is ~1,000).
SCAN_LIMIT = 20_000


def open_store(root: Path) -> Store:
    return GitStore(root)


def versions(store: Store, path: str, model: type[M], start: str = "HEAD") -> list[Versioned[M]]:
    """Each committed version of ``path`` reachable from ``start``, newest first.

    A version of a legacy schema is upgraded to ``model`` (``jsonio.to_model``); one that does
    not parse as ``model`` is skipped (``krx validate`` and the resolver
    report those); deletions are skipped.
    """
    try:
        head = store.resolve_name(start)
    except StoreError:  # an unborn branch (or unknown start) has no history
        return []
    page = store.history(path, head, after=None, limit=SCAN_LIMIT, scan_limit=SCAN_LIMIT)
    out: list[Versioned[M]] = []
    for v in page.versions:
        blob = store.read(v.commit, path) if v.oid else None
        if blob is None:
            continue
        try:
            doc = to_model(parse_json(blob.data), model)
        except (ValidationError, JsonInputError):
            continue
        out.append(Versioned(v.commit, path, sha256_hex(blob.data), doc))
    return out


def collection_at(
    store: Store, directory: str, model: type[M], start: str = "HEAD", limit: int = 10_000
) -> list[Versioned[M]]:
    """Every parseable ``*.json`` under ``directory`` at ``start``."""
    try:
        head = store.resolve_name(start)
    except StoreError:
        return []
    out: list[Versioned[M]] = []
    for path in store.list_files(head, directory, limit):
        blob = store.read(head, path) if path.endswith(".json") else None
        if blob is None:
            continue
        try:
            out.append(
                Versioned(head, path, sha256_hex(blob.data), to_model(parse_json(blob.data), model))
            )
        except (ValidationError, JsonInputError):
            continue
    return out
