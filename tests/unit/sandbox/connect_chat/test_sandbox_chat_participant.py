"""The participant service through the real boto3 ``connectparticipant`` client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator

from sandbox.aws.wire import constraint_errors
from sandbox.connect_chat import protocol
from tests.unit.sandbox.connect_chat.support import Chat


def fits(client: Any, operation: str, response: dict[str, Any]) -> None:
    body = {key: value for key, value in response.items() if key != "ResponseMetadata"}
    shape = client.meta.service_model.operation_model(operation).output_shape
    report = ParamValidator().validate(body, shape)
    assert not report.has_errors(), report.generate_report()
    assert list(constraint_errors(body, shape, "")) == []


def refusal(call: Callable[[], Any]) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def say(participant: Any, chat: Chat, text: str, **extra: Any) -> Any:
    return participant.send_message(
        ConnectionToken=chat.connection_token, ContentType="text/plain", Content=text, **extra
    )


def test_connection_answers_a_websocket_url_and_a_connection_token(
    connect: Any, participant: Any, chat_sandbox: Any
) -> None:
    started = connect.start_chat_contact(
        InstanceId="i", ContactFlowId="f", ParticipantDetails={"DisplayName": "Ada"}
    )
    connection = participant.create_participant_connection(
        ParticipantToken=started["ParticipantToken"], Type=["WEBSOCKET", "CONNECTION_CREDENTIALS"]
    )

    fits(participant, "CreateParticipantConnection", connection)
    host = chat_sandbox.url.removeprefix("http://")
    assert connection["Websocket"]["Url"].startswith(f"ws://{host}/connect-chat/ws/")
    assert connection["ConnectionCredentials"]["ConnectionToken"]
    only_token = participant.create_participant_connection(
        ParticipantToken=started["ParticipantToken"], Type=["CONNECTION_CREDENTIALS"]
    )
    assert "Websocket" not in only_token
    assert only_token["ConnectionCredentials"] == connection["ConnectionCredentials"]


def test_messages_and_events_are_in_order_in_the_transcript_and_typing_is_not(
    start_chat: Callable[..., Chat], participant: Any
) -> None:
    chat = start_chat(InitialMessage={"ContentType": "text/plain", "Content": "I need a person"})
    sent = say(participant, chat, "my router is broken")
    fits(participant, "SendMessage", sent)
    typing = participant.send_event(
        ConnectionToken=chat.connection_token, ContentType=protocol.TYPING
    )
    fits(participant, "SendEvent", typing)
    say(participant, chat, "still there?")

    answer = participant.get_transcript(
        ConnectionToken=chat.connection_token, SortOrder="ASCENDING"
    )

    fits(participant, "GetTranscript", answer)
    assert answer["InitialContactId"] == chat.contact_id
    assert [(item["Type"], item.get("Content")) for item in answer["Transcript"]] == [
        ("EVENT", None),
        ("MESSAGE", "I need a person"),
        ("MESSAGE", "my router is broken"),
        ("MESSAGE", "still there?"),
    ]
    assert answer["Transcript"][2]["Id"] == sent["Id"]
    assert {item["ParticipantId"] for item in answer["Transcript"]} == {chat.participant_id}
    assert {item["ParticipantRole"] for item in answer["Transcript"]} == {"CUSTOMER"}


def test_a_retried_message_with_its_client_token_is_sent_once(
    start_chat: Callable[..., Chat], participant: Any
) -> None:
    chat = start_chat()
    first = say(participant, chat, "hello", ClientToken="retry-1")
    again = say(participant, chat, "hello", ClientToken="retry-1")

    assert (again["Id"], again["AbsoluteTime"]) == (first["Id"], first["AbsoluteTime"])
    transcript = participant.get_transcript(ConnectionToken=chat.connection_token)["Transcript"]
    assert [item.get("Content") for item in transcript].count("hello") == 1


def test_transcript_pages_backward_from_the_newest_without_repeating_or_skipping(
    start_chat: Callable[..., Chat], participant: Any
) -> None:
    chat = start_chat()
    for number in range(7):
        say(participant, chat, f"m{number}")

    seen: list[str] = []
    pages = 0
    token: dict[str, str] = {}
    while True:
        page = participant.get_transcript(
            ConnectionToken=chat.connection_token, MaxResults=3, **token
        )
        contents = [item.get("Content", "joined") for item in page["Transcript"]]
        assert len(contents) <= 3
        if pages == 0:
            # the default: the newest first
            assert contents == ["m6", "m5", "m4"]
            say(participant, chat, "written while paging")
        seen.extend(contents)
        pages += 1
        if "NextToken" not in page:
            break
        token = {"NextToken": page["NextToken"]}

    assert seen == ["m6", "m5", "m4", "m3", "m2", "m1", "m0", "joined"]
    assert pages == 3


def test_transcript_forward_from_a_start_position_includes_it_and_what_follows(
    start_chat: Callable[..., Chat], participant: Any
) -> None:
    chat = start_chat()
    ids = [say(participant, chat, f"m{number}")["Id"] for number in range(4)]

    page = participant.get_transcript(
        ConnectionToken=chat.connection_token,
        StartPosition={"Id": ids[1]},
        SortOrder="ASCENDING",
        MaxResults=2,
    )

    assert [item["Content"] for item in page["Transcript"]] == ["m1", "m2"]
    rest = participant.get_transcript(
        ConnectionToken=chat.connection_token,
        StartPosition={"Id": ids[1]},
        SortOrder="ASCENDING",
        MaxResults=2,
        NextToken=page["NextToken"],
    )
    assert [item["Content"] for item in rest["Transcript"]] == ["m3"]
    assert "NextToken" not in rest


def test_content_over_16384_bytes_is_refused_though_under_16384_characters(
    start_chat: Callable[..., Chat], participant: Any
) -> None:
    chat = start_chat()

    assert refusal(lambda: say(participant, chat, "€" * 6000)) == ("ValidationException", 400)
    assert say(participant, chat, "€" * 5461)["Id"]


def test_markdown_is_taken_only_by_a_chat_that_supports_it(
    start_chat: Callable[..., Chat], participant: Any
) -> None:
    plain = start_chat()
    rich = start_chat(SupportedMessagingContentTypes=["text/plain", "text/markdown"])

    def markdown(chat: Chat) -> Any:
        return participant.send_message(
            ConnectionToken=chat.connection_token, ContentType="text/markdown", Content="**hi**"
        )

    assert refusal(lambda: markdown(plain)) == ("ValidationException", 400)
    assert markdown(rich)["Id"]


def test_an_event_participants_do_not_send_is_refused(
    start_chat: Callable[..., Chat], participant: Any
) -> None:
    chat = start_chat()

    assert refusal(
        lambda: participant.send_event(
            ConnectionToken=chat.connection_token, ContentType=protocol.ENDED
        )
    ) == ("ValidationException", 400)


def test_bad_tokens_are_refused_as_aws_refuses_them(
    start_chat: Callable[..., Chat], participant: Any, chat_sandbox: Any
) -> None:
    chat = start_chat()

    # a ConnectionToken is no ParticipantToken, and the other way round
    assert refusal(
        lambda: participant.create_participant_connection(
            ParticipantToken=chat.connection_token, Type=["CONNECTION_CREDENTIALS"]
        )
    ) == ("AccessDeniedException", 403)
    assert refusal(
        lambda: participant.send_message(
            ConnectionToken=chat.participant_token, ContentType="text/plain", Content="hi"
        )
    ) == ("AccessDeniedException", 403)
    assert refusal(lambda: participant.get_transcript(ConnectionToken="not-a-token")) == (
        "AccessDeniedException",
        403,
    )
    # the error type is in the header, as REST-JSON puts it, and no signature is asked for
    raw = httpx.post(
        f"{chat_sandbox.url}/connectparticipant/participant/transcript",
        headers={"X-Amz-Bearer": "not-a-token"},
        json={},
    )
    assert raw.status_code == 403
    assert raw.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert raw.json() == {"Message": "Access denied: the connection token is not valid"}
    unbearered = httpx.post(
        f"{chat_sandbox.url}/connectparticipant/participant/transcript", json={}
    )
    assert unbearered.status_code == 400
    assert unbearered.headers["x-amzn-ErrorType"] == "ValidationException"


def test_another_contacts_transcript_is_refused(
    start_chat: Callable[..., Chat], participant: Any
) -> None:
    mine, theirs = start_chat(), start_chat()

    assert refusal(
        lambda: participant.get_transcript(
            ConnectionToken=mine.connection_token, ContactId=theirs.contact_id
        )
    ) == ("AccessDeniedException", 403)


def test_after_disconnecting_the_customer_can_read_the_transcript_but_not_write(
    start_chat: Callable[..., Chat], participant: Any, agent: httpx.Client
) -> None:
    chat = start_chat()
    say(participant, chat, "bye")

    participant.disconnect_participant(ConnectionToken=chat.connection_token)

    assert refusal(lambda: say(participant, chat, "wait")) == ("AccessDeniedException", 403)
    assert refusal(
        lambda: participant.create_participant_connection(
            ParticipantToken=chat.participant_token, Type=["WEBSOCKET"]
        )
    ) == ("AccessDeniedException", 403)
    transcript = participant.get_transcript(
        ConnectionToken=chat.connection_token, SortOrder="ASCENDING"
    )["Transcript"]
    assert [item["ContentType"] for item in transcript][-2:] == [protocol.LEFT, protocol.ENDED]
    state = agent.get(f"/_sandbox/connect-chat/chats/{chat.contact_id}").json()["chat"]["state"]
    assert state == "ENDED"


def test_a_page_size_of_zero_reads_default_pages_that_end(
    start_chat: Callable[..., Chat], participant: Any
) -> None:
    chat = start_chat()
    for number in range(12):
        say(participant, chat, f"m{number}")

    sizes: list[int] = []
    token: dict[str, str] = {}
    while len(sizes) < 5:
        page = participant.get_transcript(
            ConnectionToken=chat.connection_token, MaxResults=0, **token
        )
        sizes.append(len(page["Transcript"]))
        if "NextToken" not in page:
            break
        token = {"NextToken": page["NextToken"]}

    assert sizes == [protocol.DEFAULT_TRANSCRIPT_PAGE, 13 - protocol.DEFAULT_TRANSCRIPT_PAGE]
