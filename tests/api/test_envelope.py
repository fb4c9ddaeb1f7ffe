"""One success envelope and one error shape on every route (datasette's test_success_envelope).

The cases are keyed by route path; a route added without a case fails ``test_cases_cover_routes``.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ops_api.models import Envelope
from ops_api.refs import BadRefError, parse_ref
from tests.api.test_docs import api_routes

KEYS = [
    "status", "schema", "asof", "commit", "ref", "path", "row_count", "rows", "error",
    "name", "valid", "validation_errors",
]  # fmt: skip

#: route -> (a URL that succeeds, a URL that fails with 4xx)
CASES: dict[str, tuple[str, str]] = {
    "/api/ops/health": ("/api/ops/health", "/api/ops/health/nope"),
    "/api/ops/summary/latest": ("/api/ops/summary/latest", "/api/ops/summary/latest?ref=-x"),
    "/api/live/cycle/latest": ("/api/live/cycle/latest", "/api/live/cycle/latest?ref=a..b"),
    "/api/ops/scheduler/latest": ("/api/ops/scheduler/latest", "/api/ops/scheduler/latest?ref=x:y"),
    "/api/ops/drill/latest": ("/api/ops/drill/latest", "/api/ops/drill/latest?ref=nope"),
    "/api/artifacts": ("/api/artifacts", "/api/artifacts/nope"),
    "/api/artifacts/{name}": ("/api/artifacts/clock?ref=HEAD~2", "/api/artifacts/clock?ref=@"),
    "/api/artifacts/{name}/keys": ("/api/artifacts/prices/keys", "/api/artifacts/clock/keys"),
    "/api/artifacts/{name}/history": (
        "/api/artifacts/clock/history?limit=3",
        "/api/artifacts/clock/history?limit=9999",
    ),
    "/api/artifacts/{name}/diff": (
        "/api/artifacts/clock/diff?from=HEAD~9",
        "/api/artifacts/clock/diff?from=HEAD~9&to=nope",
    ),
}


def test_cases_cover_routes() -> None:
    assert set(CASES) == set(api_routes())


def _check(resp: httpx.Response) -> dict[str, Any]:
    assert resp.headers["content-type"] == "application/json"
    body: dict[str, Any] = resp.json()
    assert list(body)[: len(KEYS)] == KEYS  # the DESIGN §6 keys first, in order
    Envelope[Any].model_validate(body)
    assert body["row_count"] == len(body["rows"])
    return body


@pytest.mark.parametrize("route", sorted(CASES))
def test_success_envelope(deep_url: str, http: httpx.Client, route: str) -> None:
    resp = http.get(deep_url + CASES[route][0])
    body = _check(resp)
    assert (
        resp.status_code == 200 and body["status"] in ("ok", "no_data") and "etag" in resp.headers
    )
    assert (body["error"] is None) == (body["status"] == "ok")


@pytest.mark.parametrize("route", sorted(CASES))
def test_error_shape(deep_url: str, http: httpx.Client, route: str) -> None:
    resp = http.get(deep_url + CASES[route][1])
    body = _check(resp)
    assert 400 <= resp.status_code < 500 and body["status"] == "error" and body["rows"] == []
    assert set(body["error"]) == {"code", "message", "hint"} and body["error"]["message"]


@given(st.text(max_size=60))
def test_any_accepted_ref_is_harmless(text: str) -> None:
    try:
        parsed = parse_ref(text)
    except BadRefError:
        return
    assert not text.startswith("-") and ".." not in text and ":" not in text
    assert "@{" not in text and not any(c.isspace() for c in text) and len(text) <= 200
    assert all(n <= 100_000 for _, n in parsed.steps)
