"""The one client for the Rasa server: user messages, triggered intents and readiness.

User messages go to Rasa's REST channel with ``Authorization: Bearer <RASA_API_TOKEN>``
(bot/server/channel.py takes a message from no one else); a turn the user did not start goes to the
token-protected ``POST /conversations/{id}/trigger_intent?token=..&output_channel=collector``
with ``{"name": intent, "entities": {...}}``, which runs the intent in the conversation as if
the user had said it and answers the tracker and, through the collecting output channel, the
bot's messages. Rasa records no metadata with such a turn, so everything the actions need
travels as entities. A conversation paused for a live chat with a person is resumed with the
event ``{"event": "resume"}`` on ``POST /conversations/{id}/tracker/events?token=..``. What the
bot answered a message already in the conversation is read back from its tracker (``GET
/conversations/{id}/tracker?token=..``), so a turn tried again is answered, not run twice. Every
call goes through one request path with one error mapping.

Rasa reads at most ``max_message_chars`` of a user message: its featurizers run on its event
loop, and some of their steps (Rasa's own, out of our hands) grow faster than the message, so
one very long message would keep every other conversation waiting. The start is what the
classifier needs; the whole text travels beside it as the metadata key ``full_text``, where
the actions take a long description from (``actions.kit.message.latest_text``).

Exception tree (the HTTP edge turns these into status codes in ``api.errors``)::

    RasaError               Rasa answered, but not with something we can use (4xx, bad JSON)
    └── RasaUnavailable     Rasa could not be reached, timed out or answered 5xx; retry later
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, JsonValue, SecretStr, TypeAdapter, ValidationError

from api.observability import correlation_id

REST_WEBHOOK_PATH = "/webhooks/rest/webhook"
STATUS_PATH = "/status"
#: no input channel has this name, so Rasa collects the messages and returns them
OUTPUT_CHANNEL = "collector"
#: the metadata key of a message's whole text, when Rasa is sent only its start
FULL_TEXT_KEY = "full_text"
#: the longest message Rasa reads whole, unless the gateway's settings say otherwise
DEFAULT_MAX_MESSAGE_CHARS = 2_000

T = TypeVar("T")


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


class _Tracker(BaseModel):
    model_config = ConfigDict(extra="ignore")

    slots: dict[str, JsonValue] = {}


class _Event(BaseModel):
    model_config = ConfigDict(extra="ignore")

    event: str
    text: str | None = None
    metadata: dict[str, JsonValue] | None = None
    data: dict[str, JsonValue] | None = None


class _Events(BaseModel):
    model_config = ConfigDict(extra="ignore")

    events: list[_Event] = []


class _Triggered(BaseModel):
    model_config = ConfigDict(extra="ignore")

    tracker: _Tracker = _Tracker()
    messages: list[BotMessage] = []


@dataclass(frozen=True)
class Triggered:
    """What the bot said in the triggered turn, and its slots after it."""

    messages: list[BotMessage]
    slots: dict[str, JsonValue] = field(default_factory=dict)


_REPLIES = TypeAdapter(list[BotMessage])
_TRIGGERED = TypeAdapter(_Triggered)
_EVENTS = TypeAdapter(_Events)
#: the tracker Rasa answers a resume with is not needed: any JSON will do
_RESUMED: TypeAdapter[JsonValue] = TypeAdapter(JsonValue)


class RasaClient:
    """Talks to one Rasa server over a shared ``httpx.AsyncClient``."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        token: SecretStr,
        max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS,
    ) -> None:
        self._http = http
        # Joined by hand: httpx's URL.join would drop a path prefix such as a proxy's "/rasa".
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._max_message_chars = max_message_chars

    async def send_message(
        self, sender: str, text: str, metadata: Mapping[str, JsonValue]
    ) -> list[BotMessage]:
        """Send one user message to the conversation ``sender`` and return the bot's replies.

        A text longer than ``max_message_chars`` goes as its start, and whole as the metadata's
        ``full_text`` (see the module doc).
        """
        told = dict(metadata)
        if len(text) > self._max_message_chars:
            told[FULL_TEXT_KEY] = text
            text = text[: self._max_message_chars]
        body = {"sender": sender, "message": text, "metadata": told}
        replies = await self._post(
            REST_WEBHOOK_PATH, body, {}, _REPLIES, "a list of bot messages", "", bearer=True
        )
        return [reply for reply in replies if not reply.is_empty()]

    async def trigger(
        self, conversation_id: str, intent: str, entities: Mapping[str, str]
    ) -> Triggered:
        """Run ``intent`` with ``entities`` in the conversation; return what the bot said."""
        # Rasa (Sanic) does not unquote the path: "whatsapp%3A1" would be another conversation
        # than the REST channel's "whatsapp:1", so the colon stays as it is
        conversation = quote(conversation_id, safe=":+@")
        params = {"token": self._token.get_secret_value(), "output_channel": OUTPUT_CHANNEL}
        body = {"name": intent, "entities": dict(entities)}
        answer = await self._post(
            f"/conversations/{conversation}/trigger_intent",
            body,
            params,
            _TRIGGERED,
            "a tracker",
            f" to trigger_intent {intent}",
        )
        messages = [message for message in answer.messages if not message.is_empty()]
        return Triggered(messages=messages, slots=answer.tracker.slots)

    async def resume(self, conversation_id: str) -> None:
        """Resume a paused conversation (a live chat with a person is over): the assistant
        answers again from the next message on."""
        conversation = quote(conversation_id, safe=":+@")
        await self._post(
            f"/conversations/{conversation}/tracker/events",
            {"event": "resume"},
            {"token": self._token.get_secret_value()},
            _RESUMED,
            "JSON",
            " to resume the conversation",
        )

    async def replies_to(
        self, conversation_id: str, key: str, value: str
    ) -> list[BotMessage] | None:
        """What the bot answered the latest user message whose metadata holds ``key: value``;
        ``None`` when no such message is in the conversation.

        Rasa saves a message with everything the bot did for it, in one write at the end of
        the turn, so a message found here was answered in full.
        """
        conversation = quote(conversation_id, safe=":+@")
        tracker = await self._request(
            "GET",
            f"/conversations/{conversation}/tracker",
            None,
            {"token": self._token.get_secret_value()},
            _EVENTS,
            "a tracker",
            " to read the conversation",
        )
        events = tracker.events
        found = None
        for index, event in enumerate(events):
            if event.event == "user" and (event.metadata or {}).get(key) == value:
                found = index
        if found is None:
            return None
        replies: list[BotMessage] = []
        for event in events[found + 1 :]:
            if event.event == "user":
                break
            if event.event == "bot":
                data = event.data or {}
                reply = BotMessage.model_validate(
                    {"text": event.text, **{k: data.get(k) for k in ("buttons", "image", "custom")}}
                )
                if not reply.is_empty():
                    replies.append(reply)
        return replies

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

    async def _post(
        self,
        path: str,
        body: dict[str, Any],
        params: dict[str, str],
        answer: TypeAdapter[T],
        expected: str,
        context: str,
        bearer: bool = False,
    ) -> T:
        """POST ``body`` to ``path`` and read the answer (see ``_request``)."""
        return await self._request("POST", path, body, params, answer, expected, context, bearer)

    async def _request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        params: dict[str, str],
        answer: TypeAdapter[T],
        expected: str,
        context: str,
        bearer: bool = False,
    ) -> T:
        """Send ``body`` to ``path`` and read the answer, mapping every failure to the tree;
        ``bearer`` sends the token as ``Authorization`` (the REST channel's check)."""
        # proxies and Rasa's own access log can tie the call to the request that caused it
        correlation = correlation_id.get()
        headers = {} if correlation is None else {"X-Request-ID": correlation}
        if bearer:
            headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        try:
            response = await self._http.request(
                method, self._base_url + path, params=params, json=body, headers=headers
            )
        except httpx.TimeoutException as exc:
            raise RasaUnavailable("Rasa did not answer in time") from exc
        except httpx.TransportError as exc:
            raise RasaUnavailable(f"Rasa could not be reached: {exc}") from exc
        if response.status_code >= 500:
            raise RasaUnavailable(f"Rasa answered {response.status_code}")
        if response.status_code != 200:
            raise RasaError(f"Rasa answered {response.status_code}{context}")
        try:
            return answer.validate_json(response.content)
        except ValidationError as exc:
            raise RasaError(f"Rasa's answer{context} is not {expected}") from exc
