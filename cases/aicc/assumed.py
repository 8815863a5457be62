"""What AICC's Case 2.0 reference leaves open, ASSUMED here and nowhere else.

Every call, path, required member and answer envelope the adapter uses is published; these are
not, so each is one small table or function, read as tolerantly as it can be:

1. ``resCode`` values: only ``"0"`` (success) is published. Others are read by their first
   three digits as an HTTP-like class (``RES_CODE_CLASSES``); an unknown class is
   ``BackendUnavailable``, and ``resMsg`` is kept in the error either way.
2. The reference a person is shown is the case's ``id`` (what create answers as ``caseId`` and
   ``GET /case/{id}`` takes); ``caseNo`` is kept in the case's fields but not looked up by
   (``case_id_of``).
3. A ``caseTrace`` record's members: a time (``createdDate``), who (``creatorId``) and, for a
   change, ``field`` / ``oldValue`` / ``newValue`` (``trace_events``). A record without a
   readable time or field is skipped rather than failing the whole history.
4. ``attachment``'s string format is unpublished and there is no upload call: the adapter
   never sends one; a file becomes a processing record describing it (``file_remark``).
5. ``start`` of ``/case/list`` is a row offset (not a page number), rows come newest first,
   and ``title`` matches part of a title (``LIST_ORDER_NEWEST_FIRST``).
6. ``caseInfo`` in ``GET /case/{id}`` carries the case type's template (extension) fields next
   to the standard ones; a tenant that leaves them out loses only what they hold (the full
   contact, the conversation, a changed origin), never the standard fields.
7. ``contactId`` (required, 20 bytes) takes any id: the customer id, else the contact, else a
   stable digest of a longer one (``contact_key``); no call to look up or create an AICC
   contact is published.
8. ``GET /case/{id}`` answering success with no ``caseInfo`` means no such case
   (``cases.aicc.reading.AiccReader.detail`` raises ``CaseNotFound``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cases.backend import (
    BackendError,
    BackendUnavailable,
    CaseEvent,
    CaseNotFound,
    Conflict,
    InvalidCase,
    Throttled,
)

#: (1) first three digits of a failing resCode -> the error raised; "401" means a refused token
RES_CODE_CLASSES: dict[str, type[BackendError]] = {
    "400": InvalidCase,
    "404": CaseNotFound,
    "409": Conflict,
    "429": Throttled,
}
TOKEN_REFUSED_CLASS = "401"

#: (5) the order /case/list answers in, which the adapter reverses for oldest-first searches
LIST_ORDER_NEWEST_FIRST = True

#: (3) caseTrace member names read, first found wins
_TRACE_TIME = ("createdDate", "time", "operateTime")
_TRACE_BY = ("creatorId", "operator", "operatorId")


def error_for(code: str) -> type[BackendError]:
    """(1) The error a failing ``resCode`` stands for."""
    return RES_CODE_CLASSES.get(code[:3], BackendUnavailable)


def token_refused(code: str) -> bool:
    """(1) Whether a failing ``resCode`` says the access token was refused."""
    return code.startswith(TOKEN_REFUSED_CLASS)


def case_id_of(ref: str) -> str:
    """(2) The case id a reference names: the reference itself, trimmed."""
    return ref.strip()


def contact_key(value: str, limit: int) -> str:
    """(7) ``value`` when it fits ``limit`` UTF-8 bytes, else a stable digest of it."""
    if len(value.encode("utf-8")) <= limit:
        return value
    return "c-" + hashlib.sha256(value.encode("utf-8")).hexdigest()[: limit - 2]


def trace_events(
    records: Iterable[object],
    zone: ZoneInfo,
    logical: Mapping[str, str],
    values: Mapping[str, Mapping[str, str]],
) -> list[CaseEvent]:
    """(3) The changes ``caseTrace`` records, in its order, by logical field name.

    ``logical`` maps AICC field names to the assistant's; ``values`` per logical field maps
    AICC's spellings of a value to the assistant's.
    """
    events = []
    for record in records:
        if not isinstance(record, dict):
            continue
        at = _first_time(record, zone)
        field = record.get("field")
        if at is None or not isinstance(field, str) or not field:
            continue
        name = logical.get(field, field)
        names = values.get(name, {})
        old, new = _text(record.get("oldValue")), _text(record.get("newValue"))
        events.append(
            CaseEvent(
                at=at,
                field=name,
                old=names.get(old, old) if old is not None else None,
                new=names.get(new, new) if new is not None else None,
                by=next((_text(record.get(k)) for k in _TRACE_BY if _text(record.get(k))), None),
            )
        )
    return events


def file_remark(name: str, content_type: str, size: int) -> str:
    """(4) The processing record that stands for a file the customer sent."""
    return (
        f"The customer sent a file: {name} ({content_type}, {_size(size)}). "
        "It could not be uploaded to AICC; ask the customer for it if it is needed."
    )


def _first_time(record: dict[str, Any], zone: ZoneInfo) -> datetime | None:
    for key in _TRACE_TIME:
        value = record.get(key)
        if isinstance(value, str) and value:
            try:
                return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
            except ValueError:
                return None
    return None


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
