"""Framework errors as the error envelope: unknown route 404, bad parameters 400, crashes 500."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ops_api.answer import ApiError, error_answer
from ops_api.http import respond
from ops_api.models import ErrorCode


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return respond(request, error_answer(ApiError(400, ErrorCode.BAD_REQUEST, detail)))


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = ErrorCode.NOT_FOUND if exc.status_code == 404 else ErrorCode.BAD_REQUEST
    err = ApiError(exc.status_code, code, f"{request.url.path}: {exc.detail}; see /docs")
    return respond(request, error_answer(err))


async def _crash(request: Request, exc: Exception) -> Response:
    err = ApiError(500, ErrorCode.INTERNAL, f"internal error: {type(exc).__name__}")
    return respond(request, error_answer(err))


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _crash)
