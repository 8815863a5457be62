"""The AICC stand-in's routes: the token interface and the case operations.

Create is AICC's published interface; the token interface and query, update, comment and
history follow the shapes ``cases.aicc.backend`` assumes. Like AICC, case errors are
answered with HTTP 200 and a ``resCode`` other than ``"0"``; the codes' first three digits
are an HTTP-like class (401 token, 400 values, 404 no case).

- ``POST /baas/auth/v1.0/oauth2/token`` (form: client_id, client_secret) -> token, expires_in
- ``POST /service/AICC__Case/1.0.0/openapi/case[/query|/update|/comment|/history]``
- ``GET /_aicc/cases/{case_id}/comments``: a case's comments, for tests
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from starlette.responses import JSONResponse

from sandbox.aicc.store import AiccStore
from sandbox.aicc.validation import (
    BAD_VALUE,
    NO_CASE,
    TOKEN_EXPIRED,
    TOKEN_UNKNOWN,
    AiccError,
    validate_changes,
    validate_comment,
    validate_new_case,
)

SERVICE_NAME = "aicc"
TOKEN_PATH = "/baas/auth/v1.0/oauth2/token"
CASE_PATH = "/service/AICC__Case/1.0.0/openapi/case"


def aicc_app(
    store: AiccStore,
    app_key: str,
    app_secret: str,
    token_seconds: float,
    on_call: Callable[[str], None],
) -> FastAPI:
    """Return the ASGI app of the AICC stand-in over ``store``."""
    app = FastAPI(title="Huawei AICC case API (sandbox)")

    @app.exception_handler(AiccError)
    async def aicc_error(request: Request, exc: Exception) -> JSONResponse:
        if not isinstance(exc, AiccError):
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

    async def authorized(request: Request) -> dict[str, Any]:
        state = store.token_state(request.headers.get("access-token", ""))
        if state == "expired":
            raise AiccError(TOKEN_EXPIRED, "access-token expired")
        if state != "valid":
            raise AiccError(TOKEN_UNKNOWN, "access-token missing or unknown")
        try:
            body = await request.json()
        except ValueError:
            raise AiccError(BAD_VALUE, "the body is not JSON") from None
        if not isinstance(body, dict):
            raise AiccError(BAD_VALUE, "the body is not a JSON object")
        return body

    def ok(result: Any) -> dict[str, Any]:
        return {"resCode": "0", "resMsg": "Success", "result": result}

    @app.post(CASE_PATH)
    async def create(request: Request) -> dict[str, Any]:
        on_call("CreateCase")
        info = validate_new_case((await authorized(request)).get("caseInfo"))
        return ok({"caseId": store.create(info, str(info["creatorId"]))})

    @app.post(f"{CASE_PATH}/query")
    async def query(request: Request) -> dict[str, Any]:
        on_call("QueryCase")
        body = await authorized(request)
        conditions = body.get("conditions") or {}
        offset, limit = body.get("offset", 0), body.get("limit", 10)
        if not isinstance(conditions, dict) or not isinstance(offset, int) or offset < 0:
            raise AiccError(BAD_VALUE, "conditions must be an object and offset at least 0")
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            raise AiccError(BAD_VALUE, "limit must be between 1 and 100")
        keyword = body.get("keyword")
        total, cases = store.query(
            conditions,
            str(keyword) if keyword else None,
            offset,
            limit,
            desc=body.get("order", "desc") != "asc",
        )
        return ok({"total": total, "cases": cases})

    @app.post(f"{CASE_PATH}/update")
    async def update(request: Request) -> dict[str, Any]:
        on_call("UpdateCase")
        body = await authorized(request)
        changes = validate_changes(body.get("caseInfo"))
        case_id = str(body.get("caseId", ""))
        if not store.update(case_id, changes, str(body.get("operatorId") or "")):
            raise AiccError(NO_CASE, f"case {case_id} does not exist")
        return ok({"caseId": case_id})

    @app.post(f"{CASE_PATH}/comment")
    async def comment(request: Request) -> dict[str, Any]:
        on_call("AddComment")
        body = await authorized(request)
        content, case_id = validate_comment(body.get("content")), str(body.get("caseId", ""))
        comment_id = store.comment(case_id, content, str(body.get("creatorId") or ""))
        if comment_id is None:
            raise AiccError(NO_CASE, f"case {case_id} does not exist")
        return ok({"commentId": str(comment_id)})

    @app.post(f"{CASE_PATH}/history")
    async def history(request: Request) -> dict[str, Any]:
        on_call("QueryHistory")
        case_id = str((await authorized(request)).get("caseId", ""))
        records = store.history(case_id)
        if records is None:
            raise AiccError(NO_CASE, f"case {case_id} does not exist")
        return ok({"records": records})

    @app.get("/_aicc/cases/{case_id}/comments")
    async def comments(case_id: str) -> list[dict[str, str]]:
        return store.comments(case_id)

    return app
