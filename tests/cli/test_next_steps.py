"""``krx next-steps`` (what ``make run`` ends with): commit and push, cockpit, report — and
where the checkout stands (changed artifacts, commits not pushed), read from real git."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import registry
from pipeline.cli import main as krx
from tests.conftest import git

FLAT = registry.get("backtest_dvc_metrics").path


def test_next_steps_say_what_to_do_and_where_the_checkout_stands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    root = tmp_path / "pc"
    git(tmp_path, "clone", "-q", str(origin), str(root))
    (root / "notes.txt").write_text("x\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    git(root, "push", "-q", "-u", "origin", "main")
    (root / FLAT).parent.mkdir(parents=True)
    (root / FLAT).write_text("{}\n", encoding="utf-8")
    assert krx(["-C", str(root), "next-steps"]) == 0
    out = capsys.readouterr().out
    assert "krx commit --owner PC --produced && git pull --rebase && git push origin HEAD" in out
    assert "now: 1 changed artifact file(s), 0 commit(s) not pushed" in out
    assert "make cockpit" in out and "http://127.0.0.1:8501" in out and "krx tunnel" in out
    report = (root / registry.get("report_html").path).resolve().as_uri()
    assert report in out
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "artifact(pc): metrics")
    assert krx(["-C", str(root), "next-steps"]) == 0
    assert "now: 0 changed artifact file(s), 1 commit(s) not pushed" in capsys.readouterr().out


def test_next_steps_outside_git(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert krx(["-C", str(tmp_path), "next-steps"]) == 0
    assert "not a git checkout" in capsys.readouterr().out
