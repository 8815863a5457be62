"""Each gateway store opened in SQLite or in a real Redis, for tests run against both.

The ``stores`` fixture (``tests/unit/api/conftest.py``, parametrized ``sqlite`` / ``redis``)
gives a ``Stores``, which opens, on each call, one more connection to
the same store, as separate gateway processes would have: the same SQLite file, or the same
Redis prefix (unique to the test, so tests share one redis-server safely).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.channels.twilio.redis_store import RedisTwilioStore
from api.channels.twilio.store import TwilioRecords, TwilioStore
from api.channels.webchat.inbox import Inbox, WebchatInbox
from api.channels.webchat.redis_inbox import RedisInbox
from api.channels.whatsapp.redis_store import RedisWhatsAppStore
from api.channels.whatsapp.store import WhatsAppRecords, WhatsAppStore
from api.outreach.records import OutreachRecords, Records
from api.outreach.redis_records import RedisOutreachRecords
from tests.support.services import RedisServer
from tests.unit.api.jobs.test_queue_contract import Clock

DAY = 86_400.0
KEEP = 30 * DAY


@dataclass
class Stores:
    """Opens the stores of one test, all in SQLite files or all in Redis."""

    kind: str
    folder: Path
    clock: Clock
    redis: RedisServer | None
    prefix: str = field(default_factory=lambda: f"test:{{{uuid.uuid4().hex}}}:")
    opened: list[Any] = field(default_factory=list)

    def _open(self, sqlite: Any, file: str, redis: Any, **options: Any) -> Any:
        if self.redis is None:
            store = sqlite(self.folder / file, self.clock)
        else:
            store = redis(
                self.redis.url(), prefix=self.prefix, clock=self.clock, keep_seconds=KEEP, **options
            )
        self.opened.append(store)
        return store

    def whatsapp(self) -> WhatsAppRecords:
        store: WhatsAppRecords = self._open(
            WhatsAppStore.open, "w.sqlite3", RedisWhatsAppStore.from_url
        )
        return store

    def twilio(self) -> TwilioRecords:
        store: TwilioRecords = self._open(TwilioStore.open, "t.sqlite3", RedisTwilioStore.from_url)
        return store

    def records(self) -> Records:
        store: Records = self._open(
            OutreachRecords.open, "p.sqlite3", RedisOutreachRecords.from_url
        )
        return store

    def inbox(self) -> Inbox:
        store: Inbox = self._open(WebchatInbox.open, "n.sqlite3", RedisInbox.from_url)
        return store

    def keys(self) -> list[str]:
        """Every Redis key the test's stores hold."""
        assert self.redis is not None
        return self.redis.cli("--scan", "--pattern", f"{self.prefix}*").split()

    def ttl(self, key: str) -> int:
        assert self.redis is not None
        return int(self.redis.cli("TTL", key))
