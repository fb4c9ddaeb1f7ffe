"""DVC code deps are generated from the import graph, and the committed dvc.yaml files match."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline import dvcdeps
from tests.conftest import ROOT


def test_committed_dvc_files_list_every_module_each_stage_imports() -> None:
    assert dvcdeps.stale(ROOT) == [], "run `python -m pipeline.dvcdeps` and commit dvc.yaml"


def test_backtest_deps_reach_indirect_modules() -> None:
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    deps = set(stages["backtest"]["deps"])
    # Reached only through other modules: params defaults, the calendar, the registry.
    assert {
        "pipeline/params/__init__.py",
        "pipeline/krx_calendar.py",
        "pipeline/registry.py",
    } <= deps
    assert "pipeline/commands/stage.py" in deps and "pipeline/cli.py" in deps
    server = yaml.safe_load((ROOT / "server/dvc.yaml").read_text(encoding="utf-8"))["stages"]
    for name, stage in server.items():
        assert f"pipeline/flows/{name}.py" in stage["deps"] or any(
            d == f"pipeline/flows/{name}.py" for d in stage["deps"]
        ), name


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_closure_follows_relative_lazy_and_package_imports(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "pipeline/__init__.py": "",
            "pipeline/cli.py": "from pipeline.errors import X\n",
            "pipeline/errors.py": "X = 1\n",
            "pipeline/commands/__init__.py": "",
            "pipeline/commands/stage.py": "import importlib\n",
            "pipeline/flows/__init__.py": "",
            "pipeline/flows/a.py": "from . import b\ndef f():\n    import pipeline.core.c\n",
            "pipeline/flows/b.py": "from ..core import d\n",
            "pipeline/core/__init__.py": "",
            "pipeline/core/c.py": "import numpy\n",
            "pipeline/core/d.py": "from pipeline import params\n",
            "pipeline/params/__init__.py": "",
            "pipeline/unused.py": "",
        },
    )
    got = dvcdeps.closure(root, dvcdeps.stage_entries(root, "a"))
    assert got == sorted(
        [
            "pipeline/__init__.py",
            "pipeline/cli.py",
            "pipeline/errors.py",
            "pipeline/commands/__init__.py",
            "pipeline/commands/stage.py",
            "pipeline/flows/__init__.py",
            "pipeline/flows/a.py",
            "pipeline/flows/b.py",
            "pipeline/core/__init__.py",
            "pipeline/core/c.py",
            "pipeline/core/d.py",
            "pipeline/params/__init__.py",
        ]
    )


DVC_YAML = """\
stages:
  a:
    cmd: python -m pipeline.cli stage a
    deps:
      - data/x.json  # kept
      - pipeline/flows/a.py
    outs:
      - out.json
  b:
    wdir: ..
    cmd: python -m pipeline.cli stage a
    outs:
      - other.json
"""


def test_render_keeps_data_deps_adds_a_missing_block_and_is_idempotent(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {"pipeline/__init__.py": "", "pipeline/flows/__init__.py": "", "pipeline/flows/a.py": ""},
    )
    once = dvcdeps.render(root, DVC_YAML)
    assert dvcdeps.render(root, once) == once
    stages = yaml.safe_load(once)["stages"]
    expected = ["pipeline/__init__.py", "pipeline/flows/__init__.py", "pipeline/flows/a.py"]
    assert stages["a"]["deps"] == ["data/x.json", *expected]
    assert stages["b"]["deps"] == expected
    assert stages["a"]["outs"] == ["out.json"] and "# kept" in once


def test_check_fails_on_a_stale_file_and_the_writer_fixes_it(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "pipeline/__init__.py": "",
            "pipeline/flows/__init__.py": "",
            "pipeline/flows/a.py": "",
            "dvc.yaml": DVC_YAML,
        },
    )
    assert dvcdeps.main(["--check", "-C", str(root)]) == 1
    assert dvcdeps.main(["-C", str(root)]) == 0
    assert dvcdeps.main(["--check", "-C", str(root)]) == 0
    (root / "pipeline/flows/a.py").write_text("from pipeline import extra\n", encoding="utf-8")
    (root / "pipeline/extra.py").write_text("", encoding="utf-8")
    assert dvcdeps.main(["--check", "-C", str(root)]) == 1
