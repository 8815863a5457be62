"""What hangs off a Connect Cases case: comments, linked contacts and files, its audit history."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from cases.backend import CaseEvent
from cases.connect.calls import call
from cases.connect.values import Scalar, plain, text, when
from cases.longtext import split_parts

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_connectcases.client import ConnectCasesClient
    from mypy_boto3_connectcases.type_defs import (
        AuditEventTypeDef,
        GetCaseAuditEventsRequestTypeDef,
        ListCasesForContactRequestTypeDef,
        RelatedItemTypeFilterTypeDef,
        SearchRelatedItemsRequestTypeDef,
        SearchRelatedItemsResponseItemTypeDef,
        UserUnionTypeDef,
    )

#: CommentBody holds at most this many characters
COMMENT_MAX = 15_000
#: room kept in each comment for its "part i of n" heading
_COMMENT_HEADING_ROOM = 64
_PAGE = 25


class ConnectRelated:
    """Related items and audit events of cases in one domain."""

    def __init__(self, client: ConnectCasesClient, domain_id: str) -> None:
        self._client = client
        self._domain_id = domain_id

    async def post_comment(self, case_id: str, body: str, performer: UserUnionTypeDef) -> None:
        """Attach ``body`` (at most ``COMMENT_MAX`` characters) as one comment."""
        await call(
            "CreateRelatedItem",
            self._client.create_related_item,
            domainId=self._domain_id,
            caseId=case_id,
            type="Comment",
            content={"comment": {"body": body, "contentType": "Text/Plain"}},
            performedBy=performer,
        )

    async def post_long_text(
        self, case_id: str, body: str, heading: str, performer: UserUnionTypeDef
    ) -> None:
        """Attach ``body`` as numbered comments, skipping parts the case already has.

        A retried create answers with the same case, so its parts may be there already.
        """
        parts = split_parts(body, COMMENT_MAX - _COMMENT_HEADING_ROOM)
        bodies = [
            f"{heading} (part {i} of {len(parts)}):\n{part}" for i, part in enumerate(parts, 1)
        ]
        posted = {
            item["content"]["comment"]["body"]
            for item in await self._items(case_id, {"comment": {}})
            if "comment" in item["content"]
        }
        for part in bodies:
            if part not in posted:
                await self.post_comment(case_id, part, performer)

    async def link_contact(
        self, case_id: str, contact_arn: str, performer: UserUnionTypeDef
    ) -> bool:
        """Link the contact to the case unless it is linked already; whether a link was made."""
        linked = await self._items(case_id, {"contact": {"contactArn": contact_arn}})
        if any(item["content"].get("contact") for item in linked):
            return False
        await call(
            "CreateRelatedItem",
            self._client.create_related_item,
            domainId=self._domain_id,
            caseId=case_id,
            type="Contact",
            content={"contact": {"contactArn": contact_arn}},
            performedBy=performer,
        )
        return True

    async def link_file(self, case_id: str, file_arn: str, performer: UserUnionTypeDef) -> bool:
        """Link the uploaded file to the case unless it is linked already; whether it was."""
        linked = await self._items(case_id, {"file": {"fileArn": file_arn}})
        if any(item["content"].get("file") for item in linked):
            return False
        await call(
            "CreateRelatedItem",
            self._client.create_related_item,
            domainId=self._domain_id,
            caseId=case_id,
            type="File",
            content={"file": {"fileArn": file_arn}},
            performedBy=performer,
        )
        return True

    async def case_ids_for_contact(self, contact_arn: str) -> list[str]:
        """Ids of every case the contact is linked to (all pages)."""
        ids: list[str] = []
        request: ListCasesForContactRequestTypeDef = {
            "domainId": self._domain_id,
            "contactArn": contact_arn,
            # the largest page ListCasesForContact allows
            "maxResults": 10,
        }
        while True:
            page = await call("ListCasesForContact", self._client.list_cases_for_contact, **request)
            ids.extend(summary["caseId"] for summary in page["cases"])
            if not page.get("nextToken"):
                return ids
            request["nextToken"] = page["nextToken"]

    async def history(
        self, case_id: str, name_of: Callable[[str], str], since: datetime | None
    ) -> list[CaseEvent]:
        """The case's changes, newest first, stopping at the first one not after ``since``."""
        events: list[CaseEvent] = []
        request: GetCaseAuditEventsRequestTypeDef = {
            "domainId": self._domain_id,
            "caseId": case_id,
            "maxResults": _PAGE,
        }
        while True:
            page = await call("GetCaseAuditEvents", self._client.get_case_audit_events, **request)
            for event in page["auditEvents"]:
                performed = event["performedTime"]
                # botocore parses timestamps; a string only comes from a stub or a cache
                at = performed if isinstance(performed, datetime) else when(performed)
                if at is None:
                    continue
                if since is not None and at <= since:
                    return events
                events.extend(_events(event, at, name_of))
            if not page.get("nextToken"):
                return events
            request["nextToken"] = page["nextToken"]

    async def _items(
        self, case_id: str, item_filter: RelatedItemTypeFilterTypeDef
    ) -> list[SearchRelatedItemsResponseItemTypeDef]:
        items: list[SearchRelatedItemsResponseItemTypeDef] = []
        request: SearchRelatedItemsRequestTypeDef = {
            "domainId": self._domain_id,
            "caseId": case_id,
            "filters": [item_filter],
            "maxResults": _PAGE,
        }
        while True:
            page = await call("SearchRelatedItems", self._client.search_related_items, **request)
            items.extend(item for item in page["relatedItems"] if item)
            if not page.get("nextToken"):
                return items
            request["nextToken"] = page["nextToken"]


def _events(
    event: AuditEventTypeDef, at: datetime, name_of: Callable[[str], str]
) -> list[CaseEvent]:
    by = _by(event)
    if event["type"].startswith("RelatedItem"):
        kind = (event.get("relatedItemType") or "item").lower()
        return [CaseEvent(at=at, field=kind, new="added", by=by)]
    return [
        CaseEvent(
            at=at,
            field=name_of(field["eventFieldId"]),
            old=_shown(plain(field["oldValue"])) if "oldValue" in field else None,
            new=_shown(plain(field["newValue"])),
            by=by,
        )
        for field in event["fields"]
    ]


def _shown(value: Scalar) -> str | None:
    return None if value is None else text(value)


def _by(event: AuditEventTypeDef) -> str | None:
    performer = event.get("performedBy")
    if not performer:
        return None
    user = performer.get("user") or {}
    return user.get("customEntity") or user.get("userArn") or performer.get("iamPrincipalArn")
