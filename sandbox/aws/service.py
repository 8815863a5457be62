"""Serve an AWS REST-JSON service from its botocore model and one handler per operation.

Every operation of the model gets its route (method and ``requestUri``); operations without a
handler answer 501. Each call is counted, authenticated, read, validated against the model and
handed to its handler in a worker thread (handlers may block on SQLite). Errors become responses
here and nowhere else.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.model import OperationModel, ServiceModel
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.aws.errors import (
    AwsError,
    IncompleteSignature,
    InvalidInput,
    MissingAuthenticationToken,
    NotImplementedOperation,
    UnknownOperation,
    error_response,
)
from sandbox.aws.wire import read_input, validate_input

logger = logging.getLogger(__name__)

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


@dataclass(frozen=True)
class Call:
    """One authenticated, validated call of an operation."""

    operation: str
    params: dict[str, Any]
    #: access key id from the SigV4 credential scope
    access_key_id: str


Handler = Callable[[Call], dict[str, Any]]


@dataclass(frozen=True)
class ServiceErrors:
    """How this service spells the errors the shared edge raises for it."""

    validation: Callable[[str], AwsError]
    internal: Callable[[str], AwsError]


def build_service_app(
    *,
    title: str,
    model: ServiceModel,
    handlers: Mapping[str, Handler],
    errors: ServiceErrors,
    on_call: Callable[[str], None],
    sigv4: bool = True,
) -> FastAPI:
    """Return an app with one route per operation of ``model``.

    ``sigv4=False`` is for a service whose calls carry a bearer token instead of a signature
    (the Connect Participant Service): its handlers check the token themselves.
    """
    unknown = sorted(set(handlers) - set(model.operation_names))
    if unknown:
        raise ValueError(f"{model.service_name} has no operations named {unknown}")
    app = FastAPI(title=title, openapi_url=None, docs_url=None, redoc_url=None)
    for name in model.operation_names:
        operation = model.operation_model(name)
        endpoint = _endpoint(operation, handlers.get(name), errors, on_call, sigv4)
        app.add_route(
            _route_path(operation.http["requestUri"]),
            endpoint,
            methods=[operation.http["method"]],
            name=name,
            include_in_schema=False,
        )
    app.add_exception_handler(HTTPException, _unrouted)
    return app


def authenticate(authorization: str | None) -> str:
    """Return the access key id of a SigV4 Authorization header; the signature is not checked."""
    if not authorization:
        raise MissingAuthenticationToken("Missing Authentication Token")
    if not authorization.startswith("AWS4-HMAC-SHA256 "):
        raise IncompleteSignature("Authorization header requires AWS Signature Version 4")
    match = _CREDENTIAL.search(authorization)
    if match is None:
        raise IncompleteSignature("Authorization header requires a 'Credential' parameter")
    return match.group(1)


def _endpoint(
    operation: OperationModel,
    handler: Handler | None,
    errors: ServiceErrors,
    on_call: Callable[[str], None],
    sigv4: bool,
) -> Callable[[Request], Any]:
    name = operation.name
    status = int(operation.http.get("responseCode", 200))

    async def endpoint(request: Request) -> Response:
        on_call(name)
        try:
            authorization = request.headers.get("authorization")
            access_key_id = authenticate(authorization) if sigv4 else ""
            if handler is None:
                raise NotImplementedOperation(f"The sandbox does not implement {name}")
            params = read_input(
                operation,
                path_params=request.path_params,
                query=request.query_params,
                body=await request.body(),
                headers=request.headers,
            )
            problems = validate_input(params, operation.input_shape)
            if problems:
                raise errors.validation("; ".join(problems))
            result = await run_in_threadpool(handler, Call(name, params, access_key_id))
        except AwsError as exc:
            return error_response(exc)
        except InvalidInput as exc:
            return error_response(errors.validation(str(exc)))
        except Exception:
            logger.exception("%s failed", name)
            return error_response(errors.internal(f"{name} failed inside the sandbox"))
        return JSONResponse(result, status_code=status)

    return endpoint


async def _unrouted(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status in (404, 405):
        message = f"No operation answers {request.method} {request.url.path}"
        return error_response(UnknownOperation(message))
    return JSONResponse({"message": str(exc)}, status_code=status)


def _route_path(request_uri: str) -> str:
    # greedy labels ({key+}) span slashes; any query part of requestUri is not part of the route
    path = request_uri.split("?", 1)[0]
    return re.sub(r"\{(\w+)\+\}", r"{\1:path}", path)
