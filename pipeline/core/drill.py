"""Drill rules: the drill's verdict is the daily run's outcome in the scratch copy.

The drill runs ``pipeline.flows.daily_server`` itself, so it has no step rules of its own. It
adds one: a message that left the console (anything but CONSOLE_SIMULATED / SIMULATED) is a
fault whatever else happened — the scratch copy was forced to MOCK_ONLY with the sender off.

==========================================  =========  ============================
observation                                  exit code  result
==========================================  =========  ============================
no commit / no scratch copy                  3          FAULT (``fault`` says why)
the message was not console-only             3          FAULT (``fault`` says why)
otherwise: the daily run's exit code         0 / 2 / 3  OK / BLOCKED / FAULT
==========================================  =========  ============================
"""

from __future__ import annotations

from pipeline.enums import DeliveryChannel, DeliveryStatus, SchedulerStepResult
from pipeline.errors import EXIT_FAULT, EXIT_RESULT, as_exit_code

SIMULATED = (DeliveryChannel.CONSOLE_SIMULATED, DeliveryStatus.SIMULATED)
NOT_SIMULATED = "the scratch cycle's message was not console-only ({}/{}): a real send happened"


def verdict(
    flow_exit: int, delivery: tuple[DeliveryChannel, DeliveryStatus] | None
) -> tuple[int, SchedulerStepResult, str | None]:
    """Exit code, result and fault line of a drill whose flow ran (``delivery``: the receipt's)."""
    if delivery is not None and delivery != SIMULATED:
        return EXIT_FAULT, SchedulerStepResult.FAULT, NOT_SIMULATED.format(*delivery)
    code = as_exit_code(flow_exit)
    return code, EXIT_RESULT[code], None
