"""Each method of the AICC adapter is made of Huawei's published Case 2.0 calls only.

Paths, methods and required members are asserted exactly, against ``FakeAicc``, which answers
404 to anything the reference does not publish (the old ``/case/query``, ``/update``...).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from cases.aicc.backend import AiccBackend
from cases.backend import (
    Actor,
    Attachment,
    BackendUnavailable,
    CaseFilter,
    CaseNotFound,
    InvalidCase,
)
from tests.unit.cases.aicc.aicc_fake import CASE, OPENAPI, FakeAicc, backend, draft, ok


async def filed(fake: FakeAicc, tmp_path: Path, n: int = 1, **options: Any) -> AiccBackend:
    aicc = backend(fake, tmp_path, **options)
    for number in range(n):
        await aicc.create_case(draft(title=f"case {number}"), f"key-{number}")
    fake.calls.clear()
    fake.paths.clear()
    return aicc


async def test_create_posts_case_info_to_the_published_case_path(tmp_path: Path) -> None:
    fake = FakeAicc()

    await backend(fake, tmp_path).create_case(draft(), "k")

    assert fake.paths == [("POST", CASE)]
    info = fake.sent("create")[0]["caseInfo"]
    required = ("title", "description", "type", "contactId", "creatorId")
    assert all(name in info for name in required)
    assert info["isAutoAssigned"] is True  # AICC_AUTO_ASSIGNED_KEY's default spelling
    assert "state" not in info


async def test_get_case_is_one_get_of_the_case_by_id(tmp_path: Path) -> None:
    fake = FakeAicc()
    aicc = await filed(fake, tmp_path)

    case = await aicc.get_case(" 1 ")

    assert fake.paths == [("GET", f"{CASE}/1")]
    assert (case.ref, case.title, case.status) == ("1", "case 0", "open")


async def test_get_case_of_an_unknown_id_and_an_empty_answer_raise_case_not_found(
    tmp_path: Path,
) -> None:
    fake = FakeAicc()
    aicc = await filed(fake, tmp_path)

    with pytest.raises(CaseNotFound):
        await aicc.get_case("404")
    fake.answers.append(ok([]))
    with pytest.raises(CaseNotFound):
        await aicc.get_case("1")


async def test_search_posts_the_list_with_paging_and_reads_the_one_element_array(
    tmp_path: Path,
) -> None:
    fake = FakeAicc()
    aicc = await filed(fake, tmp_path, n=3)

    first = await aicc.search_cases(CaseFilter(contact="+447700900123", page_size=2))
    second = await aicc.search_cases(
        CaseFilter(contact="+447700900123", page_size=2), first.next_token
    )

    assert fake.paths == [("POST", f"{CASE}/list")] * 2
    assert [body["start"] for body in fake.sent("list")] == [0, 2]
    assert [case.title for case in first.cases + second.cases] == ["case 2", "case 1", "case 0"]
    assert (first.total, first.next_token, second.next_token) == (3, "2", None)


async def test_oldest_first_reads_the_newest_first_list_from_its_end(tmp_path: Path) -> None:
    fake = FakeAicc()
    aicc = await filed(fake, tmp_path, n=3)
    wanted = CaseFilter(newest_first=False, page_size=2)

    first = await aicc.search_cases(wanted)
    second = await aicc.search_cases(wanted, first.next_token)

    assert [case.title for case in first.cases + second.cases] == ["case 0", "case 1", "case 2"]
    assert [(b["start"], b["limit"]) for b in fake.sent("list")] == [(0, 1), (1, 2), (0, 1), (0, 1)]


async def test_a_status_is_matched_on_the_rows_state_reading_on_until_the_page_is_full(
    tmp_path: Path,
) -> None:
    fake = FakeAicc()
    aicc = await filed(fake, tmp_path, n=4)
    fake.cases["4"]["state"] = fake.cases["3"]["state"] = "Completed"

    page = await aicc.search_cases(CaseFilter(status="open", page_size=2))

    assert [case.title for case in page.cases] == ["case 1", "case 0"]
    assert [body["start"] for body in fake.sent("list")] == [0, 2]
    assert (page.next_token, page.total) == (None, None)
    with pytest.raises(InvalidCase, match="bogus"):
        await aicc.search_cases(CaseFilter(status="bogus"))


async def test_a_search_by_conversation_is_refused_as_the_list_has_no_such_filter(
    tmp_path: Path,
) -> None:
    fake = FakeAicc()
    aicc = await filed(fake, tmp_path)

    with pytest.raises(InvalidCase, match="conversation"):
        await aicc.search_cases(CaseFilter(conversation_id="conv-1"))
    assert fake.calls == []


async def test_found_cases_carry_the_long_contact_searched_for(tmp_path: Path) -> None:
    fake = FakeAicc()
    aicc = backend(fake, tmp_path)
    contact = "someone.with.a.long.address@example.com"
    await aicc.create_case(draft(contact=contact), "k")

    page = await aicc.search_cases(CaseFilter(contact=contact))

    assert fake.sent("list")[0]["contactId"].startswith("c-")
    assert [case.contact for case in page.cases] == [contact]


async def test_a_move_to_the_handoff_queue_is_one_transfer_then_a_read(tmp_path: Path) -> None:
    fake = FakeAicc()
    aicc = await filed(fake, tmp_path)
    agent = Actor(channel="whatsapp", conversation_id="c", agent_id="agent-7")

    await aicc.update_case("1", {"assigned_queue": "casebot-handoff"}, agent)

    assert fake.paths == [("POST", f"{CASE}/transfer"), ("GET", f"{CASE}/1")]
    assert fake.sent("transfer") == [
        {
            "id": "1",
            "ownerId": "casebot-handoff",
            "ownerType": "queue",
            "creatorId": "agent-7",
            "remark": "Moved to queue casebot-handoff by agent-7 via whatsapp",
        }
    ]


async def test_a_change_is_modify_with_its_required_members_from_the_case(
    tmp_path: Path,
) -> None:
    fake = FakeAicc()
    aicc = await filed(fake, tmp_path)

    case = await aicc.update_case("1", {"title": "Printer fixed", "origin": None})

    assert fake.paths == [("GET", f"{CASE}/1"), ("POST", f"{CASE}/modify"), ("GET", f"{CASE}/1")]
    # modify takes no origin: the case type's template field holds the changed one
    assert fake.sent("modify")[0]["caseInfo"] == {
        "id": "1",
        "title": "Printer fixed",
        "description": "It smokes",
        "creatorId": "bot-7",
        "caseOrigin": "",
    }
    assert (case.title, case.origin) == ("Printer fixed", "")


async def test_pending_is_a_status_update_to_the_flow_status_the_case_type_names(
    tmp_path: Path,
) -> None:
    fake = FakeAicc()
    aicc = await filed(fake, tmp_path)

    case = await aicc.update_case("1", {"status": "pending"})
    await aicc.update_case("1", {"status": "pending"})

    assert fake.sent("status") == [{"id": "1", "creatorId": "bot-7", "status": "Pending"}]
    assert fake.paths[:3] == [
        ("GET", f"{CASE}/1"),
        ("GET", f"{OPENAPI}/caseType/casebot"),
        ("POST", f"{OPENAPI}/status/update"),
    ]
    # the case type's flow is read once and kept
    assert len(fake.sent("case_type")) == 1
    assert case.status == "pending"


async def test_closing_walks_a_strict_flow_to_its_last_status_then_closes(
    tmp_path: Path,
) -> None:
    fake = FakeAicc(flow="New,Processing,Pending,Completed", strict=True)
    aicc = await filed(fake, tmp_path)

    case = await aicc.update_case("1", {"status": "closed"})

    assert [body["status"] for body in fake.sent("status")] == ["Pending", "Completed"]
    assert fake.paths[-2:] == [("POST", f"{OPENAPI}/close"), ("GET", f"{CASE}/1")]
    assert case.status == "closed"


async def test_a_flow_without_the_named_status_is_refused_before_moving(tmp_path: Path) -> None:
    fake = FakeAicc(flow="Processing,Completed")
    aicc = await filed(fake, tmp_path)

    with pytest.raises(InvalidCase, match="no status 'Pending'"):
        await aicc.update_case("1", {"status": "pending"})
    assert fake.sent("status") == []


async def test_a_case_type_answer_without_statuses_is_backend_unavailable(
    tmp_path: Path,
) -> None:
    fake = FakeAicc(flow="")
    aicc = await filed(fake, tmp_path)

    with pytest.raises(BackendUnavailable, match="caseStatus"):
        await aicc.update_case("1", {"status": "pending"})


async def test_a_comment_is_an_internal_processing_record(tmp_path: Path) -> None:
    fake = FakeAicc()
    aicc = await filed(fake, tmp_path)

    await aicc.add_comment("1", "Courier called.\nParcel is on its way.")

    assert fake.paths == [("POST", f"{CASE}/process")]
    assert fake.sent("process") == [
        {
            "caseId": "1",
            "creatorId": "bot-7",
            "processInfo": {
                "type": "Iternal",
                "title": "Courier called.",
                "description": "Courier called.\nParcel is on its way.",
                "creatorId": "bot-7",
            },
        }
    ]
    with pytest.raises(InvalidCase):
        await aicc.add_comment("1", "  ")


async def test_a_file_is_a_processing_record_naming_it_and_no_attachment_string(
    tmp_path: Path,
) -> None:
    fake = FakeAicc()
    aicc = await filed(fake, tmp_path)

    await aicc.attach_file("1", Attachment(name="a.pdf", content_type="application/pdf", data=b"x"))

    (record,) = [body["processInfo"] for body in fake.sent("process")]
    assert record["description"].startswith("The customer sent a file: a.pdf (application/pdf")
    assert all("attachment" not in body.get("caseInfo", {}) for _, body in fake.calls)


async def test_history_is_the_case_trace_of_the_case_newest_first(tmp_path: Path) -> None:
    fake = FakeAicc()
    aicc = await filed(fake, tmp_path)
    fake.traces["1"] = [
        {"createdDate": "2026-03-01 12:00:00", "field": "state", "newValue": "Processing"},
        {
            "createdDate": "2026-03-01 12:05:00",
            "creatorId": "agent-7",
            "field": "queueId",
            "newValue": "casebot-handoff",
        },
        {"createdDate": "2026-03-01 12:05:00", "field": "priority", "oldValue": "High"},
        {"note": "a record the adapter cannot read is skipped"},
        {
            "createdDate": "2026-03-01 12:09:00",
            "field": "state",
            "oldValue": "Processing",
            "newValue": "Completed",
        },
    ]

    history = await aicc.get_history("1")
    since = await aicc.get_history("1", since=datetime(2026, 3, 1, 12, 6, tzinfo=UTC))

    assert fake.paths == [("GET", f"{CASE}/1")] * 2
    assert [(e.field, e.old, e.new, e.by) for e in history] == [
        ("status", "open", "closed", None),
        ("priority", "High", None, None),
        ("assigned_queue", None, "casebot-handoff", "agent-7"),
        ("status", None, "open", None),
    ]
    assert [e.field for e in since] == ["status"]


async def test_the_old_invented_paths_are_never_called(tmp_path: Path) -> None:
    fake = FakeAicc()
    aicc = await filed(fake, tmp_path, n=2)

    await aicc.get_case("1")
    await aicc.search_cases(CaseFilter())
    await aicc.update_case("1", {"priority": "Low", "assigned_user": "agent-7"})
    await aicc.add_comment("1", "hello")
    await aicc.get_history("1")
    await aicc.update_case("1", {"status": "closed"})

    invented = {f"{CASE}/{name}" for name in ("query", "update", "comment", "history")}
    assert not invented & {path for _, path in fake.paths}
    assert all(path.startswith(OPENAPI) for _, path in fake.paths)
    assert len(fake.calls) == len(fake.paths)  # every call was a published one


async def test_an_unpublished_path_answered_404_is_backend_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/token"):
            return httpx.Response(200, json={"access_token": "t", "expires_in": 60})
        return httpx.Response(404, json={"detail": "Not Found"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    from cases.aicc.calls import AiccCaller
    from cases.aicc.token import AiccTokenSource

    tokens = AiccTokenSource(http, "https://aicc.test/baas/auth/v1.0/oauth2/token", "k", "s")
    with pytest.raises(BackendUnavailable, match="HTTP 404 without a resCode"):
        await AiccCaller(http, "https://aicc.test", tokens).call("get", id="1")


async def test_the_statuses_offered_are_those_the_live_case_types_flow_reaches(
    tmp_path: Path,
) -> None:
    """The tenant's flow, read with GET /caseType/{id}, decides whether "on hold" is offered."""
    with_pending = backend(FakeAicc(flow="Processing,Pending,Completed"), tmp_path / "a")
    without = FakeAicc(flow="Processing,Completed")
    no_pending = backend(without, tmp_path / "b")

    assert (await with_pending.get_template()).statuses == ("open", "pending", "closed")
    assert (await no_pending.get_template()).statuses == ("open", "closed")
    assert ("GET", "/caseType/casebot") in [(m, p.removeprefix(OPENAPI)) for m, p in without.paths]


async def test_a_case_type_that_cannot_be_read_leaves_the_configured_statuses(
    tmp_path: Path,
) -> None:
    fake = FakeAicc()
    aicc = backend(fake, tmp_path)
    fake.answers.append(httpx.Response(503))

    template = await aicc.get_template()

    assert template.statuses == ("open", "pending", "closed")
    assert template.fields["title"].max_length == 128
