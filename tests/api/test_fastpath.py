"""The fast path answers exactly what the FastAPI routes answer (bodies and headers)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import httpx
import pytest

from ops_api.app import create_app
from ops_api.fastpath import _only_ref
from ops_api.settings import Settings
from pipeline.io.store import Blob, MemoryStore
from tests.api.conftest import Deep
from tests.support.net import serve

HEADERS = ("cache-control", "etag", "content-type", "content-length")


@pytest.fixture(scope="module")
def both(deep_repo: Deep) -> Iterator[tuple[str, str]]:
    base = Settings(repo=deep_repo.repo.path, branch="main")
    fast = create_app(base)
    slow = create_app(dataclasses.replace(base, fast_path=False))
    with serve(fast) as fast_url, serve(slow) as slow_url:
        yield fast_url, slow_url


def urls(deep: Deep) -> list[str]:
    sha = deep.commits[42]
    return [
        "/api/artifacts/clock",
        "/api/artifacts/prices_meta",
        f"/api/artifacts/clock?ref={sha}",
        f"/api/artifacts/clock?ref={sha[:7]}",
        "/api/artifacts/clock?ref=HEAD~100",
        "/api/artifacts/clock?ref=HEAD%7E100",
        "/api/artifacts/clock?ref=v1",
        "/api/artifacts/clock?ref=",
        "/api/artifacts/clock?ref=..",
        "/api/artifacts/clock?ref=--help",
        "/api/artifacts/clock?ref=HEAD:data/asof.json",
        "/api/artifacts/clock?ref=nope",
        "/api/artifacts/clock?ref=%FF",
        "/api/artifacts/clock?ref=a+b",
        "/api/artifacts/clock?ref=HEAD&ref=HEAD~1",
        "/api/artifacts/clock?key=x",
        "/api/artifacts/prices",
        "/api/artifacts/nope",
        "/api/ops/summary/latest",
        "/api/live/cycle/latest?ref=HEAD~1",
        "/api/live/cycle/latest?ref=nope",
        "/api/ops/scheduler/latest?ref=-x",
    ]


def test_fast_path_equals_the_router(deep_repo: Deep, both: tuple[str, str]) -> None:
    fast_url, slow_url = both
    with httpx.Client(timeout=10) as http:
        for url in urls(deep_repo):
            a, b = http.get(fast_url + url), http.get(slow_url + url)
            assert (a.status_code, a.content) == (b.status_code, b.content), url
            assert {h: a.headers.get(h) for h in HEADERS} == {
                h: b.headers.get(h) for h in HEADERS
            }, url
            if a.status_code == 200:
                etag = {"If-None-Match": a.headers["etag"]}
                c, d = (
                    http.get(fast_url + url, headers=etag),
                    http.get(slow_url + url, headers=etag),
                )
                assert (c.status_code, c.content) == (d.status_code, d.content) == (304, b"")
                assert {h: c.headers.get(h) for h in HEADERS} == {
                    h: d.headers.get(h) for h in HEADERS
                }, url


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (b"", (True, None)),
        (b"ref=HEAD~1", (True, "HEAD~1")),
        (b"ref=HEAD%7E1", (True, "HEAD~1")),
        (b"ref=", (True, "")),
        (b"ref=a&key=b", (False, None)),
        (b"key=b", (False, None)),
        (b"ref=%FF", (False, None)),
        (b"refx=1", (False, None)),
    ],
)
def test_only_ref(query: bytes, expected: tuple[bool, str | None]) -> None:
    assert _only_ref(query) == expected


class BrokenStore(MemoryStore):
    def read(self, commit: str, path: str) -> Blob | None:
        raise RuntimeError("disk on fire")


@pytest.mark.parametrize("fast", [True, False])
def test_a_crash_is_a_500_envelope_on_both_paths(fast: bool) -> None:
    store = BrokenStore()
    store.commit({"data/asof.json": b"{}"})
    app = create_app(dataclasses.replace(Settings(), fast_path=fast), store=store)
    with serve(app) as url, httpx.Client(timeout=10) as http:
        resp = http.get(f"{url}/api/artifacts/clock")
    assert resp.status_code == 500
    body = resp.json()
    assert body["status"] == "error" and body["error"]["code"] == "INTERNAL"
    assert "disk on fire" not in resp.text  # no internals leak to the client
