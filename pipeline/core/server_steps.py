"""The server's daily run: its step order and the pure decisions of its git handling.

``STEPS`` is the one place the order lives: ``pipeline.flows.daily_server`` runs it, the drill
runs it (through that flow), the scheduler record lists steps in it and ``docs/server.md``
describes it. ``push`` is not a step of the day: it follows the record's commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.enums import PullAction, PushState, Repair
from pipeline.enums import ServerStep as Step
from pipeline.errors import EXIT_OK, as_exit_code

#: The order of the day (runbook steps 1-5 with the commit between 4 and 5).
STEPS: tuple[Step, ...] = (
    Step.PULL,
    Step.HEALTH,
    Step.OPS_SUMMARY,
    Step.LIVE_CYCLE,
    Step.COMMIT,
    Step.RESOLVE,
)
#: Steps that run only on a KRX session (the others run every day).
SESSION_STEPS = frozenset({Step.OPS_SUMMARY, Step.LIVE_CYCLE, Step.COMMIT, Step.RESOLVE})
#: Steps the drill runs in its scratch copy (no remote, no resolver of the real server).
DRILL_STEPS: tuple[Step, ...] = (Step.OPS_SUMMARY, Step.LIVE_CYCLE)


def worst(codes: Iterable[int]) -> int:
    """The run's exit code: the worst step (3 > 2 > 0)."""
    return max((as_exit_code(c) for c in codes), default=EXIT_OK)


@dataclass(frozen=True)
class RemotePlan:
    """What the run does with the remote: pull/push or not, and the fault if misconfigured."""

    sync: bool  # pull and push
    push: PushState  # the record's push field before the push
    fault: str | None  # a misconfiguration (exit 3), None if fine


def remote_plan(remote: str, remotes: Iterable[str], push_env: str | None) -> RemotePlan:
    """KRX_REMOTE / KRX_PUSH against the configured remotes.

    No remote at all: a local checkout, fine. A named remote that does not exist: a fault (a
    typo would otherwise leave the server working alone forever). Push by default; KRX_PUSH=0
    disables it (pull still happens).
    """
    names = list(remotes)
    if not names:
        return RemotePlan(False, PushState.NO_REMOTE, None)
    if remote not in names:
        found = ", ".join(names)
        return RemotePlan(
            False,
            PushState.NO_REMOTE,
            f"git remote '{remote}' does not exist (remotes: {found}): set KRX_REMOTE",
        )
    disabled = (push_env or "").strip() == "0"
    return RemotePlan(True, PushState.DISABLED if disabled else PushState.PUSHING, None)


def pull_action(head_in_remote: bool, remote_in_head: bool) -> PullAction:
    """Only unpushed local commits are ever replayed: commits on the remote are its ancestors."""
    if remote_in_head:
        return PullAction.NOTHING
    if head_in_remote:
        return PullAction.FAST_FORWARD
    return PullAction.REBASE


@dataclass(frozen=True)
class GitLeftovers:
    """What a killed git or dvc process can leave behind (observed by io.gitsync)."""

    lock_files: tuple[str, ...]  # index.lock, HEAD.lock, refs/heads/<b>.lock (relative to .git)
    rebase_in_progress: bool
    merge_in_progress: bool
    branch: str | None  # the checked-out branch, None when HEAD is detached
    dvc_rwlock: bool


def repairs(found: GitLeftovers) -> tuple[Repair, ...]:
    """In order: locks first (git refuses to work), then the rebase (it detached HEAD), then HEAD.

    The caller holds the daily run's lock, so every leftover is stale.
    """
    out: list[Repair] = []
    if found.lock_files:
        out.append(Repair.REMOVE_LOCKS)
    if found.rebase_in_progress:
        out.append(Repair.ABORT_REBASE)
    if found.merge_in_progress:
        out.append(Repair.ABORT_MERGE)
    if found.branch is None or found.rebase_in_progress:
        out.append(Repair.ATTACH_BRANCH)  # checked again after the abort
    if found.dvc_rwlock:
        out.append(Repair.REMOVE_DVC_RWLOCK)
    return tuple(out)


def branch_to_use(configured: str | None, checked_out: str | None) -> str:
    """KRX_BRANCH, else the checked-out branch (read after recovery), else main."""
    return (configured or "").strip() or checked_out or "main"
