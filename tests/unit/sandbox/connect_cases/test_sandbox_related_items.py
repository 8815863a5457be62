from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

COMMENT = {"comment": {"body": "Customer called back", "contentType": "Text/Plain"}}


def contact_arn() -> str:
    return f"arn:aws:connect:us-east-1:123456789012:instance/abc/contact/{uuid.uuid4()}"


def add(client: Any, ids: Any, case_id: str, item_type: str, content: dict[str, Any]) -> Any:
    return client.create_related_item(
        domainId=ids.domain, caseId=case_id, type=item_type, content=content
    )


def test_comment_is_attached_with_an_arn_under_its_case(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()

    created = add(client, ids, case_id, "Comment", COMMENT)
    items = client.search_related_items(domainId=ids.domain, caseId=case_id)["relatedItems"]

    assert created["relatedItemArn"] == (
        f"arn:aws:cases:us-east-1:123456789012:domain/{ids.domain}/case/{case_id}"
        f"/related-item/{created['relatedItemId']}"
    )
    assert [(item["relatedItemId"], item["type"], item["content"]) for item in items] == [
        (created["relatedItemId"], "Comment", COMMENT)
    ]


def test_content_that_does_not_match_the_type_is_a_validation_exception(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()

    with pytest.raises(ClientError) as caught:
        add(client, ids, case_id, "Contact", COMMENT)

    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_comment_longer_than_15000_characters_is_a_validation_exception(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()
    body = {"comment": {"body": "x" * 15001, "contentType": "Text/Plain"}}

    with pytest.raises(ClientError) as caught:
        add(client, ids, case_id, "Comment", body)

    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "15000" in caught.value.response["Error"]["Message"]


def test_related_item_on_unknown_case_is_resource_not_found(client: Any, ids: Any) -> None:
    with pytest.raises(ClientError) as caught:
        add(client, ids, "no-such-case", "Comment", COMMENT)

    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_malformed_contact_arn_is_a_validation_exception(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()

    with pytest.raises(ClientError) as caught:
        add(client, ids, case_id, "Contact", {"contact": {"contactArn": "contact-1"}})

    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_search_related_items_filters_by_type_newest_first(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()
    first = add(client, ids, case_id, "Comment", COMMENT)["relatedItemId"]
    add(client, ids, case_id, "Contact", {"contact": {"contactArn": contact_arn()}})
    second = add(client, ids, case_id, "Comment", COMMENT)["relatedItemId"]

    comments = client.search_related_items(
        domainId=ids.domain, caseId=case_id, filters=[{"comment": {}}]
    )["relatedItems"]

    assert [item["relatedItemId"] for item in comments] == [second, first]


def test_search_related_items_filters_contacts_by_arn(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()
    wanted = contact_arn()
    add(client, ids, case_id, "Contact", {"contact": {"contactArn": contact_arn()}})
    add(client, ids, case_id, "Contact", {"contact": {"contactArn": wanted}})

    items = client.search_related_items(
        domainId=ids.domain, caseId=case_id, filters=[{"contact": {"contactArn": wanted}}]
    )["relatedItems"]

    assert [item["content"]["contact"]["contactArn"] for item in items] == [wanted]


def test_list_cases_for_contact_finds_the_cases_linked_to_it(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    arn = contact_arn()
    linked = [new_case(), new_case()]
    new_case()  # not linked
    for case_id in linked:
        add(client, ids, case_id, "Contact", {"contact": {"contactArn": arn}})

    response = client.list_cases_for_contact(domainId=ids.domain, contactArn=arn)

    assert [case["caseId"] for case in response["cases"]] == linked
    assert {case["templateId"] for case in response["cases"]} == {ids.template}


def test_linking_an_unknown_case_is_a_validation_exception(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()

    with pytest.raises(ClientError) as caught:
        add(client, ids, case_id, "ConnectCase", {"connectCase": {"caseId": "no-such-case"}})

    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_audit_events_come_newest_first_across_pages(
    client: Any, ids: Any, new_case: Callable[..., str]
) -> None:
    case_id = new_case()
    for _ in range(3):
        add(client, ids, case_id, "Comment", COMMENT)

    first = client.get_case_audit_events(domainId=ids.domain, caseId=case_id, maxResults=3)
    second = client.get_case_audit_events(
        domainId=ids.domain, caseId=case_id, maxResults=3, nextToken=first["nextToken"]
    )

    types = [event["type"] for event in first["auditEvents"] + second["auditEvents"]]
    assert types == ["RelatedItem.Created"] * 3 + ["Case.Created"]
    assert first["auditEvents"][0]["relatedItemType"] == "Comment"
    assert "nextToken" not in second
    assert len({e["eventId"] for e in first["auditEvents"] + second["auditEvents"]}) == 4
