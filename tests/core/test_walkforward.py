"""Walk-forward windows on the KRX calendar, the deflated Sharpe ratio, the guard, the board."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.leaderboard import judge
from pipeline.core.walkforward import deflated_sharpe, expected_max_sharpe, folds
from pipeline.enums import GuardFailure as G
from pipeline.errors import OperatorError
from pipeline.krx_calendar import load_calendar
from pipeline.params.sweep_spec import GuardSpec, WalkForwardSpec
from tests.conftest import ROOT


def _d64(days: list[dt.date]) -> np.ndarray:
    return np.array(days, dtype="datetime64[D]")


def test_windows_count_krx_sessions_not_weekdays() -> None:
    """Seollal 2024 (Feb 9-12) is closed: a window of 5 sessions spans it."""
    cal = load_calendar(ROOT)
    sessions = _d64(cal.between(dt.date(2024, 1, 2), dt.date(2024, 6, 28)))
    wf = WalkForwardSpec(in_sample_days=60, out_of_sample_days=20)
    got = folds(sessions, sessions, 1, wf)
    day = [d.astype(object) for d in sessions]
    first = got[0]
    assert day[first.is_start] == dt.date(2024, 1, 3)  # origin: the second session
    assert first.is_end - first.is_start + 1 == 60
    assert first.oos_end - first.oos_start + 1 == 20
    assert dt.date(2024, 2, 9) not in day and dt.date(2024, 2, 12) not in day
    for a, b in itertools.pairwise(got):
        assert b.oos_start == a.oos_end + 1  # OOS windows tile one span
        assert b.is_start == a.is_start + 20  # rolling: step = OOS length
    assert got[-1].oos_end <= len(sessions) - 1


def test_windows_map_onto_matrix_days_when_a_session_has_no_bars() -> None:
    sessions = np.arange(np.datetime64("2024-01-01"), np.datetime64("2024-12-31"))
    dates = np.delete(sessions, [100, 101])  # two sessions without bars
    got = folds(dates, sessions, 1, WalkForwardSpec(in_sample_days=60, out_of_sample_days=20))
    for f in got:
        assert 0 < f.is_start <= f.is_end < f.oos_start <= f.oos_end < dates.size


def test_anchored_windows_start_at_the_origin() -> None:
    s = np.arange(np.datetime64("2024-01-01"), np.datetime64("2024-12-31"))
    got = folds(s, s, 5, WalkForwardSpec(in_sample_days=60, out_of_sample_days=20, anchored=True))
    assert {f.is_start for f in got} == {5}
    assert [f.is_end for f in got] == [5 + 59 + 20 * k for k in range(len(got))]


def test_too_short_history_is_an_operator_error() -> None:
    s = np.arange(np.datetime64("2024-01-01"), np.datetime64("2024-03-01"))
    with pytest.raises(OperatorError, match="too short"):
        folds(s, s, 1, WalkForwardSpec(in_sample_days=60, out_of_sample_days=20))


def test_deflated_sharpe_matches_the_paper_example() -> None:
    """Bailey & López de Prado (2014), §"A numerical example": SR0 = 0.1132, DSR = 0.9004.

    Annualised SR 2.5 over T = 1250 days, skew -3, kurtosis 10, N = 100 trials whose
    annualised Sharpe ratios have variance 0.5 (250 days a year in the paper).
    """
    sr0 = expected_max_sharpe(100, 0.5 / 250)
    assert sr0 == pytest.approx(0.1132, abs=5e-5)
    dsr = deflated_sharpe(2.5 / math.sqrt(250), 1250, -3.0, 10.0, sr0)
    assert dsr == pytest.approx(0.9004, abs=5e-5)


def test_one_trial_is_the_probabilistic_sharpe_ratio() -> None:
    assert expected_max_sharpe(1, 0.3) == 0.0
    # Normal returns (skew 0, kurtosis 3): Z(SR sqrt(T-1) / sqrt(1 + SR^2 / 2)).
    sr, t = 0.05, 500
    want = 0.5 * (1 + math.erf(sr * math.sqrt(t - 1) / math.sqrt(1 + sr**2 / 2) / math.sqrt(2)))
    assert deflated_sharpe(sr, t, 0.0, 3.0, 0.0) == pytest.approx(want, rel=1e-12)
    assert deflated_sharpe(float("nan"), t, 0.0, 3.0, 0.0) is None


@given(
    n=st.integers(min_value=2, max_value=5000),
    var=st.floats(min_value=1e-6, max_value=1.0),
)
def test_more_trials_raise_the_bar(n: int, var: float) -> None:
    assert expected_max_sharpe(n + 1, var) > expected_max_sharpe(n, var) > 0
    low = deflated_sharpe(0.1, 1000, 0.0, 3.0, expected_max_sharpe(n + 1, var))
    high = deflated_sharpe(0.1, 1000, 0.0, 3.0, expected_max_sharpe(n, var))
    assert low is not None and high is not None and low <= high


GUARD = GuardSpec(
    min_oos_sharpe=0.0,
    min_deflated_sharpe=0.95,
    max_sharpe_gap=1.0,
    min_oos_days=252,
    must_beat_baseline=True,
)


@pytest.mark.parametrize(
    ("oos", "dsr", "gap", "days", "base", "is_base", "want"),
    [
        (1.2, 0.97, 0.3, 500, 0.5, False, ()),
        (1.2, 0.97, 0.3, 500, 0.5, True, ()),
        (
            None,
            None,
            None,
            500,
            0.5,
            False,
            (
                G.OOS_SHARPE_UNDEFINED,
                G.DEFLATED_SHARPE_LOW,
                G.SHARPE_GAP_HIGH,
                G.NOT_BETTER_THAN_BASELINE,
            ),
        ),
        (0.0, 0.97, 0.3, 500, None, False, (G.OOS_SHARPE_LOW,)),
        (1.2, 0.94, 0.3, 500, 0.5, False, (G.DEFLATED_SHARPE_LOW,)),
        (1.2, 0.97, 1.01, 500, 0.5, False, (G.SHARPE_GAP_HIGH,)),
        (1.2, 0.97, 0.3, 251, 0.5, False, (G.TOO_FEW_OOS_DAYS,)),
        (0.5, 0.97, 0.3, 500, 0.5, False, (G.NOT_BETTER_THAN_BASELINE,)),
        (0.5, 0.97, 0.3, 500, 0.5, True, ()),  # the baseline is not measured against itself
    ],
)
def test_guard_rules(
    oos: float | None,
    dsr: float | None,
    gap: float | None,
    days: int,
    base: float | None,
    is_base: bool,
    want: tuple[G, ...],
) -> None:
    got = judge(GUARD, oos, dsr, gap, days, base, is_base)
    assert got.failures == want
    assert got.passed == (not want)
