"""CreateCase, GetCase and UpdateCase.

CreateCase checks the template (it must exist and be Active), every value against its field, and
that ``title`` and the template's required fields have values. The service sets ``status`` to
``open`` unless given, and writes ``reference_number`` (8 digits, sequential per domain; the
store, like the service, does not hold them unique, so a case can share another's),
``created_datetime`` and ``last_updated_datetime``. A ``clientToken`` seen before with the same
request returns the first answer; with another request it is a ConflictException.
"""

from __future__ import annotations

import hashlib
from uuid import uuid4

from sandbox.aws.service import Call
from sandbox.connect_cases.arns import Arns
from sandbox.connect_cases.audit import new_event, performer
from sandbox.connect_cases.db import dump
from sandbox.connect_cases.errors import ConflictException, ValidationException
from sandbox.connect_cases.lookups import require_case, require_domain
from sandbox.connect_cases.records import JsonDict, Template, iso_now
from sandbox.connect_cases.store import Session, Store
from sandbox.connect_cases.values import EMPTY, FieldCatalog, check_values

#: every case needs a title, whatever its template says
ALWAYS_REQUIRED = ("title",)
DEFAULT_STATUS = "open"
CLOSED_STATUS = "closed"


class CaseOperations:
    """The handlers that create, read and change one case."""

    def __init__(self, store: Store, arns: Arns) -> None:
        self._store = store
        self._arns = arns

    def create_case(self, call: Call) -> JsonDict:
        """CreateCase."""
        params = call.params
        domain_id: str = params["domainId"]
        token: str | None = params.get("clientToken") or None
        request_hash = _request_hash(params)
        with self._store.session() as session:
            require_domain(session, domain_id)
            if token is not None:
                seen = session.get_client_token(domain_id, call.operation, token)
                if seen is not None:
                    if seen[0] != request_hash:
                        raise ConflictException(
                            "The clientToken was already used with a different request"
                        )
                    return seen[1]
            template = _active_template(session, domain_id, params["templateId"])
            catalog = FieldCatalog.load(session, domain_id)
            values = {
                k: v for k, v in check_values(params["fields"], catalog, self._arns).items() if v
            }
            missing = [fid for fid in _required(template) if fid not in values]
            if missing:
                raise ValidationException(f"Required fields missing: {catalog.describe(missing)}")
            now = {"stringValue": iso_now()}
            values.setdefault("status", {"stringValue": DEFAULT_STATUS})
            reference_number = session.next_reference_number(domain_id)
            values["reference_number"] = {"stringValue": str(reference_number)}
            values["created_datetime"] = values["last_updated_datetime"] = now
            if values["status"] == {"stringValue": CLOSED_STATUS}:
                values["last_closed_datetime"] = now
            case_id = str(uuid4())
            session.insert_case(
                domain_id=domain_id,
                case_id=case_id,
                template_id=template.template_id,
                reference_number=reference_number,
                fields=values,
                tags=params.get("tags") or {},
            )
            session.insert_audit_event(
                new_event(
                    domain_id=domain_id,
                    case_id=case_id,
                    type="Case.Created",
                    fields=[{"eventFieldId": k, "newValue": v} for k, v in sorted(values.items())],
                    performed_by=performer(self._arns, call),
                    performed_time=now["stringValue"],
                )
            )
            response = {"caseId": case_id, "caseArn": self._arns.case(domain_id, case_id)}
            if token is not None:
                session.put_client_token(
                    domain_id, call.operation, token, request_hash, response, now["stringValue"]
                )
        return response

    def get_case(self, call: Call) -> JsonDict:
        """GetCase: the requested fields that have values, the template and the tags."""
        params = call.params
        with self._store.session() as session:
            case = require_case(session, params["domainId"], params["caseId"])
        wanted = dict.fromkeys(item["id"] for item in params["fields"])
        return {
            "fields": [
                {"id": fid, "value": case.fields[fid]} for fid in wanted if fid in case.fields
            ],
            "templateId": case.template_id,
            "tags": case.tags,
        }

    def update_case(self, call: Call) -> JsonDict:
        """UpdateCase: set or clear (``emptyValue``) fields, bump ``last_updated_datetime``."""
        params = call.params
        domain_id: str = params["domainId"]
        with self._store.session() as session:
            case = require_case(session, domain_id, params["caseId"])
            catalog = FieldCatalog.load(session, domain_id)
            changes = check_values(params["fields"], catalog, self._arns)
            template = session.get_template(domain_id, case.template_id)
            required = _required(template) if template else list(ALWAYS_REQUIRED)
            cleared = [fid for fid, value in changes.items() if value is None and fid in required]
            if cleared:
                raise ValidationException(
                    f"Required fields cannot be cleared: {catalog.describe(cleared)}"
                )
            audit_fields = [
                {
                    "eventFieldId": fid,
                    "oldValue": case.fields.get(fid, EMPTY),
                    "newValue": new or EMPTY,
                }
                for fid, new in changes.items()
            ]
            now = {"stringValue": iso_now()}
            closing = changes.get("status") == {"stringValue": CLOSED_STATUS}
            if closing and case.fields.get("status") != changes["status"]:
                changes["last_closed_datetime"] = now
            changes["last_updated_datetime"] = now
            session.set_case_fields(case.case_id, changes)
            session.insert_audit_event(
                new_event(
                    domain_id=domain_id,
                    case_id=case.case_id,
                    type="Case.Updated",
                    fields=audit_fields,
                    performed_by=performer(self._arns, call),
                    performed_time=now["stringValue"],
                )
            )
        return {}


def _active_template(session: Session, domain_id: str, template_id: str) -> Template:
    template = session.get_template(domain_id, template_id)
    if template is None:
        raise ValidationException(f"Template {template_id} does not exist in this domain")
    if template.status != "Active":
        raise ValidationException(f"Template {template_id} is {template.status}, not Active")
    return template


def _required(template: Template) -> list[str]:
    return list(dict.fromkeys([*ALWAYS_REQUIRED, *template.required_fields]))


def _request_hash(params: JsonDict) -> str:
    body = {key: value for key, value in params.items() if key != "clientToken"}
    return hashlib.sha256(dump(body).encode()).hexdigest()
