"""The Lambda handler run as Lambda runs it, against gateways listening on loopback ports."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from api.app import create_app
from api.channels.whatsapp.signature import is_signed
from api.outreach.ivr import lambda_handler as ivr_lambda
from sandbox.whatsapp.routes import whatsapp_app
from sandbox.whatsapp.state import GraphState
from tests.unit.api.channels.whatsapp.support import (
    APP_SECRET,
    GRAPH_TOKEN,
    GRAPH_URL,
    PHONE_NUMBER_ID,
    ByHost,
)
from tests.unit.api.outreach.ivr.support import CONNECT_EVENT, IVR_SECRET, TriggerRasa


class Served:
    """An ASGI app served by uvicorn on a free loopback port, in a background thread."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, lifespan="on", log_config=None, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the gateway did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class Canned(BaseHTTPRequestHandler):
    """Answers every POST with the server's ``answer`` after its ``delay``; keeps the requests."""

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        length = int(self.headers["Content-Length"])
        self.server.requests.append((dict(self.headers), self.rfile.read(length)))  # type: ignore[attr-defined]
        time.sleep(self.server.delay)  # type: ignore[attr-defined]
        status, body = self.server.answer  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def canned() -> Iterator[Callable[..., Any]]:
    servers: list[ThreadingHTTPServer] = []

    def start(answer: tuple[int, bytes], delay: float = 0.0) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), Canned)
        server.requests, server.answer, server.delay = [], answer, delay  # type: ignore[attr-defined]
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def url_of(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/webhooks/ivr"


class Context:
    def __init__(self, millis: int) -> None:
        self.millis = millis

    def get_remaining_time_in_millis(self) -> int:
        return self.millis


def test_connect_event_is_handed_over_by_the_real_gateway(
    settings_with, tmp_path: Path, monkeypatch
):
    rasa, graph = TriggerRasa(), GraphState()
    transport = ByHost(
        {
            "rasa.test": httpx.MockTransport(rasa),
            "graph.test": httpx.ASGITransport(
                app=whatsapp_app(graph, GRAPH_TOKEN, on_call=lambda _: None)
            ),
        }
    )
    settings = settings_with(
        whatsapp_app_secret=SecretStr(APP_SECRET),
        whatsapp_access_token=SecretStr(GRAPH_TOKEN),
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
        whatsapp_api_base_url=GRAPH_URL,
        whatsapp_queue_db=tmp_path / "queue.sqlite3",
        whatsapp_template_name="hello_again",
        proactive_queue_db=tmp_path / "proactive.sqlite3",
        ivr_shared_secret=SecretStr(IVR_SECRET),
    )
    with Served(create_app(settings, transport=transport)) as base_url:
        monkeypatch.setenv("GATEWAY_IVR_URL", f"{base_url}/webhooks/ivr")
        monkeypatch.setenv("IVR_SHARED_SECRET", IVR_SECRET)

        answer = ivr_lambda.handler(json.loads(CONNECT_EVENT), Context(8000))
        monkeypatch.setenv("IVR_SHARED_SECRET", "not-the-secret")
        refused = ivr_lambda.handler(json.loads(CONNECT_EVENT), Context(8000))

    assert answer == {"status": "sent"}
    assert refused == {"status": "error"}
    assert [call["conversation"] for call in rasa.calls] == ["whatsapp:16505551234"]
    assert [entry["body"]["type"] for entry in graph.sent] == ["template"]


def test_the_event_is_signed_over_the_exact_bytes_sent(canned, monkeypatch):
    server = canned((200, b'{"status": "sent", "case_ref": "10000001"}'))
    monkeypatch.setenv("GATEWAY_IVR_URL", url_of(server))
    monkeypatch.setenv("IVR_SHARED_SECRET", IVR_SECRET)

    answer = ivr_lambda.handler(json.loads(CONNECT_EVENT))

    [(headers, body)] = server.requests
    assert json.loads(body) == json.loads(CONNECT_EVENT)
    assert is_signed(body, headers["X-Casebot-Signature"], SecretStr(IVR_SECRET))
    assert answer == {"status": "sent", "case_ref": "10000001"}


def test_a_slow_gateway_is_cut_off_before_connects_budget(canned, monkeypatch):
    server = canned((200, b'{"status": "sent"}'), delay=4.0)
    monkeypatch.setenv("GATEWAY_IVR_URL", url_of(server))
    monkeypatch.setenv("IVR_SHARED_SECRET", IVR_SECRET)
    monkeypatch.setenv("GATEWAY_TIMEOUT_SECONDS", "7")

    started = time.monotonic()
    # the invocation has 1.5 s left: the call gets 1 s of it, not the 7 configured
    answer = ivr_lambda.handler(json.loads(CONNECT_EVENT), Context(1500))
    took = time.monotonic() - started

    assert answer == {"status": "error"}
    assert took < 3.0
    assert ivr_lambda.time_allowed(Context(1500), 7.0) == pytest.approx(1.0)
    assert ivr_lambda.time_allowed(None, 7.0) == 7.0


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((500, b'{"detail": "boom"}'), {"status": "error"}),
        ((200, b"not json"), {"status": "error"}),
        ((200, b'["sent"]'), {"status": "error"}),
        (
            (200, b'{"status": "sent", "n": 2, "ok": true, "x": {"a": 1}}'),
            {"status": "sent", "n": "2", "ok": "true"},
        ),
    ],
)
def test_every_answer_is_a_flat_map_of_strings(canned, monkeypatch, answer, expected):
    monkeypatch.setenv("GATEWAY_IVR_URL", url_of(canned(answer)))
    monkeypatch.setenv("IVR_SHARED_SECRET", IVR_SECRET)

    assert ivr_lambda.handler({"caller": "+447700900123", "contact_id": "c1"}) == expected


def test_without_its_settings_the_handler_answers_error(monkeypatch):
    monkeypatch.delenv("GATEWAY_IVR_URL", raising=False)
    monkeypatch.setenv("IVR_SHARED_SECRET", IVR_SECRET)

    assert ivr_lambda.handler(json.loads(CONNECT_EVENT)) == {"status": "error"}


def test_unreachable_gateway_answers_error(monkeypatch):
    monkeypatch.setenv("GATEWAY_IVR_URL", "http://127.0.0.1:9/webhooks/ivr")
    monkeypatch.setenv("IVR_SHARED_SECRET", IVR_SECRET)

    assert ivr_lambda.handler({}) == {"status": "error"}
