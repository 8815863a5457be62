"""The whole stack (Rasa, actions, gateway, sandbox) from the Procfile on free ports.

Used by the end-to-end tests and by the benchmarks: ``running_stack(tmp)`` starts it, waits
until every process answers, yields a ``Stack`` and stops it again.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
import httpx
from mypy_boto3_connectcases import ConnectCasesClient

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "var" / "models" / "current.tar.gz"
BOOT_TIMEOUT_S = 240
DOMAIN_ID = "8a1f5d3e-2c4b-4f6a-9e7d-1b2c3d4e5f60"
TEMPLATE_ID = "c4a2e9b0-7d15-4e2b-8f3a-5b6c7d8e9f01"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stack:
    gateway_url: str
    rasa_url: str
    cases_endpoint: str
    env: dict[str, str]
    log: Path
    #: honcho's process id; the four processes are its children
    supervisor_pid: int = 0

    def process_ids(self) -> dict[str, int]:
        """The pid of each Procfile process, by name (found among honcho's descendants)."""
        names = {"bot.server.run": "rasa", "rasa_sdk": "actions", "api.main": "gateway"}
        names["sandbox.app"] = "sandbox"
        found: dict[str, int] = {}
        pending = [self.supervisor_pid]
        while pending:
            pid = pending.pop()
            for task in Path(f"/proc/{pid}/task").glob("*"):
                try:
                    children = (task / "children").read_text().split()
                except OSError:
                    continue
                for child in children:
                    pending.append(int(child))
                    try:
                        command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
                    except OSError:
                        continue
                    for marker, name in names.items():
                        if marker.encode() in command and b"honcho" not in command:
                            found[name] = int(child)
        return found

    def cases_client(self) -> ConnectCasesClient:
        return boto3.client(
            "connectcases",
            endpoint_url=self.cases_endpoint,
            region_name="us-east-1",
            aws_access_key_id="sandbox",
            aws_secret_access_key="sandbox",
        )


def _wait_ready(urls: dict[str, str], proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + BOOT_TIMEOUT_S
    pending = list(urls.values())
    while pending:
        if proc.poll() is not None:
            raise RuntimeError(f"the stack stopped during start-up:\n{log.read_text()[-6000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"not ready: {pending}\n{log.read_text()[-6000:]}")
        for url in list(pending):
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    pending.remove(url)
            except httpx.HTTPError:
                pass
        time.sleep(0.5)


def stack_env(tmp: Path) -> dict[str, str]:
    """Settings for the four processes on free loopback ports, keeping their files in ``tmp``."""
    ports = {name: free_port() for name in ("rasa", "actions", "gateway", "sandbox", "site")}
    env = {
        "RASA_PORT": str(ports["rasa"]),
        "ACTIONS_PORT": str(ports["actions"]),
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(ports["gateway"]),
        "SANDBOX_PORT": str(ports["sandbox"]),
        # another website, which the browser test serves on this port, may embed the chat
        "HOST_SITE_PORT": str(ports["site"]),
        "WEBCHAT_ALLOWED_ORIGINS": f"http://127.0.0.1:{ports['site']}",
        "RASA_URL": f"http://127.0.0.1:{ports['rasa']}",
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports['actions']}/webhook",
        "ACTIONS_URL": f"http://127.0.0.1:{ports['actions']}",
        "RASA_API_TOKEN": secrets.token_urlsafe(32),
        "RASA_TRACKER_DB": str(tmp / "tracker.db"),
        "RASA_TELEMETRY_ENABLED": "false",
        # every test and benchmark client comes from 127.0.0.1, hundreds of conversations of it
        "RATE_LIMIT_PER_ADDRESS": "0",
        # a scripted conversation sends its turns back to back, faster than any person types
        "RATE_LIMIT_PER_SENDER": "0",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "CASE_BACKEND": "connect",
        "CONNECT_CASES_ENDPOINT_URL": f"http://127.0.0.1:{ports['sandbox']}/connectcases",
        "CONNECT_CASES_DOMAIN_ID": DOMAIN_ID,
        "CONNECT_CASES_TEMPLATE_ID": TEMPLATE_ID,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "sandbox",
        "AWS_SECRET_ACCESS_KEY": "sandbox",
        "CASE_TEMPLATE_FILE": "data/case_template.yaml",
        "DEFAULT_PHONE_REGION": "GB",
        "SANDBOX_DB_PATH": str(tmp / "sandbox.sqlite3"),
        "SANDBOX_SEED_FILE": "data/connect_cases/domain.yaml",
        "CUSTOMER_PROFILES_DOMAIN": "casebot",
        "CUSTOMER_PROFILES_ENDPOINT_URL": f"http://127.0.0.1:{ports['sandbox']}/profiles",
        "AWS_ACCOUNT_ID": "123456789012",
        "SANDBOX_AWS_ACCOUNT_ID": "123456789012",
        "SANDBOX_CUSTOMER_PROFILES_DOMAIN": "casebot",
        "OUTBOX_DB": str(tmp / "outbox.sqlite3"),
        "GATEWAY_INTERNAL_URL": f"http://127.0.0.1:{ports['gateway']}",
        "INTERNAL_API_TOKEN": secrets.token_urlsafe(24),
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(32),
        "WHATSAPP_QUEUE_DB": str(tmp / "whatsapp-queue.sqlite3"),
        "TWILIO_QUEUE_DB": str(tmp / "twilio-queue.sqlite3"),
        "PROACTIVE_QUEUE_DB": str(tmp / "proactive-queue.sqlite3"),
        "NOTICE_QUEUE_DB": str(tmp / "notice-queue.sqlite3"),
        "WHATSAPP_MEDIA_DIR": str(tmp / "media"),
        "ACTIONS_MEDIA_DIR": str(tmp / "media"),
        "CONNECT_INSTANCE_ID": "5e1c0a7d-3b2f-4c6e-9a8d-2f4b6c8e0a13",
        "CONNECT_ENDPOINT_URL": f"http://127.0.0.1:{ports['sandbox']}/connect",
        # read only with CASE_BACKEND=aicc
        "AICC_BASE_URL": f"http://127.0.0.1:{ports['sandbox']}/aicc",
        "AICC_APP_KEY": "sandbox-aicc-key",
        "AICC_APP_SECRET": "sandbox-aicc-secret",
        "AICC_IDEMPOTENCY_DB": str(tmp / "aicc-idempotency.sqlite3"),
    }
    return env


def ready_urls(env: dict[str, str]) -> dict[str, str]:
    """The URL each process answers 200 on once it is ready, by process name."""
    return {
        "sandbox": f"http://127.0.0.1:{env['SANDBOX_PORT']}/healthz",
        "actions": f"http://127.0.0.1:{env['ACTIONS_PORT']}/health",
        "gateway": f"http://127.0.0.1:{env['GATEWAY_PORT']}/readyz",
    }


@contextmanager
def running_stack(tmp: Path, overrides: dict[str, str] | None = None) -> Iterator[Stack]:
    """Start the Procfile with settings for ``tmp`` (plus ``overrides``); stop it after."""
    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: run `make model` (make test does)")
    env = stack_env(tmp)
    env.update(overrides or {})
    env_file = tmp / "stack.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    log = tmp / "stack.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "honcho", "start", "-f", "Procfile", "-e", str(env_file)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if not k.startswith(("RASA_", "CONNECT_"))},
            start_new_session=True,
        )
    try:
        _wait_ready(ready_urls(env), proc, log)
        yield Stack(
            gateway_url=f"http://127.0.0.1:{env['GATEWAY_PORT']}",
            rasa_url=env["RASA_URL"],
            cases_endpoint=env["CONNECT_CASES_ENDPOINT_URL"],
            env=env,
            log=log,
            supervisor_pid=proc.pid,
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
