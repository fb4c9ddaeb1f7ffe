"""The drill's scratch copy: a throw-away clone of HEAD and the processes run inside it.

``git clone --local`` rather than ``git worktree add``: a worktree registers itself in the real
repository's ``.git`` (and a crashed drill would leave it there); a clone writes nothing into
the repository it copies. Everything the drill runs gets an environment without the Telegram
settings and with the clock, role and UTF-8 pinned.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.canonical import safe_yaml
from pipeline.io.gitcli import git
from pipeline.io.telegram import ENV_BASE, ENV_CHAT, ENV_PROXY, ENV_TOKEN

#: Removed from every scratch process: without a token no code path can reach Telegram.
REMOVED_ENV = (ENV_TOKEN, ENV_CHAT, ENV_BASE, ENV_PROXY, "DVC_STAGE")
DRILL_BRANCH = "drill"
IDENTITY = ("-c", "user.name=krx drill", "-c", "user.email=drill@localhost")
OUTPUT_TAIL = 600  # characters of a process's output kept for the report


def tree_dirty(root: Path) -> bool:
    """Uncommitted changes in the real tree (``--no-optional-locks``: never touch its index)."""
    out = git(root, "--no-optional-locks", "status", "--porcelain", "--untracked-files=normal")
    return bool(out.strip())


def make_scratch(root: Path, head: str) -> Path:
    """Clone ``root`` at ``head`` into a new temp folder, on branch ``drill``, no remote."""
    dest = Path(tempfile.mkdtemp(prefix="krx-drill-"))
    git(dest, "clone", "--quiet", "--local", "--no-checkout", str(root.resolve()), "repo")
    scratch = dest / "repo"
    git(scratch, "checkout", "--quiet", "-B", DRILL_BRANCH, head)
    git(scratch, "remote", "remove", "origin")  # nothing can be pushed back by mistake
    return scratch


def commit_all(scratch: Path, message: str) -> str:
    """Commit whatever the steps wrote in the scratch copy; its new HEAD."""
    git(scratch, "add", "-A")
    git(
        scratch,
        *IDENTITY,
        "-c",
        "commit.gpgsign=false",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        message,
    )
    return git(scratch, "rev-parse", "HEAD").strip()


def scratch_env(asof: str, now: str) -> dict[str, str]:
    """The environment of every scratch process: server role, pinned clock, no Telegram."""
    env = {k: v for k, v in os.environ.items() if k not in REMOVED_ENV}
    env.update(KRX_ROLE="SERVER", KRX_ASOF=asof, KRX_NOW=now, PYTHONUTF8="1", TZ="Asia/Seoul")
    return env


@dataclass(frozen=True)
class Ran:
    exit_code: int | None  # None: could not start, or timed out
    output: str  # the tail of stdout + stderr

    @property
    def tail(self) -> str:
        return self.output[-OUTPUT_TAIL:].strip()


def run(argv: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Ran:
    """Run one process to completion (never raises)."""
    try:
        proc = subprocess.run(
            argv,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Ran(None, f"timed out after {timeout:.0f} s")
    except OSError as err:
        return Ran(None, f"cannot start: {err}")
    return Ran(proc.returncode, proc.stdout + proc.stderr)


def stage_command(scratch: Path, stage: str) -> tuple[list[str], Path] | None:
    """The ``cmd`` and working folder of ``stage`` in the copy's ``server/dvc.yaml``.

    The drill runs exactly what DVC would run (same command, same folder), without DVC itself:
    no run-cache, no lock file, and the stage's real exit code (``DVC_STAGE`` unset).
    """
    try:
        doc: Any = safe_yaml((scratch / "server/dvc.yaml").read_text(encoding="utf-8"))
        spec = doc["stages"][stage]
        argv = shlex.split(str(spec["cmd"]))
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return None
    if argv and argv[0] in ("python", "python3"):
        argv[0] = sys.executable  # the interpreter the drill runs with (the server's venv)
    return argv, (scratch / "server" / str(spec.get("wdir", "."))).resolve()


def krx(*args: str) -> list[str]:
    """``krx ARGS`` as a process of this interpreter (run inside the scratch copy)."""
    return [sys.executable, "-m", "pipeline.cli", *args]
