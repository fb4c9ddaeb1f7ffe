"""``create_app(settings)``: open the store once and wire the routers (nothing else).

Order of a request: size limits (414/431, ``ops_api.limits``), the fast path (plain artifact
GETs, ``ops_api.fastpath``), then FastAPI's stack: read-only guard (writes -> 405, HEAD -> GET),
error handlers, routes.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from ops_api import errors, openapi
from ops_api.fastpath import FastPath
from ops_api.limits import check_limits, limit_headers
from ops_api.readonly import ReadOnlyMiddleware
from ops_api.refs import parse_ref
from ops_api.resolve import Resolver
from ops_api.routes import artifacts, docs, ops
from ops_api.settings import Settings
from pipeline import registry
from pipeline.io.gitstore import GitStore
from pipeline.io.store import Store

DESCRIPTION = """Read-only resolver of the KRX Alertor repository: committed artifacts, latest
or as of any git ref. Every answer is the envelope `{status, schema, asof, commit, ref, path,
row_count, rows[], error}`; an artifact's content is `rows[0]`. Writes are 405: run the CLI."""


class ResolverApp(FastAPI):
    """FastAPI, with the read fast path (``ops_api.fastpath``) tried before the whole stack."""

    fast_path: FastPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (err := check_limits(scope)) is not None:
            status, headers, body = limit_headers(err)
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if (
            self.fast_path is not None
            and scope["type"] == "http"
            and scope["method"] == "GET"
            and await self.fast_path.handle(scope, send)
        ):
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """The ASGI app serving ``settings.repo`` (or an injected ``store``)."""
    store = store if store is not None else GitStore(settings.repo)
    branch = settings.branch or store.head().branch or "main"
    parse_ref(branch)  # a branch that is not a valid ref is a configuration error
    app = ResolverApp(
        title="KRX Alertor resolver",
        version="1",
        description=DESCRIPTION,
        docs_url=None,  # /docs and /redoc come from ops_api.routes.docs, with local assets
        redoc_url=None,
        # No OpenTelemetry here; checking for its providers costs ~10 us on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.resolver = Resolver(store, settings, branch)
    app.include_router(ops.router)
    app.include_router(artifacts.router)
    app.include_router(docs.router)
    errors.install(app)
    openapi.install(app)
    app.add_middleware(ReadOnlyMiddleware, hint_for=ops.writer_for)  # outermost: writes -> 405
    if settings.fast_path:
        routes = {r.path: (r.artifact, r.writer) for r in ops.RUNBOOK_ROUTES}
        app.fast_path = FastPath(app.state.resolver, routes, registry.names)
    return app
