"""The use-case layer: one module per use case (STYLE §2, DESIGN §5b).

A flow reads its inputs, calls the pure core, builds the artifacts, validates and writes them,
and returns an outcome (an exit code from ``pipeline.errors``). Adapters — the DVC stage entry
point ``krx stage NAME``, the other CLI commands, the cockpit, the resolver and the shell
wrappers in ``deploy/`` — parse and format only.

This module is the one home of two facts every adapter needs: which flows are DVC stages, and
which command writes an artifact that no DVC stage writes (the registry's ``stage`` field names
the writer; ``writer_command`` turns it into what an operator types).
"""

from __future__ import annotations

#: The DVC stages, in pipeline order; ``dvc.yaml`` / ``server/dvc.yaml`` run ``krx stage NAME``
#: and each NAME is the flow module ``pipeline.flows.NAME`` with ``main(root, asof) -> int``.
DVC_STAGES: tuple[str, ...] = (
    "clock",
    "ingest",
    "backtest",
    "reconcile",
    "reports",
    "tickets",
    "ops_summary",
    "live_cycle",
)

#: Writers that are not DVC stages: registry ``stage`` -> the command that writes the artifact.
WRITER_COMMANDS: dict[str, str] = {
    "operator": "on the PC: krx safety | krx portfolio | krx ticket (krx --help), then commit",
    "drill": "krx drill",
    "daily_ops": "bash deploy/oci/daily_ops.sh",
    "sweep": "krx sweep run",
}


def writer_command(stage: str) -> str:
    """The command that writes an artifact of registry ``stage`` (the resolver never does)."""
    if stage in DVC_STAGES:
        return f"krx stage {stage}"
    return WRITER_COMMANDS[stage]
