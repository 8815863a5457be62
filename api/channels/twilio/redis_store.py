"""The Twilio channel's records in the Redis every gateway shares (``GATEWAY_QUEUE_URL``).

The same records as ``TwilioStore``: the options a user was offered by the gateway that
answered them, read by whichever gateway handles their answer, and every send outcome. Under
``casebot:{twilio-records}:`` (see ``api.jobs.redis_store``): send outcomes in the log
``deliveries`` (by phone), offered options in the table ``choices`` (one value per phone).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

from redis.asyncio import Redis

from api.channels.twilio.store import TwilioDelivery, buttons_json, buttons_of
from api.jobs.redis_store import RedisLog, RedisStore, RedisTable, store_prefix
from api.rasa import Button
from common.erasure import Person

PREFIX = store_prefix("twilio-records")


class RedisTwilioStore(RedisStore):
    """A ``TwilioRecords`` in Redis; ``keep_seconds`` is the retention of its records."""

    def __init__(
        self,
        client: Redis,
        prefix: str = PREFIX,
        keep_seconds: float = 30 * 86_400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(client, prefix, keep_seconds, clock)
        self._deliveries = RedisLog(self, "deliveries")
        self._choices = RedisTable(self, "choices")

    async def remember_choices(self, phone: str, buttons: Sequence[Button]) -> None:
        """The options the user was last offered; none forgets the earlier ones."""
        await self._choices.put(phone, buttons_json(buttons), self._clock())

    async def choices(self, phone: str) -> list[Button]:
        """The options the user was last offered, in order."""
        return buttons_of(await self._choices.get(phone))

    async def record_delivery(self, delivery: TwilioDelivery) -> None:
        """Keep what became of one outgoing message."""
        row = dataclasses.asdict(delivery)
        await self._deliveries.append(row, self._clock(), [f"to:{delivery.phone}"])

    async def deliveries(self, phone: str) -> list[TwilioDelivery]:
        """Every outgoing message to the user, oldest first."""
        return [TwilioDelivery(**row) for row in await self._deliveries.read(f"to:{phone}")]

    async def purge(self, older_than_seconds: float) -> int:
        """Forget send outcomes and offered choices older than that; how many went."""
        cutoff = self._clock() - older_than_seconds
        return await self._deliveries.purge(cutoff) + await self._choices.purge(cutoff)

    async def erase(self, person: Person) -> int:
        """Forget every record of the person's number; how many went."""
        removed = 0
        for address in sorted(person.addresses):
            removed += await self._deliveries.remove(f"to:{address}")
            removed += await self._choices.remove(address)
        return removed
