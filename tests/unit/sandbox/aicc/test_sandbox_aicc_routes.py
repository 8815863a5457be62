from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.aicc.routes import aicc_app
from sandbox.aicc.store import AiccStore
from sandbox.calls import CallCounter

#: Huawei's published paths, written out rather than read from the code under test
TOKEN_PATH = "/baas/auth/v1.0/oauth2/token"
OPENAPI = "/service/AICC__Case/1.0.0/openapi"


class Clock:
    def __init__(self) -> None:
        self.now = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC

    def __call__(self) -> float:
        return self.now


class Aicc:
    def __init__(self, http: httpx.AsyncClient, clock: Clock, calls: CallCounter) -> None:
        self.http = http
        self.clock = clock
        self.calls = calls
        self.token = ""

    async def login(self) -> str:
        response = await self.http.post(
            TOKEN_PATH,
            data={
                "grant_type": "client_credentials",
                "client_id": "key",
                "client_secret": "secret",
            },
        )
        self.token = response.json()["access_token"]
        return self.token

    async def post(self, operation: str, body: dict[str, Any], token: str | None = None) -> Any:
        path = OPENAPI + PATHS.get(operation, f"/case/{operation}")
        response = await self.http.post(
            path, json=body, headers={"access-token": self.token if token is None else token}
        )
        assert response.status_code == 200
        return response.json()

    async def get(self, path: str) -> Any:
        response = await self.http.get(OPENAPI + path, headers={"access-token": self.token})
        assert response.status_code == 200
        return response.json()

    async def create(self, **values: Any) -> str:
        answer = await self.post("create", {"caseInfo": case_info(**values)})
        assert answer["resCode"] == "0", answer
        case_id: str = answer["result"]["caseId"]
        return case_id

    async def listed(self, **body: Any) -> dict[str, Any]:
        answer = await self.post("list", {"start": 0, "limit": 100} | body)
        assert answer["resCode"] == "0", answer
        (found,) = answer["result"]
        return dict(found)

    async def case(self, case_id: str) -> dict[str, Any]:
        answer = await self.get(f"/case/{case_id}")
        assert answer["resCode"] == "0", answer
        (detail,) = answer["result"]
        return dict(detail)


#: operation -> path under OPENAPI, for those not under /case/<operation>
PATHS = {
    "create": "/case",
    "status": "/status/update",
    "close": "/close",
    "caseType/list": "/caseType/list",
}


@pytest.fixture
async def aicc(tmp_path: Path) -> AsyncIterator[Aicc]:
    clock, calls = Clock(), CallCounter()
    store = AiccStore(tmp_path / "sandbox.sqlite3", zone="Europe/Paris", clock=clock)
    store.open()
    app = aicc_app(store, "key", "secret", 600, on_call=lambda op: calls.record("aicc", op))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://aicc") as http:
        client = Aicc(http, clock, calls)
        await client.login()
        yield client
    store.close()


def case_info(**values: Any) -> dict[str, Any]:
    base = {
        "title": "Printer on fire",
        "description": "It smokes",
        "type": "casebot",
        "isAutoAssigned": True,
        "contactId": "+447700900123",
        "creatorId": "casebot",
    }
    return {k: v for k, v in (base | values).items() if v is not None}


async def test_token_needs_the_configured_key_and_secret(aicc: Aicc) -> None:
    wrong = await aicc.http.post(
        TOKEN_PATH,
        data={"grant_type": "client_credentials", "client_id": "key", "client_secret": "nope"},
    )
    right = await aicc.http.post(
        TOKEN_PATH,
        data={"grant_type": "client_credentials", "client_id": "key", "client_secret": "secret"},
    )

    assert wrong.status_code == 401
    assert right.json()["expires_in"] == 600
    assert right.json()["access_token"] != aicc.token


async def test_case_calls_refuse_unknown_and_expired_tokens_with_http_200(aicc: Aicc) -> None:
    unknown = await aicc.post("create", {"caseInfo": case_info()}, token="made-up")
    aicc.clock.now += 600
    expired = await aicc.post("create", {"caseInfo": case_info()})

    assert unknown["resCode"] == "401001"
    assert expired["resCode"] == "401002"
    await aicc.login()
    assert (await aicc.listed())["count"] == 0


@pytest.mark.parametrize(
    ("info", "code"),
    [
        (case_info(title=None), "400001"),
        (case_info(contactId=""), "400001"),
        (case_info(isAutoAssigned=None), "400001"),
        (case_info(title="é" * 64 + "x"), "400002"),
        (case_info(contactId="数" * 7), "400002"),
        (case_info(priority="Urgent"), "400003"),
        (case_info(origin="WhatsApp"), "400003"),
        (case_info(dueDate="2026-01-01T10:00:00"), "400003"),
    ],
)
async def test_invalid_cases_are_answered_with_a_res_code(
    aicc: Aicc, info: dict[str, Any], code: str
) -> None:
    answer = await aicc.post("create", {"caseInfo": info})

    assert answer["resCode"] == code
    assert (await aicc.listed())["count"] == 0


async def test_limits_are_bytes_and_both_flag_spellings_are_accepted(aicc: Aicc) -> None:
    info = case_info(title="é" * 64, isAutoAssigned=None, isAtuoAssigned=False, origin="Whatapp")

    created = await aicc.post("create", {"caseInfo": info})
    case = (await aicc.case(created["result"]["caseId"]))["caseInfo"]

    assert created["resCode"] == "0"
    assert case["title"] == "é" * 64
    assert case["isAtuoAssigned"] is False
    assert case["createdDate"] == "2026-01-01 01:00:00"  # written in Europe/Paris


async def test_modify_process_and_the_case_trace_of_a_case(aicc: Aicc) -> None:
    case_id = await aicc.create()
    aicc.clock.now += 60

    modified = await aicc.post(
        "modify",
        {
            "caseInfo": {
                "id": case_id,
                "title": "Printer on fire",
                "description": "It smokes",
                "creatorId": "agent-1",
                "priority": "Low",
            }
        },
    )
    record = {"type": "Iternal", "title": "Fixed", "description": "Fixed"}
    processed = await aicc.post(
        "process", {"caseId": case_id, "creatorId": "a", "processInfo": record}
    )
    detail = await aicc.case(case_id)

    assert modified["resCode"] == processed["resCode"] == "0"
    assert detail["caseTrace"] == [
        {
            "createdDate": "2026-01-01 01:00:00",
            "type": "Create",
            "field": "state",
            "oldValue": None,
            "newValue": "Processing",
            "creatorId": "casebot",
        },
        {
            "createdDate": "2026-01-01 01:01:00",
            "type": "Modify",
            "field": "priority",
            "oldValue": None,
            "newValue": "Low",
            "creatorId": "agent-1",
        },
    ]
    assert detail["caseInfo"]["status"] == "Processing"
    comments = (await aicc.http.get(f"/_aicc/cases/{case_id}/comments")).json()
    assert [comment["content"] for comment in comments] == ["Fixed"]


async def test_operations_on_a_missing_case_answer_404_codes(aicc: Aicc) -> None:
    record = {"type": "Iternal", "title": "t", "description": "hello"}
    info = {"id": "nope", "title": "t", "description": "d", "creatorId": "a"}
    for operation, body in (
        ("modify", {"caseInfo": info}),
        (
            "transfer",
            {"id": "nope", "ownerId": "q", "ownerType": "queue", "creatorId": "a", "remark": "r"},
        ),
        ("process", {"caseId": "nope", "creatorId": "a", "processInfo": record}),
        ("status", {"id": "nope", "creatorId": "a", "status": "Pending"}),
        ("close", {"caseId": "nope", "creatorId": "a", "remark": "r", "closedReason": "resolved"}),
    ):
        assert (await aicc.post(operation, body))["resCode"] == "404001", operation
    assert (await aicc.get("/case/nope"))["resCode"] == "404001"


async def test_a_processing_record_is_limited_in_bytes(aicc: Aicc) -> None:
    case_id = await aicc.create()

    def body(description: str) -> dict[str, Any]:
        record = {"type": "Iternal", "title": "t", "description": description}
        return {"caseId": case_id, "creatorId": "a", "processInfo": record}

    fits = await aicc.post("process", body("ü" * 10_000))
    too_long = await aicc.post("process", body("ü" * 10_001))

    assert (fits["resCode"], too_long["resCode"]) == ("0", "400002")


async def test_the_list_filters_and_pages_newest_first_in_a_one_element_array(aicc: Aicc) -> None:
    for n in range(5):
        await aicc.create(title=f"case {n}", priority="High")
    await aicc.create(title="other", priority="Low")

    newest = await aicc.listed(priority="High", start=0, limit=2)
    later = await aicc.listed(priority="High", start=2, limit=2)
    titled = await aicc.listed(title="OTHER")

    assert newest["count"] == 5
    assert [c["title"] for c in newest["caseList"]] == ["case 4", "case 3"]
    assert [c["title"] for c in later["caseList"]] == ["case 2", "case 1"]
    assert [c["title"] for c in titled["caseList"]] == ["other"]
    assert "description" not in newest["caseList"][0]


async def test_every_call_is_counted_by_operation(aicc: Aicc) -> None:
    await aicc.create()
    await aicc.listed()

    assert aicc.calls.snapshot() == {"aicc": {"CreateCase": 1, "GetToken": 1, "ListCases": 1}}
