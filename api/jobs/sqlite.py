"""The ``JobQueue`` over one SQLite file, safe for several processes on one machine.

Every operation is one short transaction (``BEGIN IMMEDIATE`` takes the write lock up front, so
two processes never claim the same job) run in a worker thread so the event loop never blocks.
A lease is a time in ``available_at``: a claimed job becomes claimable again when it passes.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable

from pydantic import JsonValue

from api.jobs.queue import Job
from api.jobs.store import SqliteStore
from common.erasure import Person

_SCHEMA = """
CREATE TABLE IF NOT EXISTS queue_keys (
    key TEXT PRIMARY KEY,
    queued_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS queue_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    grp TEXT NOT NULL,
    payload TEXT NOT NULL,
    buried INTEGER NOT NULL DEFAULT 0,
    available_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease TEXT,
    reason TEXT,
    progress INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS queue_jobs_by_group ON queue_jobs (grp, buried, id);
"""

# The head of each group (its oldest unburied job) is the only candidate, so a group's jobs
# run in order; a held head keeps its whole group waiting until it is acked or its lease ends.
_CLAIMABLE = """
SELECT id, key, grp, payload, attempts, progress FROM queue_jobs AS j
WHERE buried = 0 AND available_at <= :now
  AND id = (SELECT MIN(id) FROM queue_jobs WHERE grp = j.grp AND buried = 0)
ORDER BY id LIMIT 1
"""


class SqliteQueue(SqliteStore):
    """A ``JobQueue`` kept in a SQLite file; ``clock`` gives seconds since the epoch."""

    SCHEMA = _SCHEMA

    def __init__(self, db: sqlite3.Connection, clock: Callable[[], float] = time.time) -> None:
        super().__init__(db, clock)
        # a file made before jobs recorded their progress gets the column
        columns = {row[1] for row in db.execute("PRAGMA table_info(queue_jobs)")}
        if "progress" not in columns:
            db.execute("ALTER TABLE queue_jobs ADD COLUMN progress INTEGER NOT NULL DEFAULT 0")

    async def enqueue(self, key: str, group: str, payload: dict[str, JsonValue]) -> bool:
        """Queue a job unless ``key`` was ever queued before; return whether it was queued."""
        now = self._clock()
        body = json.dumps(payload, separators=(",", ":"))

        def work(db: sqlite3.Connection) -> bool:
            seen = db.execute(
                "INSERT OR IGNORE INTO queue_keys (key, queued_at) VALUES (?, ?)", (key, now)
            )
            if seen.rowcount == 0:
                return False
            db.execute(
                "INSERT INTO queue_jobs (key, grp, payload, available_at) VALUES (?, ?, ?, ?)",
                (key, group, body, now),
            )
            return True

        return await self._write(work)

    async def claim(self, lease_seconds: float) -> Job | None:
        """Lease the oldest claimable job for ``lease_seconds``; ``None`` when there is none."""
        now = self._clock()
        lease = uuid.uuid4().hex

        def work(db: sqlite3.Connection) -> Job | None:
            row = db.execute(_CLAIMABLE, {"now": now}).fetchone()
            if row is None:
                return None
            job_id, key, group, payload, attempts, progress = row
            db.execute(
                "UPDATE queue_jobs SET available_at = ?, attempts = attempts + 1, lease = ? "
                "WHERE id = ?",
                (now + lease_seconds, lease, job_id),
            )
            return Job(
                id=job_id,
                key=key,
                group=group,
                payload=json.loads(payload),
                attempts=attempts + 1,
                lease=lease,
                progress=progress,
            )

        return await self._write(work)

    async def extend(self, job: Job, lease_seconds: float) -> bool:
        """Push the lease's end ``lease_seconds`` from now; ``False`` if the lease was lost."""
        until = self._clock() + lease_seconds
        return await self._held(
            job, "UPDATE queue_jobs SET available_at = ? WHERE id = ? AND lease = ?", until
        )

    async def ack(self, job: Job) -> None:
        """Finish the job: it is never claimed again and its group moves on."""
        # by id alone: the work is done even if the lease ran out meanwhile, and deleting
        # the job spares whoever claimed it since from doing it a second time
        await self._write(lambda db: db.execute("DELETE FROM queue_jobs WHERE id = ?", (job.id,)))

    async def advance(self, job: Job, progress: int) -> None:
        """Record that the job got as far as ``progress``, for whoever claims it again."""
        await self._write(
            lambda db: db.execute(
                "UPDATE queue_jobs SET progress = MAX(progress, ?) WHERE id = ?", (progress, job.id)
            )
        )

    async def retry(self, job: Job, delay_seconds: float) -> None:
        """Give the job back, claimable again (ahead of its group) after ``delay_seconds``."""
        until = self._clock() + delay_seconds
        await self._held(
            job,
            "UPDATE queue_jobs SET available_at = ?, lease = NULL WHERE id = ? AND lease = ?",
            until,
        )

    async def bury(self, job: Job, reason: str) -> None:
        """Give up on the job: it is kept for inspection and its group moves on."""
        now = self._clock()

        # a buried job is never claimed, so available_at is free to say when it was buried
        def work(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE queue_jobs SET buried = 1, lease = NULL, reason = ?, available_at = ? "
                "WHERE id = ? AND lease = ?",
                (reason, now, job.id, job.lease),
            )

        await self._write(work)

    async def _held(self, job: Job, sql: str, first: object) -> bool:
        def work(db: sqlite3.Connection) -> bool:
            return db.execute(sql, (first, job.id, job.lease)).rowcount == 1

        return await self._write(work)

    async def prune_keys(self, older_than_seconds: float) -> int:
        """Forget dedup keys older than that, once the provider stops redelivering them."""
        cutoff = self._clock() - older_than_seconds

        def work(db: sqlite3.Connection) -> int:
            # a key whose job still waits stays: forgetting it would let a redelivery in twice
            return db.execute(
                "DELETE FROM queue_keys WHERE queued_at < ? "
                "AND key NOT IN (SELECT key FROM queue_jobs)",
                (cutoff,),
            ).rowcount

        return await self._write(work)

    async def purge_buried(self, older_than_seconds: float) -> int:
        """Remove the jobs buried longer ago than that; returns how many went."""
        cutoff = self._clock() - older_than_seconds
        return await self._write(
            lambda db: (
                db.execute(
                    "DELETE FROM queue_jobs WHERE buried = 1 AND available_at < ?", (cutoff,)
                ).rowcount
            )
        )

    async def erase(self, person: Person) -> int:
        """Remove every job of the person's (by group or payload); returns how many went."""

        def work(db: sqlite3.Connection) -> int:
            doomed = [
                (job_id,)
                for job_id, group, payload in db.execute("SELECT id, grp, payload FROM queue_jobs")
                if person.names(group) or person.found_in(payload)
            ]
            db.executemany("DELETE FROM queue_jobs WHERE id = ?", doomed)
            return len(doomed)

        return await self._write(work)

    async def pending(self) -> int:
        """How many jobs are waiting or in flight (buried ones not counted)."""

        def work(db: sqlite3.Connection) -> int:
            (count,) = db.execute("SELECT COUNT(*) FROM queue_jobs WHERE buried = 0").fetchone()
            return int(count)

        return await self._write(work)
