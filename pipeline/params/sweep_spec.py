"""The sweep spec (``sweeps/*.yaml``): which ``strategy`` keys to vary, how to score, the guard.

Like ``params.yaml`` it is validated by frozen pydantic models with ``extra="forbid"``; every
swept key must name a number or word inside the ``strategy`` section (dotted, list items by
index: ``rebalance.mode``, ``rsi_bands.0.lower``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.canonical import safe_yaml
from pipeline.errors import OperatorError
from pipeline.params import StrategyParams

Value = int | float | str


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Steps(_Spec):
    """An inclusive arithmetic range ``start, start+step, ... <= stop``."""

    start: float = Field(description="First value")
    stop: float = Field(description="Last value (inclusive if reached)")
    step: float = Field(gt=0, description="Increment")

    def values(self) -> tuple[Value, ...]:
        n = int((self.stop - self.start) / self.step + 1e-9) + 1
        out = [self.start + k * self.step for k in range(n)]
        if all(float(x).is_integer() for x in (self.start, self.step)):
            return tuple(round(x) for x in out)
        return tuple(round(x, 10) for x in out)


class WalkForwardSpec(_Spec):
    in_sample_days: int = Field(504, ge=60, description="KRX trading days per in-sample window")
    out_of_sample_days: int = Field(
        126, ge=20, description="KRX trading days per out-of-sample window (also the step)"
    )
    anchored: bool = Field(False, description="True: in-sample always starts at the origin")


class GuardSpec(_Spec):
    """What a candidate must show out of sample before ``krx sweep promote`` accepts it."""

    min_oos_sharpe: float = Field(0.0, description="OOS Sharpe must be above this (annualised)")
    min_deflated_sharpe: float = Field(
        0.95, ge=0, le=1, description="Deflated Sharpe ratio (probability) at least this"
    )
    max_sharpe_gap: float = Field(
        1.0, ge=0, description="Mean in-sample minus mean OOS fold Sharpe at most this"
    )
    min_oos_days: int = Field(252, ge=1, description="OOS trading days at least this")
    must_beat_baseline: bool = Field(
        True, description="OOS Sharpe must exceed the current params' OOS Sharpe"
    )


class SurfaceSpec(_Spec):
    x: str = Field(description="Swept key on the x axis of the metric surface")
    y: str = Field(description="Swept key on the y axis")


class SweepSpec(_Spec):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,40}$", description="Short name")
    sampling: Literal["grid", "random"] = Field("grid", description="Every combination or a sample")
    samples: int = Field(1000, ge=1, description="Combinations drawn (random sampling)")
    seed: int = Field(0, description="Seed of the random sample")
    top: int = Field(20, ge=1, le=200, description="Candidates kept in detail on the leaderboard")
    walk_forward: WalkForwardSpec = WalkForwardSpec()
    guard: GuardSpec = GuardSpec()
    surface: SurfaceSpec
    params: dict[str, tuple[Value, ...] | Steps] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> SweepSpec:
        base = StrategyParams().model_dump(mode="json")
        for key, values in self.grid().items():
            current = lookup(base, key)
            if isinstance(current, (dict, list)) or current is None:
                raise ValueError(f"params.{key}: not a number or word inside strategy")
            if not values:
                raise ValueError(f"params.{key}: no values")
            if len(set(values)) != len(values):
                raise ValueError(f"params.{key}: duplicate values")
        for axis in (self.surface.x, self.surface.y):
            if axis not in self.params:
                raise ValueError(f"surface axis {axis!r} is not a swept key")
        return self

    def grid(self) -> dict[str, tuple[Value, ...]]:
        """Swept key -> its values, in spec order."""
        return {k: v.values() if isinstance(v, Steps) else v for k, v in self.params.items()}

    @property
    def size(self) -> int:
        n = 1
        for values in self.grid().values():
            n *= len(values)
        return n


def lookup(tree: Any, key: str) -> Any:
    """Value at a dotted key in nested dicts/lists; None if absent."""
    node = tree
    for part in key.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def parse_spec(text: str, where: str) -> SweepSpec:
    try:
        return SweepSpec.model_validate(safe_yaml(text))
    except yaml.YAMLError as err:
        raise OperatorError(f"{where}: not valid YAML: {err}") from None
    except ValidationError as err:
        lines = [
            f"{where}: {'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}"
            for e in err.errors()
        ]
        raise OperatorError("\n".join(lines)) from None


def load_spec(path: Path) -> tuple[SweepSpec, str]:
    """The spec at ``path`` and the SHA-256 of its bytes."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise OperatorError(f"{path}: sweep spec not found") from None
    return parse_spec(raw.decode("utf-8"), str(path)), hashlib.sha256(raw).hexdigest()
