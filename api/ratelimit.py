"""Rate limits: token buckets per sender (conversation) and per source address.

A limit such as ``20/minute`` with a burst of 5 is a bucket that holds at most 5 tokens and
gains 20 a minute; every message takes one, and a message that finds the bucket empty is
refused with the time until the next token. A sender that keeps to the rate is never refused;
one that pauses may send a burst.

``TokenBucket`` keeps the buckets in the memory of one process: behind a load balancer with N
gateway replicas a client could reach N times the configured rate. With a Redis
(``GATEWAY_QUEUE_URL``) ``RedisTokenBucket`` keeps them there instead, the same arithmetic in
one Lua script per call on the Redis server's clock, shared by every replica; each bucket
expires once it would have filled up again. A Redis that does not answer lets the message
through with a warning: refusing everyone while Redis is away would do to all customers what
the limits exist to keep one from doing.

The source address is the peer's, unless the peer is one of ``TRUSTED_PROXIES``: then it is
the nearest ``X-Forwarded-For`` hop that is not itself a trusted proxy. Hops are read from the
right because a proxy appends the address it saw, while anything to its left came from the
client and could be made up to slip past the limit.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Protocol

from fastapi import HTTPException
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.requests import HTTPConnection

Network = IPv4Network | IPv6Network
logger = logging.getLogger(__name__)

_PERIODS = {
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "m": 60.0,
    "min": 60.0,
    "minute": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
}
_RATE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*([a-z]+?)s?\s*$", re.IGNORECASE)
#: buckets kept per limiter; past this the least recently used are forgotten (a forgotten
#: bucket starts full again, so this bounds memory at the cost of leniency under a huge spread)
MAX_TRACKED_KEYS = 100_000
UNKNOWN_ADDRESS = "unknown"
REDIS_KEY_PREFIX = "casebot:ratelimit:"
#: how long a limiter waits for Redis before letting the message through
REDIS_TIMEOUT_SECONDS = 0.5

SENDER_DETAIL = (
    "You are sending messages faster than I can answer them. Please wait {wait} and try again."
)
ADDRESS_DETAIL = (
    "Too many messages are arriving from your network. Please wait {wait} and try again."
)
#: said in channels that cannot answer 429, where a message over the limit is dropped
SKIPPED_NOTICE = (
    "You are sending messages faster than I can answer them, so I could not read your last "
    "one. Please wait a moment and send it again."
)


@dataclass(frozen=True)
class Rate:
    """``count`` events per ``period_seconds``."""

    count: int
    period_seconds: float

    @property
    def per_second(self) -> float:
        """Tokens gained per second."""
        return self.count / self.period_seconds

    @classmethod
    def parse(cls, text: str | None) -> Rate | None:
        """``"20/minute"`` (also ``20/min``, ``20 per hour``, ``5/s``...); empty or 0 is none."""
        if text is None or not text.strip() or text.strip() == "0":
            return None
        match = _RATE.match(text)
        if match is None or match.group(2).lower() not in _PERIODS:
            raise ValueError(
                f"{text!r} is not a rate: write COUNT/PERIOD, e.g. 20/minute "
                f"(periods: second, minute, hour, day; 0 or empty disables)"
            )
        count = int(match.group(1))
        if count == 0:
            return None
        return cls(count, _PERIODS[match.group(2).lower()])


@dataclass(frozen=True)
class Decision:
    """Whether one event may go ahead, and if not, in how many seconds it could."""

    allowed: bool
    retry_after: float = 0.0


ALLOWED = Decision(allowed=True)


class RateLimiter(Protocol):
    """What the gateway needs of a rate limiter, in memory or shared."""

    async def acquire(self, key: str) -> Decision:
        """Take one token from ``key``'s bucket, or say how long until there is one."""
        ...


class Unlimited:
    """The limiter of a limit that is switched off."""

    async def acquire(self, key: str) -> Decision:
        """Always allowed."""
        return ALLOWED


class TokenBucket:
    """Token buckets in this process's memory, one per key."""

    def __init__(
        self,
        rate: Rate,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_TRACKED_KEYS,
    ) -> None:
        if burst < 1:
            raise ValueError("a bucket holds at least one token")
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._max_keys = max_keys
        #: key -> (tokens, when last counted); insertion order is recency of use
        self._buckets: dict[str, tuple[float, float]] = {}

    async def acquire(self, key: str) -> Decision:
        """Take one token from ``key``'s bucket, or say how long until there is one."""
        now = self._clock()
        tokens, last = self._buckets.pop(key, (self._burst, now))
        tokens = min(self._burst, tokens + max(0.0, now - last) * self._rate.per_second)
        if tokens >= 1.0:
            decision = ALLOWED
            tokens -= 1.0
        else:
            decision = Decision(False, (1.0 - tokens) / self._rate.per_second)
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self._max_keys:
            del self._buckets[next(iter(self._buckets))]
        return decision

    def __len__(self) -> int:
        return len(self._buckets)


# KEYS[1] the bucket; ARGV: tokens gained per second, burst, seconds until a bucket is full
_ACQUIRE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return tostring(wait)
"""


class RedisTokenBucket:
    """Token buckets in Redis, one hash per key, shared by every gateway that uses the same
    server and name."""

    def __init__(self, client: Redis, name: str, rate: Rate, burst: int) -> None:
        if burst < 1:
            raise ValueError("a bucket holds at least one token")
        self.client = client
        self._prefix = f"{REDIS_KEY_PREFIX}{name}:"
        self._rate = rate
        self._burst = burst
        # a bucket left alone this long is full again, so it may as well be gone
        self._ttl = max(1, math.ceil(burst / rate.per_second)) + 1
        self._acquire = client.register_script(_ACQUIRE)

    async def acquire(self, key: str) -> Decision:
        """Take one token from ``key``'s bucket, or say how long until there is one."""
        try:
            wait = await self._acquire(
                keys=[self._prefix + key], args=[self._rate.per_second, self._burst, self._ttl]
            )
        except (RedisError, OSError) as exc:
            logger.warning("rate limit not checked, Redis did not answer: %s", exc)
            return ALLOWED
        seconds = float(wait)
        return ALLOWED if seconds <= 0 else Decision(False, seconds)


def limiter(
    rate: Rate | None, burst: int, redis: Redis | None = None, name: str = ""
) -> RateLimiter:
    """The limiter of ``rate`` (in ``redis`` under ``name`` when given), or none when it is off."""
    if rate is None:
        return Unlimited()
    return TokenBucket(rate, burst) if redis is None else RedisTokenBucket(redis, name, rate, burst)


class RateLimited(HTTPException):
    """A request over a limit: 429 with ``Retry-After`` and a sentence for the user."""

    def __init__(self, retry_after: float, template: str) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(
            status_code=429,
            detail=template.format(wait=_wait(self.retry_after)),
            headers={"Retry-After": str(self.retry_after)},
        )


class LimitConfig(Protocol):
    """The settings the limits are built from (``api.ratelimit_settings.LimitSettings``)."""

    @property
    def rate_limit_per_sender(self) -> str | None:
        """The per-conversation rate, e.g. ``20/minute``; ``None`` for no limit."""
        ...

    @property
    def rate_limit_sender_burst(self) -> int:
        """Messages a quiet conversation may send at once."""
        ...

    @property
    def rate_limit_per_address(self) -> str | None:
        """The per-address rate; ``None`` for no limit."""
        ...

    @property
    def rate_limit_address_burst(self) -> int:
        """Messages a quiet address may send at once."""
        ...

    @property
    def trusted_proxies(self) -> tuple[str, ...]:
        """The proxies whose ``X-Forwarded-For`` is believed."""
        ...


@dataclass(frozen=True)
class RateLimits:
    """The gateway's limits, built once per app and kept in ``app.state.rate_limits``."""

    per_sender: RateLimiter
    per_address: RateLimiter
    #: at most one "slow down" notice per sender and period, in channels that cannot say 429
    notices: RateLimiter
    trusted_proxies: tuple[Network, ...] = ()

    @classmethod
    def from_settings(cls, settings: LimitConfig, redis_url: str | None = None) -> RateLimits:
        """The limits the settings ask for: shared in the Redis at ``redis_url`` when given,
        else in this process's memory."""
        redis = None if redis_url is None else _redis(redis_url)
        sender = Rate.parse(settings.rate_limit_per_sender)
        address = Rate.parse(settings.rate_limit_per_address)
        notices = None if sender is None else Rate(1, sender.period_seconds)
        return cls(
            per_sender=limiter(sender, settings.rate_limit_sender_burst, redis, "sender"),
            per_address=limiter(address, settings.rate_limit_address_burst, redis, "address"),
            notices=limiter(notices, 1, redis, "notice"),
            trusted_proxies=parse_networks(settings.trusted_proxies),
        )

    async def aclose(self) -> None:
        """Close the Redis connections of shared limits (nothing for limits in memory)."""
        for each in (self.per_sender, self.per_address, self.notices):
            if isinstance(each, RedisTokenBucket):
                await each.client.aclose()

    async def check_sender(self, conversation_id: str) -> None:
        """Raise ``RateLimited`` when the conversation is over its limit."""
        decision = await self.per_sender.acquire(conversation_id)
        if not decision.allowed:
            raise RateLimited(decision.retry_after, SENDER_DETAIL)

    async def check_address(self, connection: HTTPConnection) -> None:
        """Raise ``RateLimited`` when the request's source address is over its limit."""
        await self.check_address_of(client_address(connection, self.trusted_proxies))

    async def check_address_of(self, address: str) -> None:
        """Raise ``RateLimited`` when ``address`` is over its limit."""
        decision = await self.per_address.acquire(address)
        if not decision.allowed:
            raise RateLimited(decision.retry_after, ADDRESS_DETAIL)

    async def should_notify(self, sender: str) -> bool:
        """Whether a sender over the limit is told so now (once per period at most)."""
        return (await self.notices.acquire(sender)).allowed


def rate_limits_of(connection: HTTPConnection) -> RateLimits:
    """The app's limits (a FastAPI dependency for HTTP routes and websockets alike)."""
    limits: RateLimits = connection.app.state.rate_limits
    return limits


async def limit_address(request: HTTPConnection) -> None:
    """A route dependency: refuse the request when its source address is over the limit."""
    await rate_limits_of(request).check_address(request)


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses and CIDR networks, e.g. ``10.0.0.0/8``; a bad entry raises ``ValueError``."""
    return tuple(ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def client_address(connection: HTTPConnection, trusted: tuple[Network, ...]) -> str:
    """The address a request came from, through trusted proxies only (see the module doc)."""
    peer = connection.client.host if connection.client is not None else None
    if not peer:
        return UNKNOWN_ADDRESS
    if not _is_trusted(_ip(peer), trusted):
        return peer
    hops = [
        hop.strip()
        for header in connection.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
    ]
    nearest = peer
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            # a garbled hop was not written by a proxy we trust; stop at the last one that was
            break
        nearest = str(ip)
        if not _is_trusted(ip, trusted):
            break
    return nearest


def _ip(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text)
    except ValueError:
        return None


def _is_trusted(ip: IPv4Address | IPv6Address | None, trusted: tuple[Network, ...]) -> bool:
    return ip is not None and any(ip in network for network in trusted)


def _redis(url: str) -> Redis:
    return Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )


def _wait(seconds: int) -> str:
    if seconds == 1:
        return "a second"
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"
