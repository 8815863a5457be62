"""Writing AICC caseInfo: a new case's fields, and what a change by logical name sends.

A change is split by the call that makes it: fields ``POST /case/modify`` takes, moves to a
user or queue (``POST /case/transfer``), and a status (``status/update`` and ``close``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cases.aicc import fields as f
from cases.backend import CaseDraft, InvalidCase


@dataclass
class Plan:
    """What one ``update_case`` sends, by call."""

    #: caseInfo members for ``/case/modify`` (besides id, title, description, creatorId)
    modify: dict[str, Any] = field(default_factory=dict)
    #: (ownerType, ownerId) for each ``/case/transfer``
    transfers: list[tuple[str, str]] = field(default_factory=list)
    #: the logical status to move to, if any
    status: str | None = None


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

    def plan(self, fields: dict[str, str | None]) -> Plan:
        """The calls that set each logical field of ``fields`` (``None`` clears one)."""
        plan = Plan()
        for logical, raw in fields.items():
            value = raw or ""
            if logical == "status":
                plan.status = f.logical_status(value)
            elif logical == "assigned_queue":
                if not value:
                    raise InvalidCase("AICC moves a case to a queue or a user, not off its queue")
                plan.transfers.append(("queue", f.check_bytes("ownerId", value, f.ID_MAX_BYTES)))
            elif logical == "assigned_user" and value:
                plan.transfers.append(("user", f.check_bytes("ownerId", value, f.ID_MAX_BYTES)))
            else:
                plan.modify.update(self._modified(logical, value))
        return plan

    def _modified(self, logical: str, value: str) -> dict[str, Any]:
        if logical == "title":
            return {"title": f.check_bytes("title", value, f.TITLE_MAX_BYTES)}
        if logical == "description":
            return {"description": f.check_bytes("description", value, f.DESCRIPTION_MAX_BYTES)}
        if logical == "priority":
            return {"priority": f.aicc_priority(value) if value else ""}
        if logical == "assigned_user":
            return {"ownerId": ""}
        if logical == "origin":
            # modify takes no origin: the case type keeps a changed one in a template field
            f.aicc_origin(value, "")
            return {self.extension("origin"): value}
        if logical == "due_date":
            due = datetime.fromisoformat(value) if value else None
            if due is not None and due.tzinfo is None:
                due = due.replace(tzinfo=self._zone)
            return {"dueDate": f.format_due(due, self._zone) if due else ""}
        if logical == "contact":
            return {"contactPhone": f.contact_phone(value) or "", self.extension("contact"): value}
        name = self._type.field_for(logical)
        if name is None:
            raise InvalidCase(f"AICC case type {self._type_id} has no field {logical!r}")
        limit = self._type.extension_fields[name].max_bytes
        return {name: f.check_bytes(name, value, limit) if limit else value}

    def extension(self, source: str) -> str:
        """The extension field holding the draft value ``source``; ``InvalidCase`` if none."""
        field = self._type.field_for(source)
        if field is None:
            raise InvalidCase(f"AICC case type {self._type_id} keeps no {source} to search by")
        return field
