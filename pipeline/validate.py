"""Validate artifacts: shape (JSON Schema 2020-12), then model rules, then cross-field checks.

Every error is reported with its file and JSON pointer; nothing stops at the first one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from pydantic import ValidationError

from pipeline import registry
from pipeline.canonical import JsonInputError, parse_json
from pipeline.checks import run_checks
from pipeline.enums import ArtifactKind
from pipeline.schemas import json_schema


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
    if not isinstance(data, dict) or not isinstance(data.get("schema"), str):
        return [Problem(rel, "/schema", "missing 'schema' field: not an artifact envelope")]
    spec = registry.by_schema_id(data["schema"])
    if spec is None or spec.model is None:
        return [Problem(rel, "/schema", f"unknown schema {data['schema']!r}")]
    at_path = registry.spec_for_path(rel)
    if at_path is not None and at_path.name != spec.name:
        return [Problem(rel, "/schema", f"{rel} holds '{at_path.name}', not '{spec.name}'")]
    validator = Draft202012Validator(
        json_schema(spec), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    shape = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    problems = [Problem(rel, _pointer(e.absolute_path), e.message) for e in shape]
    if problems:
        return problems
    try:
        doc = spec.model.model_validate(data)
    except ValidationError as err:
        return [Problem(rel, _pointer(e["loc"]), e["msg"]) for e in err.errors()]
    return [Problem(rel, ptr, msg) for ptr, msg in run_checks(doc)]


def validate_bytes(raw: bytes, rel: str) -> list[Problem]:
    """Validate a file's bytes (JSON artifacts by their envelope, parquet by its schema)."""
    spec = registry.spec_for_path(rel)
    if spec is not None and spec.kind is ArtifactKind.PARQUET:
        from pipeline.io.parquet import validate_parquet_bytes

        return [Problem(rel, "", msg) for msg in validate_parquet_bytes(spec, raw)]
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
    found: set[str] = set()
    for spec in registry.ARTIFACTS:
        if spec.kind not in (ArtifactKind.JSON, ArtifactKind.PARQUET):
            continue
        for path in root.glob(spec.glob):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and registry.spec_for_path(rel) is spec:
                found.add(rel)
    return sorted(found)


def validate_all(root: Path) -> tuple[list[str], list[Problem]]:
    files = registered_files(root)
    problems = [p for rel in files for p in validate_file(root, rel)]
    return files, problems
