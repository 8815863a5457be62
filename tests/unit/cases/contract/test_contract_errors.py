"""Rejected values and failing back ends raise the same errors on Connect Cases and AICC."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import pytest

from cases.backend import (
    BackendError,
    BackendUnavailable,
    CaseBackend,
    CaseDraft,
    CaseFilter,
    InvalidCase,
    Throttled,
)
from cases.paging import search_all

if TYPE_CHECKING:
    # the conftest of this folder; only its type is wanted, never a second import of it
    from conftest import Sandbox

Draft = Callable[..., CaseDraft]


def key() -> str:
    return f"webchat:{uuid.uuid4().hex}:1"


async def test_a_title_longer_than_the_template_allows_raises_invalid_case_and_files_nothing(
    backend: CaseBackend, new_draft: Draft, customer: str
) -> None:
    limit = (await backend.get_template()).fields["title"].max_length
    assert limit is not None

    fits = await backend.create_case(new_draft(title="x" * limit), key())
    with pytest.raises(InvalidCase, match="title"):
        await backend.create_case(new_draft(title="x" * (limit + 1)), key())

    filed = await search_all(backend, CaseFilter(contact=customer))
    assert [(case.case_id, len(case.title)) for case in filed] == [(fits.case_id, limit)]


async def test_an_update_to_a_title_longer_than_the_template_allows_raises_invalid_case(
    backend: CaseBackend, new_draft: Draft
) -> None:
    limit = (await backend.get_template()).fields["title"].max_length
    assert limit is not None
    case = await backend.create_case(new_draft(), key())

    with pytest.raises(InvalidCase, match="title"):
        await backend.update_case(case.ref, {"title": "x" * (limit + 1)})

    assert (await backend.get_case(case.ref)).title == "Parcel lost"


@pytest.mark.parametrize(
    "changes",
    [{"priority": "Whenever"}, {"origin": "Pigeon"}, {"title": ""}],
    ids=["priority-not-offered", "origin-not-offered", "title-missing"],
)
async def test_a_draft_the_template_rejects_raises_invalid_case_and_files_nothing(
    backend: CaseBackend, new_draft: Draft, customer: str, changes: dict[str, str]
) -> None:
    with pytest.raises(InvalidCase):
        await backend.create_case(new_draft(**changes), key())

    assert await search_all(backend, CaseFilter(contact=customer)) == []


Call = Callable[[], Awaitable[object]]


def every_call(backend: CaseBackend, ref: str, draft: CaseDraft) -> dict[str, Call]:
    """One call of each method that reaches the back end, on the case ``ref``."""
    return {
        "create_case": lambda: backend.create_case(draft, key()),
        "get_case": lambda: backend.get_case(ref),
        "search_cases": lambda: backend.search_cases(CaseFilter(contact=draft.contact)),
        "update_case": lambda: backend.update_case(ref, {"status": "closed"}),
        "add_comment": lambda: backend.add_comment(ref, "hello"),
        "get_history": lambda: backend.get_history(ref),
    }


async def raised_by(calls: dict[str, Call]) -> dict[str, type[BaseException] | None]:
    raised: dict[str, type[BaseException] | None] = {}
    for name, call in calls.items():
        try:
            await call()
        except BackendError as exc:
            assert exc.retryable, name
            raised[name] = type(exc)
        else:
            raised[name] = None
    return raised


# faults are injected at the stand-in
@pytest.mark.standin_only
@pytest.mark.parametrize(
    ("faults", "error"),
    [({"down": True}, BackendUnavailable), ({"error_share": 1.0}, BackendUnavailable)],
    ids=["down", "failing"],
)
async def test_every_call_to_a_back_end_that_is_down_raises_backend_unavailable(
    backend: CaseBackend,
    sandbox: Sandbox,
    new_draft: Draft,
    faults: dict[str, object],
    error: type[BackendError],
) -> None:
    case = await backend.create_case(new_draft(), key())

    await sandbox.inject(**faults)
    raised = await raised_by(every_call(backend, case.ref, new_draft(title="Second")))
    await sandbox.clear_faults()

    assert raised == dict.fromkeys(raised, error)
    assert (await backend.get_case(case.ref)).status == "open"


# faults are injected at the stand-in
@pytest.mark.standin_only
async def test_every_call_to_a_throttling_back_end_raises_throttled(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft, customer: str
) -> None:
    case = await backend.create_case(new_draft(), key())

    await sandbox.inject(throttle_share=1.0)
    raised = await raised_by(every_call(backend, case.ref, new_draft(title="Second")))
    await sandbox.clear_faults()

    assert raised == dict.fromkeys(raised, Throttled)
    filed = await search_all(backend, CaseFilter(contact=customer))
    assert [(c.case_id, c.status) for c in filed] == [(case.case_id, "open")]


# faults are injected at the stand-in
@pytest.mark.standin_only
async def test_a_back_end_down_from_the_start_raises_backend_unavailable(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    """Cold: nothing cached yet (Connect's template, AICC's access token).

    The template differs by design: Connect reads it from the service, so it fails too;
    AICC has no template API and answers from the template file whatever AICC's state.
    """
    await sandbox.inject(down=True)

    with pytest.raises(BackendUnavailable):
        await backend.create_case(new_draft(), key())
    with pytest.raises(BackendUnavailable):
        await backend.get_case("1")
    if sandbox.kind == "connect":
        with pytest.raises(BackendUnavailable):
            await backend.get_template()
    else:
        assert (await backend.get_template()).fields["priority"].required


# calls are counted at the stand-in
@pytest.mark.standin_only
async def test_an_update_that_changes_nothing_raises_invalid_case(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    case = await backend.create_case(new_draft(), key())
    await sandbox.reset_calls()

    with pytest.raises(InvalidCase, match="nothing to change"):
        await backend.update_case(case.ref, {})

    assert await sandbox.calls() == {}


async def test_an_update_of_a_field_the_template_lacks_raises_invalid_case(
    backend: CaseBackend, new_draft: Draft
) -> None:
    case = await backend.create_case(new_draft(), key())

    with pytest.raises(InvalidCase, match="colour"):
        await backend.update_case(case.ref, {"colour": "red"})


async def test_an_update_to_a_status_not_offered_raises_invalid_case(
    backend: CaseBackend, new_draft: Draft
) -> None:
    case = await backend.create_case(new_draft(), key())

    with pytest.raises(InvalidCase):
        await backend.update_case(case.ref, {"status": "bogus"})

    assert (await backend.get_case(case.ref)).status == "open"


# AICC publishes no call that reads a case's comments back
@pytest.mark.standin_only("aicc")
async def test_a_blank_comment_raises_invalid_case(
    backend: CaseBackend, sandbox: Sandbox, new_draft: Draft
) -> None:
    case = await backend.create_case(new_draft(), key())

    with pytest.raises(InvalidCase):
        await backend.add_comment(case.ref, "   ")

    assert await sandbox.comments(case.case_id) == []


async def test_a_page_token_the_back_end_never_gave_raises_invalid_case(
    backend: CaseBackend, new_draft: Draft, customer: str
) -> None:
    """Read as "the first page" it would start the search over, and paging never end."""
    await backend.create_case(new_draft(), key())

    with pytest.raises(InvalidCase):
        await backend.search_cases(CaseFilter(contact=customer), "not-a-token")
