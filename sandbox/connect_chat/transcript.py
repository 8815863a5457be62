"""GetTranscript's paging: a start position, a scan direction, a page size and a sort order.

Without ``StartPosition`` the scan goes BACKWARD from the newest item; with one it goes FORWARD
from it (the item itself included), unless ``ScanDirection`` says otherwise. Each page holds up
to ``MaxResults`` items (10 when it is missing or 0) in scan order, then sorted by
``SortOrder`` (DESCENDING by default).
``NextToken`` continues the same scan; items written after the first page are not in it.
"""

from __future__ import annotations

from typing import Any

from sandbox.aws.errors import InvalidInput
from sandbox.aws.pagination import paginate
from sandbox.connect_chat import protocol
from sandbox.connect_chat.records import Item


def transcript_page(items: list[Item], params: dict[str, Any]) -> tuple[list[Item], str | None]:
    """Return the page of ``items`` (the chat's transcript, oldest first) and the next token."""
    start = params.get("StartPosition")
    direction = params.get("ScanDirection") or ("FORWARD" if start else "BACKWARD")
    anchor = _anchor(items, start) if start else None
    if direction == "FORWARD":
        scanned = items[anchor:] if anchor is not None else list(items)
    else:
        scanned = list(reversed(items[: anchor + 1] if anchor is not None else items))
    page, next_token, _ = paginate(
        scanned,
        # the model allows 0; a page of nothing with a token to the same place would never end
        max_results=params.get("MaxResults") or protocol.DEFAULT_TRANSCRIPT_PAGE,
        token=params.get("NextToken"),
        query=["transcript", params.get("ContactId"), start, direction],
        seq=lambda item: item.seq,
    )
    descending = (params.get("SortOrder") or "DESCENDING") == "DESCENDING"
    page.sort(key=lambda item: item.seq, reverse=descending)
    return page, next_token


def _anchor(items: list[Item], start: dict[str, Any]) -> int:
    given = [key for key in ("Id", "AbsoluteTime", "MostRecent") if start.get(key) is not None]
    if len(given) != 1:
        raise InvalidInput("StartPosition takes exactly one of Id, AbsoluteTime and MostRecent")
    if "Id" in given:
        for index, item in enumerate(items):
            if item.item_id == start["Id"]:
                return index
        raise InvalidInput("StartPosition.Id names no item of this chat")
    if "AbsoluteTime" in given:
        wanted = str(start["AbsoluteTime"])
        # the first item at or after the moment; the ISO times sort as text
        for index, item in enumerate(items):
            if item.absolute_time >= wanted:
                return index
        return len(items)
    most_recent = int(start["MostRecent"])
    return max(len(items) - 1 - most_recent, 0)
