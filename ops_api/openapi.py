"""OpenAPI as the API really answers: parameter errors are 400 envelopes, never 422."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Drop FastAPI's generated 422 responses (errors.py turns them into 400 envelopes)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = build()
            for ops in spec.get("paths", {}).values():
                for op in ops.values():
                    op.get("responses", {}).pop("422", None)
            schemas = spec.get("components", {}).get("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
