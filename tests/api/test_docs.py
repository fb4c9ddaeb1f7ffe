"""Contract: every route is GET and appears in docs/api.md (datasette's test_docs style)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ops_api.app import create_app
from ops_api.settings import Settings
from pipeline.io.store import MemoryStore

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
#: Documentation pages and their vendored assets (ops_api.routes.docs): not envelope routes.
FRAMEWORK = {"/openapi.json", "/docs", "/redoc", "/docs/assets/{name}"}


def walk_routes() -> list[tuple[str, set[str]]]:
    """(path, methods) of every route in ``app.routes``, included routers expanded.

    FastAPI >= 0.16x keeps an included router as one wrapper entry in ``app.routes``; its
    ``effective_route_contexts()`` yields the routes with their final paths.
    """
    app = create_app(Settings(), store=MemoryStore())
    out: list[tuple[str, set[str]]] = []
    for route in app.routes:
        expand = getattr(route, "effective_route_contexts", None)
        leaves = list(expand()) if expand is not None else [route]
        out += [(leaf.path, set(getattr(leaf, "methods", None) or ())) for leaf in leaves]
    return out


def api_routes() -> list[str]:
    return [path for path, _ in walk_routes() if path not in FRAMEWORK]


def documented() -> set[tuple[str, str]]:
    rows = re.findall(r"^\| (\w+) \| `([^`]+)` \|", DOC.read_text(encoding="utf-8"), re.M)
    return set(rows)


def test_every_route_is_get() -> None:
    routes = walk_routes()
    assert len(routes) >= len(FRAMEWORK) + 10
    for path, methods in routes:
        assert methods and methods <= {"GET", "HEAD"}, (path, methods)


@pytest.mark.parametrize("path", api_routes())
def test_route_is_documented(path: str) -> None:
    assert ("GET", path) in documented(), f"add {path} to docs/api.md"


def test_doc_lists_no_phantom_routes() -> None:
    paths = set(api_routes()) | FRAMEWORK
    assert {p for _, p in documented()} <= paths
