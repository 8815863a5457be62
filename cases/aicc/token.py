"""The AICC ``access-token``: fetched with the app key and secret, cached, refreshed early.

Huawei's reference publishes it (cec_07_0260): ``POST {base}{token_path}`` (default
``/baas/auth/v1.0/oauth2/token``, setting ``AICC_TOKEN_PATH``) with a form body
``grant_type=client_credentials&client_id=<app key>&client_secret=<app secret>``, answering
``{"access_token": "...", "expires_in": <seconds>, "token_type"}``. The lifetime is not stated
anywhere else, so the answer's ``expires_in`` is what counts; token errors are not published
and any answer without a token is ``BackendUnavailable``.

A token is used until ``refresh_margin`` seconds before it expires. Concurrent callers share
one fetch (an ``asyncio.Lock``), and a token the service turned down is replaced at most once
however many callers saw it refused.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

from cases.backend import BackendUnavailable, Throttled

DEFAULT_TOKEN_PATH = "/baas/auth/v1.0/oauth2/token"


class AiccTokenSource:
    """Hands out a valid access token, fetching a new one only when needed."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        url: str,
        app_key: str,
        app_secret: str,
        *,
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._url = url
        self._app_key = app_key
        self._app_secret = app_secret
        self._margin = refresh_margin
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    async def token(self) -> str:
        """A token good for at least the refresh margin."""
        async with self._lock:
            if self._token is None or self._clock() >= self._expires_at - self._margin:
                await self._fetch()
            assert self._token is not None
            return self._token

    async def replace(self, refused: str) -> str:
        """A new token instead of ``refused``; fetched once even if many callers ask."""
        async with self._lock:
            if self._token is None or self._token == refused:
                await self._fetch()
            assert self._token is not None
            return self._token

    async def _fetch(self) -> None:
        sent_at = self._clock()
        try:
            response = await self._http.post(
                self._url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self._app_key,
                    "client_secret": self._app_secret,
                },
            )
        except httpx.HTTPError as exc:
            raise BackendUnavailable(f"AICC authentication failed: {exc!r}") from exc
        if response.status_code == 429:
            raise Throttled("AICC authentication is throttling us")
        try:
            body = response.json()
            token = str(body["access_token"])
            lifetime = float(body["expires_in"])
        except (ValueError, KeyError, TypeError) as exc:
            raise BackendUnavailable(
                f"AICC authentication answered HTTP {response.status_code} without a token"
            ) from exc
        self._token = token
        self._expires_at = sent_at + lifetime
