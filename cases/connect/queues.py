"""Amazon Connect queues by name: a case's ``assigned_queue`` holds a queue *id*, people use names.

Connect Cases takes the id of a queue of the instance the domain is attached to; the assistant
is configured with a name (``HANDOFF_QUEUE``), and agents say names. ``QueueDirectory`` reads the
instance's standard queues with ListQueues and keeps name -> id for ``cache_seconds``, so a
handoff costs no extra call once warm. A name the instance does not have is a set-up fault,
raised as ``BackendNotConfigured`` rather than written: Connect Cases would refuse it, or worse,
keep a value no agent's queue ever shows.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from cases.backend import BackendNotConfigured, CaseEvent
from cases.connect.calls import counted

if TYPE_CHECKING:
    from mypy_boto3_connect.client import ConnectClient
    from mypy_boto3_connect.type_defs import ListQueuesRequestTypeDef

__all__ = ["QueueDirectory", "is_queue_id"]

#: Amazon Connect's queue ids are UUIDs
_QUEUE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
#: the most ListQueues answers per page
_PAGE = 1000
_SERVICE = "Amazon Connect"


def is_queue_id(value: str) -> bool:
    """Whether ``value`` has the shape of an Amazon Connect queue id."""
    return _QUEUE_ID.fullmatch(value) is not None


class QueueDirectory:
    """The standard queues of one Amazon Connect instance, by name and by id."""

    def __init__(
        self,
        client: ConnectClient,
        instance_id: str,
        *,
        cache_seconds: float = 300.0,
        miss_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._instance_id = instance_id
        self._cache_seconds = cache_seconds
        # an unknown name reads the list again, but not more often than this: a wrong
        # HANDOFF_QUEUE must not cost a ListQueues on every handoff
        self._miss_seconds = min(miss_seconds, cache_seconds)
        self._clock = clock
        self._ids: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._loaded_at: float | None = None
        self._lock = asyncio.Lock()

    async def id_of(self, queue: str) -> str:
        """The id of the queue named ``queue`` (an id of the instance is its own answer)."""
        wanted = queue.strip()
        async with self._lock:
            if self._stale(self._cache_seconds):
                await self._load()
            found = self._find(wanted)
            if found is None and self._stale(self._miss_seconds):
                await self._load()
                found = self._find(wanted)
        if found is None:
            raise BackendNotConfigured(
                f"{_SERVICE} instance {self._instance_id} has no queue named {wanted!r}"
            )
        return found

    def name_of(self, queue_id: str) -> str | None:
        """The name of a queue id seen in the last ListQueues, without a call."""
        return self._names.get(queue_id)

    def _find(self, wanted: str) -> str | None:
        if wanted in self._ids:
            return self._ids[wanted]
        return wanted if wanted in self._names else None

    def _stale(self, seconds: float) -> bool:
        return self._loaded_at is None or self._clock() - self._loaded_at >= seconds

    async def _load(self) -> None:
        ids: dict[str, str] = {}
        request: ListQueuesRequestTypeDef = {
            "InstanceId": self._instance_id,
            "QueueTypes": ["STANDARD"],
            "MaxResults": _PAGE,
        }
        while True:
            with counted("ListQueues", BackendNotConfigured, service=_SERVICE):
                page = await asyncio.to_thread(self._client.list_queues, **request)
            for queue in page.get("QueueSummaryList", []):
                if "Name" in queue and "Id" in queue:
                    ids[queue["Name"]] = queue["Id"]
            if not page.get("NextToken"):
                break
            request["NextToken"] = page["NextToken"]
        self._ids = ids
        self._names = {queue_id: name for name, queue_id in ids.items()}
        self._loaded_at = self._clock()


async def queue_id(queues: QueueDirectory | None, queue: str) -> str:
    """The id ``assigned_queue`` takes for ``queue`` (a name, or an id as it is)."""
    if queues is not None:
        return await queues.id_of(queue)
    if is_queue_id(queue.strip()):
        return queue.strip()
    # a name written as it is would put the case on no queue any agent sees
    raise BackendNotConfigured(
        "putting a case on a queue by name needs CONNECT_INSTANCE_ID (the instance whose "
        f"queues are looked up); {queue!r} is not a queue id"
    )


def queue_named(queues: QueueDirectory | None, event: CaseEvent) -> CaseEvent:
    """``event`` with queue ids shown by name, where it moved a case between queues."""
    if event.field != "assigned_queue" or queues is None:
        return event
    return event.model_copy(
        update={
            "old": event.old and (queues.name_of(event.old) or event.old),
            "new": event.new and (queues.name_of(event.new) or event.new),
        }
    )
