"""The Connect Participant Service app, from botocore's model, and the chat stand-in's other routes.

The participant calls carry a bearer token, not a signature; every other operation of the model
answers 501. The attachment upload URLs it hands out are served by the same app. The websocket,
the agent API and the agent page are routes of the sandbox app itself (see ``standin``),
outside this service's prefix.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from botocore.loaders import create_loader
from botocore.model import ServiceModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.aws.service import ServiceErrors, build_service_app
from sandbox.connect_chat.agent import AgentDesk, agent_router
from sandbox.connect_chat.attachments import MAX_BYTES, UPLOAD_PATH, Attachments
from sandbox.connect_chat.db import ChatDatabase
from sandbox.connect_chat.errors import InternalServerException, ValidationException
from sandbox.connect_chat.page import page_router
from sandbox.connect_chat.participant import (
    ORIGIN,
    SERVICE_URL,
    SOCKET_PATH,
    ParticipantService,
)
from sandbox.connect_chat.socket import ParticipantSocket
from sandbox.connect_chat.store import ChatStore

SERVICE_NAME = "connectparticipant"


@lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    """Return botocore's model of the Connect Participant Service, the contract served here."""
    loader = create_loader()
    return ServiceModel(
        loader.load_service_model(SERVICE_NAME, "service-2"), service_name=SERVICE_NAME
    )


def participant_app(db: ChatDatabase, store: ChatStore, on_call: Callable[[str], None]) -> ASGIApp:
    """Return the ASGI app of the participant service over ``store``, uploads included."""
    attachments = Attachments(db, store)
    service = ParticipantService(store, attachments)
    app = build_service_app(
        title="Amazon Connect Participant Service (sandbox)",
        model=service_model(),
        handlers={
            "CreateParticipantConnection": service.create_participant_connection,
            "SendMessage": service.send_message,
            "SendEvent": service.send_event,
            "GetTranscript": service.get_transcript,
            "DisconnectParticipant": service.disconnect_participant,
            "StartAttachmentUpload": service.start_attachment_upload,
            "CompleteAttachmentUpload": service.complete_attachment_upload,
            "GetAttachment": service.get_attachment,
        },
        errors=ServiceErrors(validation=ValidationException, internal=InternalServerException),
        on_call=on_call,
        sigv4=False,
    )

    async def upload(request: Request) -> Response:
        attachment_id = request.path_params["attachment_id"]
        key = request.query_params.get("key", "")
        if request.method == "GET":
            found = await run_in_threadpool(attachments.content, attachment_id, key)
            if found is None:
                return Response(status_code=403)
            return Response(found[0], media_type=found[1])
        data = await _body(request, MAX_BYTES)
        if data is None:
            return Response(status_code=400)
        status = await run_in_threadpool(
            attachments.receive,
            attachment_id,
            key,
            request.headers.get("content-type", ""),
            data,
        )
        return Response(status_code=status)

    # ahead of the model's routes, none of which starts with /_uploads
    app.router.routes.insert(
        0, Route(UPLOAD_PATH + "/{attachment_id}", upload, methods=["PUT", "GET"])
    )
    return _RememberOrigin(app)


def sandbox_routes(store: ChatStore) -> list[BaseRoute]:
    """The websocket, the agent API and the agent page, served at the sandbox's root."""
    desk = AgentDesk(store)
    routes: list[BaseRoute] = [
        WebSocketRoute(SOCKET_PATH + "/{key}", ParticipantSocket(store).serve)
    ]
    routes.extend(agent_router(desk).routes)
    routes.extend(page_router(desk).routes)
    return routes


class _RememberOrigin:
    """Keeps where this request reached the sandbox, so websocket URLs point back at it."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = dict(scope.get("headers") or []).get(b"host", b"127.0.0.1").decode("latin-1")
            origin = f"{scope.get('scheme', 'http')}://{host}"
            ORIGIN.set(origin)
            SERVICE_URL.set(origin + scope.get("root_path", ""))
        await self._app(scope, receive, send)


async def _body(request: Request, limit: int) -> bytes | None:
    # read no more than an attachment can be: a bigger upload is refused, not buffered
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)
