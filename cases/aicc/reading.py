"""Reading AICC's answers back into the interface's models: cases, list pages, history.

``GET /case/{id}`` answers ``caseInfo`` and ``caseTrace`` (the example wraps them in a
one-element array); ``POST /case/list`` answers ``[{"caseList": [...], "count": N}]``. Both
shapes are also read when a tenant answers the bare object.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cases.aicc import assumed
from cases.aicc import fields as f
from cases.backend import Case, CaseEvent, CaseNotFound

#: AICC field -> logical name, for history records
_LOGICAL = {
    "state": "status",
    "ownerId": "assigned_user",
    "queueId": "assigned_queue",
    "dueDate": "due_date",
    "contactPhone": "contact",
}
#: AICC's spellings of values -> the assistant's, per logical field
_VALUES = {"status": f.STATUS_OF, "origin": f.ORIGIN_FROM_AICC}


def first(result: Any) -> dict[str, Any]:
    """The object of an answer that is an object or a one-element array of one."""
    if isinstance(result, list):
        result = result[0] if result else None
    return result if isinstance(result, dict) else {}


def list_rows(result: Any) -> tuple[list[dict[str, Any]], int | None]:
    """The rows and the count of a ``/case/list`` answer."""
    found = first(result)
    rows = [row for row in found.get("caseList") or [] if isinstance(row, dict)]
    count = found.get("count")
    if isinstance(count, str) and count.isdigit():
        count = int(count)
    return rows, count if isinstance(count, int) else None


class AiccReader:
    """Turns caseInfo, list rows and caseTrace into ``Case`` and ``CaseEvent``."""

    def __init__(self, case_type: f.CaseType, zone: ZoneInfo) -> None:
        self._type = case_type
        self._zone = zone

    def detail(self, result: Any, case_id: str) -> tuple[Case, list[Any]]:
        """The case and its ``caseTrace`` records from a ``GET /case/{id}`` answer."""
        found = first(result)
        info = found.get("caseInfo")
        if isinstance(info, list):
            info = first(info)
        if not isinstance(info, dict) or not info:
            raise CaseNotFound(f"AICC has no case {case_id}")
        trace = found.get("caseTrace")
        return self.case(info | {"id": info.get("id") or case_id}), (
            trace if isinstance(trace, list) else []
        )

    def history(self, trace: list[Any], since: datetime | None) -> list[CaseEvent]:
        """The case's recorded changes, newest first, after ``since`` when given."""
        logical = _LOGICAL | {
            name: ext.source
            for name, ext in self._type.extension_fields.items()
            if ext.source and name not in _LOGICAL
        }
        events = assumed.trace_events(trace, self._zone, logical, _VALUES)
        # AICC's times are to the second: of two in one second, the later-recorded is newer
        events.reverse()
        events.sort(key=lambda event: event.at, reverse=True)
        return [event for event in events if since is None or event.at > since]

    def case(self, info: dict[str, Any]) -> Case:
        """The case a caseInfo or list row describes."""
        case_id = str(info.get("id") or info.get("caseId") or "")
        contact_field = self._type.field_for("contact")
        customer_field = self._type.field_for("customer_id")
        contact = info.get(contact_field) if contact_field else None
        return Case(
            case_id=case_id,
            ref=case_id,
            title=str(info.get("title", "")),
            status=self._status(info),
            description=str(info.get("description", "")),
            contact=str(contact or info.get("contactPhone") or info.get("contactId") or ""),
            priority=str(info.get("priority", "")),
            origin=self._origin(info),
            customer_id=_text_or_none(info.get(customer_field)) if customer_field else None,
            created_at=self._when(info.get("createdDate")),
            updated_at=self._when(info.get("updatedDate") or info.get("createdDate")),
            fields={
                name: value
                for name, value in info.items()
                if value is None or isinstance(value, str | int | float | bool)
            },
        )

    def _status(self, info: dict[str, Any]) -> str:
        state = str(info.get("state") or "")
        if state in f.STATUS_OF:
            return f.STATUS_OF[state]
        if info.get("closedDate"):
            return "closed"
        # a tenant that answers no state: the flow's status named for a logical one
        wanted = {flow: logical for logical, flow in self._type.statuses.items()}
        return wanted.get(str(info.get("status") or ""), "open")

    def _origin(self, info: dict[str, Any]) -> str:
        override = self._type.field_for("origin")
        if override and override in info:
            value = str(info[override] or "")
            if not value:
                return ""
            spelled = f.ORIGIN_TO_AICC.get(value.lower(), value)
            return f.ORIGIN_FROM_AICC.get(spelled, value)
        origin = str(info.get("origin") or "")
        return f.ORIGIN_FROM_AICC.get(origin, origin)

    def _when(self, value: object) -> datetime | None:
        if not isinstance(value, str) or not value:
            return None
        try:
            return f.parse_due(value, self._zone)
        except ValueError:
            return None


def _text_or_none(value: object) -> str | None:
    return None if value is None or value == "" else str(value)
