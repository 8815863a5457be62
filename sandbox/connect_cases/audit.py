"""Audit history entries, written by every operation that changes a case."""

from __future__ import annotations

from uuid import uuid4

from sandbox.aws.service import Call
from sandbox.connect_cases.arns import Arns
from sandbox.connect_cases.records import AuditEvent, JsonDict, iso_now


def performer(arns: Arns, call: Call) -> JsonDict:
    """Return the AuditEventPerformedBy of a call: its IAM principal and its ``performedBy``."""
    performed_by: JsonDict = {"iamPrincipalArn": arns.principal(call.access_key_id)}
    if call.params.get("performedBy"):
        performed_by["user"] = call.params["performedBy"]
    return performed_by


def new_event(
    *,
    domain_id: str,
    case_id: str,
    type: str,
    fields: list[JsonDict],
    performed_by: JsonDict,
    related_item_type: str | None = None,
    performed_time: str | None = None,
) -> AuditEvent:
    """Make an audit event to insert (its sequence number is given by the store)."""
    return AuditEvent(
        seq=0,
        domain_id=domain_id,
        case_id=case_id,
        event_id=str(uuid4()),
        type=type,
        related_item_type=related_item_type,
        performed_time=performed_time or iso_now(),
        fields=fields,
        performed_by=performed_by,
    )


def event_json(event: AuditEvent) -> JsonDict:
    """Return the AuditEvent shape of GetCaseAuditEvents."""
    out: JsonDict = {
        "eventId": event.event_id,
        "type": event.type,
        "performedTime": event.performed_time,
        "fields": event.fields,
        "performedBy": event.performed_by,
    }
    if event.related_item_type:
        out["relatedItemType"] = event.related_item_type
    return out
