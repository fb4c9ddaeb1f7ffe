"""The resolver's logic, without HTTP: name + ref -> commit -> blob -> envelope bytes.

Everything here takes a ``Store`` and returns an ``Answer`` (status code, body bytes, ETag, cache
policy), so it is tested without a server. Names come only from ``pipeline.registry``; paths only
from a registered spec (plus a validated collection key); refs only through ``ops_api.refs``.

Rendered artifact answers are cached by (commit, path, ref text): a commit never changes, so a
cached answer is never stale, and "latest" costs one ref read plus a dict lookup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ops_api.diff import json_diff
from ops_api.health import health_row
from ops_api.models import ErrorCode, Status
from ops_api.refs import LRU, BadRefError, ParsedRef, RefResolver, Resolved, parse_ref
from ops_api.settings import Settings
from pipeline import registry
from pipeline.enums import ArtifactKind
from pipeline.io.store import AmbiguousRefError, RefNotFoundError, Store, safe_relpath
from pipeline.registry import ArtifactSpec
from pipeline.validate import Problem, validate_bytes


class CachePolicy(Enum):
    IMMUTABLE = "public, max-age=31536000, immutable"  # the ref was a commit id
    SHORT = "public, max-age=5"  # latest / symbolic refs: may move with the next commit
    NONE = "no-store"  # errors and health


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: bytes
    etag: str
    cache: CachePolicy


class ApiError(Exception):
    """A request that cannot be answered; becomes an error envelope."""

    def __init__(
        self, status_code: int, code: ErrorCode, message: str, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.hint = hint


_CURSOR_RE = re.compile(r"([0-9a-f]{40})\.([0-9a-f]{40})")


def render(status_code: int, envelope: dict[str, Any], cache: CachePolicy) -> Answer:
    """Serialize an envelope (compact UTF-8, Korean unescaped) with a strong ETag."""
    body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    raw = body.encode("utf-8")
    etag = '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'
    return Answer(status_code, raw, etag, cache)


def envelope(
    status: Status,
    rows: list[Any] | None = None,
    *,
    error: ApiError | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """The envelope dict with every DESIGN §6 key present (models.Envelope documents it)."""
    rows = rows or []
    out: dict[str, Any] = {
        "status": status.value,
        "schema": None,
        "asof": None,
        "commit": None,
        "ref": None,
        "path": None,
        "row_count": len(rows),
        "rows": rows,
        "error": None,
        "name": None,
        "valid": None,
        "validation_errors": [],
    }
    if error is not None:
        out["error"] = {"code": error.code.value, "message": error.message, "hint": error.hint}
    out.update(fields)
    return out


def error_answer(err: ApiError, **fields: Any) -> Answer:
    return render(err.status_code, envelope(Status.ERROR, error=err, **fields), CachePolicy.NONE)


def write_hint(spec: ArtifactSpec | None, fallback: str) -> str:
    """The CLI command that writes an artifact (the API never does)."""
    return f"krx stage {spec.stage}" if spec is not None else fallback


class Resolver:
    """Answers read requests over one store and one served branch."""

    def __init__(self, store: Store, settings: Settings, branch: str) -> None:
        self.store = store
        self.settings = settings
        self.branch = branch
        self.refs = RefResolver(store)
        # "latest" reads refs/heads/<branch> directly: one ref file read, no tag lookup first.
        self._branch_ref = parse_ref(f"refs/heads/{branch}")
        self._parsed: LRU[str, ParsedRef] = LRU(settings.cache_entries)
        self._paths: LRU[tuple[ArtifactSpec, str | None], str] = LRU(settings.cache_entries)
        self._answers: LRU[tuple[str, str, str, str, bool], Answer] = LRU(settings.cache_entries)
        self._problems: LRU[tuple[str, str], list[Problem]] = LRU(settings.cache_entries)

    # ------------------------------------------------------------------ lookups

    def spec(self, name: str) -> ArtifactSpec:
        try:
            return registry.get(name)
        except KeyError:
            known = ", ".join(registry.names())
            raise ApiError(
                404, ErrorCode.UNKNOWN_ARTIFACT, f"unknown artifact {name!r}; known: {known}"
            ) from None

    def path(self, spec: ArtifactSpec, key: str | None) -> str:
        """The repo-relative path of ``spec`` (and ``key``); memoized, it is a pure function."""
        hit = self._paths.get((spec, key))
        if hit is None:
            hit = self._path(spec, key)
            self._paths.put((spec, key), hit)
        return hit

    def _path(self, spec: ArtifactSpec, key: str | None) -> str:
        if spec.is_collection and key is None:
            raise ApiError(
                400,
                ErrorCode.KEY_REQUIRED,
                f"{spec.name} is a collection ({spec.path}): pass ?key=; "
                f"list keys with GET /api/artifacts/{spec.name}/keys",
            )
        if not spec.is_collection and key is not None:
            raise ApiError(400, ErrorCode.KEY_NOT_ALLOWED, f"{spec.name} is one file: drop ?key=")
        try:
            rel = safe_relpath(spec.path_for(key))
        except ValueError as err:
            raise ApiError(400, ErrorCode.BAD_KEY, str(err)) from None
        if registry.spec_for_path(rel) is not spec:
            raise ApiError(400, ErrorCode.BAD_KEY, f"key {key!r} does not name a {spec.name} file")
        return rel

    def resolve(self, ref: str | None) -> tuple[str, Resolved]:
        """(ref label, resolution); ApiError for a bad or unknown ref."""
        label = self.branch if ref is None else ref
        try:
            parsed = self._branch_ref if ref is None else self._parse(ref)
        except BadRefError as err:
            raise ApiError(400, ErrorCode.BAD_REF, f"bad ref {label!r}: {err}") from None
        try:
            resolved = self.refs.resolve(parsed)
        except AmbiguousRefError as err:
            raise ApiError(400, ErrorCode.AMBIGUOUS_REF, f"{err}; use more hex digits") from None
        except RefNotFoundError as err:
            if ref is None:
                raise ApiError(
                    200, ErrorCode.NO_COMMITS, f"branch {self.branch!r} has no commits yet"
                ) from None
            raise ApiError(404, ErrorCode.UNKNOWN_REF, f"unknown ref {label!r}: {err}") from None
        return label, resolved

    def _parse(self, text: str) -> ParsedRef:
        hit = self._parsed.get(text)
        if hit is None:
            hit = parse_ref(text)  # pure, so successful parses are cached
            self._parsed.put(text, hit)
        return hit

    # ------------------------------------------------------------------ artifacts

    def artifact(self, name: str, ref: str | None, key: str | None = None) -> Answer:
        """One artifact at ``ref`` (None: the served branch), as an envelope."""
        fields: dict[str, Any] = {"name": name, "ref": self.branch if ref is None else ref}
        try:
            spec = self.spec(name)
            rel = self.path(spec, key)
            fields["path"] = rel
            label, resolved = self.resolve(ref)
        except ApiError as err:
            return self._error_or_no_data(err, **fields)
        cache_key = (resolved.commit, rel, label, name, resolved.immutable)
        hit = self._answers.get(cache_key)
        if hit is None:
            hit = self._render_artifact(spec, rel, label, resolved)
            self._answers.put(cache_key, hit)
        return hit

    def route_artifact(self, name: str, ref: str | None, fallback_hint: str) -> Answer:
        """A runbook route: like ``artifact`` but "not registered yet" is 200 no_data."""
        try:
            registry.get(name)
        except KeyError:
            try:
                self.resolve(ref)  # a bad or unknown ref is an error even with nothing to read
            except ApiError as bad:
                if bad.status_code != 200:
                    return error_answer(bad, name=name, ref=self.branch if ref is None else ref)
            err = ApiError(
                200,
                ErrorCode.NOT_REGISTERED,
                f"artifact {name!r} is not registered in pipeline/registry.py yet; "
                f"nothing can have been written",
                hint=fallback_hint,
            )
            return self._error_or_no_data(err, name=name, ref=self.branch if ref is None else ref)
        return self.artifact(name, ref)

    def _error_or_no_data(self, err: ApiError, **fields: Any) -> Answer:
        if err.status_code == 200:
            env = envelope(Status.NO_DATA, error=err, **fields)
            return render(200, env, CachePolicy.SHORT)
        return error_answer(err, **fields)

    def _render_artifact(
        self, spec: ArtifactSpec, rel: str, label: str, resolved: Resolved
    ) -> Answer:
        cache = CachePolicy.IMMUTABLE if resolved.immutable else CachePolicy.SHORT
        info = self.store.commit_info(resolved.commit)
        fields: dict[str, Any] = {
            "name": spec.name,
            "ref": label,
            "path": rel,
            "commit": resolved.commit,
            "committed_at": info.committed_at.isoformat(),
        }
        blob = self.store.read(resolved.commit, rel)
        if blob is None:
            err = ApiError(
                200,
                ErrorCode.ARTIFACT_ABSENT,
                f"{rel} is not committed at {label} ({resolved.commit[:12]})",
                hint=write_hint(spec, ""),
            )
            return render(200, envelope(Status.NO_DATA, error=err, **fields), cache)
        # JSON and parquet artifacts have validators; CSV/text ones have none (valid: null).
        checked = spec.kind in (ArtifactKind.JSON, ArtifactKind.PARQUET)
        problems = self._validate(blob.oid, blob.data, rel) if checked else []
        rows: list[Any] = []
        schema: str | None = spec.schema_id
        asof: str | None = None
        if spec.kind is ArtifactKind.JSON:
            try:
                data = json.loads(blob.data.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                data = None
            if isinstance(data, dict):
                rows = [data]
                schema = data.get("schema") if isinstance(data.get("schema"), str) else None
                asof = data.get("asof") if isinstance(data.get("asof"), str) else None
        status = Status.OK if not problems else Status.INVALID
        env = envelope(
            status,
            rows,
            schema=schema,
            asof=asof,
            blob=blob.oid,
            valid=not problems if checked else None,
            validation_errors=[{"pointer": p.pointer, "message": p.message} for p in problems],
            **fields,
        )
        return render(200, env, cache)

    def _validate(self, oid: str, data: bytes, rel: str) -> list[Problem]:
        hit = self._problems.get((oid, rel))
        if hit is None:
            hit = validate_bytes(data, rel)
            self._problems.put((oid, rel), hit)
        return hit

    # ------------------------------------------------------------------ keys, history, diff

    def keys(self, name: str, ref: str | None) -> Answer:
        """The keys of a collection artifact at ``ref``."""
        try:
            spec = self.spec(name)
            if not spec.is_collection:
                raise ApiError(400, ErrorCode.KEY_NOT_ALLOWED, f"{name} is one file, not keyed")
            label, resolved = self.resolve(ref)
        except ApiError as err:
            return self._error_or_no_data(err, name=name, ref=self.branch if ref is None else ref)
        directory = spec.path.split("{key}")[0].rsplit("/", 1)[0]
        files = self.store.list_files(resolved.commit, directory, limit=10_000)
        rows = [{"key": k, "path": p} for p in files if (k := spec.key_of(p)) is not None]
        env = envelope(
            Status.OK, rows, name=name, ref=label, path=spec.path, commit=resolved.commit
        )
        return render(200, env, _policy(resolved))

    def history(
        self, name: str, ref: str | None, key: str | None, limit: int, cursor: str | None
    ) -> Answer:
        """Versions of an artifact across commits, newest first, paged by an opaque cursor."""
        fields: dict[str, Any] = {"name": name, "ref": self.branch if ref is None else ref}
        try:
            spec = self.spec(name)
            rel = self.path(spec, key)
            fields["path"] = rel
            label, resolved, after = self._history_start(ref, cursor)
            page = self.store.history(
                rel,
                resolved.commit,
                after=after,
                limit=min(limit, self.settings.history_limit_max),
                scan_limit=self.settings.history_scan_limit,
            )
        except ApiError as err:
            return self._error_or_no_data(err, **fields)
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
        return render(200, env, _policy(resolved))

    def _history_start(
        self, ref: str | None, cursor: str | None
    ) -> tuple[str, Resolved, str | None]:
        if cursor is None:
            label, resolved = self.resolve(ref)
            return label, resolved, None
        m = _CURSOR_RE.fullmatch(cursor)
        if m is None:
            raise ApiError(400, ErrorCode.BAD_CURSOR, "cursor must be a next_cursor value")
        try:
            start = self.refs.resolve(parse_ref(m.group(1))).commit
        except (RefNotFoundError, AmbiguousRefError, BadRefError):
            raise ApiError(400, ErrorCode.BAD_CURSOR, "cursor names an unknown commit") from None
        # A cursor pins the walk to its start commit, so paging is stable while commits land.
        return self.branch if ref is None else ref, Resolved(start, immutable=True), m.group(2)

    def diff(self, name: str, base: str, ref: str | None, key: str | None) -> Answer:
        """What changed in one artifact between ``base`` (?from=) and ``ref`` (?to=)."""
        fields: dict[str, Any] = {
            "name": name,
            "ref": self.branch if ref is None else ref,
            "base_ref": base,
        }
        try:
            spec = self.spec(name)
            rel = self.path(spec, key)
            fields["path"] = rel
            _, old_at = self.resolve(base)
            label, new_at = self.resolve(ref)
        except ApiError as err:
            return self._error_or_no_data(err, **fields)
        old = self.store.read(old_at.commit, rel)
        new = self.store.read(new_at.commit, rel)
        fields.update(commit=new_at.commit, base_commit=old_at.commit, ref=label)
        policy = (
            CachePolicy.IMMUTABLE if old_at.immutable and new_at.immutable else CachePolicy.SHORT
        )
        if old is None and new is None:
            absent = ApiError(200, ErrorCode.ARTIFACT_ABSENT, f"{rel} exists at neither ref")
            return render(200, envelope(Status.NO_DATA, error=absent, **fields), policy)
        changes, truncated = self._changes(
            spec, old.data if old else None, new.data if new else None
        )
        if old is not None and new is not None and old.oid == new.oid:
            changes, truncated = [], False
        env = envelope(Status.OK, changes, truncated=truncated, **fields)
        return render(200, env, policy)

    def _changes(
        self, spec: ArtifactSpec, old: bytes | None, new: bytes | None
    ) -> tuple[list[dict[str, Any]], bool]:
        if spec.kind is ArtifactKind.JSON:
            try:
                a = json.loads(old) if old is not None else None
                b = json.loads(new) if new is not None else None
            except (UnicodeDecodeError, json.JSONDecodeError):
                pass
            else:
                return json_diff(a, b, limit=self.settings.diff_limit)
        # Not JSON (or unreadable): the only honest diff is "the bytes changed".
        return [{"op": "replace", "pointer": "", "old": _oid(old), "new": _oid(new)}], False

    # ------------------------------------------------------------------ health, catalog

    def health(self, now: dt.datetime) -> Answer:
        """Served branch and checkout state, stage ages, last daily_ops exit code."""
        try:
            commit: str | None = self.resolve(None)[1].commit
        except ApiError:
            commit = None
        row = health_row(self.store, self.branch, commit, now)
        env = envelope(Status.OK, [row], ref=self.branch, commit=commit)
        return render(200, env, CachePolicy.NONE)

    def catalog(self) -> Answer:
        rows = [
            {
                "name": s.name,
                "schema": s.schema_id,
                "version": s.version,
                "path": s.path,
                "collection": s.is_collection,
                "owner": s.owner.value,
                "kind": s.kind.value,
                "stage": s.stage,
                "description": s.description,
                "url": f"/api/artifacts/{s.name}",
            }
            for s in registry.ARTIFACTS
        ]
        return render(200, envelope(Status.OK, rows, ref=self.branch), CachePolicy.SHORT)


def _policy(resolved: Resolved) -> CachePolicy:
    return CachePolicy.IMMUTABLE if resolved.immutable else CachePolicy.SHORT


def _oid(data: bytes | None) -> str | None:
    if data is None:
        return None
    return hashlib.sha1(b"blob %d\x00" % len(data) + data, usedforsecurity=False).hexdigest()
