from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def search(client: Any, ids: Any, run_tag: dict[str, str]) -> Callable[..., Any]:
    """SearchCases limited to this test's cases (the filter given is and-ed with the tag)."""

    def run(filter: dict[str, Any] | None = None, **params: Any) -> Any:
        mine = {"tag": {"equalTo": {"key": "run", "value": run_tag["run"]}}}
        combined = {"andAll": [mine, filter]} if filter else mine
        return client.search_cases(domainId=ids.domain, filter=combined, **params)

    return run


@pytest.fixture
def three_cases(new_case: Callable[..., str], ids: Any) -> dict[str, str]:
    """Cases named by title: low (oldest), high, critical (newest)."""
    return {
        "low": new_case(title={"stringValue": "Low one"}, **{ids.priority: {"stringValue": "Low"}}),
        "high": new_case(
            title={"stringValue": "High one"},
            summary={"stringValue": "Needs a CALLBACK today"},
        ),
        "critical": new_case(
            title={"stringValue": "Critical one"},
            status={"stringValue": "closed"},
            **{ids.priority: {"stringValue": "Critical"}},
        ),
    }


def found(response: Any) -> list[str]:
    return [case["caseId"] for case in response["cases"]]


def field_filter(op: str, field_id: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"field": {op: {"id": field_id, "value": value}}}


def test_without_sorts_newest_cases_come_first(
    search: Callable[..., Any], three_cases: dict[str, str]
) -> None:
    response = search()

    assert found(response) == [three_cases["critical"], three_cases["high"], three_cases["low"]]
    assert response["totalCount"] == 3


def test_equal_to_matches_exact_value(
    search: Callable[..., Any], three_cases: dict[str, str], ids: Any
) -> None:
    response = search(field_filter("equalTo", ids.priority, {"stringValue": "Low"}))

    assert found(response) == [three_cases["low"]]


def test_equal_to_empty_value_matches_cases_without_the_field(
    search: Callable[..., Any], three_cases: dict[str, str]
) -> None:
    response = search(field_filter("equalTo", "summary", {"emptyValue": {}}))

    assert set(found(response)) == {three_cases["low"], three_cases["critical"]}


def test_contains_ignores_case(search: Callable[..., Any], three_cases: dict[str, str]) -> None:
    response = search(field_filter("contains", "summary", {"stringValue": "callback"}))

    assert found(response) == [three_cases["high"]]


def test_not_inverts_a_filter(
    search: Callable[..., Any], three_cases: dict[str, str], ids: Any
) -> None:
    response = search({"not": field_filter("equalTo", "status", {"stringValue": "closed"})})

    assert set(found(response)) == {three_cases["low"], three_cases["high"]}


def test_or_all_matches_any_and_and_all_matches_every(
    search: Callable[..., Any], three_cases: dict[str, str], ids: Any
) -> None:
    low = field_filter("equalTo", ids.priority, {"stringValue": "Low"})
    critical = field_filter("equalTo", ids.priority, {"stringValue": "Critical"})
    closed = field_filter("equalTo", "status", {"stringValue": "closed"})

    either = search({"orAll": [low, critical]})
    both = search({"andAll": [critical, closed]})
    neither = search({"andAll": [low, closed]})

    assert set(found(either)) == {three_cases["low"], three_cases["critical"]}
    assert found(both) == [three_cases["critical"]]
    assert found(neither) == []


def test_tag_filter_matches_only_cases_with_that_tag(
    client: Any, ids: Any, three_cases: dict[str, str], run_tag: dict[str, str]
) -> None:
    response = client.search_cases(
        domainId=ids.domain,
        filter={"tag": {"equalTo": {"key": "run", "value": run_tag["run"]}}},
    )

    assert set(found(response)) == set(three_cases.values())


def test_order_operator_on_text_field_is_a_validation_exception(
    search: Callable[..., Any],
) -> None:
    with pytest.raises(ClientError) as caught:
        search(field_filter("greaterThan", "title", {"stringValue": "a"}))

    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_filter_on_unknown_field_is_a_validation_exception(search: Callable[..., Any]) -> None:
    with pytest.raises(ClientError) as caught:
        search(field_filter("equalTo", "no-such-field", {"stringValue": "a"}))

    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "no-such-field" in caught.value.response["Error"]["Message"]


def test_filter_setting_two_members_is_a_validation_exception(
    unvalidated_client: Any, ids: Any
) -> None:
    with pytest.raises(ClientError) as caught:
        unvalidated_client.search_cases(
            domainId=ids.domain,
            filter={
                "tag": {"equalTo": {"key": "run", "value": "x"}},
                "not": {"tag": {"equalTo": {"key": "run", "value": "y"}}},
            },
        )

    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_search_term_matches_text_fields_ignoring_case(
    search: Callable[..., Any], three_cases: dict[str, str]
) -> None:
    assert found(search(searchTerm="CRITICAL ONE")) == [three_cases["critical"]]
    assert found(search(searchTerm="callback")) == [three_cases["high"]]
    assert found(search(searchTerm="nothing like this")) == []


def test_search_term_finds_a_case_by_reference_number(
    search: Callable[..., Any], three_cases: dict[str, str], client: Any, ids: Any
) -> None:
    reference = client.get_case(
        domainId=ids.domain, caseId=three_cases["high"], fields=[{"id": "reference_number"}]
    )["fields"][0]["value"]["stringValue"]

    assert found(search(searchTerm=reference)) == [three_cases["high"]]


def test_sorts_order_by_field_and_put_cases_without_it_last(
    search: Callable[..., Any], three_cases: dict[str, str]
) -> None:
    ascending = search(sorts=[{"fieldId": "title", "sortOrder": "Asc"}])
    descending = search(sorts=[{"fieldId": "title", "sortOrder": "Desc"}])
    by_summary = search(sorts=[{"fieldId": "summary", "sortOrder": "Desc"}])

    assert found(ascending) == [three_cases["critical"], three_cases["high"], three_cases["low"]]
    assert found(descending) == [three_cases["low"], three_cases["high"], three_cases["critical"]]
    assert found(by_summary)[0] == three_cases["high"]


def test_second_sort_breaks_ties_of_the_first(
    search: Callable[..., Any], new_case: Callable[..., str], ids: Any
) -> None:
    a = new_case(title={"stringValue": "same"}, **{ids.priority: {"stringValue": "Low"}})
    b = new_case(title={"stringValue": "same"}, **{ids.priority: {"stringValue": "Critical"}})

    response = search(
        sorts=[
            {"fieldId": "title", "sortOrder": "Asc"},
            {"fieldId": ids.priority, "sortOrder": "Desc"},
        ]
    )

    assert found(response) == [a, b]


def test_only_requested_fields_are_returned(
    search: Callable[..., Any], three_cases: dict[str, str], ids: Any
) -> None:
    response = search(fields=[{"id": "title"}, {"id": "summary"}])
    without = search()

    fields = {case["caseId"]: [f["id"] for f in case["fields"]] for case in response["cases"]}
    assert fields[three_cases["high"]] == ["title", "summary"]
    assert fields[three_cases["low"]] == ["title"]
    assert all(case["fields"] == [] for case in without["cases"])


def test_pages_cover_every_case_once_even_when_cases_are_added_meanwhile(
    search: Callable[..., Any], new_case: Callable[..., str]
) -> None:
    created = [new_case() for _ in range(7)]

    seen: list[str] = []
    first = search(maxResults=3)
    seen += found(first)
    new_case()  # must not shift the pages being read
    token = first["nextToken"]
    while token:
        page = search(maxResults=3, nextToken=token)
        seen += found(page)
        token = page.get("nextToken")
        assert page["totalCount"] == 7

    assert first["totalCount"] == 7
    assert seen == created[::-1]


def test_paginator_walks_all_pages(
    client: Any, ids: Any, new_case: Callable[..., str], run_tag: dict[str, str]
) -> None:
    created = {new_case() for _ in range(5)}

    pages = client.get_paginator("search_cases").paginate(
        domainId=ids.domain,
        filter={"tag": {"equalTo": {"key": "run", "value": run_tag["run"]}}},
        PaginationConfig={"PageSize": 2},
    )

    ids_seen = [case["caseId"] for page in pages for case in page["cases"]]
    assert sorted(ids_seen) == sorted(created)


def test_token_from_another_query_is_a_validation_exception(
    search: Callable[..., Any], new_case: Callable[..., str]
) -> None:
    for _ in range(3):
        new_case()
    token = search(maxResults=1)["nextToken"]

    with pytest.raises(ClientError) as caught:
        search(searchTerm="other", nextToken=token)

    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_max_results_above_100_is_a_validation_exception(unvalidated_client: Any, ids: Any) -> None:
    with pytest.raises(ClientError) as caught:
        unvalidated_client.search_cases(domainId=ids.domain, maxResults=101)

    assert caught.value.response["Error"]["Code"] == "ValidationException"
