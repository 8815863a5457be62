"""The Twilio REST API routes the gateway uses, and the stand-in's own routes for tests.

- ``POST /2010-04-01/Accounts/{sid}/Messages.json``: send a message (form: From, To, Body,
  MediaUrl; basic auth with the account SID and auth token)
- ``GET /2010-04-01/Accounts/{sid}/Messages/{message_sid}/Media/{media_sid}``: a user's media
  (basic auth)
- ``POST /_twilio/media``: register media (raw body, ``Content-Type`` its type); answers its URL
- ``GET /_twilio/sent``, ``POST /_twilio/reset``: what was sent; forget it
- ``POST /_twilio/fail`` ``{"status", "code", "count"?, "message"?}``: fail the next sends
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from sandbox.twilio.state import Failure, TwilioState

SERVICE_NAME = "twilio"
API = "/2010-04-01/Accounts/{account_sid}"
BODY_LIMIT = 1600
_ADDRESS = re.compile(r"^(whatsapp:)?\+[1-9]\d{6,14}$")


class FailurePlan(BaseModel):
    """Make the next ``count`` sends fail with HTTP ``status`` and Twilio error ``code``."""

    status: int = Field(ge=400, le=599)
    code: int
    count: int = Field(default=1, ge=1)
    message: str = "Failure planned by the sandbox"


def error(status: int, code: int, message: str) -> JSONResponse:
    """Twilio's error answer."""
    return JSONResponse(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status_code=status,
    )


def _check_fields(fields: dict[str, str]) -> JSONResponse | None:
    to, sender = fields.get("To", ""), fields.get("From", "")
    if not _ADDRESS.match(to):
        return error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
    if not _ADDRESS.match(sender):
        return error(400, 21212, f"The 'From' number {sender} is not a valid phone number.")
    if to.startswith("whatsapp:") != sender.startswith("whatsapp:"):
        return error(400, 63007, "Twilio could not find a Channel with the specified From address")
    body = fields.get("Body", "")
    if not body.strip() and not fields.get("MediaUrl"):
        return error(400, 21602, "Message body is required.")
    if len(body) > BODY_LIMIT:
        return error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
    return None


def twilio_app(
    state: TwilioState, account_sid: str, auth_token: str, on_call: Callable[[str], None]
) -> FastAPI:
    """Return the ASGI app of the Twilio stand-in over ``state``."""
    app = FastAPI(title="Twilio REST API (sandbox)")

    def authorized(request: Request, path_sid: str) -> bool:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return (
            scheme.lower() == "basic"
            and hmac.compare_digest(user.encode(), account_sid.encode())
            and hmac.compare_digest(password.encode(), auth_token.encode())
            and path_sid == account_sid
        )

    @app.post(API + "/Messages.json")
    async def send_message(request: Request, account_sid: str) -> Response:
        on_call("CreateMessage")
        if not authorized(request, account_sid):
            return error(401, 20003, "Authenticate")
        fields = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        failure = state.failures.popleft() if state.failures else None
        refused = None if failure else _check_fields(fields)
        entry = state.record(account_sid, fields, failure)
        if failure is not None:
            return error(failure.status, failure.code, failure.message)
        if refused is not None:
            entry["error_code"] = refused.status_code
            return refused
        return JSONResponse(
            {
                "sid": entry["sid"],
                "account_sid": account_sid,
                "from": entry["from"],
                "to": entry["to"],
                "body": entry["body"],
                "status": "queued",
                "num_media": "1" if entry["media_url"] else "0",
                "api_version": "2010-04-01",
            },
            status_code=201,
        )

    @app.get(API + "/Messages/{message_sid}/Media/{media_sid}")
    async def media(
        request: Request, account_sid: str, message_sid: str, media_sid: str
    ) -> Response:
        on_call("GetMedia")
        if not authorized(request, account_sid):
            return error(401, 20003, "Authenticate")
        stored = state.media.get(media_sid)
        if stored is None or stored.message_sid != message_sid:
            return error(404, 20404, "The requested resource was not found")
        return Response(stored.content, media_type=stored.content_type)

    @app.post("/_twilio/media")
    async def register_media(request: Request) -> dict[str, Any]:
        content_type = request.headers.get("content-type", "application/octet-stream")
        stored = state.add_media(await request.body(), content_type)
        root = request.scope.get("root_path", "").rstrip("/")
        path = f"{API.format(account_sid=account_sid)}/Messages/{stored.message_sid}"
        return {
            "message_sid": stored.message_sid,
            "media_sid": stored.sid,
            "content_type": stored.content_type,
            "url": f"{request.url.scheme}://{request.url.netloc}{root}{path}/Media/{stored.sid}",
        }

    @app.get("/_twilio/sent")
    async def sent() -> list[dict[str, Any]]:
        return state.sent

    @app.post("/_twilio/reset")
    async def reset() -> dict[str, int]:
        state.reset()
        return {"sent": 0}

    @app.post("/_twilio/fail")
    async def fail(plan: FailurePlan) -> dict[str, int]:
        state.fail_next(Failure(plan.status, plan.code, plan.message), plan.count)
        return {"pending_failures": len(state.failures)}

    return app
