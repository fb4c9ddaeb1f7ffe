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
import tempfile
from collections.abc import Iterable, Iterator, Sequence
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


#: DVC's closing hints that are wrong for this project: ``dvc.lock`` is committed by the daily
#: run (``krx daily pc``) or by hand with the artifacts, and outputs live in git (no DVC remote).
DVC_HINTS = (
    "To track the changes with git, run:",
    "git add dvc.lock",
    "To enable auto staging, run:",
    "dvc config core.autostage true",
    "Use `dvc push` to send your updates to remote storage.",
)


def _dvc_repro() -> int:
    """``dvc repro``, its output streamed without the hints that do not apply here."""
    args = [sys.executable, "-m", "dvc", "repro"]
    print("+ " + " ".join(args), flush=True)
    proc = subprocess.Popen(
        args,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    assert proc.stdout is not None
    for text in without_hints(proc.stdout):
        print(text, flush=True)
    return proc.wait()


def without_hints(lines: Iterable[str]) -> Iterator[str]:
    """DVC's output lines minus ``DVC_HINTS`` (and the blank lines they leave in a row)."""
    blank = False
    for line in lines:
        text = line.rstrip("\n")
        if text.strip() in DVC_HINTS:
            continue
        if not text.strip():
            if blank:
                continue
            blank = True
        else:
            blank = False
        yield text


def run() -> int:
    """The PC pipeline on the embedded default data (offline), validation, then next steps."""
    if _dvc_repro() != 0:
        return EXIT_FAULT
    code = _call([sys.executable, "-m", "pipeline.cli", "validate", "--all"])
    if code != EXIT_OK:
        return code
    print()
    return _call([sys.executable, "-m", "pipeline.cli", "next-steps"])


#: The checks ``test`` runs before the suite; the first failure stops it.
CHECKS: dict[str, list[str]] = {
    "lint": [sys.executable, "-m", "ruff", "check", *CODE],
    "format": [sys.executable, "-m", "ruff", "format", "--check", *CODE],
    "typecheck": [sys.executable, "-m", "mypy"],
    "imports": [_script("lint-imports")],
    "schemas": [sys.executable, "-m", "pipeline.cli", "schemas", "--check"],
}
#: The one slow check (mypy, ~30 s of one core): ``test`` runs it beside the suite, whose
#: workers leave part of the cores idle while they wait on git, DVC, servers and timeouts.
BESIDE_SUITE = "typecheck"
#: pytest's default arguments: three xdist workers on the two cores CI has. The suite waits a
#: fifth of its time (pushes retried after a pause, killed runs, hanging monitors, Chromium):
#: two workers left the cores 77 % busy; a third fills the gaps, 261 s -> 235 s of the warm
#: suite for +3.5 % CPU (benchmarks/results/suite.txt).
SUITE_ARGS = ("-n", "3")


def check(names: Sequence[str]) -> int:
    for name in names:
        if _call(CHECKS[name]) != 0:
            print(f"{name}: failed", file=sys.stderr)
            return EXIT_INVALID
    return EXIT_OK


def test(pytest_args: Sequence[str]) -> int:
    """Lint, format, import boundaries, schema staleness, then the suite beside the type check.

    The type check's output is held back and printed after pytest's, so neither interleaves;
    either failing fails the job (exit 1).
    """
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        args = CHECKS[BESIDE_SUITE]
        print("+ " + " ".join(args) + "  (beside the suite; output after it)", flush=True)
        typecheck = subprocess.Popen(
            args, env=_environment(), stdout=out, stderr=subprocess.STDOUT, text=True
        )
        code, killed = EXIT_INVALID, False
        try:
            code = check([n for n in CHECKS if n != BESIDE_SUITE])
            if code == EXIT_OK:
                suite = _call([sys.executable, "-m", "pytest", *(list(pytest_args) or SUITE_ARGS)])
                code = EXIT_OK if suite == 0 else EXIT_INVALID
        finally:
            if code != EXIT_OK and typecheck.poll() is None:
                killed = True  # the job fails anyway: do not wait half a minute for it
                typecheck.kill()
            typed = typecheck.wait()
        if not killed:
            out.seek(0)
            print(out.read(), end="", flush=True)
    if typed != 0 and not killed:
        print(f"{BESIDE_SUITE}: failed", file=sys.stderr)
        return EXIT_INVALID
    return code


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: error: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(prog="python -m pipeline.tasks", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="job", required=True, metavar="JOB")
    sub.add_parser("run", help="run the PC pipeline (dvc repro) and validate every artifact")
    sub.add_parser(
        "test",
        help=f"the checks, then pytest [ARGS...] (default: {' '.join(SUITE_ARGS)}) beside the "
        "type check",
    )
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
