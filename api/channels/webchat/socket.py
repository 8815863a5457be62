"""The webchat page's websocket: the same messages as ``POST /webchat/messages``, one socket.

Each frame the page sends is ``{"id", "sender", "message", "metadata"?, "token"?}`` (``token``
being the identity token a POST carries in ``Authorization``); each answer is ``{"id",
"replies"}`` or ``{"id", "error", "status"}`` with the status and sentence the POST would give.
Frames on one socket are answered in order, one at a time. A gateway process holds at most
``WEBCHAT_MAX_SOCKETS`` sockets, and ``WEBCHAT_MAX_SOCKETS_PER_ADDRESS`` from one address; one
more is refused before it is accepted (the page falls back to ``POST /webchat/messages``).
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import cast

from fastapi import APIRouter, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from pydantic import JsonValue, ValidationError
from pydantic_core import from_json

from api.channels.webchat.inbox import LiveSockets
from api.channels.webchat.messages import (
    WebchatMessage,
    identity_of,
    to_inbound,
    to_webchat_reply,
    waiting_replies,
)
from api.conversation import converse
from api.deps import rasa_of
from api.errors import RASA_ERROR_DETAIL, RASA_UNAVAILABLE_DETAIL
from api.rasa import RasaClient, RasaError, RasaUnavailable
from api.ratelimit import RateLimited, RateLimits, client_address, rate_limits_of
from api.settings import GatewaySettings

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/webchat", tags=["webchat"])

INVALID_DETAIL = "That message could not be read. Please try again."
#: close code for a frame larger than the gateway accepts (RFC 6455 "message too big")
CLOSE_TOO_BIG = 1009
#: close code for a socket refused because too many are open (RFC 6455 "try again later")
CLOSE_TRY_LATER = 1013


class SocketSlots:
    """How many sockets are open, in all and per address, against the settings' limits."""

    def __init__(self, total: int, per_address: int) -> None:
        self._total = total
        self._per_address = per_address
        self._open: Counter[str] = Counter()

    def take(self, address: str) -> bool:
        """Count one more socket from ``address``; ``False`` (and nothing counted) past a limit."""
        if self._open.total() >= self._total or self._open[address] >= self._per_address:
            return False
        self._open[address] += 1
        return True

    def give_back(self, address: str) -> None:
        """Forget one socket from ``address``."""
        self._open[address] -= 1
        if self._open[address] <= 0:
            del self._open[address]


def slots_of(websocket: WebSocket, settings: GatewaySettings) -> SocketSlots:
    """The app's socket counts, made on first use."""
    state = websocket.app.state
    slots: SocketSlots | None = getattr(state, "webchat_socket_slots", None)
    if slots is None:
        slots = SocketSlots(settings.webchat_max_sockets, settings.webchat_max_sockets_per_address)
        state.webchat_socket_slots = slots
    return slots


@router.websocket("/ws")
async def webchat_socket(websocket: WebSocket) -> None:
    """Answer the page's frames until it goes away."""
    settings = cast(GatewaySettings, websocket.app.state.settings)
    rasa = rasa_of(websocket.app)
    limits = rate_limits_of(websocket)
    address = client_address(websocket, limits.trusted_proxies)
    sockets = cast(LiveSockets, websocket.app.state.webchat_sockets)
    slots = slots_of(websocket, settings)
    if not slots.take(address):
        logger.warning("webchat socket refused: too many open")
        await websocket.close(code=CLOSE_TRY_LATER)
        return
    try:
        await websocket.accept()
        while True:
            received = await websocket.receive()
            if received["type"] == "websocket.disconnect":
                return
            frame: str | None = received.get("text")
            data: bytes = received.get("bytes") or b""
            if len((frame or "").encode()) > settings.gateway_max_body_bytes or (
                len(data) > settings.gateway_max_body_bytes
            ):
                await websocket.close(code=CLOSE_TOO_BIG, reason="message too big")
                return
            if frame is None:
                # the page only ever sends JSON text
                await sockets.send(websocket, _error(None, 415, INVALID_DETAIL))
                continue
            reply, conversation_id = await answer(frame, settings, rasa, limits, address)
            if conversation_id is not None:
                # notices for this conversation are pushed here from now on
                sockets.register(conversation_id, websocket)
                waiting = await waiting_replies(websocket.app.state, conversation_id)
                replies = reply.get("replies")
                if waiting and isinstance(replies, list):
                    earlier: list[JsonValue] = [r.model_dump(exclude_none=True) for r in waiting]
                    reply["replies"] = earlier + replies
            await sockets.send(websocket, reply)
    except WebSocketDisconnect:
        return
    finally:
        sockets.forget(websocket)
        slots.give_back(address)


async def answer(
    frame: str, settings: GatewaySettings, rasa: RasaClient, limits: RateLimits, address: str
) -> tuple[dict[str, JsonValue], str | None]:
    """The answer to one frame (the bot's replies, or the error a POST would get), and the
    conversation it was answered in (``None`` when it was not)."""
    try:
        # pydantic's parser, like the POST's: it refuses lone surrogates and infinities,
        # which Rasa could not be sent, and nesting deep enough to exhaust the stack
        body = from_json(frame, allow_inf_nan=False)
    except ValueError:
        body = None
    frame_id: JsonValue = None
    if isinstance(body, dict) and isinstance(body.get("id"), int | str):
        frame_id = body["id"]
    try:
        # every frame counts against its address, even one that cannot be read
        await limits.check_address_of(address)
    except RateLimited as exc:
        return _error(frame_id, exc.status_code, str(exc.detail)), None
    if not isinstance(body, dict):
        return _error(frame_id, 422, INVALID_DETAIL), None
    try:
        token = body.get("token")
        message = WebchatMessage.model_validate(body)
    except ValidationError:
        return _error(frame_id, 422, INVALID_DETAIL), None
    try:
        authorization = f"Bearer {token}" if isinstance(token, str) else None
        identity = identity_of(authorization, settings)
        inbound = to_inbound(message, settings, identity)
        await limits.check_sender(inbound.conversation_id)
        replies = await converse(rasa, inbound)
    except HTTPException as exc:
        return _error(frame_id, exc.status_code, str(exc.detail)), None
    except RequestValidationError:
        return _error(frame_id, 422, INVALID_DETAIL), None
    except RasaUnavailable as exc:
        logger.warning("Rasa unavailable for a webchat socket frame: %s", exc)
        return _error(frame_id, 503, RASA_UNAVAILABLE_DETAIL), None
    except RasaError as exc:
        logger.error("Unusable answer from Rasa for a webchat socket frame: %s", exc)
        return _error(frame_id, 502, RASA_ERROR_DETAIL), None
    return {
        "id": frame_id,
        "replies": [reply.model_dump(exclude_none=True) for reply in to_webchat_reply(replies)],
    }, inbound.conversation_id


def _error(frame_id: JsonValue, status: int, detail: str) -> dict[str, JsonValue]:
    return {"id": frame_id, "status": status, "error": detail}
