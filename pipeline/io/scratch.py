"""The drill's scratch copy: a throw-away clone of HEAD and the processes run inside it.

``git clone --local`` rather than ``git worktree add``: a worktree registers itself in the real
repository's ``.git`` (and a crashed drill would leave it there); a clone writes nothing into
the repository it copies. Everything the drill runs gets an environment without the Telegram
settings and with the clock, role and UTF-8 pinned.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pipeline.io.gitcli import git
from pipeline.io.telegram import ENV_BASE, ENV_CHAT, ENV_PROXY, ENV_TOKEN

#: Removed from every scratch process: without a token no code path can reach Telegram.
#: Never in a scratch run: the bot (nothing is sent), the heartbeat (the real server's monitor
#: must not hear a drill), DVC's own marker.
REMOVED_ENV = (ENV_TOKEN, ENV_CHAT, ENV_BASE, ENV_PROXY, "KRX_HEARTBEAT_URL", "DVC_STAGE")
DRILL_BRANCH = "drill"
IDENTITY = ("-c", "user.name=krx drill", "-c", "user.email=drill@localhost")


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


def scratch_env(asof: str, now: str) -> dict[str, str]:
    """The environment of every scratch process: server role, pinned clock, no Telegram."""
    env = {k: v for k, v in os.environ.items() if k not in REMOVED_ENV}
    env.update(KRX_ROLE="SERVER", KRX_ASOF=asof, KRX_NOW=now, PYTHONUTF8="1", TZ="Asia/Seoul")
    return env
