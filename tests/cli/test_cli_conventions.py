"""CLI conventions (issue 13 item 8): usage errors exit 1, ``--version``, a lazy ``--help``."""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.errors import EXIT_INVALID, EXIT_OK
from tests.conftest import ROOT, run

KRX = [sys.executable, "-m", "pipeline.cli"]
HEAVY = (
    "pandas",
    "numpy",
    "pyarrow",
    "fastparquet",
    "numba",
    "exchange_calendars",
    "jsonschema",
    "pydantic",
)


@pytest.mark.parametrize(
    "args",
    [
        [],  # no subcommand
        ["no-such-command"],
        ["--no-such-option"],
        ["validate", "--no-such-option"],
        ["paths"],  # missing required --owner
        ["paths", "--owner", "NOBODY"],  # invalid enum value
        ["stage", "no_such_stage"],
        ["live"],  # missing nested action
        ["safety", "set-gate", "NOT_A_GATE", "--reason", "r", "--by", "b"],
        ["sweep", "show", "--top", "many"],  # invalid int
    ],
)
def test_usage_errors_exit_1_not_argparse_2(args: list[str], tmp_path: Path) -> None:
    proc = run([*KRX, *args], tmp_path, check=False)
    assert proc.returncode == EXIT_INVALID, (proc.returncode, proc.stderr)
    assert "error:" in proc.stderr
    assert proc.stdout == ""


def test_usage_error_in_process_raises_system_exit_1() -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["portfolio", "set"])
    assert info.value.code == EXIT_INVALID


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    proc = run([*KRX, "--version"], tmp_path)
    version = importlib.metadata.version("krx-alertor")
    assert proc.stdout.strip() == f"krx {version}"


def test_root_help_lists_every_command_without_importing_them(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from pipeline.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "cmds = sorted(m for m in sys.modules if m.startswith('pipeline.commands.'))\n"
        "print('LOADED', heavy, cmds)\n"
    )
    proc = run([sys.executable, "-c", probe], tmp_path, env={"PYTHONPATH": str(ROOT)})
    assert "LOADED [] []" in proc.stdout, proc.stdout
    for name, (_, helptext) in cli.COMMANDS.items():
        assert f"    {name} " in proc.stdout
        assert helptext.split()[0] in proc.stdout


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_subcommand_help_still_shows_the_real_options(name: str, tmp_path: Path) -> None:
    proc = run([*KRX, name, "--help"], tmp_path)
    assert proc.returncode == EXIT_OK
    assert f"usage: krx {name}" in proc.stdout
    assert "-h, --help" in proc.stdout


def test_root_option_before_the_command_is_skipped() -> None:
    assert cli.chosen_command(["-C", "validate", "paths", "--owner", "PC"]) == "paths"
    assert cli.chosen_command(["--repo=.", "stage", "clock"]) == "stage"
    assert cli.chosen_command(["--help"]) is None


def _registered(module: str) -> dict[str, str | None]:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    importlib.import_module(f"pipeline.commands.{module}").register(sub)
    return {a.dest: a.help for a in sub._choices_actions}


def test_command_table_matches_what_the_modules_register() -> None:
    modules = sorted(
        p.stem for p in (ROOT / "pipeline" / "commands").glob("*.py") if not p.stem.startswith("_")
    )
    table_modules = {m for m, _ in cli.COMMANDS.values()}
    assert table_modules == set(modules), "pipeline/commands/*.py and cli.COMMANDS differ"
    for module in modules:
        for name, helptext in _registered(module).items():
            assert cli.COMMANDS.get(name) == (module, helptext), (
                f"cli.COMMANDS[{name!r}] must be ({module!r}, {helptext!r})"
            )
    registered = {n for m in modules for n in _registered(m)}
    assert registered == set(cli.COMMANDS)
