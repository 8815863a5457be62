"""StartChatContact on the Amazon Connect stand-in, through the real boto3 ``connect`` client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator

from sandbox.aws.wire import constraint_errors
from sandbox.connect_chat import protocol
from tests.unit.sandbox.connect_chat.support import FLOW, INSTANCE, Chat


def start(client: Any, **params: Any) -> Any:
    base: dict[str, Any] = {
        "InstanceId": INSTANCE,
        "ContactFlowId": FLOW,
        "ParticipantDetails": {"DisplayName": "Ada"},
    }
    return client.start_chat_contact(**{**base, **params})


def error_code(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    code: str = caught.value.response["Error"]["Code"]
    return code


def test_answer_fits_the_model_and_names_the_contact_participant_and_token(connect: Any) -> None:
    started = start(
        connect,
        Attributes={"caseReference": "12345678", "channel": "whatsapp"},
        InitialMessage={"ContentType": "text/plain", "Content": "I need a person"},
    )

    body = {key: value for key, value in started.items() if key != "ResponseMetadata"}
    shape = connect.meta.service_model.operation_model("StartChatContact").output_shape
    assert not ParamValidator().validate(body, shape).has_errors()
    assert list(constraint_errors(body, shape, "")) == []
    assert set(body) == {"ContactId", "ParticipantId", "ParticipantToken"}


def test_the_same_client_token_starts_one_chat(
    connect: Any, agent: httpx.Client, unique: str
) -> None:
    first = start(connect, ClientToken=unique)
    again = start(connect, ClientToken=unique)
    other = start(connect, ClientToken=unique + "-other")

    assert again["ContactId"] == first["ContactId"]
    assert again["ParticipantToken"] == first["ParticipantToken"]
    assert other["ContactId"] != first["ContactId"]
    waiting = agent.get("/_sandbox/connect-chat/chats", params={"state": "WAITING"}).json()
    ids = [chat["contactId"] for chat in waiting["chats"]]
    assert ids.count(first["ContactId"]) == 1


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"Attributes": {"case reference": "1"}}, "InvalidParameterException"),
        ({"Attributes": {"caseRef": "é" * 16384}}, "InvalidParameterException"),
        ({"SupportedMessagingContentTypes": ["text/markdown"]}, "InvalidParameterException"),
        (
            {"SupportedMessagingContentTypes": ["text/plain", "image/png"]},
            "InvalidParameterException",
        ),
        (
            {"InitialMessage": {"ContentType": "text/markdown", "Content": "**hi**"}},
            "InvalidParameterException",
        ),
        (
            {"InitialMessage": {"ContentType": "text/plain", "Content": "€" * 6000}},
            "InvalidParameterException",
        ),
        ({"ParticipantDetails": {"DisplayName": "x" * 257}}, "InvalidRequestException"),
        ({"ParticipantDetails": {}}, "InvalidRequestException"),
        ({"ChatDurationInMinutes": 30}, "InvalidRequestException"),
        ({"ContactFlowId": ""}, "ResourceNotFoundException"),
        ({"PersistentChat": {"SourceContactId": "abc"}}, "InvalidParameterException"),
    ],
)
def test_what_amazon_connect_refuses_is_refused(
    unvalidated_connect: Any, params: dict[str, Any], code: str
) -> None:
    assert error_code(lambda: start(unvalidated_connect, **params)) == code


def test_attributes_just_within_the_byte_limit_are_taken(connect: Any) -> None:
    # 32,768 bytes in keys and values together is the limit itself
    started = start(connect, Attributes={"k": "v" * (protocol.MAX_ATTRIBUTE_BYTES - 1)})

    assert started["ContactId"]


def test_a_full_queue_is_refused_as_the_quota_of_active_chats_refuses(
    connect: Any, chat_sandbox: Any
) -> None:
    with pytest.raises(ClientError) as caught:
        start(connect, ContactFlowId=protocol.FULL_FLOW_ID)

    response = caught.value.response
    assert response["Error"]["Code"] == "LimitExceededException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_a_closed_flow_says_so_once_the_customer_is_connected_and_ends_the_chat(
    start_chat: Callable[..., Chat], participant: Any, agent: httpx.Client
) -> None:
    chat = start_chat(flow=protocol.CLOSED_FLOW_ID)

    transcript = participant.get_transcript(
        ConnectionToken=chat.connection_token, SortOrder="ASCENDING"
    )["Transcript"]
    assert [(item["ParticipantRole"], item["ContentType"]) for item in transcript][-2:] == [
        ("SYSTEM", "text/plain"),
        ("SYSTEM", protocol.ENDED),
    ]
    assert transcript[-2]["Content"] == protocol.CLOSED_MESSAGE
    waiting = agent.get("/_sandbox/connect-chat/chats", params={"state": "WAITING"}).json()
    assert chat.contact_id not in [item["contactId"] for item in waiting["chats"]]
    with pytest.raises(ClientError) as caught:
        participant.send_message(
            ConnectionToken=chat.connection_token, ContentType="text/plain", Content="hello?"
        )
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
