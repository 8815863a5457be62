"""Which gateway relays each live chat: the one holding its lease in the relay's store.

Every gateway runs ``Ownership``: every ``lease_seconds / 3`` it lists the kept chats and takes
or renews (``RelayRecords.hold``) the lease of each that no other gateway holds; it starts
relaying the chats it now holds and stops those it does not. A gateway that dies stops renewing,
so its chats' leases run out within ``lease_seconds`` and another gateway takes them at its next
look: within ``lease_seconds * 4 / 3`` of the last renewal. A lease counts here until
``lease_seconds`` after the renewal was *asked*, which is before Redis set it, so this gateway
stops relaying a chat (``holds``) before another can take it, even when Redis is out of reach.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Collection

from api.handoff.store import LiveChat, RelayRecords
from api.handoff.tasks import cancelling, stop_tasks

logger = logging.getLogger(__name__)

#: how long a gateway's hold on a chat lasts unless renewed
LEASE_SECONDS = 15.0


class Ownership:
    """The leases of the chats this gateway relays, renewed while it runs."""

    def __init__(
        self,
        store: RelayRecords,
        *,
        start: Callable[[LiveChat], None],
        stop: Callable[[str], None],
        running: Callable[[], Collection[str]],
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.owner = uuid.uuid4().hex
        self._store = store
        self._start = start
        self._stop = stop
        self._running = running
        self._lease_seconds = lease_seconds
        self._until: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None

    def holds(self, contact_id: str) -> bool:
        """Whether this gateway's lease of the chat is still running."""
        return time.monotonic() < self._until.get(contact_id, 0.0)

    async def take(self, contact_id: str) -> bool:
        """Hold a chat just opened here; whether no other gateway holds it."""
        asked = time.monotonic()
        held = contact_id in await self._store.hold(self.owner, [contact_id], self._lease_seconds)
        if held:
            self._until[contact_id] = asked + self._lease_seconds
        return held

    async def look(self) -> int:
        """Take and renew what this gateway may hold, start and stop relaying to match; how
        many chats it holds."""
        asked = time.monotonic()
        chats = await self._store.all()
        held = await self._store.hold(
            self.owner, [chat.contact_id for chat in chats], self._lease_seconds
        )
        looked = {chat.contact_id for chat in chats}
        # a chat taken here since the list was read keeps its lease until the next look
        self._until = {
            contact: until
            for contact, until in self._until.items()
            if contact not in looked and until > asked
        } | dict.fromkeys(held, asked + self._lease_seconds)
        running = set(self._running())
        for chat in chats:
            if chat.contact_id in held and chat.contact_id not in running:
                self._start(chat)
        return len(held)

    def run(self) -> None:
        """Look every third of a lease from now on (a second call changes nothing)."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="live chat leases")

    async def stop(self) -> None:
        """Stop looking: no chat is started or stopped here any more."""
        if self._task is not None:
            await stop_tasks([self._task])
            self._task = None

    async def close(self) -> None:
        """Stop looking, and give the leases up for another gateway to take at once."""
        await self.stop()
        held, self._until = list(self._until), {}
        if held:
            try:
                await self._store.release(self.owner, held)
            except Exception:
                # they run out on their own within a lease
                logger.warning("live chat leases not given up", exc_info=True)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._lease_seconds / 3)
            try:
                await self.look()
            except Exception:
                if cancelling():
                    raise
                logger.exception("live chat leases not renewed")
            for contact in list(self._running()):
                if not self.holds(contact):
                    self._stop(contact)
