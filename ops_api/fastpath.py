"""A fast path for the hottest reads, in front of FastAPI's middleware stack and router.

Why: on one uvicorn worker (uvloop + httptools) a bare ASGI app answering 19 KB costs ~32 us of
CPU per request on our 2-vCPU reference machine (~11,700 req/s); FastAPI's middleware, routing
and parameter solving add ~100 us more, which capped an artifact read near 4,400 req/s. The
issue's target is 8,000. ``app.ResolverApp`` calls ``FastPath.handle`` before its own stack.

What: ``GET /api/artifacts/{name}`` and the runbook's ``.../latest`` routes, with no query string
or exactly one ``ref=`` parameter, are answered here by the *same* ``Resolver`` calls and the same
``respond`` rules (ETag, 304, Cache-Control) the FastAPI routes use. Anything else — other
parameters, repeated parameters, unknown names, undecodable input — falls through to FastAPI
unchanged, so validation and error shapes have one implementation. A test asserts both paths
answer byte-identical bodies and identical headers.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from starlette.types import Scope, Send

from ops_api.answer import Answer
from ops_api.http import JSON, etag_matches
from ops_api.resolve import Resolver

_PREFIX = "/api/artifacts/"


class FastPath:
    """Answers plain artifact GETs without the router; ``handle`` returns False to decline."""

    def __init__(
        self,
        resolver: Resolver,
        routes: dict[str, tuple[str, str]],  # runbook path -> (artifact name, writer)
        names: Callable[[], list[str]],
    ) -> None:
        self.resolver = resolver
        self.routes = routes
        self.names = names

    async def handle(self, scope: Scope, send: Send) -> bool:
        """Send the answer and return True, or return False (nothing sent) to let FastAPI do it.

        Any exception declines too: the full stack then recomputes the answer and turns a
        crash into the 500 error envelope, so the fast path never needs its own error handling.
        """
        try:
            answer = self._answer(scope) if scope["type"] == "http" else None
        except Exception:  # FastAPI's stack recomputes and reports it (see docstring)
            return False
        if answer is None:
            return False
        headers = [(b"cache-control", answer.cache.value.encode())]
        status, body = answer.status_code, answer.body
        if status == 200:
            headers.append((b"etag", answer.etag.encode()))
            if etag_matches(_header(scope, b"if-none-match"), answer.etag):
                status, body = 304, b""
        if status != 304:  # as starlette: a 304 has neither length nor type
            headers.append((b"content-length", str(len(body)).encode()))
            headers.append((b"content-type", JSON.encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True

    def _answer(self, scope: Scope) -> Answer | None:
        if scope["method"] != "GET":
            return None
        plain, ref = _only_ref(scope["query_string"])
        if not plain:
            return None
        path: str = scope["path"]
        route = self.routes.get(path)
        if route is not None:
            return self.resolver.route_artifact(route[0], ref, route[1])
        if path.startswith(_PREFIX):
            name = path[len(_PREFIX) :]
            if name in self.names():
                return self.resolver.artifact(name, ref)
        return None


def _only_ref(query: bytes) -> tuple[bool, str | None]:
    """(True, None) for no query, (True, value) for a lone ``ref=``, (False, None) otherwise."""
    if not query:
        return True, None
    if not query.startswith(b"ref=") or b"&" in query or b";" in query:
        return False, None
    try:
        return True, unquote(query[4:].decode("ascii").replace("+", " "), errors="strict")
    except UnicodeDecodeError:
        return False, None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None
