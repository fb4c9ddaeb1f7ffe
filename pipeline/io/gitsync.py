"""Git for the daily runs: pull, commit owned paths, push, recover — subprocess git, no decisions.

Every call has a timeout (network calls ``net_timeout_s``); a failure raises ``GitSyncError``
with git's own words. What to do (fast-forward or rebase, which repairs, whether to push) is
decided in ``pipeline.core.server_steps``; this module observes and acts. Both daily runs (the
server's and the PC's) use it::

    sync = GitSync(root, net_timeout_s=60)
    sync.recover(configured_branch)          # after taking the run's lock
    sync.pull_rebase("origin", "main")
    sync.commit_paths([...pathspecs...], message)
    sync.push("origin", "main", retries=3)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.server_steps import GitLeftovers, branch_to_use, pull_action, repairs
from pipeline.enums import PullAction, Repair
from pipeline.errors import RetryableError

#: The identity of commits made by a daily run when the checkout has none configured.
FALLBACK_IDENTITY = ("-c", "user.name=krx daily", "-c", "user.email=krx-daily@localhost")
#: Lock files a killed git leaves (relative to the git dir); refs/heads/<branch>.lock is added.
LOCK_FILES = ("index.lock", "HEAD.lock", "ORIG_HEAD.lock", "FETCH_HEAD.lock", "packed-refs.lock")
DVC_RWLOCK = ".dvc/tmp/rwlock"


class GitSyncError(RetryableError):
    """A git operation failed (message: git's own words); the next run may succeed."""


@dataclass(frozen=True)
class GitSync:
    root: Path
    net_timeout_s: float = 60.0  # per network call (fetch, push)
    local_timeout_s: float = 60.0  # per local call

    # --- plumbing ----------------------------------------------------------------------------

    def run(
        self, *args: str, timeout: float | None = None, input_text: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``git ARGS`` in the checkout; never raises for a non-zero exit (TimeoutExpired: 124)."""
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C.UTF-8"}
        argv = ["git", "-C", str(self.root), *args]
        try:
            return subprocess.run(
                argv,
                input=input_text,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=timeout or self.local_timeout_s,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return subprocess.CompletedProcess(argv, 124, "", f"timed out after {timeout} s")
        except OSError as err:
            return subprocess.CompletedProcess(argv, 127, "", str(err))

    def out(self, *args: str, timeout: float | None = None, input_text: str | None = None) -> str:
        """stdout of ``git ARGS``; GitSyncError on failure."""
        proc = self.run(*args, timeout=timeout, input_text=input_text)
        if proc.returncode != 0:
            text = " ".join((proc.stderr or proc.stdout).split())[:300]
            raise GitSyncError(f"git {' '.join(args[:3])}: {text or f'exit {proc.returncode}'}")
        return proc.stdout

    def ok(self, *args: str) -> bool:
        return self.run(*args).returncode == 0

    # --- observation -------------------------------------------------------------------------

    def git_dir(self) -> Path:
        return Path(self.out("rev-parse", "--absolute-git-dir").strip())

    def head(self) -> str | None:
        proc = self.run("rev-parse", "-q", "--verify", "HEAD")
        sha = proc.stdout.strip()
        return sha if proc.returncode == 0 and len(sha) == 40 else None

    def current_branch(self) -> str | None:
        """The checked-out branch; None when HEAD is detached."""
        proc = self.run("symbolic-ref", "-q", "--short", "HEAD")
        return proc.stdout.strip() or None if proc.returncode == 0 else None

    def remotes(self) -> list[str]:
        return self.out("remote").split()

    def leftovers(self) -> GitLeftovers:
        gd = self.git_dir()
        locks = [name for name in LOCK_FILES if (gd / name).exists()]
        locks += [p.relative_to(gd).as_posix() for p in (gd / "refs").rglob("*.lock")]
        return GitLeftovers(
            lock_files=tuple(locks),
            rebase_in_progress=(gd / "rebase-merge").exists() or (gd / "rebase-apply").exists(),
            merge_in_progress=(gd / "MERGE_HEAD").exists(),
            branch=self.current_branch(),
            dvc_rwlock=_rwlock_held(self.root / DVC_RWLOCK),
        )

    # --- recovery ----------------------------------------------------------------------------

    def recover(self, configured_branch: str | None = None) -> tuple[str, list[str]]:
        """Undo what a killed run left (the caller holds the run's lock, so all of it is stale).

        Returns the branch to work on (read only after recovering) and what was repaired.
        """
        found = self.leftovers()
        done: list[str] = []
        gd = self.git_dir()
        for repair in repairs(found):
            if repair is Repair.REMOVE_LOCKS:
                for rel in found.lock_files:
                    (gd / rel).unlink(missing_ok=True)
                done.append("removed stale " + ", ".join(found.lock_files))
            elif repair is Repair.ABORT_REBASE:
                if not self.ok("rebase", "--abort"):
                    shutil.rmtree(gd / "rebase-merge", ignore_errors=True)
                    shutil.rmtree(gd / "rebase-apply", ignore_errors=True)
                done.append("aborted a rebase left by a killed run")
            elif repair is Repair.ABORT_MERGE:
                self.run("merge", "--abort")
                done.append("aborted a merge left by a killed run")
            elif repair is Repair.ATTACH_BRANCH:
                now = self.current_branch()
                branch = branch_to_use(configured_branch, now)
                if now != branch or now is None:
                    self.out("checkout", "-q", branch)
                    done.append(f"re-attached HEAD to {branch}")
            elif repair is Repair.REMOVE_DVC_RWLOCK:
                (self.root / DVC_RWLOCK).unlink(missing_ok=True)
                done.append("removed a stale dvc rwlock")
        return branch_to_use(configured_branch, self.current_branch()), done

    # --- the three operations ----------------------------------------------------------------

    def fetch(self, remote: str, branch: str) -> str:
        """Fetch ``remote``'s ``branch``; the fetched commit."""
        ref = f"refs/remotes/{remote}/{branch}"
        self.out("fetch", "-q", remote, f"+refs/heads/{branch}:{ref}", timeout=self.net_timeout_s)
        return self.out("rev-parse", ref).strip()

    def pull_rebase(self, remote: str, branch: str) -> PullAction:
        """Bring ``remote/branch`` in: fast-forward, or replay only our unpushed commits on top.

        Commits on the remote-tracking branch are ancestors of the result, never rewritten. The
        index is kept as it is (a staged foreign file stays staged) unless a rebase is needed,
        which stashes and restores the working tree around it.
        """
        fetched = self.fetch(remote, branch)
        head = self.head()
        if head is None:  # an empty clone
            self.out("checkout", "-q", "-B", branch, fetched)
            return PullAction.FAST_FORWARD
        action = pull_action(
            head_in_remote=self.ok("merge-base", "--is-ancestor", head, fetched),
            remote_in_head=self.ok("merge-base", "--is-ancestor", fetched, head),
        )
        if action is PullAction.FAST_FORWARD:
            self.out("merge", "-q", "--ff-only", fetched)
        elif action is PullAction.REBASE:
            proc = self.run(*self._identity(), "rebase", "-q", "--autostash", fetched)
            if proc.returncode != 0:
                self.run("rebase", "--abort")
                text = " ".join((proc.stderr or proc.stdout).split())[:300]
                raise GitSyncError(f"git rebase onto {remote}/{branch} failed: {text}")
        return action

    def changed(self, pathspecs: Sequence[str]) -> list[str]:
        """Paths under ``pathspecs`` that differ from HEAD (working tree, incl. new files)."""
        present = [s for s in pathspecs if self._matches(s)]
        if not present:
            return []
        listed = self.out("ls-files", "-z", "--others", "--modified", "--deleted", "--", *present)
        diff = self.out("diff", "--name-only", "-z", "HEAD", "--", *present) if self.head() else ""
        return sorted({p for p in (listed + "\0" + diff).split("\0") if p})

    def commit_paths(self, pathspecs: Sequence[str], message: str) -> str | None:
        """Commit exactly the changed paths under ``pathspecs``; the new commit, None if nothing.

        ``git commit --only -- PATHS``: whatever else is staged stays staged and uncommitted.
        """
        paths = self.changed(pathspecs)
        if not paths:
            return None
        self.out("add", "-A", "--", *paths)
        self.out(
            *self._identity(),
            "commit",
            "-q",
            "--no-verify",
            "--only",
            "-F",
            "-",
            "--",
            *paths,
            input_text=message,
        )
        return self.head()

    def push(self, remote: str, branch: str, retries: int = 3, backoff_s: float = 1.0) -> int:
        """Push HEAD to ``remote``'s ``branch`` (never another branch, never forced).

        A rejection (the remote moved) pulls (fast-forward or rebase of our unpushed commits)
        and retries. Returns the number of attempts; GitSyncError after the last one.
        """
        last = ""
        for attempt in range(1, retries + 1):
            proc = self.run(
                "push", "-q", remote, f"HEAD:refs/heads/{branch}",
                timeout=self.net_timeout_s,
            )  # fmt: skip
            if proc.returncode == 0:
                return attempt
            last = " ".join((proc.stderr or proc.stdout).split())[:300]
            if attempt == retries:
                break
            time.sleep(backoff_s * attempt)
            try:
                self.pull_rebase(remote, branch)
            except GitSyncError as err:
                last = str(err)
                break
        raise GitSyncError(f"git push {remote} HEAD:{branch} failed: {last}")

    def amend_unpublished(self, pathspecs: Sequence[str], remote: str, branch: str) -> None:
        """Fold the changed ``pathspecs`` into HEAD, only if HEAD was never published.

        Used after a rejected push was rebased: the rebase gave HEAD a new id that no remote
        has. Anything that may have reached the remote is refused (GitSyncError).
        """
        if not _never_published(self, remote, branch):
            raise GitSyncError(f"HEAD may be on {remote}/{branch}: refusing to amend it")
        paths = self.changed(pathspecs)
        if paths:
            self.out("add", "-A", "--", *paths)
            self.out(*self._identity(), "commit", "-q", "--no-verify", "--amend", "--no-edit",
                     "--only", "--", *paths)  # fmt: skip

    # --- helpers -----------------------------------------------------------------------------

    def _identity(self) -> tuple[str, ...]:
        has_name = self.run("config", "user.name").returncode == 0
        has_mail = self.run("config", "user.email").returncode == 0
        return () if has_name and has_mail else FALLBACK_IDENTITY

    def _matches(self, spec: str) -> bool:
        if spec.startswith(":(glob)"):
            pattern = spec.removeprefix(":(glob)")
            if any(self.root.glob(pattern)):
                return True
            return bool(self.out("ls-files", "--", spec).strip())
        return (self.root / spec).exists() or bool(self.out("ls-files", "--", spec).strip())


def _never_published(sync: GitSync, remote: str, branch: str) -> bool:
    """HEAD is on no remote-tracking ref of ``remote`` (fetched just before: it was rebased)."""
    head = sync.head()
    if head is None:
        return False
    refs = sync.out("branch", "-r", "--contains", head, "--format=%(refname)").split()
    return not any(r.startswith(f"refs/remotes/{remote}/") for r in refs)


def _rwlock_held(path: Path) -> bool:
    """DVC's rwlock lists the pids of running stages; an entry left by a killed run is stale.

    DVC keeps the file between runs (empty read/write maps): only entries count.
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return '"pid"' in text
