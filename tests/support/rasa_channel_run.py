"""Serves bot/credentials.yml's channels the way ``rasa run`` does and prints what got through.

    .venv-rasa/bin/python tests/support/rasa_channel_run.py <rasa api token> <action token>

Rasa lives in its own Python 3.10 environment, so the tests (in the other one) run this script
and assert on its JSON: the answer to messages posted to the REST webhook with no token, a
wrong one and the right one, what reached the conversation, and the headers Rasa would send
the action server as bot/endpoints.yml configures it.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["RASA_API_TOKEN"] = sys.argv[1]
os.environ["ACTION_SERVER_TOKEN"] = sys.argv[2]
os.environ.setdefault("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
for unused in ("RASA_TRACKER_DB", "RASA_TRACKER_DB_HOST", "RASA_TRACKER_DB_PORT",
               "RASA_TRACKER_DB_NAME", "RASA_TRACKER_DB_USER", "RASA_TRACKER_DB_PASSWORD",
               "RASA_LOCK_REDIS_HOST", "RASA_LOCK_REDIS_PORT", "RASA_LOCK_REDIS_DB",
               "RASA_LOCK_REDIS_PASSWORD"):  # fmt: skip
    os.environ.setdefault(unused, "unused")

import aiohttp  # noqa: E402
from rasa.core.channels.channel import UserMessage, register  # noqa: E402
from rasa.core.run import create_http_input_channels  # noqa: E402
from rasa.utils.endpoints import read_endpoint_config  # noqa: E402
from sanic import Sanic  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def main() -> dict[str, Any]:
    channels = create_http_input_channels(None, str(ROOT / "bot" / "credentials.yml"))
    received: list[dict[str, Any]] = []

    class Agent:
        """Stands in for Rasa's agent, which ``register`` hands every message to."""

        async def handle_message(self, message: UserMessage) -> None:
            said = {"sender": message.sender_id, "text": message.text}
            received.append({**said, "channel": message.input_channel})

    app = Sanic("casebot_channel_probe", configure_logging=False)
    app.ctx.agent = Agent()
    register(channels, app, route="/webhooks/")
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    body = {"sender": "s1", "message": "hi", "metadata": {"role": "agent"}}
    statuses: dict[str, int] = {}
    tries = {
        "none": {},
        "wrong": {"Authorization": "Bearer not-the-token"},
        "query": {},
        "right": {"Authorization": f"Bearer {sys.argv[1]}"},
    }
    async with aiohttp.ClientSession() as http:
        for name, headers in tries.items():
            params = {"token": sys.argv[1]} if name == "query" else {}
            posted = {**body, "input_channel": "whatsapp"} if name == "right" else body
            async with http.post(url, json=posted, headers=headers, params=params) as answer:
                statuses[name] = answer.status
    server.close()
    await server.wait_closed()
    endpoint = read_endpoint_config(str(ROOT / "bot" / "endpoints.yml"), "action_endpoint")
    deploy = read_endpoint_config(str(ROOT / "deploy" / "endpoints.yml"), "action_endpoint")
    return {
        "channels": [[type(c).__module__, type(c).__name__, c.name()] for c in channels],
        "statuses": statuses,
        "received": received,
        "action_headers": endpoint.headers if endpoint else None,
        "deploy_action_headers": deploy.headers if deploy else None,
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(asyncio.run(main())) + "\n")
