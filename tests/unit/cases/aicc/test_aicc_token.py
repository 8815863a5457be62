from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs

import httpx
import pytest

from cases.aicc.calls import AiccCaller
from cases.aicc.token import AiccTokenSource
from cases.backend import BackendUnavailable

BASE = "https://aicc.test"
TOKEN_URL = f"{BASE}/baas/auth/v1.0/oauth2/token"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TokenServer:
    """Issues token-1, token-2... valid for ``lifetime``; case calls need the newest one."""

    def __init__(self, lifetime: float = 600.0, delay: float = 0.0) -> None:
        self.lifetime = lifetime
        self.delay = delay
        self.issued: list[str] = []
        self.forms: list[dict[str, list[str]]] = []
        self.case_tokens: list[str] = []
        #: answer case calls with this resCode while the token is this one
        self.refuse: set[str] = set()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/token"):
            self.forms.append(parse_qs(request.content.decode()))
            if self.delay:
                await asyncio.sleep(self.delay)
            self.issued.append(f"token-{len(self.issued) + 1}")
            return httpx.Response(
                200, json={"access_token": self.issued[-1], "expires_in": self.lifetime}
            )
        token = request.headers["access-token"]
        self.case_tokens.append(token)
        if token in self.refuse:
            return httpx.Response(200, json={"resCode": "401002", "resMsg": "token expired"})
        return httpx.Response(
            200, json={"resCode": "0", "result": {"echo": json.loads(request.content)}}
        )


def make(
    server: TokenServer, clock: Clock, margin: float = 60.0
) -> tuple[AiccTokenSource, AiccCaller]:
    http = httpx.AsyncClient(transport=httpx.MockTransport(server))
    tokens = AiccTokenSource(
        http, TOKEN_URL, "key-1", "secret-1", refresh_margin=margin, clock=clock
    )
    return tokens, AiccCaller(http, BASE, tokens)


async def test_token_is_fetched_with_client_credentials_and_reused() -> None:
    server, clock = TokenServer(), Clock()
    tokens, caller = make(server, clock)

    await caller.call("list", {"n": 1})
    clock.now += 500
    result = await caller.call("list", {"n": 2})

    assert server.forms == [
        {
            "grant_type": ["client_credentials"],
            "client_id": ["key-1"],
            "client_secret": ["secret-1"],
        }
    ]
    assert server.case_tokens == ["token-1", "token-1"]
    assert result == {"echo": {"n": 2}}


async def test_token_is_refreshed_the_margin_before_it_expires() -> None:
    server, clock = TokenServer(lifetime=600), Clock()
    tokens, _ = make(server, clock, margin=60)

    assert await tokens.token() == "token-1"
    clock.now += 539
    assert await tokens.token() == "token-1"
    clock.now += 1
    assert await tokens.token() == "token-2"


async def test_refused_token_is_replaced_once_and_the_call_retried() -> None:
    server, clock = TokenServer(), Clock()
    _, caller = make(server, clock)
    server.refuse.add("token-1")

    result = await caller.call("modify", {"caseId": "7"})

    assert result == {"echo": {"caseId": "7"}}
    assert server.case_tokens == ["token-1", "token-2"]
    assert server.issued == ["token-1", "token-2"]


async def test_a_fresh_token_refused_too_is_not_retried_again() -> None:
    server, clock = TokenServer(), Clock()
    _, caller = make(server, clock)
    server.refuse.update({"token-1", "token-2", "token-3"})

    with pytest.raises(BackendUnavailable, match="refused a fresh access token"):
        await caller.call("modify", {})

    assert server.issued == ["token-1", "token-2"]
    assert len(server.case_tokens) == 2


async def test_http_401_also_counts_as_a_refused_token() -> None:
    server, clock = TokenServer(), Clock()

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.headers.get("access-token") == "token-1":
            return httpx.Response(401)
        return await server(request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    tokens = AiccTokenSource(http, TOKEN_URL, "k", "s", clock=clock)

    assert await AiccCaller(http, BASE, tokens).call("list", {}) == {"echo": {}}
    assert server.issued == ["token-1", "token-2"]


async def test_concurrent_callers_share_one_fetch_and_one_replacement() -> None:
    server, clock = TokenServer(delay=0.02), Clock()
    _, caller = make(server, clock)

    await asyncio.gather(*(caller.call("list", {"n": n}) for n in range(10)))
    assert server.issued == ["token-1"]

    server.refuse.add("token-1")
    await asyncio.gather(*(caller.call("list", {"n": n}) for n in range(10)))
    assert server.issued == ["token-1", "token-2"]
    assert server.case_tokens[-10:] == ["token-2"] * 10


async def test_wrong_credentials_raise_backend_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "invalid_client"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    tokens = AiccTokenSource(http, TOKEN_URL, "k", "wrong")

    with pytest.raises(BackendUnavailable, match="HTTP 401 without a token"):
        await tokens.token()
