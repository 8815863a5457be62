"""A tiny round-robin HTTP proxy: what a load balancer in front of several action servers does.

Rasa's endpoints name one action server URL; in production that URL is a load balancer (or a
DNS name with several addresses). ``round_robin(targets)`` serves on a free loopback port and
sends each request to the next target in turn, remembering which one served it. A target that
cannot be reached is skipped for that request, as a load balancer's health check would.

A target that takes a request and drops the connection before answering (it died mid-request)
is another matter: whether the balancer sends the request again to the next target is its
setting (nginx: ``proxy_next_upstream ... non_idempotent``). ``resend_dropped`` says which this
one does: without it the caller gets 502 and its own retry reaches a live target.
"""

from __future__ import annotations

import threading
from collections import Counter
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
    #: the target of each request that was dropped mid-way (its target died), in order
    dropped: list[str] = field(default_factory=list)
    #: requests each target is working on now
    busy: Counter[str] = field(default_factory=Counter)
    _next: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def working_on(self, target: str) -> Iterator[None]:
        """Count the request as under way at ``target`` while the block runs."""
        with self._lock:
            self.busy[target] += 1
        try:
            yield
        finally:
            with self._lock:
                self.busy[target] -= 1

    def order(self) -> list[str]:
        """The targets to try for one request: the next in turn first."""
        with self._lock:
            start = self._next
            self._next = (self._next + 1) % len(self.targets)
        return self.targets[start:] + self.targets[:start]


@contextmanager
def round_robin(targets: list[str], resend_dropped: bool = True) -> Iterator[RoundRobin]:
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
                    with state.working_on(target):
                        answer = client.request(
                            self.command, target + self.path, content=body, headers=headers
                        )
                except httpx.ConnectError:
                    continue
                except httpx.TransportError:
                    state.dropped.append(target)
                    if resend_dropped:
                        continue
                    break
                state.served.append(target)
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in {"content-length", "transfer-encoding", "connection"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                try:
                    self.wfile.write(answer.content)
                except (BrokenPipeError, ConnectionResetError):
                    # the caller died or gave up meanwhile; nobody is left to answer
                    pass
                return
            self.send_error(502, "no target answered")

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
