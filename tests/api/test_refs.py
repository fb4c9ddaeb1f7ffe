"""Ref grammar and ref resolution caches (pure, over MemoryStore)."""

from __future__ import annotations

import pytest

from ops_api.refs import BadRefError, RefResolver, parse_ref
from pipeline.io.store import MemoryStore, RefNotFoundError


@pytest.mark.parametrize(
    ("text", "base", "steps"),
    [
        ("HEAD", "HEAD", ()),
        ("HEAD~900", "HEAD", (("~", 900),)),
        ("main^", "main", (("^", 1),)),
        ("v1.2.0~2^2", "v1.2.0", (("~", 2), ("^", 2))),
        ("refs/heads/feature/x", "refs/heads/feature/x", ()),
        ("deadbeef", "deadbeef", ()),
        ("HEAD~", "HEAD", (("~", 1),)),
        ("_tmp", "_tmp", ()),
    ],
)
def test_parse_accepts(text: str, base: str, steps: tuple[tuple[str, int], ...]) -> None:
    parsed = parse_ref(text)
    assert (parsed.base, parsed.steps) == (base, steps)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-x",
        "--upload-pack=evil",
        "..",
        "main..feature",
        "a/../b",
        "HEAD:secret.txt",
        "main@{1}",
        "main with space",
        "a//b",
        "a/.hidden",
        "main.lock",
        "main/",
        "main.",
        ".main",
        "/main",
        "x" * 201,
        "HEAD~100001",
        "HEAD" + "~1" * 17,
        "HEAD~x",
        "HEAD~1a",
        "ma~in",
        "ref\n",
        "ref\x00",
        "mäin",
    ],
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(BadRefError):
        parse_ref(text)


def _chain(n: int) -> tuple[MemoryStore, list[str]]:
    mem = MemoryStore()
    ids = [mem.commit({"a": str(i).encode()}, f"c{i}") for i in range(n)]
    return mem, ids


class CountingStore(MemoryStore):
    calls = 0

    def parents(self, commit: str) -> tuple[str, ...]:
        self.calls += 1
        return super().parents(commit)


def test_ancestry_is_cached_per_base_commit() -> None:
    store = CountingStore()
    ids = [store.commit({"a": str(i).encode()}, f"c{i}") for i in range(1000)]
    r = RefResolver(store)
    assert r.resolve(parse_ref("HEAD~900")).commit == ids[99]
    walked = store.calls
    assert walked == 900
    assert r.resolve(parse_ref("HEAD~900")).commit == ids[99]
    assert store.calls == walked  # no walk: (HEAD commit, ~900) is immutable
    store.commit({"a": b"new"})
    assert r.resolve(parse_ref("HEAD~900")).commit == ids[100]  # HEAD moved: new key


def test_immutability_and_errors() -> None:
    mem, ids = _chain(5)
    r = RefResolver(mem)
    assert r.resolve(parse_ref(ids[2])).immutable
    assert r.resolve(parse_ref(ids[2][:7])).immutable
    assert r.resolve(parse_ref(f"{ids[2]}~1")).commit == ids[1]
    assert not r.resolve(parse_ref("main")).immutable
    assert not r.resolve(parse_ref("HEAD~1")).immutable
    with pytest.raises(RefNotFoundError, match="history ends"):
        r.resolve(parse_ref("HEAD~5"))
    with pytest.raises(RefNotFoundError, match="no parent 2"):
        r.resolve(parse_ref("HEAD^2"))
    assert r.resolve(parse_ref("HEAD^0")).commit == ids[-1]


def test_branch_named_like_hex_is_not_immutable() -> None:
    mem = MemoryStore()
    mem.commit({"a": b"1"}, branch="cafe")
    r = RefResolver(mem)
    assert not r.resolve(parse_ref("cafe")).immutable
