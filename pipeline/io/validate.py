"""Validate artifacts: shape (JSON Schema 2020-12), then model rules, then cross-field checks.

Every error is reported with its file and JSON pointer; nothing stops at the first one.

Speed (issue 16): ``validate --all`` runs on every ``make run``. One validator is built per
schema, and files that validated clean are remembered by content hash in a cache under
``.dvc/tmp/`` (git-ignored), keyed by ``pipeline.fingerprint.code_fingerprint`` (the
``pipeline`` sources, the project's config and the validating libraries): a change of code,
config or library discards the whole cache. Only clean files are cached; a bad file is
validated, and reported, every time. Heavy imports (pydantic, jsonschema, the registry's
models, pandas/fastparquet) happen only when some file has to be validated.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.core.lru import LRU
from pipeline.fingerprint import code_fingerprint

if TYPE_CHECKING:
    from collections.abc import Iterable

    from jsonschema import Draft202012Validator

    from pipeline.registry import ArtifactSpec

#: The cache file, relative to the repository root (inside DVC's git-ignored tmp folder).
CACHE_REL = ".dvc/tmp/krx-validate-cache.json"


@dataclass(frozen=True)
class Problem:
    file: str
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}#{self.pointer}: {self.message}"


def _pointer(parts: Any) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def validate_document(data: Any, rel: str) -> list[Problem]:
    """All problems of one parsed JSON document stored at repo-relative ``rel``."""
    from pydantic import ValidationError

    from pipeline import registry
    from pipeline.core.checks import run_checks

    if not isinstance(data, dict) or not isinstance(data.get("schema"), str):
        return [Problem(rel, "/schema", "missing 'schema' field: not an artifact envelope")]
    spec = registry.by_schema_id(data["schema"])
    if spec is None or spec.model is None:
        return [Problem(rel, "/schema", f"unknown schema {data['schema']!r}")]
    at_path = registry.spec_for_path(rel)
    if at_path is not None and at_path.name != spec.name:
        return [Problem(rel, "/schema", f"{rel} holds '{at_path.name}', not '{spec.name}'")]
    validator = _validator(spec)
    shape = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    problems = [Problem(rel, _pointer(e.absolute_path), e.message) for e in shape]
    if problems:
        return problems
    try:
        doc = spec.model.model_validate(data)
    except ValidationError as err:
        return [Problem(rel, _pointer(e["loc"]), e["msg"]) for e in err.errors()]
    current = registry.upgrade(data)
    if current is not data:  # a legacy version: the cross-field rules are the current version's
        new = registry.by_schema_id(current["schema"])
        assert new is not None and new.model is not None
        try:
            doc = new.model.model_validate(current)
        except ValidationError as err:
            return [
                Problem(rel, _pointer(e["loc"]), f"does not upgrade to {new.schema_id}: {e['msg']}")
                for e in err.errors()
            ]
    return [Problem(rel, ptr, msg) for ptr, msg in run_checks(doc)]


@functools.cache
def _validator_by_id(schema_id: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    from pipeline import registry
    from pipeline.schemas import json_schema

    spec = registry.by_schema_id(schema_id)
    assert spec is not None
    return Draft202012Validator(
        json_schema(spec), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def prepare_validators(schema_ids: Iterable[str]) -> None:
    """Build these schemas' validators now, for a caller with idle time before it validates
    (the daily run while DVC runs the stages); later validations find them built."""
    from pipeline.core.checks import run_checks  # noqa: F401 - imported now for its cost

    for schema_id in schema_ids:
        _validator_by_id(schema_id)


def _validator(spec: ArtifactSpec) -> Draft202012Validator:
    """One validator per schema, built on first use (building one costs more than using it)."""
    return _validator_by_id(spec.schema_id)


#: Answers of ``validate_bytes`` in this process by (path, content hash, registry), most recent
#: last: a daily run reads the same bundle, positions and tickets in several steps, and the answer
#: depends on nothing else (the registry's identity: a test may swap in one with extra artifacts).
_ANSWERS: LRU[tuple[str, str, int], tuple[Problem, ...]] = LRU(256)


def validate_bytes(raw: bytes, rel: str) -> list[Problem]:
    """Validate a file's bytes (JSON artifacts by their envelope, parquet by its schema)."""
    from pipeline import registry

    key = (rel, hashlib.sha256(raw).hexdigest(), id(registry.ARTIFACTS))
    known = _ANSWERS.get(key)
    if known is not None:
        return list(known)
    problems = _validate_bytes(raw, rel)
    _ANSWERS.put(key, tuple(problems))
    return problems


def _validate_bytes(raw: bytes, rel: str) -> list[Problem]:
    from pipeline import registry
    from pipeline.enums import ArtifactKind

    spec = registry.spec_for_path(rel)
    if spec is not None and spec.kind is ArtifactKind.PARQUET:
        from pipeline.io.parquet import validate_parquet_bytes

        return [Problem(rel, "", msg) for msg in validate_parquet_bytes(spec, raw)]
    from pipeline.canonical import JsonInputError, parse_json

    try:
        data = parse_json(raw)  # the one sane-JSON rule: NaN, Infinity, deep nesting are bad
    except JsonInputError as err:
        return [Problem(rel, "", str(err))]
    return validate_document(data, rel)


def validate_file(root: Path, rel: str) -> list[Problem]:
    try:
        raw = (root / rel).read_bytes()
    except OSError as err:
        return [Problem(rel, "", f"cannot read: {err.strerror}")]
    return validate_bytes(raw, rel)


def registered_files(root: Path) -> list[str]:
    """Repo-relative paths of every registered artifact present in the working tree."""
    from pipeline import registry
    from pipeline.enums import ArtifactKind

    found: set[str] = set()
    for spec in registry.ARTIFACTS:
        if spec.kind not in (ArtifactKind.JSON, ArtifactKind.PARQUET):
            continue
        for path in root.glob(spec.glob):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and registry.spec_for_path(rel) is spec:
                found.add(rel)
    return sorted(found)


def validate_all(root: Path, use_cache: bool = False) -> tuple[list[str], list[Problem]]:
    """Validate every registered artifact in the tree.

    ``use_cache``: skip files unchanged since they last validated clean (see the module doc).
    """
    if use_cache:
        cache = _load_cache(root, code_fingerprint(root))
        if cache is not None:
            answer = _all_clean_from_cache(root, cache)
            if answer is not None:
                return answer, []
    files = registered_files(root)
    return files, validate_files(root, files, use_cache=use_cache)


def validate_files(root: Path, files: list[str], use_cache: bool = False) -> list[Problem]:
    """All problems of these registered files; ``use_cache`` as in ``validate_all``."""
    if not use_cache:
        return [p for rel in files for p in validate_file(root, rel)]
    fingerprint = code_fingerprint(root)
    cache = _load_cache(root, fingerprint)
    known: dict[str, str] = dict(cache["ok"]) if cache is not None else {}
    problems: list[Problem] = []
    for rel in files:
        try:
            raw = (root / rel).read_bytes()
        except OSError as err:
            problems.append(Problem(rel, "", f"cannot read: {err.strerror}"))
            known.pop(rel, None)
            continue
        digest = hashlib.sha256(raw).hexdigest()
        found = [] if known.get(rel) == digest else validate_bytes(raw, rel)
        problems.extend(found)
        if found:
            known.pop(rel, None)
        else:
            known[rel] = digest
    globs = _artifact_globs()
    unregistered = sorted(_globbed(root, globs) - set(registered_files(root)))
    _save_cache(root, fingerprint, known, globs, unregistered)
    return problems


def _artifact_globs() -> list[str]:
    from pipeline import registry
    from pipeline.enums import ArtifactKind

    return sorted(
        {s.glob for s in registry.ARTIFACTS if s.kind in (ArtifactKind.JSON, ArtifactKind.PARQUET)}
    )


def _globbed(root: Path, globs: list[str]) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for pattern in globs
        for path in root.glob(pattern)
        if path.is_file()
    }


def _all_clean_from_cache(root: Path, cache: dict[str, Any]) -> list[str] | None:
    """The registered files if every one is unchanged since it validated clean, else None."""
    ok: dict[str, str] = cache["ok"]
    skip = set(cache["unregistered"])
    files = sorted(_globbed(root, cache["globs"]) - skip)
    for rel in files:
        expected = ok.get(rel)
        if expected is None:
            return None
        try:
            digest = hashlib.sha256((root / rel).read_bytes()).hexdigest()
        except OSError:
            return None
        if digest != expected:
            return None
    return files


def _load_cache(root: Path, fingerprint: str) -> dict[str, Any] | None:
    try:
        data = json.loads((root / CACHE_REL).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint:
        return None
    ok, globs, unregistered = data.get("ok"), data.get("globs"), data.get("unregistered")
    if not (
        isinstance(ok, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in ok.items())
        and isinstance(globs, list)
        and all(isinstance(g, str) for g in globs)
        and isinstance(unregistered, list)
        and all(isinstance(u, str) for u in unregistered)
    ):
        return None
    return data


def _save_cache(
    root: Path, fingerprint: str, ok: dict[str, str], globs: list[str], unregistered: list[str]
) -> None:
    # A cache is an optimisation: failing to write one never fails validation.
    path = root / CACHE_REL
    if not (root / ".dvc").is_dir():
        return
    body = {"fingerprint": fingerprint, "globs": globs, "ok": ok, "unregistered": unregistered}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(body, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)
