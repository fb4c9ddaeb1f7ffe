"""One warm ``dvc`` process for the ``dvc repro`` calls of one server daily run.

The daily run reproduces its DVC stages in two steps (``ops_summary``, then ``live_cycle``),
each with its own result in the scheduler record. A ``python -m dvc`` process per step paid
Python's and DVC's start-up (~0.4 s) twice; this worker pays it once, started when the run
begins so the import overlaps the pull and the health check. Each request is the argument list
of one ``dvc`` command line and runs through DVC's own CLI entry point (``dvc.cli.main``, the
function ``python -m dvc`` calls): same parsing, logging, locking, ``dvc.lock`` writing and
exit codes, a fresh ``Repo`` per call (nothing is carried over from the previous call). The
stage commands stay processes that DVC starts, as under ``dvc repro``.

Why a process and not DVC's API inside the daily run: the stage commands inherit DVC's stdout,
which must stay a pipe the run logs line by line (the drill logs to stderr and keeps stdout for
its table), and DVC reads ``os.environ``, which must be the run's stage environment.

The worker can start before the caller knows the run's environment (``krx daily server``
starts it first thing, so DVC's import overlaps the flow's own): each call carries the
environment DVC and its stage processes run with, ``env`` as it is when the call is made.

Protocol: requests are JSON objects ``{"argv": [...], "env": {...}}``, one a line, on a pipe
that only the worker holds (its stdin stays the run's, as for a ``dvc`` process). After each
call the worker prints the session token and the exit code on stdout, the pipe the caller
reads; a token is random per session, so no stage output can end a call early.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

Log = Callable[[str], None]
#: The exit code of a call that did not finish (the worker died, was killed or did not start).
NO_EXIT = 255


class DvcSession:
    """A ``dvc`` worker for ``root``; ``run`` one command at a time in the environment ``env``.

    The worker starts on ``start`` (or the first ``run``); one that died (killed, crashed) is
    replaced by the next ``run``. ``close`` ends it: it finishes nothing in flight, as calls are
    synchronous.
    """

    def __init__(self, root: Path, env: Mapping[str, str], timeout_s: float = 900.0) -> None:
        self.root = root
        self.env = dict(env)
        self.timeout_s = timeout_s
        self._proc: subprocess.Popen[str] | None = None
        self._requests: int | None = None  # the write end of the request pipe
        self._token = ""
        self._used = False

    def start(self) -> None:
        """Start the worker (it imports DVC while the caller goes on); idempotent."""
        if self._proc is not None and self._proc.poll() is None:
            return
        self._reap()
        self._token = f"krx-dvc-session-{secrets.token_hex(8)}"
        read_end, write_end = os.pipe()
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "pipeline.io.dvc_session", self._token, str(read_end)],
                cwd=self.root,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                encoding="utf-8",
                errors="replace",
                pass_fds=(read_end,),
            )
        except BaseException:
            os.close(write_end)
            raise
        finally:
            os.close(read_end)
        self._requests = write_end
        self._used = False

    def run(
        self, argv: Sequence[str], log: Log, meanwhile: Callable[[], None] | None = None
    ) -> int:
        """``dvc ARGV`` in the worker, its output streamed line by line to ``log``; the exit code.

        ``meanwhile`` runs here while DVC works (its output waits in the pipe): the caller's
        preparation for after the call, off the critical path; an error in it is logged only.
        An output line that arrives after ``timeout_s`` kills the worker (a hung stage), as the
        one-process-per-call runner did.
        """
        try:
            self.start()
        except OSError as err:
            log(f"cannot start dvc: {err}")
            return NO_EXIT
        proc, requests = self._proc, self._requests
        assert proc is not None and proc.stdout is not None and requests is not None
        self._used = True
        try:
            request = {"argv": list(argv), "env": dict(self.env)}
            os.write(requests, (json.dumps(request) + "\n").encode("utf-8"))
        except OSError as err:  # the worker is gone: say so, the next call starts a new one
            log(f"dvc worker gone before the call ({err})")
            self._reap()
            return NO_EXIT
        deadline = time.monotonic() + self.timeout_s
        if meanwhile is not None:
            try:
                meanwhile()
            except Exception as err:  # a preparation only: the call goes on
                log(f"while dvc ran: {type(err).__name__}: {err}")
        for line in proc.stdout:
            before, token, after = line.rstrip("\n").partition(self._token)
            if before:
                log(before)
            if token:
                code = after.strip()
                return int(code) if code.lstrip("-").isdigit() else NO_EXIT
            if time.monotonic() > deadline:
                log(f"dvc call still running after {self.timeout_s:.0f} s: killed")
                proc.kill()
                break
        self._reap()  # the worker died mid-call
        return NO_EXIT

    def close(self) -> None:
        """End the worker: a used one finishes on the end of its requests, an idle one is told to
        stop (it may still be importing DVC; it has touched nothing)."""
        proc = self._proc
        if proc is None:
            return
        if not self._used and proc.poll() is None:
            proc.terminate()
        self._reap()

    def _reap(self) -> None:
        if self._requests is not None:
            os.close(self._requests)
            self._requests = None
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def serve(token: str, requests_fd: int) -> int:
    """The worker: each request is a ``dvc`` argument list and its environment, run by DVC's
    CLI entry point in that environment (which the stage processes DVC starts inherit)."""
    from dvc.cli import main as dvc_main  # dvc's own logging set-up comes with it

    with os.fdopen(requests_fd, encoding="utf-8") as requests:
        for line in requests:
            try:
                request = json.loads(line)
                os.environ.clear()
                os.environ.update(request["env"])
                code = int(dvc_main(request["argv"]))
            except Exception as err:  # dvc.cli.main handles its own errors; this is ours
                print(f"dvc worker: {type(err).__name__}: {err}", flush=True)
                code = NO_EXIT
            sys.stderr.flush()
            print(f"{token} {code}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1], int(sys.argv[2])))
