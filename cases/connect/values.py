"""Connect Cases wire values: field values in and out, tokens, tags and who performed a change."""

from __future__ import annotations

import hashlib
import math
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cases.backend import Actor, InvalidCase

if TYPE_CHECKING:
    from mypy_boto3_connectcases.type_defs import (
        AuditEventFieldValueUnionTypeDef,
        FieldValueOutputTypeDef,
        FieldValueUnionOutputTypeDef,
        FieldValueUnionTypeDef,
        UserUnionTypeDef,
    )

Scalar = str | float | bool | None

_CLIENT_TOKEN_MAX = 64
_CUSTOM_ENTITY_MAX = 500
_TAG_VALUE_MAX = 256
_NOT_CUSTOM_ENTITY = re.compile(r"[^a-zA-Z0-9_\-.@:/ ]")
_NOT_TAG_VALUE = re.compile(r"[^a-zA-Z0-9 _.:/=+\-@]")
#: fields whose values are user ARNs (FieldValueUnion.userArnValue)
USER_FIELDS = frozenset({"assigned_user"})


def values_of(fields: list[FieldValueOutputTypeDef]) -> dict[str, Scalar]:
    """Field id -> plain value, for a case's fields as GetCase or SearchCases return them."""
    return {field["id"]: plain(field["value"]) for field in fields}


def plain(value: FieldValueUnionOutputTypeDef | AuditEventFieldValueUnionTypeDef) -> Scalar:
    """The Python value of a FieldValueUnion; ``emptyValue`` is ``None``."""
    if "stringValue" in value:
        return value["stringValue"]
    if "doubleValue" in value:
        return value["doubleValue"]
    if "booleanValue" in value:
        return value["booleanValue"]
    if "userArnValue" in value:
        return value["userArnValue"]
    return None


def text(value: Scalar) -> str:
    """A value as text; ``None`` is the empty string."""
    return "" if value is None else str(value)


def when(value: Scalar) -> datetime | None:
    """A DateTime field value (ISO 8601, or epoch seconds/milliseconds) as an aware datetime."""
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if isinstance(value, float | int) and not isinstance(value, bool):
        # epoch seconds, or milliseconds when the number is that large
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, UTC)
    return None


def client_token(key: str) -> str:
    """The ``clientToken`` for an idempotency key: the key, or its hash when it is too long."""
    # clientToken holds 64 characters; a longer key is hashed rather than cut, to stay unique
    if len(key) <= _CLIENT_TOKEN_MAX:
        return key
    return hashlib.sha256(key.encode()).hexdigest()


def tag_value(value: str) -> str:
    """``value`` with the characters a tag value may not hold replaced, and cut to its limit."""
    return _NOT_TAG_VALUE.sub("_", value)[:_TAG_VALUE_MAX]


def performed_by(assistant_name: str, actor: Actor | None) -> UserUnionTypeDef:
    """Who Connect records as making a change: the agent's user ARN, or the assistant."""
    if actor is not None and actor.agent_id:
        if actor.agent_id.startswith("arn:"):
            return {"userArn": actor.agent_id}
        return {"customEntity": custom_entity(f"agent {actor.agent_id} via {actor.channel}")}
    channel = actor.channel if actor is not None else None
    who = f"{assistant_name} via {channel}" if channel else assistant_name
    return {"customEntity": custom_entity(who)}


def custom_entity(who: str) -> str:
    """``who`` fitted to UserUnion.customEntity's characters and length."""
    cleaned = _NOT_CUSTOM_ENTITY.sub("-", who)[:_CUSTOM_ENTITY_MAX].rstrip()
    return cleaned or "assistant"


def field_value(name: str, value: str, kind: str = "Text") -> FieldValueUnionTypeDef:
    """The wire value of the logical field ``name`` of type ``kind`` (a user ARN for user
    fields, a number for a Number field such as the customer's rating)."""
    if name in USER_FIELDS:
        return {"userArnValue": value}
    if kind == "Number":
        try:
            number = float(value)
        except ValueError:
            raise InvalidCase(f"the {name} takes a number, not {value!r}") from None
        if not math.isfinite(number):
            raise InvalidCase(f"the {name} takes a finite number")
        return {"doubleValue": number}
    return {"stringValue": value}
