"""The runbook's routes: ``/api/ops/health`` and the ``.../latest`` artifact routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ops_api.answer import write_hint
from ops_api.http import respond
from ops_api.models import ArtifactRow, Envelope, HealthRow
from ops_api.routes import ERROR_RESPONSES, Ref, resolver
from pipeline import registry
from pipeline.flows import writer_command
from pipeline.io.context import now_seoul

router = APIRouter(tags=["ops"], responses=ERROR_RESPONSES)


@dataclass(frozen=True)
class RunbookRoute:
    path: str
    artifact: str  # registry name; "not registered yet" answers 200 no_data
    summary: str

    @property
    def writer(self) -> str:
        """The command that writes it (named in 405 hints), from the registry."""
        return write_hint(registry.get(self.artifact))

    @property
    def prefix(self) -> str:
        return self.path.rsplit("/", 1)[0] + "/"


#: Route -> registry name, in one table. The runbook's curl one-liners use these paths.
RUNBOOK_ROUTES = (
    RunbookRoute("/api/ops/summary/latest", "ops_summary", "Latest ops summary"),
    RunbookRoute("/api/live/cycle/latest", "live_cycle_receipt", "Latest live-cycle receipt"),
    RunbookRoute(
        "/api/ops/scheduler/latest", "scheduler_record", "Latest daily_ops.sh scheduler record"
    ),
    RunbookRoute("/api/ops/drill/latest", "drill_report", "Latest drill report"),
)


def writer_for(path: str) -> str:
    """The CLI command to name in a 405 for a write to ``path``."""
    for route in RUNBOOK_ROUTES:
        if path.startswith(route.prefix):
            return route.writer
    parts = path.split("/")
    if len(parts) > 3 and parts[1:3] == ["api", "artifacts"] and parts[3] in registry.names():
        return write_hint(registry.get(parts[3]))
    return writer_command("daily_ops")


@router.get("/api/ops/health", response_model=Envelope[HealthRow], summary="Health")
async def health(request: Request) -> Response:
    """Served branch/commit, dirty tree, stage ages in KRX trading days, daily_ops exit code."""
    return respond(request, resolver(request).health(now_seoul()))


def _runbook_endpoint(route: RunbookRoute) -> Callable[[Request, Ref], Awaitable[Response]]:
    async def endpoint(request: Request, ref: Ref = None) -> Response:
        answer = resolver(request).route_artifact(route.artifact, ref, route.writer)
        return respond(request, answer)

    endpoint.__doc__ = f"Artifact `{route.artifact}` (rows[0] is its content). {route.summary}."
    return endpoint


for _route in RUNBOOK_ROUTES:
    router.add_api_route(
        _route.path,
        _runbook_endpoint(_route),
        methods=["GET"],
        response_model=Envelope[ArtifactRow],
        summary=_route.summary,
        name=_route.artifact,
    )
