"""The Connect Participant Service calls a customer's side makes, checked as AWS checks them.

CreateParticipantConnection takes the ParticipantToken StartChatContact gave; every other call
takes the ConnectionToken it answers. An unknown or expired token is AccessDeniedException, as
is any call but GetTranscript and GetAttachment once the participant has left or the chat has
ended.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from sandbox.aws.service import Call
from sandbox.connect_chat import protocol
from sandbox.connect_chat.attachments import Attachments
from sandbox.connect_chat.errors import AccessDeniedException, ValidationException
from sandbox.connect_chat.records import Participant, Speaker
from sandbox.connect_chat.store import ENDED, ChatStore
from sandbox.connect_chat.transcript import transcript_page

#: scheme and host the request reached the sandbox at; websocket URLs are made from it
ORIGIN: ContextVar[str] = ContextVar("connect_chat_origin", default="http://127.0.0.1:8081")
#: the same with the service's mount path; upload URLs are made from it
SERVICE_URL: ContextVar[str] = ContextVar(
    "connect_chat_service_url", default="http://127.0.0.1:8081/connectparticipant"
)
#: path of the participant websocket on the sandbox, followed by the socket key
SOCKET_PATH = "/connect-chat/ws"
_CONNECTION_TYPES = frozenset({"WEBSOCKET", "CONNECTION_CREDENTIALS"})


class ParticipantService:
    """Handlers of the participant service over one chat store."""

    def __init__(self, store: ChatStore, attachments: Attachments) -> None:
        self._store = store
        self._attachments = attachments

    def create_participant_connection(self, call: Call) -> dict[str, Any]:
        """CreateParticipantConnection: a websocket URL and/or the connection token."""
        params = call.params
        types = params.get("Type") or []
        if not types and not params.get("ConnectParticipant"):
            raise ValidationException("Type or ConnectParticipant must be given")
        unserved = sorted(set(types) - _CONNECTION_TYPES)
        if unserved:
            raise ValidationException(f"The sandbox serves no {', '.join(unserved)} connection")
        known = self._store.by_participant_token(params["ParticipantToken"])
        if known is None:
            raise AccessDeniedException("Access denied: the participant token is not valid")
        self._refuse_if_gone(known)
        connected = self._store.connect(params["ParticipantToken"])
        if connected is None:
            raise AccessDeniedException("Access denied: the participant token is not valid")
        participant, socket_key = connected
        answer: dict[str, Any] = {}
        if "WEBSOCKET" in types:
            origin = ORIGIN.get().replace("http", "ws", 1)
            answer["Websocket"] = {
                "Url": f"{origin}{SOCKET_PATH}/{socket_key}",
                "ConnectionExpiry": _expiry(protocol.WEBSOCKET_CONNECT_SECONDS),
            }
        if "CONNECTION_CREDENTIALS" in types:
            answer["ConnectionCredentials"] = {
                "ConnectionToken": participant.connection_token,
                "Expiry": _iso(participant.connection_expires or 0),
            }
        return answer

    def send_message(self, call: Call) -> dict[str, Any]:
        """SendMessage: one message of a content type the chat supports."""
        params = call.params
        participant = self._participant(params)
        chat = self._store.chat(participant.contact_id)
        content_type: str = params["ContentType"]
        if chat is None or content_type not in chat.content_types:
            raise ValidationException(f"The chat does not support {content_type} messages")
        content: str = params["Content"]
        if len(content.encode()) > protocol.MAX_CONTENT_BYTES:
            raise ValidationException("Content must be at most 16384 bytes")
        item = self._store.add_item(
            participant.contact_id,
            _speaker(participant),
            "MESSAGE",
            content_type,
            content,
            idempotency=_idempotency("SendMessage", params),
        )
        return {"Id": item.item_id, "AbsoluteTime": item.absolute_time}

    def send_event(self, call: Call) -> dict[str, Any]:
        """SendEvent: typing, or a receipt naming one of the chat's messages."""
        params = call.params
        participant = self._participant(params)
        content_type: str = params["ContentType"]
        if content_type not in protocol.SENDABLE_EVENTS:
            raise ValidationException(f"{content_type} is not an event participants send")
        content = params.get("Content")
        if content is not None and len(content.encode()) > protocol.MAX_CONTENT_BYTES:
            raise ValidationException("Content must be at most 16384 bytes")
        item = self._store.add_item(
            participant.contact_id,
            _speaker(participant),
            "EVENT",
            content_type,
            content,
            idempotency=_idempotency("SendEvent", params),
        )
        return {"Id": item.item_id, "AbsoluteTime": item.absolute_time}

    def get_transcript(self, call: Call) -> dict[str, Any]:
        """GetTranscript of the participant's own chat, paged."""
        params = call.params
        participant = self._participant(params, after_end=True)
        wanted = params.get("ContactId")
        if wanted is not None and wanted != participant.contact_id:
            raise AccessDeniedException("Access denied: the contact is not this participant's")
        page, next_token = transcript_page(
            self._store.transcript(participant.contact_id),
            {**params, "ContactId": participant.contact_id},
        )
        answer: dict[str, Any] = {
            "InitialContactId": participant.contact_id,
            "Transcript": [item.transcript_entry() for item in page],
        }
        if next_token:
            answer["NextToken"] = next_token
        return answer

    def disconnect_participant(self, call: Call) -> dict[str, Any]:
        """DisconnectParticipant: the customer leaves, which ends the chat."""
        participant = self._participant(call.params)
        self._store.leave(participant)
        return {}

    def start_attachment_upload(self, call: Call) -> dict[str, Any]:
        """StartAttachmentUpload."""
        participant = self._participant(call.params)
        return self._attachments.start(participant, call, SERVICE_URL.get())

    def complete_attachment_upload(self, call: Call) -> dict[str, Any]:
        """CompleteAttachmentUpload."""
        return self._attachments.complete(self._participant(call.params), call)

    def get_attachment(self, call: Call) -> dict[str, Any]:
        """GetAttachment, also once the chat has ended."""
        participant = self._participant(call.params, after_end=True)
        return self._attachments.get(participant, call, SERVICE_URL.get())

    def _participant(self, params: dict[str, Any], *, after_end: bool = False) -> Participant:
        participant = self._store.by_connection_token(params["ConnectionToken"])
        if participant is None:
            raise AccessDeniedException("Access denied: the connection token is not valid")
        if not after_end:
            self._refuse_if_gone(participant)
        return participant

    def _refuse_if_gone(self, participant: Participant) -> None:
        chat = self._store.chat(participant.contact_id)
        if participant.has_left or chat is None or chat.state == ENDED:
            raise AccessDeniedException("Access denied: the participant is no longer in the chat")


def _speaker(participant: Participant) -> Speaker:
    return Speaker(participant.participant_id, participant.display_name, participant.role)


def _idempotency(operation: str, params: dict[str, Any]) -> tuple[str, str] | None:
    token = params.get("ClientToken")
    return (operation, token) if token else None


def _expiry(seconds: int) -> str:
    return _iso(datetime.now(UTC).timestamp() + seconds)


def _iso(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
