"""The AICC stand-in's routes: the token interface and Huawei's published Case 2.0 calls.

Under ``/service/AICC__Case/1.0.0/openapi`` (``OPENAPI``), exactly as the reference has them:
``POST /case``, ``POST /case/list``, ``GET /case/{id}``, ``POST /case/modify``,
``POST /case/transfer``, ``POST /case/process``, ``POST /case/cancel``, ``POST /status/update``,
``POST /close``, ``POST /caseType/list`` and ``GET /caseType/{id}``; anything else under
``/case/`` is HTTP 404. Like AICC, a refused call is HTTP 200 with a ``resCode`` other than
``"0"`` (see ``sandbox.aicc.validation``).

- ``POST /baas/auth/v1.0/oauth2/token`` (form: grant_type, client_id, client_secret)
- ``GET /_aicc/cases/{case_id}/comments``: a case's processing records, for tests
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, HTTPException, Request
from starlette.responses import JSONResponse

from sandbox.aicc import tenant
from sandbox.aicc import validation as v
from sandbox.aicc.listing import list_rows
from sandbox.aicc.store import AiccStore

SERVICE_NAME = "aicc"
TOKEN_PATH = "/baas/auth/v1.0/oauth2/token"
OPENAPI = "/service/AICC__Case/1.0.0/openapi"
CASE_PATH = f"{OPENAPI}/case"


def aicc_app(
    store: AiccStore,
    app_key: str,
    app_secret: str,
    token_seconds: float,
    on_call: Callable[[str], None],
) -> FastAPI:
    """Return the ASGI app of the AICC stand-in over ``store``."""
    app = FastAPI(title="Huawei AICC case API (sandbox)")

    @app.exception_handler(v.AiccError)
    async def aicc_error(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, v.AiccError):
            raise exc
        return JSONResponse({"resCode": exc.code, "resMsg": exc.message})

    @app.post(TOKEN_PATH)
    async def token(request: Request) -> JSONResponse:
        on_call("GetToken")
        # parsed by hand: Starlette's form parser needs python-multipart, not installed
        form = {k: v[-1] for k, v in parse_qs((await request.body()).decode("utf-8")).items()}
        key, secret = form.get("client_id", ""), form.get("client_secret", "")
        if (
            form.get("grant_type") != "client_credentials"
            or not hmac.compare_digest(key.encode(), app_key.encode())
            or not hmac.compare_digest(secret.encode(), app_secret.encode())
        ):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        issued = store.issue_token(token_seconds)
        return JSONResponse(
            {"access_token": issued, "token_type": "Bearer", "expires_in": int(token_seconds)}
        )

    def authorize(request: Request) -> None:
        state = store.token_state(request.headers.get("access-token", ""))
        if state == "expired":
            raise v.AiccError(v.TOKEN_EXPIRED, "access-token expired")
        if state != "valid":
            raise v.AiccError(v.TOKEN_UNKNOWN, "access-token missing or unknown")

    async def body_of(request: Request) -> dict[str, Any]:
        authorize(request)
        try:
            body = await request.json()
        except ValueError:
            raise v.AiccError(v.BAD_VALUE, "the body is not JSON") from None
        if not isinstance(body, dict):
            raise v.AiccError(v.BAD_VALUE, "the body is not a JSON object")
        return body

    def ok(result: Any = None) -> dict[str, Any]:
        answer: dict[str, Any] = {"resCode": "0", "resMsg": "Success"}
        return answer if result is None else answer | {"result": result}

    def open_case(case_id: str) -> dict[str, Any]:
        info = store.case(case_id)
        if info is None:
            raise v.AiccError(v.NO_CASE, f"case {case_id} does not exist")
        if info.get("closedDate"):
            raise v.AiccError(v.NOT_ALLOWED, f"case {case_id} is closed")
        return info

    @app.post(CASE_PATH)
    async def create(request: Request) -> dict[str, Any]:
        on_call("CreateCase")
        info = v.validate_new_case((await body_of(request)).get("caseInfo"))
        case_type = tenant.CASE_TYPES.get(info["type"])
        if case_type is None or case_type["status"] != "Active":
            raise v.AiccError(v.BAD_VALUE, f"type {info['type']} is not an active case type")
        first = tenant.flow(info["type"])[0]
        case_id = store.create(info, first, tenant.state_of(first, closed=False))
        return ok({"caseId": case_id})

    @app.post(f"{CASE_PATH}/list")
    async def list_cases(request: Request) -> dict[str, Any]:
        on_call("ListCases")
        body = await body_of(request)
        count, rows = list_rows(store.cases(), body)
        return ok([{"caseList": rows, "count": count}])

    @app.get(f"{CASE_PATH}/{{case_id}}")
    async def get_case(case_id: str, request: Request) -> dict[str, Any]:
        on_call("GetCase")
        authorize(request)
        info = store.case(case_id)
        if info is None:
            raise v.AiccError(v.NO_CASE, f"case {case_id} does not exist")
        type_name = tenant.CASE_TYPES.get(str(info.get("type")), {}).get("typeName", "")
        detail = {
            "caseInfo": info | {"typeName": type_name},
            "caseTrace": store.trace(case_id),
            "customerInfo": {"contactId": info.get("contactId", "")},
            "tasks": [],
            "isFollower": False,
        }
        return ok([detail])

    @app.post(f"{CASE_PATH}/modify")
    async def modify(request: Request) -> dict[str, Any]:
        on_call("ModifyCase")
        info = v.validate_modify((await body_of(request)).get("caseInfo"))
        case_id = str(info["id"])
        open_case(case_id)
        changes = {k: value for k, value in info.items() if k not in ("id", "creatorId")}
        store.update(case_id, changes, str(info["creatorId"]), "Modify")
        return ok()

    @app.post(f"{CASE_PATH}/transfer")
    async def transfer(request: Request) -> dict[str, Any]:
        on_call("TransferCase")
        body = await body_of(request)
        v.validate_transfer(body)
        case_id, owner = str(body["id"]), str(body["ownerId"])
        open_case(case_id)
        queue = body["ownerType"] == "queue"
        changes = {
            "ownerType": body["ownerType"],
            "ownerId": owner,
            "queueId": owner if queue else "",
        }
        traced = ["queueId"] if queue else ["ownerId"]
        store.update(case_id, changes, str(body["creatorId"]), "Transfer", traced)
        return ok()

    @app.post(f"{CASE_PATH}/process")
    async def process(request: Request) -> dict[str, Any]:
        on_call("ProcessCase")
        body = await body_of(request)
        record = v.validate_process(body)
        if not store.process(str(body["caseId"]), record, str(body["creatorId"])):
            raise v.AiccError(v.NO_CASE, f"case {body['caseId']} does not exist")
        return ok()

    @app.post(f"{CASE_PATH}/cancel")
    async def cancel(request: Request) -> dict[str, Any]:
        on_call("CancelCase")
        body = await body_of(request)
        v.required(body, "id", "creatorId", "remark")
        v.within("remark", body["remark"], v.REMARK_MAX_BYTES)
        case_id = str(body["id"])
        open_case(case_id)
        store.update(case_id, {"isCanced": True}, str(body["creatorId"]), "Cancel")
        return ok()

    @app.post(f"{CASE_PATH}/{{anything}}")
    async def no_such_call(anything: str) -> None:
        # not a published call: what a real tenant answers to an unknown path
        raise HTTPException(status_code=404, detail="Not Found")

    @app.post(f"{OPENAPI}/status/update")
    async def update_status(request: Request) -> dict[str, Any]:
        on_call("UpdateStatus")
        body = await body_of(request)
        v.required(body, "id", "creatorId", "status")
        case_id, status = str(body["id"]), str(body["status"])
        info = open_case(case_id)
        flow = tenant.flow(str(info["type"]))
        if status not in flow:
            raise v.AiccError(v.BAD_VALUE, f"status must be one of {', '.join(flow)}")
        strict = tenant.CASE_TYPES[str(info["type"])]["isStrictOrder"]
        at = str(info.get("status", ""))
        if strict and at in flow and flow.index(status) != flow.index(at) + 1:
            raise v.AiccError(v.NOT_ALLOWED, f"the flow goes from {at} to the next status only")
        changes = {"status": status, "state": tenant.state_of(status, closed=False)}
        store.update(case_id, changes, str(body["creatorId"]), "StatusUpdate", ["state"])
        return ok()

    @app.post(f"{OPENAPI}/close")
    async def close(request: Request) -> dict[str, Any]:
        on_call("CloseCase")
        body = await body_of(request)
        v.required(body, "caseId", "creatorId", "remark", "closedReason")
        v.within("remark", body["remark"], v.REMARK_MAX_BYTES)
        if body["closedReason"] not in tenant.CLOSE_REASONS:
            raise v.AiccError(v.BAD_VALUE, f"no close reason {body['closedReason']}")
        case_id = str(body["caseId"])
        info = open_case(case_id)
        last = tenant.flow(str(info["type"]))[-1]
        if info.get("status") != last:
            raise v.AiccError(v.NOT_ALLOWED, f"a case is closed only at status {last}")
        changes = {
            "state": tenant.state_of(last, closed=True),
            "closedDate": store.now(),
            "closedReason": body["closedReason"],
        }
        store.update(case_id, changes, str(body["creatorId"]), "Close", ["state"])
        return ok()

    @app.post(f"{OPENAPI}/caseType/list")
    async def case_types(request: Request) -> dict[str, Any]:
        on_call("ListCaseTypes")
        body = await body_of(request)
        start, limit = v.paging(body)
        name, status = str(body.get("typeName") or ""), body.get("status")
        found = [
            case_type
            for case_type in tenant.CASE_TYPES.values()
            if name.lower() in str(case_type["typeName"]).lower()
            and (not status or case_type["status"] == status)
        ]
        return ok({"caseTypes": found[start : start + limit], "count": len(found)})

    @app.get(f"{OPENAPI}/caseType/{{type_id}}")
    async def case_type(type_id: str, request: Request) -> dict[str, Any]:
        on_call("GetCaseType")
        authorize(request)
        if type_id not in tenant.CASE_TYPES:
            raise v.AiccError(v.NO_CASE_TYPE, f"case type {type_id} does not exist")
        return ok({"caseTypeInfo": tenant.CASE_TYPES[type_id]})

    @app.get("/_aicc/cases/{case_id}/comments")
    async def comments(case_id: str) -> list[dict[str, str]]:
        return [
            {
                "content": str(record["description"]),
                "title": str(record["title"]),
                "creatorId": str(record["creatorId"]),
                "createdDate": str(record["createdDate"]),
            }
            for record in store.processes(case_id)
        ]

    return app
