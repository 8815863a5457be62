"""Meta's webhook signature: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``."""

from __future__ import annotations

import hashlib
import hmac

from pydantic import SecretStr

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def sign(body: bytes, secret: str) -> str:
    """The header value Meta sends with ``body`` when its App Secret is ``secret``."""
    return _PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def is_signed(body: bytes, header: str | None, secret: SecretStr) -> bool:
    """Whether ``header`` signs exactly these bytes with the App Secret (constant-time)."""
    if not header:
        return False
    expected = sign(body, secret.get_secret_value()).encode()
    given = header.strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected, given)


def tokens_match(given: str | None, expected: SecretStr | None) -> bool:
    """Whether a verification token equals the configured one (constant-time)."""
    if given is None or expected is None:
        return False
    return hmac.compare_digest(given.encode(), expected.get_secret_value().encode())
