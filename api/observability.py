"""Logs a machine can read and a privacy officer can accept, tied together by correlation ids.

Every request gets a correlation id (its ``X-Request-ID`` when the caller sent a sane one, else
a new one); it is answered in ``X-Request-ID``, stamped on every log line written while the
request is handled, and passed to Rasa (header and message metadata) so the action server's
lines carry it too. A message a webhook queues keeps its request's id: the worker makes it the
current one while it handles the message (see ``api.jobs.queue``). Log lines are JSON when
``LOG_FORMAT=json``. Phone numbers and email addresses are masked in every line unless
``LOG_REDACT_PII=false``; message texts are never logged by the gateway: a line names the
conversation and message ids instead.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.logsafe import RedactingFilter, redact

__all__ = ["ContextFilter", "CorrelationIdMiddleware", "JsonFormatter", "redact"]

CORRELATION_HEADER = "x-request-id"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def new_correlation_id() -> str:
    """A fresh correlation id."""
    return uuid.uuid4().hex


class CorrelationIdMiddleware:
    """Give every HTTP request and websocket a correlation id (pure ASGI, so streams work)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Set the id for the request, and answer it in ``X-Request-ID``."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = (
            dict(scope.get("headers") or []).get(CORRELATION_HEADER.encode(), b"").decode("latin-1")
        )
        value = given if _SANE_ID.match(given) else new_correlation_id()
        token = correlation_id.set(value)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                headers.append((CORRELATION_HEADER.encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            correlation_id.reset(token)


class ContextFilter(logging.Filter):
    """Stamp each record with the correlation id; mask secrets in it, and PII when asked to."""

    def __init__(self, redact_pii: bool = True) -> None:
        super().__init__()
        self.redact_pii = redact_pii

    def filter(self, record: logging.LogRecord) -> bool:
        """Add ``correlation_id``; replace the message by its masked rendering."""
        record.correlation_id = correlation_id.get()
        return RedactingFilter(pii=self.redact_pii).filter(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, correlation id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("correlation_id", "conversation_id", "message_id", "channel"):
            value = getattr(record, key, None)
            if value is not None:
                line[key] = value
        # the context filter leaves a traceback as masked ``exc_text``, and ``exc_info`` unset
        if record.exc_text:
            line["error"] = record.exc_text
        elif record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str = "INFO", fmt: str = "json", redact_pii: bool = True) -> None:
    """Route every logger (uvicorn's too) through one handler with the context filter."""
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter(redact_pii))
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn logs a request only while its access logger has a handler somewhere up the tree,
    # and ``--no-access-log`` leaves it none; letting it reach the root handler anyway would log
    # every request (a blocking write per request, whatever the level setting says)
    access = logging.getLogger("uvicorn.access")
    access_on = bool(access.handlers) or access.propagate
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        # uvicorn sets its own loggers to INFO; the gateway's level setting rules them too
        logger.setLevel(logging.NOTSET)
        logger.propagate = name != "uvicorn.access" or access_on
    # httpx logs every request it sends at INFO; the gateway's own records say what matters,
    # and a line per call to Rasa or a provider cost a tenth of the gateway's time under load
    quiet = logging.getLevelName(level.upper()) != logging.DEBUG
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING if quiet else logging.NOTSET)
