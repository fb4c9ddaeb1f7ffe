"""The daily run's pure decisions: step order, exit fold, remote plan, pull action, repairs."""

from __future__ import annotations

import pytest

from pipeline.artifacts.scheduler import STEP_NAMES
from pipeline.core import server_steps as core
from pipeline.enums import PullAction, PushState, Repair, ServerStep


def test_one_step_order_and_the_record_names_follow_it() -> None:
    assert [s.value for s in core.STEPS] == [
        "pull", "health", "ops_summary", "live_cycle", "commit", "resolve"
    ]  # fmt: skip
    assert (*(s.value for s in core.STEPS), ServerStep.PUSH.value) == STEP_NAMES
    assert set(core.STEPS) > core.SESSION_STEPS


@pytest.mark.parametrize(
    ("codes", "expected"),
    [([], 0), ([0, 0], 0), ([0, 2], 2), ([2, 3, 0], 3), ([1], 3), ([-9], 3), ([127, 0], 3)],
)
def test_the_run_exits_with_the_worst_step_and_only_0_2_3(codes: list[int], expected: int) -> None:
    assert core.worst(codes) == expected


@pytest.mark.parametrize(
    ("remote", "remotes", "push", "expected"),
    [
        ("origin", [], None, (False, PushState.NO_REMOTE, False)),
        ("origin", ["origin"], None, (True, PushState.PUSHING, False)),  # push by default
        ("origin", ["origin"], "1", (True, PushState.PUSHING, False)),
        ("origin", ["origin"], "0", (True, PushState.DISABLED, False)),
        ("upstream", ["origin"], None, (False, PushState.NO_REMOTE, True)),  # a fault
    ],
)
def test_remote_plan(
    remote: str, remotes: list[str], push: str | None, expected: tuple[bool, PushState, bool]
) -> None:
    plan = core.remote_plan(remote, remotes, push)
    assert (plan.sync, plan.push, plan.fault is not None) == expected


def test_pull_never_replays_what_the_remote_has() -> None:
    assert core.pull_action(head_in_remote=True, remote_in_head=True) is PullAction.NOTHING
    assert core.pull_action(head_in_remote=False, remote_in_head=True) is PullAction.NOTHING
    assert core.pull_action(head_in_remote=True, remote_in_head=False) is PullAction.FAST_FORWARD
    assert core.pull_action(head_in_remote=False, remote_in_head=False) is PullAction.REBASE


def test_repairs_in_order_and_branch_read_after() -> None:
    found = core.GitLeftovers(("index.lock", "HEAD.lock"), True, False, None, True)
    assert core.repairs(found) == (
        Repair.REMOVE_LOCKS,
        Repair.ABORT_REBASE,
        Repair.ATTACH_BRANCH,
        Repair.REMOVE_DVC_RWLOCK,
    )
    assert core.repairs(core.GitLeftovers((), False, False, "main", False)) == ()
    assert core.branch_to_use(None, None) == "main"
    assert core.branch_to_use("prod", "main") == "prod"
    assert core.branch_to_use("", "work") == "work"
