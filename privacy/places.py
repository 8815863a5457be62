"""Where casebot keeps what it knows of people, read from the same settings the processes read.

The gateway's SQLite files and Redis (``api.settings``), the action server's outbox, media
folder and one-time codes (``actions.kit.settings``; the outbox in PostgreSQL with
``ACTIONS_DATABASE_URL``, ``cases.settings``), AICC's idempotency keys (``cases.aicc.settings``),
and Rasa's tracker store from the endpoints file Rasa is given (``RASA_ENDPOINTS``, its
``${VAR}``s filled from the environment as Rasa fills them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from actions.kit.settings import ActionSettings
from api.settings import GatewaySettings
from cases.aicc.settings import AiccSettings
from cases.settings import CaseSettings
from common.tracker import Location

DEFAULT_ENDPOINTS = Path("bot/endpoints.yml")
RASA_PYTHON = Path(".venv-rasa/bin/python")
_VARIABLE = re.compile(r"\$\{(\w+)\}")


@dataclass(frozen=True)
class Places:
    """Every store the erase command looks in."""

    tracker: Location | None
    media_dirs: tuple[Path, ...]
    whatsapp_db: Path
    twilio_db: Path
    proactive_db: Path
    notice_db: Path
    #: Redis of the shared queues (WhatsApp, notices), when the gateways share one
    redis_url: str | None
    outbox_db: Path
    aicc_idempotency_db: Path
    #: the gateway's live chats with a person (HANDOFF_RELAY_DB)
    relay_db: Path | None = None
    #: the action server's one-time codes (OTP_DB)
    otp_db: Path | None = None
    #: the Python of Rasa's environment, which can reach a PostgreSQL tracker store
    rasa_python: Path = RASA_PYTHON
    #: the action servers' PostgreSQL (ACTIONS_DATABASE_URL), which keeps their outbox; its
    #: password stays out of any printed Places
    actions_database_url: str | None = field(default=None, repr=False)


def tracker_location(endpoints: Path, environ: Mapping[str, str]) -> Location | None:
    """The SQL tracker store the endpoints file names; ``None`` for any other kind."""
    text = _VARIABLE.sub(lambda m: environ.get(m.group(1), ""), endpoints.read_text("utf-8"))
    store = (yaml.safe_load(text) or {}).get("tracker_store") or {}
    if str(store.get("type", "")).lower() != "sql":
        return None
    dialect = str(store.get("dialect") or "sqlite").lower()
    db = str(store.get("db") or "rasa.db")
    if dialect == "sqlite":
        return Location("sqlite", db)
    if dialect not in ("postgresql", "postgres"):
        return None
    port = store.get("port")
    return Location(
        "postgresql",
        db,
        host=str(store.get("url") or "") or None,
        port=int(port) if port not in (None, "") else None,
        user=str(store.get("username") or "") or None,
        password=str(store.get("password") or "") or None,
    )


def places_of(
    gateway: GatewaySettings,
    actions: ActionSettings,
    cases: CaseSettings,
    aicc: AiccSettings,
    environ: Mapping[str, str],
) -> Places:
    """The stores those settings name (and the tracker store ``RASA_ENDPOINTS`` names)."""
    endpoints = Path(environ.get("RASA_ENDPOINTS") or DEFAULT_ENDPOINTS)
    queue_url = gateway.gateway_queue_url
    database = cases.actions_database_url
    return Places(
        tracker=tracker_location(endpoints, environ),
        media_dirs=tuple(dict.fromkeys((gateway.whatsapp_media_dir, actions.actions_media_dir))),
        whatsapp_db=gateway.whatsapp_queue_db,
        twilio_db=gateway.twilio_queue_db,
        proactive_db=gateway.proactive_queue_db,
        notice_db=gateway.notice_queue_db,
        redis_url=None if queue_url is None else queue_url.get_secret_value(),
        outbox_db=actions.outbox_db,
        aicc_idempotency_db=aicc.aicc_idempotency_db,
        relay_db=gateway.handoff_relay_db,
        otp_db=actions.otp_db,
        actions_database_url=None if database is None else database.get_secret_value(),
    )
