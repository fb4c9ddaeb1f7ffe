"""Shared fixtures: real git repositories and copies of the project, no mocks of our parts."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

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


def tracked_files(root: Path = ROOT) -> list[str]:
    """Files of the project a clean clone would have (tracked + untracked-not-ignored)."""
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted(p for p in out.split("\0") if p and (root / p).is_file())


def copy_project(dest: Path, include_data: bool = True) -> Path:
    """Copy the project's files into ``dest`` and make it a fresh git repo with one commit."""
    dest.mkdir(parents=True, exist_ok=True)
    for rel in tracked_files():
        if not include_data and (
            rel.startswith(("data/", "reports/", "state/")) or rel == "dvc.lock"
        ):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "initial")
    return dest


class GitRepo:
    """A real git repository that writes and commits in one call (dvc's ``scm_gen`` shape)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        git(path, "init", "-q", "-b", "main")

    def write(self, files: dict[str, str | bytes], commit: str | None = None) -> str | None:
        for rel, content in files.items():
            target = self.path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        if commit is None:
            return None
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "-m", commit)
        return git(self.path, "rev-parse", "HEAD")


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh git copy of the project, including the committed data."""
    return copy_project(tmp_path / "project")


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
