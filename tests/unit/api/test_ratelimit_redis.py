"""Rate limits shared by every gateway through a real (throwaway) redis-server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack

import httpx
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from api.app import create_app
from api.ratelimit import Rate, RateLimits, RedisTokenBucket, TokenBucket, Unlimited
from api.settings import GatewaySettings
from tests.support.services import RedisServer, free_port, redis_server
from tests.unit.api.conftest import FakeRasa, make_settings


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
async def clients(redis: RedisServer) -> AsyncIterator[list[Redis]]:
    """Redis clients, one per gateway replica a test stands up; closed afterwards."""
    opened: list[Redis] = []
    yield opened
    for client in opened:
        await client.aclose()


def client_of(redis: RedisServer, opened: list[Redis]) -> Redis:
    client = Redis.from_url(redis.url(), decode_responses=True)
    opened.append(client)
    return client


def bucket(client: Redis, rate: str = "6/minute", burst: int = 2) -> RedisTokenBucket:
    parsed = Rate.parse(rate)
    assert parsed is not None
    # a fresh name per test, so no test sees another's buckets
    return RedisTokenBucket(client, uuid.uuid4().hex, parsed, burst)


async def test_a_bucket_gives_its_burst_then_says_how_long_to_wait(redis, clients) -> None:
    limiter = bucket(client_of(redis, clients))

    first, second, third = [await limiter.acquire("ann") for _ in range(3)]

    assert first.allowed and second.allowed
    assert not third.allowed
    assert 9.0 < third.retry_after <= 10.0  # one token every 10 s
    assert (await limiter.acquire("bob")).allowed  # another key has its own bucket


async def test_two_gateways_share_one_bucket_per_key(redis, clients) -> None:
    name = uuid.uuid4().hex
    rate = Rate(6, 60.0)
    one = RedisTokenBucket(client_of(redis, clients), name, rate, 2)
    two = RedisTokenBucket(client_of(redis, clients), name, rate, 2)

    answers = [await one.acquire("ann"), await two.acquire("ann"), await one.acquire("ann")]

    # in memory each replica would have allowed two: together they allow the burst once
    assert [a.allowed for a in answers] == [True, True, False]


async def test_a_bucket_expires_once_it_would_be_full_again(redis, clients) -> None:
    client = client_of(redis, clients)
    limiter = bucket(client, "6/minute", burst=2)

    who = uuid.uuid4().hex
    await limiter.acquire(who)

    [key] = [k async for k in client.scan_iter(match=f"casebot:ratelimit:*:{who}")]
    assert 0 < await client.ttl(key) <= 21  # two tokens at one every 10 s, and a second


async def test_a_redis_that_does_not_answer_lets_messages_through() -> None:
    client = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.5)
    try:
        limiter = bucket(client, "1/hour", burst=1)
        answers = [await limiter.acquire("ann") for _ in range(3)]
    finally:
        await client.aclose()

    assert all(answer.allowed for answer in answers)


async def test_limits_are_shared_when_the_gateway_has_a_redis_and_off_when_set_to_0(
    redis,
) -> None:
    settings = make_settings(rate_limit_per_sender="20/minute", rate_limit_per_address="0")

    shared = RateLimits.from_settings(settings, redis.url())
    alone = RateLimits.from_settings(settings)

    assert isinstance(shared.per_sender, RedisTokenBucket)
    assert isinstance(shared.notices, RedisTokenBucket)
    assert isinstance(shared.per_address, Unlimited)
    assert isinstance(alone.per_sender, TokenBucket)
    await shared.aclose()


async def test_two_gateway_replicas_on_one_redis_hold_a_sender_to_one_limit(redis) -> None:
    fake_rasa = FakeRasa()
    settings = make_settings(
        gateway_queue_url=SecretStr(redis.url()),
        rate_limit_per_sender="6/minute",
        rate_limit_sender_burst=2,
    )
    sender = uuid.uuid4().hex
    async with AsyncExitStack() as stack:
        replicas = []
        for _ in range(2):
            app = create_app(settings, transport=httpx.MockTransport(fake_rasa))
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app)
            replicas.append(
                await stack.enter_async_context(
                    httpx.AsyncClient(transport=transport, base_url="http://gateway.test")
                )
            )
        answers = [
            await replicas[i % 2].post(
                "/webchat/messages", json={"sender": sender, "message": f"m{i}"}
            )
            for i in range(3)
        ]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [m["message"] for m in fake_rasa.messages()] == ["m0", "m1"]


def test_limits_are_on_by_default() -> None:
    settings = GatewaySettings(_env_file=None, rasa_api_token=SecretStr("t"))
    limits = RateLimits.from_settings(settings)

    assert isinstance(limits.per_sender, TokenBucket)
    assert isinstance(limits.per_address, TokenBucket)
    assert Rate.parse(settings.rate_limit_per_sender) == Rate(30, 60.0)
    assert Rate.parse(settings.rate_limit_per_address) == Rate(300, 60.0)
