from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.aicc.routes import CASE_PATH, TOKEN_PATH, aicc_app
from sandbox.aicc.store import AiccStore
from sandbox.calls import CallCounter


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
        path = CASE_PATH + (f"/{operation}" if operation != "create" else "")
        response = await self.http.post(
            path, json=body, headers={"access-token": self.token if token is None else token}
        )
        assert response.status_code == 200
        return response.json()


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
        "state": "Processing",
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
    total = await aicc.post("query", {"conditions": {}}, token=await aicc.login())
    assert total["result"]["total"] == 0


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
    assert (await aicc.post("query", {"conditions": {}}))["result"]["total"] == 0


async def test_limits_are_bytes_and_both_flag_spellings_are_accepted(aicc: Aicc) -> None:
    info = case_info(title="é" * 64, isAutoAssigned=None, isAtuoAssigned=False, origin="Whatapp")

    created = await aicc.post("create", {"caseInfo": info})
    found = await aicc.post("query", {"conditions": {"caseId": created["result"]["caseId"]}})

    assert created["resCode"] == "0"
    (case,) = found["result"]["cases"]
    assert case["title"] == "é" * 64
    assert case["isAtuoAssigned"] is False
    assert case["createdDate"] == "2026-01-01 01:00:00"  # written in Europe/Paris


async def test_update_comment_and_history_of_a_case(aicc: Aicc) -> None:
    case_id = (await aicc.post("create", {"caseInfo": case_info()}))["result"]["caseId"]
    aicc.clock.now += 60

    updated = await aicc.post(
        "update", {"caseId": case_id, "caseInfo": {"state": "Closed"}, "operatorId": "agent-1"}
    )
    commented = await aicc.post(
        "comment", {"caseId": case_id, "content": "Fixed", "creatorId": "a"}
    )
    history = await aicc.post("history", {"caseId": case_id})

    assert updated["resCode"] == commented["resCode"] == "0"
    assert history["result"]["records"] == [
        {
            "time": "2026-01-01 01:00:00",
            "field": "state",
            "oldValue": None,
            "newValue": "Processing",
            "operator": "casebot",
        },
        {
            "time": "2026-01-01 01:01:00",
            "field": "state",
            "oldValue": "Processing",
            "newValue": "Closed",
            "operator": "agent-1",
        },
    ]
    comments = (await aicc.http.get(f"/_aicc/cases/{case_id}/comments")).json()
    assert [comment["content"] for comment in comments] == ["Fixed"]


async def test_operations_on_a_missing_case_answer_404_codes(aicc: Aicc) -> None:
    for operation, body in (
        ("update", {"caseId": "nope", "caseInfo": {"state": "Closed"}}),
        ("comment", {"caseId": "nope", "content": "hello"}),
        ("history", {"caseId": "nope"}),
    ):
        assert (await aicc.post(operation, body))["resCode"] == "404001", operation


async def test_comment_content_is_limited_in_bytes(aicc: Aicc) -> None:
    case_id = (await aicc.post("create", {"caseInfo": case_info()}))["result"]["caseId"]

    fits = await aicc.post("comment", {"caseId": case_id, "content": "ü" * 2000})
    too_long = await aicc.post("comment", {"caseId": case_id, "content": "ü" * 2001})

    assert (fits["resCode"], too_long["resCode"]) == ("0", "400002")


async def test_query_filters_pages_and_orders(aicc: Aicc) -> None:
    for n in range(5):
        await aicc.post("create", {"caseInfo": case_info(title=f"case {n}", priority="High")})
    await aicc.post("create", {"caseInfo": case_info(title="other", priority="Low")})

    newest = await aicc.post("query", {"conditions": {"priority": "High"}, "offset": 0, "limit": 2})
    oldest = await aicc.post(
        "query", {"conditions": {"priority": "High"}, "offset": 1, "limit": 2, "order": "asc"}
    )
    keyword = await aicc.post("query", {"conditions": {}, "keyword": "OTHER"})

    assert newest["result"]["total"] == 5
    assert [c["title"] for c in newest["result"]["cases"]] == ["case 4", "case 3"]
    assert [c["title"] for c in oldest["result"]["cases"]] == ["case 1", "case 2"]
    assert [c["title"] for c in keyword["result"]["cases"]] == ["other"]


async def test_every_call_is_counted_by_operation(aicc: Aicc) -> None:
    await aicc.post("create", {"caseInfo": case_info()})
    await aicc.post("query", {"conditions": {}})

    assert aicc.calls.snapshot() == {"aicc": {"CreateCase": 1, "GetToken": 1, "QueryCase": 1}}
