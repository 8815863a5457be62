"""Rasa's REST channel and its calls to the action server, as bot/ configures them for Rasa.

Run by the Rasa environment's Python (tests/support/rasa_channel_run.py): the channels
bot/credentials.yml names, served the way ``rasa run`` serves them, and the action endpoint
bot/endpoints.yml and deploy/endpoints.yml give Rasa.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from functools import cache
from typing import Any

import pytest

from tests.support.stack import ROOT

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
RASA_TOKEN = secrets.token_urlsafe(32)
ACTION_TOKEN = secrets.token_urlsafe(32)


@cache
def run() -> dict[str, Any]:
    if not RASA_PYTHON.exists():
        pytest.fail("the Rasa environment is missing: make setup creates it")
    done = subprocess.run(
        [str(RASA_PYTHON), str(ROOT / "tests" / "support" / "rasa_channel_run.py"),
         RASA_TOKEN, ACTION_TOKEN],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_rest_channel_takes_a_message_only_with_the_gateways_token() -> None:
    result = run()

    assert result["channels"] == [["bot.server.channel", "GatewayInput", "rest"]]
    # no token, a wrong one, and the HTTP API's ?token= (which the channel does not read)
    assert result["statuses"] == {"none": 401, "wrong": 401, "query": 401, "right": 200}
    # only the caller with the token spoke, and could not pass as another channel
    assert result["received"] == [{"sender": "s1", "text": "hi", "channel": "rest"}]


def test_rasa_sends_the_action_server_its_token() -> None:
    result = run()

    expected = {"Authorization": f"Bearer {ACTION_TOKEN}"}
    assert result["action_headers"] == expected
    assert result["deploy_action_headers"] == expected
