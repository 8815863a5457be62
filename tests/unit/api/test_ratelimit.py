from __future__ import annotations

import pytest
from pydantic import ValidationError
from starlette.requests import HTTPConnection

from api.ratelimit import (
    ADDRESS_DETAIL,
    Rate,
    RateLimited,
    RateLimits,
    TokenBucket,
    Unlimited,
    client_address,
    parse_networks,
)
from api.settings import GatewaySettings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def connection(peer: str | None, *forwarded: str) -> HTTPConnection:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    scope = {
        "type": "http",
        "headers": headers,
        "client": (peer, 40000) if peer is not None else None,
    }
    return HTTPConnection(scope)


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("20/minute", Rate(20, 60.0)),
        ("20/min", Rate(20, 60.0)),
        ("120 per hour", Rate(120, 3600.0)),
        ("5/s", Rate(5, 1.0)),
        ("3/seconds", Rate(3, 1.0)),
        (" 1000/Day ", Rate(1000, 86400.0)),
    ],
)
def test_rates_parse_in_the_usual_spellings(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", [None, "", "  ", "0", "0/minute"])
def test_an_unset_or_zero_rate_is_no_limit(text):
    assert Rate.parse(text) is None


@pytest.mark.parametrize("text", ["20", "minute", "20/fortnight", "-1/minute", "1.5/minute"])
def test_a_rate_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError, match="not a rate"):
        Rate.parse(text)


async def test_a_full_bucket_allows_its_burst_then_refuses_with_the_time_to_the_next_token():
    clock = Clock()
    bucket = TokenBucket(Rate(20, 60.0), burst=5, clock=clock)

    burst = [await bucket.acquire("webchat:ann") for _ in range(5)]
    refused = await bucket.acquire("webchat:ann")

    assert all(d.allowed for d in burst)
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(3.0)


async def test_tokens_come_back_at_the_rate_and_never_beyond_the_burst():
    clock = Clock()
    bucket = TokenBucket(Rate(20, 60.0), burst=2, clock=clock)
    for _ in range(2):
        await bucket.acquire("k")

    clock.now += 2.9
    too_soon = await bucket.acquire("k")
    clock.now += 0.2
    in_time = await bucket.acquire("k")
    clock.now += 3600  # a long pause refills to the burst, not to an hour's worth
    after_pause = [(await bucket.acquire("k")).allowed for _ in range(3)]

    assert not too_soon.allowed
    assert too_soon.retry_after == pytest.approx(0.1)
    assert in_time.allowed
    assert after_pause == [True, True, False]


async def test_a_refused_request_does_not_use_a_token():
    clock = Clock()
    bucket = TokenBucket(Rate(1, 10.0), burst=1, clock=clock)
    await bucket.acquire("k")

    for _ in range(50):
        await bucket.acquire("k")
    clock.now += 10
    allowed = await bucket.acquire("k")

    assert allowed.allowed


async def test_keys_have_buckets_of_their_own():
    bucket = TokenBucket(Rate(1, 60.0), burst=1, clock=Clock())

    first = await bucket.acquire("webchat:ann")
    other = await bucket.acquire("webchat:bob")
    again = await bucket.acquire("webchat:ann")

    assert (first.allowed, other.allowed, again.allowed) == (True, True, False)


async def test_memory_is_bounded_by_forgetting_the_least_recently_used_bucket():
    bucket = TokenBucket(Rate(1, 60.0), burst=1, clock=Clock(), max_keys=3)
    for key in ("a", "b", "c"):
        await bucket.acquire(key)
    await bucket.acquire("a")  # a is used again: b is now the oldest

    await bucket.acquire("d")

    assert len(bucket) == 3
    assert (await bucket.acquire("b")).allowed  # forgotten, so full again
    assert not (await bucket.acquire("a")).allowed  # remembered, still empty


async def test_unlimited_always_allows():
    limiter = Unlimited()

    decisions = [await limiter.acquire("k") for _ in range(1000)]

    assert all(d.allowed for d in decisions)


def test_rate_limited_is_a_429_with_whole_retry_after_seconds_and_a_sentence():
    exc = RateLimited(0.2, ADDRESS_DETAIL)
    long = RateLimited(150.5, ADDRESS_DETAIL)

    assert exc.status_code == 429
    assert exc.headers == {"Retry-After": "1"}
    assert exc.detail == (
        "Too many messages are arriving from your network. Please wait a second and try again."
    )
    assert long.headers == {"Retry-After": "151"}
    assert "wait 3 minutes" in long.detail


def test_the_peer_is_the_address_when_it_is_not_a_trusted_proxy():
    trusted = parse_networks(["10.0.0.0/8"])

    spoofed = client_address(connection("198.51.100.4", "1.2.3.4"), trusted)
    no_proxies = client_address(connection("10.0.0.5", "1.2.3.4"), ())

    assert spoofed == "198.51.100.4"
    assert no_proxies == "10.0.0.5"


def test_behind_a_trusted_proxy_the_forwarded_client_is_the_address():
    trusted = parse_networks(["10.0.0.0/8", "2001:db8::/32"])

    one_hop = client_address(connection("10.0.0.5", "203.0.113.9"), trusted)
    v6_proxy = client_address(connection("2001:db8::1", "203.0.113.9"), trusted)
    two_proxies = client_address(connection("10.0.0.5", "203.0.113.9, 10.1.1.1"), trusted)
    two_headers = client_address(connection("10.0.0.5", "203.0.113.9", "10.1.1.1"), trusted)

    assert one_hop == v6_proxy == two_proxies == two_headers == "203.0.113.9"


def test_hops_a_client_wrote_itself_are_not_believed():
    trusted = parse_networks(["10.0.0.5"])

    # the client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it saw
    address = client_address(connection("10.0.0.5", "1.2.3.4, 203.0.113.9"), trusted)
    garbled = client_address(connection("10.0.0.5", "203.0.113.9, not-an-ip"), trusted)

    assert address == "203.0.113.9"
    assert garbled == "10.0.0.5"


def test_a_trusted_proxy_without_forwarded_for_is_itself_the_address():
    trusted = parse_networks(["10.0.0.5"])

    assert client_address(connection("10.0.0.5"), trusted) == "10.0.0.5"
    assert client_address(connection(None), trusted) == "unknown"
    assert client_address(connection("testclient", "1.2.3.4"), trusted) == "testclient"


async def test_limits_from_settings_follow_the_settings(settings_with):
    limits = RateLimits.from_settings(
        settings_with(
            rate_limit_per_sender="2/minute",
            rate_limit_sender_burst=2,
            rate_limit_per_address="0",
            trusted_proxies="10.0.0.0/8, 192.0.2.1",
        )
    )

    await limits.check_sender("webchat:ann")
    await limits.check_sender("webchat:ann")
    with pytest.raises(RateLimited) as refused:
        await limits.check_sender("webchat:ann")
    for _ in range(500):
        await limits.check_address_of("203.0.113.9")

    assert refused.value.headers == {"Retry-After": "30"}
    assert [str(n) for n in limits.trusted_proxies] == ["10.0.0.0/8", "192.0.2.1/32"]
    assert await limits.should_notify("whatsapp:1") is True
    assert await limits.should_notify("whatsapp:1") is False


async def test_limits_are_off_by_default(settings):
    limits = RateLimits.from_settings(settings)

    for _ in range(200):
        await limits.check_sender("webchat:ann")
        await limits.check_address_of("203.0.113.9")

    assert settings.rate_limit_per_sender is None
    assert settings.rate_limit_per_address is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"rate_limit_per_sender": "lots"},
        {"rate_limit_per_address": "20/fortnight"},
        {"rate_limit_sender_burst": 0},
        {"trusted_proxies": "10.0.0.0/8,proxy.internal"},
        {"webchat_max_metadata_bytes": 0},
    ],
)
def test_bad_limit_settings_stop_the_gateway_from_starting(settings_with, overrides):
    with pytest.raises(ValidationError):
        settings_with(**overrides)


def test_limit_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_PER_SENDER", "20/minute")
    monkeypatch.setenv("RATE_LIMIT_PER_ADDRESS", "120/minute")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1")
    monkeypatch.setenv("WEBCHAT_MAX_METADATA_BYTES", "2048")
    monkeypatch.setenv("RASA_API_TOKEN", "t")

    settings = GatewaySettings(_env_file=None)

    assert settings.rate_limit_per_sender == "20/minute"
    assert settings.rate_limit_per_address == "120/minute"
    assert settings.trusted_proxies == ("10.0.0.0/8", "127.0.0.1")
    assert settings.webchat_max_metadata_bytes == 2048
