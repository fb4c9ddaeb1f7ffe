"""Helpers the shell scripts call so they never parse JSON themselves (DESIGN §7).

* ``krx paths --owner PC|SERVER [--produced]``: git pathspecs of the artifacts a machine owns
  (``--produced``: only pipeline outputs, not operator-edited state), one per line.
* ``krx commit --owner PC|SERVER [--produced] [--artifact NAME ...]``: stage the owner's
  artifacts (``--artifact``: only these, without the dvc lock file) and commit them with a
  structured message (``artifact(pc): asof 2026-11-20 [prices, strategy_bundle]``), only if
  something changed. Prints the new commit or "nothing changed".
"""

from __future__ import annotations

import argparse
import fnmatch
import json
from pathlib import Path

from pipeline import registry
from pipeline.core import ownership
from pipeline.enums import Owner
from pipeline.errors import EXIT_OK, OperatorError
from pipeline.io.gitcli import git, staged_paths

LOCK_FILES = ownership.LOCK_FILES


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("paths", help="git pathspecs of the artifacts a machine owns")
    p.add_argument("--owner", required=True, type=Owner, choices=list(Owner))
    p.add_argument("--produced", action="store_true", help="pipeline outputs only")
    p.set_defaults(func=run_paths)
    c = sub.add_parser("commit", help="commit the owner's changed artifacts (if any)")
    c.add_argument("--owner", required=True, type=Owner, choices=list(Owner))
    c.add_argument("--produced", action="store_true", help="pipeline outputs only")
    c.add_argument(
        "--artifact",
        action="append",
        default=[],
        metavar="NAME",
        help="only this registered artifact (repeatable; the dvc lock file is left out)",
    )
    c.set_defaults(func=run_commit)


owned_pathspecs = ownership.owned_pathspecs


def run_paths(args: argparse.Namespace) -> int:
    print("\n".join(owned_pathspecs(args.owner, args.produced)))
    return EXIT_OK


def commit_message(root: Path, owner: Owner, staged: list[str]) -> str:
    names = sorted({s.name for p in staged if (s := registry.spec_for_path(p)) is not None})
    asof = _asof(root, owner)
    subject = f"artifact({owner.value.lower()}): asof {asof} [{', '.join(names) or 'dvc.lock'}]"
    return subject + "\n\n" + "\n".join(f"- {p}" for p in staged) + "\n"


def _asof(root: Path, owner: Owner) -> str:
    """The as-of date the staged artifacts describe (the clock file on the PC)."""
    candidates = [registry.path("clock")] if owner is Owner.PC else []
    candidates += [a.path for a in registry.ARTIFACTS if a.owner is owner and a.model]
    for rel in candidates:
        try:
            value = json.loads((root / rel).read_text(encoding="utf-8")).get("asof")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(value, str):
            return value
    return "unknown"


def stage_owned(root: Path, owner: Owner, produced: bool, only: tuple[str, ...] = ()) -> list[str]:
    """``git add -A`` the owner's artifacts that exist or are tracked; the staged paths."""
    tracked = set(git(root, "ls-files", "-z").split("\0"))
    present = []
    for spec in owned_pathspecs(owner, produced, only):
        if spec.startswith(":(glob)"):
            pattern = spec.removeprefix(":(glob)")
            if any(root.glob(pattern)) or any(fnmatch.fnmatch(t, pattern) for t in tracked):
                present.append(spec)
        elif (root / spec).exists() or spec in tracked:
            present.append(spec)
    if present:
        git(root, "add", "-A", "--", *present)
    return staged_paths(root)


def run_commit(args: argparse.Namespace) -> int:
    root = Path(args.repo)
    only = tuple(args.artifact)
    for name in only:
        if name not in registry.names() or registry.get(name).owner is not args.owner:
            raise OperatorError(f"--artifact {name}: not a registered {args.owner.value} artifact")
    staged = stage_owned(root, args.owner, args.produced, only)
    if not staged:
        print("nothing changed")
        return EXIT_OK
    git(root, "commit", "-q", "-F", "-", input_text=commit_message(root, args.owner, staged))
    print(git(root, "log", "-1", "--format=%h %s").strip())
    return EXIT_OK
