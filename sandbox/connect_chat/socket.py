"""The participant websocket, as CreateParticipantConnection hands it out: the chat, live.

The URL's key must be opened within its 100 seconds; an unknown or stale key, or a participant
who has left, is refused at the handshake (HTTP 403). After ``aws/subscribe`` the socket gets
every item written since its URL was handed out, in the chat's order, and is closed once
``chat.ended`` is sent. The frames are described in ``protocol``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect

from sandbox.connect_chat import protocol
from sandbox.connect_chat.records import Item
from sandbox.connect_chat.store import ChatStore

#: how often a subscribed socket looks for new items when no write of this process wakes it;
#: the database is the one source, so a sandbox restart or another writer loses nothing
POLL_SECONDS = 0.5
#: a client frame longer than this is not read: the real ones are a few dozen characters
MAX_CLIENT_FRAME = 4096


class ParticipantSocket:
    """Serves the websocket of the participant a socket key was handed to."""

    def __init__(self, store: ChatStore) -> None:
        self._store = store

    async def serve(self, websocket: WebSocket) -> None:
        """Check the key, then relay the chat until it ends or the client goes."""
        found = await run_in_threadpool(
            self._store.by_socket_key, str(websocket.path_params["key"])
        )
        if found is None or found[0].has_left:
            await websocket.close(code=1008)
            return
        participant, after = found
        await websocket.accept()
        relay = _Relay(websocket, self._store, participant.contact_id, after)
        reader = asyncio.create_task(relay.read())
        pusher = asyncio.create_task(relay.push())
        done, pending = await asyncio.wait({reader, pusher}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            task.result()


class _Relay:
    def __init__(self, websocket: WebSocket, store: ChatStore, contact_id: str, after: int) -> None:
        self._ws = websocket
        self._store = store
        self._contact_id = contact_id
        self._send_lock = asyncio.Lock()
        self._subscribed = asyncio.Event()
        self._after = after

    async def read(self) -> None:
        try:
            await self._read()
        except WebSocketDisconnect:
            return

    async def push(self) -> None:
        try:
            await self._push()
        except (WebSocketDisconnect, RuntimeError):
            # the client went while a frame was on its way: nobody is left to tell
            return

    async def _read(self) -> None:
        while True:
            message = await self._ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            # a binary frame is nothing the protocol sends: ignored, like any unknown frame
            frame = _frame(text) if isinstance(text, str) else {}
            topic = frame.get("topic")
            if topic == protocol.SUBSCRIBE_TOPIC and not self._subscribed.is_set():
                content = frame.get("content")
                topics = content.get("topics") if isinstance(content, dict) else None
                if isinstance(topics, list) and protocol.CHAT_TOPIC in topics:
                    await self._send(
                        {
                            "topic": protocol.SUBSCRIBE_TOPIC,
                            "content": {"status": "success", "topics": [protocol.CHAT_TOPIC]},
                        }
                    )
                    self._subscribed.set()
            elif topic == protocol.HEARTBEAT_TOPIC:
                await self._send({"topic": protocol.HEARTBEAT_TOPIC})

    async def _push(self) -> None:
        await self._subscribed.wait()
        while True:
            with self._store.wakeup.waiter() as waiter:
                items = await run_in_threadpool(
                    self._store.items_after, self._contact_id, self._after
                )
                for item in items:
                    await self._send(_chat_frame(item))
                    self._after = item.seq
                    if item.content_type == protocol.ENDED:
                        await self._ws.close(code=1000)
                        return
                if not items:
                    await waiter.wait(POLL_SECONDS)

    async def _send(self, frame: dict[str, Any]) -> None:
        async with self._send_lock:
            await self._ws.send_text(json.dumps(frame))


def _frame(text: str) -> dict[str, Any]:
    if len(text) > MAX_CLIENT_FRAME:
        return {}
    try:
        frame = json.loads(text)
    except ValueError:
        return {}
    return frame if isinstance(frame, dict) else {}


def _chat_frame(item: Item) -> dict[str, Any]:
    entry = {**item.transcript_entry(), "InitialContactId": item.contact_id}
    return {
        "topic": protocol.CHAT_TOPIC,
        "contentType": "application/json",
        "content": json.dumps(entry),
    }
