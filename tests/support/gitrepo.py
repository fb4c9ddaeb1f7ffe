"""A real git repository that writes and commits in one call, and bare origins with clones.

``GitRepo.commit`` writes and commits (``git`` subprocesses, like an operator would, with
fixed dates so ids are reproducible); ``GitRepo.bulk`` lands many commits at once through
``git fast-import`` for deep histories.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline.canonical import canonical_bytes
from tests.support import codecache

Content = bytes | str | Mapping[str, Any] | None


def _bytes(content: bytes | str | Mapping[str, Any]) -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode("utf-8")
    return canonical_bytes(dict(content))


class GitRepo:
    """A real git repository in a temp folder."""

    def __init__(self, path: Path, branch: str = "main") -> None:
        self.path = path
        self.branch = branch
        self._tick = 0
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", branch)

    def _env(self) -> dict[str, str]:
        when = f"@{1_790_000_000 + self._tick * 60} +0900"
        return {
            **os.environ,
            "GIT_AUTHOR_NAME": "test",
            "GIT_AUTHOR_EMAIL": "test@example.invalid",
            "GIT_COMMITTER_NAME": "test",
            "GIT_COMMITTER_EMAIL": "test@example.invalid",
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_DATE": when,
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(self.path),
        }

    def git(self, *args: str, stdin: bytes | None = None) -> str:
        out = subprocess.run(
            ["git", "-C", str(self.path), *args],
            input=stdin,
            capture_output=True,
            env=self._env(),
            check=True,
            timeout=120,
        )
        return out.stdout.decode("utf-8").strip()

    def commit(self, files: Mapping[str, Content], message: str = "commit") -> str:
        """Write ``files`` (None deletes) and commit them; returns the new commit id."""
        self._tick += 1
        for rel, content in files.items():
            full = self.path / rel
            if content is None:
                full.unlink()
                continue
            full.parent.mkdir(parents=True, exist_ok=True)
            full.write_bytes(_bytes(content))
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def bulk(self, commits: Iterable[tuple[Mapping[str, Content], str]]) -> list[str]:
        """Append many commits to the branch with ``git fast-import``; returns their ids."""
        parent = self.git("rev-parse", "--verify", "-q", "HEAD") if self.has_commits() else None
        chunks: list[bytes] = []
        marks: list[int] = []
        for i, (files, message) in enumerate(commits, start=1):
            self._tick += 1
            msg = message.encode("utf-8")
            when = f"{1_790_000_000 + self._tick * 60} +0900".encode()
            chunks.append(f"commit refs/heads/{self.branch}\nmark :{i}\n".encode())
            chunks.append(b"committer test <test@example.invalid> " + when + b"\n")
            chunks.append(b"data %d\n%s\n" % (len(msg), msg))
            if i == 1 and parent:
                chunks.append(f"from {parent}\n".encode())
            for rel, content in files.items():
                if content is None:
                    chunks.append(f"D {rel}\n".encode())
                else:
                    data = _bytes(content)
                    chunks.append(f"M 100644 inline {rel}\n".encode())
                    chunks.append(b"data %d\n%s\n" % (len(data), data))
            marks.append(i)
        chunks.append(b"done\n")
        self.git("fast-import", "--quiet", "--done", stdin=b"".join(chunks))
        self.git("checkout", "-q", "-f", self.branch)
        ids = self.git("rev-list", f"--max-count={len(marks)}", self.branch).split("\n")
        return list(reversed(ids))

    def write(self, files: Mapping[str, Content], commit: str | None = None) -> str | None:
        """Write ``files``; with a ``commit`` message also commit them (dvc's ``scm_gen``)."""
        if commit is not None:
            return self.commit(files, commit)
        for rel, content in files.items():
            full = self.path / rel
            if content is None:
                full.unlink()
            else:
                full.parent.mkdir(parents=True, exist_ok=True)
                full.write_bytes(_bytes(content))
        return None

    def has_commits(self) -> bool:
        try:
            self.git("rev-parse", "--verify", "-q", "HEAD")
        except subprocess.CalledProcessError:
            return False
        return True

    def show(self, commit: str, rel: str) -> bytes:
        out = subprocess.run(
            ["git", "-C", str(self.path), "show", f"{commit}:{rel}"],
            capture_output=True,
            check=True,
            timeout=30,
        )
        return out.stdout


def bare_origin(seed: Path, dest: Path) -> Path:
    """A bare clone of ``seed`` at ``dest`` (the shared remote of a PC and a server)."""
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(seed), str(dest)], check=True, capture_output=True
    )
    return dest


def clone(origin: Path, dest: Path) -> Path:
    """A working clone of ``origin`` at ``dest`` (with the session's compiled caches when it
    holds the project's packages: tests/support/codecache.py)."""
    subprocess.run(["git", "clone", "-q", str(origin), str(dest)], check=True, capture_output=True)
    codecache.warm(dest)
    return dest
