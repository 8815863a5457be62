"""Client for the WhatsApp Cloud API (Meta's Graph API): send messages, fetch users' media.

Exception tree::

    GraphError              Graph refused the call (a 4xx with Graph's error JSON)
    └── GraphUnavailable    Graph could not be reached, timed out or answered 5xx

``GraphError.code`` is Graph's error code (``131047``...), ``None`` when the answer had none.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from pydantic import BaseModel, ConfigDict, JsonValue, SecretStr, ValidationError

from api.media import Saved, TooLarge, save

# Graph's throttling codes: throughput, pair rate, application and account rate limits.
RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131056})
#: a free-form message outside the 24-hour customer-service window
WINDOW_CLOSED_CODE = 131047


class GraphError(Exception):
    """Graph refused the call."""

    def __init__(
        self, status: int | None, code: int | None, title: str, too_large: bool = False
    ) -> None:
        super().__init__(f"Graph error {code} (HTTP {status}): {title}")
        self.status = status
        self.code = code
        self.title = title
        #: a download refused for its size
        self.too_large = too_large

    @property
    def is_transient(self) -> bool:
        """Whether the same call may succeed later: throttling, 429, 5xx, no answer."""
        return (
            self.code in RATE_LIMIT_CODES
            or self.status is None
            or self.status == 429
            or self.status >= 500
        )

    @property
    def window_closed(self) -> bool:
        """Whether free-form messages may not be sent to the user now."""
        return self.code == WINDOW_CLOSED_CODE


class GraphUnavailable(GraphError):
    """Graph could not be reached, did not answer in time, or failed (5xx)."""


class MediaInfo(BaseModel):
    """Where a media file can be downloaded, for a few minutes."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    url: str
    mime_type: str | None = None
    sha256: str | None = None
    file_size: int | None = None


class GraphClient:
    """Talks to the Graph API for one business phone number over a shared client."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        version: str,
        phone_number_id: str,
        token: SecretStr,
    ) -> None:
        self._http = http
        self._root = f"{base_url.rstrip('/')}/{version}"
        self._phone_number_id = phone_number_id
        self._token = token

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token.get_secret_value()}"}

    async def send(self, body: dict[str, JsonValue]) -> str | None:
        """Send one message; return its wamid."""
        url = f"{self._root}/{self._phone_number_id}/messages"
        response = await self._call("POST", url, json=body)
        messages = _json(response).get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            wamid = messages[0].get("id")
            return wamid if isinstance(wamid, str) else None
        return None

    async def media_info(self, media_id: str) -> MediaInfo:
        """Where and what the user's media ``media_id`` is."""
        response = await self._call("GET", f"{self._root}/{media_id}")
        try:
            return MediaInfo.model_validate_json(response.content)
        except ValidationError as exc:
            raise GraphError(response.status_code, None, "media answer without url") from exc

    async def download(self, url: str, path: Path, max_bytes: int) -> Saved:
        """Save the file at ``url`` (it needs the bearer token too) to ``path``, up to a size."""
        try:
            async with self._http.stream("GET", url, headers=self._auth) as response:
                if response.status_code != 200:
                    await response.aread()
                    raise _error(response)
                return await save(response, path, max_bytes)
        except TooLarge as exc:
            raise GraphError(200, None, str(exc), too_large=True) from exc
        except httpx.TransportError as exc:
            raise GraphUnavailable(None, None, f"media download failed: {exc}") from exc

    async def _call(
        self, method: str, url: str, json: dict[str, JsonValue] | None = None
    ) -> httpx.Response:
        try:
            response = await self._http.request(method, url, json=json, headers=self._auth)
        except httpx.TransportError as exc:
            raise GraphUnavailable(None, None, f"Graph could not be reached: {exc}") from exc
        if response.status_code != 200:
            raise _error(response)
        return response


def _json(response: httpx.Response) -> dict[str, JsonValue]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _error(response: httpx.Response) -> GraphError:
    error = _json(response).get("error")
    code: int | None = None
    title = f"HTTP {response.status_code}"
    if isinstance(error, dict):
        raw_code = error.get("code")
        code = raw_code if isinstance(raw_code, int) else None
        details = error.get("error_data")
        message = error.get("message")
        if isinstance(details, dict) and isinstance(details.get("details"), str):
            title = str(details["details"])
        elif isinstance(message, str):
            title = message
    kind = GraphUnavailable if response.status_code >= 500 else GraphError
    return kind(response.status_code, code, title)
