"""The AICC stand-in serves Huawei's published Case 2.0 calls, validated as documented, only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.sandbox.aicc.test_sandbox_aicc_routes import OPENAPI, Aicc, aicc, case_info

__all__ = ["aicc"]  # the fixture, used by name
CASE_PATH = f"{OPENAPI}/case"


@pytest.mark.parametrize("old", ["query", "update", "comment", "history"])
async def test_the_invented_paths_of_before_answer_404(aicc: Aicc, old: str) -> None:
    response = await aicc.http.post(
        f"{CASE_PATH}/{old}", json={"caseId": "1"}, headers={"access-token": aicc.token}
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("paging", "code"),
    [
        ({}, "400001"),
        ({"start": 0}, "400001"),
        ({"start": -1, "limit": 10}, "400003"),
        ({"start": 0, "limit": 0}, "400003"),
        ({"start": 0, "limit": 101}, "400003"),
        ({"start": 0, "limit": 100}, "0"),
    ],
)
async def test_the_list_needs_start_and_a_limit_of_1_to_100(
    aicc: Aicc, paging: dict[str, Any], code: str
) -> None:
    assert (await aicc.post("list", paging))["resCode"] == code


async def test_the_list_window_is_at_most_31_days(aicc: Aicc) -> None:
    await aicc.create()  # created 2026-01-01 01:00:00, Paris time

    inside = await aicc.listed(startTime="2025-12-01 01:00:00", endTime="2026-01-01 01:00:00")
    before = await aicc.listed(startTime="2025-12-02 00:00:00", endTime="2026-01-01 00:59:59")
    too_wide = await aicc.post(
        "list",
        {
            "start": 0,
            "limit": 10,
            "startTime": "2025-12-01 00:00:00",
            "endTime": "2026-01-01 00:00:01",
        },
    )
    badly_written = await aicc.post(
        "list", {"start": 0, "limit": 10, "startTime": "2025-12-01T00:00:00"}
    )

    assert (inside["count"], before["count"]) == (1, 0)
    assert too_wide["resCode"] == badly_written["resCode"] == "400003"


async def test_modify_needs_its_required_members_and_takes_no_origin(aicc: Aicc) -> None:
    case_id = await aicc.create()
    base = {"id": case_id, "title": "T", "description": "D", "creatorId": "a"}

    for name in base:
        missing = {k: v for k, v in base.items() if k != name}
        answer = await aicc.post("modify", {"caseInfo": missing})
        assert answer["resCode"] == "400001", name
    origin = await aicc.post("modify", {"caseInfo": base | {"origin": "Voice"}})
    template = await aicc.post("modify", {"caseInfo": base | {"caseOrigin": "Voice"}})

    assert origin["resCode"] == "400004"
    assert template["resCode"] == "0"
    assert (await aicc.case(case_id))["caseInfo"]["caseOrigin"] == "Voice"


async def test_transfer_to_a_queue_and_its_required_members(aicc: Aicc) -> None:
    case_id = await aicc.create()
    body = {"id": case_id, "ownerId": "handoff", "ownerType": "queue", "creatorId": "a"}

    missing_remark = await aicc.post("transfer", body)
    bad_type = await aicc.post("transfer", body | {"ownerType": "team", "remark": "r"})
    long_remark = await aicc.post("transfer", body | {"remark": "r" * 2001})
    moved = await aicc.post("transfer", body | {"remark": "r" * 2000})

    assert [a["resCode"] for a in (missing_remark, bad_type, long_remark, moved)] == [
        "400001",
        "400003",
        "400002",
        "0",
    ]
    detail = await aicc.case(case_id)
    assert (detail["caseInfo"]["ownerType"], detail["caseInfo"]["ownerId"]) == ("queue", "handoff")
    assert detail["caseTrace"][-1]["field"] == "queueId"
    assert (await aicc.listed(ownerId="handoff"))["count"] == 1


async def test_a_case_moves_along_its_flow_and_closes_only_at_the_last_status(aicc: Aicc) -> None:
    case_id = await aicc.create()
    close = {"caseId": case_id, "creatorId": "a", "remark": "done", "closedReason": "resolved"}

    off_flow = await aicc.post("status", {"id": case_id, "creatorId": "a", "status": "Closed"})
    too_early = await aicc.post("close", close)
    pending = await aicc.post("status", {"id": case_id, "creatorId": "a", "status": "Pending"})
    state_pending = (await aicc.case(case_id))["caseInfo"]["state"]
    await aicc.post("status", {"id": case_id, "creatorId": "a", "status": "Completed"})
    no_reason = await aicc.post("close", close | {"closedReason": "bored"})
    closed = await aicc.post("close", close)
    again = await aicc.post("status", {"id": case_id, "creatorId": "a", "status": "Pending"})

    assert (off_flow["resCode"], too_early["resCode"], pending["resCode"]) == (
        "400003",
        "400004",
        "0",
    )
    assert state_pending == "Pending"
    assert (no_reason["resCode"], closed["resCode"], again["resCode"]) == ("400003", "0", "400004")
    info = (await aicc.case(case_id))["caseInfo"]
    assert (info["state"], info["closedReason"]) == ("Completed", "resolved")
    assert info["closedDate"] == "2026-01-01 01:00:00"


async def test_a_strict_flow_moves_one_status_at_a_time(aicc: Aicc) -> None:
    case_id = await aicc.create(type="strict")

    def to(status: str) -> dict[str, str]:
        return {"id": case_id, "creatorId": "a", "status": status}

    skipped = await aicc.post("status", to("Pending"))
    next_one = await aicc.post("status", to("Processing"))

    assert (skipped["resCode"], next_one["resCode"]) == ("400004", "0")
    assert (await aicc.case(case_id))["caseInfo"]["status"] == "Processing"


async def test_case_types_are_listed_and_read_with_their_flow(aicc: Aicc) -> None:
    active = await aicc.post("caseType/list", {"status": "Active", "start": 0, "limit": 1})
    named = await aicc.post("caseType/list", {"typeName": "strict", "start": 0, "limit": 10})
    no_paging = await aicc.post("caseType/list", {"typeName": "strict"})
    one = await aicc.get("/caseType/casebot")
    unknown = await aicc.get("/caseType/nope")

    assert (active["result"]["count"], len(active["result"]["caseTypes"])) == (2, 1)
    assert [t["id"] for t in named["result"]["caseTypes"]] == ["strict"]
    assert no_paging["resCode"] == "400001"
    assert one["result"]["caseTypeInfo"]["caseStatus"] == "Processing,Pending,Completed"
    assert unknown["resCode"] == "404002"


async def test_a_case_of_an_unknown_or_inactive_type_is_refused(aicc: Aicc) -> None:
    for type_id in ("nope", "retired"):
        answer = await aicc.post("create", {"caseInfo": case_info(type=type_id)})
        assert answer["resCode"] == "400003", type_id


async def test_get_case_answers_a_one_element_array_with_case_info_and_trace(aicc: Aicc) -> None:
    case_id = await aicc.create()

    answer = await aicc.get(f"/case/{case_id}")

    (detail,) = answer["result"]
    assert set(detail) == {"caseInfo", "caseTrace", "customerInfo", "tasks", "isFollower"}
    assert detail["caseInfo"]["id"] == case_id
    assert detail["caseInfo"]["caseNo"]


async def test_cancel_needs_a_remark_and_marks_the_case_cancelled(aicc: Aicc) -> None:
    case_id = await aicc.create()

    without = await aicc.post("cancel", {"id": case_id, "creatorId": "a"})
    cancelled = await aicc.post("cancel", {"id": case_id, "creatorId": "a", "remark": "dup"})

    assert (without["resCode"], cancelled["resCode"]) == ("400001", "0")
    assert (await aicc.listed())["caseList"][0]["isCanced"] is True
