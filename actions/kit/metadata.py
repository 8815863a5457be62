"""What the gateway vouches for in a message's metadata (never what a client sends).

The gateway sets the top-level keys (``channel``, ``origin``, ``contact``, ``phone``, and
``identity`` from a signed token); a client's own keys only ever travel under ``client``.
"""

from __future__ import annotations

from typing import Any

from actions.kit.slots import CONTACT


def metadata_text(metadata: object, key: str) -> str | None:
    """``metadata[key]`` when ``metadata`` is a dict and the value is non-blank text."""
    if not isinstance(metadata, dict):
        return None
    value: Any = metadata.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def given_contact(metadata: object) -> str | None:
    """The contact the gateway vouches for: its own, the WhatsApp number, or the identity's."""
    identity = metadata.get("identity") if isinstance(metadata, dict) else None
    return (
        metadata_text(metadata, CONTACT)
        or metadata_text(metadata, "phone")
        or metadata_text(identity, "phone")
        or metadata_text(identity, "email")
    )
