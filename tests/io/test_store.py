"""The store interface: GitStore, WorkTreeStore and MemoryStore agree on the same history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.io.gitstore import GitStore
from pipeline.io.store import (
    WORKTREE,
    AmbiguousRefError,
    MemoryStore,
    RefNotFoundError,
    Store,
    WorkTreeStore,
    safe_relpath,
)
from tests.support.gitrepo import GitRepo

HISTORY: list[dict[str, bytes | None]] = [
    {"a.json": b"1", "dir/b.txt": b"x"},
    {"other.txt": b"o"},
    {"a.json": b"2"},
    {"dir/b.txt": None},
    {"a.json": b"3", "dir/sub/c.txt": b"c"},
]


@pytest.fixture
def stores(tmp_path: Path) -> tuple[GitStore, MemoryStore, list[str], list[str]]:
    repo = GitRepo(tmp_path / "r")
    mem = MemoryStore()
    git_ids = [repo.commit(files, f"c{i}") for i, files in enumerate(HISTORY)]
    mem_ids = [mem.commit(files, f"c{i}") for i, files in enumerate(HISTORY)]
    return GitStore(repo.path), mem, git_ids, mem_ids


def _check(store: Store, ids: list[str]) -> None:
    assert store.resolve_name("HEAD") == ids[-1] == store.resolve_name("main")
    assert store.resolve_name("refs/heads/main") == ids[-1]
    assert store.resolve_name(ids[1][:10]) == ids[1]
    assert store.parents(ids[2]) == (ids[1],) and store.parents(ids[0]) == ()
    blob = store.read(ids[2], "a.json")
    assert blob is not None and blob.data == b"2"
    assert store.oid(ids[2], "a.json") == blob.oid
    assert store.read(ids[3], "dir/b.txt") is None
    assert store.read(ids[0], "dir") is None  # a tree is not a file
    assert store.list_files(ids[4], "dir", 100) == ["dir/sub/c.txt"]
    assert store.list_files(ids[4], "", 2) == sorted(store.list_files(ids[4], "", 2))
    page = store.history("a.json", ids[-1], after=None, limit=10, scan_limit=100)
    assert [v.commit for v in page.versions] == [ids[4], ids[2], ids[0]]
    assert page.resume_after is None
    page = store.history("dir/b.txt", ids[-1], after=None, limit=10, scan_limit=100)
    assert [(v.commit, v.oid is None) for v in page.versions] == [(ids[3], True), (ids[0], False)]
    first = store.history("a.json", ids[-1], after=None, limit=1, scan_limit=100)
    assert [v.commit for v in first.versions] == [ids[4]] and first.resume_after == ids[4]
    rest = store.history("a.json", ids[-1], after=first.resume_after, limit=10, scan_limit=100)
    assert [v.commit for v in rest.versions] == [ids[2], ids[0]]
    budget = store.history("a.json", ids[-1], after=None, limit=10, scan_limit=2)
    assert [v.commit for v in budget.versions] == [ids[4]] and budget.resume_after == ids[3]
    with pytest.raises(RefNotFoundError):
        store.resolve_name("nope")
    with pytest.raises(RefNotFoundError):
        store.history("a.json", ids[0], after=ids[4], limit=1, scan_limit=10)
    with pytest.raises(ValueError, match="clean"):
        store.read(ids[0], "../etc/passwd")
    assert store.head().commit == ids[-1] and store.head().branch == "main"
    assert store.commit_info(ids[1]).subject == "c1"


def test_git_and_memory_stores_agree(
    stores: tuple[GitStore, MemoryStore, list[str], list[str]],
) -> None:
    git, mem, git_ids, mem_ids = stores
    _check(git, git_ids)
    _check(mem, mem_ids)
    # Blob ids are git's in every implementation.
    assert git.oid(git_ids[4], "a.json") == mem.oid(mem_ids[4], "a.json")


def test_git_store_tags_and_non_commits(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    c1 = repo.commit({"a.json": "1"})
    repo.commit({"a.json": "2"})
    repo.git("tag", "-a", "t1", "-m", "annotated", c1)
    repo.git("tag", "light", c1)
    store = GitStore(repo.path)
    assert store.resolve_name("t1") == c1 == store.resolve_name("light")
    assert store.resolve_name("refs/tags/t1") == c1
    tree = repo.git("rev-parse", f"{c1}^{{tree}}")
    blob = repo.git("rev-parse", f"{c1}:a.json")
    # A tree or blob id is not a commit: a ref can never be used to read arbitrary objects.
    for oid in (tree, blob):
        with pytest.raises(RefNotFoundError):
            store.resolve_name(oid)


def test_git_store_sees_commits_from_other_processes(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"a.json": "1"})
    store = GitStore(repo.path)
    assert store.read(store.resolve_name("main"), "a.json").data == b"1"  # type: ignore[union-attr]
    repo.git("gc", "-q")  # objects move into a pack
    c2 = repo.commit({"a.json": "2"})
    assert store.resolve_name("main") == c2
    assert store.read(c2, "a.json").data == b"2"  # type: ignore[union-attr]


def test_git_store_dirty_paths(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.commit({"a.json": "1", "b.json": "2"})
    store = GitStore(repo.path)
    assert store.dirty_paths(10) == ([], 0)
    (repo.path / "a.json").write_text("changed")
    (repo.path / "untracked.txt").write_text("u")
    assert store.dirty_paths(10) == (["a.json"], 1)


def test_memory_store_ambiguous_prefix() -> None:
    mem = MemoryStore()
    seen: set[str] = set()
    for i in range(5000):  # birthday bound: a shared 4-hex prefix comes after ~300 commits
        prefix = mem.commit({"a": str(i).encode()}, f"c{i}")[:4]
        if prefix in seen:
            break
        seen.add(prefix)
    with pytest.raises(AmbiguousRefError):
        mem.resolve_name(prefix)


def test_worktree_store(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.json").write_bytes(b"{}")
    outside = tmp_path.parent / f"{tmp_path.name}-secret"
    outside.write_text("secret")
    (tmp_path / "d" / "link").symlink_to(outside)
    store = WorkTreeStore(tmp_path)
    assert store.resolve_name("HEAD") == WORKTREE
    blob = store.read(WORKTREE, "d/x.json")
    assert blob is not None and blob.data == b"{}"
    assert store.read(WORKTREE, "d/link") is None  # symlink out of the tree
    assert store.list_files(WORKTREE, "d", 10) == ["d/x.json"]
    page = store.history("d/x.json", WORKTREE, after=None, limit=5, scan_limit=5)
    assert [v.oid for v in page.versions] == [blob.oid]
    with pytest.raises(RefNotFoundError):
        store.resolve_name("main")
    assert store.commit_info(WORKTREE).committed_at.tzinfo is not None
    assert isinstance(store.commit_info(WORKTREE).committed_at, dt.datetime)


@pytest.mark.parametrize("bad", ["", "/etc/passwd", "a/../b", "./a", "a//b", "a/", "a\\b", "a\x00"])
def test_safe_relpath_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="clean"):
        safe_relpath(bad)
