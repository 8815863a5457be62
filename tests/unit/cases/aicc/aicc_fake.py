"""An in-memory AICC serving Huawei's published Case 2.0 calls, and the adapter over it."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from cases.aicc.backend import AiccBackend
from cases.aicc.fields import load_case_types
from cases.aicc.idempotency import SqliteIdempotencyStore
from cases.aicc.token import AiccTokenSource
from cases.backend import CaseDraft
from cases.template import load_template_spec

REPO = Path(__file__).resolve().parents[4]
CASE_TYPES = load_case_types(REPO / "data" / "aicc" / "case_types.yaml")
SPEC = load_template_spec(REPO / "data" / "case_template.yaml")
OPENAPI = "/service/AICC__Case/1.0.0/openapi"
CASE = f"{OPENAPI}/case"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
#: (method, path under OPENAPI with ids as {id}) -> operation, Huawei's published calls only
PUBLISHED = {
    ("POST", "/case"): "create",
    ("POST", "/case/list"): "list",
    ("GET", "/case/{id}"): "get",
    ("POST", "/case/modify"): "modify",
    ("POST", "/case/transfer"): "transfer",
    ("POST", "/case/process"): "process",
    ("POST", "/status/update"): "status",
    ("POST", "/close"): "close",
    ("GET", "/caseType/{id}"): "case_type",
}
STATE = {"Pending": "Pending"}


def ok(result: Any = None) -> httpx.Response:
    return httpx.Response(200, json={"resCode": "0", "resMsg": "Success", "result": result})


class FakeAicc:
    """Serves AICC's published calls in memory, recording each; ``answers`` come first."""

    def __init__(self, flow: str = "Processing,Pending,Completed", strict: bool = False) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.paths: list[tuple[str, str]] = []
        self.cases: dict[str, dict[str, Any]] = {}
        self.traces: dict[str, list[Any]] = {}
        self.answers: list[httpx.Response | Exception] = []
        self.flow = {"caseStatus": flow, "isStrictOrder": strict}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/token"):
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        path = request.url.path.removeprefix(OPENAPI)
        ident = path.rsplit("/", 1)[-1]
        pattern = path if (request.method, path) in PUBLISHED else path[: -len(ident)] + "{id}"
        operation = PUBLISHED.get((request.method, pattern))
        self.paths.append((request.method, request.url.path))
        if operation is None:
            return httpx.Response(404, json={"detail": "Not Found"})
        body = json.loads(request.content) if request.content else {"id": ident}
        self.calls.append((operation, body))
        if self.answers:
            answer = self.answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        return self._serve(operation, body, ident)

    def _serve(self, operation: str, body: dict[str, Any], ident: str) -> httpx.Response:
        if operation == "create":
            case_id = str(len(self.cases) + 1)
            self.cases[case_id] = body["caseInfo"] | {
                "id": case_id,
                "status": "Processing",
                "state": "Processing",
            }
            return ok({"caseId": case_id})
        if operation == "list":
            wanted = {k: v for k, v in body.items() if k not in ("start", "limit")}
            wanted = {k: v for k, v in wanted.items() if k not in ("startTime", "endTime")}
            found = [
                case
                for case in reversed(self.cases.values())
                if all(case.get(k) == v for k, v in wanted.items())
            ]
            rows = found[body["start"] : body["start"] + body["limit"]]
            return ok([{"caseList": rows, "count": len(found)}])
        if operation == "case_type":
            return ok({"caseTypeInfo": {"id": ident, **self.flow}})
        body = body.get("caseInfo", body)
        case_id = str(body.get("id") or body.get("caseId") or ident)
        if case_id not in self.cases:
            return httpx.Response(200, json={"resCode": "404001", "resMsg": "no case"})
        case = self.cases[case_id]
        if operation == "get":
            return ok([{"caseInfo": case, "caseTrace": self.traces.get(case_id, [])}])
        if operation == "modify":
            case.update({k: v for k, v in body.items() if k != "creatorId"})
        elif operation == "transfer":
            case.update(ownerType=body["ownerType"], ownerId=body["ownerId"])
        elif operation == "status":
            case.update(status=body["status"], state=STATE.get(body["status"], "Processing"))
        elif operation == "close":
            case.update(state="Completed", closedDate="2026-03-01 12:00:00")
        return ok()

    def sent(self, operation: str) -> list[dict[str, Any]]:
        return [body for op, body in self.calls if op == operation]


def backend(
    fake: FakeAicc,
    tmp_path: Path,
    *,
    store: SqliteIdempotencyStore | None = None,
    handler: Callable[[httpx.Request], Awaitable[httpx.Response]] | None = None,
    **options: Any,
) -> AiccBackend:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler or fake))
    return AiccBackend(
        http,
        base_url="https://aicc.test/",
        tokens=AiccTokenSource(http, "https://aicc.test/baas/auth/v1.0/oauth2/token", "k", "s"),
        spec=SPEC,
        case_type_id="casebot",
        case_type=CASE_TYPES["casebot"],
        creator_id="bot-7",
        store=store or SqliteIdempotencyStore(tmp_path / "keys.sqlite3"),
        now=lambda: NOW,
        **options,
    )


def draft(**values: Any) -> CaseDraft:
    base: dict[str, Any] = {
        "title": "Printer on fire",
        "description": "It smokes",
        "contact": "+447700900123",
        "priority": "High",
        "origin": "",
        "conversation_id": "conv-1",
        "channel": "whatsapp",
    }
    return CaseDraft(**(base | values))
