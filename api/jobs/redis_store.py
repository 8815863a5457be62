"""What the gateway's Redis stores share: one client per store, one prefix, Lua for atomicity.

With ``GATEWAY_QUEUE_URL`` set, every record the gateway keeps (the channels' delivery records,
outreach records, the webchat inbox) lives in Redis beside the queues, so any gateway replica
reads what another wrote. Each store keeps its keys under one prefix holding a hash tag
(``casebot:{<name>}:``), so a Redis Cluster keeps them in one slot and a script may touch them
all. A store changes several keys at once only in one Lua script, which Redis runs whole.

Retention is kept twice over: ``purge`` removes by the gateway's clock what the retention
settings no longer keep, as for the SQLite stores, and every key carries a TTL of the same
length (an index's renewed with each write), so nothing outlives its retention even where no
gateway purges.

``RedisLog`` is the append-only part several stores share (receipts, send outcomes): records
found again by any of a few index values (a message id, a phone number), each with its time.
Under the store's prefix::

    <log>:seq          the last record id given out
    <log>:rec:<id>     hash: data (JSON), idx (JSON list of the record's index values)
    <log>:by:<value>   sorted set of the ids of the records indexed by ``value``, oldest first
    <log>:at           sorted set of every record id by the time it was written (for ``purge``)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any, Self

from pydantic import JsonValue
from redis.asyncio import Redis
from redis.commands.core import AsyncScript

SOCKET_TIMEOUT_SECONDS = 10.0
#: how many entries one purge script looks at, so no single script keeps Redis busy for long
#: (and how many records ``erase`` reads in one round trip)
PURGE_BATCH = 500


def redis_client(url: str) -> Redis:
    """A client of the Redis at ``url`` (``redis://``, ``rediss://``, ``unix://``)."""
    # a Redis that stops answering fails the call (the caller logs it and tries again)
    # rather than hanging a worker or a request for good
    return Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
        health_check_interval=30,
    )


def store_prefix(name: str) -> str:
    """The key prefix of the store called ``name``; every store shares one Redis."""
    return f"casebot:{{{name}}}:"


def text(value: object) -> str:
    """An answer of the client as ``str`` (it decodes every answer, which its types cannot know)."""
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisStore:
    """A store in Redis under ``prefix``; ``keep_seconds`` is the TTL of what it writes."""

    def __init__(
        self,
        client: Redis,
        prefix: str,
        keep_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self._keep = max(1, round(keep_seconds))
        self._clock = clock

    @classmethod
    def from_url(cls, url: str, **options: Any) -> Self:
        """The store in the Redis server at ``url``; ``options`` as the constructor's."""
        return cls(redis_client(url), **options)

    def _key(self, name: str) -> str:
        return self._prefix + name

    def _script(self, source: str) -> AsyncScript:
        return self._redis.register_script(source)

    async def _call(self, script: AsyncScript, *args: str | int | float) -> Any:
        """Run ``script`` with the prefix as its first argument (its keys all start with it)."""
        return await script(keys=[], args=[self._prefix, *args])

    async def close(self) -> None:
        """Close the connections to Redis."""
        await self._redis.aclose()

    async def _purge_in_batches(self, script: AsyncScript, *args: str | int | float) -> int:
        """Run the purge ``script`` with ``args`` and ``PURGE_BATCH`` until a run finds fewer old
        entries than that; how many went in all.

        The script answers ``{removed, seen}``, and takes each old entry it sees out of the index
        it reads, so every run starts past the last one's.
        """
        total = 0
        while True:
            removed, seen = await self._call(script, *args, PURGE_BATCH)
            total += int(removed)
            if int(seen) < PURGE_BATCH:
                return total

    async def _erase_where(
        self,
        record: str,
        fields: Sequence[str],
        names: Callable[[str, list[str | None]], bool],
        remove: AsyncScript,
    ) -> int:
        """Remove with the script ``remove`` every entry of the index ``at`` that ``names``
        the person; how many went.

        ``names`` is given the entry and the ``fields`` of its hash ``<record><entry>`` (``None``
        where absent), read ``PURGE_BATCH`` hashes to a round trip: one read of the index, then
        a number of reads linear in its length.
        """
        entries = [text(entry) for entry in await self._redis.zrange(self._key("at"), 0, -1)]
        erased = 0
        for start in range(0, len(entries), PURGE_BATCH):
            batch = entries[start : start + PURGE_BATCH]
            async with self._redis.pipeline(transaction=False) as reading:
                for entry in batch:
                    reading.hmget(self._key(record + entry), list(fields))
                rows = await reading.execute()
            for entry, row in zip(batch, rows, strict=True):
                if names(entry, [None if value is None else text(value) for value in row]):
                    erased += int(await self._call(remove, entry))
        return erased


# ARGV: prefix, log, data, at, ttl, index values...
_APPEND = """
local p = ARGV[1] .. ARGV[2] .. ':'
local id = redis.call('INCR', p .. 'seq')
local rec = p .. 'rec:' .. id
local idx = {}
for i = 6, #ARGV do
  idx[#idx + 1] = ARGV[i]
  local by = p .. 'by:' .. ARGV[i]
  redis.call('ZADD', by, id, id)
  redis.call('EXPIRE', by, ARGV[5])
end
redis.call('HSET', rec, 'data', ARGV[3], 'idx', cjson.encode(idx))
redis.call('EXPIRE', rec, ARGV[5])
redis.call('ZADD', p .. 'at', ARGV[4], id)
-- whatever outlives the last write by the TTL names only records Redis expired already
redis.call('EXPIRE', p .. 'at', ARGV[5])
redis.call('EXPIRE', p .. 'seq', ARGV[5])
return id
"""

# ARGV: prefix, log, index value. The records of that value, oldest first.
_READ = """
local p = ARGV[1] .. ARGV[2] .. ':'
local by = p .. 'by:' .. ARGV[3]
local found = {}
for _, id in ipairs(redis.call('ZRANGE', by, 0, -1)) do
  local data = redis.call('HGET', p .. 'rec:' .. id, 'data')
  if data then
    found[#found + 1] = data
  else
    redis.call('ZREM', by, id)
  end
end
return found
"""

# Removes one record from every index it is in; 1 when it still existed.
_DROP = """
local function drop(p, id)
  local rec = p .. 'rec:' .. id
  local idx = redis.call('HGET', rec, 'idx')
  redis.call('ZREM', p .. 'at', id)
  if not idx then
    return 0
  end
  for _, value in ipairs(cjson.decode(idx)) do
    redis.call('ZREM', p .. 'by:' .. value, id)
  end
  redis.call('DEL', rec)
  return 1
end
"""

# ARGV: prefix, log, index value. Removes every record indexed by it; how many went.
_REMOVE = (
    _DROP
    + """
local p = ARGV[1] .. ARGV[2] .. ':'
local removed = 0
for _, id in ipairs(redis.call('ZRANGE', p .. 'by:' .. ARGV[3], 0, -1)) do
  removed = removed + drop(p, id)
end
redis.call('DEL', p .. 'by:' .. ARGV[3])
return removed
"""
)

# ARGV: prefix, log, cutoff, batch. How many records went, and how many old ones were seen.
_PURGE = (
    _DROP
    + """
local p = ARGV[1] .. ARGV[2] .. ':'
local old = redis.call('ZRANGE', p .. 'at', '-inf', '(' .. ARGV[3], 'BYSCORE', 'LIMIT', 0,
  ARGV[4])
local removed = 0
for _, id in ipairs(old) do
  removed = removed + drop(p, id)
end
return {removed, #old}
"""
)


class RedisLog:
    """Records appended under a name in a ``RedisStore``, read back by any of their index values."""

    def __init__(self, store: RedisStore, name: str) -> None:
        self._store = store
        self._name = name
        self._append = store._script(_APPEND)
        self._read = store._script(_READ)
        self._remove = store._script(_REMOVE)
        self._purge = store._script(_PURGE)

    async def append(self, data: dict[str, JsonValue], at: float, indexes: list[str]) -> None:
        """Keep ``data`` (written at ``at``), found again by each of ``indexes``."""
        body = json.dumps(data, separators=(",", ":"))
        store = self._store
        await store._call(self._append, self._name, body, repr(at), store._keep, *indexes)

    async def read(self, index: str) -> list[dict[str, Any]]:
        """The records indexed by ``index``, oldest first."""
        rows = await self._store._call(self._read, self._name, index)
        return [json.loads(text(row)) for row in rows]

    async def remove(self, index: str) -> int:
        """Remove every record indexed by ``index``; how many went."""
        return int(await self._store._call(self._remove, self._name, index))

    async def purge(self, cutoff: float) -> int:
        """Remove the records written before ``cutoff``; how many went."""
        return await self._store._purge_in_batches(self._purge, self._name, repr(cutoff))


# ARGV: prefix, table, name, value, at, ttl, newer only ('1': an older ``at`` changes nothing)
_PUT = """
local p = ARGV[1] .. ARGV[2] .. ':'
local key = p .. 'v:' .. ARGV[3]
if ARGV[7] == '1' and redis.call('EXISTS', key) == 1 then
  local known = redis.call('ZSCORE', p .. 'at', ARGV[3])
  if known and tonumber(known) >= tonumber(ARGV[5]) then
    return 0
  end
end
redis.call('SET', key, ARGV[4], 'EX', ARGV[6])
redis.call('ZADD', p .. 'at', ARGV[5], ARGV[3])
redis.call('EXPIRE', p .. 'at', ARGV[6])
return 1
"""

# ARGV: prefix, table, cutoff, batch. How many values went, and how many old ones were seen.
_PURGE_TABLE = """
local p = ARGV[1] .. ARGV[2] .. ':'
local old = redis.call('ZRANGE', p .. 'at', '-inf', '(' .. ARGV[3], 'BYSCORE', 'LIMIT', 0,
  ARGV[4])
local removed = 0
for _, name in ipairs(old) do
  removed = removed + redis.call('DEL', p .. 'v:' .. name)
  redis.call('ZREM', p .. 'at', name)
end
return {removed, #old}
"""

# ARGV: prefix, table, name
_REMOVE_VALUE = """
local p = ARGV[1] .. ARGV[2] .. ':'
redis.call('ZREM', p .. 'at', ARGV[3])
return redis.call('DEL', p .. 'v:' .. ARGV[3])
"""


class RedisTable:
    """One value per name under a name in a ``RedisStore``, each with the time it was written::

    <table>:v:<name>   the value, with the store's TTL
    <table>:at         sorted set of names by the time their value was written (for ``purge``)
    """

    def __init__(self, store: RedisStore, name: str, keep_seconds: float | None = None) -> None:
        self._store = store
        self._name = name
        self._keep = store._keep if keep_seconds is None else max(1, round(keep_seconds))
        self._put = store._script(_PUT)
        self._purge = store._script(_PURGE_TABLE)
        self._remove = store._script(_REMOVE_VALUE)

    async def put(self, name: str, value: str, at: float, *, newer_only: bool = False) -> bool:
        """Keep ``value`` under ``name`` as of ``at``; with ``newer_only``, unless a value as
        recent or more is kept. Whether it was written."""
        flag = "1" if newer_only else "0"
        args = (self._name, name, value, repr(at), self._keep, flag)
        return bool(await self._store._call(self._put, *args))

    async def get(self, name: str) -> str | None:
        """The value kept under ``name``."""
        found = await self._store._redis.get(self._store._key(f"{self._name}:v:{name}"))
        return None if found is None else text(found)

    async def remove(self, name: str) -> int:
        """Forget the value under ``name``; 1 when there was one."""
        return int(await self._store._call(self._remove, self._name, name))

    async def purge(self, cutoff: float) -> int:
        """Forget the values written before ``cutoff``; how many went."""
        return await self._store._purge_in_batches(self._purge, self._name, repr(cutoff))
