"""Every method of ``CaseBackend``, with the same assertions on Connect Cases and on AICC.

Where one back end cannot offer a method, the test asserts the behaviour its adapter
documents instead, and says so.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from cases.backend import (
    Actor,
    Attachment,
    Case,
    CaseBackend,
    CaseDraft,
    CaseFilter,
    CaseNotFound,
    Conflict,
    InvalidCase,
)
from cases.paging import search_all

if TYPE_CHECKING:
    # the conftest of this folder; only its type is wanted, never a second import of it
    from conftest import Sandbox

Draft = Callable[..., CaseDraft]
CONTACT_ARN = "arn:aws:connect:us-east-1:123456789012:instance/abc/contact/{}"


def key() -> str:
    return f"whatsapp:{uuid.uuid4().hex}:1"


async def test_create_reads_back_every_value_filed(backend: CaseBackend, new_draft: Draft) -> None:
    draft = new_draft()

    case = await backend.create_case(draft, key())

    assert (case.title, case.description, case.contact, case.priority) == (
        "Parcel lost",
        "The parcel never arrived.",
        draft.contact,
        "High",
    )
    assert case.status == "open"
    assert case.ref and case.case_id
    assert case.created_at is not None
    assert abs(case.created_at - datetime.now(UTC)) < timedelta(minutes=5)


async def test_the_same_key_and_draft_file_one_case_and_return_it_again(
    backend: CaseBackend, new_draft: Draft, customer: str
) -> None:
    idempotency_key = key()

    first = await backend.create_case(new_draft(), idempotency_key)
    second = await backend.create_case(new_draft(), idempotency_key)

    assert (second.case_id, second.ref) == (first.case_id, first.ref)
    filed = await search_all(backend, CaseFilter(contact=customer))
    assert [case.case_id for case in filed] == [first.case_id]


async def test_the_same_key_with_a_different_draft_raises_conflict_and_files_nothing(
    backend: CaseBackend, new_draft: Draft, customer: str
) -> None:
    idempotency_key = key()
    first = await backend.create_case(new_draft(), idempotency_key)

    with pytest.raises(Conflict):
        await backend.create_case(new_draft(title="Parcel damaged"), idempotency_key)

    filed = await search_all(backend, CaseFilter(contact=customer))
    assert [(case.case_id, case.title) for case in filed] == [(first.case_id, "Parcel lost")]


async def test_get_case_by_reference_returns_the_case_filed(
    backend: CaseBackend, new_draft: Draft
) -> None:
    created = await backend.create_case(new_draft(priority="Critical"), key())

    found = await backend.get_case(created.ref)

    assert found.case_id == created.case_id
    assert (found.ref, found.title, found.priority, found.status) == (
        created.ref,
        "Parcel lost",
        "Critical",
        "open",
    )


async def test_get_case_of_an_unknown_reference_raises_case_not_found(
    backend: CaseBackend,
) -> None:
    with pytest.raises(CaseNotFound):
        await backend.get_case("99999999")


async def test_search_for_a_customer_is_newest_first_and_pages_to_the_end(
    backend: CaseBackend, new_draft: Draft, customer: str
) -> None:
    created = [await backend.create_case(new_draft(title=f"Parcel {n}"), key()) for n in range(5)]
    await backend.create_case(new_draft(contact=f"other-{customer}"), key())
    wanted = CaseFilter(contact=customer, page_size=2)

    pages = [await backend.search_cases(wanted)]
    while pages[-1].next_token:
        pages.append(await backend.search_cases(wanted, pages[-1].next_token))

    assert [len(page.cases) for page in pages] == [2, 2, 1]
    titles = [case.title for page in pages for case in page.cases]
    assert titles == ["Parcel 4", "Parcel 3", "Parcel 2", "Parcel 1", "Parcel 0"]
    assert {case.case_id for page in pages for case in page.cases} == {c.case_id for c in created}
    assert pages[0].total == 5
    oldest_first = await search_all(backend, CaseFilter(contact=customer, newest_first=False))
    assert [case.title for case in oldest_first] == titles[::-1]


async def test_search_for_a_customer_with_no_cases_is_one_empty_page(
    backend: CaseBackend, customer: str
) -> None:
    page = await backend.search_cases(CaseFilter(contact=customer))

    assert (page.cases, page.next_token) == ([], None)


async def test_update_changes_priority_and_status_as_read_back(
    backend: CaseBackend, new_draft: Draft
) -> None:
    case = await backend.create_case(new_draft(), key())

    after = await backend.update_case(case.ref, {"priority": "Low", "status": "closed"})
    read = await backend.get_case(case.ref)

    assert (after.priority, after.status) == ("Low", "closed")
    assert (read.priority, read.status, read.title) == ("Low", "closed", "Parcel lost")


async def test_update_of_an_unknown_reference_raises_case_not_found(backend: CaseBackend) -> None:
    with pytest.raises(CaseNotFound):
        await backend.update_case("99999999", {"status": "closed"})


async def test_update_to_a_priority_not_offered_raises_invalid_case(
    backend: CaseBackend, new_draft: Draft
) -> None:
    case = await backend.create_case(new_draft(), key())

    with pytest.raises(InvalidCase):
        await backend.update_case(case.ref, {"priority": "Whenever"})

    assert (await backend.get_case(case.ref)).priority == "High"


# AICC publishes no call that reads a case's comments back
@pytest.mark.standin_only("aicc")
async def test_comments_are_stored_on_the_case_in_order(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    case = await backend.create_case(new_draft(), key())
    agent = Actor(channel="webchat", conversation_id="agent-chat", agent_id="agent-7")

    await backend.add_comment(case.ref, "Courier called.")
    await backend.add_comment(case.ref, "Refund sent.", agent)

    assert await sandbox.comments(case.case_id) == ["Courier called.", "Refund sent."]


async def test_comment_on_an_unknown_reference_raises_case_not_found(backend: CaseBackend) -> None:
    with pytest.raises(CaseNotFound):
        await backend.add_comment("99999999", "hello")


async def test_history_lists_the_changes_newest_first(
    backend: CaseBackend, new_draft: Draft
) -> None:
    case = await backend.create_case(new_draft(), key())
    await backend.update_case(case.ref, {"priority": "Low"})
    await backend.update_case(case.ref, {"status": "closed"})

    history = await backend.get_history(case.ref)

    changes = [(event.field, event.old, event.new) for event in history]
    assert changes.index(("status", "open", "closed")) < changes.index(("priority", "High", "Low"))
    assert [event.at for event in history] == sorted((e.at for e in history), reverse=True)
    assert await backend.get_history(case.ref, since=datetime(2999, 1, 1, tzinfo=UTC)) == []


async def test_history_of_an_unknown_reference_raises_case_not_found(
    backend: CaseBackend,
) -> None:
    with pytest.raises(CaseNotFound):
        await backend.get_history("99999999")


async def test_template_names_the_form_fields_and_the_priority_options(
    backend: CaseBackend,
) -> None:
    template = await backend.get_template()

    assert {"title", "description", "contact", "priority", "origin"} <= set(template.fields)
    assert template.fields["priority"].options == ("Low", "Medium", "High", "Critical")
    assert template.fields["title"].required
    assert template.fields["title"].max_length


# AICC publishes no call that reads a case's comments back
@pytest.mark.standin_only("aicc")
async def test_attached_file_is_on_the_case(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    """Connect stores the file and links it; AICC, with no upload interface, comments it.

    Both are read back: Connect's file item names the file's ARN, AICC's comment its name.
    """
    case = await backend.create_case(new_draft(), key())
    photo = Attachment(name="parcel.jpg", content_type="image/jpeg", data=b"\xff\xd8jpeg")

    await backend.attach_file(case.ref, photo)

    if sandbox.kind == "connect":
        found = sandbox.cases_client.search_related_items(
            domainId=sandbox.domain_id, caseId=case.case_id, filters=[{"file": {}}]
        )
        arns = [item["content"]["file"]["fileArn"] for item in found["relatedItems"]]
        assert len(arns) == 1 and ":instance/" in arns[0]
    else:
        [comment] = await sandbox.comments(case.case_id)
        assert "parcel.jpg (image/jpeg, 6 bytes)" in comment


# the contact linked is made up, and a real Connect instance has no such contact
@pytest.mark.standin_only("connect")
async def test_linked_contact_finds_its_case(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    """Connect links a contact and finds the case by it; AICC offers neither (one contactId
    set at creation, no links) and its adapter documents ``InvalidCase`` for both.
    """
    case = await backend.create_case(new_draft(), key())
    contact = CONTACT_ARN.format(uuid.uuid4())

    if sandbox.kind == "aicc":
        with pytest.raises(InvalidCase, match="linked"):
            await backend.link_contact(case.ref, contact)
        with pytest.raises(InvalidCase, match="links"):
            await backend.cases_for_contact(contact)
        return
    await backend.link_contact(case.ref, contact)
    await backend.link_contact(case.ref, contact)

    found: list[Case] = await backend.cases_for_contact(contact)
    assert [c.case_id for c in found] == [case.case_id]
    assert await backend.cases_for_contact(CONTACT_ARN.format(uuid.uuid4())) == []


async def test_update_with_none_clears_a_field_and_reads_back_empty(
    backend: CaseBackend, new_draft: Draft
) -> None:
    case = await backend.create_case(new_draft(origin="Voice"), key())

    after = await backend.update_case(case.ref, {"origin": None, "description": "Now found."})

    assert (case.origin, after.origin, after.description) == ("Voice", "", "Now found.")
    assert (await backend.get_case(case.ref)).origin == ""


# AICC publishes no call that reads a case's comments back
@pytest.mark.standin_only("aicc")
async def test_a_description_longer_than_its_field_is_cut_and_follows_whole_as_comments(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    limit = (await backend.get_template()).fields["description"].max_length
    assert limit is not None
    text = "y" * (limit + 10)

    case = await backend.create_case(new_draft(description=text), key())

    assert case.description.endswith("[continued in comments]")
    assert len(case.description) <= limit
    assert text in "".join(await sandbox.comments(case.case_id))


async def test_concurrent_creates_with_one_key_file_one_case(
    backend: CaseBackend, new_draft: Draft, customer: str
) -> None:
    idempotency_key = key()

    creates = [backend.create_case(new_draft(), idempotency_key) for _ in range(4)]
    cases = await asyncio.gather(*creates)

    assert len({case.case_id for case in cases}) == 1
    assert len(await search_all(backend, CaseFilter(contact=customer))) == 1
