"""What every Redis store shares: purging and erasing in batches, on a real redis-server.

A store of the shape the gateway's stores have (hashes ``r:<entry>`` indexed by time in ``at``,
with the outreach records' scripts) counts the round trips each helper makes, so a purge or an
erase that stops after one batch, reads a record twice or reads the index again for each batch
is caught.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from api.jobs.redis_store import PURGE_BATCH, RedisStore
from api.outreach.redis_records import _PURGE, _REMOVE
from tests.support.services import RedisServer


class CountingRedis(Redis):
    """A client that counts the pipelines it opens and the index reads it makes."""

    pipelines = 0
    index_reads = 0

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Pipeline:
        self.pipelines += 1
        return super().pipeline(transaction, shard_hint)

    async def zrange(self, *args: Any, **kwargs: Any) -> Any:
        self.index_reads += 1
        return await super().zrange(*args, **kwargs)


class Entries(RedisStore):
    """Entries ``r:<name>`` (hash: owner, note) by when they were written; counts script runs."""

    def __init__(self, client: CountingRedis, prefix: str) -> None:
        super().__init__(client, prefix, keep_seconds=3600)
        self.client = client
        self.purge_script = self._script(_PURGE)
        self.remove_script = self._script(_REMOVE)
        self.runs = 0

    async def _call(self, script: Any, *args: str | int | float) -> Any:
        self.runs += 1
        return await super()._call(script, *args)

    async def write(self, names: range, at: float, owner: str = "bob") -> None:
        async with self.client.pipeline(transaction=False) as writing:
            for name in names:
                writing.hset(self._key(f"r:{name}"), mapping={"owner": owner, "note": f"n{name}"})
                writing.zadd(self._key("at"), {str(name): at})
            await writing.execute()
        self.client.pipelines = 0

    async def left(self) -> int:
        return int(await self.client.zcard(self._key("at")))


@pytest.fixture
async def entries(shared_redis: RedisServer) -> AsyncIterator[Entries]:
    client = CountingRedis.from_url(shared_redis.url(), decode_responses=True)
    store = Entries(client, f"test:{{{uuid.uuid4().hex}}}:")
    yield store
    await store.close()


@pytest.mark.parametrize("old", [0, 1, PURGE_BATCH, 2 * PURGE_BATCH + 1])
async def test_purge_runs_batch_after_batch_until_one_is_short_and_keeps_what_is_recent(
    entries: Entries, old: int
) -> None:
    await entries.write(range(old), at=100.0)
    await entries.write(range(old, old + 3), at=300.0)

    assert await entries._purge_in_batches(entries.purge_script, repr(200.0)) == old

    # one run per full batch and one that comes up short: linear in the entries purged
    assert entries.runs == old // PURGE_BATCH + 1
    assert await entries.left() == 3
    assert await entries.client.exists(entries._key(f"r:{old}")) == 1


async def test_erase_reads_each_record_once_a_batch_at_a_time_and_removes_those_named(
    entries: Entries,
) -> None:
    count = 2 * PURGE_BATCH + 1
    await entries.write(range(count), at=100.0)
    await entries.write(range(count, count + 4), at=100.0, owner="ada")
    seen: list[str] = []

    def names(entry: str, found: list[str | None]) -> bool:
        seen.append(entry)
        owner, note = found
        assert note == f"n{entry}"
        return owner == "ada"

    erased = await entries._erase_where("r:", ("owner", "note"), names, entries.remove_script)

    assert erased == 4
    assert sorted(seen, key=int) == [str(name) for name in range(count + 4)]
    assert entries.client.index_reads == 1
    assert entries.client.pipelines == (count + 4 + PURGE_BATCH - 1) // PURGE_BATCH
    assert entries.runs == 4
    assert await entries.left() == count
    assert await entries.client.exists(entries._key(f"r:{count}")) == 0


async def test_erase_gives_none_for_fields_absent_and_counts_only_records_still_there(
    entries: Entries,
) -> None:
    await entries.write(range(2), at=100.0)
    await entries.client.hdel(entries._key("r:0"), "note")
    # a record Redis expired while its index entry stays
    await entries.client.delete(entries._key("r:1"))
    found: dict[str, list[str | None]] = {}

    def names(entry: str, fields: list[str | None]) -> bool:
        found[entry] = fields
        return True

    erased = await entries._erase_where("r:", ("owner", "note"), names, entries.remove_script)

    assert found == {"0": ["bob", None], "1": [None, None]}
    assert erased == 1
    assert await entries.left() == 0
