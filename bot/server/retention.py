"""Conversations Rasa keeps, forgotten after ``CONVERSATION_RETENTION_DAYS`` of silence.

Rasa's SQL tracker store keeps every conversation for ever. The Rasa process owns it, so the
Rasa process trims it: ``start`` runs a daemon thread that, a minute after start and every
``RETENTION_PURGE_EVERY_SECONDS`` after, removes each conversation whose latest event is
older than the retention (``common.tracker``), on the store the endpoints file names (SQLite
or PostgreSQL, through Rasa's own driver). Other tracker stores are left alone, with a line
in the log saying so.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from common.retention import older_than
from common.tracker import Location, TrackerStore

logger = logging.getLogger(__name__)

DEFAULT_DAYS = 90.0
DEFAULT_EVERY_SECONDS = 3600.0
FIRST_DELAY_SECONDS = 60.0


def endpoints_path(argv: list[str]) -> str | None:
    """The ``--endpoints`` file ``rasa run`` is given, if any."""
    for index, arg in enumerate(argv):
        if arg.startswith("--endpoints="):
            return arg.split("=", 1)[1]
        if arg == "--endpoints" and index + 1 < len(argv):
            return argv[index + 1]
    return None


def location(store: Any) -> Location | None:
    """Where a ``tracker_store`` endpoint keeps conversations; ``None`` unless SQL."""
    if store is None or str(getattr(store, "type", "")).lower() != "sql":
        return None
    kwargs = dict(store.kwargs)
    dialect = str(kwargs.get("dialect", "sqlite")).lower()
    db = str(kwargs.get("db", "rasa.db"))
    if dialect == "sqlite":
        return Location("sqlite", db)
    if dialect in ("postgresql", "postgres"):
        port = kwargs.get("port")
        return Location(
            "postgresql",
            db,
            host=store.url,
            port=int(port) if port not in (None, "") else None,
            user=kwargs.get("username"),
            password=kwargs.get("password"),
        )
    return None


def positive(environ: Any, name: str, default: float) -> float:
    """The positive number in ``environ[name]``, or ``default`` when unset."""
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    value = float(raw)
    if value <= 0:
        raise SystemExit(f"{name} must be a positive number of days or seconds")
    return value


def purge_once(where: Location, days: float, now: float) -> tuple[int, int]:
    """Remove the conversations silent for ``days``; how many conversations and events went."""
    store = TrackerStore.open(where)
    try:
        return store.purge(older_than(days, now))
    finally:
        store.close()


def start(argv: list[str], environ: Any) -> threading.Thread | None:
    """Start trimming the tracker store ``argv``'s endpoints name, in a daemon thread."""
    days = positive(environ, "CONVERSATION_RETENTION_DAYS", DEFAULT_DAYS)
    every = positive(environ, "RETENTION_PURGE_EVERY_SECONDS", DEFAULT_EVERY_SECONDS)
    path = endpoints_path(argv)
    if path is None:
        return None
    from rasa.core.utils import AvailableEndpoints

    try:
        where = location(AvailableEndpoints.read_endpoints(path).tracker_store)
    except Exception as exc:  # Rasa reads the same file next and says what is wrong with it
        logger.warning("conversation purge not started: %s", exc)
        return None
    if where is None:
        logger.warning("conversations are kept for ever: the tracker store is not SQL")
        return None

    def run() -> None:
        time.sleep(FIRST_DELAY_SECONDS)
        while True:
            try:
                conversations, events = purge_once(where, days, time.time())
                if conversations:
                    logger.info("removed %d silent conversations, %d events", conversations, events)
            except Exception as exc:  # Rasa may not have made its table yet, or the db is down
                logger.warning("conversation purge failed (%s); tried again later", exc)
            time.sleep(every)

    thread = threading.Thread(target=run, name="conversation-retention", daemon=True)
    thread.start()
    return thread
