"""The README's jobs as one Python entry point: ``python -m pipeline.tasks run|test|...``.

``make run`` / ``make test`` (Linux) and the PowerShell commands in ``docs/setup.md``
(Windows, no make) both call this module with the venv's interpreter, so the two paths
cannot drift (``tests/cli/test_setup_paths.py`` checks the recipes against the docs).
Standard library only: the environment (UTF-8, Asia/Seoul, the venv's ``bin`` first on
``PATH`` for the ``python`` that ``dvc.yaml`` calls) is set here, not by the caller.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from pipeline.errors import EXIT_FAULT, EXIT_INVALID, EXIT_OK

#: Folders the linters check.
CODE = ("pipeline", "ops_api", "cockpit", "tests", "benchmarks")
#: The environment every job runs in (DESIGN §7: never depend on the machine's locale).
ENV = {"PYTHONUTF8": "1", "TZ": "Asia/Seoul", "DVC_NO_ANALYTICS": "1"}
_BIN = Path(sys.executable).parent


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(ENV)
    # uv installs no bytecode: let Python write it on first import, or every process
    # compiles dvc, pandas, ... from source again (some CI and sandbox images set this).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if os.name != "nt":
        env["LC_ALL"] = "C.UTF-8"
    env["PATH"] = os.pathsep.join([str(_BIN), env.get("PATH", "")])
    return env


def _script(name: str) -> str:
    """A console script of this venv (``lint-imports``), by path: PATH may not hold the venv."""
    path = _BIN / (f"{name}.exe" if os.name == "nt" else name)
    return str(path) if path.exists() else name


def _call(args: Sequence[str]) -> int:
    print("+ " + " ".join(args), flush=True)
    return subprocess.call(list(args), env=_environment())


def run() -> int:
    """The PC pipeline on the embedded default data (offline), then validate every artifact."""
    if _call([sys.executable, "-m", "dvc", "repro"]) != 0:
        return EXIT_FAULT
    code = _call([sys.executable, "-m", "pipeline.cli", "validate", "--all"])
    if code != EXIT_OK:
        return code
    report = Path("reports", "human", "report.html").resolve()
    print()
    print("Artifacts (git-tracked): data/prices/ (bars), reports/backtest/ (metrics, equity,")
    print("  trades), reports/recon/ (reconcile), state/strategy_bundle.json (the handoff).")
    print("Human report: reports/human/report.md, and the self-contained HTML page (offline):")
    print(f"  open {report}   (or: xdg-open / start on Windows)")
    return EXIT_OK


#: ``test`` runs these checks in order, then the suite; the first failure stops it.
CHECKS: dict[str, list[str]] = {
    "lint": [sys.executable, "-m", "ruff", "check", *CODE],
    "format": [sys.executable, "-m", "ruff", "format", "--check", *CODE],
    "typecheck": [sys.executable, "-m", "mypy"],
    "imports": [_script("lint-imports")],
    "schemas": [sys.executable, "-m", "pipeline.cli", "schemas", "--check"],
}


def check(names: Sequence[str]) -> int:
    for name in names:
        if _call(CHECKS[name]) != 0:
            print(f"{name}: failed", file=sys.stderr)
            return EXIT_INVALID
    return EXIT_OK


def test(pytest_args: Sequence[str]) -> int:
    """Lint, format, type checks, import boundaries, schema staleness, then the whole suite."""
    code = check(list(CHECKS))
    if code != EXIT_OK:
        return code
    args = list(pytest_args) or ["-n", "2"]
    return EXIT_OK if _call([sys.executable, "-m", "pytest", *args]) == 0 else EXIT_INVALID


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: error: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(prog="python -m pipeline.tasks", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="job", required=True, metavar="JOB")
    sub.add_parser("run", help="run the PC pipeline (dvc repro) and validate every artifact")
    sub.add_parser("test", help="all checks, then pytest [ARGS...] (default: -n 2)")
    for name in CHECKS:
        sub.add_parser(name, help=f"only the {name} check")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["test"]:  # everything after `test` goes to pytest as it is
        rest = argv[1:]
        return test(rest[1:] if rest[:1] == ["--"] else rest)
    args = parser.parse_args(argv)
    if args.job == "run":
        return run()
    return check([args.job])


if __name__ == "__main__":
    sys.exit(main())
