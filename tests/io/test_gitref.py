"""Where an input came from in git: one batched answer for many paths (pipeline.io.gitref)."""

from __future__ import annotations

from pathlib import Path

from pipeline.io.gitref import committed_at, committed_many, snapshot_ref
from tests.conftest import git


def test_only_tracked_unchanged_files_carry_the_commit(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    for name in ("same.json", "edited.json", "staged.json", "a dir/spaced.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}\n", encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "one")
    head = git(tmp_path, "rev-parse", "HEAD")
    (tmp_path / "edited.json").write_text('{"x": 1}\n', encoding="utf-8")
    (tmp_path / "staged.json").write_text('{"y": 1}\n', encoding="utf-8")
    git(tmp_path, "add", "staged.json")
    (tmp_path / "new.json").write_text("{}\n", encoding="utf-8")
    rels = [
        "same.json",
        "edited.json",
        "staged.json",
        "new.json",
        "missing.json",
        "a dir/spaced.json",
    ]
    assert committed_many(tmp_path, rels, head) == {
        "same.json": head,
        "edited.json": None,
        "staged.json": None,
        "new.json": None,
        "missing.json": None,
        "a dir/spaced.json": head,
    }
    assert committed_at(tmp_path, "same.json", head) == head
    assert committed_many(tmp_path, rels, None) == dict.fromkeys(rels)
    assert snapshot_ref(tmp_path, "edited.json", head) == "WORKTREE:edited.json"
    assert snapshot_ref(tmp_path, "same.json", head) == f"{head}:same.json"
