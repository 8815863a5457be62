"""The Graph API routes the gateway uses, and the stand-in's own routes for tests.

- ``POST /{version}/{phone_number_id}/messages``: send a message (bearer token required)
- ``GET /{version}/{media_id}``: a media item's download URL and facts
- ``GET /_whatsapp/media/{media_id}``: the download itself (bearer token required)
- ``POST /_whatsapp/media``: register media (raw body, ``Content-Type`` its type)
- ``GET /_whatsapp/sent``, ``POST /_whatsapp/reset``: what was sent; forget it
- ``POST /_whatsapp/fail`` ``{"code", "count", "status"?, "message"?}``: fail the next sends
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from sandbox.whatsapp.errors import GraphApiError
from sandbox.whatsapp.state import GraphState
from sandbox.whatsapp.validation import validate_message

SERVICE_NAME = "whatsapp"


class FailurePlan(BaseModel):
    """Make the next ``count`` message sends fail with Graph error ``code``."""

    code: int
    count: int = Field(default=1, ge=1)
    status: int | None = Field(default=None, ge=400, le=599)
    message: str | None = None


def whatsapp_app(state: GraphState, token: str, on_call: Callable[[str], None]) -> FastAPI:
    """Return the ASGI app of the Graph API stand-in over ``state``."""
    app = FastAPI(title="WhatsApp Cloud API (sandbox)")

    @app.exception_handler(GraphApiError)
    async def graph_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, GraphApiError):
            raise exc
        return exc.response()

    def authorize(request: Request) -> None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
            raise GraphApiError(190)

    @app.post("/_whatsapp/media")
    async def register_media(request: Request, id: str | None = None) -> dict[str, Any]:
        mime_type = request.headers.get("content-type", "application/octet-stream")
        stored = state.add_media(await request.body(), mime_type, id)
        return {
            "id": stored.id,
            "mime_type": stored.mime_type,
            "sha256": stored.sha256,
            "file_size": len(stored.content),
        }

    @app.get("/_whatsapp/media/{media_id}")
    async def download_media(request: Request, media_id: str) -> Response:
        on_call("DownloadMedia")
        authorize(request)
        stored = state.media.get(media_id)
        if stored is None:
            return Response(status_code=404)
        return Response(stored.content, media_type=stored.mime_type)

    @app.get("/_whatsapp/sent")
    async def sent() -> list[dict[str, Any]]:
        return state.sent

    @app.post("/_whatsapp/reset")
    async def reset() -> dict[str, int]:
        state.reset()
        return {"sent": 0}

    @app.post("/_whatsapp/fail")
    async def fail(plan: FailurePlan) -> dict[str, int]:
        state.fail_next(GraphApiError(plan.code, plan.message, plan.status), plan.count)
        return {"pending_failures": len(state.failures)}

    @app.post("/{version}/{phone_number_id}/messages")
    async def send_message(request: Request, version: str, phone_number_id: str) -> Response:
        on_call("SendMessage")
        authorize(request)
        try:
            body = json.loads(await request.body())
        except ValueError as exc:
            raise GraphApiError(100, "Request body is not JSON") from exc
        error = state.failures.popleft() if state.failures else None
        if error is None:
            try:
                validate_message(body, state.templates)
            except GraphApiError as invalid:
                error = invalid
        entry = state.record(version, phone_number_id, body, error)
        if error is not None:
            return error.response()
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"].lstrip("+")}],
                "messages": [{"id": entry["wamid"]}],
            }
        )

    @app.get("/{version}/{media_id}")
    async def media_info(request: Request, version: str, media_id: str) -> dict[str, Any]:
        on_call("GetMedia")
        authorize(request)
        stored = state.media.get(media_id)
        if stored is None:
            raise GraphApiError(
                100, f"Unsupported get request. Object with ID '{media_id}' does not exist"
            )
        return {
            "messaging_product": "whatsapp",
            "url": _download_url(request, media_id),
            "mime_type": stored.mime_type,
            "sha256": stored.sha256,
            "file_size": len(stored.content),
            "id": stored.id,
        }

    return app


def _download_url(request: Request, media_id: str) -> str:
    # root_path is where the sandbox mounted this app; url_for would need the mount's name
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{request.url.scheme}://{request.url.netloc}{root}/_whatsapp/media/{media_id}"
