"""The WhatsApp Cloud API channel: Meta's signed webhook in, a durable queue between.

``GET /webhooks/whatsapp`` answers Meta's verification handshake. ``POST`` checks the
signature over the raw body before anything else, records delivery receipts, queues each
message once (by its wamid) and answers 200 at once; ``api.channels.whatsapp.processor`` handles the
queued messages in the background, one sender at a time in order. Unset
``WHATSAPP_APP_SECRET`` and the channel does not exist (404).
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import ValidationError

from api.channels.whatsapp.payload import Message, Notification, Value
from api.channels.whatsapp.runtime import WhatsAppRuntime
from api.channels.whatsapp.signature import SIGNATURE_HEADER, is_signed, tokens_match
from api.channels.whatsapp.store import StatusRecord
from api.conversation import Inbound
from api.deps import SettingsDep
from api.jobs.queue import traced
from api.ratelimit import RateLimited, RateLimits, rate_limits_of
from api.settings import GatewaySettings

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/webhooks/whatsapp", tags=["whatsapp"])


def to_inbound(message: Message, text: str, settings: GatewaySettings) -> Inbound:
    """The gateway's neutral message for one WhatsApp message."""
    phone = f"+{message.from_}"
    return Inbound(
        channel="whatsapp",
        sender=message.from_,
        text=text,
        origin="WhatsApp",
        role="agent" if phone in settings.agent_whatsapp_numbers else "customer",
        contact=phone,
        message_id=message.id,
    )


def runtime_of(request: Request, settings: SettingsDep) -> WhatsAppRuntime:
    """The running channel, or 404 when it is not configured."""
    runtime: WhatsAppRuntime | None = getattr(request.app.state, "whatsapp", None)
    if settings.whatsapp_app_secret is None or runtime is None:
        raise HTTPException(status_code=404, detail="Not Found")
    return runtime


@router.get("", response_class=PlainTextResponse)
async def verify_webhook(
    request: Request,
    settings: SettingsDep,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str, Query(alias="hub.challenge")] = "",
) -> PlainTextResponse:
    """Meta's subscription handshake: echo the challenge when the token matches."""
    runtime_of(request, settings)
    if mode != "subscribe" or not tokens_match(token, settings.whatsapp_verify_token):
        raise HTTPException(status_code=403, detail="Verification refused.")
    return PlainTextResponse(challenge)


@router.post("")
async def receive_webhook(request: Request, settings: SettingsDep) -> Response:
    """Check the signature, queue the messages, record the receipts; answer 200 at once."""
    runtime = runtime_of(request, settings)
    body = await request.body()
    secret = settings.whatsapp_app_secret
    if secret is None or not is_signed(body, request.headers.get(SIGNATURE_HEADER), secret):
        logger.warning("WhatsApp webhook refused: missing or wrong signature")
        raise HTTPException(status_code=401, detail="Invalid signature.")
    try:
        notification = Notification.model_validate_json(body)
    except ValidationError as exc:
        malformed = any(error["type"] == "json_invalid" for error in exc.errors())
        raise HTTPException(
            status_code=400 if malformed else 422,
            detail="Not JSON." if malformed else "Not a WhatsApp notification.",
        ) from None
    queued = 0
    limits = rate_limits_of(request)
    for value in notification.values():
        await _record_statuses(runtime, value)
        queued += await _queue_messages(runtime, value, limits)
    if queued:
        runtime.worker.wake()
    return Response(status_code=200)


async def _queue_messages(runtime: WhatsAppRuntime, value: Value, limits: RateLimits) -> int:
    queued = 0
    for message in value.messages:
        payload = traced(
            {
                "message": message.model_dump(mode="json", by_alias=True, exclude_none=True),
                "name": value.contact_of(message.from_).profile.name,
            }
        )
        # decided on arrival, when the rate is the sender's own; the message is still queued,
        # so a notice about it keeps its place among the sender's other replies
        conversation = f"whatsapp:{message.from_}"
        try:
            await limits.check_sender(conversation)
        except RateLimited:
            payload["limited"] = True
            payload["notice"] = await limits.should_notify(conversation)
        if await runtime.queue.enqueue(message.id, message.from_, payload):
            queued += 1
        else:
            logger.info("WhatsApp message %s delivered again; already queued", message.id)
    return queued


async def _record_statuses(runtime: WhatsAppRuntime, value: Value) -> None:
    for status in value.statuses:
        error = status.errors[0] if status.errors else None
        record = StatusRecord(
            wamid=status.id,
            status=status.status,
            recipient=status.recipient_id,
            timestamp=status.timestamp,
            error_code=error.code if error else None,
            error_title=error.title if error else None,
        )
        await runtime.store.record_status(record)
        if status.status == "failed":
            logger.warning(
                "WhatsApp message %s failed: code %s, %s",
                status.id,
                record.error_code,
                record.error_title,
            )
