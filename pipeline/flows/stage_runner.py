"""How the daily runs run their DVC stages.

Production and the drill go through ``dvc repro`` (``pipeline.flows.daily_server``,
``pipeline.flows.daily_pc``). The same stages can also run here, in this process, in the order
the ``dvc.yaml`` gives them: the chaos simulation and the in-process flow tests run hundreds of
server mornings (and the PC's evenings) this way, where a ``dvc`` process per run would cost
seconds each. The order is read from the same ``dvc.yaml`` (a stage runs after the stages whose
outputs it depends on), so the two runners cannot drift; each stage is the flow
``pipeline.flows.NAME`` that ``krx stage NAME`` runs. Unlike DVC it skips nothing: every stage
named runs, and no ``dvc.lock`` is written.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.canonical import safe_yaml
from pipeline.errors import EXIT_BLOCKED, EXIT_FAULT, EXIT_OK, KrxError


def _stages(root: Path, dvc_file: str) -> dict[str, dict[str, Any]]:
    doc = safe_yaml((root / dvc_file).read_text(encoding="utf-8"))
    stages: dict[str, dict[str, Any]] = doc["stages"]
    return stages


def _paths(entries: Sequence[Any] | None) -> set[str]:
    """The paths of a dvc.yaml ``deps``/``outs`` list (plain strings or one-key mappings)."""
    out: set[str] = set()
    for entry in entries or ():
        out.update(entry if isinstance(entry, dict) else [entry])
    return out


def order(root: Path, target: str, single_item: bool = False) -> list[str]:
    """The stages ``dvc repro [--single-item] FILE[:STAGE]`` runs, upstream first.

    A FILE without a stage means each of its stages, as ``dvc repro dvc.yaml`` does.
    """
    dvc_file, _, name = target.partition(":")
    stages = _stages(root, dvc_file)
    wanted = [name] if name else list(stages)
    missing = [n for n in wanted if n not in stages]
    if missing:
        raise KrxError(f"{dvc_file} has no stage {missing[0]!r}")
    if single_item:
        return wanted
    producers = {p: s for s, spec in stages.items() for p in _paths(spec.get("outs"))}
    seen: list[str] = []

    def visit(stage: str) -> None:
        for dep in sorted(_paths(stages[stage].get("deps"))):
            upstream = producers.get(dep)
            if upstream and upstream != stage and upstream not in seen:
                visit(upstream)
        if stage not in seen:
            seen.append(stage)

    for stage in wanted:
        visit(stage)
    return seen


@contextlib.contextmanager
def environment(env: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` is exactly ``env`` for the block (an in-process stage or daily run's
    environment), and what it was before afterwards."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_in_process(root: Path, args: Sequence[str], env: Mapping[str, str]) -> int:
    """Run ``dvc repro`` arguments (``[--single-item] FILE[:STAGE]...``) as in-process flows.

    Like ``krx stage`` under DVC, a stage that recorded a block or a fault in its artifact
    counts as done (0); an exception is a crashed stage (3), and later stages do not run.
    """
    single = "--single-item" in args
    names: list[str] = []
    for target in (a for a in args if not a.startswith("-")):
        names += [x for x in order(root, target, single) if x not in names]
    with environment({**env, "DVC_STAGE": "in-process"}):
        for name in names:
            try:
                code = importlib.import_module(f"pipeline.flows.{name}").main(root, None)
            except KrxError as err:
                print(f"stage {name}: {err}")
                return EXIT_FAULT
            if code not in (EXIT_OK, EXIT_BLOCKED, EXIT_FAULT):
                return EXIT_FAULT
    return EXIT_OK
