"""Oversize and malformed requests get the JSON error envelope (never uvicorn's plain text);
the OpenAPI patterns of ``ref`` and ``key`` accept exactly what the resolver accepts;
NaN / Infinity / deep nesting in a committed artifact is served as invalid, never a 500."""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ops_api.limits import MAX_HEADER_BYTES, MAX_TARGET
from ops_api.refs import KEY_PATTERN, REF_PATTERN, BadRefError, parse_ref
from pipeline import registry
from pipeline.io.store import safe_relpath
from tests.api.factories import make_clock
from tests.support.gitrepo import GitRepo

KEYS = {"status", "schema", "asof", "commit", "ref", "path", "row_count", "rows", "error"}


def raw_request(url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (httpx would refuse to) and read the whole answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def envelope_error(status: int, headers: dict[str, str], body: bytes) -> str:
    assert headers["content-type"].startswith("application/json")
    doc = json.loads(body)
    assert set(doc) >= KEYS and doc["status"] == "error" and doc["rows"] == []
    code: str = doc["error"]["code"]
    return code


@pytest.fixture
def url(repo: GitRepo, server_for: Callable[[Any], str]) -> str:
    repo.commit({"data/asof.json": make_clock(dt.date(2026, 11, 20), 1)}, "clock")
    return server_for(repo.path)


@pytest.mark.parametrize(
    ("request_bytes", "status", "code"),
    [
        (b"BREW /api/ops/health HTTP/1.1\r\nHost: x\r\n\r\n", 400, "BAD_REQUEST"),
        (b"PROPFIND /api/ops/health HTTP/1.1\r\nHost: x\r\n\r\n", 405, "METHOD_NOT_ALLOWED"),
        (
            b"GET /api/artifacts/clock?ref=" + b"a" * (MAX_TARGET + 1) + b" HTTP/1.1\r\n"
            b"Host: x\r\n\r\n",
            414,
            "URI_TOO_LONG",
        ),
        (
            b"GET /api/artifacts/clock?ref=" + b"a" * 200_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            400,
            "BAD_REQUEST",  # beyond the parser's own limit: still the envelope
        ),
        (
            b"GET /api/ops/health HTTP/1.1\r\nHost: x\r\nX-Big: "
            + b"a" * (MAX_HEADER_BYTES + 1)
            + b"\r\n\r\n",
            431,
            "HEADERS_TOO_LARGE",
        ),
        (
            b"GET /api/ops/health HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: 1\r\n" % i for i in range(100))
            + b"\r\n",
            431,
            "HEADERS_TOO_LARGE",
        ),
        (b"GET /api/artifacts/clock HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400, "BAD_REQUEST"),
    ],
)
def test_oversize_and_malformed_requests_get_the_envelope(
    url: str, request_bytes: bytes, status: int, code: str
) -> None:
    request = request_bytes.replace(b"Host: x\r\n", b"Host: x\r\nConnection: close\r\n", 1)
    got, headers, body = raw_request(url, request)
    assert got == status
    assert envelope_error(got, headers, body) == code


def test_requests_within_the_limits_are_served(url: str) -> None:
    big_but_fine = {"X-Trace": "a" * 4000}
    resp = httpx.get(f"{url}/api/artifacts/clock", headers=big_but_fine, timeout=10)
    assert resp.status_code == 200 and resp.json()["status"] == "ok"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"schema": "clock/v1", "asof": NaN}', "NaN is not allowed"),
        (b'{"schema": "clock/v1", "x": Infinity}', "Infinity is not allowed"),
        (b"[" * 100_000 + b"]" * 100_000, "levels deep"),
        (b'{"schema": "clock/v1", "x": 1e999}', "out of range"),
    ],
)
def test_insane_json_is_served_invalid_never_500(
    repo: GitRepo, server_for: Callable[[Any], str], content: bytes, message: str
) -> None:
    repo.commit({"data/asof.json": content}, "corrupt")
    url = server_for(repo.path)
    for path in ("/api/artifacts/clock", "/api/artifacts/clock?ref=HEAD", "/api/ops/health"):
        resp = httpx.get(url + path, timeout=10)
        assert resp.status_code == 200, path
        doc = resp.json()
        assert set(doc) >= KEYS
        if "artifacts" in path:
            assert doc["status"] == "invalid" and doc["valid"] is False and doc["rows"] == []
            assert message in doc["validation_errors"][0]["message"]
    diff = httpx.get(f"{url}/api/artifacts/clock/diff?from=HEAD&to=HEAD", timeout=10)
    assert diff.status_code == 200


def test_openapi_documents_ref_and_key_as_validated(url: str) -> None:
    spec = httpx.get(f"{url}/openapi.json", timeout=10).json()
    params = {
        p["name"]: p["schema"]
        for op in spec["paths"]["/api/artifacts/{name}"].values()
        for p in op["parameters"]
    }
    ref, key = params["ref"], params["key"]
    assert (ref["pattern"], ref["maxLength"]) == (REF_PATTERN, 200)
    assert (key["pattern"], key["maxLength"]) == (KEY_PATTERN, 81)
    for code in ("400", "404", "405", "414", "431"):
        assert code in spec["paths"]["/api/artifacts/{name}"]["get"]["responses"]


def matches(pattern: str, text: str) -> bool:
    """ECMA 262 semantics of an OpenAPI pattern: ``$`` is the very end (Python's ``\\Z``)."""
    return re.search(pattern.removesuffix("$") + r"\Z", text) is not None


REF_TEXT = st.text(alphabet="ab09_./~^-:@{} \\", max_size=30) | st.from_regex(REF_PATTERN)


@settings(max_examples=400, deadline=None)
@given(REF_TEXT)
def test_ref_pattern_accepts_exactly_what_parse_ref_accepts(text: str) -> None:
    try:
        parse_ref(text)
        accepted = True
    except BadRefError:
        accepted = False
    assert accepted == (matches(REF_PATTERN, text) and len(text) <= 200)


def key_accepted(key: str) -> bool:
    try:
        safe_relpath(registry.get("ticket_result").path_for(key))
    except ValueError:
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="aZ09._/-~ ", max_size=90) | st.from_regex(KEY_PATTERN))
def test_key_pattern_accepts_exactly_what_the_resolver_accepts(key: str) -> None:
    assert key_accepted(key) == matches(KEY_PATTERN, key)
