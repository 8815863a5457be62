"""The Twilio WhatsApp channel: Twilio's signed, form-encoded webhook in, a durable queue between.

``POST /webhooks/twilio`` checks ``X-Twilio-Signature`` over the public URL Twilio posted to
(``TWILIO_WEBHOOK_URL``, since proxies rewrite the host) and the form's parameters before
anything else, queues each message once (by its ``MessageSid``) for its sender, and answers
at once with empty TwiML: replies go out through the Messages API from the background worker.
Unset ``TWILIO_AUTH_TOKEN`` and the channel does not exist (404).
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import ValidationError

from api.channels.twilio.payload import TwilioMessage, parse_params
from api.channels.twilio.runtime import TwilioRuntime
from api.channels.twilio.signature import SIGNATURE_HEADER, is_signed
from api.conversation import Inbound
from api.deps import SettingsDep
from api.jobs.queue import traced
from api.settings import GatewaySettings

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/webhooks/twilio", tags=["twilio"])

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def to_inbound(message: TwilioMessage, text: str, settings: GatewaySettings) -> Inbound:
    """The gateway's neutral message for one Twilio WhatsApp message."""
    phone = message.phone
    return Inbound(
        channel="twilio",
        sender=phone,
        text=text,
        origin="WhatsApp",
        role="agent" if phone in settings.agent_whatsapp_numbers else "customer",
        contact=phone,
        message_id=message.message_sid,
    )


def twiml(status_code: int = 200) -> Response:
    """An empty TwiML answer: Twilio sends nothing back on its own."""
    return Response(EMPTY_TWIML, status_code=status_code, media_type="text/xml")


def public_url(request: Request, settings: GatewaySettings) -> str:
    """The URL Twilio signed: the configured public one, with the query string it was sent."""
    url = settings.twilio_webhook_url or str(request.url)
    query = request.url.query
    return f"{url}?{query}" if query and "?" not in url else url


def runtime_of(request: Request, settings: SettingsDep) -> TwilioRuntime:
    """The running channel, or 404 when it is not configured."""
    runtime: TwilioRuntime | None = getattr(request.app.state, "twilio", None)
    if settings.twilio_auth_token is None or runtime is None:
        raise HTTPException(status_code=404, detail="Not Found")
    return runtime


@router.post("")
async def receive_webhook(request: Request, settings: SettingsDep) -> Response:
    """Check the signature, queue the message; answer 200 with empty TwiML at once."""
    runtime = runtime_of(request, settings)
    body = await request.body()
    try:
        params = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        params = []
    token = settings.twilio_auth_token
    header = request.headers.get(SIGNATURE_HEADER)
    if token is None or not is_signed(public_url(request, settings), params, header, token):
        logger.warning("Twilio webhook refused: missing or wrong signature")
        raise HTTPException(status_code=401, detail="Invalid signature.")
    try:
        message = parse_params(params)
    except ValidationError:
        raise HTTPException(status_code=422, detail="Not a Twilio message.") from None
    if not message.has_valid_sender:
        raise HTTPException(status_code=422, detail="From is not a WhatsApp number.")
    if not message.is_addressed_to(settings.twilio_whatsapp_number or ""):
        # another of the account's numbers: its users never wrote to this assistant
        logger.warning("Twilio message %s refused: To is not our number", message.message_sid)
        raise HTTPException(status_code=422, detail="To is not this channel's number.")
    payload = traced({"message": message.model_dump(mode="json", by_alias=True)})
    if await runtime.queue.enqueue(message.message_sid, message.phone, payload):
        runtime.worker.wake()
    else:
        logger.info("Twilio message %s delivered again; already queued", message.message_sid)
    return twiml()
