"""Files a customer sends in a chat, through the real ``connectparticipant`` client and httpx."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator

from sandbox.aws.wire import constraint_errors
from sandbox.connect_chat.attachments import MAX_BYTES
from tests.unit.sandbox.connect_chat.support import Chat, next_item, subscribe

PDF = b"%PDF-1.4 receipt"


def fits(client: Any, operation: str, response: dict[str, Any]) -> None:
    body = {key: value for key, value in response.items() if key != "ResponseMetadata"}
    shape = client.meta.service_model.operation_model(operation).output_shape
    assert not ParamValidator().validate(body, shape).has_errors()
    assert list(constraint_errors(body, shape, "")) == []


def start_upload(participant: Any, chat: Chat, token: str = "file-1", **extra: Any) -> Any:
    params: dict[str, Any] = {
        "ContentType": "application/pdf",
        "AttachmentSizeInBytes": len(PDF),
        "AttachmentName": "receipt.pdf",
        "ClientToken": token,
        **extra,
    }
    return participant.start_attachment_upload(ConnectionToken=chat.connection_token, **params)


def refused(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    code: str = caught.value.response["Error"]["Code"]
    return code


def test_an_uploaded_file_becomes_an_attachment_item_and_downloads_as_sent(
    start_chat: Callable[..., Chat], participant: Any
) -> None:
    chat = start_chat()
    started = start_upload(participant, chat)
    fits(participant, "StartAttachmentUpload", started)
    upload = started["UploadMetadata"]

    put = httpx.put(upload["Url"], content=PDF, headers=upload["HeadersToInclude"])
    assert put.status_code == 200
    with subscribe(chat.websocket_url) as socket:
        for _ in range(2):
            # a retried completion adds nothing
            participant.complete_attachment_upload(
                ConnectionToken=chat.connection_token,
                AttachmentIds=[started["AttachmentId"]],
                ClientToken="done-1",
            )
        pushed = next_item(socket)

    file = {
        "ContentType": "application/pdf",
        "AttachmentId": started["AttachmentId"],
        "AttachmentName": "receipt.pdf",
        "Status": "APPROVED",
    }
    assert (pushed["Type"], pushed["Attachments"]) == ("ATTACHMENT", [file])
    transcript = participant.get_transcript(ConnectionToken=chat.connection_token)
    fits(participant, "GetTranscript", transcript)
    assert [item for item in transcript["Transcript"] if item["Type"] == "ATTACHMENT"] == [
        {key: value for key, value in pushed.items() if key != "InitialContactId"}
    ]
    link = participant.get_attachment(
        ConnectionToken=chat.connection_token, AttachmentId=started["AttachmentId"]
    )
    fits(participant, "GetAttachment", link)
    assert link["AttachmentSizeInBytes"] == len(PDF)
    assert httpx.get(link["Url"]).content == PDF


def test_the_same_client_token_announces_one_attachment(
    start_chat: Callable[..., Chat], participant: Any
) -> None:
    chat = start_chat()

    first, again = start_upload(participant, chat), start_upload(participant, chat)

    assert again["AttachmentId"] == first["AttachmentId"]
    assert start_upload(participant, chat, token="file-2")["AttachmentId"] != first["AttachmentId"]


def test_a_type_or_size_chat_does_not_take_is_refused(
    start_chat: Callable[..., Chat], participant: Any
) -> None:
    chat = start_chat()

    assert (
        refused(lambda: start_upload(participant, chat, ContentType="application/x-msdownload"))
        == "ValidationException"
    )
    assert (
        refused(lambda: start_upload(participant, chat, AttachmentSizeInBytes=MAX_BYTES + 1))
        == "ValidationException"
    )


def test_an_upload_without_the_handed_out_headers_or_bytes_is_refused_and_cannot_complete(
    start_chat: Callable[..., Chat], participant: Any
) -> None:
    chat = start_chat()
    started = start_upload(participant, chat)
    url = started["UploadMetadata"]["Url"]
    headers = started["UploadMetadata"]["HeadersToInclude"]

    assert httpx.put(url, content=PDF).status_code == 403
    assert httpx.put(url, content=PDF + b"more", headers=headers).status_code == 400
    assert (
        httpx.put(url.split("?")[0] + "?key=guess", content=PDF, headers=headers).status_code == 403
    )
    assert (
        refused(
            lambda: participant.complete_attachment_upload(
                ConnectionToken=chat.connection_token,
                AttachmentIds=[started["AttachmentId"]],
                ClientToken="done-early",
            )
        )
        == "ConflictException"
    )
    assert (
        refused(
            lambda: participant.get_attachment(
                ConnectionToken=chat.connection_token, AttachmentId=started["AttachmentId"]
            )
        )
        == "ValidationException"
    )


def test_another_chats_attachment_cannot_be_read(
    start_chat: Callable[..., Chat], participant: Any
) -> None:
    mine, theirs = start_chat(), start_chat()
    started = start_upload(participant, theirs)
    upload = started["UploadMetadata"]
    httpx.put(upload["Url"], content=PDF, headers=upload["HeadersToInclude"]).raise_for_status()
    participant.complete_attachment_upload(
        ConnectionToken=theirs.connection_token,
        AttachmentIds=[started["AttachmentId"]],
        ClientToken="theirs",
    )

    assert (
        refused(
            lambda: participant.get_attachment(
                ConnectionToken=mine.connection_token, AttachmentId=started["AttachmentId"]
            )
        )
        == "ValidationException"
    )
