"""Read and write JSON artifacts: validated, canonical, atomic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from pipeline.artifacts.envelope import Envelope
from pipeline.canonical import JsonInputError, canonical_bytes, parse_json, sha256_hex
from pipeline.errors import ArtifactError
from pipeline.io.atomic import write_bytes_atomic
from pipeline.registry import ArtifactSpec, upgrade

M = TypeVar("M", bound=Envelope)


def dump_model(model: Envelope) -> bytes:
    """Canonical bytes of an artifact model (aliases, JSON mode)."""
    return canonical_bytes(model.model_dump(mode="json", by_alias=True))


def write_json_atomic(path: Path, data: Any) -> bool:
    """Write plain JSON data canonically and atomically; False if the bytes were unchanged."""
    return write_bytes_atomic(path, canonical_bytes(data))


#: Envelope fields that change on every run without the content changing.
VOLATILE = frozenset({"generated_at", "producer"})


def write_artifact(
    root: Path,
    spec: ArtifactSpec,
    model: Envelope,
    key: str | None = None,
    *,
    keep_if_unchanged: bool = False,
) -> Path:
    """Validate ``model`` against ``spec`` (shape + cross-field) and write it atomically.

    ``keep_if_unchanged``: if the file on disk says the same apart from ``VOLATILE`` fields,
    leave it byte-for-byte (so a rerun of an always-run stage changes nothing in git).
    """
    from pipeline.io.validate import validate_document  # validate imports registry models

    if spec.model is None or not isinstance(model, spec.model):
        raise ArtifactError(f"{spec.name}: expected a {spec.model} instance, got {type(model)}")
    data = json.loads(dump_model(model))
    rel = spec.path_for(key)
    problems = validate_document(data, rel)
    if problems:
        raise ArtifactError(
            f"refusing to write invalid {rel}:\n" + "\n".join(str(p) for p in problems)
        )
    path = root / rel
    if keep_if_unchanged and _same_content(path, data):
        return path
    write_bytes_atomic(path, canonical_bytes(data))
    return path


def _same_content(path: Path, data: dict[str, Any]) -> bool:
    try:
        old = parse_json(path.read_bytes())
    except (OSError, ValueError):
        return False
    if not isinstance(old, dict):
        return False
    return _strip(old) == _strip(data)


def _strip(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in VOLATILE}


def read_artifact(root: Path, spec: ArtifactSpec, model: type[M], key: str | None = None) -> M:
    """Read and validate one artifact; ArtifactError with the path on any problem."""
    rel = spec.path_for(key)
    path = root / rel
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ArtifactError(f"{rel}: missing") from None
    return parse_artifact(raw, rel, model)


def to_model(data: Any, model: type[M]) -> M:
    """Parsed JSON as ``model``: a document of a legacy version is upgraded to ``model``'s
    version first (``registry.upgrade``): the one place readers meet old files (STYLE §6).
    ValidationError if it does not fit."""
    return model.model_validate(upgrade(data, model.model_fields["schema_id"].default))


def parse_artifact(raw: bytes, rel: str, model: type[M]) -> M:
    """Sane JSON (``parse_json``) into ``model`` (upgraded by ``to_model``); ArtifactError with
    the path on any problem."""
    try:
        return to_model(parse_json(raw), model)
    except JsonInputError as err:
        raise ArtifactError(f"{rel}: {err}") from None
    except ValidationError as err:
        first = err.errors()[0]
        pointer = "/" + "/".join(str(p) for p in first["loc"])
        raise ArtifactError(f"{rel}: {pointer}: {first['msg']}") from None


def file_sha256(path: Path) -> str | None:
    """SHA-256 of a file's bytes, or None if it does not exist."""
    try:
        return sha256_hex(path.read_bytes())
    except FileNotFoundError:
        return None
