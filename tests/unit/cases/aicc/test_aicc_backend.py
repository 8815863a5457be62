from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from unittest.mock import ANY

import httpx
import pytest

from cases.aicc.fields import CONTINUED_MARKER
from cases.aicc.idempotency import SqliteIdempotencyStore, Submission
from cases.backend import (
    BackendUnavailable,
    CaseFilter,
    CaseNotFound,
    Conflict,
    InvalidCase,
    Throttled,
)
from tests.unit.cases.aicc.aicc_fake import CASE, NOW, FakeAicc, backend, draft


async def test_create_sends_case_info_with_mapped_values_and_returns_the_case_id(
    tmp_path: Path,
) -> None:
    fake = FakeAicc()

    case = await backend(fake, tmp_path).create_case(draft(priority="high"), "key-1")

    (info,) = [body["caseInfo"] for body in fake.sent("create")]
    assert info == {
        "title": "Printer on fire",
        "description": "It smokes",
        "type": "casebot",
        "isAutoAssigned": True,
        "contactId": "+447700900123",
        "contactPhone": "+447700900123",
        "creatorId": "bot-7",
        "priority": "High",
        "origin": "Whatapp",
        "dueDate": "2026-03-02 12:00:00",
        "contactDetail": "+447700900123",
        "channel": "whatsapp",
        "conversationId": "conv-1",
        "contactVerified": "No",
        "requestKey": "key-1",
        "language": "en",
    }
    assert (case.ref, case.case_id, case.status, case.origin) == ("1", "1", "open", "WhatsApp")


async def test_a_new_case_is_one_call_and_is_not_queried_back(tmp_path: Path) -> None:
    fake = FakeAicc()
    aicc = backend(fake, tmp_path)
    await aicc.create_case(draft(), "key-0")  # the access token is fetched once, not per call
    fake.calls.clear()

    case = await aicc.create_case(draft(title="Router down", priority="low"), "key-1")

    assert [operation for operation, _ in fake.calls] == ["create"]
    assert (case.ref, case.title, case.status, case.priority) == ("2", "Router down", "open", "Low")
    assert case.contact == "+447700900123"
    assert case.created_at == case.updated_at == NOW


async def test_a_key_filed_before_returns_the_case_as_aicc_has_it_now(tmp_path: Path) -> None:
    fake = FakeAicc()
    aicc = backend(fake, tmp_path)
    await aicc.create_case(draft(), "key-1")
    fake.cases["1"]["state"] = "Completed"
    fake.calls.clear()

    again = await aicc.create_case(draft(), "key-1")

    assert [operation for operation, _ in fake.calls] == ["get"]
    assert (again.ref, again.status) == ("1", "closed")


@pytest.mark.parametrize(
    ("origin", "channel", "sent"),
    [
        ("webchat", "webchat", "webchat"),
        ("WhatsApp", "webchat", "Whatapp"),
        ("Voice", "webchat", "Voice"),
        ("email", "webchat", "Email"),
        ("", "voice", "Voice"),
        ("", "twilio", "Whatapp"),
    ],
)
async def test_origin_is_sent_in_aiccs_spelling(
    tmp_path: Path, origin: str, channel: str, sent: str
) -> None:
    fake = FakeAicc()

    await backend(fake, tmp_path).create_case(draft(origin=origin, channel=channel), "k")

    assert fake.sent("create")[0]["caseInfo"]["origin"] == sent


async def test_unknown_priority_is_refused_before_sending(tmp_path: Path) -> None:
    fake = FakeAicc()

    with pytest.raises(InvalidCase, match="no priority 'Whenever'"):
        await backend(fake, tmp_path).create_case(draft(priority="Whenever"), "k")
    assert fake.calls == []


async def test_due_date_is_written_in_the_configured_zone_and_spelling_is_configurable(
    tmp_path: Path,
) -> None:
    fake = FakeAicc()
    aicc = backend(fake, tmp_path, time_zone="Asia/Shanghai", auto_assigned_key="isAtuoAssigned")

    await aicc.create_case(draft(priority="Critical"), "k")

    info = fake.sent("create")[0]["caseInfo"]
    # Critical is due in 4 hours: 16:00 UTC is midnight in Shanghai (UTC+8)
    assert info["dueDate"] == "2026-03-02 00:00:00"
    assert info["isAtuoAssigned"] is True
    assert "isAutoAssigned" not in info


async def test_title_is_limited_in_bytes_not_characters(tmp_path: Path) -> None:
    fake = FakeAicc()
    aicc = backend(fake, tmp_path)

    await aicc.create_case(draft(title="é" * 64), "fits")  # 128 bytes
    with pytest.raises(InvalidCase, match="128 bytes .* this one has 129 \\(65 characters\\)"):
        await aicc.create_case(draft(title="é" * 64 + "x"), "too-long")

    assert len(fake.sent("create")) == 1


async def test_long_description_is_cut_at_a_character_boundary_and_sent_whole_as_comments(
    tmp_path: Path,
) -> None:
    fake = FakeAicc()
    text = "故障" * 4000  # 8,000 characters, 24,000 bytes

    await backend(fake, tmp_path).create_case(draft(description=text), "k")

    sent = fake.sent("create")[0]["caseInfo"]["description"]
    assert sent.endswith(CONTINUED_MARKER)
    assert len(sent.encode()) <= 20_000
    assert text.startswith(sent.removesuffix(CONTINUED_MARKER))
    records = [body["processInfo"] for body in fake.sent("process")]
    assert all(len(record["description"].encode()) <= 20_000 for record in records)
    assert "".join(record["description"] for record in records) == "Full description:\n" + text
    assert [record["title"] for record in records] == [
        "Full description: (1/2)",
        "Full description: (2/2)",
    ]
    assert {body["caseId"] for body in fake.sent("process")} == {"1"}


async def test_same_key_never_files_a_second_case_even_after_a_restart(tmp_path: Path) -> None:
    fake = FakeAicc()

    first = await backend(fake, tmp_path).create_case(draft(), "key-1")
    again = await backend(fake, tmp_path).create_case(draft(), "key-1")

    assert again.case_id == first.case_id
    assert len(fake.sent("create")) == 1


async def test_concurrent_creates_share_a_key_but_other_keys_do_not_wait(
    tmp_path: Path,
) -> None:
    fake = FakeAicc()
    in_flight, peak = 0, 0

    async def slow_creates(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        if request.url.path == CASE:
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.02)
            in_flight -= 1
        return fake(request)

    aicc = backend(fake, tmp_path, handler=slow_creates)
    cases = await asyncio.gather(
        *(aicc.create_case(draft(), "same") for _ in range(3)),
        aicc.create_case(draft(title="Another thing"), "other"),
    )

    assert len(fake.sent("create")) == 2
    assert len({case.case_id for case in cases[:3]}) == 1
    assert cases[3].case_id != cases[0].case_id
    assert peak == 2


async def test_same_key_with_another_draft_is_a_conflict(tmp_path: Path) -> None:
    fake = FakeAicc()
    aicc = backend(fake, tmp_path)
    await aicc.create_case(draft(), "key-1")

    with pytest.raises(Conflict):
        await aicc.create_case(draft(title="Another thing"), "key-1")
    assert len(fake.sent("create")) == 1


async def test_a_create_whose_answer_was_lost_is_found_by_its_key_not_sent_again(
    tmp_path: Path,
) -> None:
    fake = FakeAicc()
    store = SqliteIdempotencyStore(tmp_path / "keys.sqlite3")
    # what a crash after sending leaves: the key pending here, the case filed in AICC
    store.begin("key-1", hashlib.sha256(draft().model_dump_json().encode()).hexdigest())
    fake.cases["41"] = {"id": "41", "title": "Printer on fire", "requestKey": "key-1"}
    # a newer case of the same customer and title, filed under another key
    fake.cases["42"] = {"id": "42", "title": "Printer on fire", "requestKey": "key-0"}
    for case in fake.cases.values():
        case.update(type="casebot", creatorId="bot-7", contactId="+447700900123")

    case = await backend(fake, tmp_path, store=store).create_case(draft(), "key-1")

    assert case.case_id == "41"
    assert fake.sent("create") == []
    (looked_for,) = fake.sent("list")
    assert looked_for == {
        "type": "casebot",
        "creatorId": "bot-7",
        "contactId": "+447700900123",
        "title": "Printer on fire",
        "startTime": "2026-01-30 12:00:00",
        "endTime": "2026-03-01 12:05:00",
        "start": 0,
        "limit": 10,
    }
    assert [body["id"] for body in fake.sent("get")] == ["42", "41", "41"]
    assert store.get("key-1") == Submission(digest=ANY, case_id="41")


async def test_a_pending_key_with_no_case_in_aicc_is_sent(tmp_path: Path) -> None:
    fake = FakeAicc()
    store = SqliteIdempotencyStore(tmp_path / "keys.sqlite3")
    store.begin("key-1", hashlib.sha256(draft().model_dump_json().encode()).hexdigest())

    case = await backend(fake, tmp_path, store=store).create_case(draft(), "key-1")

    assert case.case_id == "1"
    assert len(fake.sent("create")) == 1


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (httpx.Response(200, json={"resCode": "400002", "resMsg": "too long"}), InvalidCase),
        (httpx.Response(200, json={"resCode": "404001", "resMsg": "no case"}), CaseNotFound),
        (httpx.Response(200, json={"resCode": "500123", "resMsg": "db down"}), BackendUnavailable),
        (httpx.Response(200, json={"resCode": "429000"}), Throttled),
        (httpx.Response(429), Throttled),
        (httpx.Response(503, text="busy"), BackendUnavailable),
        (httpx.Response(200, text="<html>gateway</html>"), BackendUnavailable),
        (httpx.ConnectError("refused"), BackendUnavailable),
        (httpx.ReadTimeout("slow"), BackendUnavailable),
    ],
)
async def test_failures_map_to_the_error_hierarchy(
    tmp_path: Path, answer: httpx.Response | Exception, error: type[Exception]
) -> None:
    fake = FakeAicc()
    fake.answers.append(answer)

    with pytest.raises(error):
        await backend(fake, tmp_path).create_case(draft(), "k")


async def test_a_failed_create_can_be_retried_with_the_same_key(tmp_path: Path) -> None:
    fake = FakeAicc()
    aicc = backend(fake, tmp_path)
    fake.answers.append(httpx.Response(200, json={"resCode": "500001", "resMsg": "busy"}))

    with pytest.raises(BackendUnavailable):
        await aicc.create_case(draft(), "k")
    case = await aicc.create_case(draft(), "k")

    assert case.case_id == "1"
    assert len(fake.sent("create")) == 2


async def test_search_builds_conditions_from_the_filter(tmp_path: Path) -> None:
    fake = FakeAicc()
    aicc = backend(fake, tmp_path)
    await aicc.create_case(draft(), "a")
    await aicc.create_case(draft(contact="ada@example.com"), "b")

    page = await aicc.search_cases(
        CaseFilter(contact="ada@example.com", status="open", priority="high", page_size=5)
    )

    # the list filters by contactId but not by state: the state is matched on the rows
    assert fake.sent("list")[-1] == {
        "type": "casebot",
        "contactId": "ada@example.com",
        "priority": "High",
        "start": 0,
        "limit": 5,
    }
    assert [case.contact for case in page.cases] == ["ada@example.com"]


async def test_update_translates_logical_names(tmp_path: Path) -> None:
    fake = FakeAicc()
    aicc = backend(fake, tmp_path)
    await aicc.create_case(draft(), "a")
    fake.calls.clear()

    case = await aicc.update_case(
        "1", {"status": "closed", "assigned_queue": "handoff", "priority": "low"}
    )

    assert [operation for operation, _ in fake.calls] == [
        "get",
        "modify",
        "transfer",
        "case_type",
        "status",
        "close",
        "get",
    ]
    assert fake.sent("modify") == [
        {
            "caseInfo": {
                "id": "1",
                "title": "Printer on fire",
                "description": "It smokes",
                "creatorId": "bot-7",
                "priority": "Low",
            }
        }
    ]
    assert fake.sent("transfer") == [
        {
            "id": "1",
            "ownerId": "handoff",
            "ownerType": "queue",
            "creatorId": "bot-7",
            "remark": "Moved to queue handoff by bot-7",
        }
    ]
    assert fake.sent("status") == [{"id": "1", "creatorId": "bot-7", "status": "Completed"}]
    assert fake.sent("close") == [
        {
            "caseId": "1",
            "creatorId": "bot-7",
            "remark": "Closed by bot-7",
            "closedReason": "resolved",
        }
    ]
    assert (case.status, case.priority) == ("closed", "Low")


async def test_update_of_an_unknown_field_is_refused_before_sending(tmp_path: Path) -> None:
    fake = FakeAicc()

    with pytest.raises(InvalidCase, match="no field 'colour'"):
        await backend(fake, tmp_path).update_case("1", {"colour": "red"})
    assert fake.calls == []


async def test_contact_links_are_refused_clearly(tmp_path: Path) -> None:
    aicc = backend(FakeAicc(), tmp_path)

    with pytest.raises(InvalidCase, match="cannot be linked"):
        await aicc.link_contact("1", "contact-9")
    with pytest.raises(InvalidCase, match="no links"):
        await aicc.cases_for_contact("contact-9")


async def test_template_is_the_file_with_aiccs_limits(tmp_path: Path) -> None:
    template = await backend(FakeAicc(), tmp_path).get_template()

    assert template.template_id == "casebot"
    assert template.fields["title"].max_length == 128
    assert template.fields["description"].max_length == 20_000
    assert template.fields["priority"].options == ("Low", "Medium", "High", "Critical")
