"""HTTP routes: thin GET handlers over ``ops_api.resolve`` (each under ~15 lines)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from starlette.requests import Request

from ops_api.resolve import Resolver

REF_DOC = (
    "Git ref to read at: a full or abbreviated (>= 4 hex) commit id, HEAD, a branch, a tag, "
    "optionally followed by ~N or ^N steps (e.g. HEAD~3). Default: the served branch (latest). "
    "A commit id gives an immutable, long-cacheable answer."
)

Ref = Annotated[str | None, Query(description=REF_DOC)]
Key = Annotated[str | None, Query(description="Collection key (for paths with {key})")]


def resolver(request: Request) -> Resolver:
    r: Resolver = request.app.state.resolver
    return r
