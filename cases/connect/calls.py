"""Calls to the ``connectcases`` client: run in a thread, errors translated.

boto3 blocks, so each call runs in a worker thread. botocore's errors become the back-end
error tree; the messages name the operation and the error code only, because AWS's own text
can echo values from the request and is not written for the people the assistant talks to.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from cases.backend import (
    BackendError,
    BackendUnavailable,
    CaseNotFound,
    Conflict,
    InvalidCase,
    Throttled,
)
from cases.metrics import BACKEND_CALL_SECONDS, BACKEND_ERRORS

logger = logging.getLogger(__name__)

_P = ParamSpec("_P")
_R = TypeVar("_R")

# where "not found" means the domain or template is missing: a back end set up wrong
_SETUP_OPERATIONS = frozenset(
    {"CreateCase", "GetDomain", "GetTemplate", "ListFields", "ListFieldOptions"}
)

_BY_CODE: dict[str, type[BackendError]] = {
    "ThrottlingException": Throttled,
    "ValidationException": InvalidCase,
    # Customer Profiles' name for a rejected request
    "BadRequestException": InvalidCase,
    # Amazon Connect's (attached files)
    "InvalidRequestException": InvalidCase,
    "ResourceConflictException": Conflict,
    "ResourceNotFoundException": CaseNotFound,
    "ConflictException": Conflict,
    "AccessDeniedException": BackendUnavailable,
    "InternalServerException": BackendUnavailable,
    "ServiceQuotaExceededException": BackendUnavailable,
}


def translate(
    operation: str,
    exc: ClientError | BotoCoreError,
    not_found: type[BackendError] = CaseNotFound,
    *,
    service: str = "Connect Cases",
) -> BackendError:
    """The back-end error for ``exc``, raised by botocore during ``operation``.

    ``not_found`` replaces ``CaseNotFound`` for operations where a missing resource is the
    domain or template, i.e. a back end set up wrong rather than an unknown case. ``service``
    names the AWS service in logs and messages.
    """
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code", "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        request_id = exc.response.get("ResponseMetadata", {}).get("RequestId", "")
        logger.warning(
            "%s %s failed: %s (HTTP %s, request %s)", service, operation, code, status, request_id
        )
        kind = _BY_CODE.get(code) or (Throttled if status == 429 else BackendUnavailable)
        if kind is CaseNotFound:
            kind = not_found
        return kind(f"{service} {operation} failed: {code or status}")
    if isinstance(exc, ParamValidationError):
        return InvalidCase(f"{service} {operation}: the request does not fit the API")
    # connection refused, DNS, timeouts, missing credentials: nothing the user can change
    logger.warning("%s %s failed: %s", service, operation, type(exc).__name__)
    return BackendUnavailable(f"{service} {operation} failed: {type(exc).__name__}")


@contextmanager
def counted(
    operation: str, not_found: type[BackendError], *, service: str = "Connect Cases"
) -> Iterator[None]:
    """Time the call made inside, count its failure, and raise botocore's as a back-end error."""
    started = time.perf_counter()
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        error = translate(operation, exc, not_found, service=service)
        BACKEND_ERRORS.labels("connect", operation, type(error).__name__).inc()
        raise error from exc
    finally:
        BACKEND_CALL_SECONDS.labels("connect", operation).observe(time.perf_counter() - started)


async def call(operation: str, method: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
    """``method(*args, **kwargs)`` in a thread; botocore errors raised as back-end errors."""
    not_found = BackendUnavailable if operation in _SETUP_OPERATIONS else CaseNotFound
    with counted(operation, not_found):
        return await asyncio.to_thread(method, *args, **kwargs)
