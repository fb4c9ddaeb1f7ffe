"""The PC pipeline's parquet IO runs without pyarrow, and gives the same bytes and numbers.

The runtime venv has no pyarrow (issue 16); the dev venv has it (streamlit needs it), and with it
pandas 3 stores its default string dtype in pyarrow. This runs the price store, the backtest
stage and the validator in an interpreter where ``import pyarrow`` fails, and compares every
parquet byte and the backtest metrics with the same run in this (pyarrow-loaded) interpreter.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.flows import backtest as stage
from pipeline.io.validate import validate_all
from pipeline.krx_calendar import load_calendar
from tests.conftest import ROOT
from tests.core.bt_factories import make_bars
from tests.flows.test_backtest_stage import _write_repo

ASOF = dt.date(2020, 12, 30)
START = dt.date(2019, 1, 2)

#: Makes ``import pyarrow`` (and every submodule) fail, as in a venv without it.
BLOCKER = """
import importlib.abc, sys
class _NoPyarrow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "pyarrow" or name.startswith("pyarrow."):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
        return None
sys.meta_path.insert(0, _NoPyarrow())
"""

CHILD = """
import datetime as dt, json, sys
from pathlib import Path
import pandas as pd
from pipeline.flows import backtest as stage
from pipeline.io.parquet import TRADES_SCHEMA, read_table
from pipeline.io.validate import validate_all
from pipeline.krx_calendar import load_calendar
from tests.core.bt_factories import make_bars
from tests.flows.test_backtest_stage import REPO as project, _write_repo

root, start, asof = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
days = load_calendar(project).between(dt.date.fromisoformat(start), dt.date.fromisoformat(asof))
_write_repo(root, make_bars(days, seed=11))
code = stage.main(root, asof)
trades = read_table(root / "reports/backtest/trades.parquet", TRADES_SCHEMA)
files, problems = validate_all(root)
print(json.dumps({
    "code": code,
    "pyarrow_loaded": any(m.split(".")[0] == "pyarrow" for m in sys.modules),
    "string_storage": trades["ticker"].dtype.storage,
    "problems": [str(p) for p in problems],
    "trades": len(trades),
}))
"""


def _parquet_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.parquet")}


def _metrics(root: Path) -> object:
    doc = json.loads((root / "reports/backtest/metrics.json").read_text(encoding="utf-8"))
    return doc["metrics"]


@pytest.mark.slow
def test_pc_parquet_io_without_pyarrow(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")  # the comparison run below needs it loaded
    child_root, here_root = tmp_path / "child", tmp_path / "here"
    child_root.mkdir()
    here_root.mkdir()
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            BLOCKER + textwrap.dedent(CHILD),
            str(child_root),
            START.isoformat(),
            ASOF.isoformat(),
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    assert child["code"] == 0 and child["problems"] == [] and child["trades"] > 0
    assert child["pyarrow_loaded"] is False
    assert child["string_storage"] == "python"

    # The same run here, where pyarrow is loaded and pandas' strings are pyarrow-backed.
    import pyarrow  # noqa: F401

    days = load_calendar(ROOT).between(START, ASOF)
    _write_repo(here_root, make_bars(days, seed=11))
    assert stage.main(here_root, ASOF.isoformat()) == 0
    assert validate_all(here_root)[1] == []
    child_files, here_files = _parquet_bytes(child_root), _parquet_bytes(here_root)
    assert "reports/backtest/trades.parquet" in child_files
    assert child_files == here_files
    assert _metrics(child_root) == _metrics(here_root)
