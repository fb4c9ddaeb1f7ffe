"""An injected store for git (STYLE §3): read committed files by commit, walk a file's history.

One small interface, three implementations, in the shape of httpx's pluggable transports:

* ``GitStore`` (in ``pipeline.io.gitstore``) — a pygit2 repository kept open for the life of
  the process (a ref plus a 20 KB blob cost ~0.1 ms; gitpython/dulwich/``git`` cost 100x more).
* ``WorkTreeStore`` — the files on disk as one pseudo-commit ``WORKTREE`` (stages, dry runs).
* ``MemoryStore`` — commits held in dicts, for pure tests of code that takes a ``Store``.

Commit ids are opaque strings to callers (40-hex for git). Every method takes a commit that a
``resolve_name`` call returned, so a reader that resolves once and reads many paths at that commit
sees exactly one snapshot: git publishes a commit's objects before its ref moves, so a resolved
commit is complete and immutable (no torn reads).

Ref *syntax* is not parsed here: ``resolve_name`` takes one plain name (a full or abbreviated
commit id, a branch, a tag, a remote-tracking branch or ``HEAD``); ancestry steps such as ``~900``
are walked by the caller with ``parents`` (see ``ops_api.refs``), so they can be cached per
immutable base commit.

Every version of a file in a window of history (what reconcile needs)::

    store = GitStore(root)
    start, after = store.resolve_name("main"), None
    while True:
        page = store.history(path, start, after=after, limit=50, scan_limit=5000)
        recent = [v for v in page.versions if v.committed_at >= window_start]
        for v in recent:  # newest first; v.oid is None where a commit deleted the file
            blob = store.read(v.commit, path)
        if page.resume_after is None or len(recent) < len(page.versions):
            break
        after = page.resume_after
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol

WORKTREE = "WORKTREE"
HEX_RE = re.compile(r"[0-9a-f]{4,40}")
#: Where a short name is looked up, in git's own order (``git rev-parse`` "dwim" rules).
REF_PREFIXES = ("refs/", "refs/tags/", "refs/heads/", "refs/remotes/")


class StoreError(Exception):
    """Base of store errors."""


class RefNotFoundError(StoreError):
    """The name does not resolve to a commit."""


class AmbiguousRefError(StoreError):
    """An abbreviated commit id matches more than one object."""


@dataclass(frozen=True)
class Blob:
    """A file's bytes at one commit; ``oid`` identifies the content (git blob id)."""

    oid: str
    data: bytes


@dataclass(frozen=True)
class CommitInfo:
    commit: str
    parents: tuple[str, ...]
    committed_at: dt.datetime  # aware, in the committer's offset
    subject: str


@dataclass(frozen=True)
class Version:
    """One commit at which a path changed; ``oid`` is None when the commit deleted it."""

    commit: str
    oid: str | None
    committed_at: dt.datetime
    subject: str


@dataclass(frozen=True)
class HistoryPage:
    versions: tuple[Version, ...]
    #: Last commit examined if the walk stopped early (resume with ``after=``), else None.
    resume_after: str | None


@dataclass(frozen=True)
class Head:
    commit: str | None  # None on an unborn branch
    branch: str | None  # None when HEAD is detached


class Store(Protocol):
    """Read-only access to committed files."""

    def resolve_name(self, name: str) -> str:
        """Commit id of a plain name (commit id or abbreviation, branch, tag, ``HEAD``).

        Raises RefNotFoundError, or AmbiguousRefError for an abbreviation matching several objects.
        """
        ...

    def parents(self, commit: str) -> tuple[str, ...]:
        """Parent commit ids, first parent first."""
        ...

    def commit_info(self, commit: str) -> CommitInfo: ...

    def read(self, commit: str, path: str) -> Blob | None:
        """The file at repo-relative ``path`` in ``commit``; None if absent or not a file."""
        ...

    def oid(self, commit: str, path: str) -> str | None:
        """Content id of ``path`` in ``commit`` without reading the bytes (None if absent)."""
        ...

    def list_files(self, commit: str, directory: str, limit: int) -> list[str]:
        """Repo-relative paths of files under ``directory`` (recursive, sorted, at most limit)."""
        ...

    def history(
        self, path: str, start: str, *, after: str | None, limit: int, scan_limit: int
    ) -> HistoryPage:
        """Commits reachable from ``start`` that changed ``path``, newest first.

        ``after`` resumes a previous walk after that commit (exclusive). The walk stops when
        ``limit`` versions were found or ``scan_limit`` commits were examined; ``resume_after``
        then names the last commit examined. A merge counts as a change only if ``path``
        differs from every parent (git log's default history simplification).
        """
        ...

    def head(self) -> Head: ...

    def dirty_paths(self, limit: int) -> tuple[list[str], int]:
        """Up to ``limit`` tracked paths with uncommitted changes, and the total count."""
        ...


def safe_relpath(path: str) -> str:
    """``path`` if it is a clean repo-relative POSIX path; ValueError otherwise."""
    pure = PurePosixPath(path)
    if (
        not path
        or path != pure.as_posix()
        or pure.is_absolute()
        or any(part in ("", ".", "..") for part in pure.parts)
        or "\\" in path
        or "\x00" in path
    ):
        raise ValueError(f"not a clean repo-relative path: {path!r}")
    return path


def changed_path(here: str | None, parents: list[str | None]) -> bool:
    """Whether a commit changed a path: ``here`` is its blob id there (None: absent), ``parents``
    the ids in its parents. A root commit changes a path it holds; another commit only if the
    blob differs from every parent (git log's default history simplification for merges).
    """
    if not parents:
        return here is not None
    return all(here != p for p in parents)


# --------------------------------------------------------------------------- working tree


class WorkTreeStore:
    """The files on disk as a single pseudo-commit ``WORKTREE`` with no history."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()

    def _check(self, commit: str) -> None:
        if commit != WORKTREE:
            raise RefNotFoundError(f"{commit}: a working tree has only {WORKTREE}")

    def _file(self, path: str) -> Path | None:
        full = (self.root / safe_relpath(path)).resolve()
        # A symlink must not lead outside the tree.
        if not full.is_relative_to(self.root) or not full.is_file():
            return None
        return full

    def resolve_name(self, name: str) -> str:
        if name not in (WORKTREE, "HEAD"):
            raise RefNotFoundError(f"{name}: a working tree has only {WORKTREE}")
        return WORKTREE

    def parents(self, commit: str) -> tuple[str, ...]:
        self._check(commit)
        return ()

    def commit_info(self, commit: str) -> CommitInfo:
        self._check(commit)
        now = dt.datetime.now(dt.UTC)
        return CommitInfo(WORKTREE, (), now, "working tree")

    def read(self, commit: str, path: str) -> Blob | None:
        self._check(commit)
        full = self._file(path)
        if full is None:
            return None
        data = full.read_bytes()
        return Blob(oid=_blob_oid(data), data=data)

    def oid(self, commit: str, path: str) -> str | None:
        blob = self.read(commit, path)
        return None if blob is None else blob.oid

    def list_files(self, commit: str, directory: str, limit: int) -> list[str]:
        self._check(commit)
        base = self.root / safe_relpath(directory) if directory else self.root
        out: list[str] = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != ".git")
            for fname in sorted(filenames):
                rel = (Path(dirpath) / fname).relative_to(self.root).as_posix()
                if self._file(rel) is not None:
                    out.append(rel)
                if len(out) >= limit:
                    return sorted(out)
        return sorted(out)

    def history(
        self, path: str, start: str, *, after: str | None, limit: int, scan_limit: int
    ) -> HistoryPage:
        self._check(start)
        blob = self.read(start, path)
        if after is not None or blob is None or limit < 1:
            return HistoryPage((), None)
        info = self.commit_info(start)
        return HistoryPage((Version(WORKTREE, blob.oid, info.committed_at, info.subject),), None)

    def head(self) -> Head:
        return Head(commit=WORKTREE, branch=None)

    def dirty_paths(self, limit: int) -> tuple[list[str], int]:
        return [], 0


def _blob_oid(data: bytes) -> str:
    """The git blob id of ``data`` (so ids agree with GitStore for the same bytes)."""
    return hashlib.sha1(b"blob %d\x00" % len(data) + data, usedforsecurity=False).hexdigest()


# --------------------------------------------------------------------------- in memory


@dataclass
class _MemCommit:
    parents: tuple[str, ...]
    files: dict[str, bytes]
    info: CommitInfo


@dataclass
class MemoryStore:
    """Commits held in dicts; ``commit()`` adds one on a branch (for tests)."""

    commits: dict[str, _MemCommit] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # "refs/heads/main" -> commit
    head_branch: str = "main"

    def commit(
        self,
        files: Mapping[str, bytes | None],
        subject: str = "commit",
        *,
        branch: str | None = None,
        when: dt.datetime | None = None,
    ) -> str:
        """Commit ``files`` (None deletes) on top of ``branch``; returns the new commit id."""
        ref = f"refs/heads/{branch or self.head_branch}"
        parent = self.refs.get(ref)
        tree = dict(self.commits[parent].files) if parent else {}
        for path, data in files.items():
            if data is None:
                tree.pop(safe_relpath(path), None)
            else:
                tree[safe_relpath(path)] = data
        when = when or dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
            minutes=len(self.commits)
        )
        seed = f"{parent}|{sorted((p, _blob_oid(d)) for p, d in tree.items())}|{subject}|{when}"
        cid = hashlib.sha1(seed.encode(), usedforsecurity=False).hexdigest()
        parents = (parent,) if parent else ()
        self.commits[cid] = _MemCommit(parents, tree, CommitInfo(cid, parents, when, subject))
        self.refs[ref] = cid
        return cid

    def _get(self, commit: str) -> _MemCommit:
        try:
            return self.commits[commit]
        except KeyError:
            raise RefNotFoundError(commit) from None

    def resolve_name(self, name: str) -> str:
        if name == "HEAD":
            name = f"refs/heads/{self.head_branch}"
        candidates = [name] if name.startswith("refs/") else [p + name for p in REF_PREFIXES]
        for ref in candidates:
            if ref in self.refs:
                return self.refs[ref]
        if HEX_RE.fullmatch(name):
            hits = [c for c in self.commits if c.startswith(name)]
            if len(hits) > 1:
                raise AmbiguousRefError(f"{name} matches several objects")
            if hits:
                return hits[0]
        raise RefNotFoundError(name)

    def parents(self, commit: str) -> tuple[str, ...]:
        return self._get(commit).parents

    def commit_info(self, commit: str) -> CommitInfo:
        return self._get(commit).info

    def read(self, commit: str, path: str) -> Blob | None:
        data = self._get(commit).files.get(safe_relpath(path))
        return None if data is None else Blob(_blob_oid(data), data)

    def oid(self, commit: str, path: str) -> str | None:
        blob = self.read(commit, path)
        return None if blob is None else blob.oid

    def list_files(self, commit: str, directory: str, limit: int) -> list[str]:
        prefix = f"{safe_relpath(directory)}/" if directory else ""
        return sorted(p for p in self._get(commit).files if p.startswith(prefix))[:limit]

    def history(
        self, path: str, start: str, *, after: str | None, limit: int, scan_limit: int
    ) -> HistoryPage:
        # Linear first-parent history is all tests need from the in-memory store.
        order: list[str] = []
        cur: str | None = start
        while cur is not None:
            order.append(cur)
            ps = self._get(cur).parents
            cur = ps[0] if ps else None
        if after is not None:
            if after not in order:
                raise RefNotFoundError(f"{after} is not reachable from {start}")
            order = order[order.index(after) + 1 :]
        versions: list[Version] = []
        for i, cid in enumerate(order):
            here = self.oid(cid, path)
            if changed_path(here, [self.oid(p, path) for p in self._get(cid).parents]):
                info = self._get(cid).info
                versions.append(Version(cid, here, info.committed_at, info.subject))
            if len(versions) >= limit or i + 1 >= scan_limit:
                return HistoryPage(tuple(versions), cid if i + 1 < len(order) else None)
        return HistoryPage(tuple(versions), None)

    def head(self) -> Head:
        return Head(self.refs.get(f"refs/heads/{self.head_branch}"), self.head_branch)

    def dirty_paths(self, limit: int) -> tuple[list[str], int]:
        return [], 0
