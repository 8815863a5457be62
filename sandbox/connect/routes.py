"""The Amazon Connect app: attached files, queues, Cases integration and chats of botocore's model.

Every other operation of the model answers 501. The upload URLs it hands out are served by
the same app, under ``/_uploads``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from botocore.loaders import create_loader
from botocore.model import ServiceModel
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.aws.service import ServiceErrors, build_service_app
from sandbox.connect.chats import ChatContacts
from sandbox.connect.errors import InternalServiceException, InvalidRequestException
from sandbox.connect.files import BASE_URL, FileStore
from sandbox.connect.instance import InstanceStore

SERVICE_NAME = "connect"


@lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    """Return botocore's model of Amazon Connect, the contract this stand-in serves."""
    loader = create_loader()
    return ServiceModel(
        loader.load_service_model(SERVICE_NAME, "service-2"), service_name=SERVICE_NAME
    )


def connect_app(
    files: FileStore,
    instances: InstanceStore,
    chats: ChatContacts,
    on_call: Callable[[str], None],
) -> ASGIApp:
    """Return the ASGI app of Amazon Connect over ``files``, ``instances`` and ``chats``."""
    app: FastAPI = build_service_app(
        title="Amazon Connect (sandbox)",
        model=service_model(),
        handlers={
            "StartAttachedFileUpload": files.start_upload,
            "CompleteAttachedFileUpload": files.complete_upload,
            "GetAttachedFile": files.get_file,
            "ListQueues": instances.list_queues,
            "CreateIntegrationAssociation": instances.create_integration_association,
            "ListIntegrationAssociations": instances.list_integration_associations,
            "CreateUseCase": instances.create_use_case,
            "ListUseCases": instances.list_use_cases,
            "StartChatContact": chats.start_chat_contact,
        },
        errors=ServiceErrors(validation=InvalidRequestException, internal=InternalServiceException),
        on_call=on_call,
    )

    async def upload(request: Request) -> Response:
        file_id = request.path_params["file_id"]
        key = request.query_params.get("key", "")
        if request.method == "GET":
            data = files.content(file_id, key)
            if data is None:
                return Response(status_code=403)
            return Response(data, media_type="application/octet-stream")
        status = files.receive(
            file_id, key, {k.lower(): v for k, v in request.headers.items()}, await request.body()
        )
        return Response(status_code=status)

    # ahead of the model's routes, none of which starts with /_uploads
    app.router.routes.insert(0, Route("/_uploads/{file_id}", upload, methods=["PUT", "GET"]))
    return _RememberBaseUrl(app)


class _RememberBaseUrl:
    """Keeps where this request reached the stand-in, so upload URLs point back at it."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = dict(scope.get("headers") or []).get(b"host", b"127.0.0.1").decode("latin-1")
            BASE_URL.set(f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}")
        await self._app(scope, receive, send)
