"""``krx``: the operator's command line (one entry point, subcommands, ``--help``).

Each subcommand lives in ``pipeline/commands/<name>.py`` with ``register(subparsers)``;
errors map to exit codes in one place (``pipeline.errors``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pipeline.errors import EXIT_FAULT, KrxError

#: Subcommand modules under pipeline.commands, in --help order.
COMMANDS = (
    "validate",
    "stage",
    "schemas",
    "repo",
    "safety",
    "portfolio",
    "ticket",
    "live",
    "sweep",
    "drill",
    "scheduler",
    "check",
    "completion",
    "tunnel",
    "next_steps",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="krx",
        description="KRX Alertor: artifacts, stages and operator controls.",
    )
    parser.add_argument(
        "-C", "--repo", default=".", help="repository root to work in (default: current folder)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"pipeline.commands.{name}").register(sub)
    return parser


def _utf8_streams() -> None:
    # Operator messages are Korean: never depend on the machine's locale (DESIGN §7, CP949).
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="strict")


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except KrxError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_FAULT
    return code


if __name__ == "__main__":
    sys.exit(main())
