"""An artifact across commits: its history (paged) and the diff between two refs.

History walks commits from a start commit and lists those that changed the artifact's path; the
cursor ``<start>.<last examined>`` pins the start, so pages stay consistent while commits land.
The diff compares the JSON documents at two refs (``ops_api.diff``); for other kinds, or when a
side is not JSON, the only honest answer is "the blob changed" (old and new blob ids).
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from ops_api.answer import (
    Answer,
    ApiError,
    CachePolicy,
    envelope,
    error_answer,
    error_or_no_data,
    policy_for,
    render,
)
from ops_api.diff import json_diff
from ops_api.models import ErrorCode, Status
from ops_api.refs import BadRefError, Resolved, parse_ref
from pipeline.canonical import JsonInputError, parse_json
from pipeline.enums import ArtifactKind
from pipeline.io.store import AmbiguousRefError, RefNotFoundError
from pipeline.registry import ArtifactSpec

if TYPE_CHECKING:
    from ops_api.resolve import Resolver

_CURSOR_RE = re.compile(r"([0-9a-f]{40})\.([0-9a-f]{40})")


def history(
    r: Resolver, name: str, ref: str | None, key: str | None, limit: int, cursor: str | None
) -> Answer:
    """Versions of an artifact across commits, newest first, paged by an opaque cursor."""
    fields: dict[str, Any] = {"name": name, "ref": r.branch if ref is None else ref}
    try:
        spec = r.spec(name)
        rel = r.path(spec, key)
        fields["path"] = rel
        label, resolved, after = _history_start(r, ref, cursor)
        page = r.store.history(
            rel,
            resolved.commit,
            after=after,
            limit=min(limit, r.settings.history_limit_max),
            scan_limit=r.settings.history_scan_limit,
        )
    except ApiError as err:
        return error_or_no_data(err, **fields)
    except RefNotFoundError as err:
        return error_answer(ApiError(400, ErrorCode.BAD_CURSOR, str(err)), **fields)
    rows = [
        {
            "commit": v.commit,
            "blob": v.oid,
            "committed_at": v.committed_at.isoformat(),
            "subject": v.subject,
        }
        for v in page.versions
    ]
    nxt = f"{resolved.commit}.{page.resume_after}" if page.resume_after else None
    empty = not rows and after is None and nxt is None  # nothing at all, not just this page
    env = envelope(
        Status.NO_DATA if empty else Status.OK,
        rows,
        commit=resolved.commit,
        next_cursor=nxt,
        **{**fields, "ref": label},
    )
    if empty:
        env["error"] = {
            "code": ErrorCode.ARTIFACT_ABSENT.value,
            "message": f"{rel} has no versions reachable from {label}",
            "hint": None,
        }
    return render(200, env, policy_for(resolved))


def _history_start(
    r: Resolver, ref: str | None, cursor: str | None
) -> tuple[str, Resolved, str | None]:
    if cursor is None:
        label, resolved = r.resolve(ref)
        return label, resolved, None
    m = _CURSOR_RE.fullmatch(cursor)
    if m is None:
        raise ApiError(400, ErrorCode.BAD_CURSOR, "cursor must be a next_cursor value")
    try:
        start = r.refs.resolve(parse_ref(m.group(1))).commit
    except (RefNotFoundError, AmbiguousRefError, BadRefError):
        raise ApiError(400, ErrorCode.BAD_CURSOR, "cursor names an unknown commit") from None
    # A cursor pins the walk to its start commit, so paging is stable while commits land.
    return r.branch if ref is None else ref, Resolved(start, immutable=True), m.group(2)


def diff(r: Resolver, name: str, base: str, ref: str | None, key: str | None) -> Answer:
    """What changed in one artifact between ``base`` (?from=) and ``ref`` (?to=)."""
    fields: dict[str, Any] = {
        "name": name,
        "ref": r.branch if ref is None else ref,
        "base_ref": base,
    }
    try:
        spec = r.spec(name)
        rel = r.path(spec, key)
        fields["path"] = rel
        _, old_at = r.resolve(base)
        label, new_at = r.resolve(ref)
    except ApiError as err:
        return error_or_no_data(err, **fields)
    old = r.store.read(old_at.commit, rel)
    new = r.store.read(new_at.commit, rel)
    fields.update(commit=new_at.commit, base_commit=old_at.commit, ref=label)
    policy = CachePolicy.IMMUTABLE if old_at.immutable and new_at.immutable else CachePolicy.SHORT
    if old is None and new is None:
        absent = ApiError(200, ErrorCode.ARTIFACT_ABSENT, f"{rel} exists at neither ref")
        return render(200, envelope(Status.NO_DATA, error=absent, **fields), policy)
    if old is not None and new is not None and old.oid == new.oid:
        changes: list[dict[str, Any]] = []  # same blob: nothing to compare
        truncated = False
    else:
        changes, truncated = _changes(r, spec, old.data if old else None, new.data if new else None)
    env = envelope(Status.OK, changes, truncated=truncated, **fields)
    return render(200, env, policy)


def _changes(
    r: Resolver, spec: ArtifactSpec, old: bytes | None, new: bytes | None
) -> tuple[list[dict[str, Any]], bool]:
    if spec.kind is ArtifactKind.JSON:
        try:
            a = parse_json(old) if old is not None else None
            b = parse_json(new) if new is not None else None
        except JsonInputError:
            pass
        else:
            return json_diff(a, b, limit=r.settings.diff_limit)
    # Not JSON (or unreadable): the only honest diff is "the bytes changed".
    return [{"op": "replace", "pointer": "", "old": _oid(old), "new": _oid(new)}], False


def _oid(data: bytes | None) -> str | None:
    if data is None:
        return None
    return hashlib.sha1(b"blob %d\x00" % len(data) + data, usedforsecurity=False).hexdigest()
