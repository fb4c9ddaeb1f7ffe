"""HTTP routes: thin GET handlers over ``ops_api.resolve`` (each under ~15 lines)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from starlette.requests import Request

from ops_api.models import Envelope
from ops_api.refs import MAX_REF_LEN
from ops_api.resolve import Resolver

REF_DOC = (
    "Git ref to read at: a full or abbreviated (>= 4 hex) commit id, HEAD, a branch, a tag, "
    "optionally followed by ~N or ^N steps (e.g. HEAD~3). Default: the served branch (latest). "
    "A commit id gives an immutable, long-cacheable answer."
)

#: Documents the ref charset in OpenAPI; the full grammar is checked by ops_api.refs (400 BAD_REF).
REF_SCHEMA = {"pattern": r"^[A-Za-z0-9_][A-Za-z0-9._/~^-]*$", "maxLength": MAX_REF_LEN}
Ref = Annotated[str | None, Query(description=REF_DOC, json_schema_extra=REF_SCHEMA)]
Key = Annotated[str | None, Query(description="Collection key (for paths with {key})")]


def resolver(request: Request) -> Resolver:
    r: Resolver = request.app.state.resolver
    return r


_ERROR = {"model": Envelope[dict[str, Any]]}
#: Error answers every route may give (documented so clients and schemathesis know them).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {**_ERROR, "description": "Bad ref, key, cursor or parameter (error envelope)"},
    404: {**_ERROR, "description": "Unknown artifact or ref (error envelope)"},
    405: {**_ERROR, "description": "Not GET/HEAD: the API is read-only (hint names the CLI)"},
}
