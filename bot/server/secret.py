"""The shared secret the gateway sends with every message to Rasa's REST channel.

Plain Python, so it is read and tested without Rasa. The gateway sends
``Authorization: Bearer <RASA_API_TOKEN>``; anything else is refused, compared in constant time.
"""

from __future__ import annotations

import hmac

#: shortest secret Rasa is started with, in characters (make run writes 43)
MIN_TOKEN_CHARS = 32


def bearer_matches(header: str | None, token: str) -> bool:
    """Whether ``header`` (an Authorization value) is ``Bearer <token>``; never for no token."""
    if not token or header is None:
        return False
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def usable_token(token: str | None) -> str:
    """``token`` when it is long enough to be a secret; ``ValueError`` saying why otherwise."""
    if not token or len(token) < MIN_TOKEN_CHARS:
        raise ValueError(
            f"RASA_API_TOKEN must be set to a secret of at least {MIN_TOKEN_CHARS} characters "
            "(make run writes one into .env)"
        )
    return token
