"""The action server as it runs: its /metrics, and the outbox worker filing a queued case kept
in its SQLite file or, with ``ACTIONS_DATABASE_URL``, in PostgreSQL."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from actions.outbox.postgres import PostgresOutbox
from actions.outbox.sqlite import SqliteOutbox
from actions.outbox.store import Outbox
from cases.backend import CaseDraft
from common.postgres import open_pool
from tests.support.databases import fresh_database
from tests.support.services import PostgresServer, postgres_server

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_ID = "8a1f5d3e-2c4b-4f6a-9e7d-1b2c3d4e5f60"
TEMPLATE_ID = "c4a2e9b0-7d15-4e2b-8f3a-5b6c7d8e9f01"
TOKEN = "internal-token-for-tests"
ACTION_SERVER_TOKEN = "action-server-token-for-tests-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Any, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("timed out")


class Notices(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Notices.received.append((self.headers.get("Authorization", ""), body))
        self.send_response(202)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    Notices.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Notices)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Empty for the SQLite file, else a fresh PostgreSQL database."""
    return (
        fresh_database(request.getfixturevalue("postgres")) if request.param == "postgres" else ""
    )


@pytest.fixture
def processes(tmp_path: Path, gateway: str, database_url: str) -> Iterator[dict[str, str]]:
    sandbox_port, actions_port = free_port(), free_port()
    kept = ("CONNECT_", "OUTBOX_", "ACTIONS_DATABASE_URL")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(kept)},
        "SANDBOX_DB_PATH": str(tmp_path / "sandbox.sqlite3"),
        "SANDBOX_SEED_FILE": "data/connect_cases/domain.yaml",
        "CASE_BACKEND": "connect",
        "CONNECT_CASES_ENDPOINT_URL": f"http://127.0.0.1:{sandbox_port}/connectcases",
        "CONNECT_CASES_DOMAIN_ID": DOMAIN_ID,
        "CONNECT_CASES_TEMPLATE_ID": TEMPLATE_ID,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "sandbox",
        "AWS_SECRET_ACCESS_KEY": "sandbox",
        "OUTBOX_DB": str(tmp_path / "outbox.sqlite3"),
        "ACTIONS_DATABASE_URL": database_url,
        "GATEWAY_INTERNAL_URL": gateway,
        "INTERNAL_API_TOKEN": TOKEN,
        "ACTION_SERVER_TOKEN": ACTION_SERVER_TOKEN,
        "SANIC_HOST": "127.0.0.1",
    }
    commands = [
        [sys.executable, "-m", "uvicorn", "sandbox.app:create_app", "--factory",
         "--port", str(sandbox_port)],
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
    ]  # fmt: skip
    log = (tmp_path / "processes.log").open("wb")
    running = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        for command in commands
    ]
    try:
        wait_for(lambda: httpx.get(f"http://127.0.0.1:{sandbox_port}/healthz").is_success)
        wait_for(lambda: httpx.get(f"http://127.0.0.1:{actions_port}/health").is_success)
        yield {
            "sandbox": f"http://127.0.0.1:{sandbox_port}",
            "actions": f"http://127.0.0.1:{actions_port}",
            "outbox": env["OUTBOX_DB"],
            "database": database_url,
            "log": str(tmp_path / "processes.log"),
        }
    finally:
        for process in running:
            process.terminate()
        for process in running:
            process.wait(timeout=30)
        log.close()


@contextlib.contextmanager
def queue(processes: dict[str, str]) -> Iterator[Outbox]:
    """The outbox the running action server reads, opened as another action server would."""
    if not processes["database"]:
        yield SqliteOutbox(Path(processes["outbox"]))
        return
    with contextlib.closing(open_pool(processes["database"])) as pool:
        yield PostgresOutbox(pool)


def test_queued_case_is_filed_by_the_running_action_server_and_the_user_told(
    processes: dict[str, str],
) -> None:
    draft = CaseDraft(
        title="Queued while the back end was down",
        description="Kept in the outbox.",
        contact="+447700900123",
        priority="High",
        origin="WhatsApp",
        conversation_id="whatsapp:447700900123",
        channel="whatsapp",
    )
    with queue(processes) as outbox:
        outbox.put(draft, "queued-key-1")

    wait_for(lambda: Notices.received, seconds=60)

    cases = boto3.client(
        "connectcases",
        endpoint_url=f"{processes['sandbox']}/connectcases",
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
    )
    found = cases.search_cases(
        domainId=DOMAIN_ID,
        filter={"field": {"equalTo": {"id": "title", "value": {"stringValue": draft.title}}}},
        fields=[{"id": "reference_number"}],
    )["cases"]
    assert len(found) == 1
    ref = found[0]["fields"][0]["value"]["stringValue"]
    [(authorization, notice)] = Notices.received
    assert authorization == f"Bearer {TOKEN}"
    assert notice == {
        "conversation_id": "whatsapp:447700900123",
        "channel": "whatsapp",
        "event": "case_filed",
        "case_ref": ref,
        # the submission's key: the gateway tells the user once however often it is sent
        "notice_id": "queued-key-1",
    }
    assert httpx.get(f"{processes['actions']}/ready").json() == {"backend": "ok"}
    metrics = httpx.get(f"{processes['actions']}/metrics").text
    assert "casebot_outbox_depth 0.0" in metrics
    assert "casebot_cases_filed_from_outbox_total 1.0" in metrics


def test_the_running_action_server_runs_actions_for_rasa_only(processes: dict[str, str]) -> None:
    call = {"next_action": "action_session_start", "sender_id": "x", "tracker": {}, "domain": {}}
    url = f"{processes['actions']}/webhook"

    anonymous = httpx.post(url, json=call)
    wrong = httpx.post(url, json=call, headers={"Authorization": "Bearer not-the-token"})
    rasa = httpx.post(url, json=call, headers={"Authorization": f"Bearer {ACTION_SERVER_TOKEN}"})

    assert [anonymous.status_code, wrong.status_code] == [401, 401]
    assert rasa.status_code != 401
    assert httpx.get(f"{processes['actions']}/health").status_code == 200
