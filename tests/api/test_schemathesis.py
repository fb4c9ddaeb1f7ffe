"""Property-based run of the OpenAPI schema against the real server: no 5xx, answers conform.

Runs the ``schemathesis`` CLI as a subprocess (bounded examples, fixed seed, loopback only).
``positive_data_acceptance`` is excluded: a schema-valid request such as ``?key=`` on a
single-file artifact or ``?ref=`` naming a missing commit is rightly refused with 400/404.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_schemathesis_finds_no_server_errors(deep_url: str, tmp_path: Path) -> None:
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    if st is None:
        pytest.skip("schemathesis CLI not installed")
    # A request beyond the resolver's size limits is rightly refused with 414/431 (error
    # envelope, ops_api.limits): a rejection of schema-violating data like 400.
    (tmp_path / "schemathesis.toml").write_text(
        "[checks.negative_data_rejection]\n"
        'expected-statuses = ["400", "404", "405", "414", "431"]\n',
        encoding="utf-8",
    )
    out = subprocess.run(
        [
            st,
            "run",
            f"{deep_url}/openapi.json",
            "--max-examples=40",
            "--seed=20261122",
            "--request-timeout=10",
            "--exclude-checks=positive_data_acceptance",
            "--generation-database=none",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]
    assert " passed" in out.stdout
