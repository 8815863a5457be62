"""A sandbox serving websockets, real boto3 clients of Amazon Connect chat, a chat helper."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
import uvicorn
from botocore import UNSIGNED
from botocore.config import Config

from sandbox.app import create_app
from sandbox.settings import SandboxSettings

INSTANCE = "8d2f4a6c-1e3b-4c5d-9f7a-0b1c2d3e4f50"
FLOW = "0c9a8b7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d"


class ChatSandbox:
    """The sandbox app on a free loopback port, websockets on (the shared fixture has them off)."""

    def __init__(self, db_path: Path) -> None:
        settings = SandboxSettings(db_path=db_path, seed_file=None, customer_profiles_domain=None)
        config = uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=0,
            ws="websockets-sansio",
            lifespan="on",
            log_config=None,
            log_level="warning",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self.url = ""

    def start(self) -> ChatSandbox:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def aws_client(service: str, url: str, **config: Any) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
        config=Config(retries={"max_attempts": 1}, **config),
    )


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


@dataclass(frozen=True)
class Chat:
    """A started chat and the customer's connection to it."""

    contact_id: str
    participant_id: str
    participant_token: str
    connection_token: str
    websocket_url: str


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
