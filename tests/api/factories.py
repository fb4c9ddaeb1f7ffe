"""Factories for resolver tests: valid artifacts and real git repositories.

``GitRepo`` writes and commits in one call (``git`` subprocesses, like an operator would);
``GitRepo.bulk`` lands many commits at once through ``git fast-import`` for deep histories.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline.canonical import canonical_bytes
from pipeline.registry import get

SEOUL = dt.timezone(dt.timedelta(hours=9))
Content = bytes | str | Mapping[str, Any] | None


def _bytes(content: bytes | str | Mapping[str, Any]) -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode("utf-8")
    return canonical_bytes(dict(content))


def make_clock(asof: dt.date, seq: int = 0) -> dict[str, Any]:
    """A valid ``clock/v1`` artifact; ``seq`` varies generated_at so versions differ."""
    doc = {
        "schema": "clock/v1",
        "asof": asof.isoformat(),
        "generated_at": (
            dt.datetime.combine(asof, dt.time(16, 0), SEOUL) + dt.timedelta(seconds=seq)
        ).isoformat(),
        "producer": {"stage": "clock", "host": "PC", "code_sha": None},
        "params_sha256": None,
        "inputs": [],
    }
    _check("clock", doc)
    return doc


def _check(name: str, doc: dict[str, Any]) -> None:
    """Fail early (in the factory, not in the resolver under test) if the model moved on."""
    spec = get(name)
    assert spec.model is not None
    spec.model.model_validate(doc)


def make_prices_meta(asof: dt.date, seq: int = 0, months: int = 75) -> dict[str, Any]:
    """A valid ``prices_meta/v1`` artifact; 75 months of partitions make a 20 KB file."""
    partitions = []
    day = dt.date(2020, 1, 2)
    for i in range(months):
        y, m = 2020 + (i // 12), i % 12 + 1
        partitions.append(
            {
                "key": f"{y}/{y}-{m:02d}",
                "path": f"data/prices/{y}/{y}-{m:02d}.parquet",
                "rows": 20 + seq % 3,
                "first_date": dt.date(y, m, 1).isoformat(),
                "last_date": dt.date(y, m, 28).isoformat(),
                "sha256": f"{(i * 7919 + seq) % 16**8:08x}" * 8,
            }
        )
    bars = sum(p["rows"] for p in partitions)
    doc = {
        "schema": "prices_meta/v1",
        "asof": asof.isoformat(),
        "generated_at": dt.datetime.combine(asof, dt.time(16, 0), SEOUL).isoformat(),
        "producer": {"stage": "ingest", "host": "PC", "code_sha": None},
        "params_sha256": None,
        "inputs": [],
        "source": "sample",
        "synthetic": True,
        "source_note": f"합성 표본 데이터 (seq {seq})",
        "first_date": day.isoformat(),
        "last_date": asof.isoformat(),
        "bars": bars,
        "universe": [
            {
                "ticker": "069500",
                "name": "KODEX 200",
                "type": "ETF",
                "first_date": day.isoformat(),
                "last_date": asof.isoformat(),
                "bars": bars,
            }
        ],
        "partitions": partitions,
    }
    _check("prices_meta", doc)
    return doc


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


def loads(raw: bytes) -> Any:
    return json.loads(raw.decode("utf-8"))
