"""Erasing one person from a tracker store of 100,000 events, and the retention purge over it.

    .venv/bin/python -m bench.erase [--events 100000] [--conversations 5000]

A SQLite tracker store with Rasa 3.6's schema is filled with ``conversations`` webchat and
WhatsApp conversations of about equal length, every one with a ``contact`` slot, a few user
and bot events; one of them is the person's (their number in the slot). Printed: the time to
find and remove the person's conversations (``common.tracker.erase_person``, what
``python -m privacy.erase`` runs), the time of a purge that removes half the conversations,
and both stores' sizes, as the median of ``rounds`` fresh copies.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import emit, table
from common.erasure import Person
from common.tracker import Location, TrackerStore, erase_person
from tests.support import rasa_tracker as rt

NOW = 1_800_000_000.0
DAY = 86_400.0
PERSON = Person(phone="+447700900123", email="ada@example.com")


def fill(path: Path, events: int, conversations: int) -> None:
    db = rt.create(path)
    per = max(1, events // conversations)
    for n in range(conversations):
        sender = "whatsapp:447700900123" if n == conversations // 2 else f"webchat:{n:08d}"
        contact = "+447700900123" if n == conversations // 2 else f"+4477009{n % 100000:05d}9"
        # half the conversations went silent long ago, for the purge
        at = NOW - (100 * DAY if n % 2 else DAY)
        made = [rt.slot("contact", contact, at)]
        while len(made) < per:
            made.append(rt.user(f"message {len(made)} about my parcel", at + len(made)))
            made.append(rt.bot("Thanks, noted.", at + len(made)))
        rt.add(db, sender, made[:per])
    db.close()


def timed(template: Path, work: str) -> float:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "copy.db"
        shutil.copy(template, copy)
        store = TrackerStore.open(Location("sqlite", str(copy)))
        started = time.perf_counter()
        if work == "erase":
            erased = erase_person(store, PERSON)
            assert len(erased.conversations) == 1, erased
        else:
            conversations, _ = store.purge(NOW - 90 * DAY)
            assert conversations > 0
        took = time.perf_counter() - started
        store.close()
        return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--conversations", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "tracker.db"
        fill(template, args.events, args.conversations)
        size = template.stat().st_size / 1e6
        rows = []
        for work in ("erase", "purge"):
            took = statistics.median(timed(template, work) for _ in range(args.rounds))
            rows.append([work, f"{args.events:,}", f"{size:.1f}", f"{took * 1000:.0f}"])
    emit(
        table(
            "Erasing one person, and the retention purge, on a SQLite tracker store",
            ["operation", "events", "store (MB)", "ms (median)"],
            rows,
        )
    )


if __name__ == "__main__":
    main()
