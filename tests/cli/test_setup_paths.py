"""make (Linux) and PowerShell (Windows) set up and run through the same entry points.

The Makefile's install, ``run`` and ``test`` recipes and the PowerShell commands in
``docs/setup.md`` must call the same ``python -m ...`` commands in the same order (issue 16):
otherwise the Windows path drifts from the one CI runs.
"""

from __future__ import annotations

import re

from tests.conftest import ROOT

MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
SETUP = (ROOT / "docs" / "setup.md").read_text(encoding="utf-8")

#: Spellings of the same thing on each side -> one canonical token.
MAKE_NAMES = {
    "$(TBIN)/python": "TOOLS_PY",
    "$(BIN)/python": "VENV_PY",
    "$(PY)": "PY",
    "$(TOOLS)": ".tools",
    "$(VENV)": ".venv",
}
PS_NAMES = {
    ".tools\\Scripts\\python": "TOOLS_PY",
    ".venv\\Scripts\\python.exe": "VENV_PY",
    ".venv\\Scripts\\python": "VENV_PY",
    "py -3.11": "PY",
    "--python 3.11": "--python PY",
}


def recipe(target: str) -> list[str]:
    """The command lines of one Makefile rule."""
    lines = MAKEFILE.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"^{re.escape(target)}:", line))
    out = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        out.append(line.strip())
    return out


def entry_points(lines: list[str], names: dict[str, str]) -> list[str]:
    """The ``python -m`` commands of some lines, with each side's spellings made equal."""
    out = []
    for line in lines:
        for raw, canonical in sorted(names.items(), key=lambda kv: -len(kv[0])):
            line = line.replace(raw, canonical)
        line = line.replace("'", "").replace('"', "")
        for command in re.findall(r"(\S+ -m \S.*?)(?:$|\s*\|\|)", line.split("|| ")[-1]):
            out.append(" ".join(command.split()))
    return out


def powershell_blocks() -> list[list[str]]:
    blocks = re.findall(r"```powershell\n(.*?)```", SETUP, flags=re.S)
    return [[ln for ln in b.splitlines() if ln.strip()] for b in blocks]


def make_job(*targets: str) -> list[str]:
    return [c for t in targets for c in entry_points(recipe(t), MAKE_NAMES)]


def test_run_job_is_the_same_on_both_paths() -> None:
    make = make_job("$(TOOLS_STAMP)", "$(STAMP)", "run")
    ps = entry_points(powershell_blocks()[0], PS_NAMES)
    assert make == ps
    assert make[-1] == "VENV_PY -m pipeline.tasks run"
    assert any(c.startswith("TOOLS_PY -m uv pip install") for c in make)


def test_test_job_is_the_same_on_both_paths() -> None:
    make = make_job("$(DEV_STAMP)", "test")
    ps = entry_points(powershell_blocks()[1], PS_NAMES)
    # make passes $(PYTEST_ARGS) through; PowerShell users add theirs the same way.
    assert [c.replace(" $(PYTEST_ARGS)", "") for c in make] == ps
    assert ps[-1] == "VENV_PY -m pipeline.tasks test"


def test_cockpit_install_is_the_same_on_both_paths() -> None:
    make = make_job("$(COCKPIT_STAMP)")
    ps = entry_points(powershell_blocks()[2], PS_NAMES)
    assert make == ps


def test_run_and_test_recipes_call_only_python_entry_points() -> None:
    assert recipe("run") == ["$(BIN)/python -m pipeline.tasks run"]
    assert recipe("test") == ["$(BIN)/python -m pipeline.tasks test $(PYTEST_ARGS)"]


def test_ci_runs_make_run_then_make_test() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [ln.strip() for ln in ci.splitlines() if ln.strip().startswith("make")]
    # In that order, in one checkout; a failure is the project's 3, never make's own 2.
    assert commands == ["make run || exit 3", "make test || exit 3"]
