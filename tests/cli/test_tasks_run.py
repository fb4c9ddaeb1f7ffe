"""`make run` (python -m pipeline.tasks run) keeps DVC's output but not its wrong hints."""

from __future__ import annotations

from pipeline.tasks import without_hints

# What dvc 3.67 prints at the end of a `dvc repro` that changed something.
DVC_OUTPUT = """Running stage 'backtest':
> python -m pipeline.cli stage backtest
backtest: asof 2026-11-20 CHOP
Updating lock file 'dvc.lock'

To track the changes with git, run:

\tgit add dvc.lock

To enable auto staging, run:

\tdvc config core.autostage true
Use `dvc push` to send your updates to remote storage.
"""


def test_the_hints_that_do_not_apply_are_gone_and_the_rest_stays() -> None:
    out = list(without_hints(DVC_OUTPUT.splitlines(keepends=True)))
    assert out == [
        "Running stage 'backtest':",
        "> python -m pipeline.cli stage backtest",
        "backtest: asof 2026-11-20 CHOP",
        "Updating lock file 'dvc.lock'",
        "",
    ]


def test_an_error_is_never_filtered() -> None:
    lines = ["ERROR: failed to reproduce 'backtest': failed to run: python ...", ""]
    assert list(without_hints(lines)) == lines
