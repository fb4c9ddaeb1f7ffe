"""``krx completion``: scripts generated from the argparse tree, tried in a real bash."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import build_parser
from pipeline.cli import main as krx
from tests.conftest import BASE_ENV, ROOT


def subcommands() -> set[str]:
    """The top-level subcommand names, from the parser itself."""
    parser = build_parser()
    (action,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(action.choices)


def script(shell: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "completion", shell],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, **BASE_ENV, "PYTHONPATH": str(ROOT)},
    )
    assert out.stderr == ""
    return out.stdout


@pytest.fixture(scope="module")
def bash_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``krx completion bash`` as a real process, once; bash sources the file per test."""
    path = tmp_path_factory.mktemp("completion") / "krx.bash"
    path.write_text(script("bash"), encoding="utf-8")
    return path


def complete(bash_file: Path, words: list[str]) -> list[str]:
    """What bash offers for the last of ``words`` (``krx`` first), via the generated function."""
    line = " ".join(f"'{w}'" for w in words)
    prog = (
        f"source '{bash_file}' && complete -p krx && "
        f"COMP_WORDS=({line}) && COMP_CWORD={len(words) - 1} && _krx && "
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    out = subprocess.run(
        ["bash", "-c", prog],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, **BASE_ENV, "PYTHONPATH": str(ROOT)},
    )
    lines = out.stdout.splitlines()
    assert lines[0] == "complete -o default -F _krx krx"  # `complete -p krx`: registered
    return [w for w in lines[1:] if w]


def test_bash_lists_every_subcommand_through_compgen(bash_file: Path) -> None:
    top = complete(bash_file, ["krx", ""])
    names = subcommands()
    assert {"validate", "safety", "check", "completion"} <= names <= set(top)
    assert {"-C", "--repo", "--help"} <= set(top)
    assert complete(bash_file, ["krx", "sa"]) == ["safety"]
    listed = subprocess.run(
        ["bash", "-c", f"source '{bash_file}' && compgen -W \"$(_krx_words krx)\" -- ''"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert names <= set(listed.stdout.split())


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["krx", "safety", ""], {"show", "set-gate", "set-sender", "set-stop"}),
        (["krx", "-C", "/some/repo", "safety", "set-gate", ""], {"DRY_RUN", "--reason"}),
        (["krx", "check", "--js"], {"--json"}),
        (["krx", "check", "--api", "http://x", "li"], {"live-cycle"}),
        (["krx", "completion", ""], {"bash", "zsh", "powershell"}),
    ],
)
def test_bash_completes_nested_commands_flags_and_choices(
    bash_file: Path, words: list[str], expected: set[str]
) -> None:
    assert expected <= set(complete(bash_file, words))


def test_a_flag_value_is_left_to_the_shell(bash_file: Path) -> None:
    assert (
        complete(bash_file, ["krx", "check", "--api", ""]) == []
    )  # `-o default`: files, not words


def test_zsh_and_powershell_scripts_carry_the_same_tree(capsys: pytest.CaptureFixture[str]) -> None:
    assert krx(["completion", "zsh"]) == 0
    zsh = capsys.readouterr().out
    assert zsh.startswith("#compdef krx") and "bashcompinit" in zsh
    assert "complete -o default -F _krx krx" in zsh
    assert krx(["completion", "powershell"]) == 0
    ps = capsys.readouterr().out
    assert "Register-ArgumentCompleter -Native -CommandName krx" in ps
    assert "'krx safety' = @('show', 'set-gate', 'set-sender', 'set-stop'" in ps
    for name in subcommands():
        assert f"'krx {name}' = @(" in ps
