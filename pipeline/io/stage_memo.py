"""Skip a stage DVC runs every time (``always_changed``) when nothing it reads has changed.

DVC must run ``clock`` and ``reconcile`` on every ``dvc repro`` (the clock moves; the server's
history arrives by ``git pull``, which DVC cannot see), but on a second run with nothing
changed their answers are the ones already on disk. The memo remembers, per stage, a key over
everything the stage's answer depends on — the code fingerprint (``pipeline`` sources,
libraries, ``params.yaml``, ``config/``), the ``KRX_*`` environment, the ``--asof`` argument,
the hour in Seoul (the clock turns at the close), the git HEAD (the server's history) and the
bytes of the stage's input artifacts — and the outputs it wrote. The stage is skipped only
when the key is equal and every output is still byte-for-byte what it wrote. DVC deletes a
stage's outputs before it runs them (unless ``persist``): a small output is kept in the memo
and put back as it was, which is exactly what the stage would write.

The memo lives in DVC's git-ignored ``.dvc/tmp/`` and is written only after a stage succeeded.
The fast path imports nothing heavy: the input paths were recorded by the slow path (from the
registry), under the same code fingerprint.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.fingerprint import code_fingerprint

#: Stages DVC runs every time -> (registry names of what they read, of what they write).
ALWAYS_RUN: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "clock": ((), ("clock",)),
    "reconcile": (
        (
            "clock",
            "prices_meta",
            "prices",
            "backtest_trades",
            "order_plan",
            "live_cycle_receipt",
            "ticket_result",
        ),
        ("recon_summary", "recon_daily"),
    ),
}
_MEMO_DIR = ".dvc/tmp"
#: Outputs up to this size are kept in the memo (to put back what DVC deleted).
_KEEP_BYTES = 64 * 1024
_SEOUL = ZoneInfo("Asia/Seoul")


def _memo_path(root: Path, stage: str) -> Path:
    return root / _MEMO_DIR / f"krx-memo-{stage}.json"


def _sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _git_head(root: Path) -> str:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "-q", "--verify", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "<no git>"
    return proc.stdout.strip() or "<no head>"


def _key(root: Path, stage: str, asof: str | None, inputs: list[str]) -> str:
    h = hashlib.sha256(f"{stage}\0{asof}\0{code_fingerprint(root)}\0".encode())
    for name, value in sorted(os.environ.items()):
        if name.startswith("KRX_"):
            h.update(f"env\0{name}\0{value}\0".encode())
    if "KRX_NOW" not in os.environ:  # else the clock is pinned (and in the key above)
        # Finer than the clock's rule needs (before/after the close of a day): always safe.
        h.update(dt.datetime.now(_SEOUL).strftime("%Y-%m-%dT%H\0").encode())
    h.update(f"head\0{_git_head(root)}\0".encode())
    for pattern in inputs:
        for path in sorted(p for p in root.glob(pattern) if p.is_file()):
            h.update(f"{path.relative_to(root).as_posix()}\0{_sha(path)}\0".encode())
        h.update(b"\1")
    return h.hexdigest()


def _patterns(names: tuple[str, ...]) -> list[str]:
    from pipeline import registry

    return [registry.get(name).glob for name in names]


def unchanged(root: Path, stage: str, asof: str | None) -> bool:
    """True when ``stage`` ran clean with these inputs and its outputs are untouched since."""
    if stage not in ALWAYS_RUN:
        return False
    try:
        memo: dict[str, Any] = json.loads(_memo_path(root, stage).read_text(encoding="utf-8"))
        inputs, outputs, key = memo["inputs"], memo["outputs"], memo["key"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    kept = memo.get("kept", {})
    if not (
        isinstance(inputs, list)
        and isinstance(outputs, dict)
        and isinstance(key, str)
        and isinstance(kept, dict)
    ):
        return False
    if memo.get("fingerprint") != code_fingerprint(root):
        return False
    missing = [rel for rel in outputs if not (root / rel).exists()]
    if any(rel not in kept for rel in missing):
        return False
    if any(_sha(root / rel) != digest for rel, digest in outputs.items() if rel not in missing):
        return False
    if _key(root, stage, asof, [str(p) for p in inputs]) != key:
        return False
    for rel in missing:  # deleted by DVC before the run: put back what the stage wrote
        data = str(kept[rel]).encode("utf-8")
        if hashlib.sha256(data).hexdigest() != outputs[rel]:
            return False
        _write_atomic(root / rel, data)
    return True


def remember(root: Path, stage: str, asof: str | None) -> None:
    """Record a clean run of ``stage`` (call right after it succeeded)."""
    if stage not in ALWAYS_RUN or not (root / ".dvc").is_dir():
        return
    reads, writes = ALWAYS_RUN[stage]
    inputs = _patterns(reads)
    outputs: dict[str, str] = {}
    kept: dict[str, str] = {}
    for pattern in _patterns(writes):
        for path in root.glob(pattern):
            if not path.is_file():
                continue
            rel, data = path.relative_to(root).as_posix(), path.read_bytes()
            outputs[rel] = hashlib.sha256(data).hexdigest()
            if len(data) <= _KEEP_BYTES:
                with contextlib.suppress(UnicodeDecodeError):
                    kept[rel] = data.decode("utf-8")
    body = {
        "fingerprint": code_fingerprint(root),
        "inputs": inputs,
        "key": _key(root, stage, asof, inputs),
        "kept": kept,
        "outputs": outputs,
    }
    # A memo is an optimisation: failing to write one never fails the stage.
    with contextlib.suppress(OSError):
        _write_atomic(_memo_path(root, stage), json.dumps(body, sort_keys=True).encode("utf-8"))


def _write_atomic(target: Path, data: bytes) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def forget(root: Path, stage: str) -> None:
    """Drop the memo (the stage failed or is about to run)."""
    _memo_path(root, stage).unlink(missing_ok=True)
