from __future__ import annotations

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from api.limits import BodySizeLimit


class RecordingApp:
    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        self.bodies.append(body)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def inner():
    return RecordingApp()


@pytest.fixture
async def client(inner):
    transport = httpx.ASGITransport(app=BodySizeLimit(inner, max_bytes=10))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


async def chunks(*parts):
    for part in parts:
        yield part


async def test_body_at_the_limit_reaches_the_app_whole(client, inner):
    response = await client.post("/", content=b"0123456789")

    assert response.status_code == 200
    assert inner.bodies == [b"0123456789"]


async def test_streamed_body_at_the_limit_reaches_the_app_whole(client, inner):
    response = await client.post("/", content=chunks(b"01234", b"56789"))

    assert response.status_code == 200
    assert inner.bodies == [b"0123456789"]


async def test_declared_length_over_the_limit_returns_413_unread(client, inner):
    response = await client.post("/", content=b"0123456789x")

    assert response.status_code == 413
    assert "at most 10 bytes" in response.json()["detail"]
    assert inner.bodies == []


async def test_streamed_body_over_the_limit_returns_413(client, inner):
    response = await client.post("/", content=chunks(b"012345", b"6789", b"x"))

    assert response.status_code == 413
    assert inner.bodies == []


async def test_request_without_body_passes(client, inner):
    response = await client.get("/")

    assert response.status_code == 200
    assert inner.bodies == [b""]
