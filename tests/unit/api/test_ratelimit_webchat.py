from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from tests.unit.api.input_limits_support import AsgiSocket

PROXY = "10.0.0.5"


@pytest.fixture
async def gateway(fake_rasa, settings_with) -> AsyncIterator[Callable[..., Any]]:
    """Start a gateway with limits set: ``app, client_from = await gateway(...)``, where
    ``client_from(address)`` is an HTTP client whose requests come from that address."""
    async with AsyncExitStack() as stack:

        async def start(**overrides: Any) -> tuple[FastAPI, Callable[[str], httpx.AsyncClient]]:
            app = create_app(settings_with(**overrides), transport=httpx.MockTransport(fake_rasa))
            await stack.enter_async_context(app.router.lifespan_context(app))

            def client_from(address: str) -> httpx.AsyncClient:
                transport = httpx.ASGITransport(app=app, client=(address, 40000))
                return httpx.AsyncClient(transport=transport, base_url="http://gateway.test")

            return app, client_from

        yield start


def say(text: str, sender: str = "ann-1") -> dict[str, str]:
    return {"sender": sender, "message": text}


async def test_a_sender_over_its_limit_gets_429_with_retry_after_and_rasa_is_not_asked(
    gateway, fake_rasa
):
    _, client_from = await gateway(rate_limit_per_sender="6/minute", rate_limit_sender_burst=2)
    async with client_from("203.0.113.9") as client:
        answers = [await client.post("/webchat/messages", json=say(f"m{i}")) for i in range(3)]
        other = await client.post("/webchat/messages", json=say("hi", sender="bob-2"))

    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[2]
    assert refused.headers["retry-after"] == "10"
    assert refused.json() == {
        "detail": "You are sending messages faster than I can answer them. "
        "Please wait 10 seconds and try again."
    }
    assert other.status_code == 200
    assert [m["message"] for m in fake_rasa.messages()] == ["m0", "m1", "hi"]


async def test_an_address_over_its_limit_gets_429_whatever_the_sender(gateway, fake_rasa):
    _, client_from = await gateway(rate_limit_per_address="60/minute", rate_limit_address_burst=3)
    async with client_from("203.0.113.9") as flooder, client_from("198.51.100.4") as neighbour:
        answers = [
            await flooder.post("/webchat/messages", json=say("x", sender=f"s{i}")) for i in range(4)
        ]
        invalid = await flooder.post("/webchat/messages", json={"sender": "bad sender!"})
        other = await neighbour.post("/webchat/messages", json=say("hello"))

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3].headers["retry-after"] == "1"
    assert "from your network" in answers[3].json()["detail"]
    # a body the gateway cannot use still counts, so a flood of garbage is limited too
    assert invalid.status_code == 429
    assert other.status_code == 200
    assert len(fake_rasa.messages()) == 4


async def test_forwarded_for_is_the_address_only_behind_a_trusted_proxy(gateway):
    _, client_from = await gateway(
        rate_limit_per_address="60/minute", rate_limit_address_burst=1, trusted_proxies=PROXY
    )
    async with client_from(PROXY) as proxy, client_from("198.51.100.4") as direct:
        first = await proxy.post(
            "/webchat/messages", json=say("a"), headers={"X-Forwarded-For": "203.0.113.1"}
        )
        second_client = await proxy.post(
            "/webchat/messages", json=say("b"), headers={"X-Forwarded-For": "203.0.113.2"}
        )
        first_again = await proxy.post(
            "/webchat/messages", json=say("c"), headers={"X-Forwarded-For": "203.0.113.1"}
        )
        # not a trusted proxy: its header is ignored and it is limited as itself
        direct_one = await direct.post(
            "/webchat/messages", json=say("d"), headers={"X-Forwarded-For": "203.0.113.3"}
        )
        direct_two = await direct.post(
            "/webchat/messages", json=say("e"), headers={"X-Forwarded-For": "203.0.113.4"}
        )

    assert [r.status_code for r in (first, second_client, first_again)] == [200, 200, 429]
    assert [r.status_code for r in (direct_one, direct_two)] == [200, 429]


async def test_no_limits_are_applied_when_none_are_configured(gateway):
    _, client_from = await gateway()
    async with client_from("203.0.113.9") as client:
        answers = [await client.post("/webchat/messages", json=say(f"m{i}")) for i in range(40)]

    assert {a.status_code for a in answers} == {200}


async def test_a_socket_frame_over_the_sender_limit_gets_a_429_error_frame(gateway, fake_rasa):
    app, _ = await gateway(rate_limit_per_sender="6/minute", rate_limit_sender_burst=1)

    async with AsgiSocket(app) as socket:
        first = await socket.exchange({"id": 1, **say("hello")})
        second = await socket.exchange({"id": 2, **say("again")})
        other = await socket.exchange({"id": 3, **say("hi", sender="bob-2")})

    assert first["replies"] == [{"text": "Hello!"}]
    assert second == {
        "id": 2,
        "status": 429,
        "error": "You are sending messages faster than I can answer them. "
        "Please wait 10 seconds and try again.",
    }
    assert other["replies"] == [{"text": "Hello!"}]
    assert [m["message"] for m in fake_rasa.messages()] == ["hello", "hi"]


async def test_socket_frames_count_against_the_address_and_the_post_shares_it(gateway):
    app, client_from = await gateway(
        rate_limit_per_address="60/minute", rate_limit_address_burst=3, trusted_proxies=PROXY
    )
    forwarded = [(b"x-forwarded-for", b"203.0.113.1")]

    async with AsgiSocket(app, client=(PROXY, 1), headers=forwarded) as socket:
        garbage = await socket.exchange("not json")
        ok = await socket.exchange({"id": "a", **say("one")})
        async with client_from(PROXY) as client:
            post = await client.post(
                "/webchat/messages", json=say("two"), headers={"X-Forwarded-For": "203.0.113.1"}
            )
        limited = await socket.exchange({"id": "b", **say("three", sender="bob-2")})
    elsewhere_header = [(b"x-forwarded-for", b"192.0.2.8")]
    async with AsgiSocket(app, client=(PROXY, 2), headers=elsewhere_header) as s:
        elsewhere = await s.exchange({"id": "c", **say("four")})

    assert garbage["status"] == 422
    assert "replies" in ok
    assert post.status_code == 200
    assert (limited["id"], limited["status"]) == ("b", 429)
    assert "from your network" in limited["error"]
    assert "replies" in elsewhere
