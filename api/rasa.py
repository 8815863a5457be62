"""Client for the Rasa server: its REST channel for messages, its HTTP API for status.

Exception tree (the HTTP edge turns these into status codes in ``api.errors``)::

    RasaError               Rasa answered, but not with something we can use (4xx, bad JSON)
    └── RasaUnavailable     Rasa could not be reached, timed out or answered 5xx; retry later
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from pydantic import BaseModel, ConfigDict, JsonValue, SecretStr, TypeAdapter, ValidationError

REST_WEBHOOK_PATH = "/webhooks/rest/webhook"
STATUS_PATH = "/status"


class RasaError(Exception):
    """Rasa answered, but not in a way the gateway can use."""


class RasaUnavailable(RasaError):
    """Rasa could not be reached, did not answer in time, or failed (5xx)."""


class Button(BaseModel):
    """A reply button: the title is shown, the payload is sent back when it is chosen."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    title: str
    payload: str


class BotMessage(BaseModel):
    """One message from the bot, in the shape of Rasa's REST channel minus ``recipient_id``."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    text: str | None = None
    buttons: list[Button] | None = None
    image: str | None = None
    custom: JsonValue = None

    def is_empty(self) -> bool:
        """Whether the message carries nothing a channel could show."""
        return not (self.text or self.buttons or self.image or self.custom is not None)


_REPLIES = TypeAdapter(list[BotMessage])


class RasaClient:
    """Talks to one Rasa server over a shared ``httpx.AsyncClient``."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: SecretStr) -> None:
        self._http = http
        # Joined by hand: httpx's URL.join would drop a path prefix such as a proxy's "/rasa".
        self._base_url = base_url.rstrip("/")
        self._token = token

    async def send_message(
        self, sender: str, text: str, metadata: Mapping[str, JsonValue]
    ) -> list[BotMessage]:
        """Send one user message to the conversation ``sender`` and return the bot's replies."""
        body = {"sender": sender, "message": text, "metadata": dict(metadata)}
        url = self._base_url + REST_WEBHOOK_PATH
        try:
            response = await self._http.post(url, json=body)
        except httpx.TimeoutException as exc:
            raise RasaUnavailable("Rasa did not answer in time") from exc
        except httpx.TransportError as exc:
            raise RasaUnavailable(f"Rasa could not be reached: {exc}") from exc
        if response.status_code >= 500:
            raise RasaUnavailable(f"Rasa answered {response.status_code}")
        if response.status_code != 200:
            raise RasaError(f"Rasa answered {response.status_code}")
        try:
            replies = _REPLIES.validate_json(response.content)
        except ValidationError as exc:
            raise RasaError("Rasa's answer is not a list of bot messages") from exc
        return [reply for reply in replies if not reply.is_empty()]

    async def is_ready(self, timeout: float = 5.0) -> bool:
        """Whether Rasa answers its status endpoint, which it does only with a model loaded."""
        url = self._base_url + STATUS_PATH
        try:
            response = await self._http.get(
                url, params={"token": self._token.get_secret_value()}, timeout=timeout
            )
        except httpx.HTTPError:
            return False
        return response.status_code == 200
