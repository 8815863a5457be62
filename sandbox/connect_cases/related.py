"""CreateRelatedItem, SearchRelatedItems and GetCaseAuditEvents.

A related item's ``type`` names the one ``content`` member it carries (``Comment`` ->
``comment``). What the real service looks up elsewhere is filled in plainly: a contact's channel
is ``VOICE`` and its connection time the association time; an SLA is ``Active`` with its target
time ``targetSlaMinutes`` from now. Lists come newest first.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from sandbox.aws.pagination import paginate
from sandbox.aws.service import Call
from sandbox.connect_cases.arns import Arns
from sandbox.connect_cases.audit import event_json, new_event, performer
from sandbox.connect_cases.errors import ValidationException
from sandbox.connect_cases.filters import fields_filter
from sandbox.connect_cases.lookups import require_case
from sandbox.connect_cases.records import JsonDict, RelatedItem, iso, iso_now
from sandbox.connect_cases.store import Session, Store
from sandbox.connect_cases.values import FieldCatalog, check_values

#: RelatedItemType -> its member of RelatedItemInputContent / RelatedItemContent / filters
CONTENT_MEMBERS = {
    "Contact": "contact",
    "Comment": "comment",
    "File": "file",
    "Sla": "sla",
    "ConnectCase": "connectCase",
    "Custom": "custom",
}
DEFAULT_RELATED_PAGE = 25
DEFAULT_AUDIT_PAGE = 25
CONTACT_CHANNEL = "VOICE"
_CONTACT_ARN = re.compile(r"arn:aws[\w-]*:connect:[\w-]+:\d{12}:instance/[^/]+/contact/[^/]+")


class RelatedItemOperations:
    """The handlers for a case's related items and audit history."""

    def __init__(self, store: Store, arns: Arns) -> None:
        self._store = store
        self._arns = arns

    def create_related_item(self, call: Call) -> JsonDict:
        """CreateRelatedItem."""
        params = call.params
        domain_id: str = params["domainId"]
        item_type: str = params["type"]
        expected = CONTENT_MEMBERS[item_type]
        given = [name for name, value in params["content"].items() if value is not None]
        if given != [expected]:
            raise ValidationException(
                f"A related item of type {item_type} carries content.{expected}, "
                f"not content.{', content.'.join(given)}"
            )
        now = iso_now()
        with self._store.session() as session:
            case = require_case(session, domain_id, params["caseId"])
            content = self._stored_content(session, domain_id, expected, params["content"], now)
            item_id = str(uuid4())
            session.insert_related_item(
                RelatedItem(
                    seq=0,
                    domain_id=domain_id,
                    case_id=case.case_id,
                    related_item_id=item_id,
                    type=item_type,
                    content=content,
                    association_time=now,
                    performed_by=params.get("performedBy"),
                )
            )
            session.insert_audit_event(
                new_event(
                    domain_id=domain_id,
                    case_id=case.case_id,
                    type="RelatedItem.Created",
                    related_item_type=item_type,
                    fields=[],
                    performed_by=performer(self._arns, call),
                    performed_time=now,
                )
            )
        return {
            "relatedItemId": item_id,
            "relatedItemArn": self._arns.related_item(domain_id, case.case_id, item_id),
        }

    def search_related_items(self, call: Call) -> JsonDict:
        """SearchRelatedItems: a case's items matching any of ``filters`` (all without)."""
        params = call.params
        domain_id: str = params["domainId"]
        with self._store.session() as session:
            case = require_case(session, domain_id, params["caseId"])
            items = session.list_related_items(domain_id, case.case_id)
            catalog = FieldCatalog.load(session, domain_id)
        filters = params.get("filters") or []
        found = [
            item
            for item in reversed(items)
            if not filters or any(_matches(spec, item, catalog) for spec in filters)
        ]
        page, next_token, _ = paginate(
            found,
            max_results=params.get("maxResults") or DEFAULT_RELATED_PAGE,
            token=params.get("nextToken"),
            query={"caseId": case.case_id, "filters": filters},
            seq=lambda item: item.seq,
        )
        result: JsonDict = {"relatedItems": [_item_json(item) for item in page]}
        if next_token:
            result["nextToken"] = next_token
        return result

    def get_case_audit_events(self, call: Call) -> JsonDict:
        """GetCaseAuditEvents: a case's history, newest first."""
        params = call.params
        domain_id: str = params["domainId"]
        with self._store.session() as session:
            case = require_case(session, domain_id, params["caseId"])
            events = session.list_audit_events(domain_id, case.case_id)
        page, next_token, _ = paginate(
            events[::-1],
            max_results=params.get("maxResults") or DEFAULT_AUDIT_PAGE,
            token=params.get("nextToken"),
            query={"caseId": case.case_id},
            seq=lambda event: event.seq,
        )
        result: JsonDict = {"auditEvents": [event_json(event) for event in page]}
        if next_token:
            result["nextToken"] = next_token
        return result

    def _stored_content(
        self, session: Session, domain_id: str, member: str, content: JsonDict, now: str
    ) -> JsonDict:
        body = content[member]
        if member == "contact":
            arn = body["contactArn"]
            if not _CONTACT_ARN.fullmatch(arn):
                raise ValidationException(
                    "contactArn must be an Amazon Connect contact ARN: "
                    "arn:aws:connect:REGION:ACCOUNT:instance/INSTANCE_ID/contact/CONTACT_ID"
                )
            return {
                "contact": {
                    "contactArn": arn,
                    "channel": CONTACT_CHANNEL,
                    "connectedToSystemTime": now,
                }
            }
        if member == "connectCase" and session.get_case(domain_id, body["caseId"]) is None:
            raise ValidationException(f"Case {body['caseId']} does not exist in this domain")
        if member == "custom":
            check_values(body["fields"], FieldCatalog.load(session, domain_id))
        if member == "sla":
            config = body["slaInputConfiguration"]
            target = datetime.now(UTC) + timedelta(minutes=int(config["targetSlaMinutes"]))
            sla: JsonDict = {
                key: config[key]
                for key in ("name", "type", "fieldId", "targetFieldValues")
                if key in config
            }
            return {
                "sla": {"slaConfiguration": {**sla, "status": "Active", "targetTime": iso(target)}}
            }
        return {member: body}


def _matches(spec: JsonDict, item: RelatedItem, catalog: FieldCatalog) -> bool:
    kind = next(name for name, value in spec.items() if value is not None)
    if CONTENT_MEMBERS[item.type] != kind:
        return False
    wanted: JsonDict = spec[kind]
    content: JsonDict = item.content[kind]
    if kind == "contact":
        channels = wanted.get("channel") or []
        return wanted.get("contactArn") in (None, content["contactArn"]) and (
            not channels or content["channel"] in channels
        )
    if kind == "file":
        return wanted.get("fileArn") in (None, content["fileArn"])
    if kind == "connectCase":
        return wanted.get("caseId") in (None, content["caseId"])
    if kind == "sla":
        config = content["slaConfiguration"]
        return all(wanted.get(key) in (None, config[key]) for key in ("name", "status"))
    if kind == "custom" and wanted.get("fields"):
        values = {value["id"]: value["value"] for value in content["fields"]}
        return fields_filter(wanted["fields"], catalog)(values)
    return True


def _item_json(item: RelatedItem) -> JsonDict:
    out: JsonDict = {
        "relatedItemId": item.related_item_id,
        "type": item.type,
        "associationTime": item.association_time,
        "content": item.content,
        "tags": item.tags,
    }
    if item.performed_by:
        out["performedBy"] = item.performed_by
    return out
