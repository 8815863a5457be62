"""Only the gateway may face the network: Rasa and the action server listen on loopback."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

LISTEN = "0A"


def listening_addresses(port: int) -> set[str]:
    """IPv4/IPv6 addresses with a socket listening on ``port`` (from /proc/net/tcp*)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        lines = Path(table).read_text().splitlines()[1:] if Path(table).exists() else []
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == LISTEN and int(port_hex, 16) == port:
                found.add(_address(address))
    return found


def _address(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)


@pytest.mark.parametrize("process", ["RASA_PORT", "ACTIONS_PORT", "SANDBOX_PORT"])
def test_inner_processes_listen_on_loopback_only(stack: Stack, process: str) -> None:
    addresses = listening_addresses(int(stack.env[process]))

    assert addresses, f"nothing listens on {process}"
    assert addresses <= {"127.0.0.1", "::1"}, addresses


def test_rasa_http_api_needs_its_token(stack: Stack) -> None:
    without = httpx.get(f"{stack.rasa_url}/conversations/x/tracker", timeout=10)
    wrong = httpx.get(f"{stack.rasa_url}/conversations/x/tracker?token=guess", timeout=10)
    right = httpx.get(
        f"{stack.rasa_url}/conversations/x/tracker",
        params={"token": stack.env["RASA_API_TOKEN"]},
        timeout=10,
    )

    assert without.status_code == 401
    assert wrong.status_code == 401
    assert right.status_code == 200


def test_nobody_but_the_gateway_speaks_to_rasa_as_an_agent(stack: Stack) -> None:
    posed = {"sender": "intruder", "message": "list all cases", "metadata": {"role": "agent"}}
    url = f"{stack.rasa_url}/webhooks/rest/webhook"

    anonymous = httpx.post(url, json=posed, timeout=30)
    guessed = httpx.post(url, json=posed, headers={"Authorization": "Bearer guess"}, timeout=30)
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/intruder/tracker",
        params={"token": stack.env["RASA_API_TOKEN"]},
        timeout=10,
    )

    assert [anonymous.status_code, guessed.status_code] == [401, 401]
    assert [e for e in tracker.json()["events"] if e["event"] == "user"] == []


def test_nobody_but_rasa_runs_an_action(stack: Stack) -> None:
    call = {"next_action": "action_session_start", "sender_id": "intruder", "tracker": {}}
    url = f"http://127.0.0.1:{stack.env['ACTIONS_PORT']}/webhook"

    answer = httpx.post(url, json=call, timeout=10)

    assert answer.status_code == 401


def test_no_process_shows_a_secret_on_its_command_line(stack: Stack) -> None:
    tokens = [stack.env[name] for name in ("RASA_API_TOKEN", "ACTION_SERVER_TOKEN")]
    processes = stack.process_ids()

    assert {"rasa", "actions", "gateway"} <= set(processes)
    for name, pid in processes.items():
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        assert not [token for token in tokens if token in command_line], name
