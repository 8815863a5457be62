"""Client for Twilio's REST API: send WhatsApp messages, download users' media.

Exception tree::

    TwilioError             Twilio refused the call (a 4xx with Twilio's error JSON)
    └── TwilioUnavailable   Twilio could not be reached, timed out, or answered 429 or 5xx

Every call authenticates with HTTP basic auth: the account SID and its auth token.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from pydantic import SecretStr

from api.media import Saved, TooLarge, save

API_VERSION = "2010-04-01"


class TwilioError(Exception):
    """Twilio refused the call."""

    def __init__(
        self, status: int | None, code: int | None, message: str, too_large: bool = False
    ) -> None:
        super().__init__(f"Twilio error {code} (HTTP {status}): {message}")
        self.status = status
        self.code = code
        self.message = message
        #: a download refused for its size
        self.too_large = too_large

    @property
    def is_transient(self) -> bool:
        """Whether the same call may succeed later: 429, 5xx or no answer."""
        return self.status is None or self.status == 429 or self.status >= 500


class TwilioUnavailable(TwilioError):
    """Twilio could not be reached, did not answer in time, throttled or failed."""


class TwilioClient:
    """Talks to Twilio's REST API for one account over a shared ``httpx.AsyncClient``."""

    def __init__(
        self, http: httpx.AsyncClient, base_url: str, account_sid: str, auth_token: SecretStr
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._account_sid = account_sid
        self._auth_token = auth_token

    @property
    def _auth(self) -> httpx.BasicAuth:
        return httpx.BasicAuth(self._account_sid, self._auth_token.get_secret_value())

    @property
    def messages_url(self) -> str:
        """Where messages are created."""
        return f"{self._base_url}/{API_VERSION}/Accounts/{self._account_sid}/Messages.json"

    async def send(self, fields: dict[str, str]) -> str | None:
        """Create one message from form ``fields`` (From, To, Body, MediaUrl); return its SID."""
        try:
            response = await self._http.post(self.messages_url, data=fields, auth=self._auth)
        except httpx.TransportError as exc:
            raise TwilioUnavailable(None, None, f"Twilio could not be reached: {exc}") from exc
        if response.status_code not in (200, 201):
            raise _error(response)
        sid = _json(response).get("sid")
        return sid if isinstance(sid, str) else None

    async def download(self, url: str, path: Path, max_bytes: int) -> Saved:
        """Save the media at ``url`` to ``path``, up to ``max_bytes``.

        Twilio answers media URLs with a redirect to short-lived storage; httpx drops the
        credentials when a redirect leaves Twilio's host.
        """
        try:
            async with self._http.stream(
                "GET", url, auth=self._auth, follow_redirects=True
            ) as response:
                if response.status_code != 200:
                    await response.aread()
                    raise _error(response)
                return await save(response, path, max_bytes)
        except TooLarge as exc:
            raise TwilioError(200, None, str(exc), too_large=True) from exc
        except httpx.TransportError as exc:
            raise TwilioUnavailable(None, None, f"media download failed: {exc}") from exc


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _error(response: httpx.Response) -> TwilioError:
    body = _json(response)
    code = body.get("code")
    message = body.get("message")
    transient = response.status_code == 429 or response.status_code >= 500
    kind = TwilioUnavailable if transient else TwilioError
    return kind(
        response.status_code,
        code if isinstance(code, int) else None,
        message if isinstance(message, str) else f"HTTP {response.status_code}",
    )
