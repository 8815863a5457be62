"""What the AICC stand-in accepts: each call's required members, byte limits, values, paging.

Required members and limits are those of Huawei's Case 2.0 reference; lengths are UTF-8 bytes.
The failure ``resCode`` values are not published: the stand-in's first three digits are an
HTTP-like class (401 token, 400 values, 404 no such case or case type), as the adapter reads
them. Both spellings of the auto-assignment flag are taken on create (``isAtuoAssigned`` is
Huawei's own).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

TOKEN_UNKNOWN = "401001"
TOKEN_EXPIRED = "401002"
MISSING = "400001"
TOO_LONG = "400002"
BAD_VALUE = "400003"
NOT_ALLOWED = "400004"
NO_CASE = "404001"
NO_CASE_TYPE = "404002"

BYTE_LIMITS = {
    "title": 128,
    "description": 20_000,
    "type": 20,
    "ownerId": 20,
    "contactId": 20,
    "creatorId": 20,
    "contactPhone": 20,
    "beId": 20,
}
REMARK_MAX_BYTES = 2_000
PROCESS_TITLE_MAX_BYTES = 128
PROCESS_MAX_BYTES = 20_000
REQUIRED = ("title", "description", "type", "contactId", "creatorId")
MODIFY_REQUIRED = ("id", "title", "description", "creatorId")
#: standard caseInfo members modify does not take; any other member is a template field
NOT_MODIFIABLE = ("type", "origin", "state", "status", "isAtuoAssigned", "isAutoAssigned")
AUTO_ASSIGNED = ("isAutoAssigned", "isAtuoAssigned")
CHOICES = {
    "priority": ("Low", "Medium", "High", "Critical"),
    "origin": ("Voice", "Whatapp", "Whatsapp", "webchat", "Email"),
}
OWNER_TYPES = ("user", "queue")
PROCESS_TYPES = ("Iternal", "Email", "SMS")
CLASSIFICATIONS = ("Todo", "Follow", "Created", "Processed")
#: members of a case list row, as the reference lists them
LIST_FILTERS = (
    "title",
    "status",
    "priority",
    "origin",
    "ownerId",
    "type",
    "contactId",
    "contactPhone",
    "creatorId",
    "queueId",
    "caseNo",
)
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
WINDOW_MAX = timedelta(days=31)


class AiccError(Exception):
    """An answer with HTTP 200 and ``resCode`` ``code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def required(body: dict[str, Any], *names: str) -> None:
    """``AiccError`` unless each of ``names`` is a non-blank string in ``body``."""
    for name in names:
        value = body.get(name)
        if not isinstance(value, str) or not value.strip():
            raise AiccError(MISSING, f"{name} is required")


def within(name: str, value: str, limit: int) -> str:
    """``value`` if it fits ``limit`` UTF-8 bytes, else ``AiccError``."""
    if len(value.encode("utf-8")) > limit:
        raise AiccError(TOO_LONG, f"{name} exceeds {limit} bytes")
    return value


def validate_new_case(info: object) -> dict[str, Any]:
    """``info`` if AICC would file it, else ``AiccError``."""
    if not isinstance(info, dict):
        raise AiccError(MISSING, "caseInfo is required")
    required(info, *REQUIRED)
    if not any(isinstance(info.get(name), bool) for name in AUTO_ASSIGNED):
        raise AiccError(MISSING, "isAtuoAssigned is required and must be a boolean")
    validate_values(info)
    return info


def validate_modify(info: object) -> dict[str, Any]:
    """``info`` of ``/case/modify`` if AICC would take it, else ``AiccError``."""
    if not isinstance(info, dict):
        raise AiccError(MISSING, "caseInfo is required")
    required(info, *MODIFY_REQUIRED)
    refused = sorted(set(info) & set(NOT_MODIFIABLE))
    if refused:
        raise AiccError(NOT_ALLOWED, f"modify does not take {', '.join(refused)}")
    validate_values(info)
    return info


def validate_values(info: dict[str, Any]) -> None:
    """``AiccError`` unless each value is within its limits."""
    for name, value in info.items():
        if value is None or isinstance(value, bool):
            continue
        if not isinstance(value, str):
            raise AiccError(BAD_VALUE, f"{name} must be a string")
        limit = BYTE_LIMITS.get(name)
        if limit is not None:
            within(name, value, limit)
        if name in CHOICES and value and value not in CHOICES[name]:
            raise AiccError(BAD_VALUE, f"{name} must be one of {', '.join(CHOICES[name])}")
        if name == "dueDate" and value:
            parse_date(name, value)


def validate_transfer(body: dict[str, Any]) -> None:
    """``AiccError`` unless ``body`` is a transfer AICC takes."""
    required(body, "id", "ownerId", "ownerType", "creatorId", "remark")
    if body["ownerType"] not in OWNER_TYPES:
        raise AiccError(BAD_VALUE, "ownerType must be user or queue")
    within("ownerId", body["ownerId"], BYTE_LIMITS["ownerId"])
    within("remark", body["remark"], REMARK_MAX_BYTES)


def validate_process(body: dict[str, Any]) -> dict[str, Any]:
    """The ``processInfo`` of ``body`` if AICC takes it, else ``AiccError``."""
    required(body, "caseId", "creatorId")
    record = body.get("processInfo")
    if not isinstance(record, dict):
        raise AiccError(MISSING, "processInfo is required")
    required(record, "type", "title", "description")
    if record["type"] not in PROCESS_TYPES:
        raise AiccError(BAD_VALUE, f"processInfo.type must be one of {', '.join(PROCESS_TYPES)}")
    within("processInfo.title", record["title"], PROCESS_TITLE_MAX_BYTES)
    within("processInfo.description", record["description"], PROCESS_MAX_BYTES)
    return record


def paging(body: dict[str, Any]) -> tuple[int, int]:
    """``start`` and ``limit``, both required: start >= 0, limit 1-100."""
    start, limit = body.get("start"), body.get("limit")
    if start is None or limit is None:
        raise AiccError(MISSING, "start and limit are required")
    if not isinstance(start, int) or isinstance(start, bool) or start < 0:
        raise AiccError(BAD_VALUE, "start must be an integer of at least 0")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100:
        raise AiccError(BAD_VALUE, "limit must be an integer from 1 to 100")
    return start, limit


def window(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """``startTime`` and ``endTime`` of a list, at most 31 days apart."""
    start, end = body.get("startTime"), body.get("endTime")
    since = parse_date("startTime", start) if start else None
    until = parse_date("endTime", end) if end else None
    if since and until:
        if until < since:
            raise AiccError(BAD_VALUE, "endTime is before startTime")
        if until - since > WINDOW_MAX:
            raise AiccError(BAD_VALUE, "startTime and endTime are more than 31 days apart")
    return (str(start) if start else None), (str(end) if end else None)


def parse_date(name: str, value: object) -> datetime:
    """A ``YYYY-MM-DD HH:mm:ss`` value, else ``AiccError``."""
    try:
        return datetime.strptime(str(value), DATE_FORMAT)
    except ValueError:
        raise AiccError(BAD_VALUE, f"{name} must be YYYY-MM-DD HH:mm:ss") from None
