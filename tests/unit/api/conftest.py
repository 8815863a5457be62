from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from api.app import create_app
from api.settings import GatewaySettings
from tests.support.services import RedisServer, redis_server
from tests.unit.api.jobs.test_queue_contract import Clock
from tests.unit.api.stores import Stores

RASA_URL = "http://rasa.test:5005"
RASA_TOKEN = "rasa-token-for-tests"


def make_settings(**overrides: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "rasa_url": RASA_URL,
        "rasa_api_token": SecretStr(RASA_TOKEN),
        "rasa_timeout_seconds": 5.0,
        "gateway_max_message_chars": 32_000,
        "gateway_max_body_bytes": 512 * 1024,
        "webchat_title": "casebot",
        # every test client comes from one address and many send dozens of messages: the tests
        # of the limits set the ones they test (the defaults are in test_ratelimit_defaults)
        "rate_limit_per_sender": None,
        "rate_limit_per_address": None,
    }
    values.update(overrides)
    return GatewaySettings(_env_file=None, **values)


class FakeRasa:
    """Stands in for the Rasa server behind an ``httpx.MockTransport``; records every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.replies: Any = [{"recipient_id": "x", "text": "Hello!"}]
        self.webhook_status = 200
        self.status_status = 200
        #: the action server's /ready: 200 (back end ok), 503 (back end down), None (no answer)
        self.actions_ready: int | None = 200
        self.error: Exception | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        if request.url.path == "/webhooks/rest/webhook":
            return httpx.Response(self.webhook_status, json=self.replies)
        if request.url.path == "/status":
            return httpx.Response(self.status_status, json={"model_id": "m"})
        if request.url.path == "/ready" and request.url.port == 5055:
            if self.actions_ready is None:
                raise httpx.ConnectError("Connection refused")
            return httpx.Response(self.actions_ready, json={})
        return httpx.Response(404)

    def messages(self) -> list[dict[str, Any]]:
        return [
            json.loads(r.content) for r in self.requests if r.url.path == "/webhooks/rest/webhook"
        ]

    def go_down(self) -> None:
        self.error = httpx.ConnectError("Connection refused")


async def _start(stack: AsyncExitStack, app: FastAPI) -> httpx.AsyncClient:
    # starlette's TestClient warns when used with httpx 0.28; driving the ASGI app through
    # httpx.ASGITransport, with the lifespan entered by hand, runs the same code.
    await stack.enter_async_context(app.router.lifespan_context(app))
    transport = httpx.ASGITransport(app=app)
    return await stack.enter_async_context(
        httpx.AsyncClient(transport=transport, base_url="http://gateway.test")
    )


@pytest.fixture
def fake_rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def settings() -> GatewaySettings:
    return make_settings()


@pytest.fixture
def settings_with() -> Callable[..., GatewaySettings]:
    """Settings for tests with fields changed: ``settings_with(webchat_title="x")``."""
    return make_settings


@pytest.fixture
def app(settings: GatewaySettings, fake_rasa: FakeRasa) -> FastAPI:
    return create_app(settings, transport=httpx.MockTransport(fake_rasa))


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with AsyncExitStack() as stack:
        yield await _start(stack, app)


@pytest.fixture
async def client_with(fake_rasa: FakeRasa) -> AsyncIterator[Callable[..., Any]]:
    """Start an app over ``fake_rasa`` with settings changed: ``await client_with(...)``."""
    async with AsyncExitStack() as stack:

        async def start(**overrides: Any) -> httpx.AsyncClient:
            app = create_app(make_settings(**overrides), transport=httpx.MockTransport(fake_rasa))
            return await _start(stack, app)

        yield start


@pytest.fixture(scope="session")
def shared_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for the tests that share gateway state in Redis (unique keys each)."""
    with redis_server(tmp_path_factory.mktemp("shared-redis")) as server:
        yield server


@pytest.fixture(params=["sqlite", "redis"])
async def stores(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stores]:
    """The test's stores, in SQLite files or in the shared redis-server."""
    redis = request.getfixturevalue("shared_redis") if request.param == "redis" else None
    opened = Stores(request.param, tmp_path, Clock(), redis)
    yield opened
    for store in opened.opened:
        await store.close()
