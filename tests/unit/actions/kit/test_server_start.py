"""At start the action server says whether the handoff queue can be used, not at a handoff."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from actions.kit import server
from cases.connect.backend import ConnectCasesBackend
from cases.connect.queues import QueueDirectory
from cases.template import load_template_spec
from tests.unit.sandbox.conftest import SEED_FILE, SandboxServer, make_settings

REPO = Path(__file__).resolve().parents[4]
SPEC = load_template_spec(REPO / "data" / "case_template.yaml")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    server = SandboxServer(make_settings(tmp_path_factory.mktemp("start") / "db.sqlite3")).start()
    yield server
    server.stop()


@pytest.fixture
def connect(sandbox: SandboxServer) -> ConnectCasesBackend:
    seed = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    instance = boto3.client(
        "connect",
        endpoint_url=f"{sandbox.url}/connect",
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
    )
    return ConnectCasesBackend(
        sandbox.client(),
        seed["domain"]["domainId"],
        seed["template"]["templateId"],
        spec=SPEC,
        queues=QueueDirectory(instance, "5e1c0a7d-3b2f-4c6e-9a8d-2f4b6c8e0a13"),
    )


async def test_a_queue_the_instance_has_is_fine_and_one_it_lacks_is_said_at_start(
    connect: ConnectCasesBackend, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    monkeypatch.setattr(server, "get_backend", lambda: connect)

    assert await server.check_queue_at_start("casebot-handoff")
    with caplog.at_level(logging.ERROR, logger="actions.kit.server"):
        assert not await server.check_queue_at_start("tier-3-nobody-made")

    [record] = caplog.records
    assert "HANDOFF_QUEUE 'tier-3-nobody-made' cannot be used" in record.getMessage()
    assert "has no queue named" in record.getMessage()


async def test_without_an_instance_a_queue_name_is_said_to_need_one(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    seed = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    bare = ConnectCasesBackend(
        sandbox.client(), seed["domain"]["domainId"], seed["template"]["templateId"], spec=SPEC
    )
    monkeypatch.setattr(server, "get_backend", lambda: bare)

    with caplog.at_level(logging.ERROR, logger="actions.kit.server"):
        assert not await server.check_queue_at_start("casebot-handoff")

    assert "needs CONNECT_INSTANCE_ID" in caplog.records[0].getMessage()
