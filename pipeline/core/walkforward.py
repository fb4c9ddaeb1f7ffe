"""Walk-forward windows on the KRX calendar and the deflated Sharpe ratio. Pure.

Windows are anchored at an origin and laid forward: fold k has an in-sample window of
``in_sample_days`` sessions (from the origin if anchored) followed by ``out_of_sample_days``
sessions; the next fold starts one out-of-sample length later, so the out-of-sample windows
tile one span. Only whole windows count. Because they are laid from the origin forward, more
history adds folds at the end and never moves an earlier one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from pipeline.errors import OperatorError
from pipeline.params.sweep_spec import WalkForwardSpec

EULER_GAMMA = 0.5772156649015329
_N = NormalDist()


@dataclass(frozen=True)
class FoldIndex:
    """Day indices (inclusive) of one fold in the price matrix."""

    is_start: int
    is_end: int
    oos_start: int
    oos_end: int


def folds(
    dates: npt.NDArray[np.datetime64],
    sessions: npt.NDArray[np.datetime64],
    origin: int,
    wf: WalkForwardSpec,
) -> tuple[FoldIndex, ...]:
    """Folds over matrix ``dates`` counted in KRX ``sessions``, starting at day ``origin``.

    Counting runs on the calendar, so a session without bars still counts as a day; window
    bounds are then mapped to the last matrix day on or before them.
    """
    if origin < 1:
        raise OperatorError("walk-forward needs at least one day before the origin")
    first = dates[origin]
    cal = sessions[(sessions >= first) & (sessions <= dates[-1])]
    out: list[FoldIndex] = []
    is_n, oos_n = wf.in_sample_days, wf.out_of_sample_days
    k = 0
    while True:
        is_lo = 0 if wf.anchored else k * oos_n
        is_hi = k * oos_n + is_n - 1
        oos_hi = is_hi + oos_n
        if oos_hi >= cal.size:
            break

        def at(i: int) -> int:
            return int(np.searchsorted(dates, cal[i], side="right")) - 1

        out.append(FoldIndex(at(is_lo), at(is_hi), at(is_hi) + 1, at(oos_hi)))
        k += 1
    if not out:
        raise OperatorError(
            f"history too short for walk-forward: need {is_n + oos_n} KRX sessions after "
            f"the warm-up origin {first.astype('datetime64[D]')}, have {cal.size}"
        )
    return tuple(out)


def expected_max_sharpe(trials: int, variance: float) -> float:
    """Expected maximum Sharpe of ``trials`` unskilled trials (Bailey & López de Prado 2014).

    ``sqrt(V) * ((1 - g) * Z^-1(1 - 1/N) + g * Z^-1(1 - 1/(N e)))``, g the Euler-Mascheroni
    constant; 0 for a single trial. Same unit as the Sharpe ratios of ``variance``.
    """
    if trials <= 1 or not variance > 0:
        return 0.0
    z1 = _N.inv_cdf(1.0 - 1.0 / trials)
    z2 = _N.inv_cdf(1.0 - 1.0 / (trials * math.e))
    return math.sqrt(variance) * ((1.0 - EULER_GAMMA) * z1 + EULER_GAMMA * z2)


def deflated_sharpe(
    sharpe: float, observations: int, skew: float, kurtosis: float, benchmark: float
) -> float | None:
    """Probability that the true Sharpe exceeds ``benchmark`` (the deflated Sharpe ratio).

    ``Z((SR - SR0) sqrt(T - 1) / sqrt(1 - skew SR + (kurtosis - 1) / 4 SR^2))`` with
    non-annualised (per-day) Sharpe ratios and Pearson kurtosis; None if undefined.
    """
    if observations < 2 or not all(math.isfinite(x) for x in (sharpe, skew, kurtosis)):
        return None
    var = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe**2
    if var <= 0:
        return None
    return _N.cdf((sharpe - benchmark) * math.sqrt(observations - 1) / math.sqrt(var))
