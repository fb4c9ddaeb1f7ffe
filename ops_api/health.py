"""``/api/ops/health``: what the served checkout looks like, from committed state only.

Ages are in KRX trading days (weekends are not the only holidays), counted with the calendar
overrides committed at the served commit, so the answer is a function of (commit, today).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from typing import Any

from pipeline import registry
from pipeline.canonical import JsonInputError, parse_json
from pipeline.core.schedule import server_run_age
from pipeline.enums import ArtifactKind
from pipeline.errors import OperatorError
from pipeline.io.store import Store
from pipeline.krx_calendar import OVERRIDES_FILE, KrxCalendar, build_calendar, parse_overrides

#: The artifact holding the last ``daily_ops.sh`` run, and its exit-code field.
SCHEDULER_ARTIFACT = "scheduler_record"
EXIT_CODE_FIELD = "exit_code"
DIRTY_PATHS_SHOWN = 20


@functools.lru_cache(maxsize=8)
def _calendar(text: str) -> KrxCalendar:
    return build_calendar(parse_overrides(text, OVERRIDES_FILE))


def calendar_at(store: Store, commit: str | None) -> KrxCalendar:
    """The KRX calendar with the closures committed at ``commit`` (cached by their text)."""
    blob = store.read(commit, OVERRIDES_FILE) if commit else None
    return _calendar(blob.data.decode("utf-8") if blob else "")


def _read_json(store: Store, commit: str, path: str) -> dict[str, Any] | None:
    blob = store.read(commit, path)
    if blob is None:
        return None
    try:
        data = parse_json(blob.data)
    except JsonInputError:
        return None
    return data if isinstance(data, dict) else None


def _asof(data: dict[str, Any] | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(data["asof"])) if data else None
    except (KeyError, ValueError):
        return None


def stage_ages(
    store: Store, commit: str | None, today: dt.date, cal: KrxCalendar | str
) -> list[dict[str, Any]]:
    """Per stage: its newest single-file JSON artifact's asof and age in trading days."""
    by_stage: dict[str, list[registry.ArtifactSpec]] = defaultdict(list)
    for spec in registry.ARTIFACTS:
        by_stage[spec.stage].append(spec)
    out: list[dict[str, Any]] = []
    for stage, specs in by_stage.items():
        row: dict[str, Any] = {"stage": stage, "artifact": None, "asof": None}
        readable = [s for s in specs if s.kind is ArtifactKind.JSON and not s.is_collection]
        found = [
            (a, s) for s in readable if commit and (a := _asof(_read_json(store, commit, s.path)))
        ]
        if not readable:
            row.update(age_trading_days=None, reason="no single-file JSON artifact with an asof")
        elif not found:
            row.update(age_trading_days=None, reason="not committed yet")
        else:
            asof, spec = max(found, key=lambda pair: pair[0])
            row.update(artifact=spec.name, asof=asof.isoformat())
            if isinstance(cal, str):  # the committed calendar overrides are unusable
                row.update(age_trading_days=None, reason=cal)
            else:
                row.update(age_trading_days=cal.count_after(asof, today), reason=None)
        out.append(row)
    return out


def daily_ops(
    store: Store, commit: str | None, now: dt.datetime, cal: KrxCalendar | str
) -> dict[str, Any]:
    """The last daily run's exit code and age (``server_run_age``), or null with a reason."""
    row = _last_run(store, commit)
    if isinstance(cal, str):  # the committed calendar overrides are unusable
        return {**row, "late": True, "sessions_missed": 0, "message": cal}
    asof = row["asof"]
    try:
        last = dt.date.fromisoformat(asof) if isinstance(asof, str) else None
    except ValueError:
        last = None
    age = server_run_age(last, now, cal)
    return {**row, "late": age.late, "sessions_missed": age.sessions_missed, "message": age.message}


def _last_run(store: Store, commit: str | None) -> dict[str, Any]:
    try:
        spec = registry.get(SCHEDULER_ARTIFACT)
    except KeyError:
        return {
            "exit_code": None,
            "asof": None,
            "reason": f"{SCHEDULER_ARTIFACT} is not registered yet",
        }
    data = _read_json(store, commit, spec.path) if commit and not spec.is_collection else None
    if data is None:
        return {"exit_code": None, "asof": None, "reason": f"no {spec.path} committed"}
    code = data.get(EXIT_CODE_FIELD)
    if not isinstance(code, int) or isinstance(code, bool):
        return {
            "exit_code": None,
            "asof": data.get("asof"),
            "reason": f"{spec.path} has no integer {EXIT_CODE_FIELD!r}",
        }
    return {"exit_code": code, "asof": data.get("asof"), "reason": None}


def health_row(
    store: Store, branch: str, branch_commit: str | None, now: dt.datetime
) -> dict[str, Any]:
    """The health document (``rows[0]`` of /api/ops/health)."""
    head = store.head()
    shown, count = store.dirty_paths(DIRTY_PATHS_SHOWN)
    today = now.date()
    try:
        cal: KrxCalendar | str = calendar_at(store, branch_commit)
    except (OperatorError, UnicodeDecodeError) as err:
        cal = f"calendar: {err}"
    return {
        "today": today.isoformat(),
        "repo": {
            "branch": branch,
            "commit": branch_commit,
            "head_branch": head.branch,
            "head_commit": head.commit,
            "dirty": count > 0,
            "dirty_count": count,
            "dirty_paths": shown,
        },
        "stages": stage_ages(store, branch_commit, today, cal),
        "daily_ops": daily_ops(store, branch_commit, now, cal),
        "read_only": True,
    }
