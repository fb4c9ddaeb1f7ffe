"""A hash of the code and configuration that decide an answer (for caches; stdlib only).

Caches (``krx validate --all``'s clean files, the always-run stages' memo) are keyed by it, so
a change of code, ``params.yaml``, ``config/`` or a deciding library discards them: a cache is
never trusted across code changes.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import sys
from pathlib import Path

#: Bump to discard every cache written under an older layout.
CACHE_VERSION = 1
#: Libraries whose version can change an answer (by the file that marks their install).
LIBRARIES = (
    "jsonschema",
    "pydantic",
    "pydantic_core",
    "fastparquet",
    "cramjam",
    "pandas",
    "numpy",
    "numba",
)


@functools.cache
def _package_digest() -> bytes:
    h = hashlib.sha256(f"{CACHE_VERSION}\0{sys.version}\0".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        data = path.read_bytes()
        h.update(f"{path.relative_to(package).as_posix()}\0{len(data)}\0".encode())
        h.update(data)
    for lib in LIBRARIES:
        spec = importlib.util.find_spec(lib)
        origin = spec.origin if spec is not None and spec.origin else ""
        try:
            st = Path(origin).stat()
            h.update(f"{lib}\0{origin}\0{st.st_mtime_ns}\0{st.st_size}\0".encode())
        except OSError:
            h.update(f"{lib}\0<none>\0".encode())
    return h.digest()


def code_fingerprint(root: Path) -> str:
    """Hash of the ``pipeline`` sources, the libraries above, ``params.yaml`` and ``config/``."""
    h = hashlib.sha256(_package_digest())
    for path in [*sorted((root / "config").glob("*.yaml")), root / "params.yaml"]:
        try:
            data = path.read_bytes()
        except OSError:
            data = b"<missing>"
        h.update(f"{path.name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()
