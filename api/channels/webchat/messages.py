"""The webchat channel: the page's JSON messages in, replies in Rasa's REST shape out.

Anything the page sends as ``metadata`` reaches Rasa under ``metadata["client"]``, untrusted;
the channel, origin and role are the gateway's to set (see ``api.conversation``). A host site
that knows its user sends ``Authorization: Bearer <identity token>`` (see
``api.channels.webchat.identity``): the user's role and contact come from it, and their
conversations are kept apart from anonymous ones with the same sender id. Messages are limited
per conversation and per source address (see ``api.ratelimit``); over a limit the answer is 429
with ``Retry-After``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, NoReturn

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator
from starlette.datastructures import State

from api.channels.webchat.identity import (
    Identity,
    IdentityError,
    looks_signed_in,
    verify_identity_token,
)
from api.channels.webchat.inbox import inbox_of
from api.conversation import Inbound, converse
from api.deps import RasaDep, SettingsDep
from api.rasa import BotMessage
from api.ratelimit import limit_address, rate_limits_of
from api.settings import GatewaySettings

router = APIRouter(prefix="/webchat", tags=["webchat"])

# Also checked by the page's script before it reuses a stored id.
SENDER_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"


class WebchatMessage(BaseModel):
    """What the page (or any Rasa REST client) posts."""

    model_config = ConfigDict(extra="ignore")

    sender: str = Field(pattern=SENDER_PATTERN)
    message: str = Field(min_length=1)
    metadata: dict[str, JsonValue] = Field(default_factory=dict)

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("message must contain more than white space")
        return value


class WebchatButton(BaseModel):
    """A button the page shows; choosing it sends ``payload``."""

    title: str
    payload: str


class WebchatReply(BaseModel):
    """One bot message; keys without a value are left out."""

    text: str | None = None
    buttons: list[WebchatButton] | None = None
    image: str | None = None
    custom: JsonValue = None


def to_inbound(
    payload: WebchatMessage, settings: GatewaySettings, identity: Identity | None = None
) -> Inbound:
    """Turn the page's message into the gateway's neutral one, or refuse it as too long."""
    limit = settings.gateway_max_message_chars
    if len(payload.message) > limit:
        raise HTTPException(
            status_code=413,
            detail=f"Your message is too long ({len(payload.message):,} characters). "
            f"Please keep it under {limit:,} characters.",
        )
    check_metadata(payload.metadata, settings)
    if identity is None:
        if looks_signed_in(payload.sender):
            # without this, the id would name that user's conversation, with their identity in it
            reason = "sender ids of the form u<16 hex digits>:... are kept for signed-in users"
            raise RequestValidationError(
                [{"type": "value_error", "loc": ("body", "sender"), "msg": reason, "input": None}]
            )
        return Inbound(
            channel="webchat",
            sender=payload.sender,
            text=payload.message,
            origin="webchat",
            client_metadata=payload.metadata,
        )
    return Inbound(
        channel="webchat",
        # a known user's conversation is theirs alone: another browser reusing the sender id
        # without their token lands in a different conversation
        sender=f"u{identity.namespace}:{payload.sender}",
        text=payload.message,
        origin="webchat",
        role=identity.role,
        contact=identity.phone or identity.email,
        identity=identity.metadata(),
        client_metadata=payload.metadata,
    )


def check_metadata(metadata: dict[str, JsonValue], settings: GatewaySettings) -> None:
    """Refuse client metadata Rasa could not take (422) or that is larger than allowed (413)."""
    try:
        # what Rasa will be sent: infinities and lone surrogates have no JSON of their own
        encoded = json.dumps(
            metadata, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode()
    except ValueError:
        _invalid_metadata("metadata must be plain JSON (no infinities or lone surrogates)")
    if _depth(metadata) > settings.webchat_max_metadata_depth:
        _invalid_metadata(
            f"metadata may nest at most {settings.webchat_max_metadata_depth} levels deep"
        )
    if len(encoded) > settings.webchat_max_metadata_bytes:
        raise HTTPException(
            status_code=413,
            detail=f"The page sent too much information with your message "
            f"(at most {settings.webchat_max_metadata_bytes:,} bytes). Please reload the page.",
        )


def _invalid_metadata(reason: str) -> NoReturn:
    raise RequestValidationError(
        [{"type": "value_error", "loc": ("body", "metadata"), "msg": reason, "input": None}]
    )


def _depth(value: Any) -> int:
    """Levels of objects and lists: ``{}`` is 1, ``{"a": [1]}`` is 2, a scalar 0."""
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def identity_of(authorization: str | None, settings: GatewaySettings) -> Identity | None:
    """The user named by an ``Authorization: Bearer`` identity token; ``None`` when absent."""
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(status_code=401, detail="Authorization must be a Bearer token.")
    try:
        return verify_identity_token(token.strip(), settings)
    except IdentityError as exc:
        raise HTTPException(
            status_code=401,
            detail="Your sign-in has expired or is not valid. Please reload the page.",
            headers={"WWW-Authenticate": "Bearer"},
        ) from exc


def to_webchat_reply(messages: list[BotMessage]) -> list[WebchatReply]:
    """Turn the bot's messages into the page's."""
    return [WebchatReply.model_validate(message.model_dump()) for message in messages]


async def waiting_replies(state: State, conversation_id: str) -> list[WebchatReply]:
    """Notices kept for the conversation (see ``api.channels.webchat.inbox``), taken from the inbox.

    In a worker thread, like every SQLite call: a read on the event loop that meets a lock
    stalls every request of the process (webhook answers took seconds under load).
    """
    inbox = inbox_of(state)
    if inbox is None:
        return []
    return [WebchatReply.model_validate(r) for r in await inbox.take(conversation_id)]


class ErrorDetail(BaseModel):
    """An error answer: a sentence the page shows as is."""

    detail: str


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorDetail, "description": description}
    for status, description in (
        (401, "The identity token is missing its scheme, expired or not valid."),
        (413, "The body, the message or its metadata is too large."),
        (429, "Too many messages from this conversation or address; see Retry-After."),
        (502, "Rasa gave an answer that could not be used."),
        (503, "Rasa is not available; see Retry-After."),
    )
}


@router.post(
    "/messages",
    response_model_exclude_none=True,
    # counted before the body is validated, so invalid messages count against their address too
    dependencies=[Depends(limit_address)],
    responses=_ERRORS,
)
async def post_webchat_message(
    payload: WebchatMessage,
    request: Request,
    settings: SettingsDep,
    rasa: RasaDep,
    authorization: Annotated[str | None, Header()] = None,
) -> list[WebchatReply]:
    """Send the user's message to the assistant and return its replies."""
    identity = identity_of(authorization, settings)
    inbound = to_inbound(payload, settings, identity)
    await rate_limits_of(request).check_sender(inbound.conversation_id)
    replies = to_webchat_reply(await converse(rasa, inbound))
    # what the assistant said meanwhile comes first: it happened before this answer
    return await waiting_replies(request.app.state, inbound.conversation_id) + replies
