"""``--json`` for scripts: one JSON document on stdout, the exit code unchanged.

The human lines of a command go away under ``--json``; errors the CLI would print to stderr
(``error: ...``) become ``{"error": {"message", "exit_code"}}`` on stdout, with the same code.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from typing import Any

from pipeline.canonical import canonical_json
from pipeline.errors import KrxError

Runner = Callable[[argparse.Namespace], int]


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Add ``--json`` to one (sub)command."""
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON document on stdout instead of text (exit code unchanged)",
    )


def emit(document: dict[str, Any]) -> None:
    """Print ``document`` as canonical JSON (sorted keys, UTF-8, no NaN)."""
    sys.stdout.write(canonical_json(document))


def json_errors(run: Runner) -> Runner:
    """Under ``--json``, report a KrxError as a JSON document (same exit code) on stdout."""

    @functools.wraps(run)
    def wrapper(args: argparse.Namespace) -> int:
        if not getattr(args, "json", False):
            return run(args)
        try:
            return run(args)
        except KrxError as err:
            emit({"error": {"message": str(err), "exit_code": err.exit_code}})
            print(f"error: {err}", file=sys.stderr)
            return err.exit_code

    return wrapper
