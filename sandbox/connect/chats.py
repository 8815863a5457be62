"""StartChatContact: a chat for a customer, queued by its contact flow for an agent.

Any instance id names an instance and any ContactFlowId names a flow that queues the chat,
except the two the chat stand-in's ``protocol`` reserves: a flow that says it is closed and
ends the chat, and one refused with LimitExceededException. The chat and its items live in the
chat stand-in's tables (``sandbox.connect_chat``), where the participant service finds them.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.aws.service import Call
from sandbox.connect.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from sandbox.connect_chat import protocol
from sandbox.connect_chat.store import ChatStore

_ATTRIBUTE_KEY = re.compile(r"[A-Za-z0-9_-]+")
#: members of the model whose features the stand-in does not have; refused rather than ignored
_UNSERVED = (
    "PersistentChat",
    "RelatedContactId",
    "ChatStreamingConfiguration",
    "ConnectionTypes",
    "SegmentAttributes",
)


class ChatContacts:
    """The StartChatContact handler over the chat stand-in's store."""

    def __init__(self, store: ChatStore) -> None:
        self._store = store

    def start_chat_contact(self, call: Call) -> dict[str, Any]:
        """StartChatContact."""
        params = call.params
        unserved = [name for name in _UNSERVED if params.get(name) is not None]
        if unserved:
            raise InvalidParameterException(f"The sandbox does not serve {', '.join(unserved)}")
        flow_id: str = params["ContactFlowId"]
        if not flow_id:
            raise ResourceNotFoundException("Contact flow not found")
        if flow_id == protocol.FULL_FLOW_ID:
            raise LimitExceededException("The quota of concurrent active chats is reached")
        attributes: dict[str, str] = params.get("Attributes") or {}
        _check_attributes(attributes)
        content_types = list(
            dict.fromkeys(params.get("SupportedMessagingContentTypes") or [protocol.PLAIN])
        )
        _check_content_types(content_types)
        initial = params.get("InitialMessage")
        if initial is not None:
            if initial["ContentType"] not in content_types:
                raise InvalidParameterException(
                    "InitialMessage.ContentType must be one of SupportedMessagingContentTypes"
                )
            if len(initial["Content"].encode()) > protocol.MAX_CONTENT_BYTES:
                raise InvalidParameterException("InitialMessage.Content is over 16384 bytes")
        return self._store.start_chat(
            instance_id=params["InstanceId"],
            flow_id=flow_id,
            display_name=params["ParticipantDetails"]["DisplayName"],
            attributes=attributes,
            content_types=content_types,
            initial=None if initial is None else (initial["ContentType"], initial["Content"]),
            client_token=params.get("ClientToken"),
            closed=flow_id == protocol.CLOSED_FLOW_ID,
        )


def _check_attributes(attributes: dict[str, str]) -> None:
    size = 0
    for key, value in attributes.items():
        if not _ATTRIBUTE_KEY.fullmatch(key):
            raise InvalidParameterException(
                "Attribute keys can include only alphanumeric, dash, and underscore characters"
            )
        size += len(key.encode()) + len(value.encode())
    if size > protocol.MAX_ATTRIBUTE_BYTES:
        raise InvalidParameterException("Attributes are over 32768 UTF-8 bytes in all")


def _check_content_types(content_types: list[str]) -> None:
    if protocol.PLAIN not in content_types:
        raise InvalidParameterException("SupportedMessagingContentTypes must contain text/plain")
    unknown = sorted(set(content_types) - protocol.MESSAGE_TYPES)
    if unknown:
        raise InvalidParameterException(f"Unsupported messaging content types: {unknown}")
