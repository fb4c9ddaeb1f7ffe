"""``/docs`` (Swagger UI) and ``/redoc`` from assets shipped in ``ops_api/static``: no CDN.

FastAPI's default pages load their JavaScript, CSS, favicon and fonts from public CDNs, so on
an offline PC or a server without outbound access they render blank. The same pages are built
here with every URL pointing at ``/docs/assets/<name>``; ``ops_api/static/README.md`` records
where each vendored file came from (npm package, version, sha256, licence).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse

STATIC = Path(__file__).resolve().parents[1] / "static"
ASSETS_PREFIX = "/docs/assets"

#: The only files served (no directory listing, no path from the request touches the disk).
ASSETS: dict[str, str] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
}

router = APIRouter(include_in_schema=False)


def asset_url(name: str) -> str:
    """The URL of a vendored asset (relative to the server root)."""
    return f"{ASSETS_PREFIX}/{name}"


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over ``/openapi.json``, all assets local."""
    title = f"{request.app.title} - Swagger UI"
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=title,
        swagger_js_url=asset_url("swagger-ui-bundle.js"),
        swagger_css_url=asset_url("swagger-ui.css"),
        swagger_favicon_url=asset_url("favicon-32x32.png"),
        # No validator badge: it would send the spec to a public validator service.
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc over ``/openapi.json``, all assets local (no Google Fonts)."""
    return get_redoc_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=asset_url("redoc.standalone.js"),
        redoc_favicon_url=asset_url("favicon-32x32.png"),
        with_google_fonts=False,
    )


@router.get(ASSETS_PREFIX + "/{name}")
def asset(name: str) -> FileResponse:
    """One vendored file by name; anything else is the 404 error envelope."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise HTTPException(404, f"no documentation asset named {name!r}")
    headers = {"cache-control": "public, max-age=86400"}
    return FileResponse(STATIC / name, media_type=media_type, headers=headers)
