"""Settled outbox submissions are purged after their retention; one person's are erased."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from pathlib import Path

from actions.kit.server import keep_purging, purge_now
from actions.kit.settings import ActionSettings
from actions.outbox.sqlite import SqliteOutbox
from actions.outbox.store import Outbox
from cases.aicc.idempotency import SqliteIdempotencyStore
from cases.backend import CaseDraft
from common.erasure import Person
from tests.unit.actions.outbox.conftest import Clock

DAY = 86_400.0
ADA = Person(phone="+447700900123", email="ada@example.com")


def draft(contact: str, conversation: str) -> CaseDraft:
    return CaseDraft(
        title="Parcel lost",
        description="Never arrived.",
        contact=contact,
        priority="High",
        origin="webchat",
        conversation_id=conversation,
        channel="webchat",
    )


def test_settled_submissions_past_retention_go_and_pending_ones_never_do(
    outbox: Outbox, clock: Clock
) -> None:
    outbox.put(draft("a@example.com", "webchat:a"), "filed-old")
    outbox.put(draft("b@example.com", "webchat:b"), "rejected-old")
    outbox.put(draft("c@example.com", "webchat:c"), "pending-old")
    outbox.filed("filed-old", "C-1")
    outbox.rejected("rejected-old", "invalid")
    clock.now += 20 * DAY
    outbox.put(draft("d@example.com", "webchat:d"), "filed-recent")
    outbox.filed("filed-recent", "C-2")
    clock.now += 11 * DAY

    assert outbox.purge(30 * DAY) == 2

    assert outbox.get("filed-old") is None
    assert outbox.get("rejected-old") is None
    assert outbox.get("pending-old") is not None, "a case not yet filed is never dropped"
    assert outbox.get("filed-recent") is not None


def test_erase_takes_the_persons_submissions_by_conversation_or_contact(outbox: Outbox) -> None:
    outbox.put(draft("ada@example.com", "webchat:x"), "by-contact")
    outbox.put(draft("+447700900999", "whatsapp:447700900123"), "by-conversation")
    outbox.put(draft("bob@example.com", "webchat:bob"), "someone-else")
    # the same digits inside a longer number are someone else's
    outbox.put(draft("+4477009001234", "webchat:longer"), "longer-number")

    assert outbox.erase(ADA) == 2

    assert outbox.get("by-contact") is None
    assert outbox.get("by-conversation") is None
    assert outbox.get("someone-else") is not None
    assert outbox.get("longer-number") is not None


def test_the_action_servers_purge_takes_old_media_and_settled_cases(
    settings: ActionSettings, tmp_path: Path, clock: Clock
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    (media / "old.pdf").write_bytes(b"%PDF")
    os.utime(media / "old.pdf", (clock.now - 8 * DAY,) * 2)
    (media / "new.pdf").write_bytes(b"%PDF")
    os.utime(media / "new.pdf", (clock.now - 6 * DAY,) * 2)
    outbox = SqliteOutbox(tmp_path / "outbox.sqlite3", clock)
    outbox.put(draft("a@example.com", "webchat:a"), "k")
    outbox.filed("k", "C-1")
    clock.now += 31 * DAY
    ours = settings.model_copy(
        update={"actions_media_dir": media, "media_retention_days": 7, "outbox_retention_days": 30}
    )

    assert purge_now(ours, outbox, clock.now - 31 * DAY) == {"outbox": 1, "media": 1}

    assert sorted(path.name for path in media.iterdir()) == ["new.pdf"]


async def test_the_action_server_keeps_purging_while_it_runs(
    settings: ActionSettings, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    ours = settings.model_copy(
        update={"actions_media_dir": media, "retention_purge_every_seconds": 0.01}
    )
    task = asyncio.create_task(keep_purging(ours, SqliteOutbox(tmp_path / "outbox.sqlite3")))
    await asyncio.sleep(0.05)
    # a file that turns old while the server runs goes at a later purge
    (media / "late.pdf").write_bytes(b"%PDF")
    os.utime(media / "late.pdf", (time.time() - 8 * DAY,) * 2)
    for _ in range(200):
        if not (media / "late.pdf").exists():
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert not (media / "late.pdf").exists()


def test_the_action_servers_purge_takes_aicc_keys_past_their_retention(
    settings: ActionSettings, tmp_path: Path, clock: Clock
) -> None:
    keys = SqliteIdempotencyStore(tmp_path / "keys.sqlite3", clock)
    keys.begin("old", "digest")
    clock.now += 20 * DAY
    keys.begin("recent", "digest")
    clock.now += 11 * DAY
    outbox = SqliteOutbox(tmp_path / "outbox.sqlite3", clock)

    removed = purge_now(settings, outbox, clock.now, (keys, 30))

    assert removed["aicc idempotency keys"] == 1
    assert keys.get("old") is None
    assert keys.get("recent") is not None
