"""Ref grammar and resolution with caches that are safe because they key on immutable commits.

Accepted: ``<base>`` followed by up to 16 ancestry steps ``~N`` / ``^N`` (N <= 100000), where
``<base>`` is a full or abbreviated (>= 4 hex) commit id, ``HEAD``, a branch, a tag or a
remote-tracking branch (optionally spelled ``refs/...``). Rejected before git sees it: ``..``,
a leading ``-`` (option injection), ``:`` (``rev:path`` would read arbitrary blobs), ``@{``,
whitespace, ``.lock``, more than 200 characters.

Caches: a full commit id resolves to itself once its existence is checked; ancestry steps are
cached per (base commit, steps), so ``HEAD~900`` costs one ref read after the first request and
does not grow with history depth. Symbolic names (branches, tags, ``HEAD``) are re-read from
disk on every request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.core.lru import LRU
from pipeline.io.store import RefNotFoundError, Store

MAX_REF_LEN = 200
MAX_STEPS = 16
MAX_STEP_N = 100_000
#: The grammar above as one regex (ECMA 262 and Python agree on it), for OpenAPI: a test
#: checks it accepts exactly what ``parse_ref`` accepts.
REF_PATTERN = (
    r"^(?!.*(?:\.\.|//|/\.))[A-Za-z0-9_][A-Za-z0-9._/-]*(?<![/.])(?<!\.lock)"
    r"(?:[~^](?:[0-9]{0,5}|0[0-9]{5}|100000)){0,16}$"
)
#: A collection key as the resolver validates it (registry key grammar + a clean relative
#: path: no '.', '..' or empty folder; the last segment gets the '.json' suffix); a test
#: checks it against the resolver's check.
KEY_PATTERN = r"^(?!.*/\.{0,2}/)[A-Za-z0-9][A-Za-z0-9._/-]{0,80}$"
MAX_KEY_LEN = 81
_CHARSET_RE = re.compile(r"[A-Za-z0-9._/~^-]+")
_BASE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/-]*")
_STEP_RE = re.compile(r"([~^])([0-9]{0,6})")
_HEX_RE = re.compile(r"[0-9a-f]{4,40}")
_FULL_SHA_RE = re.compile(r"[0-9a-f]{40}")


class BadRefError(ValueError):
    """The ref text is not allowed by the grammar."""


@dataclass(frozen=True)
class ParsedRef:
    text: str
    base: str
    steps: tuple[tuple[str, int], ...]  # ("~", n) first parent n times; ("^", n) nth parent

    @property
    def is_commit_id(self) -> bool:
        """True if the base names a commit by (possibly abbreviated) id."""
        return _HEX_RE.fullmatch(self.base) is not None


@dataclass(frozen=True)
class Resolved:
    commit: str
    immutable: bool  # the answer can never change (the ref was a commit id)


def parse_ref(text: str) -> ParsedRef:
    """Validate ``text`` against the ref grammar; BadRefError with the reason otherwise."""
    if not text:
        raise BadRefError("empty ref")
    if len(text) > MAX_REF_LEN:
        raise BadRefError(f"ref longer than {MAX_REF_LEN} characters")
    if not _CHARSET_RE.fullmatch(text):
        raise BadRefError("ref may only hold letters, digits and . _ / - ~ ^")
    if text.startswith("-"):
        raise BadRefError("ref must not start with '-'")
    cut = min((i for i in (text.find("~"), text.find("^")) if i >= 0), default=len(text))
    base, rest = text[:cut], text[cut:]
    if not _BASE_RE.fullmatch(base):
        raise BadRefError("ref must start with a letter, digit or '_'")
    if ".." in base or "//" in base or "/." in base or base.endswith(("/", ".", ".lock")):
        raise BadRefError("ref has '..', '//', '/.' or a bad ending")
    steps: list[tuple[str, int]] = []
    pos = 0
    while pos < len(rest):
        m = _STEP_RE.match(rest, pos)
        if m is None or m.end() == pos:
            raise BadRefError("ancestry steps must look like ~N or ^N")
        n = int(m.group(2)) if m.group(2) else 1
        if n > MAX_STEP_N:
            raise BadRefError(f"ancestry step larger than {MAX_STEP_N}")
        steps.append((m.group(1), n))
        pos = m.end()
    if len(steps) > MAX_STEPS:
        raise BadRefError(f"more than {MAX_STEPS} ancestry steps")
    return ParsedRef(text=text, base=base, steps=tuple(steps))


class RefResolver:
    """Resolve parsed refs against a store, caching only what cannot change."""

    def __init__(self, store: Store, cache_size: int = 4096) -> None:
        self.store = store
        self._known_commits: LRU[str, str] = LRU(cache_size)
        self._steps: LRU[tuple[str, tuple[tuple[str, int], ...]], str] = LRU(cache_size)

    def resolve(self, ref: ParsedRef) -> Resolved:
        """Raises RefNotFoundError or AmbiguousRefError (from the store)."""
        base = self._base(ref.base)
        # An abbreviated id is immutable only if it resolved as an id, not as a branch name.
        immutable = ref.is_commit_id and base.startswith(ref.base)
        if not ref.steps:
            return Resolved(base, immutable)
        key = (base, ref.steps)
        hit = self._steps.get(key)
        if hit is None:
            hit = self._walk(base, ref)
            self._steps.put(key, hit)
        return Resolved(hit, immutable)

    def _base(self, name: str) -> str:
        if _FULL_SHA_RE.fullmatch(name):
            hit = self._known_commits.get(name)
            if hit is None:
                hit = self.store.resolve_name(name)
                self._known_commits.put(name, hit)
            return hit
        return self.store.resolve_name(name)

    def _walk(self, commit: str, ref: ParsedRef) -> str:
        for op, n in ref.steps:
            if op == "^":
                if n == 0:
                    continue
                parents = self.store.parents(commit)
                if len(parents) < n:
                    raise RefNotFoundError(f"{ref.text}: commit {commit[:12]} has no parent {n}")
                commit = parents[n - 1]
                continue
            for i in range(n):
                parents = self.store.parents(commit)
                if not parents:
                    raise RefNotFoundError(
                        f"{ref.text}: history ends {i} commits before the requested ancestor"
                    )
                commit = parents[0]
        return commit
