"""``POST /case/list`` in the AICC stand-in: filters, the created-time window, paging, rows.

Rows carry only the members Huawei's reference lists for them, newest first. ``title``
matches part of a title (case ignored); every other filter matches the whole value.
"""

from __future__ import annotations

from typing import Any

from sandbox.aicc import tenant
from sandbox.aicc import validation as v

#: the members of a list row
ROW_MEMBERS = (
    "id",
    "caseNo",
    "title",
    "type",
    "typeName",
    "status",
    "state",
    "priority",
    "origin",
    "contactId",
    "ownerType",
    "ownerId",
    "contactPhone",
    "dueDate",
    "closedDate",
    "creatorId",
    "createdDate",
    "isCanced",
)


def list_rows(
    cases: list[dict[str, Any]], body: dict[str, Any]
) -> tuple[int, list[dict[str, Any]]]:
    """The count of ``cases`` (newest first) ``body`` selects, and its page of rows."""
    start, limit = v.paging(body)
    since, until = v.window(body)
    classification = body.get("classification")
    if classification and classification not in v.CLASSIFICATIONS:
        raise v.AiccError(v.BAD_VALUE, f"classification must be one of {v.CLASSIFICATIONS}")
    wanted = {name: body[name] for name in v.LIST_FILTERS if body.get(name) not in (None, "")}
    found = []
    for info in cases:
        created = str(info.get("createdDate", ""))
        if (since and created < since) or (until and created > until):
            continue
        if not all(_matches(name, info.get(name), value) for name, value in wanted.items()):
            continue
        found.append(_row(info))
    return len(found), found[start : start + limit]


def _matches(name: str, have: object, want: object) -> bool:
    if name == "title":
        return str(want).lower() in str(have or "").lower()
    return have == want


def _row(info: dict[str, Any]) -> dict[str, Any]:
    type_name = tenant.CASE_TYPES.get(str(info.get("type")), {}).get("typeName", "")
    full = info | {"typeName": type_name}
    return {name: full.get(name, "") for name in ROW_MEMBERS}
