"""What the AICC stand-in accepts in a ``caseInfo``: required fields, byte limits, values.

Limits are UTF-8 bytes, as AICC's reference gives them. Both spellings of the auto-assignment
flag are accepted, since AICC's reference has both.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

#: resCodes (assumed; AICC does not publish them): the first three digits are the class
TOKEN_UNKNOWN = "401001"
TOKEN_EXPIRED = "401002"
MISSING = "400001"
TOO_LONG = "400002"
BAD_VALUE = "400003"
NO_CASE = "404001"

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
#: assumed, as the case-service adapter assumes it
COMMENT_MAX_BYTES = 4_000
REQUIRED = ("title", "description", "type", "contactId", "creatorId")
AUTO_ASSIGNED = ("isAutoAssigned", "isAtuoAssigned")
CHOICES = {
    "priority": ("Low", "Medium", "High", "Critical"),
    "origin": ("Voice", "Whatapp", "webchat", "Email"),
    "state": ("Processing", "Pending", "Closed"),
}
DUE_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


class AiccError(Exception):
    """An answer with HTTP 200 and ``resCode`` ``code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def validate_new_case(info: object) -> dict[str, Any]:
    """``info`` if AICC would file it, else ``AiccError``."""
    if not isinstance(info, dict):
        raise AiccError(MISSING, "caseInfo is required")
    for name in REQUIRED:
        value = info.get(name)
        if not isinstance(value, str) or not value.strip():
            raise AiccError(MISSING, f"{name} is required")
    if not any(isinstance(info.get(name), bool) for name in AUTO_ASSIGNED):
        raise AiccError(MISSING, "isAutoAssigned is required and must be a boolean")
    validate_changes(info)
    return info


def validate_changes(info: object) -> dict[str, Any]:
    """``info``'s values if each is within its limits, else ``AiccError``."""
    if not isinstance(info, dict):
        raise AiccError(MISSING, "caseInfo is required")
    for name, value in info.items():
        if value is None or isinstance(value, bool):
            continue
        if not isinstance(value, str):
            raise AiccError(BAD_VALUE, f"{name} must be a string")
        limit = BYTE_LIMITS.get(name)
        if limit is not None and len(value.encode("utf-8")) > limit:
            raise AiccError(TOO_LONG, f"{name} exceeds {limit} bytes")
        if name in CHOICES and value and value not in CHOICES[name]:
            raise AiccError(BAD_VALUE, f"{name} must be one of {', '.join(CHOICES[name])}")
        if name == "dueDate" and value:
            try:
                datetime.strptime(value, DUE_DATE_FORMAT)
            except ValueError:
                raise AiccError(BAD_VALUE, "dueDate must be YYYY-MM-DD HH:mm:ss") from None
    return info


def validate_comment(content: object) -> str:
    """``content`` if it is a comment AICC takes, else ``AiccError``."""
    if not isinstance(content, str) or not content.strip():
        raise AiccError(MISSING, "content is required")
    if len(content.encode("utf-8")) > COMMENT_MAX_BYTES:
        raise AiccError(TOO_LONG, f"content exceeds {COMMENT_MAX_BYTES} bytes")
    return content
