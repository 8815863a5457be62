"""Writing AICC caseInfo: a new case's fields, and the fields a change by logical name sets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cases.aicc import fields as f
from cases.backend import CaseDraft, InvalidCase


class AiccWriter:
    """Builds caseInfo for one case type, creator and auto-assignment spelling."""

    def __init__(
        self,
        type_id: str,
        case_type: f.CaseType,
        creator_id: str,
        auto_assigned_key: str,
        zone: ZoneInfo,
        now: Callable[[], datetime],
    ) -> None:
        self._type_id = type_id
        self._type = case_type
        self._creator = creator_id
        self._auto_key = auto_assigned_key
        self._zone = zone
        self._now = now

    def new_case(self, draft: CaseDraft, key: str) -> tuple[dict[str, Any], bool]:
        """A new case's caseInfo, and whether its description goes on in comments."""
        description, spills = f.cut_description(draft.description)
        priority = f.aicc_priority(draft.priority) if draft.priority else None
        info: dict[str, Any] = {
            "title": f.check_bytes("title", draft.title, f.TITLE_MAX_BYTES),
            "description": description,
            "type": self._type_id,
            self._auto_key: True,
            "contactId": f.contact_id(draft),
            "creatorId": self._creator,
            "state": f.STATE_OF["open"],
        }
        if priority:
            info["priority"] = priority
            due = self._type.due_date(priority, self._now())
            if due is not None:
                info["dueDate"] = f.format_due(due, self._zone)
        origin = f.aicc_origin(draft.origin, draft.channel)
        if origin:
            info["origin"] = origin
        phone = f.contact_phone(draft.contact)
        if phone:
            info["contactPhone"] = phone
        extensions = self._type.extension_values(draft, key)
        clash = set(extensions) & set(info)
        if clash:
            raise InvalidCase(f"extension fields {sorted(clash)} clash with AICC's own fields")
        return info | extensions, spills

    def change(self, logical: str, raw: str | None) -> list[tuple[str, Any]]:
        """The caseInfo fields and values that set logical field ``logical`` to ``raw``."""
        value = raw or ""
        if logical == "title":
            return [("title", f.check_bytes("title", value, f.TITLE_MAX_BYTES))]
        if logical == "description":
            return [("description", f.check_bytes("description", value, f.DESCRIPTION_MAX_BYTES))]
        if logical == "priority":
            return [("priority", f.aicc_priority(value) if value else "")]
        if logical == "origin":
            return [("origin", f.aicc_origin(value, "") or "")]
        if logical == "status":
            return [("state", f.aicc_state(value))]
        if logical == "assigned_user":
            owner = f.check_bytes("ownerId", value, f.ID_MAX_BYTES)
            return [("ownerId", owner), (self._auto_key, not owner)]
        if logical == "due_date":
            due = datetime.fromisoformat(value) if value else None
            if due is not None and due.tzinfo is None:
                due = due.replace(tzinfo=self._zone)
            return [("dueDate", f.format_due(due, self._zone) if due else "")]
        if logical == "contact":
            changes: list[tuple[str, Any]] = [("contactPhone", f.contact_phone(value) or "")]
            return [*changes, (self.extension("contact"), value)]
        field = self._type.field_for(logical)
        if field is None:
            raise InvalidCase(f"AICC case type {self._type_id} has no field {logical!r}")
        limit = self._type.extension_fields[field].max_bytes
        return [(field, f.check_bytes(field, value, limit) if limit else value)]

    def extension(self, source: str) -> str:
        """The extension field holding the draft value ``source``; ``InvalidCase`` if none."""
        field = self._type.field_for(source)
        if field is None:
            raise InvalidCase(f"AICC case type {self._type_id} keeps no {source} to search by")
        return field
