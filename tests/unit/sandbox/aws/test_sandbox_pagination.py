from __future__ import annotations

import pytest

from sandbox.aws.errors import InvalidInput
from sandbox.aws.pagination import paginate


def pages(items: list[int], size: int, query: object = "q") -> list[list[int]]:
    out: list[list[int]] = []
    token = None
    while True:
        page, token, _ = paginate(items, max_results=size, token=token, query=query)
        out.append(page)
        if token is None:
            return out


def test_pages_cover_every_item_once_in_order() -> None:
    assert pages(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]


def test_last_page_has_no_token_and_total_counts_everything() -> None:
    page, token, total = paginate([1, 2], max_results=5, token=None, query="q")

    assert (page, token, total) == ([1, 2], None, 2)


def test_items_added_after_the_first_page_are_left_out() -> None:
    items = [10, 20, 30]
    _, token, _ = paginate(items, max_results=2, token=None, query="q", seq=lambda i: i)

    # a newer item (higher sequence) now sorts first; the old pages must not shift
    rest, next_token, total = paginate(
        [40, *items], max_results=2, token=token, query="q", seq=lambda i: i
    )

    assert (rest, next_token, total) == ([30], None, 3)


def test_token_of_another_query_is_refused() -> None:
    _, token, _ = paginate([1, 2, 3], max_results=1, token=None, query={"a": 1})

    with pytest.raises(InvalidInput):
        paginate([1, 2, 3], max_results=1, token=token, query={"a": 2})


@pytest.mark.parametrize("token", ["garbage", "eyJvIjogLTF9", "="])
def test_malformed_token_is_refused(token: str) -> None:
    with pytest.raises(InvalidInput):
        paginate([1, 2, 3], max_results=1, token=token, query="q")
