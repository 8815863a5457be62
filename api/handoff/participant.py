"""The customer's side of an Amazon Connect chat: the Connect Participant Service over boto3.

Each call runs in a worker thread (boto3 blocks) and carries its token in ``X-Amz-Bearer``, as
AWS authenticates the participant service (no signature: the client is built ``UNSIGNED``).
CreateParticipantConnection takes the ParticipantToken StartChatContact gave; the other calls
take the ConnectionToken it answers, which lasts a day and survives a new connection.

Exception tree::

    ParticipantError        the service failed or could not be reached; worth trying again
    ├── ChatGone            the chat has ended or the customer has left it (AccessDenied)
    └── RequestRefused      the request itself is refused (ValidationException): a file of a
                            type or size chat does not take, say; the same again fails again
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import boto3
import httpx
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from api.handoff.files import SharedFile

_P = ParamSpec("_P")
_R = TypeVar("_R")

#: what one chat message holds at most, in UTF-8 bytes
MESSAGE_MAX_BYTES = 16_384
#: GetTranscript's largest page
_PAGE = 100
#: participant calls under way at once (and HTTP connections kept to the service)
CALL_THREADS = 32
_PLAIN = "text/plain"


class ParticipantError(Exception):
    """The participant service failed or could not be reached."""


class ChatGone(ParticipantError):
    """The chat has ended, or the customer has left it: nothing more can be sent."""


class RequestRefused(ParticipantError):
    """The service refuses the request as it is (ValidationException)."""


@dataclass(frozen=True)
class Connection:
    """A participant connection: the websocket to open (within 100 s) and the token to call with."""

    websocket_url: str
    connection_token: str


@dataclass(frozen=True)
class ChatItem:
    """One transcript item: a message or an event, as GetTranscript and the websocket spell it."""

    item_id: str
    kind: str
    content_type: str
    content: str
    role: str
    display_name: str

    @classmethod
    def of(cls, item: dict[str, Any]) -> ChatItem:
        """The item from its JSON (``Id``, ``Type``, ``ContentType``, ``Content``...)."""
        return cls(
            item_id=str(item.get("Id") or ""),
            kind=str(item.get("Type") or ""),
            content_type=str(item.get("ContentType") or ""),
            content=str(item.get("Content") or ""),
            role=str(item.get("ParticipantRole") or ""),
            display_name=str(item.get("DisplayName") or ""),
        )


class ParticipantClient:
    """The participant calls a customer makes, for any chat (each call names its token)."""

    def __init__(self, client: Any, threads: int = CALL_THREADS) -> None:
        # a boto3 ``connectparticipant`` client; no type stubs of it are installed
        self._client = client
        # the calls wait on the network: in threads of their own, so the default executor
        # (the stores' quick SQLite work) never queues behind fifty chats' SendMessage
        self._threads = ThreadPoolExecutor(threads, thread_name_prefix="connectparticipant")

    async def _call(self, method: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self._threads, functools.partial(method, *args, **kwargs)
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "AccessDeniedException":
                raise ChatGone(f"the chat refused the customer: {code}") from exc
            if code == "ValidationException":
                raise RequestRefused(f"the participant service refused: {code}") from exc
            raise ParticipantError(f"the participant service failed: {code}") from exc
        except BotoCoreError as exc:
            name = type(exc).__name__
            raise ParticipantError(f"the participant service failed: {name}") from exc

    def close(self) -> None:
        """Let the call threads go (calls under way finish first)."""
        self._threads.shutdown(wait=False)

    async def connect(self, participant_token: str) -> Connection:
        """A new connection for the customer: a websocket URL and the connection token."""
        answer = await self._call(
            self._client.create_participant_connection,
            ParticipantToken=participant_token,
            Type=["WEBSOCKET", "CONNECTION_CREDENTIALS"],
            ConnectParticipant=True,
        )
        return Connection(
            websocket_url=answer["Websocket"]["Url"],
            connection_token=answer["ConnectionCredentials"]["ConnectionToken"],
        )

    async def send(
        self, connection_token: str, text: str, message_id: str | None = None
    ) -> list[str]:
        """Send ``text`` as the customer, in as many messages as it needs; their ids.

        With ``message_id`` (the provider's id of the customer's message) each part carries a
        ClientToken made from it, so sending the same message again adds nothing to the chat;
        without, botocore makes a fresh token for every call.
        """
        ids = []
        for index, part in enumerate(message_parts(text)):
            request = {"ConnectionToken": connection_token, "ContentType": _PLAIN, "Content": part}
            if message_id is not None:
                request["ClientToken"] = client_token(message_id, index)
            answer = await self._call(self._client.send_message, **request)
            ids.append(answer["Id"])
        return ids

    async def send_event(self, connection_token: str, content_type: str) -> None:
        """Send an event (typing, say) as the customer."""
        await self._call(
            self._client.send_event, ConnectionToken=connection_token, ContentType=content_type
        )

    async def attach(
        self, connection_token: str, file: SharedFile, message_id: str | None, index: int
    ) -> None:
        """Send a file the customer shared as an attachment of the chat.

        StartAttachmentUpload, a PUT of the bytes with exactly the headers handed out, then
        CompleteAttachmentUpload; with ``message_id`` the tokens come from it, so a message
        handled again adds no second file (the same upload is started, sent and completed).
        """
        if file.path is None:
            raise RequestRefused("the file was not kept")
        path = file.path
        data = await asyncio.get_running_loop().run_in_executor(self._threads, path.read_bytes)
        seed = f"{message_id or uuid.uuid4()}:file:{index}"
        started = await self._call(
            self._client.start_attachment_upload,
            ContentType=file.mime_type,
            AttachmentSizeInBytes=len(data),
            AttachmentName=file.name,
            ClientToken=client_token(seed, 0),
            ConnectionToken=connection_token,
        )
        upload = started["UploadMetadata"]
        await asyncio.get_running_loop().run_in_executor(
            self._threads, _upload, upload["Url"], dict(upload["HeadersToInclude"]), data
        )
        await self._call(
            self._client.complete_attachment_upload,
            AttachmentIds=[started["AttachmentId"]],
            ClientToken=client_token(seed, 1),
            ConnectionToken=connection_token,
        )

    async def transcript_after(self, connection_token: str, item_id: str | None) -> list[ChatItem]:
        """The items after ``item_id`` (all of them when ``None``), oldest first."""
        request: dict[str, Any] = {
            "ConnectionToken": connection_token,
            "ScanDirection": "FORWARD",
            "SortOrder": "ASCENDING",
            "MaxResults": _PAGE,
        }
        if item_id is not None:
            # the scan starts at the item itself
            request["StartPosition"] = {"Id": item_id}
        items: list[ChatItem] = []
        while True:
            page = await self._call(self._client.get_transcript, **request)
            items.extend(ChatItem.of(dict(item)) for item in page.get("Transcript", []))
            token = page.get("NextToken")
            if not token:
                return [item for item in items if item.item_id != item_id]
            request["NextToken"] = token

    async def disconnect(self, connection_token: str) -> None:
        """The customer leaves the chat; leaving one that is over already is no error."""
        try:
            await self._call(self._client.disconnect_participant, ConnectionToken=connection_token)
        except ChatGone:
            pass


def participant_client(endpoint_url: str | None, region: str | None = None) -> Any:
    """A boto3 ``connectparticipant`` client that signs nothing (the token is the credential)."""
    return boto3.client(
        "connectparticipant",
        endpoint_url=endpoint_url,
        region_name=region,
        config=Config(
            signature_version=UNSIGNED,
            retries={"mode": "standard", "max_attempts": 3},
            max_pool_connections=CALL_THREADS,
        ),
    )


def _upload(url: str, headers: dict[str, str], data: bytes) -> None:
    try:
        answer = httpx.put(url, content=data, headers=headers, timeout=60)
    except httpx.HTTPError as exc:
        raise ParticipantError(f"the upload failed: {type(exc).__name__}") from exc
    # a repeated upload of a file already completed is refused; completing it again is not
    if answer.status_code >= 500:
        raise ParticipantError(f"the upload failed: {answer.status_code}")


def client_token(message_id: str, part: int) -> str:
    """The idempotency token of one part of a message: fixed length, whatever the id's."""
    digest = hashlib.sha256(message_id.encode()).hexdigest()[:48]
    return f"{digest}-{part}"


def message_parts(text: str, limit: int = MESSAGE_MAX_BYTES) -> Iterator[str]:
    """``text`` in pieces of at most ``limit`` UTF-8 bytes, cut between characters."""
    data = text.encode()
    start = 0
    while start < len(data):
        end = min(start + limit, len(data))
        # back off to the start of a character: continuation bytes are 0b10xxxxxx
        while end < len(data) and data[end] & 0xC0 == 0x80:
            end -= 1
        yield data[start:end].decode()
        start = end
