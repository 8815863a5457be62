"""The voice IVR handoff: a caller who chose to continue on WhatsApp gets the assistant there.

``POST /webhooks/ivr`` takes an Amazon Connect contact-flow Lambda event (forwarded by
``api.outreach.ivr.lambda_handler``) or a plain JSON body, signed with ``X-Casebot-Signature:
sha256=<hex HMAC-SHA256 of the raw body>`` keyed with ``IVR_SHARED_SECRET`` (401 otherwise). It
triggers ``ivr_handoff`` in the caller's WhatsApp conversation, ``whatsapp:<digits>``, with the
caller's number, origin Voice, the contact's ARN, the chosen intent and case reference as
entities, and sends the bot's messages to the caller on WhatsApp (a template outside the 24-hour
window).

The answer is a flat map of strings, as Connect requires of a Lambda's result: ``{"status":
"sent"|"failed"|"no_reply"|"accepted", "case_ref"?: "..."}``. It comes within
``IVR_ANSWER_SECONDS``: a slower handoff answers ``accepted`` and finishes in the background.
The same contact handed off again is answered from the first handoff's record. Unset
``IVR_SHARED_SECRET`` and the endpoint does not exist (404).
"""

from __future__ import annotations

import asyncio
import json
import logging

from fastapi import APIRouter, HTTPException, Request
from pydantic import JsonValue

# the same scheme as Meta's webhook signature: "sha256=" and the hex HMAC-SHA256 of the body
from api.channels.whatsapp.signature import is_signed
from api.deps import SettingsDep
from api.jobs.queue import traced
from api.outreach.ivr.payload import Handoff, HandoffError, parse_handoff
from api.outreach.records import Record
from api.outreach.runtime import OutreachRuntime

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/webhooks/ivr", tags=["ivr"])

SIGNATURE_HEADER = "X-Casebot-Signature"
HANDOFF_INTENT = "ivr_handoff"
VOICE_ORIGIN = "Voice"


def handoff_entities(handoff: Handoff) -> dict[str, str]:
    """The entities ``ivr_handoff`` is triggered with: only those the handoff has."""
    entities = {
        "phone": handoff.caller,
        "origin": VOICE_ORIGIN,
        "contact_arn": handoff.contact_arn,
        "handoff_intent": handoff.intent,
        "case_ref": handoff.case_ref,
    }
    return {name: value for name, value in entities.items() if value}


def flat_answer(record: Record) -> dict[str, str]:
    """The answer Connect can read: every value a string, ``case_ref`` when there is one."""
    answer = {"status": record.status}
    if record.case_ref:
        answer["case_ref"] = record.case_ref
    return answer


def runtime_of(request: Request, settings: SettingsDep) -> OutreachRuntime:
    """The running handoff machinery, or 404 when the IVR handoff is not configured."""
    runtime: OutreachRuntime | None = getattr(request.app.state, "outreach", None)
    if settings.ivr_shared_secret is None or runtime is None:
        raise HTTPException(status_code=404, detail="Not Found")
    return runtime


@router.post("")
async def receive_handoff(request: Request, settings: SettingsDep) -> dict[str, str]:
    """Check the signature, start the WhatsApp conversation, answer within the budget."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    runtime = runtime_of(request, settings)
    body = await request.body()
    secret = settings.ivr_shared_secret
    if secret is None or not is_signed(body, request.headers.get(SIGNATURE_HEADER), secret):
        logger.warning("IVR handoff refused: missing or wrong signature")
        raise HTTPException(status_code=401, detail="Invalid signature.")
    try:
        handoff = parse_handoff(json.loads(body))
    except ValueError as exc:
        status = 422 if isinstance(exc, HandoffError) else 400
        raise HTTPException(status_code=status, detail="Not an IVR handoff.") from None
    key = f"ivr:{handoff.contact_id}"
    accepted = Record(key, HANDOFF_INTENT, "accepted", handoff.wa_id, handoff.case_ref)
    earlier = await runtime.records.add(accepted)
    if earlier is not None:
        logger.info("IVR contact handed off again; answered from its record")
        return flat_answer(earlier)
    payload: dict[str, JsonValue] = {
        "wa_id": handoff.wa_id,
        "intent": HANDOFF_INTENT,
        "entities": dict(handoff_entities(handoff)),
    }
    finished = runtime.waiters.expect(key)
    try:
        await runtime.queue.enqueue(key, handoff.wa_id, traced(payload))
        runtime.worker.wake()
        remaining = settings.ivr_answer_seconds - (loop.time() - started)
        record = await runtime.waiters.outcome(key, finished, runtime.records, remaining)
    finally:
        runtime.waiters.forget(key)
    if record is None:
        logger.info("IVR handoff still running at the answer deadline; answered accepted")
        record = accepted
    return flat_answer(record)
