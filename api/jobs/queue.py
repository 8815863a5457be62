"""A durable work queue with deduplication and per-group order, behind one small interface.

Producers ``enqueue`` a job under a dedup key (a provider's message id) and a group (the
sender); a key seen before is refused atomically, so a provider's redelivery is queued once.
Consumers ``claim`` the next job: only the oldest unfinished job of a group can be claimed, and
only while no one holds it, so one group's jobs run one at a time and in order while different
groups run side by side. A claim is a lease: a consumer that dies without ``ack`` or ``retry``
loses it when the lease runs out, and the job is claimed again. ``api.jobs.sqlite`` holds the
SQLite implementation; another store (Redis) implements the same ``JobQueue`` protocol.
A payload ``traced`` by its producer carries the correlation id of the request that queued it,
which the worker restores while it handles the job (see ``api.observability``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pydantic import JsonValue

from api.observability import correlation_id
from common.erasure import Person

#: the payload key of the correlation id of the request that queued the job
CORRELATION_KEY = "correlation_id"


def traced(payload: dict[str, JsonValue]) -> dict[str, JsonValue]:
    """``payload`` with the current request's correlation id (when there is one) added."""
    correlation = correlation_id.get()
    return payload if correlation is None else {**payload, CORRELATION_KEY: correlation}


@dataclass(frozen=True)
class Job:
    """One claimed unit of work."""

    id: int
    key: str
    group: str
    payload: dict[str, JsonValue]
    #: how many times the job has been claimed, this claim included
    attempts: int
    #: proves the claim is still this consumer's when it acks, retries or extends
    lease: str
    #: how far earlier claims got (``JobQueue.advance``), e.g. how many replies went out
    progress: int = 0


def correlation_of(job: Job) -> str | None:
    """The correlation id of the request that queued ``job``; ``None`` when it was not traced."""
    value = job.payload.get(CORRELATION_KEY)
    return value if isinstance(value, str) else None


class JobQueue(Protocol):
    """What the gateway needs of a durable queue."""

    async def enqueue(self, key: str, group: str, payload: dict[str, JsonValue]) -> bool:
        """Queue a job unless ``key`` was ever queued before; return whether it was queued."""
        ...

    async def claim(self, lease_seconds: float) -> Job | None:
        """Lease the oldest claimable job for ``lease_seconds``; ``None`` when there is none."""
        ...

    async def extend(self, job: Job, lease_seconds: float) -> bool:
        """Push the lease's end ``lease_seconds`` from now; ``False`` if the lease was lost."""
        ...

    async def ack(self, job: Job) -> None:
        """Finish the job: it is never claimed again and its group moves on."""
        ...

    async def retry(self, job: Job, delay_seconds: float) -> None:
        """Give the job back, claimable again (ahead of its group) after ``delay_seconds``."""
        ...

    async def advance(self, job: Job, progress: int) -> None:
        """Record that the job got as far as ``progress`` (it never goes back), so whoever
        claims it again after this consumer dies does not redo that part."""
        ...

    async def bury(self, job: Job, reason: str) -> None:
        """Give up on the job: it is kept for inspection and its group moves on."""
        ...

    async def prune_keys(self, older_than_seconds: float) -> int:
        """Forget dedup keys older than that, once the provider stops redelivering them."""
        ...

    async def purge_buried(self, older_than_seconds: float) -> int:
        """Remove the jobs buried longer ago than that; returns how many went."""
        ...

    async def erase(self, person: Person) -> int:
        """Remove every job of the person's (by group or payload); returns how many went."""
        ...

    async def pending(self) -> int:
        """How many jobs are waiting or in flight (buried ones not counted)."""
        ...

    async def close(self) -> None:
        """Release the queue's resources."""
        ...
