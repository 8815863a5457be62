"""Starting a turn the user did not start: Rasa's ``trigger_intent`` on its token-protected API.

``POST /conversations/{id}/trigger_intent?token=..&output_channel=collector`` with
``{"name": intent, "entities": {...}}`` runs the intent in the conversation as if the user had
said it, and answers the tracker and, through the collecting output channel, the bot's
messages. Rasa records no metadata with such a turn, so everything the actions need travels
as entities. Errors are ``api.rasa``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, JsonValue, SecretStr, ValidationError

from api.rasa import BotMessage, RasaError, RasaUnavailable

#: no input channel has this name, so Rasa collects the messages and returns them
OUTPUT_CHANNEL = "collector"


class _Tracker(BaseModel):
    model_config = ConfigDict(extra="ignore")

    slots: dict[str, JsonValue] = {}


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    tracker: _Tracker = _Tracker()
    messages: list[BotMessage] = []


@dataclass(frozen=True)
class Triggered:
    """What the bot said in the triggered turn, and its slots after it."""

    messages: list[BotMessage]
    slots: dict[str, JsonValue] = field(default_factory=dict)


class RasaTrigger:
    """Injects intents into Rasa conversations over a shared ``httpx.AsyncClient``."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: SecretStr) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._token = token

    async def trigger(
        self, conversation_id: str, intent: str, entities: Mapping[str, str]
    ) -> Triggered:
        """Run ``intent`` with ``entities`` in the conversation; return what the bot said."""
        # Rasa (Sanic) does not unquote the path: "whatsapp%3A1" would be another conversation
        # than the REST channel's "whatsapp:1", so the colon stays as it is
        conversation = quote(conversation_id, safe=":+@")
        url = f"{self._base_url}/conversations/{conversation}/trigger_intent"
        params = {"token": self._token.get_secret_value(), "output_channel": OUTPUT_CHANNEL}
        body = {"name": intent, "entities": dict(entities)}
        try:
            response = await self._http.post(url, params=params, json=body)
        except httpx.TimeoutException as exc:
            raise RasaUnavailable("Rasa did not answer in time") from exc
        except httpx.TransportError as exc:
            raise RasaUnavailable(f"Rasa could not be reached: {exc}") from exc
        if response.status_code >= 500:
            raise RasaUnavailable(f"Rasa answered {response.status_code}")
        if response.status_code != 200:
            raise RasaError(f"Rasa answered {response.status_code} to trigger_intent {intent}")
        try:
            answer = _Answer.model_validate_json(response.content)
        except ValidationError as exc:
            raise RasaError("Rasa's trigger_intent answer is not a tracker") from exc
        messages = [message for message in answer.messages if not message.is_empty()]
        return Triggered(messages=messages, slots=answer.tracker.slots)
