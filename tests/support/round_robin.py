"""A tiny round-robin HTTP proxy: what a load balancer in front of several action servers does.

Rasa's endpoints name one action server URL; in production that URL is a load balancer (or a
DNS name with several addresses). ``round_robin(targets)`` serves on a free loopback port and
sends each request to the next target in turn, remembering which one served it. A target that
cannot be reached is skipped for that request, as a load balancer's health check would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx


@dataclass
class RoundRobin:
    url: str
    targets: list[str]
    #: the target that answered each request, in order
    served: list[str] = field(default_factory=list)
    _next: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def order(self) -> list[str]:
        """The targets to try for one request: the next in turn first."""
        with self._lock:
            start = self._next
            self._next = (self._next + 1) % len(self.targets)
        return self.targets[start:] + self.targets[:start]


@contextmanager
def round_robin(targets: list[str]) -> Iterator[RoundRobin]:
    """Serve a proxy over ``targets`` (base URLs) until the block ends."""
    client = httpx.Client(timeout=60)
    state: RoundRobin | None = None

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            assert state is not None
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {
                k: v for k, v in self.headers.items() if k.lower() not in {"host", "connection"}
            }
            for target in state.order():
                try:
                    answer = client.request(
                        self.command, target + self.path, content=body, headers=headers
                    )
                except httpx.TransportError:
                    continue
                state.served.append(target)
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in {"content-length", "transfer-encoding", "connection"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)
                return
            self.send_error(502, "no action server answered")

        do_GET = do_POST = _forward  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state = RoundRobin(f"http://127.0.0.1:{server.server_address[1]}", targets)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        client.close()
