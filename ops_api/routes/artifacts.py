"""Any registered artifact: catalog, latest or at ``?ref=``, keys, history, diff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.requests import Request
from starlette.responses import Response

from ops_api.http import respond
from ops_api.models import ArtifactRow, CatalogRow, Change, Envelope, KeyRow, VersionRow
from ops_api.routes import ERROR_RESPONSES, REF_DOC, REF_SCHEMA, Key, Ref, resolver

router = APIRouter(prefix="/api/artifacts", tags=["artifacts"], responses=ERROR_RESPONSES)
Name = Annotated[str, Path(description="Registered artifact name (see /api/artifacts)")]


@router.get("", response_model=Envelope[CatalogRow], summary="Catalog")
async def catalog(request: Request) -> Response:
    """Every registered artifact: name, schema, path, owner, stage."""
    return respond(request, resolver(request).catalog())


@router.get("/{name}", response_model=Envelope[ArtifactRow], summary="Artifact")
async def artifact(request: Request, name: Name, ref: Ref = None, key: Key = None) -> Response:
    """One artifact, latest or at ?ref=; rows[0] is its content, `valid` its validation."""
    return respond(request, resolver(request).artifact(name, ref, key))


@router.get("/{name}/keys", response_model=Envelope[KeyRow], summary="Collection keys")
async def keys(request: Request, name: Name, ref: Ref = None) -> Response:
    """The keys of a collection artifact (a path with {key}) at ?ref=."""
    return respond(request, resolver(request).keys(name, ref))


@router.get("/{name}/history", response_model=Envelope[VersionRow], summary="History")
async def history(
    request: Request,
    name: Name,
    ref: Ref = None,
    key: Key = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Versions per page")] = 50,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> Response:
    """Commits that changed the artifact, newest first; a cursor pins the walk's start."""
    return respond(request, resolver(request).history(name, ref, key, limit, cursor))


@router.get("/{name}/diff", response_model=Envelope[Change], summary="Diff")
async def diff(
    request: Request,
    name: Name,
    from_: Annotated[str, Query(alias="from", description=REF_DOC, json_schema_extra=REF_SCHEMA)],
    to: Ref = None,
    key: Key = None,
) -> Response:
    """Changes of one artifact from ?from= to ?to= (default latest), as JSON pointers."""
    return respond(request, resolver(request).diff(name, from_, to, key))
