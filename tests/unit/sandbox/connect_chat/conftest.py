"""A sandbox serving websockets, real boto3 clients of Amazon Connect chat, a chat helper."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from botocore import UNSIGNED

from tests.unit.sandbox.connect_chat.support import FLOW, INSTANCE, Chat, ChatSandbox, aws_client


@pytest.fixture(scope="session")
def chat_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatSandbox]:
    server = ChatSandbox(tmp_path_factory.mktemp("chat") / "sandbox.sqlite3").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def connect(chat_sandbox: ChatSandbox) -> Any:
    return aws_client("connect", f"{chat_sandbox.url}/connect")


@pytest.fixture(scope="session")
def unvalidated_connect(chat_sandbox: ChatSandbox) -> Any:
    """Sends what it is given, so the stand-in's own checks are what answer."""
    return aws_client("connect", f"{chat_sandbox.url}/connect", parameter_validation=False)


@pytest.fixture(scope="session")
def participant(chat_sandbox: ChatSandbox) -> Any:
    # the participant service authenticates by bearer token: the client signs nothing
    return aws_client(
        "connectparticipant", f"{chat_sandbox.url}/connectparticipant", signature_version=UNSIGNED
    )


@pytest.fixture
def agent(chat_sandbox: ChatSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=chat_sandbox.url, timeout=10) as client:
        yield client


@pytest.fixture
def start_chat(connect: Any, participant: Any) -> Callable[..., Chat]:
    """Start a chat as the action server would and connect the customer as the gateway would."""

    def start(flow: str = FLOW, **extra: Any) -> Chat:
        started = connect.start_chat_contact(
            InstanceId=INSTANCE,
            ContactFlowId=flow,
            ParticipantDetails={"DisplayName": extra.pop("name", "Ada")},
            Attributes=extra.pop("attributes", {"caseReference": "12345678", "channel": "webchat"}),
            **extra,
        )
        connection = participant.create_participant_connection(
            ParticipantToken=started["ParticipantToken"],
            Type=["WEBSOCKET", "CONNECTION_CREDENTIALS"],
        )
        return Chat(
            contact_id=started["ContactId"],
            participant_id=started["ParticipantId"],
            participant_token=started["ParticipantToken"],
            connection_token=connection["ConnectionCredentials"]["ConnectionToken"],
            websocket_url=connection["Websocket"]["Url"],
        )

    return start


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:12]
