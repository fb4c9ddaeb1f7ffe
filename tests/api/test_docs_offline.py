"""``/docs`` and ``/redoc`` render with no network but loopback: every asset is served locally.

A real uvicorn server on 127.0.0.1 and headless Chromium in which every non-loopback request is
aborted and logged; the pages must render their content and make zero external requests.
"""

from __future__ import annotations

import httpx
import pytest

from ops_api.app import create_app
from ops_api.routes.docs import ASSETS, STATIC
from ops_api.settings import Settings
from tests.conftest import offline_page
from tests.support.gitrepo import GitRepo
from tests.support.net import serve

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_swagger_ui_renders_offline(repo: GitRepo) -> None:
    repo.commit({"notes.txt": "x"})
    with serve(create_app(Settings(repo=repo.path))) as url, offline_page() as (page, external):
        page.goto(f"{url}/docs", timeout=30_000)
        health = page.locator(".opblock-summary-path", has_text="/api/ops/health")
        health.first.wait_for(timeout=30_000)
        title = page.locator(".info").first.inner_text()
        paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert external == []
    assert "KRX Alertor resolver" in title
    assert len(paths) >= 10


def test_redoc_renders_offline(repo: GitRepo) -> None:
    repo.commit({"notes.txt": "x"})
    with serve(create_app(Settings(repo=repo.path))) as url, offline_page() as (page, external):
        page.goto(f"{url}/redoc", timeout=30_000)
        page.locator("h1", has_text="KRX Alertor resolver").first.wait_for(timeout=30_000)
        page.get_by_text("/api/ops/health").first.wait_for(timeout=30_000)
        body = page.inner_text("body")
    assert external == []
    assert "Read-only resolver" in body


def test_pages_name_no_external_url(repo: GitRepo) -> None:
    repo.commit({"notes.txt": "x"})
    with serve(create_app(Settings(repo=repo.path))) as url, httpx.Client(base_url=url) as http:
        for page in ("/docs", "/redoc"):
            html = http.get(page).text
            assert "http://" not in html and "https://" not in html, page
        for name, media_type in ASSETS.items():
            resp = http.get(f"/docs/assets/{name}")
            assert resp.status_code == 200, name
            assert resp.headers["content-type"] == media_type
            assert resp.content == (STATIC / name).read_bytes()
        missing = http.get("/docs/assets/..%2Fapp.py")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "NOT_FOUND"
