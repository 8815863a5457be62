"""The WhatsApp channel's records in the Redis every gateway shares (``GATEWAY_QUEUE_URL``).

The same records as ``WhatsAppStore``: a receipt Meta posts to one gateway, a service window a
message through another opened, and the send outcomes of all, read by whichever gateway sends
next. Under ``casebot:{whatsapp-records}:`` (see ``api.jobs.redis_store``): receipts in the log
``statuses`` (found by message id and by recipient), send outcomes in the log ``deliveries``
(by recipient), windows in the table ``windows`` (each user's last message time, kept at least
as long as the window is open).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from redis.asyncio import Redis

from api.channels.whatsapp.store import SERVICE_WINDOW_SECONDS, Delivery, StatusRecord
from api.jobs.redis_store import RedisLog, RedisStore, RedisTable, store_prefix
from common.erasure import Person

PREFIX = store_prefix("whatsapp-records")


class RedisWhatsAppStore(RedisStore):
    """A ``WhatsAppRecords`` in Redis; ``keep_seconds`` is the retention of its records."""

    def __init__(
        self,
        client: Redis,
        prefix: str = PREFIX,
        keep_seconds: float = 30 * 86_400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(client, prefix, keep_seconds, clock)
        self._statuses = RedisLog(self, "statuses")
        self._deliveries = RedisLog(self, "deliveries")
        # an open window is needed whatever the retention says
        self._windows = RedisTable(self, "windows", max(keep_seconds, SERVICE_WINDOW_SECONDS))

    async def record_status(self, status: StatusRecord) -> None:
        """Keep one delivery receipt; receipts may come late and out of order."""
        indexes = [f"wamid:{status.wamid}"]
        if status.recipient is not None:
            indexes.append(f"to:{status.recipient}")
        await self._statuses.append(dataclasses.asdict(status), self._clock(), indexes)

    async def statuses(self, wamid: str) -> list[StatusRecord]:
        """The receipts of one message, in the order they came."""
        return [StatusRecord(**row) for row in await self._statuses.read(f"wamid:{wamid}")]

    async def saw_user(self, wa_id: str, at: float) -> None:
        """Note that the user wrote at ``at``; an older time never moves the window back."""
        await self._windows.put(wa_id, repr(at), at, newer_only=True)

    async def window_open(self, wa_id: str) -> bool:
        """Whether free-form messages may be sent to the user now."""
        last = await self._windows.get(wa_id)
        return last is not None and self._clock() - float(last) < SERVICE_WINDOW_SECONDS

    async def record_delivery(self, delivery: Delivery) -> None:
        """Keep what became of one outgoing message."""
        row = dataclasses.asdict(delivery)
        await self._deliveries.append(row, self._clock(), [f"to:{delivery.wa_id}"])

    async def deliveries(self, wa_id: str) -> list[Delivery]:
        """Every outgoing message to the user, oldest first."""
        return [Delivery(**row) for row in await self._deliveries.read(f"to:{wa_id}")]

    async def purge(self, older_than_seconds: float) -> int:
        """Forget receipts, send outcomes and windows older than that; how many went."""
        now = self._clock()
        cutoff = now - older_than_seconds
        return (
            await self._statuses.purge(cutoff)
            + await self._deliveries.purge(cutoff)
            + await self._windows.purge(min(cutoff, now - SERVICE_WINDOW_SECONDS))
        )

    async def erase(self, person: Person) -> int:
        """Forget every record of the person's number; how many went."""
        removed = 0
        for address in sorted(person.addresses):
            removed += await self._statuses.remove(f"to:{address}")
            removed += await self._deliveries.remove(f"to:{address}")
            removed += await self._windows.remove(address)
        return removed
