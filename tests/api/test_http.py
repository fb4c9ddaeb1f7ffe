"""The resolver over a real uvicorn server and a real 120-commit git repository."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest

from ops_api.models import Envelope
from pipeline.flows import WRITER_COMMANDS
from tests.api.conftest import Deep
from tests.api.factories import make_clock
from tests.support.gitrepo import GitRepo

KEYS = {"status", "schema", "asof", "commit", "ref", "path", "row_count", "rows", "error"}


def get(http: httpx.Client, url: str, **kw: Any) -> tuple[int, dict[str, Any], httpx.Response]:
    resp = http.get(url, **kw)
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    Envelope[Any].model_validate(body)  # one shape everywhere
    assert set(body) >= KEYS
    assert body["row_count"] == len(body["rows"])
    return resp.status_code, body, resp


# --------------------------------------------------------------------------- latest vs ?ref=


def test_latest_is_the_branch_head(deep_repo: Deep, deep_url: str, http: httpx.Client) -> None:
    code, body, resp = get(http, f"{deep_url}/api/artifacts/clock")
    assert code == 200 and body["status"] == "ok" and body["valid"] is True
    assert body["commit"] == deep_repo.commits[-1]
    assert body["ref"] == "main" and body["path"] == "data/asof.json"
    raw = deep_repo.repo.show(deep_repo.commits[-1], "data/asof.json")
    assert body["rows"] == [json.loads(raw)]
    assert body["schema"] == "clock/v1" and body["asof"] == body["rows"][0]["asof"]
    assert resp.headers["cache-control"] == "public, max-age=5"


@pytest.mark.parametrize(
    ("ref", "index", "immutable"),
    [
        ("FULL", 30, True),
        ("SHORT", 30, True),
        ("HEAD", 119, False),
        ("HEAD~0", 119, False),
        ("HEAD~1", 118, False),
        ("HEAD~100", 19, False),
        ("main~5", 114, False),
        ("main^", 118, False),
        ("HEAD^^~2", 115, False),
        ("feature", 20, False),
        ("refs/heads/feature", 20, False),
        ("v1", 10, False),
        ("v1~3", 7, False),
    ],
)
def test_ref_forms(
    deep_repo: Deep, deep_url: str, http: httpx.Client, ref: str, index: int, immutable: bool
) -> None:
    sha = deep_repo.commits[index]
    ref = {"FULL": sha, "SHORT": sha[:8]}.get(ref, ref)
    code, body, resp = get(http, f"{deep_url}/api/artifacts/clock", params={"ref": ref})
    assert code == 200 and body["commit"] == sha and body["ref"] == ref
    assert body["rows"] == [json.loads(deep_repo.repo.show(sha, "data/asof.json"))]
    long = "public, max-age=31536000, immutable"
    assert (resp.headers["cache-control"] == long) is immutable


def test_artifact_absent_at_an_old_ref_is_no_data(
    deep_repo: Deep, deep_url: str, http: httpx.Client
) -> None:
    # The feature branch has no prices_meta change after 20, but commit 0 has it; commit 1..4
    # have it too. A path never committed at a ref -> 200 no_data ARTIFACT_ABSENT.
    tmp_ref = deep_repo.commits[0]
    code, body, _ = get(http, f"{deep_url}/api/artifacts/prices_meta", params={"ref": tmp_ref})
    assert code == 200 and body["status"] == "ok"
    code, body, _ = get(http, f"{deep_url}/api/artifacts/prices", params={"key": "2020/2020-01"})
    assert code == 200 and body["status"] == "no_data" and body["rows"] == []
    assert body["error"]["code"] == "ARTIFACT_ABSENT"


# --------------------------------------------------------------------------- history and diff


def test_history_pages_with_a_cursor(deep_repo: Deep, deep_url: str, http: httpx.Client) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": "7", **({"cursor": cursor} if cursor else {})}
        code, body, _ = get(http, f"{deep_url}/api/artifacts/clock/history", params=params)
        assert code == 200 and body["status"] == "ok"
        assert len(body["rows"]) <= 7
        seen += [row["commit"] for row in body["rows"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert pages < 20
    assert seen == list(reversed(deep_repo.clock_commits))
    assert pages == -(-len(seen) // 7)


def test_history_cursor_is_pinned_while_commits_land(tmp_path: Any, server_for: Any) -> None:
    repo = GitRepo(tmp_path / "r")
    first = [repo.commit({"data/asof.json": make_clock(dt.date(2026, 11, 2), i)}) for i in range(4)]
    url = server_for(repo.path)
    with httpx.Client(timeout=10) as http:
        _, page1, _ = get(http, f"{url}/api/artifacts/clock/history", params={"limit": 2})
        repo.commit({"data/asof.json": make_clock(dt.date(2026, 11, 3), 99)})
        params = {"limit": 2, "cursor": page1["next_cursor"]}
        _, page2, _ = get(http, f"{url}/api/artifacts/clock/history", params=params)
    got = [r["commit"] for r in page1["rows"] + page2["rows"]]
    assert got == list(reversed(first))
    assert page2["next_cursor"] is None


def test_history_from_a_ref(deep_repo: Deep, deep_url: str, http: httpx.Client) -> None:
    _, body, resp = get(
        http,
        f"{deep_url}/api/artifacts/clock/history",
        params={"ref": deep_repo.commits[10], "limit": 500},
    )
    assert [r["commit"] for r in body["rows"]] == [deep_repo.commits[i] for i in (9, 6, 3, 0)]
    assert "immutable" in resp.headers["cache-control"]


def test_diff_between_refs(deep_repo: Deep, deep_url: str, http: httpx.Client) -> None:
    a, b = deep_repo.clock_commits[-2], deep_repo.clock_commits[-1]
    params = {"from": a, "to": b}
    _, body, _ = get(http, f"{deep_url}/api/artifacts/clock/diff", params=params)
    old = json.loads(deep_repo.repo.show(a, "data/asof.json"))
    new = json.loads(deep_repo.repo.show(b, "data/asof.json"))
    changed = {k for k in old if old[k] != new[k]}
    assert {r["pointer"].lstrip("/") for r in body["rows"]} == changed
    assert body["base_commit"] == a and body["commit"] == b and body["truncated"] is False
    for row in body["rows"]:
        key = row["pointer"].lstrip("/")
        assert (row["op"], row["old"], row["new"]) == ("replace", old[key], new[key])
    # Same blob at both refs: no changes.
    _, same, _ = get(http, f"{deep_url}/api/artifacts/clock/diff", params={"from": "HEAD"})
    assert same["rows"] == [] and same["status"] == "ok"


# --------------------------------------------------------------------------- error paths

ERRORS = [
    ("/api/artifacts/nope", {}, 404, "UNKNOWN_ARTIFACT"),
    ("/api/artifacts/..%2f..%2fetc", {}, 404, "NOT_FOUND"),
    ("/api/artifacts/clock", {"ref": "no-such-branch"}, 404, "UNKNOWN_REF"),
    ("/api/artifacts/clock", {"ref": "0" * 40}, 404, "UNKNOWN_REF"),
    ("/api/artifacts/clock", {"ref": "HEAD~500"}, 404, "UNKNOWN_REF"),
    ("/api/artifacts/clock", {"ref": "HEAD^2"}, 404, "UNKNOWN_REF"),
    ("/api/artifacts/clock", {"ref": "HEAD:data/asof.json"}, 400, "BAD_REF"),
    ("/api/artifacts/clock", {"ref": "main..feature"}, 400, "BAD_REF"),
    ("/api/artifacts/clock", {"ref": "--output=/tmp/x"}, 400, "BAD_REF"),
    ("/api/artifacts/clock", {"ref": "a" * 201}, 400, "BAD_REF"),
    ("/api/artifacts/clock", {"ref": "main@{1}"}, 400, "BAD_REF"),
    ("/api/artifacts/clock", {"ref": "HEAD~999999"}, 400, "BAD_REF"),
    ("/api/artifacts/clock", {"ref": ""}, 400, "BAD_REF"),
    ("/api/artifacts/clock", {"key": "x"}, 400, "KEY_NOT_ALLOWED"),
    ("/api/artifacts/prices", {}, 400, "KEY_REQUIRED"),
    ("/api/artifacts/prices", {"key": "2020/../../../etc/passwd"}, 400, "BAD_KEY"),
    ("/api/artifacts/prices", {"key": "/etc/passwd"}, 400, "BAD_KEY"),
    ("/api/artifacts/clock/keys", {}, 400, "KEY_NOT_ALLOWED"),
    ("/api/artifacts/clock/history", {"cursor": "garbage"}, 400, "BAD_CURSOR"),
    ("/api/artifacts/clock/history", {"cursor": f"{'a' * 40}.{'b' * 40}"}, 400, "BAD_CURSOR"),
    ("/api/artifacts/clock/history", {"limit": "0"}, 400, "BAD_REQUEST"),
    ("/api/artifacts/clock/history", {"limit": "x"}, 400, "BAD_REQUEST"),
    ("/api/artifacts/clock/diff", {}, 400, "BAD_REQUEST"),
    ("/api/artifacts/clock/diff", {"from": "nope"}, 404, "UNKNOWN_REF"),
    ("/api/nothing/here", {}, 404, "NOT_FOUND"),
]


@pytest.mark.parametrize(("path", "params", "status", "code"), ERRORS)
def test_error_envelope(
    deep_url: str, http: httpx.Client, path: str, params: dict[str, str], status: int, code: str
) -> None:
    got, body, resp = get(http, f"{deep_url}{path}", params=params)
    assert (got, body["error"]["code"]) == (status, code), body
    assert body["status"] == "error" and body["rows"] == [] and body["error"]["message"]
    assert resp.headers["cache-control"] == "no-store" and "etag" not in resp.headers


def test_ambiguous_short_sha(tmp_path: Any, server_for: Any) -> None:
    repo = GitRepo(tmp_path / "r")
    ids = [repo.commit({"n.txt": str(i)}, f"c{i}") for i in range(300)]
    prefixes: dict[str, int] = {}
    for sha in ids:
        prefixes[sha[:4]] = prefixes.get(sha[:4], 0) + 1
    # 4 hex digits over 300 commits + their trees/blobs: some prefix is almost surely shared.
    blobs = repo.git("rev-list", "--objects", "--all").split("\n")
    counts: dict[str, int] = {}
    for line in blobs:
        counts[line[:4]] = counts.get(line[:4], 0) + 1
    shared = [p for p, n in counts.items() if n > 1]
    if not shared:
        pytest.skip("no shared 4-hex prefix in this repository")
    url = server_for(repo.path)
    with httpx.Client(timeout=10) as http:
        code, body, _ = get(http, f"{url}/api/artifacts/clock", params={"ref": shared[0]})
    assert (code, body["error"]["code"]) == (400, "AMBIGUOUS_REF")


def test_nothing_yet_is_no_data(repo: GitRepo, server_for: Any) -> None:
    url = server_for(repo.path)  # a repository without commits
    with httpx.Client(timeout=10) as http:
        for path in ("/api/artifacts/clock", "/api/ops/summary/latest", "/api/live/cycle/latest"):
            code, body, _ = get(http, url + path)
            assert code == 200 and body["status"] == "no_data" and body["rows"] == []
            assert body["error"]["code"] in ("NO_COMMITS", "NOT_REGISTERED")
        code, body, _ = get(http, url + "/api/ops/health")
        assert code == 200 and body["rows"][0]["repo"]["commit"] is None


def test_invalid_artifact_is_served_and_flagged(repo: GitRepo, server_for: Any) -> None:
    bad = make_clock(dt.date(2026, 11, 20))
    bad["asof"] = "not-a-date"
    repo.commit({"data/asof.json": bad, "data/prices/_meta.json": "{not json"})
    url = server_for(repo.path)
    with httpx.Client(timeout=10) as http:
        code, body, _ = get(http, f"{url}/api/artifacts/clock")
        assert code == 200 and body["status"] == "invalid" and body["valid"] is False
        assert body["rows"] == [bad]
        assert any(e["pointer"] == "/asof" for e in body["validation_errors"])
        code, body, _ = get(http, f"{url}/api/artifacts/prices_meta")
        assert body["status"] == "invalid" and body["rows"] == []
        assert "not JSON" in body["validation_errors"][0]["message"]


# --------------------------------------------------------------------------- read-only, caching


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize(
    ("path", "hint"),
    [
        ("/api/live/cycle/run?confirm=true", "krx stage live_cycle"),
        ("/api/ops/summary/regenerate?confirm=true", "krx stage ops_summary"),
        ("/api/ops/scheduler/latest", "bash deploy/oci/daily_ops.sh"),
        ("/api/artifacts/clock", "krx stage clock"),
        ("/api/artifacts/prices_meta", "krx stage ingest"),
        ("/api/artifacts/portfolio", WRITER_COMMANDS["operator"]),
        ("/anything", "bash deploy/oci/daily_ops.sh"),
    ],
)
def test_writes_are_405_with_a_hint(
    deep_url: str, http: httpx.Client, method: str, path: str, hint: str
) -> None:
    resp = http.request(method, deep_url + path, content=b"{}")
    assert resp.status_code == 405 and resp.headers["allow"] == "GET, HEAD"
    body = resp.json()
    assert body["error"]["code"] == "METHOD_NOT_ALLOWED" and body["error"]["hint"] == hint
    assert hint in body["error"]["message"]


def test_etag_and_304(deep_repo: Deep, deep_url: str, http: httpx.Client) -> None:
    url = f"{deep_url}/api/artifacts/prices_meta?ref={deep_repo.commits[50]}"
    first = http.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["cache-control"] == "public, max-age=31536000, immutable"
    again = http.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    weak = http.get(url, headers={"If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    other = http.get(url, headers={"If-None-Match": '"other"'})
    assert other.status_code == 200 and other.content == first.content
    latest = http.get(f"{deep_url}/api/artifacts/prices_meta")
    assert latest.headers["etag"] != etag  # commit and ref are part of the representation


@pytest.mark.parametrize("path", ["/api/artifacts/clock", "/api/artifacts/clock/history"])
def test_head_is_get_without_body(deep_url: str, http: httpx.Client, path: str) -> None:
    get_resp = http.get(deep_url + path)
    head = http.head(deep_url + path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get_resp.headers["etag"]


def test_latest_moves_with_new_commits(repo: GitRepo, server_for: Any) -> None:
    c1 = repo.commit({"data/asof.json": make_clock(dt.date(2026, 11, 19))})
    url = server_for(repo.path)
    with httpx.Client(timeout=10) as http:
        _, one, r1 = get(http, f"{url}/api/artifacts/clock")
        c2 = repo.commit({"data/asof.json": make_clock(dt.date(2026, 11, 20))})
        _, two, r2 = get(http, f"{url}/api/artifacts/clock")
    assert (one["commit"], two["commit"]) == (c1, c2)
    assert (one["asof"], two["asof"]) == ("2026-11-19", "2026-11-20")
    assert r1.headers["etag"] != r2.headers["etag"]


def test_catalog_lists_the_registry(deep_url: str, http: httpx.Client) -> None:
    from pipeline import registry

    _, body, _ = get(http, f"{deep_url}/api/artifacts")
    assert [r["name"] for r in body["rows"]] == registry.names()
    for row in body["rows"]:
        _, one, _ = get(
            http, deep_url + row["url"], params={"key": "2020/2020-01"} if row["collection"] else {}
        )
        assert one["name"] == row["name"]


def test_openapi_documents_every_route(deep_url: str, http: httpx.Client) -> None:
    spec = http.get(f"{deep_url}/openapi.json").json()
    assert "/api/artifacts/{name}/history" in spec["paths"]
    for path, ops in spec["paths"].items():
        assert set(ops) == {"get"}, path
        assert ops["get"].get("summary"), path
