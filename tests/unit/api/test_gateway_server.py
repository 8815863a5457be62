"""How the gateway process is served: limits uvicorn enforces before the app sees anything."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from api.app import create_app
from api.channels.webchat.socket import SocketSlots
from api.main import server_config
from tests.unit.api.served import served


def test_uvicorn_reads_no_websocket_frame_larger_than_the_body_limit(settings_with: Any) -> None:
    config = server_config(settings_with(gateway_max_body_bytes=200_000), "127.0.0.1", 8000)

    # uvicorn's own default is 16 MiB, read whole before the gateway could refuse it
    assert config.ws_max_size == 200_000
    assert config.access_log is False
    assert (config.host, config.port) == ("127.0.0.1", 8000)


async def test_sockets_past_the_per_address_limit_are_refused_until_one_closes(
    settings_with: Any, fake_rasa: Any
) -> None:
    app = create_app(
        settings_with(webchat_max_sockets_per_address=2),
        transport=httpx.MockTransport(fake_rasa),
    )
    with served(app) as address:
        url = f"ws://{address}/webchat/ws"
        first = await connect(url)
        second = await connect(url)
        with pytest.raises(InvalidStatus):
            await connect(url)
        await first.close()
        await asyncio.sleep(0.1)
        third = await connect(url)
        await second.close()
        await third.close()


def test_slots_hold_the_total_across_addresses_and_give_back_what_closes() -> None:
    slots = SocketSlots(total=3, per_address=2)

    taken = [slots.take(a) for a in ("10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.3")]
    assert taken == [True, True, False, True, False]
    slots.give_back("10.0.0.1")
    assert slots.take("10.0.0.3") is True
    assert slots.take("10.0.0.4") is False
