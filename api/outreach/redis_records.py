"""Outreach and notice records in the Redis every gateway shares (``GATEWAY_QUEUE_URL``).

The same records as ``OutreachRecords``, so an IVR handoff or a case event delivered to two
gateways is recognised by the second, and a webhook waiting on one gateway reads what a worker
on another recorded. Under ``casebot:{<name>-records}:``::

    r:<key>          hash: kind, status, wa_id, case_ref, detail (a field absent is none);
                     its TTL is the retention, renewed with each change
    at               sorted set of record keys by their last change (``purge``, ``erase``)
    case:<case id>   hash: status, changed_at, kept for good like the SQLite table: it names no one

Adding, finishing and swapping a case's status are each one Lua script.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from redis.asyncio import Redis

from api.jobs.redis_store import RedisStore, store_prefix, text
from api.outreach.records import Record
from common.erasure import Person

_FIELDS = ("kind", "status", "wa_id", "case_ref", "detail")

# ARGV: prefix, key, now, ttl, then field, value pairs. The earlier record's fields, if any.
_ADD = """
local r = ARGV[1] .. 'r:' .. ARGV[2]
if redis.call('EXISTS', r) == 1 then
  return redis.call('HGETALL', r)
end
redis.call('HSET', r, unpack(ARGV, 5))
redis.call('EXPIRE', r, ARGV[4])
redis.call('ZADD', ARGV[1] .. 'at', ARGV[3], ARGV[2])
redis.call('EXPIRE', ARGV[1] .. 'at', ARGV[4])
return false
"""

# ARGV: prefix, key, now, ttl, status, has detail, detail, has case_ref, case_ref, replace_ref
_FINISH = """
local r = ARGV[1] .. 'r:' .. ARGV[2]
if redis.call('EXISTS', r) == 0 then
  return 0
end
redis.call('HSET', r, 'status', ARGV[5])
if ARGV[6] == '1' then
  redis.call('HSET', r, 'detail', ARGV[7])
else
  redis.call('HDEL', r, 'detail')
end
if ARGV[8] == '1' then
  redis.call('HSET', r, 'case_ref', ARGV[9])
elseif ARGV[10] == '1' then
  redis.call('HDEL', r, 'case_ref')
end
redis.call('EXPIRE', r, ARGV[4])
redis.call('ZADD', ARGV[1] .. 'at', ARGV[3], ARGV[2])
redis.call('EXPIRE', ARGV[1] .. 'at', ARGV[4])
return 1
"""

# ARGV: prefix, case id, status, changed_at. Returns {newer, known before, status before}.
# Times are compared byte by byte, as SQLite compares text: Lua's own comparison follows the
# server's locale, which may order punctuation differently.
_SWAP = """
local function later(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = a:byte(i), b:byte(i)
    if x ~= y then
      return x > y
    end
  end
  return #a > #b
end
local c = ARGV[1] .. 'case:' .. ARGV[2]
local known = redis.call('HMGET', c, 'status', 'changed_at')
if known[1] and later(known[2], ARGV[4]) then
  return {0, 1, known[1]}
end
redis.call('HSET', c, 'status', ARGV[3], 'changed_at', ARGV[4])
if known[1] then
  return {1, 1, known[1]}
end
return {1, 0, ''}
"""

# ARGV: prefix, cutoff, batch. How many records went, and how many old ones were seen.
_PURGE = """
local old = redis.call('ZRANGE', ARGV[1] .. 'at', '-inf', '(' .. ARGV[2], 'BYSCORE', 'LIMIT', 0,
  ARGV[3])
local removed = 0
for _, key in ipairs(old) do
  removed = removed + redis.call('DEL', ARGV[1] .. 'r:' .. key)
  redis.call('ZREM', ARGV[1] .. 'at', key)
end
return {removed, #old}
"""

# ARGV: prefix, key
_REMOVE = """
redis.call('ZREM', ARGV[1] .. 'at', ARGV[2])
return redis.call('DEL', ARGV[1] .. 'r:' .. ARGV[2])
"""


def records_prefix(name: str) -> str:
    """The key prefix of the records of the pipeline ``name`` (outreach, notices)."""
    return store_prefix(f"{name}-records")


class RedisOutreachRecords(RedisStore):
    """A ``Records`` in Redis; ``keep_seconds`` is the retention after a record's last change."""

    def __init__(
        self,
        client: Redis,
        prefix: str,
        keep_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(client, prefix, keep_seconds, clock)
        self._add = self._script(_ADD)
        self._finish = self._script(_FINISH)
        self._swap = self._script(_SWAP)
        self._purge = self._script(_PURGE)
        self._remove = self._script(_REMOVE)

    async def add(self, record: Record) -> Record | None:
        """Keep ``record`` unless its key is known; return the earlier record if it is."""
        fields: list[str] = []
        for name in _FIELDS:
            value = getattr(record, name)
            if value is not None:
                fields += [name, value]
        earlier = await self._call(self._add, record.key, repr(self._clock()), self._keep, *fields)
        if earlier is None:
            return None
        flat = [text(item) for item in earlier]
        return _record(record.key, dict(zip(flat[::2], flat[1::2], strict=True)))

    async def finish(
        self,
        key: str,
        status: str,
        case_ref: str | None = None,
        detail: str | None = None,
        *,
        replace_ref: bool = False,
    ) -> None:
        """Set the outcome of the record ``key``.

        The case reference known so far is kept unless ``case_ref`` gives one, or
        ``replace_ref`` says that ``case_ref`` (even ``None``) is now the one that holds.
        """
        await self._call(
            self._finish,
            key,
            repr(self._clock()),
            self._keep,
            status,
            _flag(detail is not None),
            detail or "",
            _flag(case_ref is not None),
            case_ref or "",
            _flag(replace_ref),
        )

    async def get(self, key: str) -> Record | None:
        """The record kept under ``key``."""
        found = await self._redis.hgetall(self._key(f"r:{key}"))
        if not found:
            return None
        return _record(key, {text(name): text(value) for name, value in found.items()})

    async def swap_case_status(
        self, case_id: str, status: str, changed_at: str
    ) -> tuple[str | None, bool]:
        """Note the case's status as of ``changed_at`` (ISO 8601, UTC).

        Returns the status known before and whether this one is newer; an older change
        (events may come out of order) leaves the record as it was.
        """
        newer, known, before = await self._call(self._swap, case_id, status, changed_at)
        return (text(before) if int(known) else None), bool(int(newer))

    async def purge(self, older_than_seconds: float) -> int:
        """Forget records last changed longer ago than that; how many went.

        The last status of each case stays, as in SQLite.
        """
        return await self._purge_in_batches(self._purge, repr(self._clock() - older_than_seconds))

    async def erase(self, person: Person) -> int:
        """Forget the records of handoffs and notices to the person; how many went."""

        def names(key: str, found: list[str | None]) -> bool:
            wa_id, detail = found
            return person.names(wa_id) or person.names(key) or person.found_in(detail)

        return await self._erase_where("r:", ("wa_id", "detail"), names, self._remove)


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _record(key: str, fields: dict[str, str]) -> Record:
    return Record(
        key,
        fields.get("kind", ""),
        fields.get("status", ""),
        wa_id=fields.get("wa_id"),
        case_ref=fields.get("case_ref"),
        detail=fields.get("detail"),
    )
