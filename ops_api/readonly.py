"""Read-only by construction: every method but GET/HEAD is answered 405 before routing.

The 405 body is the error envelope with a hint naming the CLI command that does the write
(``krx stage ...`` or ``bash deploy/oci/daily_ops.sh``); the API itself never writes.
HEAD is served as GET without the body.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ops_api.answer import ApiError, error_answer
from ops_api.models import ErrorCode


class ReadOnlyMiddleware:
    def __init__(self, app: ASGIApp, hint_for: Callable[[str], str]) -> None:
        self.app = app
        self.hint_for = hint_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "GET":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            await self.app({**scope, "method": "GET"}, receive, _drop_body(send))
            return
        path: str = scope["path"]
        hint = self.hint_for(path)
        err = ApiError(
            405,
            ErrorCode.METHOD_NOT_ALLOWED,
            f"{scope['method']} {path}: this API is read-only; run `{hint}` instead",
            hint=hint,
        )
        answer = error_answer(err)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(answer.body)).encode()),
            (b"allow", b"GET, HEAD"),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": 405, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})


def _drop_body(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return wrapped
