"""The ``JobQueue`` in Redis, shared safely by any number of gateway processes on any machines.

Every operation is one Lua script, so Redis runs it whole with nothing in between: two
gateways never both queue a redelivered message, never both claim one job, and never see a
group half-updated. The keys, all under one prefix::

    key:<dedup key>   the job id, SET NX with a TTL: a key queued before is refused
    keys              sorted set of dedup keys by when they were queued (for ``prune_keys``)
    seq               the last job id given out
    job:<id>          hash: key, grp, payload, attempts, lease, buried, reason, progress
    group:<group>     list of the group's unfinished job ids, oldest first (the head is next)
    waiting           sorted set of groups whose head may be claimed now, by the head's id
    delayed           sorted set of groups whose head is leased or retried, by when that ends
    live              sorted set of unfinished job ids (``pending`` counts it)
    buried            sorted set of buried job ids by when they were buried, kept for a while

A group with unfinished jobs is in exactly one of ``waiting`` and ``delayed``; a claim first
moves the groups whose time has come from ``delayed`` to ``waiting``, then takes the group with
the oldest head, so jobs are claimed in the same order as from the SQLite queue. The prefix
holds a hash tag (``{...}``) so every key lives in one Redis Cluster slot.

Times come from the gateway's clock, so the gateways' clocks should agree (NTP) to well
within a lease.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from pydantic import JsonValue
from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from api.jobs.queue import Job
from api.jobs.redis_store import redis_client
from api.jobs.worker import WorkerPolicy
from common.erasure import Person


def queue_prefix(name: str) -> str:
    """The key prefix of the queue called ``name``; several queues may share one Redis."""
    return f"casebot:{{{name}-queue}}:"


DEFAULT_PREFIX = queue_prefix("whatsapp")

# KEYS: seq, keys, waiting, live; ARGV: prefix, key, group, payload, now, ttl
_ENQUEUE = """
local p = ARGV[1]
local dedup = p .. 'key:' .. ARGV[2]
if not redis.call('SET', dedup, '', 'NX', 'EX', ARGV[6]) then
  return 0
end
local id = redis.call('INCR', KEYS[1])
redis.call('SET', dedup, id, 'KEEPTTL')
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[2])
redis.call('HSET', p .. 'job:' .. id, 'key', ARGV[2], 'grp', ARGV[3], 'payload', ARGV[4],
  'attempts', 0, 'lease', '', 'buried', 0)
redis.call('ZADD', KEYS[4], id, id)
if redis.call('RPUSH', p .. 'group:' .. ARGV[3], id) == 1 then
  redis.call('ZADD', KEYS[3], id, ARGV[3])
end
return 1
"""

# KEYS: waiting, delayed; ARGV: prefix, now, lease end, lease
_CLAIM = """
local p = ARGV[1]
local due = redis.call('ZRANGE', KEYS[2], '-inf', ARGV[2], 'BYSCORE')
for _, group in ipairs(due) do
  redis.call('ZREM', KEYS[2], group)
  local head = redis.call('LINDEX', p .. 'group:' .. group, 0)
  if head then
    redis.call('ZADD', KEYS[1], head, group)
  end
end
local first = redis.call('ZPOPMIN', KEYS[1])
if #first == 0 then
  return false
end
local group = first[1]
local id = redis.call('LINDEX', p .. 'group:' .. group, 0)
local job = p .. 'job:' .. id
local attempts = redis.call('HINCRBY', job, 'attempts', 1)
redis.call('HSET', job, 'lease', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], group)
local fields = redis.call('HMGET', job, 'key', 'payload', 'progress')
return {id, fields[1], group, fields[2], attempts, fields[3] or '0'}
"""

# ARGV: prefix, id, progress. By id alone, as an ack: what was done stays done whoever holds
# the job now; a finished job is not brought back.
_ADVANCE = """
local job = ARGV[1] .. 'job:' .. ARGV[2]
if redis.call('EXISTS', job) == 0 then
  return 0
end
if tonumber(redis.call('HGET', job, 'progress') or '0') < tonumber(ARGV[3]) then
  redis.call('HSET', job, 'progress', ARGV[3])
end
return 1
"""

# KEYS: waiting, delayed; ARGV: prefix, id, lease, new end of the lease or of the delay
_EXTEND = """
local job = ARGV[1] .. 'job:' .. ARGV[2]
if redis.call('HGET', job, 'lease') ~= ARGV[3] then
  return 0
end
local group = redis.call('HGET', job, 'grp')
redis.call('ZREM', KEYS[1], group)
redis.call('ZADD', KEYS[2], ARGV[4], group)
return 1
"""

# KEYS: waiting, delayed; ARGV: prefix, id, lease, when the job may be claimed again
_RETRY = """
local job = ARGV[1] .. 'job:' .. ARGV[2]
if redis.call('HGET', job, 'lease') ~= ARGV[3] then
  return 0
end
local group = redis.call('HGET', job, 'grp')
redis.call('HSET', job, 'lease', '')
redis.call('ZREM', KEYS[1], group)
redis.call('ZADD', KEYS[2], ARGV[4], group)
return 1
"""

# Takes a finished or buried job out of its group; the group's next job becomes its head.
_DETACH = """
local function detach(p, id, group, waiting, delayed, live)
  local list = p .. 'group:' .. group
  local head = redis.call('LINDEX', list, 0)
  redis.call('LREM', list, 1, id)
  redis.call('ZREM', live, id)
  if head ~= id then
    return
  end
  redis.call('ZREM', delayed, group)
  local next_head = redis.call('LINDEX', list, 0)
  if next_head then
    redis.call('ZADD', waiting, next_head, group)
  else
    redis.call('ZREM', waiting, group)
  end
end
"""

# KEYS: waiting, delayed, live, buried; ARGV: prefix, id
_ACK = (
    _DETACH
    + """
local job = ARGV[1] .. 'job:' .. ARGV[2]
local group = redis.call('HGET', job, 'grp')
if not group then
  return 0
end
detach(ARGV[1], ARGV[2], group, KEYS[1], KEYS[2], KEYS[3])
redis.call('ZREM', KEYS[4], ARGV[2])
redis.call('DEL', job)
return 1
"""
)

# KEYS: waiting, delayed, live, buried; ARGV: prefix, id, lease, reason, now
_BURY = (
    _DETACH
    + """
local job = ARGV[1] .. 'job:' .. ARGV[2]
if redis.call('HGET', job, 'lease') ~= ARGV[3] then
  return 0
end
local group = redis.call('HGET', job, 'grp')
detach(ARGV[1], ARGV[2], group, KEYS[1], KEYS[2], KEYS[3])
redis.call('HSET', job, 'buried', 1, 'lease', '', 'reason', ARGV[4])
redis.call('ZADD', KEYS[4], ARGV[5], ARGV[2])
return 1
"""
)

# KEYS: keys; ARGV: prefix, cutoff, batch size. Returns how many keys were forgotten and
# how many old keys were looked at (fewer than the batch: nothing older is left).
_PRUNE = """
local p = ARGV[1]
local old = redis.call('ZRANGE', KEYS[1], '-inf', '(' .. ARGV[2], 'BYSCORE', 'LIMIT', 0,
  ARGV[3])
local pruned = 0
for _, key in ipairs(old) do
  local dedup = p .. 'key:' .. key
  local id = redis.call('GET', dedup)
  -- a key whose job still exists stays: forgetting it would let a redelivery in twice
  if id and id ~= '' and redis.call('EXISTS', p .. 'job:' .. id) == 1 then
    redis.call('ZADD', KEYS[1], 'XX', ARGV[2], key)
  else
    redis.call('DEL', dedup)
    redis.call('ZREM', KEYS[1], key)
    pruned = pruned + 1
  end
end
return {pruned, #old}
"""

# KEYS: buried; ARGV: prefix, cutoff, batch size, now. Returns how many jobs were removed and
# how many were looked at. A job buried before burials were timed is scored by its id, far
# below any time: it is timed now and kept, not taken for one buried in 1970.
_PURGE_BURIED = """
local old = redis.call('ZRANGE', KEYS[1], '-inf', '(' .. ARGV[2], 'BYSCORE', 'WITHSCORES',
  'LIMIT', 0, ARGV[3])
local purged = 0
for i = 1, #old, 2 do
  local id = old[i]
  if tonumber(old[i + 1]) < 1000000000 then
    redis.call('ZADD', KEYS[1], 'XX', ARGV[4], id)
  else
    redis.call('DEL', ARGV[1] .. 'job:' .. id)
    redis.call('ZREM', KEYS[1], id)
    purged = purged + 1
  end
end
return {purged, #old / 2}
"""

_PRUNE_BATCH = 500


class RedisQueue:
    """A ``JobQueue`` kept in Redis; ``clock`` gives seconds since the epoch.

    ``key_ttl_seconds`` is how long Redis itself keeps a dedup key, the same retention as
    ``prune_keys`` gives the SQLite queue's keys, so keys never pile up even when nothing prunes.
    """

    def __init__(
        self,
        client: Redis,
        prefix: str = DEFAULT_PREFIX,
        key_ttl_seconds: float = WorkerPolicy.key_ttl_seconds,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self._ttl = max(1, round(key_ttl_seconds))
        self._clock = clock
        self._enqueue = client.register_script(_ENQUEUE)
        self._claim = client.register_script(_CLAIM)
        self._extend = client.register_script(_EXTEND)
        self._retry = client.register_script(_RETRY)
        self._advance = client.register_script(_ADVANCE)
        self._ack = client.register_script(_ACK)
        self._bury = client.register_script(_BURY)
        self._prune = client.register_script(_PRUNE)
        self._purge_buried = client.register_script(_PURGE_BURIED)

    @classmethod
    def from_url(
        cls,
        url: str,
        prefix: str = DEFAULT_PREFIX,
        key_ttl_seconds: float = WorkerPolicy.key_ttl_seconds,
        clock: Callable[[], float] = time.time,
    ) -> RedisQueue:
        """The queue in the Redis server at ``url`` (``redis://``, ``rediss://``, ``unix://``)."""
        return cls(redis_client(url), prefix, key_ttl_seconds, clock)

    def _key(self, name: str) -> str:
        return self._prefix + name

    async def _run(self, script: AsyncScript, keys: list[str], *args: str | int | float) -> Any:
        return await script(keys=[self._key(k) for k in keys], args=[self._prefix, *args])

    async def enqueue(self, key: str, group: str, payload: dict[str, JsonValue]) -> bool:
        """Queue a job unless ``key`` was ever queued before; return whether it was queued."""
        body = json.dumps(payload, separators=(",", ":"))
        now = repr(self._clock())
        keys = ["seq", "keys", "waiting", "live"]
        return bool(await self._run(self._enqueue, keys, key, group, body, now, self._ttl))

    async def claim(self, lease_seconds: float) -> Job | None:
        """Lease the oldest claimable job for ``lease_seconds``; ``None`` when there is none."""
        now = self._clock()
        lease = uuid.uuid4().hex
        row = await self._run(
            self._claim, ["waiting", "delayed"], repr(now), repr(now + lease_seconds), lease
        )
        if row is None:
            return None
        job_id, key, group, payload, attempts, progress = row
        return Job(
            id=int(job_id),
            key=key,
            group=group,
            payload=json.loads(payload),
            attempts=int(attempts),
            lease=lease,
            progress=int(progress),
        )

    async def extend(self, job: Job, lease_seconds: float) -> bool:
        """Push the lease's end ``lease_seconds`` from now; ``False`` if the lease was lost."""
        until = repr(self._clock() + lease_seconds)
        return bool(await self._run(self._extend, ["waiting", "delayed"], job.id, job.lease, until))

    async def ack(self, job: Job) -> None:
        """Finish the job: it is never claimed again and its group moves on."""
        # by id alone, as in the SQLite queue: the work is done even if the lease ran out
        # meanwhile, and removing the job spares whoever claimed it since
        await self._run(self._ack, ["waiting", "delayed", "live", "buried"], job.id)

    async def retry(self, job: Job, delay_seconds: float) -> None:
        """Give the job back, claimable again (ahead of its group) after ``delay_seconds``."""
        until = repr(self._clock() + delay_seconds)
        await self._run(self._retry, ["waiting", "delayed"], job.id, job.lease, until)

    async def advance(self, job: Job, progress: int) -> None:
        """Record that the job got as far as ``progress``, for whoever claims it again."""
        await self._run(self._advance, [], job.id, progress)

    async def bury(self, job: Job, reason: str) -> None:
        """Give up on the job: it is kept for inspection and its group moves on."""
        keys = ["waiting", "delayed", "live", "buried"]
        await self._run(self._bury, keys, job.id, job.lease, reason, repr(self._clock()))

    async def prune_keys(self, older_than_seconds: float) -> int:
        """Forget dedup keys older than that, once the provider stops redelivering them."""
        cutoff = repr(self._clock() - older_than_seconds)
        total = 0
        # in batches, so no single script keeps Redis busy for long
        while True:
            pruned, seen = await self._run(self._prune, ["keys"], cutoff, _PRUNE_BATCH)
            total += int(pruned)
            if int(seen) < _PRUNE_BATCH:
                return total

    async def purge_buried(self, older_than_seconds: float) -> int:
        """Remove the jobs buried longer ago than that; returns how many went."""
        now = self._clock()
        cutoff = repr(now - older_than_seconds)
        total = 0
        while True:
            purged, seen = await self._run(
                self._purge_buried, ["buried"], cutoff, _PRUNE_BATCH, repr(now)
            )
            total += int(purged)
            if int(seen) < _PRUNE_BATCH:
                return total

    async def erase(self, person: Person) -> int:
        """Remove every job of the person's (by group or payload); returns how many went."""
        erased = 0
        for name in ("live", "buried"):
            for job_id in await self._redis.zrange(self._key(name), 0, -1):
                group, payload = await self._redis.hmget(
                    self._key(f"job:{_text(job_id)}"), ["grp", "payload"]
                )
                if group is None:
                    continue
                if person.names(_text(group)) or person.found_in(_text(payload)):
                    # what finishing a job does: out of its group and every set, then gone
                    keys = ["waiting", "delayed", "live", "buried"]
                    erased += int(await self._run(self._ack, keys, _text(job_id)))
        return erased

    async def pending(self) -> int:
        """How many jobs are waiting or in flight (buried ones not counted)."""
        return int(await self._redis.zcard(self._key("live")))

    async def buried(self) -> list[tuple[str, str]]:
        """The buried jobs' dedup keys and reasons, oldest first."""
        ids = await self._redis.zrange(self._key("buried"), 0, -1)
        found: list[tuple[str, str]] = []
        for job_id in ids:
            job = self._key(f"job:{_text(job_id)}")
            key, reason = await self._redis.hmget(job, ["key", "reason"])
            found.append((_text(key), _text(reason)))
        return found

    async def close(self) -> None:
        """Close the connections to Redis."""
        await self._redis.aclose()


def _text(value: object) -> str:
    # the client decodes every answer to str, which redis-py's types cannot know
    return value.decode() if isinstance(value, bytes) else str(value)
