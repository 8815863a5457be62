"""Rasa's REST channel, answering only the gateway: ``bot.server.channel.GatewayInput``.

Rasa's own REST channel takes a message from anyone who can reach it, with any metadata, so
anyone on its network could speak as an agent (``{"metadata": {"role": "agent"}}``). This one
is the same channel, under the same name and URL (``/webhooks/rest/webhook``), that first
checks the caller holds the shared secret (``bot.server.secret``); bot/credentials.yml names
it with ``token: ${RASA_API_TOKEN}``.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.rest import RestInput
from sanic.exceptions import Unauthorized
from sanic.request import Request

from bot.server.secret import bearer_matches, usable_token


class GatewayInput(RestInput):
    """The REST channel with ``Authorization: Bearer <token>`` required on every message."""

    def __init__(self, token: str) -> None:
        self._token = usable_token(token)

    @classmethod
    def name(cls) -> str:
        """The REST channel's own name, so its URL and the recorded input channel stay."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GatewayInput:
        """The channel with the ``token`` of its credentials entry."""
        token = (credentials or {}).get("token")
        return cls(token if isinstance(token, str) else "")

    async def _extract_sender(self, req: Request) -> str | None:
        # the REST channel's webhook reads the sender first: nothing of the request is read,
        # and nothing reaches the conversation, before the caller is known
        if not bearer_matches(req.headers.get("authorization"), self._token):
            raise Unauthorized("This channel answers the gateway only.", scheme="Bearer")
        return await super()._extract_sender(req)

    def _extract_input_channel(self, req: Request) -> str:
        # the caller may not name another channel for the message to pass as
        return self.name()
