"""Opaque ``nextToken`` pagination that neither repeats nor skips items while others are added.

A token carries the offset of the next page, the query it belongs to (a token reused with another
query is rejected) and a snapshot: the highest sequence number seen on the first page. Later pages
ignore items added after it, so new items cannot shift the pages being read.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sandbox.aws.errors import InvalidInput

T = TypeVar("T")


def paginate(
    items: Sequence[T],
    *,
    max_results: int,
    token: str | None,
    query: Any,
    seq: Callable[[T], int] | None = None,
) -> tuple[list[T], str | None, int]:
    """Return one page of ``items``, the token of the next page (or ``None``) and the total.

    ``items`` must already be filtered and in their final order; ``seq`` gives each item's
    insertion sequence number when items can be added between pages.
    """
    key = _query_key(query)
    offset, snapshot = _read_token(token, key) if token else (0, None)
    if seq is not None:
        if snapshot is None:
            snapshot = max((seq(item) for item in items), default=0)
        items = [item for item in items if seq(item) <= snapshot]
    end = offset + max_results
    page = list(items[offset:end])
    next_token = _make_token(end, snapshot, key) if end < len(items) else None
    return page, next_token, len(items)


def _query_key(query: Any) -> str:
    canonical = json.dumps(query, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _make_token(offset: int, snapshot: int | None, key: str) -> str:
    raw = json.dumps({"o": offset, "s": snapshot, "q": key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _read_token(token: str, key: str) -> tuple[int, int | None]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset, snapshot, token_key = data["o"], data["s"], data["q"]
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput("Invalid nextToken") from exc
    if token_key != key:
        raise InvalidInput("The nextToken belongs to a different request")
    if not isinstance(offset, int) or offset < 0:
        raise InvalidInput("Invalid nextToken")
    if snapshot is not None and not isinstance(snapshot, int):
        raise InvalidInput("Invalid nextToken")
    return offset, snapshot
