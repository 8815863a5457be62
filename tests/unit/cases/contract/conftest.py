"""Both case back ends wired to their sandbox stand-ins, behind one ``backend`` fixture.

Connect Cases goes through real boto3 to the sandbox served by uvicorn on a loopback port (boto3
speaks HTTP only); AICC goes through httpx to a fresh sandbox app over ``httpx.ASGITransport``.
A ``Sandbox`` beside each adapter injects faults, counts calls and reads what a case holds that
the interface has no method for (its comments), so the tests can read every write back.

When a live run is switched on (``contract_live``), tests not marked ``standin_only`` for a
back end also run on the real one, as ``connect-live`` or ``aicc-live``, marked ``live``.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
import uvicorn
import yaml
from botocore.config import Config
from contract_live import live_backend, live_contact, stand_in_only, switched_on

from cases.aicc.backend import AiccBackend
from cases.aicc.fields import load_case_types
from cases.aicc.idempotency import SqliteIdempotencyStore
from cases.aicc.token import DEFAULT_TOKEN_PATH, AiccTokenSource
from cases.backend import CaseBackend, CaseDraft
from cases.connect.backend import ConnectCasesBackend
from cases.connect.files import ConnectFiles
from cases.template import load_template_spec
from sandbox.app import create_app
from sandbox.settings import SandboxSettings

REPO = Path(__file__).resolve().parents[4]
SEED_FILE = REPO / "data" / "connect_cases" / "domain.yaml"
SPEC = load_template_spec(REPO / "data" / "case_template.yaml")
AICC_TYPES = load_case_types(REPO / "data" / "aicc" / "case_types.yaml")
INSTANCE = "11111111-2222-3333-4444-555555555555"
#: the sandbox's name for each back end's stand-in, in faults and call counts
SERVICE = {"connect": "connectcases", "aicc": "aicc"}

SANDBOX = pytest.StashKey["Sandbox"]()


class _Server:
    """The sandbox app under uvicorn on a free loopback port, in a background thread."""

    def __init__(self, settings: SandboxSettings) -> None:
        config = uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=0,
            ws="none",
            lifespan="on",
            log_config=None,
            log_level="warning",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self.url = ""

    def __enter__(self) -> _Server:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sandbox did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@dataclass
class Sandbox:
    """The stand-in behind one adapter: its faults, its call counts, what its cases hold."""

    kind: str
    http: httpx.AsyncClient
    #: the Connect Cases boto3 client (Connect only), to read comments the interface cannot
    cases_client: Any = None
    domain_id: str = ""

    @property
    def service(self) -> str:
        return SERVICE[self.kind]

    async def inject(self, **faults: Any) -> None:
        """Put ``faults`` (see ``sandbox.faults.Faults``) in force on this back end."""
        answer = await self.http.put("/_sandbox/faults", json={self.service: faults})
        answer.raise_for_status()

    async def clear_faults(self) -> None:
        (await self.http.delete("/_sandbox/faults")).raise_for_status()

    async def reset_calls(self) -> None:
        (await self.http.post("/_sandbox/calls/reset")).raise_for_status()

    async def calls(self) -> dict[str, int]:
        """Calls this back end's stand-in served since the last reset, by operation."""
        snapshot: dict[str, dict[str, int]] = (await self.http.get("/_sandbox/calls")).json()
        return {op: n for op, n in snapshot.get(self.service, {}).items() if n}

    async def comments(self, case_id: str) -> list[str]:
        """The case's comments as the back end stores them, oldest first."""
        if self.kind == "aicc":
            answer = await self.http.get(f"/aicc/_aicc/cases/{case_id}/comments")
            answer.raise_for_status()
            return [str(comment["content"]) for comment in answer.json()]
        found = self.cases_client.search_related_items(
            domainId=self.domain_id, caseId=case_id, filters=[{"comment": {}}]
        )
        items = sorted(found["relatedItems"], key=lambda item: item["associationTime"])
        return [item["content"]["comment"]["body"] for item in items]


@pytest.fixture(scope="session")
def connect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Server]:
    """One sandbox for every Connect test: each isolates its cases by a contact of its own."""
    settings = SandboxSettings(
        db_path=tmp_path_factory.mktemp("contract") / "sandbox.sqlite3",
        seed_file=SEED_FILE,
        aws_account_id="123456789012",
    )
    with _Server(settings) as server:
        yield server


def _aws_client(service: str, url: str) -> Any:
    # one attempt: botocore's retries are its own policy, not the adapter's, and would hide
    # the error the adapter translates and double the calls counted
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
        config=Config(retries={"max_attempts": 1}),
    )


async def _connect(
    server: _Server, http: httpx.AsyncClient, upload_http: httpx.AsyncClient
) -> tuple[CaseBackend, Sandbox]:
    seed = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    domain_id, template_id = seed["domain"]["domainId"], seed["template"]["templateId"]
    client = _aws_client("connectcases", f"{server.url}/connectcases")
    files = ConnectFiles(_aws_client("connect", f"{server.url}/connect"), INSTANCE, upload_http)
    backend = ConnectCasesBackend(
        client, domain_id, template_id, spec=SPEC, page_size=2, files=files
    )
    return backend, Sandbox("connect", http, cases_client=client, domain_id=domain_id)


def _aicc(http: httpx.AsyncClient, store_path: Path) -> tuple[CaseBackend, Sandbox]:
    base_url = "http://sandbox/aicc"
    backend = AiccBackend(
        http,
        base_url=base_url,
        tokens=AiccTokenSource(
            http, base_url + DEFAULT_TOKEN_PATH, "sandbox-aicc-key", "sandbox-aicc-secret"
        ),
        spec=SPEC,
        case_type_id="casebot",
        case_type=AICC_TYPES["casebot"],
        creator_id="casebot",
        store=SqliteIdempotencyStore(store_path),
        page_size=2,
    )
    return backend, Sandbox("aicc", http)


def _parametrized(mark: pytest.Mark) -> list[str]:
    names = mark.args[0] if mark.args else mark.kwargs.get("argnames", ())
    return [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``backend`` is each stand-in, and each real back end whose live run is switched on."""
    if "backend" not in metafunc.fixturenames or any(
        "backend" in _parametrized(mark) for mark in metafunc.definition.iter_markers("parametrize")
    ):
        return
    params = [pytest.param("connect", id="connect"), pytest.param("aicc", id="aicc")]
    params += [
        pytest.param(f"{kind}-live", id=f"{kind}-live", marks=pytest.mark.live)
        for kind in ("connect", "aicc")
        if switched_on(kind)
        and not stand_in_only(metafunc.definition.iter_markers("standin_only"), kind)
    ]
    metafunc.parametrize("backend", params, indirect=True)


@pytest.fixture
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[CaseBackend]:
    """Each adapter over its stand-in, with no faults and its call counts reset (or, live, the
    real back end the project's factory builds, with ``Sandbox`` reading only what it may).
    """
    kind, _, mode = str(request.param).partition("-")
    if mode == "live":
        monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
        async with live_backend(kind, monkeypatch, tmp_path) as (real, service):
            request.node.stash[SANDBOX] = service  # type: ignore[assignment]
            yield real
        return
    if request.param == "connect":
        server: _Server = request.getfixturevalue("connect_server")
        async with (
            httpx.AsyncClient(base_url=server.url) as http,
            httpx.AsyncClient() as upload_http,
        ):
            adapter, sandbox = await _connect(server, http, upload_http)
            request.node.stash[SANDBOX] = sandbox
            await sandbox.clear_faults()
            await sandbox.reset_calls()
            try:
                yield adapter
            finally:
                await sandbox.clear_faults()
        return
    app = create_app(SandboxSettings(db_path=tmp_path / "sandbox.sqlite3", seed_file=None))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://sandbox"
        ) as http,
    ):
        adapter, sandbox = _aicc(http, tmp_path / "keys.sqlite3")
        request.node.stash[SANDBOX] = sandbox
        yield adapter


@pytest.fixture
def sandbox(backend: CaseBackend, request: pytest.FixtureRequest) -> Sandbox:
    """The stand-in behind ``backend``."""
    return request.node.stash[SANDBOX]


@pytest.fixture
def customer(request: pytest.FixtureRequest) -> str:
    """A contact only this test's cases carry, so searches see nothing else (live, one that
    says where the case came from).
    """
    if request.node.get_closest_marker("live"):
        return live_contact(uuid.uuid4().hex[:12])
    return f"c{uuid.uuid4().hex[:12]}@example.com"


@pytest.fixture
def new_draft(customer: str) -> Any:
    """A valid draft for this test's customer; keyword arguments change its values."""

    def make(**changes: Any) -> CaseDraft:
        values: dict[str, Any] = {
            "title": "Parcel lost",
            "description": "The parcel never arrived.",
            "contact": customer,
            "priority": "High",
            "origin": "WhatsApp",
            "conversation_id": f"whatsapp:{customer}",
            "channel": "whatsapp",
        }
        return CaseDraft(**(values | changes))

    return make
