"""Every enumerated state of the system, in one module (DESIGN §7: one name per state)."""

from __future__ import annotations

from enum import StrEnum


class Owner(StrEnum):
    """Which machine may write an artifact path."""

    PC = "PC"
    SERVER = "SERVER"


class ArtifactKind(StrEnum):
    JSON = "json"
    PARQUET = "parquet"
    CSV = "csv"
    TEXT = "text"


class DayState(StrEnum):
    """The strategy's state for one trading day (DESIGN §4)."""

    BULL = "BULL"
    BEAR = "BEAR"
    CHOP = "CHOP"
    WARMUP = "WARMUP"


class Regime(StrEnum):
    """The locked regime underneath the chop filter."""

    BULL = "BULL"
    BEAR = "BEAR"
    WARMUP = "WARMUP"


class InstrumentType(StrEnum):
    ETF = "ETF"
    STOCK = "STOCK"


class PriceSource(StrEnum):
    SAMPLE = "sample"
    CSV = "csv"
    PYKRX = "pykrx"
    FDR = "fdr"


class ExecutionGate(StrEnum):
    MOCK_ONLY = "MOCK_ONLY"
    DRY_RUN = "DRY_RUN"
    REAL_ENABLED = "REAL_ENABLED"


class Severity(StrEnum):
    CRITICAL = "CRITICAL"
    WARN = "WARN"
    INFO = "INFO"


class OverallStatus(StrEnum):
    OK = "OK"
    WARN = "WARN"
    BLOCKED = "BLOCKED"
    STOPPED = "STOPPED"
    NO_RUN_HISTORY = "NO_RUN_HISTORY"


class ExitCode(StrEnum):
    """Names of the process exit codes; the numbers live in pipeline.errors."""

    OK = "OK"
    BLOCKED = "BLOCKED"
    FAULT = "FAULT"
