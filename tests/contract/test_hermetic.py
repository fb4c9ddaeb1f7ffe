"""The guard that keeps the suite hermetic sees what it must and nothing else.

``make run`` rewrites the checkout's artifacts, so a test that reads them passes or fails
depending on whether (and when) someone ran the pipeline. tests/conftest.py fails such a test.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests import conftest
from tests.conftest import MUTABLE, ROOT, committed_artifacts, is_mutable


def _seen(event: str, *args: object) -> list[str]:
    before = len(conftest._TOUCHED)
    conftest._audit(event, args)
    seen = conftest._TOUCHED[before:]
    del conftest._TOUCHED[before:]
    return seen


def test_opening_a_checkout_artifact_is_caught_and_fails_the_test() -> None:
    with (ROOT / "dvc.lock").open("rb"):
        pass
    caught = list(conftest._TOUCHED)
    conftest._TOUCHED.clear()  # this test touched it on purpose; the others must not
    assert any("dvc.lock" in c for c in caught), caught


def test_every_mutable_root_is_guarded(tmp_path: Path) -> None:
    for rel in ("data/asof.json", "reports/backtest/metrics.json", "state/portfolio.json"):
        assert _seen("open", str(ROOT / rel), "r", 0)
        assert not _seen("open", str(tmp_path / rel), "r", 0)  # a copy is fine
    assert _seen("os.listdir", str(ROOT / "data"))
    assert not _seen("open", str(ROOT / "params.yaml"), "r", 0)  # code and config are not
    assert not _seen("open", str(ROOT / "pipeline" / "registry.py"), "r", 0)
    assert all(is_mutable(m.rstrip("/") + ("/x" if m.endswith("/") else "")) for m in MUTABLE)


def test_tools_pointed_at_the_checkout_are_caught(tmp_path: Path) -> None:
    exe = sys.executable
    assert _seen("subprocess.Popen", "dvc", ["dvc", "repro"], str(ROOT), None)
    assert _seen("subprocess.Popen", exe, [exe, "-m", "pipeline.cli", "-C", str(ROOT)], None, None)
    assert _seen("subprocess.Popen", exe, [exe, "-m", "ops_api", "--repo", str(ROOT)], "/", None)
    assert _seen("subprocess.Popen", "cat", ["cat", "data/asof.json"], str(ROOT), None)
    # The same tools on a copy, and git reading the committed history, are fine.
    assert not _seen("subprocess.Popen", "dvc", ["dvc", "repro"], str(tmp_path), None)
    assert not _seen("subprocess.Popen", "cat", ["cat", "data/asof.json"], str(tmp_path), None)
    assert not _seen("subprocess.Popen", "git", ["git", "archive", "HEAD"], str(ROOT), None)


def test_committed_artifacts_come_from_head_not_the_working_tree(tmp_path: Path) -> None:
    paths = committed_artifacts(tmp_path)
    assert "data/asof.json" in paths and "dvc.lock" in paths
    assert all(is_mutable(p) for p in paths)
    assert (tmp_path / "data/asof.json").is_file()
    conftest._TOUCHED.clear()  # git archive ran in the checkout: it reads HEAD, not the files
