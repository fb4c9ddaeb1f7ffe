"""Report artifacts: the compact machine report and the Korean push-message preview."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.artifacts.envelope import Envelope
from pipeline.enums import DayState, ReconStatus

MACHINE_REPORT_MAX_CHARS = 1200
PUSH_TITLE_MAX = 50
PUSH_BODY_MAX = 500
#: Telegram's limit for one message (the server's daily message always fits it).
PUSH_MESSAGE_MAX = 4096


class MachineReportV1(Envelope):
    """Everything a script needs at a glance; the whole file stays under 1,200 characters."""

    schema_id: Literal["machine_report/v1"] = Field("machine_report/v1", alias="schema")
    synthetic: bool = Field(description="True if built on generated sample data")
    day_state: DayState = Field(description="Strategy day state on asof")
    exposure: float = Field(ge=0, le=1, description="Gross exposure for the next session")
    targets: dict[str, float] = Field(description="Target weight per ticker, fraction")
    cagr: float | None = Field(description="Strategy CAGR, fraction")
    mdd: float = Field(description="Strategy max drawdown, fraction")
    sharpe: float | None = Field(description="Strategy Sharpe ratio")
    bench_cagr: float | None = Field(description="069500 buy-and-hold CAGR, fraction")
    recon: ReconStatus = Field(description="Reconcile badge")
    issues: tuple[str, ...] = Field(description="Top reconcile issue codes (at most 3)")


class PushPreviewV1(Envelope):
    """The Korean push message as it would be sent (no secrets, no paths)."""

    schema_id: Literal["push_preview/v1"] = Field("push_preview/v1", alias="schema")
    title: str = Field(max_length=PUSH_TITLE_MAX, description="Title, at most 50 characters")
    body: str = Field(max_length=PUSH_BODY_MAX, description="Body, at most 500 characters")
    message_text: str = Field(
        "",
        max_length=PUSH_MESSAGE_MAX,
        description="The server's daily message for the bundle's next session, rendered by the "
        "same function from this repo's bundle, portfolio and safety files (empty in files "
        "written before it existed)",
    )
