"""The webchat inbox in the Redis every gateway shares (``GATEWAY_QUEUE_URL``).

A notice kept by one gateway is shown by whichever holds the page's socket or answers its
next message, and only once: every take is one Lua script that removes what it returns. Under
``casebot:{webchat-inbox}:``::

    seq              the last notice id given out
    n:<id>           hash: conv (the conversation id), replies (JSON); TTL the retention
    conv:<conv id>   sorted set of the conversation's waiting notice ids, oldest first
    at               sorted set of every waiting notice id by when it was kept (for ``purge``)

A turn that finds nothing waiting (nearly every turn) costs one script reading one empty key.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from redis.asyncio import Redis

from api.channels.webchat.inbox import Reply
from api.jobs.redis_store import RedisStore, store_prefix, text
from common.erasure import Person

PREFIX = store_prefix("webchat-inbox")

# ARGV: prefix, conversation, replies, now, ttl. The new notice's id.
_ADD = """
local p = ARGV[1]
local id = redis.call('INCR', p .. 'seq')
redis.call('HSET', p .. 'n:' .. id, 'conv', ARGV[2], 'replies', ARGV[3])
redis.call('EXPIRE', p .. 'n:' .. id, ARGV[5])
redis.call('ZADD', p .. 'conv:' .. ARGV[2], id, id)
redis.call('EXPIRE', p .. 'conv:' .. ARGV[2], ARGV[5])
redis.call('ZADD', p .. 'at', ARGV[4], id)
redis.call('EXPIRE', p .. 'at', ARGV[5])
redis.call('EXPIRE', p .. 'seq', ARGV[5])
return id
"""

# ARGV: prefix, conversation. The conversation's waiting replies (JSON lists), oldest first.
_TAKE = """
local p = ARGV[1]
local conv = p .. 'conv:' .. ARGV[2]
local ids = redis.call('ZRANGE', conv, 0, -1)
if #ids == 0 then
  return {}
end
redis.call('DEL', conv)
local taken = {}
for _, id in ipairs(ids) do
  local replies = redis.call('HGET', p .. 'n:' .. id, 'replies')
  if replies then
    taken[#taken + 1] = replies
  end
  redis.call('DEL', p .. 'n:' .. id)
  redis.call('ZREM', p .. 'at', id)
end
return taken
"""

# ARGV: prefix, conversation, notice id. Its replies, or false when it is not waiting.
_TAKE_ONE = """
local p = ARGV[1]
if redis.call('ZREM', p .. 'conv:' .. ARGV[2], ARGV[3]) == 0 then
  return false
end
local replies = redis.call('HGET', p .. 'n:' .. ARGV[3], 'replies')
redis.call('DEL', p .. 'n:' .. ARGV[3])
redis.call('ZREM', p .. 'at', ARGV[3])
return replies
"""

# Takes one notice out of every key; 1 when it was still there.
_DROP = """
local function drop(p, id)
  local conv = redis.call('HGET', p .. 'n:' .. id, 'conv')
  redis.call('ZREM', p .. 'at', id)
  if not conv then
    return 0
  end
  redis.call('ZREM', p .. 'conv:' .. conv, id)
  return redis.call('DEL', p .. 'n:' .. id)
end
"""

# ARGV: prefix, cutoff, batch. How many notices went, and how many old ones were seen.
_PURGE = (
    _DROP
    + """
local old = redis.call('ZRANGE', ARGV[1] .. 'at', '-inf', '(' .. ARGV[2], 'BYSCORE', 'LIMIT', 0,
  ARGV[3])
local removed = 0
for _, id in ipairs(old) do
  removed = removed + drop(ARGV[1], id)
end
return {removed, #old}
"""
)

# ARGV: prefix, notice id
_REMOVE = _DROP + "\nreturn drop(ARGV[1], ARGV[2])\n"


class RedisInbox(RedisStore):
    """An ``Inbox`` in Redis; ``keep_seconds`` is how long a notice waits at most."""

    def __init__(
        self,
        client: Redis,
        prefix: str = PREFIX,
        keep_seconds: float = 7 * 86_400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(client, prefix, keep_seconds, clock)
        self._add = self._script(_ADD)
        self._take = self._script(_TAKE)
        self._take_one = self._script(_TAKE_ONE)
        self._purge = self._script(_PURGE)
        self._remove = self._script(_REMOVE)

    async def add(self, conversation_id: str, replies: list[Reply]) -> str:
        """Keep ``replies`` until they are shown; the notice's id."""
        body = json.dumps(replies)
        now = repr(self._clock())
        return text(await self._call(self._add, conversation_id, body, now, self._keep))

    async def take(self, conversation_id: str) -> list[Reply]:
        """The conversation's waiting replies, oldest first, removed from the inbox."""
        taken: list[Reply] = []
        for replies in await self._call(self._take, conversation_id):
            taken.extend(json.loads(text(replies)))
        return taken

    async def take_notice(self, conversation_id: str, notice_id: str) -> list[Reply] | None:
        """The replies of one notice, removed; ``None`` when it was shown (or taken) already."""
        replies = await self._call(self._take_one, conversation_id, notice_id)
        return None if replies is None else list(json.loads(text(replies)))

    async def purge(self, older_than_seconds: float) -> int:
        """Forget notices waiting longer than that; how many went."""
        return await self._purge_in_batches(self._purge, repr(self._clock() - older_than_seconds))

    async def erase(self, person: Person) -> int:
        """Forget the notices of the person's conversations, or naming them; how many went."""

        def names(notice: str, found: list[str | None]) -> bool:
            conversation, replies = found
            return conversation is not None and (
                person.names(conversation) or person.found_in(replies)
            )

        return await self._erase_where("n:", ("conv", "replies"), names, self._remove)
