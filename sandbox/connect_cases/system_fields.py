"""The system fields every Connect Cases domain is created with: ids, names, types, options."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemField:
    """One system field as CreateDomain makes it."""

    field_id: str
    name: str
    type: str
    #: the choices of a single-select field
    options: tuple[str, ...] = ()


SYSTEM_FIELDS: tuple[SystemField, ...] = (
    SystemField("title", "Title", "Text"),
    # open and closed only, as on AWS: other states of a case are custom fields
    SystemField("status", "Status", "SingleSelect", ("open", "closed")),
    SystemField("customer_id", "Customer", "Text"),
    SystemField("summary", "Summary", "Text"),
    SystemField("reference_number", "Reference number", "Text"),
    SystemField("created_datetime", "Created date/time", "DateTime"),
    SystemField("last_updated_datetime", "Last updated date/time", "DateTime"),
    SystemField("last_closed_datetime", "Last closed date/time", "DateTime"),
    SystemField("assigned_queue", "Assigned queue", "Text"),
    SystemField("assigned_user", "Assigned user", "User"),
    SystemField("case_reason", "Case reason", "SingleSelect"),
)
