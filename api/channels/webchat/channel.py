"""Starting and stopping the webchat inbox with the app, when anything writes first on webchat.

Notices about queued cases (``INTERNAL_API_TOKEN``) and the live relay of chats with a person
(``HANDOFF_MODE=connect_chat``) both speak in webchat conversations without being asked; with
``GATEWAY_QUEUE_URL`` set, another gateway may do so for a page this one serves. For them
``webchat_inbox`` opens the inbox (in that shared Redis, else in ``NOTICE_QUEUE_DB``) with its
live notices (see ``api.channels.webchat.live``), keeps it in ``app.state.webchat_inbox``
where the webchat routes take what waits, and has the app's housekeeper purge it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from api.channels.webchat.inbox import INBOX_STATE, Inbox, LiveSockets, WebchatInbox
from api.channels.webchat.live import LiveNotices, LocalBus, NoticeBus, RedisBus
from api.channels.webchat.redis_inbox import RedisInbox
from api.jobs.pipeline import open_store
from api.jobs.redis_store import redis_client
from api.jobs.retention import housekeeper_of
from api.settings import GatewaySettings
from common.retention import DAY_SECONDS

#: the housekeeper's name of the inbox's purge
PURGE_NAME = "webchat inbox"


def writes_first(settings: GatewaySettings) -> bool:
    """Whether anything may speak unasked in the webchat conversations this gateway serves:
    itself (notices, the live relay), or any gateway sharing its Redis."""
    return (
        settings.internal_api_token is not None
        or settings.handoff_mode == "connect_chat"
        or settings.gateway_queue_url is not None
    )


@asynccontextmanager
async def webchat_inbox(
    app: FastAPI, settings: GatewaySettings, sockets: LiveSockets
) -> AsyncIterator[Inbox | None]:
    """The inbox, with live notices to ``sockets``, for the app's lifetime; ``None`` when
    nothing writes first on webchat."""
    if not writes_first(settings):
        yield None
        return
    kept = settings.webchat_inbox_retention_days * DAY_SECONDS

    def shared(url: str) -> Inbox:
        return RedisInbox.from_url(url, keep_seconds=kept)

    async with AsyncExitStack() as stack:
        inbox = await open_store(settings, WebchatInbox.open, settings.notice_queue_db, shared)
        url = settings.gateway_queue_url
        bus: NoticeBus = (
            LocalBus() if url is None else RedisBus(redis_client(url.get_secret_value()))
        )
        notices = LiveNotices(inbox, sockets, bus)
        stack.push_async_callback(notices.close)
        await notices.start()
        setattr(app.state, INBOX_STATE, notices)
        stack.callback(delattr, app.state, INBOX_STATE)
        housekeeper = housekeeper_of(app.state)
        if housekeeper is not None:
            housekeeper.add(PURGE_NAME, lambda: notices.purge(kept))
            stack.callback(housekeeper.remove, PURGE_NAME)
        yield notices
