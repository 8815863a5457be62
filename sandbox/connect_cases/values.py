"""Field values (FieldValueUnion) checked against the domain's field definitions.

Which union member each field type takes:

    Text, SingleSelect (one of its active options), Url (http/https)  stringValue
    Number                                                            doubleValue
    Boolean                                                           booleanValue
    DateTime   stringValue in ISO 8601, or doubleValue in seconds since the Unix epoch
    User                                                              userArnValue

A single-line Text field takes 500 characters, a multi-line one (``attributes.text.isMultiline``)
the 4,100 any string value may hold; the Summary system field takes 3,000.
``emptyValue`` clears a field. The service writes the reference number and the date-time system
fields itself, so requests may not. ``customer_id`` must be a Customer Profiles profile ARN in
the domain's own partition, region and account (when a case is written, the stand-in's).
``assigned_queue`` must be an Amazon Connect queue id (a UUID): AWS checks it against the queues
of the instance the domain is attached to, which this stand-in, kept apart from the Amazon Connect
one, cannot see; so it checks the shape, and a queue *name* is refused as it is on AWS.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from sandbox.connect_cases.arns import Arns
from sandbox.connect_cases.errors import ValidationException
from sandbox.connect_cases.records import Field, JsonDict, parse_iso
from sandbox.connect_cases.store import Session

EMPTY: JsonDict = {"emptyValue": {}}

#: fields the service maintains; writing them is a validation error
READ_ONLY_FIELDS = frozenset(
    {"reference_number", "created_datetime", "last_updated_datetime", "last_closed_datetime"}
)
#: the Summary system field is shorter than every other text field
SUMMARY_MAX_LENGTH = 3000
#: what a single-line Text field holds
SINGLE_LINE_MAX_LENGTH = 500

_MEMBERS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "Text": ("stringValue",),
    "SingleSelect": ("stringValue",),
    "Url": ("stringValue",),
    "Number": ("doubleValue",),
    "Boolean": ("booleanValue",),
    "DateTime": ("stringValue", "doubleValue"),
    "User": ("userArnValue",),
}
_TEXT_TYPES = frozenset({"Text", "SingleSelect", "Url"})
_QUEUE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_PROFILE_ARN = re.compile(r"arn:aws[\w-]*:profile:[\w-]+:\d{12}:domains/[^/]+/profiles/[^/]+")


@dataclass(frozen=True)
class FieldCatalog:
    """A domain's fields by id, and the active option values of its single-select fields."""

    fields: dict[str, Field]
    options: dict[str, frozenset[str]]

    @classmethod
    def load(cls, session: Session, domain_id: str) -> FieldCatalog:
        """Read the catalog of ``domain_id``."""
        fields = {field.field_id: field for field in session.list_fields(domain_id)}
        options = {
            field_id: frozenset(
                option.value
                for option in session.list_options(domain_id, field_id)
                if option.active
            )
            for field_id, field in fields.items()
            if field.type == "SingleSelect"
        }
        return cls(fields, options)

    def field(self, field_id: str) -> Field:
        """Return the field or raise ``ValidationException`` naming the unknown id."""
        field = self.fields.get(field_id)
        if field is None:
            raise ValidationException(f"Field {field_id} does not exist in this domain")
        return field

    def describe(self, field_ids: Iterable[str]) -> str:
        """Name fields for a message: ``Title (title), Priority (9f4c...)``."""
        return ", ".join(
            f"{self.fields[fid].name} ({fid})" if fid in self.fields else fid for fid in field_ids
        )


def member(value: JsonDict) -> tuple[str, Any]:
    """Return the one set member of a union value as ``(name, value)``."""
    name, content = next((k, v) for k, v in value.items() if v is not None)
    return name, content


def check_values(
    items: list[JsonDict], catalog: FieldCatalog, arns: Arns | None = None
) -> dict[str, JsonDict | None]:
    """Check a request's FieldValue list; return new values by field id (``None`` clears).

    ``arns`` is where the domain lives, which a ``customer_id`` profile must share. Every
    problem is reported in one ``ValidationException``.
    """
    problems: list[str] = []
    values: dict[str, JsonDict | None] = {}
    for item in items:
        field_id, value = item["id"], item["value"]
        field = catalog.fields.get(field_id)
        if field is None:
            problems.append(f"Field {field_id} does not exist in this domain")
        elif field_id in values:
            problems.append(f"Field {field_id} is given more than once")
        elif field_id in READ_ONLY_FIELDS:
            problems.append(f"Field {field_id} is maintained by the service and cannot be set")
        else:
            problem = value_problem(field, value, catalog.options.get(field_id, frozenset()), arns)
            if problem:
                problems.append(problem)
        values[field_id] = None if member(value)[0] == "emptyValue" else value
    if problems:
        raise ValidationException("; ".join(problems))
    return values


def value_problem(
    field: Field, value: JsonDict, options: frozenset[str], arns: Arns | None = None
) -> str | None:
    """Return why ``value`` does not suit ``field``, or ``None`` when it does."""
    kind, content = member(value)
    if kind == "emptyValue":
        return None
    label = f"Field {field.name} ({field.field_id})"
    mismatch = kind_problem(field, kind)
    if mismatch:
        return mismatch
    if kind == "doubleValue" and not math.isfinite(content):
        return f"{label} takes a finite number"
    if field.type == "SingleSelect" and content not in options:
        choices = ", ".join(sorted(options)) or "none"
        return f"{label} does not have the option '{content}' (options: {choices})"
    if field.type == "Url" and not _is_url(content):
        return f"{label} takes an http or https URL"
    if field.type == "DateTime" and kind == "stringValue" and parse_iso(content) is None:
        return f"{label} takes an ISO 8601 date-time"
    if field.type == "User" and not content.startswith("arn:"):
        return f"{label} takes a user ARN"
    if field.field_id == "summary":
        if len(content) > SUMMARY_MAX_LENGTH:
            return f"{label} accepts at most {SUMMARY_MAX_LENGTH} characters"
    elif field.type == "Text" and not field.multiline and len(content) > SINGLE_LINE_MAX_LENGTH:
        return f"{label} is a single-line text field: at most {SINGLE_LINE_MAX_LENGTH} characters"
    if field.field_id == "assigned_queue" and not _QUEUE_ID.fullmatch(content):
        return f"{label} takes an Amazon Connect queue id, not a queue name"
    if field.field_id == "customer_id" and not _PROFILE_ARN.fullmatch(content):
        return (
            f"{label} takes a Customer Profiles ARN: "
            "arn:aws:profile:REGION:ACCOUNT:domains/DOMAIN/profiles/PROFILE_ID"
        )
    if field.field_id == "customer_id" and arns is not None:
        region, account = content.split(":")[3:5]
        if (region, account) != (arns.region, arns.account_id):
            return (
                f"{label} must name a profile in the domain's region and account "
                f"({arns.region}, {arns.account_id}), not ({region}, {account})"
            )
    return None


def kind_problem(field: Field, kind: str) -> str | None:
    """Return why a ``kind`` union member does not suit ``field``'s type, or ``None``."""
    allowed = _MEMBERS_BY_TYPE.get(field.type, ())
    if kind in allowed or kind == "emptyValue":
        return None
    return (
        f"Field {field.name} ({field.field_id}) is of type {field.type} "
        f"and takes {' or '.join(allowed)}, not {kind}"
    )


def comparable(field: Field, value: JsonDict | None) -> float | str | None:
    """Return a value that orders like the field's values do, or ``None`` when there is none."""
    if value is None:
        return None
    kind, content = member(value)
    if kind == "emptyValue":
        return None
    if field.type == "DateTime":
        if kind == "doubleValue":
            return float(content)
        moment = parse_iso(str(content))
        return None if moment is None else moment.timestamp()
    if kind in ("doubleValue", "booleanValue"):
        return float(content)
    return str(content).casefold()


def is_text(field: Field) -> bool:
    """Tell whether the field holds free text that a search term can match."""
    return field.type in _TEXT_TYPES


def _is_url(text: str) -> bool:
    parts = urlparse(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
