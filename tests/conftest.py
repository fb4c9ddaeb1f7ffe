"""Shared fixtures: real git repositories and copies of the project, no mocks of our parts.

The one set of helpers every test folder uses: ``run``/``git`` (subprocesses with a
deterministic environment), ``copy_project``/``committed_artifacts`` (the project's code with
its artifacts as committed at HEAD), ``GitRepo`` (tests/support/gitrepo.py, plus bare origins
and clones), loopback servers (tests/support/net.py: ``free_port``, ``serve``, ``resolver``).
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from ops_api.app import create_app
from ops_api.settings import Settings
from tests.support import codecache, shared
from tests.support.gitrepo import GitRepo
from tests.support.net import serve

ROOT = Path(__file__).resolve().parent.parent

#: Environment for subprocesses: deterministic, UTF-8, no analytics, no user git config.
BASE_ENV = {
    "PYTHONUTF8": "1",
    "LC_ALL": "C.UTF-8",
    "TZ": "Asia/Seoul",
    "DVC_NO_ANALYTICS": "1",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "KRX Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "KRX Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
}


def run(
    args: list[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    check: bool = True,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run a real subprocess with the test environment; raise with its output on failure."""
    full_env = {**os.environ, **BASE_ENV, **(env or {})}
    proc = subprocess.run(
        args, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{args} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    return proc


def git(cwd: Path, *args: str, check: bool = True) -> str:
    return run(["git", *args], cwd, check=check).stdout.strip()


#: What ``make run`` (``dvc repro``) rewrites in the checkout. Tests never read these from the
#: working tree: they take the committed versions (``git archive HEAD``) or build their own.
MUTABLE = ("data/", "reports/", "state/", "logs/", "dvc.lock", "server/dvc.lock")


def is_mutable(rel: str) -> bool:
    """Whether a checkout-relative path is one of the artifacts ``make run`` rewrites."""
    return rel.startswith(MUTABLE[:4]) or rel in MUTABLE[4:]


def tracked_files(root: Path = ROOT) -> list[str]:
    """Files of the project a clean clone would have (tracked + untracked-not-ignored)."""
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted(p for p in out.split("\0") if p and (root / p).is_file())


def committed_artifacts(dest: Path, root: Path = ROOT) -> list[str]:
    """Extract the artifacts as committed at ``HEAD`` (not as ``make run`` left them) into dest."""
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "-z", "--name-only", "HEAD"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    paths = sorted(p for p in listed.split("\0") if p and is_mutable(p))
    if paths:
        tar = subprocess.run(
            ["git", "archive", "--format=tar", "HEAD", "--", *paths],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout
        # The archive holds the committed bytes (git archive HEAD): tarfile's own bookkeeping
        # opens member names relative to the working folder, which is not the checkout's files.
        _PAUSED.append(True)
        try:
            with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
                archive.extractall(dest, filter="data")
        finally:
            _PAUSED.pop()
    return paths


_TEMPLATES: dict[bool, Path] = {}
_WARM: set[bool] = set()


def _project_template(include_data: bool) -> Path:
    """The project as one fresh commit with the session's compiled caches (``warm_code``),
    built once per process (copied by ``copy_project``)."""
    template = _raw_template(include_data)
    if include_data not in _WARM:
        warm_code(template)
        _WARM.add(include_data)
    return template


#: Copy the session's compiled caches (numba's, bytecode) into a world's own packages
#: (tests/support/codecache.py); ``tests.support.gitrepo.clone`` does it for every clone.
warm_code = codecache.warm


def _copy_raw_with_data(dest: Path) -> Path:
    shutil.copytree(_raw_template(True), dest, symlinks=True)
    return dest


def _raw_template(include_data: bool) -> Path:
    """The project as one fresh commit, built once per process."""
    if include_data not in _TEMPLATES:
        dest = Path(tempfile.mkdtemp(prefix="krx-project-")) / "project"
        atexit.register(shutil.rmtree, dest.parent, True)
        dest.mkdir()
        for rel in tracked_files():
            if is_mutable(rel):
                continue
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, target)
        if include_data:
            committed_artifacts(dest)
        git(dest, "init", "-q", "-b", "main")
        git(dest, "add", "-A")
        git(dest, "commit", "-q", "-m", "initial")
        _TEMPLATES[include_data] = dest
    return _TEMPLATES[include_data]


def copy_project(dest: Path, include_data: bool = True) -> Path:
    """A fresh git repo with one commit: the project's code from the working tree (the code
    under test) and, with ``include_data``, its artifacts as committed at ``HEAD``."""
    shutil.copytree(_project_template(include_data), dest, symlinks=True, dirs_exist_ok=True)
    return dest


#: The slowest test modules, slowest first (benchmarks/results/suite.txt). They start first:
#: with ``--dist worksteal`` xdist hands each worker a contiguous share of the collection and an
#: idle worker takes queued tests from the end of another's queue, so long tests queued early
#: are spread over the workers and the run never ends waiting on one that started late. Every
#: module that needs the shared e2e origins (tests/e2e/conftest.py) is here, behind the test that
#: builds them: the other workers start on tests that wait for no build.
SLOW_FIRST = (
    "tests/e2e/test_daily_loop.py",
    "tests/e2e/test_chaos.py",
    "tests/e2e/test_pc_dvc.py",
    "tests/e2e/test_pc_daily.py",
    "tests/flows/test_server_dvc.py",
    "tests/e2e/test_daily_ops_faults.py",
    "tests/e2e/test_stale_checks.py",
    "tests/flows/test_daily_server.py",
    "tests/flows/test_drill_parity.py",
    "tests/flows/test_drill.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {module: i for i, module in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


@pytest.fixture(scope="session", autouse=True)
def _shared_code_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The folder where the session's compiled caches are built once for every xdist worker."""
    codecache.shared_root = shared.root(tmp_path_factory)
    codecache.seed_from = ROOT
    codecache.project_with_data = _copy_raw_with_data
    codecache.environment = {**os.environ, **BASE_ENV}


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    """An empty real git repository that writes and commits in one call."""
    return GitRepo(tmp_path / "repo")


@pytest.fixture
def server_for() -> Iterator[Callable[[Path], str]]:
    """Start the resolver app on uvicorn (in a thread, loopback) for a repo path; its URL.

    Every server started in a test is stopped at its end. For a separate process (systemd's
    ``python -m ops_api``) use ``tests.support.net.resolver``."""
    with contextlib.ExitStack() as stack:

        def start(path: Path) -> str:
            return stack.enter_context(serve(create_app(Settings(repo=path))))

        yield start


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh git copy of the project, including the committed data."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def committed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkout's artifacts as committed at ``HEAD`` (read-only by convention)."""
    root = tmp_path_factory.mktemp("committed")
    committed_artifacts(root)
    return root


@pytest.fixture
def chdir_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, str]], None]:
    def apply(values: dict[str, str]) -> None:
        for k, v in values.items():
            monkeypatch.setenv(k, v)

    return apply


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never see the developer's clock overrides or tokens."""
    for var in (
        "KRX_ASOF",
        "KRX_NOW",
        "KRX_ROLE",
        "KRX_TELEGRAM_TOKEN",
        "KRX_TELEGRAM_CHAT_ID",
        "KRX_TELEGRAM_API_BASE",
        "KRX_EMERGENCY_STOP",
        "KRX_TELEGRAM_PROXY",
    ):
        monkeypatch.delenv(var, raising=False)
    yield


#: Headless Chromium as the browser tests run it (Debian package, `make sysdeps`).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """The system Chromium; the test fails (not skips) without it."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    assert Path(path).exists(), "chromium is installed by `make sysdeps` (Debian package)"
    return path


@contextmanager
def offline_page(width: int = 1400, height: int = 1000) -> Iterator[tuple[Any, list[str]]]:
    """A Chromium page that reaches loopback and local files only: anything else is aborted and
    logged.

    Yields ``(page, external)``; ``external`` lists the aborted URLs, so a test asserts it empty.
    """
    from playwright.sync_api import Route, sync_playwright

    external: list[str] = []

    def gate(route: Route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        local = url.startswith(("data:", "blob:", "about:", "file:"))
        if local or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            external.append(url)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.route("**/*", gate)
            yield page, external
        finally:
            browser.close()


# --- Guard: the suite never touches the checkout's mutable artifacts ------------------------
#
# ``make run`` rewrites data/, reports/, state/ and dvc.lock (the clock moves to today), and
# ``make test`` must pass right after it. An audit hook (PEP 578) sees every ``open`` and
# directory listing in this process and every subprocess started from it; a test that reaches
# into one of those paths of the checkout fails, whatever it then does with the content.
# Child processes are checked by their arguments and working directory (``-C <checkout>``,
# ``--repo <checkout>``, a checkout artifact path), the way a test would point them there.

_CHECKOUT = os.fspath(ROOT)
_GUARDED = tuple(f"{_CHECKOUT}{os.sep}{m.rstrip('/')}" for m in MUTABLE)
_TOUCHED: list[str] = []
_SUBPROCESS_TOOLS = ("dvc", "krx", "pipeline.cli", "ops_api", "streamlit")


def _guarded(path: object, base: str | None = None) -> bool:
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str):
        return False
    # os.path, not pathlib: the hook runs on every open of the whole suite.
    if not os.path.isabs(path):  # noqa: PTH117
        path = f"{base or os.getcwd()}{os.sep}{path}"  # noqa: PTH109
    path = os.path.normpath(path)
    return any(path == g or path.startswith(g + os.sep) for g in _GUARDED)


#: Non-empty while the suite itself extracts committed artifacts (not a test touching files).
_PAUSED: list[bool] = []


def _is_top_folder(path: object) -> bool:
    name = os.fsdecode(path) if isinstance(path, str | bytes) else ""
    return name.rstrip(os.sep) in {m.rstrip("/") for m in MUTABLE}


def _audit(event: str, args: tuple[object, ...]) -> None:
    # An exception raised here would fail the audited call itself (e.g. getcwd() in a deleted
    # temp folder): the guard only ever records.
    if _PAUSED:
        return
    try:
        _record(event, args)
    except Exception:
        return


def _record(event: str, args: tuple[object, ...]) -> None:
    if event == "open":
        # A file inside an artifact folder; opening the folder itself (an fsync handle, git's
        # and dvc's own bookkeeping) reads no artifact.
        if args and _guarded(args[0]) and not _is_top_folder(args[0]):
            _TOUCHED.append(f"{event} {args[0]!r}")
    elif event in ("os.listdir", "os.scandir"):
        if args and _guarded(args[0]):
            _TOUCHED.append(f"{event} {args[0]!r}")
    elif event == "subprocess.Popen":
        argv, cwd = args[1], args[2]
        base = os.fsdecode(cwd) if isinstance(cwd, str | bytes | os.PathLike) else None
        words = [os.fsdecode(a) for a in argv] if isinstance(argv, list | tuple) else [str(argv)]
        if words[:1] == ["git"]:  # reads the committed history (git archive HEAD), not the files
            return
        if any(_guarded(w, base) for w in words if os.sep in w):
            _TOUCHED.append(f"subprocess {words!r}")
        elif any(w.rstrip(os.sep) == _CHECKOUT for w in words) or (
            os.path.normpath(base or os.getcwd()) == _CHECKOUT  # noqa: PTH109
            and any(os.path.basename(w) in _SUBPROCESS_TOOLS for w in words)  # noqa: PTH119
            and not {"-C", "--repo"} & set(words)  # pointed at another repo: fine
        ):
            _TOUCHED.append(f"subprocess in the checkout {words!r}")


sys.addaudithook(_audit)


@pytest.fixture(autouse=True)
def _checkout_artifacts_untouched() -> Iterator[None]:
    """Fail a test that opened, listed or ran a tool on the checkout's mutable artifacts."""
    _TOUCHED.clear()
    yield
    touched, _TOUCHED[:] = list(_TOUCHED), []
    if touched:
        pytest.fail(
            "the test touched the checkout's mutable artifacts (make run rewrites them; build "
            "the world from committed_artifacts()/copy_project() instead):\n  "
            + "\n  ".join(touched[:10]),
            pytrace=False,
        )
