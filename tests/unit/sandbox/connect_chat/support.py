"""Helpers of the chat stand-in's tests: a sandbox serving websockets, clients, socket reading."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from websockets.sync.client import ClientConnection, connect

from sandbox.settings import SandboxSettings
from tests.unit.sandbox.conftest import SandboxServer

INSTANCE = "8d2f4a6c-1e3b-4c5d-9f7a-0b1c2d3e4f50"
FLOW = "0c9a8b7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d"


class ChatSandbox(SandboxServer):
    """The sandbox app on a free loopback port, websockets on (the shared fixture has them off)."""

    def __init__(self, db_path: Path) -> None:
        settings = SandboxSettings(db_path=db_path, seed_file=None, customer_profiles_domain=None)
        super().__init__(settings, ws="websockets-sansio")


def aws_client(service: str, url: str, **config: Any) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
        config=Config(retries={"max_attempts": 1}, **config),
    )


@dataclass(frozen=True)
class Chat:
    """A started chat and the customer's connection to it."""

    contact_id: str
    participant_id: str
    participant_token: str
    connection_token: str
    websocket_url: str


def subscribe(url: str) -> ClientConnection:
    """Open the participant websocket and subscribe to the chat, as the real client does."""
    socket = connect(url, open_timeout=5)
    socket.send(json.dumps({"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}}))
    answer = json.loads(socket.recv(timeout=5))
    assert answer == {
        "topic": "aws/subscribe",
        "content": {"status": "success", "topics": ["aws/chat"]},
    }
    return socket


def next_item(socket: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    """The next chat item the socket pushes (its ``content``, decoded)."""
    frame = json.loads(socket.recv(timeout=timeout))
    assert frame["topic"] == "aws/chat"
    assert frame["contentType"] == "application/json"
    item: dict[str, Any] = json.loads(frame["content"])
    return item
