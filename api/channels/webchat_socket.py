"""The webchat page's websocket: the same messages as ``POST /webchat/messages``, one socket.

Each frame the page sends is ``{"id", "sender", "message", "metadata"?, "token"?}`` (``token``
being the identity token a POST carries in ``Authorization``); each answer is ``{"id",
"replies"}`` or ``{"id", "error", "status"}`` with the status and sentence the POST would give.
Frames on one socket are answered in order, one at a time.
"""

from __future__ import annotations

import json
import logging
from typing import cast

import httpx
from fastapi import APIRouter, HTTPException, WebSocket, WebSocketDisconnect
from pydantic import JsonValue, ValidationError

from api.channels.webchat import WebchatMessage, identity_of, to_inbound, to_webchat_reply
from api.conversation import converse
from api.errors import RASA_ERROR_DETAIL, RASA_UNAVAILABLE_DETAIL
from api.rasa import RasaClient, RasaError, RasaUnavailable
from api.settings import GatewaySettings

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/webchat", tags=["webchat"])

INVALID_DETAIL = "That message could not be read. Please try again."
#: close code for a frame larger than the gateway accepts (RFC 6455 "message too big")
CLOSE_TOO_BIG = 1009


@router.websocket("/ws")
async def webchat_socket(websocket: WebSocket) -> None:
    """Answer the page's frames until it goes away."""
    settings = cast(GatewaySettings, websocket.app.state.settings)
    http = cast(httpx.AsyncClient, websocket.app.state.http)
    rasa = RasaClient(http, settings.rasa_url, settings.rasa_api_token)
    await websocket.accept()
    try:
        while True:
            frame = await websocket.receive_text()
            if len(frame.encode()) > settings.gateway_max_body_bytes:
                await websocket.close(code=CLOSE_TOO_BIG, reason="message too big")
                return
            await websocket.send_json(await answer(frame, settings, rasa))
    except WebSocketDisconnect:
        return


async def answer(frame: str, settings: GatewaySettings, rasa: RasaClient) -> dict[str, JsonValue]:
    """The answer to one frame: the bot's replies, or the error a POST would get."""
    frame_id: JsonValue = None
    try:
        body = json.loads(frame)
        if not isinstance(body, dict):
            raise ValueError("a frame is a JSON object")
        frame_id = body.get("id") if isinstance(body.get("id"), int | str) else None
        token = body.get("token")
        message = WebchatMessage.model_validate(body)
    except (ValueError, ValidationError):
        return _error(frame_id, 422, INVALID_DETAIL)
    try:
        authorization = f"Bearer {token}" if isinstance(token, str) else None
        identity = identity_of(authorization, settings)
        replies = await converse(rasa, to_inbound(message, settings, identity))
    except HTTPException as exc:
        return _error(frame_id, exc.status_code, str(exc.detail))
    except RasaUnavailable as exc:
        logger.warning("Rasa unavailable for a webchat socket frame: %s", exc)
        return _error(frame_id, 503, RASA_UNAVAILABLE_DETAIL)
    except RasaError as exc:
        logger.error("Unusable answer from Rasa for a webchat socket frame: %s", exc)
        return _error(frame_id, 502, RASA_ERROR_DETAIL)
    return {
        "id": frame_id,
        "replies": [reply.model_dump(exclude_none=True) for reply in to_webchat_reply(replies)],
    }


def _error(frame_id: JsonValue, status: int, detail: str) -> dict[str, JsonValue]:
    return {"id": frame_id, "status": status, "error": detail}
