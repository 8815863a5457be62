"""The ``_case`` objects of profiles: cases of the Connect Cases stand-in that name a profile.

When Connect Cases is integrated with Customer Profiles, a case whose ``customer_id`` is a
profile's ARN shows up as a standard ``_case`` object of that profile, indexed by ``_caseId``.
The stand-in reads those cases from the Connect Cases stand-in's tables in the same database file,
through that stand-in's own store, so the two always agree.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.connect_cases.db import Database
from sandbox.connect_cases.records import CaseRecord
from sandbox.connect_cases.store import Store
from sandbox.customer_profiles.arns import ProfileArns

# the standard case object's fields, by the Connect Cases system field each one comes from
_STANDARD_FIELDS = {
    "Title": "title",
    "Summary": "summary",
    "Status": "status",
    "Reason": "case_reason",
    "CreatedDate": "created_datetime",
    "UpdatedDate": "last_updated_datetime",
    "ClosedDate": "last_closed_datetime",
}
_KEY_NAMESPACE = uuid.UUID("6f1c7a52-3c1e-4d8e-9a57-1f0d5b2b8e11")


@dataclass(frozen=True)
class CaseObject:
    """One case linked to a profile, as a standard ``_case`` profile object."""

    profile_id: str
    case_id: str
    #: the standard case object's fields
    fields: dict[str, Any]

    @property
    def unique_key(self) -> str:
        """A stable ``ProfileObjectUniqueKey`` for the case."""
        return uuid.uuid5(_KEY_NAMESPACE, self.case_id).hex

    def json(self) -> str:
        """The object as ListProfileObjects returns it: stringified JSON."""
        return json.dumps(self.fields, sort_keys=True)


class CaseObjects:
    """Finds the cases linked to the profiles of a domain."""

    def __init__(self, db_path: Path | str, arns: ProfileArns) -> None:
        self._db = Database(db_path)
        self._store = Store(self._db)
        self._arns = arns

    def open(self) -> None:
        """Open the Connect Cases tables (created when missing, as that stand-in does)."""
        self._db.open()

    def close(self) -> None:
        """Close them."""
        self._db.close()

    def linked(self, domain_name: str, profile_id: str | None = None) -> list[CaseObject]:
        """The cases of every Cases domain linked to a profile of ``domain_name``, oldest first.

        With ``profile_id``, only that profile's cases.
        """
        with self._store.session() as session:
            cases = [
                case
                for domain in session.list_domains()
                for case in session.list_cases(domain.domain_id)
            ]
        found = []
        for case in sorted(cases, key=lambda case: case.seq):
            customer = _text(case, "customer_id")
            owner = self._arns.profile_of(customer, domain_name) if customer else None
            if owner is not None and profile_id in (None, owner):
                found.append(CaseObject(owner, case.case_id, _standard_fields(case)))
        return found


def _standard_fields(case: CaseRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {"CaseId": case.case_id, "DataSource": "Amazon Connect Cases"}
    for name, field_id in _STANDARD_FIELDS.items():
        value = _text(case, field_id)
        if value:
            fields[name] = value
    reference = _text(case, "reference_number")
    if reference:
        fields["Attributes"] = {"ReferenceNumber": reference}
    return fields


def _text(case: CaseRecord, field_id: str) -> str | None:
    value = case.fields.get(field_id) or {}
    text = value.get("stringValue")
    return text if isinstance(text, str) else None
