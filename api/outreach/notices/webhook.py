"""Notices about queued cases: the action server asks the gateway to tell the user.

A case the back end could not take at once waits in the action server's outbox; when it is
filed (or refused for good) the action server calls ``POST /internal/notices`` with
``Authorization: Bearer <INTERNAL_API_TOKEN>`` and ``{"conversation_id", "channel",
"event": "case_filed" | "case_rejected", "case_ref"?, "notice_id"?}``. The notice is queued
durably and answered 202 at once; the same ``notice_id`` (or, without one, the same
conversation, event and reference) is queued once, and a repeat is answered 202
``duplicate``. The conversation id's prefix (``webchat:``, ``whatsapp:``, ``twilio:``) names
the channel the words go out on; a conversation on a channel this gateway does not serve is
answered 404, which the action server takes as final. Unset ``INTERNAL_API_TOKEN`` and the
endpoint does not exist (404).

``"event": "verification_code"`` with ``"code"`` (six digits) and a ``notice_id`` sends a
one-time code to a ``whatsapp:<digits>`` conversation (the case's number, not necessarily a
conversation there is): fixed words whose only variable is the code, nothing else the body holds
(which is why no reference or other text is accepted with it). It is sent at once, not queued,
so the code is never kept here, and answered 200 ``sent``, or 502 when WhatsApp did not take it
(a code that comes late is no use: the customer asks again). The record says only that a code
was sent, to whom and how it went.
"""

from __future__ import annotations

import hmac
import logging
import re
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, model_validator

from api.deps import SettingsDep
from api.jobs.queue import traced
from api.outreach.notices.processor import split_conversation
from api.outreach.notices.runtime import NoticeRuntime
from api.outreach.records import Record

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/internal", tags=["internal"])

#: the intents the bot answers a notice with (gateway-only: a typed one does nothing)
INTENTS = {"case_filed": "case_filed", "case_rejected": "case_not_filed"}
#: the event that sends a one-time code, and the one channel codes go out on
CODE_EVENT = "verification_code"
CODE_CHANNEL = "whatsapp"
#: a WhatsApp id: an international number's digits, without its +
WA_ID = re.compile(r"[1-9][0-9]{5,14}")


class NoticeRequest(BaseModel):
    """What the action server asks to be told."""

    model_config = ConfigDict(extra="ignore")

    conversation_id: str = Field(min_length=3, max_length=300)
    #: the channel the case came from, as the action server knows it (informative)
    channel: str | None = Field(default=None, max_length=32)
    event: Literal["case_filed", "case_rejected", "verification_code"]
    case_ref: str | None = Field(default=None, min_length=1, max_length=64)
    notice_id: str | None = Field(default=None, min_length=1, max_length=128)
    #: the one-time code of a ``verification_code``: six ASCII digits (``\d`` would take any
    #: script's digits)
    code: str | None = Field(default=None, pattern=r"^[0-9]{6}$")

    @model_validator(mode="after")
    def _fields_fit_the_event(self) -> NoticeRequest:
        if self.event == "case_filed" and self.case_ref is None:
            raise ValueError("case_filed needs case_ref")
        if (self.event == CODE_EVENT) != (self.code is not None):
            raise ValueError("a code comes with verification_code, and only with it")
        if self.event == CODE_EVENT and (self.case_ref is not None or self.notice_id is None):
            raise ValueError("verification_code takes a notice_id and no case_ref")
        return self

    def key(self) -> str:
        """The notice's dedup key."""
        if self.notice_id is not None:
            return f"notice:{self.notice_id}:{self.event}"
        return f"notice:{self.conversation_id}:{self.event}:{self.case_ref or ''}"


def runtime_of(request: Request, settings: SettingsDep) -> NoticeRuntime:
    """The running notice machinery, or 404 when notices are not enabled."""
    runtime: NoticeRuntime | None = getattr(request.app.state, "notices", None)
    if settings.internal_api_token is None or runtime is None:
        raise HTTPException(status_code=404, detail="Not Found")
    return runtime


def require_token(
    request: Request,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    """404 when notices are off, 401 without the right token: both before the body is read."""
    runtime_of(request, settings)
    expected = settings.internal_api_token
    scheme, _, token = (authorization or "").partition(" ")
    if (
        expected is None
        or scheme.lower() != "bearer"
        or not hmac.compare_digest(token.strip().encode(), expected.get_secret_value().encode())
    ):
        logger.warning("Notice refused: missing or wrong internal token")
        raise HTTPException(
            status_code=401, detail="Invalid token.", headers={"WWW-Authenticate": "Bearer"}
        )


@router.post(
    "/notices",
    status_code=202,
    dependencies=[Depends(require_token)],
    # the body is read by hand, after the token check, so it is described here
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": NoticeRequest.model_json_schema()}},
        }
    },
)
async def post_notice(request: Request, settings: SettingsDep) -> JSONResponse:
    """Queue the notice for the conversation's channel."""
    runtime = runtime_of(request, settings)
    try:
        notice = NoticeRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        malformed = any(error["type"] == "json_invalid" for error in exc.errors())
        raise HTTPException(
            status_code=400 if malformed else 422,
            detail="Not JSON." if malformed else "Not a notice.",
        ) from None
    channel, address = split_conversation(notice.conversation_id)
    if notice.code is not None:
        return await send_code(runtime, notice, channel, address, notice.code)
    if channel not in runtime.channels or not address:
        logger.warning("Notice for a conversation on %r, a channel not served here", channel)
        raise HTTPException(status_code=404, detail="No channel here serves this conversation.")
    key = notice.key()
    entities: dict[str, JsonValue] = {"case_ref": notice.case_ref} if notice.case_ref else {}
    payload: dict[str, JsonValue] = {
        "conversation_id": notice.conversation_id,
        "intent": INTENTS[notice.event],
        "entities": entities,
    }
    if not await runtime.queue.enqueue(key, notice.conversation_id, traced(payload)):
        logger.info("Notice %s asked for again; already queued", notice.event)
        return JSONResponse({"status": "duplicate"}, status_code=202)
    await runtime.records.add(Record(key, notice.event, "accepted", case_ref=notice.case_ref))
    runtime.worker.wake()
    return JSONResponse({"status": "queued"}, status_code=202)


async def send_code(
    runtime: NoticeRuntime, notice: NoticeRequest, channel: str, address: str, code: str
) -> JSONResponse:
    """Send a one-time code to the WhatsApp id ``address`` now; once per ``notice_id``."""
    if runtime.codes is None or channel != CODE_CHANNEL:
        logger.warning("One-time code for a conversation on %r, where none is sent", channel)
        raise HTTPException(status_code=404, detail="No channel here sends codes there.")
    if not WA_ID.fullmatch(address):
        raise HTTPException(status_code=422, detail="Not a notice.")
    key = notice.key()
    if await runtime.records.add(Record(key, CODE_EVENT, "accepted", wa_id=address)) is not None:
        logger.info("One-time code asked for again; already handled")
        return JSONResponse({"status": "duplicate"}, status_code=202)
    sent = await runtime.codes.send(address, code)
    await runtime.records.finish(key, "sent" if sent else "failed")
    if not sent:
        return JSONResponse({"detail": "WhatsApp did not take the code."}, status_code=502)
    return JSONResponse({"status": "sent"}, status_code=200)
