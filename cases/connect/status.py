"""A case's status on Connect Cases: the system ``status`` field, and "on hold" beside it.

The system field is open/closed only, and no option is ever added to it. "On hold" is a status
only where the domain has the template file's ``on_hold`` state field (a Boolean): a case on
hold is open with that field true, and it is read back as ``ON_HOLD``. Opening or closing a
case takes it off hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cases.backend import CLOSED, ON_HOLD, OPEN, CaseEvent, InvalidCase
from cases.connect.schema import ConnectSchema
from cases.connect.values import Scalar

if TYPE_CHECKING:
    from mypy_boto3_connectcases.type_defs import CaseFilterTypeDef, FieldValueTypeDef

ON_HOLD_FIELD = "on_hold"


def status_of(named: dict[str, Scalar]) -> str:
    """The logical status of a case's values by logical name."""
    status = str(named.get("status") or "")
    if status == OPEN and named.get(ON_HOLD_FIELD) is True:
        return ON_HOLD
    return status


def status_values(
    schema: ConnectSchema, status: str, current: dict[str, Scalar]
) -> dict[str, FieldValueTypeDef]:
    """Field id -> wire value that give a case whose values are ``current`` the logical
    ``status``; only the fields that change.

    ``InvalidCase`` for a status the domain cannot hold ("on hold" without its field).
    """
    if status not in schema.template.statuses:
        raise InvalidCase(
            f"cases here take the status {' or '.join(schema.template.statuses)}, not {status!r}"
        )
    wanted = status_named(schema, status)
    # a field already right is not written again (its audit event would say nothing), unless
    # that leaves nothing to write
    changed = {name: value for name, value in wanted.items() if current.get(name) != value}
    values: dict[str, FieldValueTypeDef] = {}
    for name, value in (changed or {"status": wanted["status"]}).items():
        field_id = schema.required_id(name)
        if isinstance(value, bool):
            values[field_id] = {"id": field_id, "value": {"booleanValue": value}}
        else:
            values[field_id] = {"id": field_id, "value": {"stringValue": str(value)}}
    return values


def status_criteria(schema: ConnectSchema, status: str) -> list[CaseFilterTypeDef]:
    """The SearchCases matches for cases with the logical ``status``."""
    if status != ON_HOLD:
        return [{"field": {"equalTo": {"id": "status", "value": {"stringValue": status}}}}]
    on_hold = schema.field_id(ON_HOLD_FIELD) if ON_HOLD_FIELD in schema.state else None
    if on_hold is None:
        raise InvalidCase("no case here can be on hold: the domain has no field for it")
    return [
        {"field": {"equalTo": {"id": "status", "value": {"stringValue": OPEN}}}},
        {"field": {"equalTo": {"id": on_hold, "value": {"booleanValue": True}}}},
    ]


def status_named(schema: ConnectSchema, status: str) -> dict[str, Scalar]:
    """The values by logical name that ``status_values`` writes."""
    named: dict[str, Scalar] = {"status": CLOSED if status == CLOSED else OPEN}
    if ON_HOLD_FIELD in schema.state:
        named[ON_HOLD_FIELD] = status == ON_HOLD
    return named


def status_events(events: list[CaseEvent]) -> list[CaseEvent]:
    """History as statuses: a change of ``on_hold`` reads as one of the status.

    Where the same change moved ``status`` too (a case closed while on hold), the status
    event alone tells it.
    """
    moved = {event.at for event in events if event.field == "status" and event.old != event.new}
    shown: list[CaseEvent] = []
    for event in events:
        if event.field != ON_HOLD_FIELD:
            shown.append(event)
        elif event.at not in moved:
            held = event.new == "True"
            shown.append(
                event.model_copy(
                    update={
                        "field": "status",
                        "old": OPEN if held else ON_HOLD,
                        "new": ON_HOLD if held else OPEN,
                    }
                )
            )
    return shown
