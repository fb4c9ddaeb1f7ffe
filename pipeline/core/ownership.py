"""Which paths a machine commits: the registry's owner column as git pathspecs (DESIGN §1)."""

from __future__ import annotations

from pipeline import registry
from pipeline.enums import Owner

#: Stage name of artifacts that the operator edits by hand (or through the cockpit).
OPERATOR = "operator"
#: Records a command writes about itself (the scheduler record of the daily run, the drill
#: report of `krx drill --commit`): not pipeline outputs, each committed on its own.
SCRIPT_STAGES = frozenset({"daily_ops", "drill"})
LOCK_FILES = {Owner.PC: "dvc.lock", Owner.SERVER: "server/dvc.lock"}


def owned_pathspecs(owner: Owner, produced: bool, only: tuple[str, ...] = ()) -> list[str]:
    """Git pathspecs of the owner's artifacts (``produced``: pipeline outputs, not operator
    state; ``only``: these artifact names, without the dvc lock file)."""
    specs = [
        f":(glob){a.glob}" if a.is_collection else a.path
        for a in registry.ARTIFACTS
        if a.owner is owner
        and not (produced and a.stage in (OPERATOR, *SCRIPT_STAGES))
        and (not only or a.name in only)
    ]
    return specs if only else [*specs, LOCK_FILES[owner]]


def commit_message(owner: Owner, asof: str, staged: list[str]) -> str:
    """``artifact(server): asof 2026-11-20 [names]`` and the paths, one per line."""
    names = sorted({s.name for p in staged if (s := registry.spec_for_path(p)) is not None})
    subject = f"artifact({owner.value.lower()}): asof {asof} [{', '.join(names) or 'dvc.lock'}]"
    return subject + "\n\n" + "\n".join(f"- {p}" for p in staged) + "\n"
