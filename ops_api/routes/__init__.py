"""HTTP routes: thin GET handlers over ``ops_api.resolve`` (each under ~15 lines)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from starlette.requests import Request

from ops_api.models import Envelope
from ops_api.refs import KEY_PATTERN, MAX_KEY_LEN, MAX_REF_LEN, REF_PATTERN
from ops_api.resolve import Resolver

REF_DOC = (
    "Git ref to read at: a full or abbreviated (>= 4 hex) commit id, HEAD, a branch, a tag, "
    "optionally followed by ~N or ^N steps (e.g. HEAD~3). Default: the served branch (latest). "
    "A commit id gives an immutable, long-cacheable answer."
)

#: The ref grammar exactly as ops_api.refs checks it (else 400 BAD_REF).
REF_SCHEMA = {"pattern": REF_PATTERN, "maxLength": MAX_REF_LEN}
Ref = Annotated[str | None, Query(description=REF_DOC, json_schema_extra=REF_SCHEMA)]
#: The key grammar exactly as the resolver checks it (else 400 BAD_KEY).
KEY_SCHEMA = {"pattern": KEY_PATTERN, "maxLength": MAX_KEY_LEN}
Key = Annotated[
    str | None,
    Query(description="Collection key (for paths with {key})", json_schema_extra=KEY_SCHEMA),
]


def resolver(request: Request) -> Resolver:
    r: Resolver = request.app.state.resolver
    return r


_ERROR = {"model": Envelope[dict[str, Any]]}
#: Error answers every route may give (documented so clients and schemathesis know them).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {**_ERROR, "description": "Bad ref, key, cursor or parameter (error envelope)"},
    404: {**_ERROR, "description": "Unknown artifact or ref (error envelope)"},
    405: {**_ERROR, "description": "Not GET/HEAD: the API is read-only (hint names the CLI)"},
    414: {**_ERROR, "description": "Path + query longer than 4096 bytes (error envelope)"},
    431: {**_ERROR, "description": "Headers beyond 64 or 8192 bytes (error envelope)"},
}
