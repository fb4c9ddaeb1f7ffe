"""What the resolver answers: the envelope (DESIGN §6), rendered once into bytes with an ETag.

``envelope`` builds the dict with every key present; ``render`` serializes it compactly (UTF-8,
Korean unescaped) and derives a strong ETag from the bytes; ``CachePolicy`` says how long a
client may keep it. ``models.Envelope`` documents the same shape in OpenAPI.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ops_api.models import ErrorCode, Status
from ops_api.refs import Resolved
from pipeline.flows import writer_command
from pipeline.registry import ArtifactSpec


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


def error_or_no_data(err: ApiError, **fields: Any) -> Answer:
    """A 200 ``ApiError`` is "nothing yet" (status no_data); anything else is an error."""
    if err.status_code == 200:
        return render(200, envelope(Status.NO_DATA, error=err, **fields), CachePolicy.SHORT)
    return error_answer(err, **fields)


def write_hint(spec: ArtifactSpec) -> str:
    """The command that writes an artifact (the API never does)."""
    return writer_command(spec.stage)


def policy_for(resolved: Resolved) -> CachePolicy:
    """Long-lived for a commit id, short for anything that can move."""
    return CachePolicy.IMMUTABLE if resolved.immutable else CachePolicy.SHORT
