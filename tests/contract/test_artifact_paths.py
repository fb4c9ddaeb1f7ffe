"""Artifact paths live in the registry only (issue 13): no path literal anywhere else.

Python files are read as syntax trees: every string constant and f-string piece outside a
docstring counts (help texts and messages too: they format the registry's path instead). Shell
scripts, PowerShell and the Makefile count outside comment lines. ``dvc.yaml`` files are DVC's
declarations of the same paths and are checked against the registry elsewhere.
"""

from __future__ import annotations

import ast
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import registry

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("pipeline", "ops_api", "cockpit")
SCRIPTS = ("deploy", "Makefile", ".ci")


def _needles() -> tuple[str, ...]:
    """Each artifact's path, and a collection's folder (``reports/tickets/``)."""
    return tuple(
        sorted(
            {a.path.split("{key}")[0] if a.is_collection else a.path for a in registry.ARTIFACTS}
        )
    )


def _tracked(*where: str) -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--", *where], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [p for p in out.splitlines() if (ROOT / p).is_file()]


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _python_literals(text: str) -> Iterator[tuple[int, str]]:
    tree = ast.parse(text)
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def _script_lines(text: str) -> Iterator[tuple[int, str]]:
    for n, line in enumerate(text.splitlines(), 1):
        if not line.lstrip().startswith(("#", "<#")):
            yield n, line


def _offences(rel: str) -> list[str]:
    if rel == "pipeline/registry.py":
        return []
    if rel.endswith(".py"):
        pieces = _python_literals((ROOT / rel).read_text(encoding="utf-8"))
    elif rel.endswith((".sh", ".ps1", "Makefile", "run")):
        pieces = _script_lines((ROOT / rel).read_text(encoding="utf-8"))
    else:
        return []
    return [
        f"{rel}:{n}: {needle!r} in {value.strip()[:80]!r}"
        for n, value in pieces
        for needle in _needles()
        if needle in value
    ]


def test_no_artifact_path_literal_outside_the_registry() -> None:
    files = _tracked(*PACKAGES, *SCRIPTS)
    assert any(f.startswith("pipeline/flows/") for f in files)  # the scan sees the package
    offences = [o for rel in files for o in _offences(rel)]
    assert offences == [], "use registry.path(NAME[, key]):\n" + "\n".join(offences)


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('X = "state/portfolio.json"\n', True),
        ('def f(t):\n    return f"reports/tickets/{t}.json"\n', True),
        ('"""A docstring naming ``state/portfolio.json`` is prose."""\n', False),
        ("# a comment naming state/portfolio.json\n", False),
    ],
)
def test_the_scan_finds_literals_and_skips_prose(source: str, found: bool) -> None:
    hits = [v for _, v in _python_literals(source) for n in _needles() if n in v]
    assert bool(hits) is found
