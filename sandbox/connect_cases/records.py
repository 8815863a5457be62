"""What the Connect Cases stand-in stores: plain records, and the timestamps it writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

JsonDict = dict[str, Any]


def iso_now() -> str:
    """Return the current UTC time as the service writes it: ``2024-05-01T12:34:56.789Z``."""
    return iso(datetime.now(UTC))


def iso(moment: datetime) -> str:
    """Format ``moment`` (UTC) with milliseconds and a ``Z``."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def parse_iso(text: str) -> datetime | None:
    """Read an ISO 8601 date-time (UTC when it names no zone); ``None`` when unreadable."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Domain:
    """A Cases domain."""

    domain_id: str
    name: str
    created_time: str
    status: str = "Active"


@dataclass(frozen=True)
class Field:
    """A field definition of a domain."""

    domain_id: str
    field_id: str
    name: str
    type: str
    namespace: str
    description: str | None
    created_time: str
    last_modified_time: str
    #: a Text field's ``attributes.text.isMultiline``; a single-line one holds 500 characters
    multiline: bool = False


@dataclass(frozen=True)
class FieldOption:
    """One choice of a single-select field."""

    name: str
    value: str
    active: bool = True


@dataclass(frozen=True)
class Layout:
    """A layout: the fields shown in the agent's top panel and "more info" section."""

    domain_id: str
    layout_id: str
    name: str
    content: JsonDict
    created_time: str
    last_modified_time: str


@dataclass(frozen=True)
class Template:
    """A case template: its required fields, status and default layout."""

    domain_id: str
    template_id: str
    name: str
    description: str | None
    status: str
    layout_id: str | None
    required_fields: list[str]
    created_time: str
    last_modified_time: str


@dataclass(frozen=True)
class CaseRecord:
    """A case: its field values (FieldValueUnion dicts by field id) and tags."""

    seq: int
    domain_id: str
    case_id: str
    template_id: str
    fields: dict[str, JsonDict]
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RelatedItem:
    """A comment, contact, file, SLA, linked case or custom item attached to a case."""

    seq: int
    domain_id: str
    case_id: str
    related_item_id: str
    type: str
    #: RelatedItemContent as returned by SearchRelatedItems
    content: JsonDict
    association_time: str
    performed_by: JsonDict | None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditEvent:
    """One entry of a case's audit history."""

    seq: int
    domain_id: str
    case_id: str
    event_id: str
    type: str
    related_item_type: str | None
    performed_time: str
    #: AuditEventField dicts
    fields: list[JsonDict]
    #: AuditEventPerformedBy
    performed_by: JsonDict
