"""Each store's part of an erasure: Rasa's conversations, the gateway's, the action server's.

Every store is changed in short transactions while the processes that own it keep running
(SQLite in WAL mode with a busy timeout, Redis one script a job, PostgreSQL one transaction).
A SQLite file that does not exist is not created: there is nothing in it to erase.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Protocol

import psycopg

from actions.otp.postgres import PostgresCodeStore
from actions.otp.store import SqliteCodeStore
from actions.outbox.postgres import PostgresOutbox
from actions.outbox.sqlite import SqliteOutbox
from api.channels.twilio.redis_store import RedisTwilioStore
from api.channels.twilio.store import TwilioStore
from api.channels.webchat.inbox import WebchatInbox
from api.channels.webchat.redis_inbox import RedisInbox
from api.channels.whatsapp.redis_store import RedisWhatsAppStore
from api.channels.whatsapp.store import WhatsAppStore
from api.handoff.redis_store import RedisRelayStore
from api.handoff.store import RelayStore
from api.jobs.redis import RedisQueue, queue_prefix
from api.jobs.sqlite import SqliteQueue
from api.outreach.records import OutreachRecords
from api.outreach.redis_records import RedisOutreachRecords, records_prefix
from common.erasure import Person
from common.postgres import Pool, open_pool
from common.retention import remove_inside
from common.tracker import Erased, Location, TrackerStore, erase_person
from privacy.places import Places

#: the queues every gateway shares in Redis when GATEWAY_QUEUE_URL is set
SHARED_QUEUES = ("whatsapp", "twilio", "outreach", "notices")
RASA_ENV_TIMEOUT_SECONDS = 600
#: the report's names of the outbox in its SQLite file and in PostgreSQL
OUTBOX_FILE = "outbox submissions"
OUTBOX_POSTGRES = "outbox submissions (PostgreSQL)"
#: the report's names of the one-time codes in their SQLite file and in PostgreSQL
CODES_FILE = "one-time codes"
CODES_POSTGRES = "one-time codes (PostgreSQL)"


class TrackerUnreachable(Exception):
    """The tracker store could not be opened from here (nor from Rasa's environment)."""


def erase_conversations(person: Person, where: Location, rasa_python: Path) -> Erased:
    """Remove the person's conversations from Rasa's tracker store."""
    if where.dialect == "sqlite" and not Path(where.db).is_file():
        # sqlite3 would make an empty file (or a throwaway one for "") and find nobody there
        raise TrackerUnreachable(f"no tracker store at {where.db!r} (RASA_TRACKER_DB)")
    try:
        store = TrackerStore.open(where)
    except ModuleNotFoundError:
        # PostgreSQL: only Rasa's environment has a driver for it
        return _in_rasa_environment(person, where, rasa_python)
    try:
        return erase_person(store, person)
    finally:
        store.close()


def _in_rasa_environment(person: Person, where: Location, python: Path) -> Erased:
    if not python.exists():
        raise TrackerUnreachable(f"no PostgreSQL driver here and no {python}")
    asked = {"phone": person.phone, "email": person.email, "location": dataclasses.asdict(where)}
    try:
        done = subprocess.run(
            [str(python), "-m", "bot.server.erase"],
            input=json.dumps(asked),
            capture_output=True,
            text=True,
            check=True,
            timeout=RASA_ENV_TIMEOUT_SECONDS,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        raise TrackerUnreachable(f"Rasa's environment could not erase: {exc}") from exc
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return Erased(
        frozenset(answer["conversations"]), int(answer["events"]), frozenset(answer["media_paths"])
    )


def remove_media(paths: frozenset[str], folders: tuple[Path, ...]) -> int:
    """Remove the files among ``paths`` that lie inside the media ``folders``."""
    return sum(1 for path in sorted(paths) if remove_inside(path, list(folders)))


async def erase_gateway(person: Person, places: Places) -> dict[str, int]:
    """Remove the person from the gateway's queues, records and webchat inbox."""
    removed = {
        "queued jobs": 0,
        "delivery records": 0,
        "outreach records": 0,
        "webchat inbox": 0,
        "live chats": 0,
    }
    for path in dict.fromkeys(
        (places.whatsapp_db, places.twilio_db, places.proactive_db, places.notice_db)
    ):
        if not path.exists():
            continue
        removed["queued jobs"] += await _erase_in(SqliteQueue.open, path, person)
        removed["delivery records"] += await _erase_in(WhatsAppStore.open, path, person)
        removed["delivery records"] += await _erase_in(TwilioStore.open, path, person)
        removed["outreach records"] += await _erase_in(OutreachRecords.open, path, person)
        removed["webchat inbox"] += await _erase_in(WebchatInbox.open, path, person)
    if places.relay_db is not None and places.relay_db.exists():
        removed["live chats"] += await _erase_in(RelayStore.open, places.relay_db, person)
    if places.redis_url is not None:
        for name in SHARED_QUEUES:
            queue = RedisQueue.from_url(places.redis_url, prefix=queue_prefix(name))
            try:
                removed["queued jobs"] += await queue.erase(person)
            finally:
                await queue.close()
        for kind, count in await _erase_shared(places.redis_url, person):
            removed[kind] += count
    return removed


async def _erase_shared(url: str, person: Person) -> list[tuple[str, int]]:
    """The person's records in the gateways' shared Redis, store by store."""
    # the retention a store is opened with only sets the TTL of what it writes: nothing here
    stores: list[tuple[str, _Erasable]] = [
        ("delivery records", RedisWhatsAppStore.from_url(url)),
        ("delivery records", RedisTwilioStore.from_url(url)),
        (
            "outreach records",
            RedisOutreachRecords.from_url(url, prefix=records_prefix("outreach"), keep_seconds=1),
        ),
        (
            "outreach records",
            RedisOutreachRecords.from_url(url, prefix=records_prefix("notices"), keep_seconds=1),
        ),
        ("webchat inbox", RedisInbox.from_url(url)),
        ("live chats", RedisRelayStore.from_url(url)),
    ]
    counts: list[tuple[str, int]] = []
    for kind, store in stores:
        try:
            counts.append((kind, await store.erase(person)))
        finally:
            await store.close()
    return counts


class _Erasable(Protocol):
    async def erase(self, person: Person) -> int: ...

    async def close(self) -> None: ...


async def _erase_in(opener: Callable[[Path], _Erasable], path: Path, person: Person) -> int:
    store = await asyncio.to_thread(opener, path)
    try:
        return await store.erase(person)
    finally:
        await store.close()


def erase_actions(person: Person, places: Places) -> tuple[dict[str, int], list[str]]:
    """Remove the person's case submissions and one-time codes from the action server's stores:
    the outbox's SQLite file, and the PostgreSQL every action server shares when one is
    configured (a file left from before it was is still read). How many went from each, and what
    could not be reached."""
    removed = {OUTBOX_FILE: 0, CODES_FILE: 0}
    failed: list[str] = []
    if places.outbox_db.exists():
        removed[OUTBOX_FILE] = SqliteOutbox(places.outbox_db).erase(person)
    if places.actions_database_url is not None:
        failed += _erase_shared_actions(person, places.actions_database_url, removed)
    if places.otp_db is not None and places.otp_db.exists():
        removed[CODES_FILE] = SqliteCodeStore(places.otp_db).erase(person)
    return removed, failed


def _erase_shared_actions(person: Person, url: str, removed: dict[str, int]) -> list[str]:
    """Erase from the outbox and the codes in the action servers' PostgreSQL, into ``removed``;
    the stores not reached."""
    stores: list[tuple[str, Callable[[Pool], _ErasableNow]]] = [
        (OUTBOX_POSTGRES, PostgresOutbox),
        (CODES_POSTGRES, PostgresCodeStore),
    ]
    with closing(open_pool(url)) as pool:
        for done, (name, opener) in enumerate(stores):
            try:
                removed[name] = opener(pool).erase(person)
            except psycopg.Error as exc:
                # the error's text may name the server; its type says enough to act on; the
                # stores after it are on the same server, so not waited for again
                why = f"PostgreSQL not reached ({type(exc).__name__})"
                return [f"{left}: {why}" for left, _ in stores[done:]]
    return []


class _ErasableNow(Protocol):
    def erase(self, person: Person) -> int: ...
