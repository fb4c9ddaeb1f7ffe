"""The edges of the world a stage sees: the clock, the machine's role, the code version.

The clock is an input: ``KRX_NOW`` (ISO datetime) or ``KRX_ASOF`` (date) replace the real clock,
so any past day can be replayed deterministically.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.artifacts.envelope import InputRef, Producer
from pipeline.enums import Owner
from pipeline.errors import OperatorError
from pipeline.io.gitcli import head
from pipeline.io.jsonio import file_sha256

SEOUL = ZoneInfo("Asia/Seoul")
#: The KRX regular session closes at 15:30; bars of a day are final after this time.
MARKET_CLOSE = dt.time(15, 30)


def now_seoul() -> dt.datetime:
    """Now in Asia/Seoul; ``KRX_NOW`` overrides (naive values are read as Seoul time)."""
    raw = os.environ.get("KRX_NOW")
    if raw:
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise OperatorError(f"KRX_NOW={raw!r} is not an ISO datetime") from None
        return value.replace(tzinfo=SEOUL) if value.tzinfo is None else value.astimezone(SEOUL)
    return dt.datetime.now(SEOUL)


def requested_asof(explicit: str | None = None) -> dt.date:
    """The as-of date asked for: ``--asof``, else ``KRX_ASOF``, else today in Seoul."""
    raw = explicit or os.environ.get("KRX_ASOF")
    if raw:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise OperatorError(f"as-of date {raw!r} is not YYYY-MM-DD") from None
    return now_seoul().date()


def role() -> Owner:
    """Which machine this is (``KRX_ROLE``=PC|SERVER, default PC)."""
    raw = os.environ.get("KRX_ROLE", "PC").upper()
    try:
        return Owner(raw)
    except ValueError:
        raise OperatorError(f"KRX_ROLE={raw!r}: expected PC or SERVER") from None


def code_sha(root: Path) -> str | None:
    """HEAD of the checkout the code runs from (None outside git)."""
    return head(root)


def producer(stage: str, root: Path) -> Producer:
    return Producer(stage=stage, host=role().value, code_sha=code_sha(root))


def input_ref(root: Path, rel: str, commit: str | None = None) -> InputRef:
    """Path + content hash of an input file as it is now in the working tree."""
    return InputRef(path=rel, sha256=file_sha256(root / rel), commit=commit)
