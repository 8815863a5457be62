"""Twilio's request signature: ``X-Twilio-Signature``, checked exactly as Twilio computes it.

The signed string is the full URL Twilio posted to, followed by every POST parameter sorted
by name, each name and value appended with nothing between them (a name sent twice adds each
of its values, sorted). The signature is the Base64 HMAC-SHA1 of that string keyed with the
account's auth token. Twilio's own validators also accept the URL with its default port added
or removed, since proxies differ in how they spell it; so does this one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

SIGNATURE_HEADER = "X-Twilio-Signature"
_DEFAULT_PORTS = {"https": 443, "http": 80}


def signature(url: str, params: Iterable[tuple[str, str]], auth_token: str) -> str:
    """The signature Twilio sends when it posts ``params`` to ``url``."""
    pairs = list(params)
    signed = url
    for name in sorted({name for name, _ in pairs}):
        for value in sorted({value for key, value in pairs if key == name}):
            signed += name + value
    digest = hmac.new(auth_token.encode(), signed.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def url_spellings(url: str) -> list[str]:
    """``url`` as given, without its default port and with it."""
    parts = urlsplit(url)
    default = _DEFAULT_PORTS.get(parts.scheme)
    host = parts.hostname or ""
    userinfo = parts.netloc.rpartition("@")[0]
    prefix = f"{userinfo}@" if userinfo else ""
    if parts.port is not None and parts.port != default:
        return [url]
    without = urlunsplit(parts._replace(netloc=f"{prefix}{host}"))
    with_port = urlunsplit(parts._replace(netloc=f"{prefix}{host}:{default}"))
    return list(dict.fromkeys([url, without, with_port]))


def is_signed(
    url: str, params: Sequence[tuple[str, str]], header: str | None, auth_token: SecretStr
) -> bool:
    """Whether ``header`` is Twilio's signature of this request (constant-time)."""
    if not header:
        return False
    given = header.strip().encode("utf-8", "replace")
    token = auth_token.get_secret_value()
    return any(
        hmac.compare_digest(signature(spelling, params, token).encode(), given)
        for spelling in url_spellings(url)
    )
