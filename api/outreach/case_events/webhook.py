"""Proactive notices: a case's status changed, so its customer is told on WhatsApp.

``POST /webhooks/case-events`` takes Amazon Connect Cases events as EventBridge delivers
them through an API destination, whose connection sends an API key in a header
(``CASE_EVENTS_API_KEY`` in ``CASE_EVENTS_API_KEY_HEADER``; 401 otherwise). Each event is
recorded once, by its id. When a case's status changed and the event names the customer's
phone number and says it is verified (``CASE_EVENTS_VERIFIED_FIELD_ID`` is ``Yes``: the
number the customer wrote from, not one typed into the form, which may be anyone's),
``case_updated`` is triggered in ``whatsapp:<digits>`` with the case reference and status,
and the bot's notice is sent on WhatsApp (a template outside the window). Any other event is
recorded as skipped, with the reason (never the contact), and nothing is sent. The answer is
202.

The domain's ``PutCaseEventConfiguration`` must include the status, reference, contact and
contact-verified fields in ``includedData.caseData.fields`` for events to carry them.
Unset ``CASE_EVENTS_API_KEY`` and the endpoint does not exist (404).
"""

from __future__ import annotations

import hmac
import logging
import re
from dataclasses import dataclass

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import JsonValue, ValidationError

from api.deps import SettingsDep
from api.jobs.queue import traced
from api.outreach.case_events.payload import CaseEvent, FieldValue
from api.outreach.records import Record, Records
from api.outreach.runtime import OutreachRuntime
from api.settings import GatewaySettings

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/webhooks/case-events", tags=["case-events"])

NOTICE_INTENT = "case_updated"
SOURCE = "aws.cases"
UPDATED = "CASE.UPDATED"
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
#: how a contact-verified field says yes (Connect's single-select option, or a boolean)
_YES = frozenset({"yes", "true"})


@dataclass(frozen=True)
class Decision:
    """Whether and whom to tell: a WhatsApp id and the entities, or why not."""

    wa_id: str | None = None
    case_ref: str | None = None
    status: str | None = None
    reason: str | None = None


def phone_of(contact: object) -> str | None:
    """The contact as an E.164 number, when it is one."""
    if not isinstance(contact, str):
        return None
    number = re.sub(r"[\s().-]", "", contact.removeprefix("whatsapp:"))
    return number if _E164.match(number) else None


async def decide(event: CaseEvent, settings: GatewaySettings, records: Records) -> Decision:
    """Whether the event is a status change of a case whose customer has a phone number."""
    case = event.detail.case
    if case is None:
        return Decision(reason=f"{event.detail.event_type} is not about a case")
    fields = case.values()
    status = fields.get(settings.case_events_status_field_id)
    if not isinstance(status, str) or not status:
        return Decision(reason="the event carries no status")
    previous, newer = await records.swap_case_status(case.case_id, status, event.changed_at)
    if event.detail.event_type != UPDATED:
        return Decision(reason=f"{event.detail.event_type} is not an update")
    if not newer:
        return Decision(reason="older than a change already seen")
    listed = event.detail.changed_field_ids
    changed = (
        settings.case_events_status_field_id in listed
        if listed is not None
        else previous is not None and previous != status
    )
    if not changed:
        return Decision(reason="the status did not change")
    field_id = settings.case_events_contact_field_id
    phone = phone_of(fields.get(field_id)) if field_id else None
    if phone is None:
        return Decision(reason="no phone number among the case's fields")
    unverified = _unverified(fields, settings.case_events_verified_field_id)
    if unverified is not None:
        return Decision(reason=unverified)
    ref = fields.get(settings.case_events_reference_field_id)
    if not isinstance(ref, str) or not ref:
        return Decision(reason="the event carries no case reference")
    return Decision(wa_id=phone.lstrip("+"), case_ref=ref, status=status)


def _unverified(fields: dict[str, FieldValue], field_id: str | None) -> str | None:
    # a contact typed into the form may be anyone's: only one the channel vouched for is told
    if field_id is None:
        logger.warning("Case events name no contact-verified field; no notice is sent")
        return "whether the contact is verified is not configured"
    said = fields.get(field_id)
    if said is None:
        return "the event does not say whether the contact is verified"
    if said is True or (isinstance(said, str) and said.strip().lower() in _YES):
        return None
    return "the case's contact is not verified"


def runtime_of(request: Request, settings: SettingsDep) -> OutreachRuntime:
    """The running notice machinery, or 404 when case events are not configured."""
    runtime: OutreachRuntime | None = getattr(request.app.state, "outreach", None)
    if settings.case_events_api_key is None or runtime is None:
        raise HTTPException(status_code=404, detail="Not Found")
    return runtime


def _key_matches(given: str | None, settings: GatewaySettings) -> bool:
    expected = settings.case_events_api_key
    if given is None or expected is None:
        return False
    return hmac.compare_digest(given.encode(), expected.get_secret_value().encode())


@router.post("", status_code=202)
async def receive_case_event(request: Request, settings: SettingsDep) -> JSONResponse:
    """Check the key, record the event once, queue a notice when the status changed."""
    runtime = runtime_of(request, settings)
    if not _key_matches(request.headers.get(settings.case_events_api_key_header), settings):
        logger.warning("Case event refused: missing or wrong API key")
        raise HTTPException(status_code=401, detail="Invalid API key.")
    try:
        event = CaseEvent.model_validate_json(await request.body())
    except ValidationError as exc:
        malformed = any(error["type"] == "json_invalid" for error in exc.errors())
        raise HTTPException(
            status_code=400 if malformed else 422,
            detail="Not JSON." if malformed else "Not a case event.",
        ) from None
    if event.source != SOURCE:
        raise HTTPException(status_code=422, detail="Not a case event.")
    key = f"case-event:{event.id}"
    if await runtime.records.add(Record(key, NOTICE_INTENT, "received")) is not None:
        logger.info("Case event %s delivered again; already recorded", event.id)
        return JSONResponse({"status": "duplicate"}, status_code=202)
    decision = await decide(event, settings, runtime.records)
    if decision.wa_id is None:
        await runtime.records.finish(key, "skipped", detail=decision.reason)
        logger.info("Case event %s told nobody: %s", event.id, decision.reason)
        return JSONResponse({"status": "skipped", "reason": decision.reason}, status_code=202)
    await runtime.records.finish(key, "accepted", decision.case_ref)
    entities: dict[str, JsonValue] = {
        "case_ref": decision.case_ref,
        "status": decision.status,
        "phone": f"+{decision.wa_id}",
    }
    payload: dict[str, JsonValue] = {
        "wa_id": decision.wa_id,
        "intent": NOTICE_INTENT,
        "entities": entities,
    }
    await runtime.queue.enqueue(key, decision.wa_id, traced(payload))
    runtime.worker.wake()
    return JSONResponse({"status": "queued"}, status_code=202)
