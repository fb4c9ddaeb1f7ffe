"""``krx sweep`` on a real temp git repo: the leaderboard, the surface, promotion by commit."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from statistics import median

import pytest
import yaml

from pipeline import registry
from pipeline.artifacts.sweep import SweepLeaderboardV1
from pipeline.cli import main as krx
from pipeline.core.checks import run_checks
from pipeline.core.promotion import changes_for, find_candidate
from pipeline.core.sweep_surface import surface_svg
from pipeline.errors import OperatorError
from pipeline.flows.sweep import run_sweep
from pipeline.io.jsonio import read_artifact
from pipeline.io.validate import validate_file
from pipeline.krx_calendar import load_calendar
from pipeline.params import load_params
from tests.conftest import BASE_ENV, ROOT, git, run
from tests.core.bt_factories import make_bars
from tests.flows.test_backtest_stage import _write_repo

BOARD = registry.get("sweep_leaderboard")
SPEC = {
    "name": "t",
    "sampling": "grid",
    "top": 12,
    "walk_forward": {"in_sample_days": 120, "out_of_sample_days": 60},
    # Lenient except "beat the current params": some candidates pass, some fail.
    "guard": {
        "min_oos_sharpe": -100.0,
        "min_deflated_sharpe": 0.0,
        "max_sharpe_gap": 100.0,
        "min_oos_days": 1,
        "must_beat_baseline": True,
    },
    "surface": {"x": "adx_threshold", "y": "max_positions"},
    "params": {
        "adx_threshold": [15.0, 20.0, 25.0],
        "max_positions": [2, 5],
        "rsi_bands.0.lower": [75, 80],
    },
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's own params.yaml (comments and all) over 3 years of synthetic bars."""
    root = tmp_path_factory.mktemp("sweep") / "repo"
    root.mkdir()
    tickers = [
        i["ticker"] for i in yaml.safe_load((ROOT / "params.yaml").read_text())["data"]["universe"]
    ]
    days = load_calendar(ROOT).between(dt.date(2015, 1, 2), dt.date(2017, 12, 28))
    _write_repo(root, make_bars(days, seed=5, tickers=tickers))
    shutil.copy(ROOT / "params.yaml", root / "params.yaml")
    (root / "sweeps").mkdir()
    (root / "sweeps/t.yaml").write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    run_sweep(root, "sweeps/t.yaml", workers=1, scheduler=None, progress=False)
    return root


@pytest.fixture
def git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in BASE_ENV.items():
        monkeypatch.setenv(k, v)


def _board(root: Path) -> SweepLeaderboardV1:
    return read_artifact(root, BOARD, SweepLeaderboardV1)


def test_leaderboard_is_valid_ranked_out_of_sample_and_complete(repo: Path) -> None:
    assert validate_file(repo, BOARD.path) == []
    b = _board(repo)
    assert run_checks(b) == []
    assert b.trials == 12 + 1 and b.invalid == 0  # the grid and the current params
    assert len(b.surface.points) == b.trials
    sharpes = [c.oos_sharpe for c in b.candidates]
    assert sharpes == sorted(sharpes, key=lambda x: -x if x is not None else float("inf"))
    assert b.baseline.is_baseline and b.baseline.params == {
        "adx_threshold": 17.5,
        "max_positions": 5,
        "rsi_bands.0.lower": 80,
    }
    # The gap is what it says: mean IS fold Sharpe minus mean OOS fold Sharpe.
    c = b.candidates[0]
    is_f = [x for x in c.fold_is_sharpe if x is not None]
    oos_f = [x for x in c.fold_oos_sharpe if x is not None]
    assert c.sharpe_gap == pytest.approx(sum(is_f) / len(is_f) - sum(oos_f) / len(oos_f))
    assert [i["path"] for i in json.loads((repo / BOARD.path).read_text())["inputs"]][-1] == (
        "sweeps/t.yaml"
    )


def test_surface_svg_shows_the_median_of_each_cell(repo: Path) -> None:
    b = _board(repo)
    svg = surface_svg(b)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    rects = root.findall(f"{ns}rect")
    assert len(rects) == 4 * 2  # adx_threshold (the grid's 3 + the current 17.5) x max_positions
    keys = list(b.swept_keys)
    ix, iy = keys.index("adx_threshold"), keys.index("max_positions")
    cell = [p.oos_sharpe for p in b.surface.points if p.values[ix] == 25.0 and p.values[iy] == 2]
    want = median(x for x in cell if x is not None)
    titles = [r.findtext(f"{ns}title") or "" for r in rects]
    assert any(
        t.startswith(
            f"adx_threshold=25.0, max_positions=2: median OOS Sharpe {want:.2f} over 2 trial(s)"
        )
        for t in titles
    )


def _commit_all(root: Path) -> str:
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "artifact(sweep): leaderboard", check=False)
    return git(root, "rev-parse", "HEAD")


def test_promotion_refuses_a_failing_candidate_and_commits_a_passing_one(
    repo: Path, git_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    head = _commit_all(repo)
    b = _board(repo)
    failing = next(c for c in b.candidates if not c.guard.passed and not c.is_baseline)
    passing = next(c for c in b.candidates if c.guard.passed and not c.is_baseline)
    before = (repo / "params.yaml").read_text(encoding="utf-8")

    assert krx(["-C", str(repo), "sweep", "promote", failing.id]) == 2
    assert "NOT_BETTER_THAN_BASELINE" in capsys.readouterr().err
    assert git(repo, "rev-parse", "HEAD") == head
    assert (repo / "params.yaml").read_text(encoding="utf-8") == before

    assert krx(["-C", str(repo), "sweep", "promote", str(passing.rank)]) == 0
    assert git(repo, "rev-parse", "HEAD^") == head
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["params.yaml"]
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith(f"params(strategy): promote sweep candidate {passing.id}")
    assert f"Sweep-Candidate: {passing.id}" in message and "Guard: passed" in message
    assert f"Sweep-Leaderboard: {BOARD.path} @ {head}" in message
    after = load_params(repo).strategy
    assert after.adx_threshold == passing.params["adx_threshold"]
    assert after.max_positions == passing.params["max_positions"]
    assert after.rsi_bands[0].lower == passing.params["rsi_bands.0.lower"]
    # A reviewable diff: comments kept, only the changed values' lines differ.
    diff = git(repo, "show", "--format=", "-U0", "HEAD").splitlines()
    changed = [x for x in diff if x[:1] in "+-" and x[:3] not in ("+++", "---")]
    n_keys = sum(passing.params[k] != b.baseline.params[k] for k in b.swept_keys)
    assert len(changed) == 2 * n_keys  # one line out, one line in per changed key
    assert "# Every tunable number" in (repo / "params.yaml").read_text(encoding="utf-8")

    # The board now describes other params: a second promotion is refused.
    assert krx(["-C", str(repo), "sweep", "promote", str(passing.rank)]) == 1
    assert "rerun `krx sweep run`" in capsys.readouterr().err


def test_promotion_needs_a_committed_leaderboard(
    repo: Path, git_env: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _commit_all(repo)
    clone = tmp_path / "clone"
    shutil.copytree(repo, clone)
    (clone / BOARD.path).write_text((clone / BOARD.path).read_text() + " ", encoding="utf-8")
    assert krx(["-C", str(clone), "sweep", "promote", "1"]) == 1
    assert "commit reports/sweep/leaderboard.json" in capsys.readouterr().err


ECHO = """import json, yaml
s = yaml.safe_load(open("params.yaml", encoding="utf-8"))["strategy"]
json.dump({"adx_threshold": s["adx_threshold"], "max_positions": s["max_positions"],
           "rsi_top": s["rsi_bands"][0]["lower"]}, open("m.json", "w"))
"""
DVC_YAML = """stages:
  echo:
    cmd: python echo.py
    deps: [echo.py]
    params: [strategy]
    metrics:
      - m.json:
          cache: false
"""


@pytest.mark.slow
def test_exp_runs_the_candidate_as_a_dvc_experiment(
    repo: Path, git_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tiny dvc.yaml that echoes the strategy params as metrics stands in for the pipeline."""
    _commit_all(repo)
    clone = tmp_path / "exp"
    shutil.copytree(repo, clone)
    (clone / "echo.py").write_text(ECHO, encoding="utf-8")
    (clone / "dvc.yaml").write_text(DVC_YAML, encoding="utf-8")
    monkeypatch.setenv("DVC_NO_ANALYTICS", "1")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    run([sys.executable, "-m", "dvc", "init", "-q"], clone)
    run([sys.executable, "-m", "dvc", "repro", "-q"], clone)
    _commit_all(clone)
    b = _board(clone)
    head = load_params(clone).strategy  # an earlier test may have promoted one
    cand = next(c for c in b.candidates if changes_for(c, head))
    assert krx(["-C", str(clone), "sweep", "exp", cand.id]) == 0
    assert git(clone, "status", "--porcelain") == ""  # --temp: the workspace is untouched
    shown = json.loads(run([sys.executable, "-m", "dvc", "exp", "show", "--json"], clone).stdout)
    exps = [e for rev in shown for e in (rev.get("experiments") or [])]
    [exp] = [e for e in exps if e.get("name") == f"sweep-{cand.id}"]
    metrics = exp["revs"][0]["data"]["metrics"]["m.json"]["data"]
    assert metrics == {
        "adx_threshold": cand.params["adx_threshold"],
        "max_positions": cand.params["max_positions"],
        "rsi_top": cand.params["rsi_bands.0.lower"],
    }
    diff = run([sys.executable, "-m", "dvc", "metrics", "diff", "HEAD", f"sweep-{cand.id}"], clone)
    metric = {"adx_threshold": "adx_threshold", "max_positions": "max_positions"}
    metric["rsi_bands.0.lower"] = "rsi_top"
    assert all(metric[c.key] in diff.stdout for c in changes_for(cand, head))


def test_candidates_are_found_by_rank_or_id_and_only_with_full_figures(repo: Path) -> None:
    b = _board(repo)
    assert find_candidate(b, "1") is b.candidates[0]
    assert find_candidate(b, b.candidates[3].id) is b.candidates[3]
    assert find_candidate(b, str(b.baseline.rank)).is_baseline
    shown = {c.id for c in (*b.candidates, b.baseline)}
    hidden = [p.id for p in b.surface.points if p.id not in shown]
    assert hidden  # 13 trials, a top 12 and the baseline: at least one has no detail
    with pytest.raises(OperatorError, match="not in the top 12"):
        find_candidate(b, hidden[0])
    with pytest.raises(OperatorError, match="not on the leaderboard"):
        find_candidate(b, "0123456789ab")
    with pytest.raises(OperatorError, match="give a rank"):
        find_candidate(b, "best")


def test_cli_run_and_show(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clone = tmp_path / "cli"
    shutil.copytree(repo, clone, ignore=shutil.ignore_patterns(".git"))
    shutil.copy(ROOT / "params.yaml", clone / "params.yaml")  # undo an earlier promotion
    before = _board(clone)
    args = ["-C", str(clone), "sweep", "run", "--spec", "sweeps/t.yaml", "--workers", "1"]
    assert krx([*args, "--no-progress"]) == 0
    out = capsys.readouterr()
    assert "sweep t: 13 trials (0 invalid skipped)" in out.out and out.err == ""
    after = _board(clone)
    assert after.candidates == before.candidates and after.surface == before.surface
    assert krx(["-C", str(clone), "sweep", "show", "--top", "3"]) == 0
    shown = capsys.readouterr().out
    assert after.candidates[0].id in shown and "(현재 params)" in shown
