"""The Connect Cases adapter, through real boto3, against the stand-in.

Every operation the adapter uses is walked here, and every response it gets is checked against
botocore's output shape for that operation.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.validate import ParamValidator

from cases.backend import (
    Actor,
    BackendUnavailable,
    CaseDraft,
    CaseFilter,
    CaseNotFound,
    InvalidCase,
)
from cases.connect.backend import ConnectCasesBackend
from cases.paging import search_all
from cases.template import load_template_spec
from sandbox.aws.wire import constraint_errors

REPO_TEMPLATE = Path(__file__).resolve().parents[4] / "data" / "case_template.yaml"
AGENT_ARN = "arn:aws:connect:us-east-1:123456789012:instance/abc/agent/agent-7"
CONTACT_ARN = "arn:aws:connect:us-east-1:123456789012:instance/abc/contact/{}"


class Recorder:
    """Keeps every (operation, parsed response) the client receives."""

    def __init__(self) -> None:
        self.responses: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        self.responses.append((model.name, parsed))


@pytest.fixture
def recorder(client: Any) -> Iterator[Recorder]:
    recorder = Recorder()
    client.meta.events.register("after-call.connectcases", recorder)
    yield recorder
    client.meta.events.unregister("after-call.connectcases", recorder)


@pytest.fixture
def backend(client: Any, ids: Any) -> ConnectCasesBackend:
    return ConnectCasesBackend(
        client,
        ids.domain,
        ids.template,
        spec=load_template_spec(REPO_TEMPLATE),
        page_size=2,
    )


@pytest.fixture
def calls(http: httpx.Client) -> Callable[[], dict[str, int]]:
    http.post("/_sandbox/calls/reset")

    def counts() -> dict[str, int]:
        snapshot: dict[str, dict[str, int]] = http.get("/_sandbox/calls").json()
        return {op: n for op, n in snapshot.get("connectcases", {}).items() if n}

    return counts


def draft(conversation: str, **changes: Any) -> CaseDraft:
    values: dict[str, Any] = {
        "title": "Parcel lost",
        "description": "The parcel never arrived.",
        "contact": f"{conversation}@example.com",
        "priority": "High",
        "origin": "WhatsApp",
        "conversation_id": conversation,
        "channel": "whatsapp",
    }
    values.update(changes)
    return CaseDraft(**values)


def assert_all_fit_the_model(client: Any, recorder: Recorder) -> set[str]:
    model = client.meta.service_model
    for operation, parsed in recorder.responses:
        shape = model.operation_model(operation).output_shape
        body = {key: value for key, value in parsed.items() if key != "ResponseMetadata"}
        report = ParamValidator().validate(body, shape)
        assert not report.has_errors(), f"{operation}: {report.generate_report()}"
        assert list(constraint_errors(body, shape, "")) == [], operation
    return {operation for operation, _ in recorder.responses}


async def test_adapter_walks_every_operation_and_each_answer_fits_the_model(
    backend: ConnectCasesBackend, client: Any, recorder: Recorder
) -> None:
    conversation = f"whatsapp:{uuid.uuid4().hex[:12]}"
    created = await backend.create_case(draft(conversation), f"{conversation}:1")
    again = await backend.get_case(created.ref)
    await backend.search_cases(CaseFilter(conversation_id=conversation))
    actor = Actor(channel="webchat", conversation_id="agent-chat", agent_id=AGENT_ARN)
    await backend.update_case(created.ref, {"status": "pending", "assigned_user": AGENT_ARN}, actor)
    await backend.add_comment(created.ref, "Courier called.", actor)
    await backend.link_contact(created.ref, CONTACT_ARN.format(uuid.uuid4()))
    await backend.get_history(created.ref)
    long = await backend.create_case(
        draft(conversation, description="x" * 5000), f"{conversation}:2"
    )
    contact = CONTACT_ARN.format(uuid.uuid4())
    await backend.link_contact(long.ref, contact)
    await backend.cases_for_contact(contact)

    assert again.case_id == created.case_id
    used = assert_all_fit_the_model(client, recorder)
    assert used == {
        "ListFields",
        "GetTemplate",
        "ListFieldOptions",
        "CreateCase",
        "GetCase",
        "SearchCases",
        "UpdateCase",
        "CreateRelatedItem",
        "SearchRelatedItems",
        "GetCaseAuditEvents",
        "ListCasesForContact",
    }


async def test_warm_create_costs_one_create_and_one_read_back(
    backend: ConnectCasesBackend, calls: Callable[[], dict[str, int]]
) -> None:
    await backend.get_template()
    cold = calls()
    conversation = f"webchat:{uuid.uuid4().hex[:12]}"

    case = await backend.create_case(draft(conversation), f"{conversation}:1")

    assert set(cold) == {"ListFields", "GetTemplate", "ListFieldOptions"}
    warm = {op: n - cold.get(op, 0) for op, n in calls().items() if n - cold.get(op, 0)}
    assert warm == {"CreateCase": 1, "GetCase": 1}
    assert case.ref.isdigit()


async def test_retried_create_returns_the_same_case_and_makes_no_second_one(
    backend: ConnectCasesBackend,
) -> None:
    conversation = f"webchat:{uuid.uuid4().hex[:12]}"
    first = await backend.create_case(draft(conversation), f"{conversation}:1")
    second = await backend.create_case(draft(conversation), f"{conversation}:1")

    found = await backend.search_cases(CaseFilter(conversation_id=conversation))

    assert second.ref == first.ref
    assert [case.ref for case in found.cases] == [first.ref]


async def test_search_filters_by_contact_priority_status_and_assigned_user(
    backend: ConnectCasesBackend,
) -> None:
    conversation = f"webchat:{uuid.uuid4().hex[:12]}"
    mine = draft(conversation, contact="+447700900123")
    high = await backend.create_case(mine, f"{conversation}:1")
    low = await backend.create_case(
        draft(conversation, contact="+447700900123", priority="Low"), f"{conversation}:2"
    )
    await backend.create_case(draft(conversation, priority="Low"), f"{conversation}:3")
    agent = Actor(channel="whatsapp", conversation_id="agent", agent_id=AGENT_ARN)
    await backend.update_case(low.ref, {"assigned_user": AGENT_ARN, "status": "pending"}, agent)

    by_contact = await search_all(
        backend, CaseFilter(contact="+447700900123", conversation_id=conversation)
    )
    by_priority = await search_all(
        backend, CaseFilter(priority="Low", contact="+447700900123", conversation_id=conversation)
    )
    by_agent = await search_all(
        backend, CaseFilter(assigned_user=AGENT_ARN, status="pending", conversation_id=conversation)
    )

    assert [case.ref for case in by_contact] == [low.ref, high.ref]
    assert [case.ref for case in by_priority] == [low.ref]
    assert [case.ref for case in by_agent] == [low.ref]
    assert by_agent[0].fields["assigned_user"] == AGENT_ARN


async def test_search_all_follows_pages_to_the_end_oldest_first(
    backend: ConnectCasesBackend,
) -> None:
    conversation = f"webchat:{uuid.uuid4().hex[:12]}"
    made = [
        (await backend.create_case(draft(conversation, title=f"Case {i}"), f"{conversation}:{i}"))
        for i in range(5)
    ]

    first_page = await backend.search_cases(CaseFilter(conversation_id=conversation))
    every = await search_all(backend, CaseFilter(conversation_id=conversation, newest_first=False))

    assert len(first_page.cases) == 2
    assert first_page.next_token
    assert [case.ref for case in every] == [case.ref for case in made]


async def test_update_clears_with_none_and_history_names_fields_and_who(
    backend: ConnectCasesBackend,
) -> None:
    conversation = f"webchat:{uuid.uuid4().hex[:12]}"
    case = await backend.create_case(draft(conversation), f"{conversation}:1")
    before = datetime.now(UTC)
    agent = Actor(channel="webchat", conversation_id="agent", agent_id=AGENT_ARN)

    after = await backend.update_case(case.ref, {"priority": "Critical", "origin": None}, agent)
    read = await backend.get_case(case.ref)
    history = await backend.get_history(case.ref)
    recent = await backend.get_history(case.ref, since=before)

    assert after.priority == read.priority == "Critical"
    assert read.origin == ""
    changed = {event.field: event for event in recent}
    assert changed["priority"].old == "High"
    assert changed["priority"].new == "Critical"
    assert changed["priority"].by == AGENT_ARN
    assert changed["origin"].new is None
    assert "title" not in changed
    created = [event for event in history if event.field == "title"]
    assert created[0].new == "Parcel lost"
    assert created[0].by == "casebot via whatsapp"


async def test_comments_show_in_history_and_long_ones_are_split(
    backend: ConnectCasesBackend, client: Any, ids: Any
) -> None:
    conversation = f"webchat:{uuid.uuid4().hex[:12]}"
    case = await backend.create_case(draft(conversation), f"{conversation}:1")

    await backend.add_comment(case.ref, "y" * 20_000)
    history = await backend.get_history(case.ref)

    items = client.search_related_items(
        domainId=ids.domain, caseId=case.case_id, filters=[{"comment": {}}]
    )["relatedItems"]
    assert sorted(len(item["content"]["comment"]["body"]) for item in items) == [5_000, 15_000]
    assert [event.field for event in history[:2]] == ["comment", "comment"]


async def test_linking_a_contact_twice_links_it_once_and_finds_its_cases(
    backend: ConnectCasesBackend, client: Any, ids: Any
) -> None:
    conversation = f"voice:{uuid.uuid4().hex[:12]}"
    first = await backend.create_case(draft(conversation), f"{conversation}:1")
    second = await backend.create_case(draft(conversation), f"{conversation}:2")
    contact = CONTACT_ARN.format(uuid.uuid4())

    await backend.link_contact(first.ref, contact)
    await backend.link_contact(first.ref, contact)
    await backend.link_contact(second.ref, contact)
    found = await backend.cases_for_contact(contact)

    links = client.search_related_items(
        domainId=ids.domain, caseId=first.case_id, filters=[{"contact": {}}]
    )["relatedItems"]
    assert len(links) == 1
    assert sorted(case.ref for case in found) == sorted([first.ref, second.ref])


async def test_unknown_reference_and_bad_values_map_to_the_error_tree(
    backend: ConnectCasesBackend,
) -> None:
    conversation = f"webchat:{uuid.uuid4().hex[:12]}"
    case = await backend.create_case(draft(conversation), f"{conversation}:1")

    with pytest.raises(CaseNotFound):
        await backend.get_case("99999999")
    with pytest.raises(CaseNotFound):
        await backend.add_comment("99999999", "hello")
    with pytest.raises(InvalidCase):
        await backend.update_case(case.ref, {"priority": "Whenever"})
    with pytest.raises(InvalidCase):
        await backend.update_case(case.ref, {"no_such_field": "x"})
    with pytest.raises(InvalidCase):
        await backend.link_contact(case.ref, "not-an-arn")


PROFILE_ARN = "arn:aws:profile:us-east-1:123456789012:domains/casebot/profiles/{}"


class Customers:
    """A customer resolver that answers a profile ARN, or fails while ``down``."""

    def __init__(self) -> None:
        self.down = False
        self.asked: list[str] = []

    async def resolve(self, contact: str) -> str | None:
        self.asked.append(contact)
        if self.down:
            raise BackendUnavailable("Customer Profiles is down")
        return PROFILE_ARN.format(contact.replace("@", "-at-"))


@pytest.fixture
def customers() -> Customers:
    return Customers()


@pytest.fixture
def with_customers(client: Any, ids: Any, customers: Customers) -> ConnectCasesBackend:
    return ConnectCasesBackend(
        client,
        ids.domain,
        ids.template,
        spec=load_template_spec(REPO_TEMPLATE),
        customers=customers,
    )


async def test_case_carries_the_customer_profile_of_its_contact(
    with_customers: ConnectCasesBackend, customers: Customers
) -> None:
    conversation = f"webchat:{uuid.uuid4().hex[:12]}"

    case = await with_customers.create_case(
        draft(conversation, contact_verified=True), f"{conversation}:1"
    )
    found = await search_all(
        with_customers, CaseFilter(customer_id=case.customer_id, conversation_id=conversation)
    )

    assert customers.asked == [f"{conversation}@example.com"]
    assert case.customer_id == PROFILE_ARN.format(f"{conversation}-at-example.com")
    assert [item.ref for item in found] == [case.ref]


async def test_profiles_down_files_the_case_without_a_customer_and_a_retry_finds_it(
    with_customers: ConnectCasesBackend, customers: Customers
) -> None:
    conversation = f"webchat:{uuid.uuid4().hex[:12]}"
    customers.down = True
    verified = draft(conversation, contact_verified=True)
    first = await with_customers.create_case(verified, f"{conversation}:1")
    customers.down = False

    # the same submission again, now that a profile is found: same key, other body
    retried = await with_customers.create_case(verified, f"{conversation}:1")
    found = await search_all(with_customers, CaseFilter(conversation_id=conversation))

    assert first.customer_id is None
    assert retried.ref == first.ref
    assert [case.ref for case in found] == [first.ref]


async def test_a_typed_contact_finds_no_profile_and_the_case_says_it_is_unverified(
    with_customers: ConnectCasesBackend, customers: Customers
) -> None:
    conversation = f"webchat:{uuid.uuid4().hex[:12]}"

    case = await with_customers.create_case(draft(conversation), f"{conversation}:1")
    read = await with_customers.get_case(case.ref)

    # anyone can type anyone's address: it must neither find nor make their profile
    assert customers.asked == []
    assert (case.customer_id, read.customer_id) == (None, None)
    assert read.contact == f"{conversation}@example.com"
    assert read.fields["contact_verified"] == "No"


async def test_a_verified_contact_is_recorded_as_verified(
    with_customers: ConnectCasesBackend,
) -> None:
    conversation = f"webchat:{uuid.uuid4().hex[:12]}"

    case = await with_customers.create_case(
        draft(conversation, contact_verified=True), f"{conversation}:1"
    )

    assert (await with_customers.get_case(case.ref)).fields["contact_verified"] == "Yes"


async def test_a_known_reference_needs_no_search_before_history_comments_or_links(
    backend: ConnectCasesBackend, calls: Callable[[], dict[str, int]]
) -> None:
    conversation = f"webchat:{uuid.uuid4().hex[:12]}"
    case = await backend.create_case(draft(conversation), f"{conversation}:1")
    before = calls()

    await backend.get_history(case.ref)
    await backend.add_comment(case.ref, "Courier called.")
    await backend.link_contact(case.ref, CONTACT_ARN.format(uuid.uuid4()))

    after = calls()
    assert after.get("SearchCases", 0) == before.get("SearchCases", 0)
    assert after["GetCaseAuditEvents"] == before.get("GetCaseAuditEvents", 0) + 1
