"""Reading AICC cases, pages of them and their history back into the interface's models."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cases.aicc import fields as f
from cases.aicc.calls import AiccCaller
from cases.backend import Case, CaseEvent, CaseNotFound, Page

#: caseInfo field -> logical name, for history records
_LOGICAL = {"state": "status", "ownerId": "assigned_user", "dueDate": "due_date"}


class AiccReader:
    """Queries AICC and turns its answers into ``Case``, ``Page`` and ``CaseEvent``."""

    def __init__(self, calls: AiccCaller, case_type: f.CaseType, zone: ZoneInfo) -> None:
        self._calls = calls
        self._type = case_type
        self._zone = zone

    async def case(self, case_id: str) -> Case:
        """The case ``case_id``; ``CaseNotFound`` when AICC has none."""
        found = await self.page(
            {"conditions": {"caseId": case_id}, "offset": 0, "limit": 1, "order": "desc"}
        )
        if not found.cases:
            raise CaseNotFound(f"AICC has no case {case_id}")
        return found.cases[0]

    async def page(self, body: dict[str, Any]) -> Page:
        """One page of a query; the next page's token is its offset."""
        result = await self._calls.call("query", body) or {}
        cases = [self.from_info(info) for info in result.get("cases", [])]
        total = result.get("total")
        following = int(body.get("offset", 0)) + len(cases)
        more = cases and isinstance(total, int) and following < total
        return Page(
            cases=cases,
            next_token=str(following) if more else None,
            total=total if isinstance(total, int) else None,
        )

    async def history(self, case_id: str, since: datetime | None) -> list[CaseEvent]:
        """The case's recorded changes, newest first, after ``since`` when given."""
        result = await self._calls.call("history", {"caseId": case_id}) or {}
        events = []
        for record in result.get("records", []):
            field = self._logical(str(record["field"]))
            events.append(
                CaseEvent(
                    at=f.parse_due(record["time"], self._zone),
                    field=field,
                    old=_logical_value(field, record.get("oldValue")),
                    new=_logical_value(field, record.get("newValue")),
                    by=_text_or_none(record.get("operator")),
                )
            )
        # AICC's times are to the second: of two in one second, the later-recorded is newer
        events.reverse()
        events.sort(key=lambda event: event.at, reverse=True)
        return [event for event in events if since is None or event.at > since]

    def _logical(self, field: str) -> str:
        if field in _LOGICAL:
            return _LOGICAL[field]
        extension = self._type.extension_fields.get(field)
        return extension.source if extension and extension.source else field

    def from_info(self, info: dict[str, Any]) -> Case:
        """The case a caseInfo (with its caseId, createdDate, updatedDate) describes."""
        case_id = str(info["caseId"])
        contact_field = self._type.field_for("contact")
        customer_field = self._type.field_for("customer_id")
        contact = info.get(contact_field) if contact_field else None
        state = str(info.get("state", ""))
        return Case(
            case_id=case_id,
            ref=case_id,
            title=str(info.get("title", "")),
            status=f.STATUS_OF.get(state, state),
            description=str(info.get("description", "")),
            contact=str(contact or info.get("contactPhone") or info.get("contactId") or ""),
            priority=str(info.get("priority", "")),
            origin=f.ORIGIN_FROM_AICC.get(str(info.get("origin", "")), str(info.get("origin", ""))),
            customer_id=_text_or_none(info.get(customer_field)) if customer_field else None,
            created_at=self._when(info.get("createdDate")),
            updated_at=self._when(info.get("updatedDate")),
            fields={
                name: value
                for name, value in info.items()
                if value is None or isinstance(value, str | int | float | bool)
            },
        )

    def _when(self, value: object) -> datetime | None:
        return f.parse_due(value, self._zone) if isinstance(value, str) and value else None


def _logical_value(field: str, value: object) -> str | None:
    """A history value as the assistant names it (AICC's state and origin spellings mapped)."""
    text = _text_or_none(value)
    names = {"status": f.STATUS_OF, "origin": f.ORIGIN_FROM_AICC}.get(field, {})
    return names.get(text, text) if text is not None else None


def _text_or_none(value: object) -> str | None:
    return None if value is None or value == "" else str(value)
