"""`krx validate`: every error, with file and JSON pointer; exit code; nothing changes."""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import registry
from pipeline.io import validate
from pipeline.io.validate import validate_all, validate_file


@pytest.fixture
def tree(tmp_path: Path, committed: Path) -> Path:
    """A copy of the committed data artifacts."""
    for rel in ("data/asof.json", "data/prices/_meta.json", "data/prices/2026/2026-11.parquet"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(committed / rel, tmp_path / rel)
    return tmp_path


def krx(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "-C", str(root), *args],
        cwd=root,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


def test_committed_artifacts_validate(committed: Path) -> None:
    files, problems = validate_all(committed)
    assert problems == []
    assert "data/prices/_meta.json" in files and "data/asof.json" in files
    assert sum(f.endswith(".parquet") for f in files) > 150


def test_hand_corrupted_artifact_lists_every_error_with_pointer(tree: Path) -> None:
    meta = tree / "data/prices/_meta.json"
    doc = json.loads(meta.read_text(encoding="utf-8"))
    doc["bars"] = "many"
    doc["universe"][0]["ticker"] = 69500
    meta.write_text(json.dumps(doc), encoding="utf-8")
    before = meta.read_bytes()
    proc = krx(tree, "validate", "data/prices/_meta.json")
    assert proc.returncode == 1
    assert "data/prices/_meta.json#/bars: 'many' is not of type 'integer'" in proc.stderr
    assert "data/prices/_meta.json#/universe/0/ticker: 69500 is not of type 'string'" in proc.stderr
    assert "1 invalid" in proc.stdout
    assert meta.read_bytes() == before  # validation never rewrites


def test_cross_field_rule_is_reported(tree: Path) -> None:
    meta = tree / "data/prices/_meta.json"
    doc = json.loads(meta.read_text(encoding="utf-8"))
    doc["bars"] += 1
    meta.write_text(json.dumps(doc), encoding="utf-8")
    problems = validate_file(tree, "data/prices/_meta.json")
    assert [(p.pointer, p.message) for p in problems] == [
        ("/bars", f"bars={doc['bars']} but the universe entries sum to {doc['bars'] - 1}"),
        ("/partitions", "partition rows do not add up to bars"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not JSON: Expecting property name enclosed in double quotes at line 1"),
        (b'{"hello": 1}', "missing 'schema' field"),
        (b'{"schema": "nope/v9"}', "unknown schema 'nope/v9'"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"schema": "clock/v1", "asof": NaN}', "NaN is not allowed"),
        (b'{"schema": "clock/v1", "x": -Infinity}', "-Infinity is not allowed"),
        (b'{"schema": "clock/v1", "x": 1e400}', "out of range"),
        (b'{"schema": "clock/v1", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}", "levels deep"),
    ],
)
def test_malformed_files(tree: Path, content: bytes, message: str) -> None:
    (tree / "data/asof.json").write_bytes(content)
    problems = validate_file(tree, "data/asof.json")
    assert len(problems) == 1 and message in problems[0].message


@pytest.mark.parametrize("bad", [b'{"asof": NaN}', b"[" * 200_000 + b"]" * 200_000])
def test_cli_validate_insane_json_is_one_clear_line(tree: Path, bad: bytes) -> None:
    (tree / "data/asof.json").write_bytes(bad)
    proc = krx(tree, "validate", "data/asof.json")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "data/asof.json#: " in proc.stderr and "1 invalid" in proc.stdout


def test_wrong_artifact_at_a_registered_path(tree: Path) -> None:
    shutil.copy(tree / "data/asof.json", tree / "data/prices/_meta.json")
    problems = validate_file(tree, "data/prices/_meta.json")
    assert "holds 'prices_meta', not 'clock'" in problems[0].message


def test_corrupt_parquet_partition(tree: Path) -> None:
    part = tree / "data/prices/2026/2026-11.parquet"
    part.write_bytes(part.read_bytes()[:100])
    proc = krx(tree, "validate", "--all")
    assert proc.returncode == 1
    assert "data/prices/2026/2026-11.parquet#: not a readable parquet file" in proc.stderr


def test_validate_needs_paths_or_all(tree: Path) -> None:
    proc = krx(tree, "validate")
    assert proc.returncode == 1 and "give PATH... or --all" in proc.stderr


def test_cli_help_lists_subcommands(tmp_path: Path) -> None:
    proc = krx(tmp_path, "--help")
    assert proc.returncode == 0
    for sub in ("validate", "stage", "schemas"):
        assert sub in proc.stdout


def test_an_answer_is_remembered_by_content_and_never_shared_between_contents(
    committed: Path,
) -> None:
    """validate_bytes remembers answers in the process (a daily run reads some files in several
    steps): the same bytes get the same answer, other bytes at the path their own."""
    rel = "data/asof.json"
    good = (committed / rel).read_bytes()
    bad = good.replace(b'"asof"', b'"as_of"', 1)
    assert validate.validate_bytes(good, rel) == []
    first = validate.validate_bytes(bad, rel)
    assert first and all(p.file == rel for p in first)
    first.clear()  # a caller's list is its own: the remembered answer stays whole
    again = validate.validate_bytes(bad, rel)
    assert again and again == validate._validate_bytes(bad, rel)
    assert validate.validate_bytes(good, rel) == []
    assert validate._ANSWERS.get((rel, hashlib.sha256(bad).hexdigest(), id(registry.ARTIFACTS)))
