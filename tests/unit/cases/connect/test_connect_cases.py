from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from cases.backend import (
    BackendError,
    BackendUnavailable,
    CaseDraft,
    CaseFilter,
    CaseNotFound,
    Conflict,
    InvalidCase,
    Throttled,
)
from cases.connect.backend import ConnectCasesBackend
from cases.longtext import CONTINUED_MARKER, cut_for_field, split_parts

KEY = "9f" * 32

DRAFT = CaseDraft(
    title="Router keeps dropping",
    description="The router restarts every hour.",
    contact="+447911123456",
    priority="High",
    origin="WhatsApp",
    conversation_id="447911123456",
    channel="whatsapp",
)


def create_params(stubs: Any, draft: CaseDraft = DRAFT, **changes: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "domainId": stubs.domain_id,
        "templateId": stubs.template_id,
        "fields": [
            {"id": "title", "value": {"stringValue": draft.title}},
            {"id": stubs.description_id, "value": {"stringValue": draft.description}},
            {"id": stubs.contact_id, "value": {"stringValue": draft.contact}},
            {"id": stubs.priority_id, "value": {"stringValue": draft.priority}},
            {"id": stubs.origin_id, "value": {"stringValue": draft.origin}},
            {
                "id": stubs.verified_id,
                "value": {"stringValue": "Yes" if draft.contact_verified else "No"},
            },
        ],
        "clientToken": KEY,
        "performedBy": {"customEntity": "casebot via whatsapp"},
        "tags": {"channel": "whatsapp", "conversation_id": "447911123456"},
    }
    params.update(changes)
    return params


def stub_create(stubs: Any, params: dict[str, Any], case_id: str = "case-1") -> None:
    stubs.stubber.add_response(
        "create_case",
        {"caseId": case_id, "caseArn": f"arn:aws:cases:us-east-1:111122223333:case/{case_id}"},
        params,
    )
    stubs.stubber.add_response(
        "get_case",
        {"fields": stubs.case_fields(), "templateId": stubs.template_id},
        {
            "domainId": stubs.domain_id,
            "caseId": case_id,
            "fields": [{"id": field_id} for field_id in stubs.wanted],
        },
    )


# creating


async def test_cold_create_reads_fields_template_and_options_then_creates(
    connect: ConnectCasesBackend, stubs: Any
) -> None:
    stubs.warm_up()
    stub_create(stubs, create_params(stubs))

    case = await connect.create_case(DRAFT, KEY)

    stubs.stubber.assert_no_pending_responses()
    assert stubs.calls == [
        "ListFields",
        "GetTemplate",
        "ListFieldOptions",
        "ListFieldOptions",
        "ListFieldOptions",
        "CreateCase",
        "GetCase",
    ]
    assert case.case_id == "case-1"
    assert case.ref == "40961234"
    assert case.title == "Router keeps dropping"
    assert case.priority == "High"
    assert case.origin == "WhatsApp"
    assert case.status == "open"
    assert case.customer_id is None
    assert case.created_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


async def test_warm_create_costs_create_case_and_one_get_case(
    connect: ConnectCasesBackend, stubs: Any
) -> None:
    stubs.warm_up()
    await connect.get_template()
    stubs.stubber.assert_no_pending_responses()

    stubs.calls.clear()
    stub_create(stubs, create_params(stubs))
    await connect.create_case(DRAFT, KEY)

    stubs.stubber.assert_no_pending_responses()
    assert stubs.calls == ["CreateCase", "GetCase"]


async def test_create_sends_customer_id_only_when_the_draft_has_one(
    connect: ConnectCasesBackend, stubs: Any
) -> None:
    arn = "arn:aws:profile:us-east-1:111122223333:domains/casebot/profiles/abc123"
    draft = DRAFT.model_copy(update={"customer_id": arn})
    params = create_params(stubs, draft)
    params["fields"].append({"id": "customer_id", "value": {"stringValue": arn}})
    stubs.warm_up()
    stub_create(stubs, params)

    await connect.create_case(draft, KEY)

    stubs.stubber.assert_no_pending_responses()


async def test_create_cleans_performed_by_and_tags_and_hashes_a_long_key(
    connect: ConnectCasesBackend, stubs: Any
) -> None:
    draft = DRAFT.model_copy(update={"channel": "web#chat", "conversation_id": "user#1 (x)"})
    long_key = "k" * 80
    params = create_params(
        stubs,
        draft,
        clientToken=hashlib.sha256(long_key.encode()).hexdigest(),
        performedBy={"customEntity": "casebot via web-chat"},
        tags={"channel": "web_chat", "conversation_id": "user_1 _x_"},
    )
    stubs.warm_up()
    stub_create(stubs, params)

    await connect.create_case(draft, long_key)

    stubs.stubber.assert_no_pending_responses()


async def test_empty_optional_origin_is_left_out(connect: ConnectCasesBackend, stubs: Any) -> None:
    draft = DRAFT.model_copy(update={"origin": ""})
    params = create_params(stubs, draft)
    params["fields"] = [f for f in params["fields"] if f["id"] != stubs.origin_id]
    stubs.warm_up()
    stub_create(stubs, params)

    await connect.create_case(draft, KEY)

    stubs.stubber.assert_no_pending_responses()


def stub_comment_search(stubs: Any, bodies: list[str], case_id: str = "case-1") -> None:
    stubs.stubber.add_response(
        "search_related_items",
        {
            "relatedItems": [
                {
                    "relatedItemId": f"ri-{i}",
                    "type": "Comment",
                    "associationTime": datetime(2024, 5, 1, tzinfo=UTC),
                    "content": {"comment": {"body": body, "contentType": "Text/Plain"}},
                }
                for i, body in enumerate(bodies)
            ]
        },
        {
            "domainId": stubs.domain_id,
            "caseId": case_id,
            "filters": [{"comment": {}}],
            "maxResults": 25,
        },
    )


def stub_comment(
    stubs: Any, body: str, case_id: str = "case-1", performer: str = "casebot"
) -> None:
    stubs.stubber.add_response(
        "create_related_item",
        {"relatedItemId": "ri-new", "relatedItemArn": "arn:aws:cases:us-east-1:1:ri/ri-new"},
        {
            "domainId": stubs.domain_id,
            "caseId": case_id,
            "type": "Comment",
            "content": {"comment": {"body": body, "contentType": "Text/Plain"}},
            "performedBy": {"customEntity": performer},
        },
    )


LONG = "".join(f"Line {i}: the router restarted again, lights blinking.\n" for i in range(700))


def description_comments(text: str) -> list[str]:
    parts = split_parts(text, 15_000 - 64)
    return [f"Full description (part {i} of {len(parts)}):\n{p}" for i, p in enumerate(parts, 1)]


def test_description_comments_hold_the_whole_text_within_the_comment_limit() -> None:
    bodies = description_comments(LONG)
    assert len(LONG) > 30_000 and len(bodies) == 3
    assert all(len(body) <= 15_000 for body in bodies)
    assert "".join(body.split(":\n", 1)[1] for body in bodies) == LONG


async def test_long_description_goes_in_cut_and_whole_as_comments(
    connect: ConnectCasesBackend, stubs: Any
) -> None:
    draft = DRAFT.model_copy(update={"description": LONG})
    cut = cut_for_field(LONG, 4100)
    assert len(cut) <= 4100 and cut.endswith(CONTINUED_MARKER)
    params = create_params(stubs, draft)
    params["fields"][1]["value"]["stringValue"] = cut
    stubs.warm_up()
    stub_create(stubs, params)
    stub_comment_search(stubs, [])
    for body in description_comments(LONG):
        stub_comment(stubs, body, performer="casebot via whatsapp")

    await connect.create_case(draft, KEY)

    stubs.stubber.assert_no_pending_responses()


async def test_retried_long_create_posts_only_the_missing_comments(
    connect: ConnectCasesBackend, stubs: Any
) -> None:
    draft = DRAFT.model_copy(update={"description": LONG})
    params = create_params(stubs, draft)
    params["fields"][1]["value"]["stringValue"] = cut_for_field(LONG, 4100)
    first, *rest = description_comments(LONG)
    stubs.warm_up()
    stub_create(stubs, params)  # the same clientToken: Connect answers with the same case
    stub_comment_search(stubs, [first, "an agent's own note"])
    for body in rest:
        stub_comment(stubs, body, performer="casebot via whatsapp")

    await connect.create_case(draft, KEY)

    stubs.stubber.assert_no_pending_responses()


# reading, searching, changing


async def test_get_case_finds_the_case_by_reference_number(
    connect: ConnectCasesBackend, stubs: Any
) -> None:
    stubs.warm_up()
    stubs.find("40961234", **{stubs.description_id: "It restarts."})

    case = await connect.get_case(" 40961234 ")

    stubs.stubber.assert_no_pending_responses()
    assert (case.ref, case.case_id, case.description) == ("40961234", "case-1", "It restarts.")
    assert case.fields["contact"] == "+447911123456"
    assert case.fields["customer_id"] is None


async def test_unknown_reference_raises_case_not_found(
    connect: ConnectCasesBackend, stubs: Any
) -> None:
    stubs.warm_up()
    stubs.stubber.add_response("search_cases", {"cases": []})

    with pytest.raises(CaseNotFound):
        await connect.get_case("99999999")


async def test_update_clears_a_field_with_empty_value_and_returns_the_case_after(
    connect: ConnectCasesBackend, stubs: Any
) -> None:
    stubs.warm_up()
    stubs.find("40961234")
    stubs.stubber.add_response(
        "update_case",
        {},
        {
            "domainId": stubs.domain_id,
            "caseId": "case-1",
            "fields": [
                {"id": stubs.priority_id, "value": {"stringValue": "Critical"}},
                {"id": stubs.origin_id, "value": {"emptyValue": {}}},
                {"id": "status", "value": {"stringValue": "closed"}},
                # a case closed is no longer on hold
                {"id": stubs.on_hold_id, "value": {"booleanValue": False}},
            ],
            "performedBy": {"customEntity": "casebot"},
        },
    )

    case = await connect.update_case(
        "40961234", {"priority": "Critical", "origin": None, "status": "closed"}
    )

    stubs.stubber.assert_no_pending_responses()
    assert (case.priority, case.origin, case.status) == ("Critical", "", "closed")
    assert case.title == "Router keeps dropping"


async def test_update_of_an_unknown_field_is_invalid(
    connect: ConnectCasesBackend, stubs: Any
) -> None:
    stubs.warm_up()
    stubs.find("40961234")

    with pytest.raises(InvalidCase):
        await connect.update_case("40961234", {"shoe_size": "44"})


async def test_add_comment_posts_a_plain_text_comment(
    connect: ConnectCasesBackend, stubs: Any
) -> None:
    stubs.warm_up()
    stubs.find("40961234")
    stub_comment(stubs, "Still broken this morning.")

    await connect.add_comment("40961234", "Still broken this morning.")

    stubs.stubber.assert_no_pending_responses()


async def test_search_builds_an_and_all_filter_sorted_by_creation(
    connect: ConnectCasesBackend, stubs: Any
) -> None:
    stubs.warm_up()
    stubs.stubber.add_response(
        "search_cases",
        {
            "cases": [
                {
                    "caseId": "case-2",
                    "templateId": stubs.template_id,
                    "fields": stubs.case_fields(reference_number="2"),
                },
                {
                    "caseId": "case-1",
                    "templateId": stubs.template_id,
                    "fields": stubs.case_fields(reference_number="1"),
                },
            ],
            "nextToken": "page-3",
            "totalCount": 12,
        },
        {
            "domainId": stubs.domain_id,
            "maxResults": 10,
            "sorts": [{"fieldId": "created_datetime", "sortOrder": "Asc"}],
            "fields": [{"id": field_id} for field_id in stubs.wanted],
            "filter": {
                "andAll": [
                    {
                        "field": {
                            "equalTo": {"id": stubs.contact_id, "value": {"stringValue": "a@b.co"}}
                        }
                    },
                    {"field": {"equalTo": {"id": "status", "value": {"stringValue": "open"}}}},
                ]
            },
            "searchTerm": "router",
            "nextToken": "page-2",
        },
    )

    page = await connect.search_cases(
        CaseFilter(contact="a@b.co", status="open", text="router", newest_first=False), "page-2"
    )

    stubs.stubber.assert_no_pending_responses()
    assert [case.ref for case in page.cases] == ["2", "1"]
    assert (page.next_token, page.total) == ("page-3", 12)


async def test_search_without_criteria_sends_no_filter(
    connect: ConnectCasesBackend, stubs: Any
) -> None:
    stubs.warm_up()
    stubs.stubber.add_response(
        "search_cases",
        {"cases": []},
        {
            "domainId": stubs.domain_id,
            "maxResults": 10,
            "sorts": [{"fieldId": "created_datetime", "sortOrder": "Desc"}],
            "fields": [{"id": field_id} for field_id in stubs.wanted],
        },
    )

    page = await connect.search_cases(CaseFilter())

    assert page.cases == [] and page.next_token is None


# the template


async def test_template_comes_from_the_service_by_field_name(
    connect: ConnectCasesBackend, stubs: Any
) -> None:
    stubs.warm_up()

    template = await connect.get_template()

    assert template.template_id == stubs.template_id
    assert {name: f.field_id for name, f in template.fields.items()} == {
        "title": "title",
        "description": stubs.description_id,
        "contact": stubs.contact_id,
        "priority": stubs.priority_id,
        "origin": stubs.origin_id,
        "contact_verified": stubs.verified_id,
        "satisfaction": stubs.satisfaction_id,
    }
    assert template.fields["satisfaction"].type == "Number"
    assert template.fields["priority"].options == ("Low", "Medium", "High", "Critical")
    assert template.fields["origin"].required is False
    assert template.fields["description"].required is True
    assert template.fields["description"].max_length == 4100
    assert template.fields["title"].max_length == 200


async def test_template_is_read_again_after_the_cache_expires(
    connect: ConnectCasesBackend, stubs: Any, clock: Any
) -> None:
    stubs.warm_up()
    await connect.get_template()
    clock.now += 299
    await connect.get_template()
    assert len(stubs.calls) == 5
    clock.now += 2
    stubs.warm_up()

    await connect.get_template()

    stubs.stubber.assert_no_pending_responses()
    assert len(stubs.calls) == 10


async def test_failed_refresh_keeps_the_template_read_before(
    connect: ConnectCasesBackend, stubs: Any, clock: Any
) -> None:
    stubs.warm_up()
    before = await connect.get_template()
    clock.now += 301
    stubs.stubber.add_client_error("list_fields", "InternalServerException", http_status_code=500)

    assert await connect.get_template() == before


async def test_failed_first_read_is_not_retried_on_every_turn(
    connect: ConnectCasesBackend, stubs: Any, clock: Any
) -> None:
    stubs.stubber.add_client_error("list_fields", "InternalServerException", http_status_code=500)
    with pytest.raises(BackendUnavailable):
        await connect.get_template()

    clock.now += 10
    with pytest.raises(BackendUnavailable):
        await connect.get_template()
    assert stubs.calls == ["ListFields"]
    clock.now += 30
    stubs.warm_up()

    await connect.get_template()
    stubs.stubber.assert_no_pending_responses()


# errors


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("ThrottlingException", 429, Throttled),
        ("ValidationException", 400, InvalidCase),
        ("ResourceNotFoundException", 404, CaseNotFound),
        ("ConflictException", 409, Conflict),
        ("AccessDeniedException", 403, BackendUnavailable),
        ("InternalServerException", 500, BackendUnavailable),
        ("ServiceQuotaExceededException", 402, BackendUnavailable),
        ("SomethingNewException", 503, BackendUnavailable),
    ],
)
async def test_client_error_codes_map_to_the_error_tree(
    connect: ConnectCasesBackend, stubs: Any, code: str, status: int, kind: type[BackendError]
) -> None:
    stubs.warm_up()
    stubs.stubber.add_client_error(
        "search_cases", code, "AWS says: value +447911123456 is bad", status
    )

    with pytest.raises(kind) as caught:
        await connect.get_case("40961234")

    assert type(caught.value) is kind
    assert isinstance(caught.value.__cause__, ClientError)
    assert "AWS says" not in str(caught.value)
    assert "+447911123456" not in str(caught.value)


async def test_missing_template_on_create_is_unavailable_not_case_not_found(
    connect: ConnectCasesBackend, stubs: Any
) -> None:
    stubs.warm_up()
    stubs.stubber.add_client_error("create_case", "ResourceNotFoundException", http_status_code=404)

    with pytest.raises(BackendUnavailable):
        await connect.create_case(DRAFT, KEY)


@pytest.mark.parametrize(
    "error",
    [
        EndpointConnectionError(endpoint_url="http://127.0.0.1:8081/connectcases"),
        ConnectTimeoutError(endpoint_url="http://127.0.0.1:8081/connectcases"),
        ReadTimeoutError(endpoint_url="http://127.0.0.1:8081/connectcases"),
    ],
)
async def test_connection_errors_and_timeouts_are_unavailable(
    client: Any, spec: Any, error: Exception
) -> None:
    def fail(**_: Any) -> None:
        raise error

    client.meta.events.register("before-call.connectcases.ListFields", fail)
    backend = ConnectCasesBackend(client, "d", "t", spec=spec)

    with pytest.raises(BackendUnavailable) as caught:
        await backend.get_template()

    assert caught.value.__cause__ is error
    assert caught.value.retryable is True
