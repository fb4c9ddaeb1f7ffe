"""A real local HTTP server on 127.0.0.1 that implements Telegram's ``sendMessage``.

Each request takes the next scripted behaviour: ("ok",), ("429", retry_after), ("500",),
("400",), ("sleep", seconds) (answers late, for client timeouts), ("bad",) (200, not JSON),
("kill",) (answers 200, then SIGKILLs the client process ``stub.kill_pid``: a real crash between
Telegram's answer and the client's record of it).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Stub:
    def __init__(self, script: list[tuple[Any, ...]]) -> None:
        self.script = list(script)
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.base_url = ""
        self._next_id = 100
        self.kill_pid: int | None = None

    def next(self) -> tuple[Any, ...]:
        return self.script.pop(0) if self.script else ("ok",)


def _handler(stub: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output (and the token) quiet
            pass

        def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            stub.requests.append((self.path, body))
            action = stub.next()
            if not self.path.endswith("/sendMessage"):
                self._send(404, b'{"ok": false, "error_code": 404}')
            elif action[0] == "ok":
                stub._next_id += 1
                result = {"message_id": stub._next_id, "chat": {"id": body.get("chat_id")}}
                self._send(200, json.dumps({"ok": True, "result": result}).encode())
            elif action[0] == "429":
                payload = {"ok": False, "error_code": 429, "parameters": {"retry_after": action[1]}}
                self._send(429, json.dumps(payload).encode(), {"Retry-After": str(action[1])})
            elif action[0] == "500":
                self._send(502, b'{"ok": false, "error_code": 502}')
            elif action[0] == "400":
                self._send(
                    400, b'{"ok": false, "error_code": 400, "description": "chat not found"}'
                )
            elif action[0] == "kill":
                stub._next_id += 1
                result = {"message_id": stub._next_id, "chat": {"id": body.get("chat_id")}}
                self._send(200, json.dumps({"ok": True, "result": result}).encode())
                self.wfile.flush()
                assert stub.kill_pid is not None, "set stub.kill_pid to the client's pid"
                os.kill(stub.kill_pid, signal.SIGKILL)
            elif action[0] == "sleep":
                time.sleep(action[1])
                self._send(200, b'{"ok": true, "result": {"message_id": 1}}')
            else:
                self._send(200, b"<html>not json</html>")

    return Handler


@contextmanager
def telegram_stub(script: list[tuple[Any, ...]] | None = None) -> Iterator[Stub]:
    stub = Stub(script or [])
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    server.daemon_threads = True
    stub.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
