"""A live chat with a person: StartChatContact on the Amazon Connect instance.

The action server starts the chat on the customer's behalf and hands the gateway, which owns the
customer's channel, what it needs to take part in it as the customer (``ChatStart``: contact,
participant and the participant's token). The chat's contact is linked to the case through
its ARN, which Amazon Connect does not answer with: it is the instance's ARN with
``/contact/<ContactId>``, and the instance lives in the partition, region and account of the
Connect Cases domain it is attached to (Connect Cases links no contact of another instance).

Errors are the back-end tree's. Any failure to start (the quota of active chats,
``LimitExceededException``; a throttled or failing service; a flow set up wrong) is
``ChatUnavailable``, so the action can tell the customer the truth at once instead of leaving
them waiting.

On AWS, ``CONNECT_INSTANCE_ID`` may be the instance's id or its ARN; StartChatContact takes either.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from cases.backend import (
    BackendError,
    BackendNotConfigured,
    BackendUnavailable,
)
from cases.connect.calls import counted
from cases.connect.domain import ArnPlace, CasesDomain
from cases.connect.factory import get_connect_client, get_instance_client
from cases.connect.settings import get_connect_settings

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from mypy_boto3_connect.client import ConnectClient
    from mypy_boto3_connect.type_defs import StartChatContactRequestTypeDef

__all__ = [
    "ChatStart",
    "ChatUnavailable",
    "ConnectChat",
    "fit_initial_message",
    "get_connect_chat",
]

#: what a chat message (and so InitialMessage) holds at most, in UTF-8 bytes
MESSAGE_MAX_BYTES = 16_384
#: ParticipantDetails.DisplayName's longest
DISPLAY_NAME_MAX = 256
#: a value of Attributes is kept this short: together they may hold 32,768 bytes
ATTRIBUTE_MAX_CHARS = 1_024
_SERVICE = "Amazon Connect"
_CUT = "(earlier messages are on the case)\n"


class ChatUnavailable(BackendUnavailable):
    """No chat can be started now: the flow's quota is reached or the service is failing."""


@dataclass(frozen=True)
class ChatStart:
    """A started chat: what the gateway needs to take part as the customer, and its ARN."""

    contact_id: str
    participant_id: str
    participant_token: str
    #: ``None`` when the instance's ARN cannot be known now: the chat goes on, unlinked
    contact_arn: str | None


class ConnectChat:
    """Starts chats on one Amazon Connect instance through one contact flow."""

    def __init__(
        self,
        client: ConnectClient,
        instance_id: str,
        flow_id: str,
        place: Callable[[], Awaitable[ArnPlace]],
    ) -> None:
        self._client = client
        self._instance_id = instance_id
        self._flow_id = flow_id
        self._place = place

    async def start(
        self,
        display_name: str,
        attributes: Mapping[str, str],
        transcript: str,
        idempotency_key: str,
    ) -> ChatStart:
        """Start a chat for the customer with the conversation so far as its first message.

        The same ``idempotency_key`` (ClientToken) answers with the same chat, so a retried
        handoff starts no second one.
        """
        request: StartChatContactRequestTypeDef = {
            "InstanceId": self._instance_id,
            "ContactFlowId": self._flow_id,
            "ParticipantDetails": {"DisplayName": _display_name(display_name)},
            "Attributes": {key: value[:ATTRIBUTE_MAX_CHARS] for key, value in attributes.items()},
            "SupportedMessagingContentTypes": ["text/plain"],
            # ClientToken is at most 500 characters; a digest keeps any key within it
            "ClientToken": hashlib.sha256(idempotency_key.encode()).hexdigest(),
        }
        initial = fit_initial_message(transcript)
        if initial:
            request["InitialMessage"] = {"ContentType": "text/plain", "Content": initial}
        try:
            with counted("StartChatContact", BackendUnavailable, service=_SERVICE):
                started = await asyncio.to_thread(self._client.start_chat_contact, **request)
        except BackendError as exc:
            # whether the quota is reached, the service fails or the flow is set up wrong, no
            # person can chat now: the customer is told so at once
            raise ChatUnavailable(str(exc)) from exc
        contact_id = started["ContactId"]
        instance_arn = await self._instance_arn()
        return ChatStart(
            contact_id=contact_id,
            participant_id=started["ParticipantId"],
            participant_token=started["ParticipantToken"],
            contact_arn=None if instance_arn is None else f"{instance_arn}/contact/{contact_id}",
        )

    async def _instance_arn(self) -> str | None:
        if self._instance_id.startswith("arn:"):
            return self._instance_id
        try:
            place = await self._place()
        except BackendError as exc:
            # the customer still reaches a person; only the link to the case is missed
            logger.warning("chat contact not linkable: the instance's ARN is not known: %s", exc)
            return None
        return (
            f"arn:{place.partition}:connect:{place.region}:{place.account}"
            f":instance/{self._instance_id}"
        )


def fit_initial_message(transcript: str, limit: int = MESSAGE_MAX_BYTES) -> str:
    """The latest whole lines of ``transcript`` that fit in one chat message.

    The agent reads the chat from the end; the whole conversation is on the case already.
    """
    if len(transcript.encode()) <= limit:
        return transcript
    room = limit - len(_CUT.encode())
    kept: list[str] = []
    for line in reversed(transcript.splitlines()):
        size = len(line.encode()) + 1
        if size > room:
            break
        kept.append(line)
        room -= size
    return _CUT + "\n".join(reversed(kept))


def _display_name(name: str) -> str:
    cleaned = " ".join(name.split())[:DISPLAY_NAME_MAX]
    return cleaned or "Customer"


@lru_cache(maxsize=1)
def get_connect_chat() -> ConnectChat:
    """The process's chat starter (``CONNECT_INSTANCE_ID``, ``CONNECT_CHAT_CONTACT_FLOW_ID``)."""
    settings = get_connect_settings()
    instance_id = settings.connect_instance_id
    flow_id = settings.connect_chat_contact_flow_id
    if not instance_id or not flow_id:
        raise BackendNotConfigured(
            "HANDOFF_MODE=connect_chat needs CONNECT_INSTANCE_ID and CONNECT_CHAT_CONTACT_FLOW_ID"
        )
    domain = CasesDomain(get_connect_client(), settings.connect_cases_domain_id or "")
    return ConnectChat(get_instance_client(), instance_id, flow_id, domain.place)
