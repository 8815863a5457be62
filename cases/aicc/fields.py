"""AICC ``caseInfo`` values: byte limits, spellings, and the case types' extension fields.

AICC counts field lengths in UTF-8 bytes, so "é" costs two and most CJK characters three.
Values the assistant knows by logical name are translated here both ways; everything about
a case type that AICC keeps in its own console (extension fields, due times) comes from
``data/aicc/case_types.yaml``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field

from cases.aicc import assumed
from cases.backend import CaseDraft, InvalidCase

#: standard caseInfo fields and their limits in UTF-8 bytes
TITLE_MAX_BYTES = 128
DESCRIPTION_MAX_BYTES = 20_000
ID_MAX_BYTES = 20
#: a processing record's title and description (``POST /case/process``)
PROCESS_TITLE_MAX_BYTES = 128
PROCESS_MAX_BYTES = 20_000
#: a transfer's remark
REMARK_MAX_BYTES = 2_000
#: AICC's dueDate format; it carries no zone (the configured one is sent)
DUE_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
#: ends a description whose text goes on in the case's comments
CONTINUED_MARKER = " [continued in comments]"

PRIORITIES = ("Low", "Medium", "High", "Critical")
#: logical origin (lower case) -> AICC's spelling, "Whatapp" as its parameter table has it
ORIGIN_TO_AICC = {"webchat": "webchat", "whatsapp": "Whatapp", "voice": "Voice", "email": "Email"}
ORIGIN_FROM_AICC = {"webchat": "webchat", "Whatapp": "WhatsApp", "Voice": "Voice", "Email": "Email"}
#: the channel a conversation is on -> origin, when the form gave none
CHANNEL_ORIGIN = {
    "webchat": "webchat",
    "whatsapp": "whatsapp",
    "twilio": "whatsapp",
    "voice": "voice",
}
#: logical fields of the template file the published Case 2.0 calls have no place for: the
#: customer's rating (``satisfaction``) goes on an AICC case as a comment instead
NOT_HELD = frozenset({"satisfaction"})
#: a case's ``state`` as AICC's list rows carry it -> logical status
STATUS_OF = {"Processing": "open", "Pending": "pending", "Completed": "closed"}
STATUSES = tuple(STATUS_OF.values())


def utf8_len(text: str) -> int:
    """Length of ``text`` in UTF-8 bytes."""
    return len(text.encode("utf-8"))


def cut_utf8(text: str, limit: int) -> str:
    """The longest start of ``text`` that fits ``limit`` UTF-8 bytes, never half a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def cut_description(text: str) -> tuple[str, bool]:
    """The description as caseInfo takes it, and whether the full text must go in comments."""
    if utf8_len(text) <= DESCRIPTION_MAX_BYTES:
        return text, False
    head = cut_utf8(text, DESCRIPTION_MAX_BYTES - utf8_len(CONTINUED_MARKER))
    return head.rstrip() + CONTINUED_MARKER, True


def split_utf8(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` UTF-8 bytes that join back into ``text`` exactly."""
    parts: list[str] = []
    rest = text
    while rest:
        part = cut_utf8(rest, limit)
        parts.append(part)
        rest = rest[len(part) :]
    return parts


def check_bytes(name: str, value: str, limit: int) -> str:
    """``value`` if it fits ``limit`` UTF-8 bytes, else ``InvalidCase`` saying by how much."""
    size = utf8_len(value)
    if size > limit:
        raise InvalidCase(
            f"AICC takes at most {limit} bytes of UTF-8 in {name}; this one has {size} "
            f"({len(value)} characters)"
        )
    return value


def aicc_priority(priority: str) -> str:
    """AICC's spelling of a priority, matched without regard to case."""
    for known in PRIORITIES:
        if priority.strip().lower() == known.lower():
            return known
    raise InvalidCase(f"AICC has no priority {priority!r}; it takes {', '.join(PRIORITIES)}")


def aicc_origin(origin: str, channel: str) -> str | None:
    """AICC's spelling of the case's origin (from the channel when the form gave none)."""
    logical = origin.strip().lower() or CHANNEL_ORIGIN.get(channel.lower(), "")
    if not logical:
        return None
    try:
        return ORIGIN_TO_AICC[logical]
    except KeyError:
        raise InvalidCase(
            f"AICC has no origin {origin!r}; it takes {', '.join(ORIGIN_TO_AICC)}"
        ) from None


def logical_status(status: str) -> str:
    """A logical status as the assistant names it; ``InvalidCase`` for one AICC cannot reach."""
    wanted = status.strip().lower()
    if wanted not in STATUSES:
        raise InvalidCase(f"AICC cases have no status {status!r}; they take {', '.join(STATUSES)}")
    return wanted


def format_due(at: datetime, zone: ZoneInfo) -> str:
    """``at`` (aware) written as AICC's dueDate in ``zone``."""
    return at.astimezone(zone).strftime(DUE_DATE_FORMAT)


def parse_due(text: str, zone: ZoneInfo) -> datetime:
    """An AICC date (as written in ``zone``) back as an aware datetime."""
    return datetime.strptime(text, DUE_DATE_FORMAT).replace(tzinfo=zone)


def contact_id(draft: CaseDraft) -> str:
    """The case's contactId: the customer id when there is one, else the contact.

    ``/case/list`` filters by contactId and not by extension fields, so a search by contact
    or customer id sends the same ``contact_key`` of the value it was filed under.
    """
    return contact_key(draft.customer_id or draft.contact)


def contact_key(value: str) -> str:
    """The contactId ``value`` is filed and searched under (``assumed.contact_key``)."""
    return assumed.contact_key(value, ID_MAX_BYTES)


def contact_phone(contact: str) -> str | None:
    """The contact as contactPhone when it is a phone number that fits, else ``None``."""
    digits = contact.removeprefix("+").replace(" ", "")
    if digits.isdigit() and utf8_len(contact) <= ID_MAX_BYTES:
        return contact
    return None


class ExtensionField(BaseModel):
    """One extension field of a case type's custom template."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: the draft value it takes (see the file's header), if any
    source: str | None = None
    default: str | None = None
    max_bytes: int | None = Field(default=None, gt=0)


class CaseType(BaseModel):
    """What the assistant knows of one AICC case type."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: priority -> hours from creation to dueDate
    due_hours: dict[str, float] = Field(default_factory=dict)
    #: logical status (open, pending) -> the status of the type's flow a case moves to
    statuses: dict[str, str] = Field(default_factory=dict)
    #: the close-reason id a case closed by the assistant is closed with
    close_reason: str = "resolved"
    extension_fields: dict[str, ExtensionField] = Field(default_factory=dict)

    def due_date(self, priority: str, now: datetime) -> datetime | None:
        """When a case of ``priority`` opened at ``now`` is due, if this type says."""
        hours = self.due_hours.get(priority)
        return None if hours is None else now + timedelta(hours=hours)

    def extension_values(self, draft: CaseDraft, idempotency_key: str) -> dict[str, str]:
        """The extension fields' values for a new case, byte limits checked."""
        sources = draft.model_dump() | {"idempotency_key": idempotency_key}
        values: dict[str, str] = {}
        for name, field in self.extension_fields.items():
            value = sources.get(field.source) if field.source else None
            value = value if value not in (None, "") else field.default
            if value is None:
                continue
            # spelled as Connect's "Contact verified" options, so both back ends read alike
            text = ("Yes" if value else "No") if isinstance(value, bool) else str(value)
            values[name] = check_bytes(name, text, field.max_bytes) if field.max_bytes else text
        return values

    def field_for(self, source: str) -> str | None:
        """The extension field holding the draft value ``source``, if any."""
        for name, field in self.extension_fields.items():
            if field.source == source:
                return name
        return None


@lru_cache(maxsize=8)
def load_case_types(path: Path) -> dict[str, CaseType]:
    """Read the case types file once per path."""
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    return {str(type_id): CaseType.model_validate(spec or {}) for type_id, spec in raw.items()}
