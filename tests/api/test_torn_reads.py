"""No torn reads: while commits land, every answer is complete, valid and from one commit."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import httpx

from tests.api.factories import make_prices_meta
from tests.support.gitrepo import GitRepo

ASOF = dt.date(2026, 11, 20)
PATH = "data/prices/_meta.json"
COMMITS = 30
READERS = 4
MAX_REQUESTS = 300  # per reader


def test_no_torn_reads_while_commits_land(repo: GitRepo, server_for: Any) -> None:
    repo.commit({PATH: make_prices_meta(ASOF, -1)}, "seq -1")  # so HEAD~1 exists from the start
    repo.commit({PATH: make_prices_meta(ASOF, 0)}, "seq 0")
    url = server_for(repo.path)
    done = threading.Event()
    answers: list[dict[str, Any]] = []
    failures: list[str] = []
    lock = threading.Lock()

    def writer() -> None:
        try:
            for seq in range(1, COMMITS + 1):
                repo.commit({PATH: make_prices_meta(ASOF, seq)}, f"seq {seq}")
        finally:
            done.set()

    def reader(which: int) -> None:
        targets = [
            f"{url}/api/artifacts/prices_meta",
            f"{url}/api/artifacts/prices_meta?ref=HEAD~1",
        ]
        with httpx.Client(timeout=10) as http:
            for i in range(MAX_REQUESTS):
                if done.is_set() and i > 10:
                    break
                resp = http.get(targets[(i + which) % 2])
                try:
                    body = resp.json()
                except json.JSONDecodeError:
                    with lock:
                        failures.append(f"incomplete body ({len(resp.content)} bytes)")
                    continue
                with lock:
                    answers.append(body)
                    if resp.status_code != 200:
                        failures.append(f"{resp.status_code}: {body['error']}")

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
    threads.append(threading.Thread(target=writer))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert not failures

    truth: dict[str, tuple[dict[str, Any], str]] = {}
    for body in answers:
        commit = body["commit"]
        if commit not in truth:
            content = json.loads(repo.show(commit, PATH))
            subject = repo.git("log", "-1", "--format=%s", commit)
            truth[commit] = (content, subject)
        content, subject = truth[commit]
        assert body["status"] == "ok" and body["valid"] is True, body["validation_errors"]
        assert body["rows"] == [content]  # byte-for-byte the file at exactly that commit
        assert body["blob"] == repo.git("rev-parse", f"{commit}:{PATH}")
        assert content["source_note"].endswith(f"(seq {subject.split()[-1]})")
    # The readers really overlapped the writer: they saw several commits.
    assert len(truth) >= 3, len(truth)
    assert len(answers) >= READERS * 10
