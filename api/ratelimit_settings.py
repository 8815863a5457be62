"""Settings of the gateway's defences against floods and oversized input.

Kept apart from the rest of ``GatewaySettings``, which inherits them, so that they read as
one concern: rate limits, the proxies whose ``X-Forwarded-For`` is believed, and the limits of
what a webchat client may attach to a message.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode

from api.ratelimit import Rate, parse_networks


class LimitSettings(BaseSettings):
    """Rate limits, trusted proxies and client metadata limits."""

    # On by default: a person chatting sends a message every few seconds at most, in bursts of
    # a few short lines; a script sending faster is held back before it reaches Rasa.
    rate_limit_per_sender: str | None = Field(
        default="30/minute",
        description="Messages one conversation may send, e.g. 30/minute (periods: second, "
        "minute, hour, day); empty or 0 disables. Webchat answers 429, WhatsApp a notice.",
    )
    rate_limit_sender_burst: int = Field(
        default=10, ge=1, description="Messages a quiet conversation may send at once."
    )
    # Many people can share one address (an office, a mobile carrier's NAT), so this is ten
    # conversations' worth: it stops one machine opening conversation after conversation.
    rate_limit_per_address: str | None = Field(
        default="300/minute",
        description="Webchat messages one source address may send, e.g. 300/minute; "
        "empty or 0 disables.",
    )
    rate_limit_address_burst: int = Field(
        default=60, ge=1, description="Webchat messages a quiet address may send at once."
    )
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Comma-separated addresses or CIDR networks of the reverse proxies in "
        "front of the gateway; only their X-Forwarded-For is believed.",
    )
    webchat_max_metadata_bytes: int = Field(
        default=4096,
        gt=0,
        description="Largest webchat client metadata, in bytes of compact JSON; more gets 413.",
    )
    webchat_max_metadata_depth: int = Field(
        default=8,
        gt=0,
        description="Deepest nesting of objects and lists in webchat client metadata; "
        "deeper gets 422.",
    )

    @field_validator("rate_limit_per_sender", "rate_limit_per_address")
    @classmethod
    def _rate(cls, value: str | None) -> str | None:
        Rate.parse(value)
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        parse_networks(value)
        return value
