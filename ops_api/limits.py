"""Request limits and malformed requests, answered with the error envelope (never plain text).

Two layers, because uvicorn's parsers answer some requests before the app sees them:

- ``check_limits``: the request target (path + query) and the header block are bounded well
  below the parsers' own limits; beyond them the app answers 414 / 431 with the envelope
  (httptools has no header limit at all: a 1 MB header would otherwise be served).
- ``protocol_class``: uvicorn's HTTP protocol (httptools when installed, h11 otherwise) with its
  plain-text "Invalid HTTP request received." replaced by a 400 envelope. That is what an
  unknown method (``BREW /``: llhttp rejects it while parsing) or a request line beyond the
  parser's limit gets.
"""

from __future__ import annotations

from typing import Any

from starlette.types import Scope

from ops_api.answer import ApiError, error_answer
from ops_api.models import ErrorCode

#: Path + query string, bytes. The longest legal request (a 200-character ref, a key, a diff's
#: two refs) stays under 1 KB.
MAX_TARGET = 4096
#: Sum of header names and values, bytes, and how many headers.
MAX_HEADER_BYTES = 8192
MAX_HEADERS = 64


def check_limits(scope: Scope) -> ApiError | None:
    """The error for a request beyond the limits, or None (cheap: runs on every request)."""
    target = len(scope["raw_path"] if scope.get("raw_path") else scope["path"]) + len(
        scope.get("query_string", b"")
    )
    if target > MAX_TARGET:
        return ApiError(
            414,
            ErrorCode.URI_TOO_LONG,
            f"request path and query are {target} bytes (at most {MAX_TARGET})",
        )
    headers = scope.get("headers", ())
    size = sum(len(k) + len(v) for k, v in headers)
    if size > MAX_HEADER_BYTES or len(headers) > MAX_HEADERS:
        return ApiError(
            431,
            ErrorCode.HEADERS_TOO_LARGE,
            f"{len(headers)} headers of {size} bytes (at most {MAX_HEADERS} and "
            f"{MAX_HEADER_BYTES} bytes)",
        )
    return None


def limit_headers(err: ApiError) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """(status, headers, body) of the envelope answer to a request beyond the limits."""
    body = error_answer(err).body
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"connection", b"close"),
    ]
    return err.status_code, headers, body


BAD_REQUEST_BODY = error_answer(
    ApiError(
        400,
        ErrorCode.BAD_REQUEST,
        "malformed HTTP request: unknown method, bad request line or header "
        "(this API answers GET/HEAD only)",
    )
).body


def _envelope_400(self: Any, msg: str) -> None:
    """``send_400_response`` of uvicorn's protocols, with the error envelope as the body."""
    content = [b"HTTP/1.1 400 Bad Request\r\n"]
    for name, value in self.server_state.default_headers:
        content.extend([name, b": ", value, b"\r\n"])
    content.extend(
        [
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(BAD_REQUEST_BODY)).encode("ascii") + b"\r\n",
            b"cache-control: no-store\r\n",
            b"connection: close\r\n",
            b"\r\n",
            BAD_REQUEST_BODY,
        ]
    )
    self.transport.write(b"".join(content))
    self.transport.close()


def protocol_class() -> type[Any]:
    """uvicorn's fastest available HTTP protocol, answering malformed requests with JSON."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        base: type[Any] = HttpToolsProtocol
    except ImportError:  # httptools not installed
        from uvicorn.protocols.http.h11_impl import H11Protocol

        base = H11Protocol
    return type(f"Envelope{base.__name__}", (base,), {"send_400_response": _envelope_400})
