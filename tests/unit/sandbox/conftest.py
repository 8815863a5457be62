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
import yaml
from botocore.config import Config
from botocore.validate import ParamValidator

from sandbox.app import create_app
from sandbox.aws.wire import constraint_errors
from sandbox.settings import SandboxSettings

REPO = Path(__file__).resolve().parents[3]
SEED_FILE = REPO / "data" / "connect_cases" / "domain.yaml"


class SandboxServer:
    """The sandbox app served by uvicorn on a free loopback port, in a background thread."""

    def __init__(self, settings: SandboxSettings, ws: str = "none") -> None:
        config = uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=0,
            ws=ws,
            lifespan="on",
            log_config=None,
            log_level="warning",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self.url = ""

    def start(self) -> SandboxServer:
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

    def client(self, **config: Any) -> Any:
        return cases_client(self.url, **config)


def cases_client(base_url: str, **config: Any) -> Any:
    return boto3.client(
        "connectcases",
        endpoint_url=f"{base_url}/connectcases",
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
        config=Config(retries={"max_attempts": 1}, **config),
    )


def make_settings(db_path: Path, seed_file: Path | None = SEED_FILE) -> SandboxSettings:
    return SandboxSettings(db_path=db_path, seed_file=seed_file, aws_account_id="123456789012")


@pytest.fixture(scope="session")
def sandbox_settings() -> Callable[..., SandboxSettings]:
    """Settings for a sandbox on a given database file (and seed file)."""
    return make_settings


@dataclass(frozen=True)
class DomainIds:
    """Ids from the seed file, by the names tests use."""

    domain: str
    template: str
    layout: str
    description: str
    contact: str
    priority: str
    origin: str


@pytest.fixture(scope="session")
def ids() -> DomainIds:
    spec = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    custom = {field["name"]: field["fieldId"] for field in spec["custom_fields"]}
    return DomainIds(
        domain=spec["domain"]["domainId"],
        template=spec["template"]["templateId"],
        layout=spec["layout"]["layoutId"],
        description=custom["Description"],
        contact=custom["Contact"],
        priority=custom["Priority"],
        origin=custom["Origin"],
    )


@pytest.fixture(scope="session")
def start_sandbox() -> Iterator[Callable[[SandboxSettings], SandboxServer]]:
    """Start sandboxes with given settings; every one is stopped at the end."""
    servers: list[SandboxServer] = []

    def start(settings: SandboxSettings) -> SandboxServer:
        server = SandboxServer(settings).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def sandbox(
    tmp_path_factory: pytest.TempPathFactory,
    start_sandbox: Callable[[SandboxSettings], SandboxServer],
) -> SandboxServer:
    """One sandbox shared by the tests that isolate their cases with a tag."""
    return start_sandbox(make_settings(tmp_path_factory.mktemp("sandbox") / "sandbox.sqlite3"))


@pytest.fixture(scope="session")
def client(sandbox: SandboxServer) -> Any:
    return sandbox.client()


@pytest.fixture(scope="session")
def unvalidated_client(sandbox: SandboxServer) -> Any:
    """A client that sends what it is given, so the server's own validation is what answers."""
    return sandbox.client(parameter_validation=False)


@pytest.fixture
def http(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url) as http_client:
        yield http_client


@pytest.fixture
def run_tag() -> dict[str, str]:
    """A tag only this test's cases carry."""
    return {"run": uuid.uuid4().hex}


@pytest.fixture
def valid_fields(ids: DomainIds) -> Callable[..., list[dict[str, Any]]]:
    """The fields of a case the template accepts; keyword arguments replace or add values."""

    def fields(**values: Any) -> list[dict[str, Any]]:
        base: dict[str, Any] = {
            "title": {"stringValue": "Printer on fire"},
            ids.description: {"stringValue": "The office printer started smoking"},
            ids.contact: {"stringValue": "ada@example.com"},
            ids.priority: {"stringValue": "High"},
        }
        base.update(values)
        return [{"id": fid, "value": value} for fid, value in base.items() if value is not None]

    return fields


@pytest.fixture
def new_case(
    client: Any,
    ids: DomainIds,
    run_tag: dict[str, str],
    valid_fields: Callable[..., list[dict[str, Any]]],
) -> Callable[..., str]:
    """Create a valid case tagged with the test's tag; keyword arguments set field values."""

    def create(**values: Any) -> str:
        response = client.create_case(
            domainId=ids.domain,
            templateId=ids.template,
            fields=valid_fields(**values),
            tags=run_tag,
        )
        case_id: str = response["caseId"]
        return case_id

    return create


@pytest.fixture(scope="session")
def check_output(client: Any) -> Callable[[str, dict[str, Any]], None]:
    """Assert a parsed response fits its operation's output shape in botocore's model."""
    model = client.meta.service_model

    def check(operation: str, response: dict[str, Any]) -> None:
        shape = model.operation_model(operation).output_shape
        body = {key: value for key, value in response.items() if key != "ResponseMetadata"}
        report = ParamValidator().validate(body, shape)
        assert not report.has_errors(), report.generate_report()
        assert list(constraint_errors(body, shape, "")) == []

    return check
