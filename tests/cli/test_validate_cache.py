"""`krx validate --all` skips files unchanged since they validated clean (issue 16), safely."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from pipeline.errors import EXIT_INVALID, EXIT_OK
from pipeline.fingerprint import code_fingerprint
from pipeline.io import validate
from tests.conftest import ROOT, copy_project, run

META = "data/prices/_meta.json"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("cache") / "repo")


def krx_validate(root: Path, *args: str) -> tuple[int, str, str]:
    proc = run(
        [sys.executable, "-m", "pipeline.cli", "-C", str(root), "validate", *args],
        ROOT,
        check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr


def _break_meta(root: Path) -> bytes:
    path = root / META
    before = path.read_bytes()
    doc = json.loads(before)
    doc["bars"] = "many"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return before


def test_second_run_is_answered_from_the_cache_with_the_same_report(repo: Path) -> None:
    (repo / validate.CACHE_REL).unlink(missing_ok=True)
    first = krx_validate(repo, "--all")
    assert first[0] == EXIT_OK
    assert (repo / validate.CACHE_REL).is_file()
    # The cache answers without importing the validating libraries at all.
    probe = (
        "import sys\nfrom pathlib import Path\nfrom pipeline.io.validate import validate_all\n"
        f"files, problems = validate_all(Path({str(repo)!r}), use_cache=True)\n"
        "heavy = ('pydantic', 'jsonschema', 'pandas', 'pyarrow', 'fastparquet')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "print(len(files), len(problems), heavy)\n"
    )
    out = run([sys.executable, "-c", probe], ROOT, env={"PYTHONPATH": str(ROOT)}).stdout
    n_files = int(first[1].split()[1])
    assert out.strip() == f"{n_files} 0 []"
    assert krx_validate(repo, "--all") == first


def test_a_changed_file_is_validated_again_and_stays_reported(repo: Path) -> None:
    assert krx_validate(repo, "--all")[0] == EXIT_OK  # warm the cache
    before = _break_meta(repo)
    try:
        for _ in range(2):  # an invalid file is never cached
            code, out, err = krx_validate(repo, "--all")
            assert code == EXIT_INVALID
            assert f"{META}#/bars: 'many' is not of type 'integer'" in err
            assert "1 invalid" in out
    finally:
        (repo / META).write_bytes(before)
    assert krx_validate(repo, "--all")[0] == EXIT_OK


def test_a_new_artifact_file_is_validated(repo: Path) -> None:
    assert krx_validate(repo, "--all")[0] == EXIT_OK
    ticket = repo / "state" / "tickets" / "T-cache-test.json"
    ticket.parent.mkdir(parents=True, exist_ok=True)
    ticket.write_text('{"schema": "ticket/v1"}\n', encoding="utf-8")
    try:
        code, _, err = krx_validate(repo, "--all")
        assert code == EXIT_INVALID
        assert "state/tickets/T-cache-test.json#" in err
    finally:
        ticket.unlink()


def test_a_cache_from_other_code_is_never_trusted(repo: Path) -> None:
    assert krx_validate(repo, "--all")[0] == EXIT_OK
    cache_path = repo / validate.CACHE_REL
    cache = json.loads(cache_path.read_text(encoding="utf-8"))
    before = _break_meta(repo)
    try:
        # A cache that claims the broken bytes are clean, written by other code (fingerprint).
        cache["ok"][META] = hashlib.sha256((repo / META).read_bytes()).hexdigest()
        cache["fingerprint"] = "0" * 64
        cache_path.write_text(json.dumps(cache), encoding="utf-8")
        assert krx_validate(repo, "--all")[0] == EXIT_INVALID
        cache_path.write_text("{not json", encoding="utf-8")  # a corrupt cache is a miss
        assert krx_validate(repo, "--all")[0] == EXIT_INVALID
        assert krx_validate(repo, "--all", "--no-cache")[0] == EXIT_INVALID
    finally:
        (repo / META).write_bytes(before)


def test_fingerprint_follows_the_config_it_depends_on(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "params.yaml").write_text("a: 1\n", encoding="utf-8")
    first = code_fingerprint(tmp_path)
    assert code_fingerprint(tmp_path) == first
    (tmp_path / "params.yaml").write_text("a: 2\n", encoding="utf-8")
    assert code_fingerprint(tmp_path) != first
    (tmp_path / "config" / "krx_closures.yaml").write_text("[]\n", encoding="utf-8")
    assert code_fingerprint(tmp_path) not in (first,)


def test_owner_selection_uses_the_cache_and_still_reports_errors(repo: Path) -> None:
    assert krx_validate(repo, "--all", "--json-only")[0] == EXIT_OK
    before = _break_meta(repo)
    try:
        code, _, err = krx_validate(repo, "--all", "--json-only")
        assert code == EXIT_INVALID and f"{META}#/bars" in err
    finally:
        (repo / META).write_bytes(before)
