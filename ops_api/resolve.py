"""The resolver's logic, without HTTP: name + ref -> commit -> blob -> envelope bytes.

Everything here takes a ``Store`` and returns an ``Answer`` (status code, body bytes, ETag, cache
policy), so it is tested without a server. Names come only from ``pipeline.registry``; paths only
from a registered spec (plus a validated collection key); refs only through ``ops_api.refs``.

Rendered artifact answers are cached by (commit, path, ref text): a commit never changes, so a
cached answer is never stale, and "latest" costs one ref read plus a dict lookup.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ops_api import versions
from ops_api.answer import (
    Answer,
    ApiError,
    CachePolicy,
    envelope,
    error_answer,
    error_or_no_data,
    policy_for,
    render,
    write_hint,
)
from ops_api.health import health_row
from ops_api.models import ErrorCode, Status
from ops_api.refs import BadRefError, ParsedRef, RefResolver, Resolved, parse_ref
from ops_api.settings import Settings
from pipeline import registry
from pipeline.canonical import JsonInputError, parse_json
from pipeline.core.lru import LRU
from pipeline.enums import ArtifactKind
from pipeline.io.store import AmbiguousRefError, RefNotFoundError, Store, safe_relpath
from pipeline.io.validate import Problem, validate_bytes
from pipeline.registry import ArtifactSpec


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
            return error_or_no_data(err, **fields)
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
            return error_or_no_data(err, name=name, ref=self.branch if ref is None else ref)
        return self.artifact(name, ref)

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
                hint=write_hint(spec),
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
                data = parse_json(blob.data)
            except JsonInputError:
                data = None  # served as INVALID with no rows (its validation errors say why)
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
            try:
                hit = validate_bytes(data, rel)
            except Exception as err:  # a validator bug must not hide the artifact: fail closed
                hit = [Problem(rel, "", f"validator failed: {type(err).__name__}: {err}")]
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
            return error_or_no_data(err, name=name, ref=self.branch if ref is None else ref)
        directory = spec.path.split("{key}")[0].rsplit("/", 1)[0]
        files = self.store.list_files(resolved.commit, directory, limit=10_000)
        rows = [{"key": k, "path": p} for p in files if (k := spec.key_of(p)) is not None]
        env = envelope(
            Status.OK, rows, name=name, ref=label, path=spec.path, commit=resolved.commit
        )
        return render(200, env, policy_for(resolved))

    def history(
        self, name: str, ref: str | None, key: str | None, limit: int, cursor: str | None
    ) -> Answer:
        """Versions of an artifact across commits, newest first (see ``ops_api.versions``)."""
        return versions.history(self, name, ref, key, limit, cursor)

    def diff(self, name: str, base: str, ref: str | None, key: str | None) -> Answer:
        """Changes of one artifact from ``base`` to ``ref`` (see ``ops_api.versions``)."""
        return versions.diff(self, name, base, ref, key)

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
