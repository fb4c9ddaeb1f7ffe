"""`make test` (python -m pipeline.tasks test): the type check runs beside the suite.

The orchestration is what is tested, so each check's command line is swapped for a small
Python program (the real ones are ruff, mypy, ... and take the whole project).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline import tasks


def program(code: str) -> list[str]:
    return [sys.executable, "-c", code]


@pytest.fixture
def suite(tmp_path: Path) -> tuple[list[str], Path]:
    """pytest arguments for a one-test suite that leaves a marker when it runs."""
    marker = tmp_path / "suite-ran"
    (tmp_path / "test_one.py").write_text(
        f"from pathlib import Path\n\ndef test_one():\n    Path({str(marker)!r}).touch()\n",
        encoding="utf-8",
    )
    return ["-q", "-p", "no:cacheprovider", "-p", "no:xdist", str(tmp_path)], marker


def checks(monkeypatch: pytest.MonkeyPatch, **programs: str) -> None:
    table = {name: program(programs.get(name, "pass")) for name in tasks.CHECKS}
    monkeypatch.setattr(tasks, "CHECKS", table)


def test_a_failed_type_check_fails_the_job_after_the_suite_ran(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], suite: Any
) -> None:
    args, marker = suite
    checks(monkeypatch, typecheck="import sys; print('error: mypy found 1 error'); sys.exit(1)")
    assert tasks.test(args) == 1
    assert marker.exists(), "the suite ran beside the type check"
    out, err = capfd.readouterr()
    # The type check's output comes after pytest's, not interleaved with it.
    assert out.index("1 passed") < out.rindex("error: mypy found 1 error")
    assert "typecheck: failed" in err


def test_all_green_is_exit_0(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], suite: Any
) -> None:
    args, marker = suite
    checks(monkeypatch, typecheck="print('Success: no issues found')")
    assert tasks.test(args) == 0
    assert marker.exists()
    out, _ = capfd.readouterr()
    assert out.index("1 passed") < out.rindex("Success: no issues found")


def test_a_failed_quick_check_stops_before_the_suite_and_the_type_check(
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    suite: Any,
    tmp_path: Path,
) -> None:
    args, marker = suite
    pid_file = tmp_path / "typecheck.pid"
    slow = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(120)"
    checks(monkeypatch, typecheck=slow, lint="import sys; sys.exit(1)")
    assert tasks.test(args) == 1
    assert not marker.exists(), "the suite never ran"
    _, err = capfd.readouterr()
    assert "lint: failed" in err and "typecheck: failed" not in err
    if pid_file.exists():  # it may have been killed before it wrote its pid
        with pytest.raises(ProcessLookupError):  # killed and reaped, not left running
            os.kill(int(pid_file.read_text()), 0)
