"""Case submissions the back end could not take yet, kept until it does: the ``Outbox`` protocol.

When the back end is down, slow or throttling, ``action_create_case`` puts the submission
here with its idempotency key and tells the user the case will be filed; ``OutboxWorker``
sends it again, with the same key, until the back end answers, then has the user told. The
key makes a retry of a create that did go through (its answer lost) return the same case.

Two stores keep it: a SQLite file (``actions.outbox.sqlite``, ``OUTBOX_DB``), safe for several
action-server processes on one machine, and PostgreSQL (``actions.outbox.postgres``,
``ACTIONS_DATABASE_URL``), shared by action servers on any number of machines. In both a
submission is leased to one worker at a time, a lease that runs out (its worker died) is taken
again, and a worker whose lease ran out cannot undo what the next one recorded. A submission
filed or refused is kept ``OUTBOX_RETENTION_DAYS`` (``purge``), and ``erase`` removes one
person's. Every method blocks: the action server calls them in a thread.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import psycopg

from cases.backend import CaseDraft
from common.erasure import Person

State = Literal["pending", "filed", "rejected"]

#: what a store raises when it cannot be read or written (a full disk, a server down)
STORE_ERRORS: tuple[type[Exception], ...] = (OSError, sqlite3.Error, psycopg.Error)
#: the longest error text kept with a submission
ERROR_MAX_CHARS = 500
#: the columns ``submission_of`` reads, in its order
COLUMNS = "key, draft, state, attempts, case_ref, notified"


@dataclass(frozen=True)
class Submission:
    """One case waiting in (or done with) the outbox."""

    key: str
    draft: CaseDraft
    state: State
    attempts: int
    case_ref: str | None = None
    notified: bool = False


def submission_of(row: tuple[Any, ...]) -> Submission:
    """The submission a row of ``COLUMNS`` holds."""
    return Submission(
        key=row[0],
        draft=CaseDraft.model_validate(json.loads(row[1])),
        state=row[2],
        attempts=row[3],
        case_ref=row[4],
        notified=bool(row[5]),
    )


class Outbox(Protocol):
    """The durable store of case submissions."""

    def put(self, draft: CaseDraft, key: str) -> bool:
        """Keep ``draft`` under ``key``, due now; whether it was new (a key is kept once)."""
        ...

    def take_due(self, limit: int, lease_seconds: float) -> list[Submission]:
        """Lease up to ``limit`` pending submissions whose time has come (oldest first).

        No other worker takes them until ``lease_seconds`` have passed or one of the marks
        below ends the lease."""
        ...

    def filed(self, key: str, case_ref: str) -> None:
        """The back end took it: remember the case's reference."""
        ...

    def retry_later(self, key: str, delay: float, error: str) -> None:
        """Try again in ``delay`` seconds (unless it was filed meanwhile)."""
        ...

    def rejected(self, key: str, error: str) -> None:
        """The back end refused it for good: kept for a person to look at, never resent
        (unless it was filed meanwhile, by a worker that took it after this one's lease)."""
        ...

    def notified(self, key: str) -> None:
        """The user was told how it ended."""
        ...

    def unnotified(self, limit: int) -> list[Submission]:
        """Finished submissions whose user has not been told yet."""
        ...

    def get(self, key: str) -> Submission | None:
        """The submission kept under ``key``."""
        ...

    def depth(self) -> int:
        """How many submissions still wait for the back end."""
        ...

    def purge(self, older_than_seconds: float) -> int:
        """Remove submissions filed or refused longer ago than that; how many went."""
        ...

    def erase(self, person: Person) -> int:
        """Remove every submission of the person's conversations or naming them; how many."""
        ...
