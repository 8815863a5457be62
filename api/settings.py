"""The gateway's settings, read from the environment (and ``.env``) by pydantic-settings."""

from __future__ import annotations

from functools import cache
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# UTF-8 needs at most four bytes per character, so a body limit below this multiple would
# refuse messages the character limit allows.
_MAX_UTF8_BYTES_PER_CHAR = 4


class GatewaySettings(BaseSettings):
    """Everything the gateway process needs to know about its surroundings."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    rasa_url: str = Field(
        default="http://127.0.0.1:5005",
        description="Base URL of the Rasa server (REST channel and HTTP API).",
    )
    rasa_api_token: SecretStr = Field(
        description="Token of Rasa's HTTP API (`rasa run --auth-token`); no default on purpose.",
    )
    rasa_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long one call to Rasa may take, custom actions included.",
    )
    gateway_max_message_chars: int = Field(
        default=32_000,
        gt=0,
        description="Longest user message accepted, in characters; longer ones get 413.",
    )
    gateway_max_body_bytes: int = Field(
        default=512 * 1024,
        gt=0,
        description="Largest request body accepted, in bytes; larger ones get 413 unread.",
    )
    webchat_title: str = Field(default="casebot", description="Title of the webchat page.")
    webchat_identity_secret: SecretStr | None = Field(
        default=None,
        description="Shared secret (HS256) of the identity tokens the host site signs; "
        "unset means every webchat user is anonymous and tokens are refused.",
    )
    webchat_identity_issuer: str | None = Field(
        default=None, description="Required `iss` of identity tokens, when set."
    )
    webchat_identity_audience: str | None = Field(
        default=None, description="Required `aud` of identity tokens, when set."
    )

    @model_validator(mode="after")
    def _body_limit_fits_longest_message(self) -> Self:
        needed = self.gateway_max_message_chars * _MAX_UTF8_BYTES_PER_CHAR
        if self.gateway_max_body_bytes < needed:
            raise ValueError(
                f"GATEWAY_MAX_BODY_BYTES must be at least {needed} "
                f"(4 bytes for each of GATEWAY_MAX_MESSAGE_CHARS={self.gateway_max_message_chars})"
            )
        return self


@cache
def get_settings() -> GatewaySettings:
    """Return the process's settings, read once from the environment."""
    return GatewaySettings()
