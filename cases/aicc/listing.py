"""Searching AICC cases with ``POST /case/list``: its filters, its paging, and what it lacks.

The list takes ``start`` (>= 0) and ``limit`` (1-100) and filters by ``title``, ``priority``,
``ownerId``, ``type``, ``contactId``, ``creatorId`` and a created-time window of at most 31
days, among others; it answers ``[{"caseList": [...], "count": N}]``. It has no filter for a
case's ``state`` (open, pending, closed) nor for extension fields, and no sort order:

- a status is matched here against each row's ``state``, reading on until the page is full;
  the page token is then the offset of the first row not yet read, and no total is given;
- oldest first reverses AICC's newest-first rows (``assumed.LIST_ORDER_NEWEST_FIRST``): one
  call learns the count, and each page is read from the end;
- a contact or a customer id is searched by the ``contactId`` the case was filed with, and the
  rows found carry the value searched for (their list rows have no room for it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cases.aicc import assumed
from cases.aicc import fields as f
from cases.aicc.calls import AiccCaller
from cases.aicc.reading import AiccReader, list_rows
from cases.backend import Case, CaseFilter, InvalidCase, Page

#: the most rows ``/case/list`` answers at once
LIST_MAX = 100
#: rows read at most for one page of a status search, so a rare status cannot read everything
SCAN_MAX = 1_000
#: how far back ``startTime`` may reach from ``endTime``
WINDOW = timedelta(days=31)


class AiccLister:
    """Pages of cases of one case type matching a ``CaseFilter``."""

    def __init__(
        self,
        calls: AiccCaller,
        reader: AiccReader,
        type_id: str,
        zone: ZoneInfo,
        now: Callable[[], datetime],
    ) -> None:
        self._calls = calls
        self._reader = reader
        self._type_id = type_id
        self._zone = zone
        self._now = now

    async def page(self, filter: CaseFilter, token: str | None, size: int) -> Page:
        """One page of cases matching ``filter``, from the offset ``token`` names."""
        if token and not token.isdigit():
            # read as offset 0 it would start the search over, and a caller paging to the
            # end would see the first cases again
            raise InvalidCase("not a page token of this search")
        body = self.filters(filter)
        size = max(1, min(size, LIST_MAX))
        offset = int(token) if token else 0
        wanted = f.logical_status(filter.status) if filter.status is not None else None
        newest_first = filter.newest_first == assumed.LIST_ORDER_NEWEST_FIRST
        count: int | None = None
        if not newest_first:
            count = await self._count(body)
        cases: list[Case] = []
        read = 0
        while len(cases) < size and read < SCAN_MAX:
            rows, total = await self._rows(
                body, offset + read, size, None if newest_first else count
            )
            count = total if count is None else count
            for row in rows:
                read += 1
                case = self._found(row, filter)
                if wanted is None or case.status == wanted:
                    cases.append(case)
                    if len(cases) == size:
                        break
            if len(rows) < size or wanted is None:
                break
        following = offset + read
        more = count is not None and following < count
        return Page(
            cases=cases,
            next_token=str(following) if more else None,
            total=count if wanted is None else None,
        )

    def filters(self, filter: CaseFilter) -> dict[str, Any]:
        """The list's filters for ``filter``; ``InvalidCase`` for what it cannot filter by."""
        if filter.conversation_id is not None:
            raise InvalidCase("AICC's case list cannot filter by conversation")
        body: dict[str, Any] = {"type": self._type_id}
        if filter.customer_id is not None:
            body["contactId"] = f.contact_key(filter.customer_id)
        elif filter.contact is not None:
            body["contactId"] = f.contact_key(filter.contact)
        if filter.priority is not None:
            body["priority"] = f.aicc_priority(filter.priority)
        if filter.assigned_user is not None:
            body["ownerId"] = filter.assigned_user
        if filter.assigned_queue is not None:
            body["queueId"] = filter.assigned_queue
        if filter.updated_after is not None:
            raise InvalidCase("AICC's case list cannot filter by when a case last changed")
        if filter.created_after is not None:
            now = self._now()
            if now - filter.created_after > WINDOW:
                raise InvalidCase("AICC's case list reaches back 31 days at most")
            body["startTime"] = f.format_due(filter.created_after, self._zone)
            body["endTime"] = f.format_due(now, self._zone)
        if filter.text:
            body["title"] = filter.text
        return body

    async def _count(self, body: dict[str, Any]) -> int:
        _, count = list_rows(await self._calls.call("list", body | {"start": 0, "limit": 1}))
        return count or 0

    async def _rows(
        self, body: dict[str, Any], offset: int, size: int, count: int | None
    ) -> tuple[list[dict[str, Any]], int | None]:
        if count is None:
            result = await self._calls.call("list", body | {"start": offset, "limit": size})
            return list_rows(result)
        # oldest first: the rows ``offset`` from the end, read backwards
        end = count - offset
        if end <= 0:
            return [], count
        start = max(0, end - size)
        result = await self._calls.call("list", body | {"start": start, "limit": end - start})
        rows, _ = list_rows(result)
        return rows[::-1], count

    def _found(self, row: dict[str, Any], filter: CaseFilter) -> Case:
        case = self._reader.case(row)
        known: dict[str, Any] = {}
        if filter.customer_id is not None and case.customer_id is None:
            known["customer_id"] = filter.customer_id
        elif filter.contact is not None and (
            not case.contact or case.contact == f.contact_key(filter.contact)
        ):
            known["contact"] = filter.contact
        return case.model_copy(update=known) if known else case
