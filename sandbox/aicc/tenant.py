"""What the AICC stand-in's tenant has configured in its console: case types and close reasons.

A case type's ``caseStatus`` is its flow; a new case stands at the first status. How a flow
status maps to a case's ``state`` (Processing, Pending, Completed) is not published: here a
case is Completed once closed, Pending while at a status named in ``PENDING_STATUSES``, and
Processing otherwise.
"""

from __future__ import annotations

from typing import Any

#: id -> caseTypeInfo, as ``GET /caseType/{id}`` answers it
CASE_TYPES: dict[str, dict[str, Any]] = {
    "casebot": {
        "id": "casebot",
        "typeName": "Assistant cases",
        "description": "Cases the assistant files",
        "status": "Active",
        "caseStatus": "Processing,Pending,Completed",
        "templateId": "casebot-template",
        "contentTemplateId": "",
        "parentId": "",
        "isStrictOrder": False,
    },
    "strict": {
        "id": "strict",
        "typeName": "Strict flow",
        "description": "A flow that moves one status at a time",
        "status": "Active",
        "caseStatus": "New,Processing,Pending,Completed",
        "templateId": "",
        "contentTemplateId": "",
        "parentId": "",
        "isStrictOrder": True,
    },
    "retired": {
        "id": "retired",
        "typeName": "Retired type",
        "description": "",
        "status": "Inactive",
        "caseStatus": "Processing,Completed",
        "templateId": "",
        "contentTemplateId": "",
        "parentId": "",
        "isStrictOrder": False,
    },
}
#: close-reason ids ``POST /close`` takes
CLOSE_REASONS = ("resolved", "duplicate", "no-response")
PENDING_STATUSES = ("Pending",)


def flow(type_id: str) -> list[str]:
    """The statuses of case type ``type_id``'s flow, in order."""
    raw = str(CASE_TYPES[type_id]["caseStatus"])
    return [status.strip() for status in raw.split(",") if status.strip()]


def state_of(status: str, closed: bool) -> str:
    """A case's state at flow status ``status``."""
    if closed:
        return "Completed"
    return "Pending" if status in PENDING_STATUSES else "Processing"
