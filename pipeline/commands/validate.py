"""``krx validate [PATH...|--all [--owner PC|SERVER]]``: check artifacts against their schemas."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.commands._jsonout import add_json_flag, emit, json_errors
from pipeline.enums import ArtifactKind, Owner
from pipeline.errors import EXIT_INVALID, EXIT_OK
from pipeline.io.validate import registered_files, validate_all, validate_file, validate_files


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "validate",
        help="validate artifacts (schema by the envelope's 'schema' field + cross-field rules)",
        description="Lists every error as FILE#/json/pointer: message; exits 1 on any error.",
    )
    p.add_argument("paths", nargs="*", help="repo-relative artifact paths")
    p.add_argument("--all", action="store_true", help="every registered artifact in the tree")
    p.add_argument(
        "--owner",
        type=Owner,
        choices=list(Owner),
        help="with --all: only the artifacts this machine owns (PC or SERVER)",
    )
    p.add_argument(
        "--json-only",
        action="store_true",
        help="with --all: only JSON artifacts (skip parquet/CSV/text: the server reads none)",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="with --all: validate every file, even one unchanged since it last validated clean",
    )
    p.add_argument(
        "--except",
        dest="excluded",
        action="append",
        default=[],
        metavar="NAME",
        help="with --all: skip this registered artifact (e.g. 'ticket' on the server: the "
        "tickets stage judges each ticket and rejects a bad one alone)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    add_json_flag(p)
    p.set_defaults(func=json_errors(run))


def run(args: argparse.Namespace) -> int:
    root = Path(args.repo)
    if not args.all and not args.paths:
        print("error: give PATH... or --all", file=sys.stderr)
        return EXIT_INVALID
    if args.all and (args.owner or args.json_only or args.excluded):
        files = [rel for rel in registered_files(root) if _selected(rel, args)]
        problems = validate_files(root, files, use_cache=not args.no_cache)
    elif args.all:
        files, problems = validate_all(root, use_cache=not args.no_cache)
    else:
        files = [_relative(root, p) for p in args.paths]
        problems = [pr for rel in files for pr in validate_file(root, rel)]
    bad = {p.file for p in problems}
    if args.json:
        emit(
            {
                "files": files,
                "ok": len(files) - len(bad),
                "invalid": sorted(bad),
                "problems": [vars(p) for p in problems],
            }
        )
        return EXIT_INVALID if problems else EXIT_OK
    for problem in problems:
        print(problem, file=sys.stderr)
    if not args.quiet:
        print(f"validated {len(files)} file(s): {len(files) - len(bad)} ok, {len(bad)} invalid")
    return EXIT_INVALID if problems else EXIT_OK


def _selected(rel: str, args: argparse.Namespace) -> bool:
    from pipeline import registry

    spec = registry.spec_for_path(rel)
    if spec is None:
        return False
    if args.owner and spec.owner is not args.owner:
        return False
    if spec.name in args.excluded:
        return False
    return not (args.json_only and spec.kind is not ArtifactKind.JSON)


def _relative(root: Path, path: str) -> str:
    p = Path(path)
    if p.is_absolute():
        try:
            return p.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return p.as_posix()
    return p.as_posix()
