"""``krx next-steps``: what to do after ``make run`` (commit and push, cockpit, report).

``make run`` ends with it. It reads git (uncommitted PC artifacts, commits not pushed) to say
where you are, and never changes anything.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline import registry
from pipeline.commands.repo import owned_pathspecs
from pipeline.enums import Owner
from pipeline.errors import EXIT_OK
from pipeline.io.gitcli import run_git

COMMIT = "krx commit --owner PC --produced && git pull --rebase && git push origin HEAD"
COCKPIT_URL = "http://127.0.0.1:8501"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("next-steps", help="what to do after `make run` (commit, cockpit, report)")
    p.set_defaults(func=run)


def git_state(root: Path) -> tuple[int | None, int | None]:
    """(changed PC artifact files, commits not pushed); None where git cannot tell."""
    code, out, _ = run_git(
        root, "status", "--porcelain", "--", *owned_pathspecs(Owner.PC, produced=True)
    )
    changed = len(out.splitlines()) if code == 0 else None
    code, out, _ = run_git(root, "rev-list", "--count", "@{upstream}..HEAD")
    ahead = int(out.strip()) if code == 0 and out.strip().isdigit() else None
    return changed, ahead


def next_steps(root: Path) -> str:
    """The text ``make run`` ends with."""
    changed, ahead = git_state(root)
    if changed is None:
        where = "not a git checkout: commit the artifacts where the server can pull them"
    else:
        unpushed = "no upstream branch" if ahead is None else f"{ahead} commit(s) not pushed"
        where = f"now: {changed} changed artifact file(s), {unpushed}"
    report = (root / registry.get("report_html").path).resolve()
    return "\n".join(
        [
            "Next steps:",
            "  1. Commit and push what the run produced (the server reads it from git):",
            f"       {COMMIT}",
            f"     ({where})",
            f"  2. Check today in the cockpit: make cockpit, then open {COCKPIT_URL}",
            "     (the server's resolver on this PC: krx tunnel USER@SERVER; docs/tunnel.md)",
            f"  3. Read the report (self-contained, works offline): {report.as_uri()}",
            "  Figures: dvc metrics show; dvc metrics diff; dvc plots show (offline)",
            "",
        ]
    )


def run(args: argparse.Namespace) -> int:
    print(next_steps(Path(args.repo)), end="")
    return EXIT_OK
