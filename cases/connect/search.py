"""A ``CaseFilter`` as a Connect Cases SearchCases request: field matches, a tag, sort, page."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from cases.backend import CaseFilter
from cases.connect.schema import ConnectSchema
from cases.connect.status import status_criteria
from cases.connect.values import field_value, tag_value

if TYPE_CHECKING:
    from mypy_boto3_connectcases.type_defs import CaseFilterTypeDef, SearchCasesRequestTypeDef

#: SearchCases answers at most this many cases a page
SEARCH_PAGE_MAX = 100


def search_request(
    schema: ConnectSchema,
    domain_id: str,
    filter: CaseFilter,
    page: str | None,
    page_size: int,
) -> SearchCasesRequestTypeDef:
    """The request for cases matching every criterion of ``filter``, sorted by creation time."""
    criteria = {
        "contact": filter.contact,
        "customer_id": filter.customer_id,
        "priority": filter.priority,
        "assigned_user": filter.assigned_user,
        # a queue id: the back end turns a name into it before the request is built
        "assigned_queue": filter.assigned_queue,
    }
    matches: list[CaseFilterTypeDef] = [
        {"field": {"equalTo": {"id": schema.required_id(name), "value": field_value(name, value)}}}
        for name, value in criteria.items()
        if value is not None
    ]
    if filter.status is not None:
        matches.extend(status_criteria(schema, filter.status))
    for field_id, since in (
        ("created_datetime", filter.created_after),
        ("last_updated_datetime", filter.updated_after),
    ):
        if since is not None:
            # ASSUMED (AWS does not publish a DateTime filter's value form; README says so):
            # ISO 8601 in UTC with milliseconds, as stringValue
            moment = since.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            matches.append(
                {
                    "field": {
                        "greaterThanOrEqualTo": {"id": field_id, "value": {"stringValue": moment}}
                    }
                }
            )
    if filter.conversation_id is not None:
        matches.append(
            {
                "tag": {
                    "equalTo": {
                        "key": "conversation_id",
                        "value": tag_value(filter.conversation_id),
                    }
                }
            }
        )
    request: SearchCasesRequestTypeDef = {
        "domainId": domain_id,
        "maxResults": min(filter.page_size or page_size, SEARCH_PAGE_MAX),
        "sorts": [
            {"fieldId": "created_datetime", "sortOrder": "Desc" if filter.newest_first else "Asc"}
        ],
        "fields": [{"id": field_id} for field_id in schema.wanted()],
    }
    if len(matches) == 1:
        request["filter"] = matches[0]
    elif matches:
        request["filter"] = {"andAll": matches}
    if filter.text:
        request["searchTerm"] = filter.text
    if page:
        request["nextToken"] = page
    return request
