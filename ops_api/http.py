"""HTTP edge of an ``Answer``: ETag, ``If-None-Match`` -> 304, Cache-Control."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ops_api.answer import Answer

JSON = "application/json"


def etag_matches(header: str | None, etag: str) -> bool:
    # If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/"x" matches "x".
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def respond(request: Request, answer: Answer) -> Response:
    """The response for ``answer``; 304 without a body when the client has this version."""
    headers = {"Cache-Control": answer.cache.value}
    if answer.status_code == 200:
        headers["ETag"] = answer.etag
        if etag_matches(request.headers.get("if-none-match"), answer.etag):
            return Response(status_code=304, headers=headers)
    return Response(answer.body, status_code=answer.status_code, headers=headers, media_type=JSON)
