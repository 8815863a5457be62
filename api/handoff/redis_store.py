"""The live chats every gateway relays, in the Redis they share (``GATEWAY_QUEUE_URL``).

The same records as ``api.handoff.store.RelayStore`` keeps in SQLite, under
``casebot:{handoff-relay}:``, so a chat started on one gateway is known to all, and one
gateway relays it at a time::

    chat:<conversation>   hash: the conversation's live chat (a field per ``LiveChat`` field)
    contact:<contact>     the conversation of a chat, by its contact
    chats                 sorted set of the conversations with a live chat, by start
    lease:<contact>       the gateway that relays the chat, while its lease runs (PX)
    due:<contact>         hash: a transcript due (case, token, text once read, attempts)
    dues                  sorted set of the contacts of the transcripts due, by when

Whatever changes more than one key, or reads and writes where two gateways race (taking a
lease, ending a chat, claiming a transcript), is one Lua script. A chat's keys expire
``keep_seconds`` after it starts: Amazon Connect ends a chat within 7 days, so the default of
8 days only drops a chat whose end no gateway saw. A transcript due stays until it is filed,
as in SQLite.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from redis.asyncio import Redis

from api.handoff.store import DueTranscript, LiveChat
from api.jobs.redis_store import RedisStore, store_prefix, text
from common.erasure import Person

PREFIX = store_prefix("handoff-relay")
#: how long a chat's keys last: past the longest chat Amazon Connect allows (7 days)
CHAT_KEEP_SECONDS = 8 * 86_400.0

# ARGV: prefix, conversation, contact, started_at, ttl, field, value, ...
_PUT = """
local p, conv, contact = ARGV[1], ARGV[2], ARGV[3]
local chat = p .. 'chat:' .. conv
local old = redis.call('HGET', chat, 'contact_id')
if old and old ~= contact then
  redis.call('DEL', p .. 'contact:' .. old, p .. 'lease:' .. old)
end
local other = redis.call('GET', p .. 'contact:' .. contact)
if other and other ~= conv then
  redis.call('DEL', p .. 'chat:' .. other)
  redis.call('ZREM', p .. 'chats', other)
end
redis.call('DEL', chat)
local fields = {}
for i = 6, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('HSET', chat, unpack(fields))
redis.call('EXPIRE', chat, ARGV[5])
redis.call('SET', p .. 'contact:' .. contact, conv, 'EX', ARGV[5])
redis.call('ZADD', p .. 'chats', ARGV[4], conv)
redis.call('EXPIRE', p .. 'chats', ARGV[5])
return 1
"""

# ARGV: prefix. Every chat's fields, oldest first; the index forgets the expired ones.
_ALL = """
local p = ARGV[1]
local found = {}
for _, conv in ipairs(redis.call('ZRANGE', p .. 'chats', 0, -1)) do
  local fields = redis.call('HGETALL', p .. 'chat:' .. conv)
  if #fields == 0 then
    redis.call('ZREM', p .. 'chats', conv)
  else
    found[#found + 1] = fields
  end
end
return found
"""

# The conversation of a chat still kept under its contact, else false.
_KEPT = """
local function kept(p, contact)
  local conv = redis.call('GET', p .. 'contact:' .. contact)
  if conv and redis.call('HGET', p .. 'chat:' .. conv, 'contact_id') == contact then
    return conv
  end
  return false
end
"""

# ARGV: prefix, owner, lease in ms, contacts... The contacts the owner now holds.
_HOLD = (
    _KEPT
    + """
local p, owner = ARGV[1], ARGV[2]
local held = {}
for i = 4, #ARGV do
  local lease = p .. 'lease:' .. ARGV[i]
  local holder = redis.call('GET', lease)
  if not kept(p, ARGV[i]) then
    if holder == owner then
      redis.call('DEL', lease)
    end
  elseif not holder or holder == owner then
    redis.call('SET', lease, owner, 'PX', ARGV[3])
    held[#held + 1] = ARGV[i]
  end
end
return held
"""
)

# ARGV: prefix, owner, contacts...
_RELEASE = """
for i = 3, #ARGV do
  local lease = ARGV[1] .. 'lease:' .. ARGV[i]
  if redis.call('GET', lease) == ARGV[2] then
    redis.call('DEL', lease)
  end
end
return 0
"""

# ARGV: prefix, contact, field, value, ... Changes a chat still kept.
_SET = (
    _KEPT
    + """
local conv = kept(ARGV[1], ARGV[2])
if not conv then
  return 0
end
local fields = {}
for i = 3, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('HSET', ARGV[1] .. 'chat:' .. conv, unpack(fields))
return 1
"""
)

# ARGV: prefix, contact, file the transcript ('1'), now. 1 for the one ending that counts.
_END = (
    _KEPT
    + """
local p, c = ARGV[1], ARGV[2]
local conv = kept(p, c)
redis.call('DEL', p .. 'lease:' .. c)
if not conv then
  return 0
end
local chat = p .. 'chat:' .. conv
local found = redis.call('HMGET', chat, 'sender', 'case_ref', 'connection_token')
redis.call('DEL', chat, p .. 'contact:' .. c)
redis.call('ZREM', p .. 'chats', conv)
local due = p .. 'due:' .. c
if ARGV[3] == '1' and found[2] and redis.call('EXISTS', due) == 0 then
  redis.call('HSET', due, 'contact_id', c, 'conversation_id', conv, 'sender', found[1],
    'case_ref', found[2], 'connection_token', found[3], 'attempts', 0)
  redis.call('ZADD', p .. 'dues', ARGV[4], c)
end
return 1
"""
)

# ARGV: prefix, conversation, contact. 1 when the chat was still kept.
_FORGET_CHAT = (
    _KEPT
    + """
local p, c = ARGV[1], ARGV[3]
if kept(p, c) ~= ARGV[2] then
  return 0
end
redis.call('DEL', p .. 'chat:' .. ARGV[2], p .. 'contact:' .. c, p .. 'lease:' .. c)
redis.call('ZREM', p .. 'chats', ARGV[2])
return 1
"""
)

# ARGV: prefix, from, to, limit. The transcripts due in that time, longest waiting first.
_DUES = """
local p = ARGV[1]
local found = {}
for _, c in ipairs(redis.call('ZRANGE', p .. 'dues', ARGV[2], ARGV[3], 'BYSCORE', 'LIMIT', 0,
    ARGV[4])) do
  local fields = redis.call('HGETALL', p .. 'due:' .. c)
  if #fields == 0 then
    redis.call('ZREM', p .. 'dues', c)
  else
    found[#found + 1] = fields
  end
end
return found
"""

# ARGV: prefix, contact, now, until. 1 for the one claim that counts.
_CLAIM = """
local p, c = ARGV[1], ARGV[2]
local at = redis.call('ZSCORE', p .. 'dues', c)
if not at or tonumber(at) > tonumber(ARGV[3]) or redis.call('EXISTS', p .. 'due:' .. c) == 0 then
  return 0
end
redis.call('ZADD', p .. 'dues', ARGV[4], c)
return 1
"""

# ARGV: prefix, contact, transcript ('' to leave it), next try ('' for none).
_DUE_CHANGE = """
local due = ARGV[1] .. 'due:' .. ARGV[2]
if redis.call('EXISTS', due) == 0 then
  return 0
end
if ARGV[3] ~= '' then
  redis.call('HSET', due, 'transcript', ARGV[3])
end
if ARGV[4] ~= '' then
  redis.call('HINCRBY', due, 'attempts', 1)
  redis.call('ZADD', ARGV[1] .. 'dues', ARGV[4], ARGV[2])
end
return 1
"""

# ARGV: prefix, contact
_DONE = """
redis.call('ZREM', ARGV[1] .. 'dues', ARGV[2])
return redis.call('DEL', ARGV[1] .. 'due:' .. ARGV[2])
"""


class RedisRelayStore(RedisStore):
    """``RelayRecords`` in Redis, shared by every gateway."""

    def __init__(
        self,
        client: Redis,
        prefix: str = PREFIX,
        keep_seconds: float = CHAT_KEEP_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(client, prefix, keep_seconds, clock)
        self._put = self._script(_PUT)
        self._all = self._script(_ALL)
        self._hold = self._script(_HOLD)
        self._release = self._script(_RELEASE)
        self._set = self._script(_SET)
        self._end = self._script(_END)
        self._forget_chat = self._script(_FORGET_CHAT)
        self._dues = self._script(_DUES)
        self._claim = self._script(_CLAIM)
        self._due_change = self._script(_DUE_CHANGE)
        self._done = self._script(_DONE)

    async def put(self, chat: LiveChat) -> LiveChat:
        """Keep ``chat`` as the conversation's live chat (replacing an older one), stamped now."""
        kept = replace(chat, started_at=chat.started_at or self._clock())
        fields: list[str] = []
        for name, value in _fields(kept).items():
            fields += [name, value]
        args = (kept.conversation_id, kept.contact_id, repr(kept.started_at), self._keep)
        await self._call(self._put, *args, *fields)
        return kept

    async def get(self, conversation_id: str) -> LiveChat | None:
        """The conversation's live chat, if it has one."""
        found = await self._redis.hgetall(self._key(f"chat:{conversation_id}"))
        return _chat({text(name): text(value) for name, value in found.items()}) if found else None

    async def all(self) -> list[LiveChat]:
        """Every live chat, oldest first."""
        return [_chat(_pairs(fields)) for fields in await self._call(self._all)]

    async def hold(self, owner: str, contact_ids: Sequence[str], lease_seconds: float) -> set[str]:
        """Take or renew the leases ``owner`` may have; the chats it now holds."""
        if not contact_ids:
            return set()
        lease_ms = max(1, round(lease_seconds * 1000))
        held = await self._call(self._hold, owner, lease_ms, *contact_ids)
        return {text(contact) for contact in held}

    async def release(self, owner: str, contact_ids: Sequence[str]) -> None:
        """Give up the leases ``owner`` holds of those chats."""
        if contact_ids:
            await self._call(self._release, owner, *contact_ids)

    async def relayed(self, contact_id: str, item_id: str, connection_token: str) -> None:
        """The item ``item_id`` of the chat has reached the customer; the connection in use."""
        args = ("last_item_id", item_id, "connection_token", connection_token)
        await self._call(self._set, contact_id, *args)

    async def agent_joined(self, contact_id: str) -> None:
        """An agent has joined the chat: it no longer waits for one."""
        await self._call(self._set, contact_id, "agent_joined", "1")

    async def erase(self, person: Person) -> int:
        """Forget the live chats of the person's conversations, and their transcripts not yet
        filed; how many went."""
        gone = 0
        for chat in await self.all():
            if person.names(chat.conversation_id) or person.names(chat.sender):
                args = (chat.conversation_id, chat.contact_id)
                gone += int(await self._call(self._forget_chat, *args))
        for due in await self._call(self._dues, "-inf", "+inf", -1):
            found = _pairs(due)
            if person.names(found.get("conversation_id", "")) or person.names(
                found.get("sender", "")
            ):
                gone += int(await self._call(self._done, found.get("contact_id", "")))
        return gone

    async def end(self, contact_id: str, *, file_transcript: bool = False) -> bool:
        """The chat is over: forget it; whether it was still kept (one ending wins)."""
        flag = "1" if file_transcript else "0"
        return bool(await self._call(self._end, contact_id, flag, repr(self._clock())))

    async def due_transcripts(self, limit: int = 20) -> list[DueTranscript]:
        """Transcripts whose time to be filed has come, the longest waiting first."""
        rows = await self._call(self._dues, "-inf", repr(self._clock()), limit)
        return [_due(_pairs(fields)) for fields in rows]

    async def claim_transcript(self, contact_id: str, hold_seconds: float) -> bool:
        """Take a due transcript to file it: not due again for ``hold_seconds``."""
        now = self._clock()
        return bool(await self._call(self._claim, contact_id, repr(now), repr(now + hold_seconds)))

    async def next_transcript_due(self) -> float | None:
        """When the next transcript is due to be filed; ``None`` when none waits."""
        first = await self._redis.zrange(self._key("dues"), 0, 0, withscores=True)
        return float(first[0][1]) if first else None

    async def transcript_read(self, contact_id: str, transcript: str) -> None:
        """The transcript's text, read from the chat."""
        # an empty transcript is filed as none at all, so '' need not be told from unread
        await self._call(self._due_change, contact_id, transcript, "")

    async def transcript_later(self, contact_id: str, delay_seconds: float) -> None:
        """Filing failed: one more failure, and the next try ``delay_seconds`` from now."""
        due = repr(self._clock() + delay_seconds)
        await self._call(self._due_change, contact_id, "", due)

    async def transcript_done(self, contact_id: str) -> None:
        """The case has the transcript (or it can never be filed): forget it."""
        await self._call(self._done, contact_id)


def _fields(chat: LiveChat) -> dict[str, str]:
    found = {
        "conversation_id": chat.conversation_id,
        "channel": chat.channel,
        "sender": chat.sender,
        "contact_id": chat.contact_id,
        "participant_id": chat.participant_id,
        "participant_token": chat.participant_token,
        "connection_token": chat.connection_token,
        "started_at": repr(chat.started_at),
        "agent_joined": "1" if chat.agent_joined else "0",
    }
    # a field left out reads back as None
    if chat.case_ref is not None:
        found["case_ref"] = chat.case_ref
    if chat.last_item_id is not None:
        found["last_item_id"] = chat.last_item_id
    return found


def _pairs(flat: Sequence[Any]) -> dict[str, str]:
    """A hash as HGETALL answers it inside a script: name, value, name, value..."""
    values = [text(value) for value in flat]
    return dict(zip(values[::2], values[1::2], strict=True))


def _chat(found: dict[str, str]) -> LiveChat:
    return LiveChat(
        conversation_id=found["conversation_id"],
        channel=found["channel"],
        sender=found["sender"],
        contact_id=found["contact_id"],
        participant_id=found["participant_id"],
        participant_token=found["participant_token"],
        connection_token=found["connection_token"],
        case_ref=found.get("case_ref"),
        last_item_id=found.get("last_item_id"),
        started_at=float(found["started_at"]),
        agent_joined=found.get("agent_joined") == "1",
    )


def _due(found: dict[str, str]) -> DueTranscript:
    return DueTranscript(
        contact_id=found["contact_id"],
        case_ref=found["case_ref"],
        connection_token=found["connection_token"],
        transcript=found.get("transcript"),
        attempts=int(found.get("attempts", "0")),
    )
