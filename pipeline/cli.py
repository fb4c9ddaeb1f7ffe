"""``krx``: the operator's command line (one entry point, subcommands, ``--help``).

Each subcommand lives in ``pipeline/commands/<module>.py`` with ``register(subparsers)``;
errors map to exit codes in one place (``pipeline.errors``).

Speed: ``krx --help`` must answer in well under a second, so the parser is built from the
``COMMANDS`` table below and only the chosen subcommand's module is imported (the others pull
in pandas, numba, exchange_calendars, ...). A contract test keeps the table equal to what the
modules register.

Usage errors (unknown subcommand, missing or invalid option) exit 1, never argparse's 2:
exit 2 means "blocked by a safety rule" everywhere in this project.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from pipeline.errors import EXIT_FAULT, EXIT_INVALID, KrxError

#: Subcommand -> (module under ``pipeline.commands``, one-line help), in ``--help`` order.
#: A module may register several subcommands (``repo``: ``paths`` and ``commit``).
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": (
        "validate",
        "validate artifacts (schema by the envelope's 'schema' field + cross-field rules)",
    ),
    "stage": ("stage", "run one pipeline stage (what dvc.yaml calls)"),
    "schemas": (
        "schemas",
        "generate the JSON Schemas (and README tables) from the artifact models",
    ),
    "paths": ("repo", "git pathspecs of the artifacts a machine owns"),
    "commit": ("repo", "commit the owner's changed artifacts (if any)"),
    "safety": ("safety", "show or change the execution gate, sender and stop"),
    "portfolio": ("portfolio", "write the operator's baseline portfolio"),
    "ticket": ("ticket", "create operator tickets"),
    "live": ("live", "inspect the live cycle"),
    "sweep": ("sweep", "parameter sweeps scored walk-forward; promote by commit"),
    "drill": ("drill", "self-test the server loop in a scratch copy; exit 0 pass/warn, 2, 3"),
    "check": ("check", "1-minute checks through the resolver API (exit 0/2/3)"),
    "daily": ("daily", "the daily runs: server (09:05 KST), pc (after the close)"),
    "completion": ("completion", "print a shell completion script (bash, zsh or powershell)"),
    "tunnel": (
        "tunnel",
        "keep the server's resolver reachable on a local port (ssh -L, reconnects)",
    ),
    "next-steps": ("next_steps", "what to do after `make run` (commit, cockpit, report)"),
}

#: Root options that take a value (skipped when finding the subcommand in argv).
_ROOT_VALUE_OPTIONS = ("-C", "--repo")


class KrxArgumentParser(argparse.ArgumentParser):
    """argparse with the project's exit code for usage errors (1, not 2)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: error: {message}\n")


def package_version() -> str:
    """The installed distribution's version (``krx --version``)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("krx-alertor")
    except PackageNotFoundError:  # running from a plain checkout (PYTHONPATH)
        return "unknown (not installed)"


class _VersionAction(argparse.Action):
    # Reads the version only when asked: importlib.metadata is not free.
    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"krx {package_version()}")
        parser.exit(0)


def chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv`` (the first positional after the root options)."""
    it = iter(argv)
    for token in it:
        if token == "--":
            return next(it, None)
        if token in _ROOT_VALUE_OPTIONS:
            next(it, None)
        elif not token.startswith("-"):
            return token
    return None


def build_parser(command: str | None = "*") -> argparse.ArgumentParser:
    """The ``krx`` parser; registers the real subparser of ``command`` only.

    ``"*"`` (the default) registers every module (for tests and docs); ``None`` or an unknown
    name registers none: every subcommand is then a placeholder that shows its one-line help.
    """
    parser = KrxArgumentParser(
        prog="krx",
        description="KRX Alertor: artifacts, stages and operator controls.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument(
        "-C", "--repo", default=".", help="repository root to work in (default: current folder)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    wanted = {m for m, _ in COMMANDS.values()} if command == "*" else set()
    if command in COMMANDS:
        wanted.add(COMMANDS[command][0])
    for name, (module, helptext) in COMMANDS.items():
        if name in sub.choices:
            continue
        if module in wanted:
            importlib.import_module(f"pipeline.commands.{module}").register(sub)
        else:
            sub.add_parser(name, help=helptext, add_help=False)
    return parser


def _utf8_streams() -> None:
    # Operator messages are Korean: never depend on the machine's locale (DESIGN §7, CP949).
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="strict")


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_streams()
    args_in = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(chosen_command(args_in))
    args = parser.parse_args(args_in)
    func = getattr(args, "func", None)
    if func is None:  # a placeholder was parsed: argv named its command in a way we missed
        parser.error(f"cannot run {args.command!r} from this command line")
    try:
        code: int = func(args)
    except KrxError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_FAULT
    return code


if __name__ == "__main__":
    sys.exit(main())
