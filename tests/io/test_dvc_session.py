"""The daily run's DVC worker: real ``dvc`` commands in one process, one exit code per call."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from pipeline.io.dvc_session import NO_EXIT, DvcSession
from tests.conftest import BASE_ENV

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _session(cwd: Path) -> DvcSession:
    # The worker runs `python -m pipeline.io.dvc_session` from cwd: the code under test on path.
    env = {**os.environ, **BASE_ENV, "PYTHONPATH": str(ROOT)}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return DvcSession(cwd, env, timeout_s=120)


def test_each_call_is_a_dvc_command_line_with_its_own_exit_code(tmp_path: Path) -> None:
    lines: list[str] = []
    session = _session(tmp_path)
    try:
        assert session.run(["init", "--no-scm", "-q"], lines.append) == 0
        assert (tmp_path / ".dvc").is_dir()
        # An unknown stage is DVC's own error and exit code; the worker goes on.
        assert session.run(["repro", "--no-run-cache", "dvc.yaml:nope"], lines.append) == 255
        (tmp_path / "dvc.yaml").write_text(
            "stages:\n  hello:\n    cmd: echo hello from the stage\n    always_changed: true\n",
            encoding="utf-8",
        )
        assert session.run(["repro", "--no-run-cache", "hello"], lines.append) == 0
        pid = session._proc.pid if session._proc else None
        assert session.run(["repro", "--no-run-cache", "hello"], lines.append) == 0
        assert session._proc is not None and session._proc.pid == pid  # one worker for all
    finally:
        session.close()
    assert "Running stage 'hello':" in lines and "hello from the stage" in lines
    assert not [x for x in lines if "krx-dvc-session" in x]  # the token never reaches the log


def test_a_worker_that_dies_is_a_failed_call_and_the_next_call_gets_a_new_one(
    tmp_path: Path,
) -> None:
    lines: list[str] = []
    session = _session(tmp_path)
    try:
        assert session.run(["init", "--no-scm", "-q"], lines.append) == 0
        (tmp_path / "dvc.yaml").write_text(
            "stages:\n  die:\n    cmd: kill -9 $PPID\n    always_changed: true\n",
            encoding="utf-8",
        )
        assert session.run(["repro", "--no-run-cache", "die"], lines.append) == NO_EXIT
        assert session.run(["version"], lines.append) == 0
    finally:
        session.close()
    assert session._proc is None


def test_an_unused_worker_is_stopped_on_close(tmp_path: Path) -> None:
    session = _session(tmp_path)
    session.start()
    proc = session._proc
    session.close()
    assert proc is not None and proc.returncode is not None


def test_each_call_runs_in_the_environment_given_at_call_time(tmp_path: Path) -> None:
    # krx daily server starts the worker before it knows the run's clock: the stages must see
    # the environment of the call, not the one the worker started with.
    lines: list[str] = []
    session = _session(tmp_path)
    session.start()
    try:
        assert session.run(["init", "--no-scm", "-q"], lines.append) == 0
        (tmp_path / "dvc.yaml").write_text(
            'stages:\n  clock:\n    cmd: echo "asof=$KRX_ASOF"\n    always_changed: true\n',
            encoding="utf-8",
        )
        for day in ("2026-12-01", "2026-12-02"):
            session.env = {**session.env, "KRX_ASOF": day}
            assert session.run(["repro", "--no-run-cache", "clock"], lines.append) == 0
        session.env = {k: v for k, v in session.env.items() if k != "KRX_ASOF"}
        assert session.run(["repro", "--no-run-cache", "clock"], lines.append) == 0
    finally:
        session.close()
    assert [x for x in lines if x.startswith("asof=")] == [
        "asof=2026-12-01",
        "asof=2026-12-02",
        "asof=",
    ]
