"""The gateway's settings, read from the environment (and ``.env``) by pydantic-settings."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    actions_url: str = Field(
        default="http://127.0.0.1:5055",
        description="Base URL of the action server, for readiness checks only.",
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
    log_level: str = Field(default="INFO", description="Level of the gateway's log.")
    log_format: Literal["json", "text"] = Field(
        default="json", description="JSON lines (default) or plain text."
    )
    log_redact_pii: bool = Field(
        default=True, description="Mask phone numbers and email addresses in every log line."
    )
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

    whatsapp_verify_token: SecretStr | None = Field(
        default=None,
        description="Token Meta sends in the webhook verification handshake; unset refuses it.",
    )
    whatsapp_app_secret: SecretStr | None = Field(
        default=None,
        description="App Secret that signs WhatsApp webhooks; unset disables the channel (404).",
    )
    whatsapp_access_token: SecretStr | None = Field(
        default=None, description="Bearer token for the Graph API; required with the channel."
    )
    whatsapp_phone_number_id: str | None = Field(
        default=None, description="Graph id of the business phone number replies are sent from."
    )
    whatsapp_api_base_url: str = Field(
        default="http://127.0.0.1:8081/whatsapp",
        description="Base URL of the Graph API (https://graph.facebook.com; default the sandbox).",
    )
    whatsapp_api_version: str = Field(default="v21.0", description="Graph API version.")
    whatsapp_template_name: str | None = Field(
        default=None,
        description="Approved template sent instead of free text outside the 24-hour window.",
    )
    whatsapp_template_language: str = Field(
        default="en", description="Language code of the approved template."
    )
    whatsapp_queue_db: Path = Field(
        default=Path("var/whatsapp-queue.sqlite3"),
        description="SQLite file of the inbound queue, dedup keys, windows and delivery records.",
    )
    whatsapp_media_dir: Path = Field(
        default=Path("var/media"), description="Where media users send is stored."
    )
    whatsapp_media_max_bytes: int = Field(
        default=100 * 1024 * 1024, gt=0, description="Largest media file downloaded."
    )
    whatsapp_send_max_attempts: int = Field(
        default=5, ge=1, description="Attempts per outgoing message on rate limits and 5xx."
    )
    whatsapp_retry_base_seconds: float = Field(
        default=1.0, ge=0, description="First back-off delay; doubled on every further attempt."
    )
    whatsapp_workers: int = Field(
        default=8, ge=1, description="Senders whose messages are processed at the same time."
    )
    agent_whatsapp_numbers: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(),
        description="Comma-separated E.164 numbers whose WhatsApp messages come from agents.",
    )

    @field_validator("agent_whatsapp_numbers", mode="before")
    @classmethod
    def _split_numbers(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple | set | frozenset):
            numbers = ("".join(str(item).split()) for item in value)
            return frozenset(n if n.startswith("+") else f"+{n}" for n in numbers if n.strip("+"))
        return value

    @model_validator(mode="after")
    def _whatsapp_can_reply(self) -> Self:
        if self.whatsapp_app_secret is not None and (
            self.whatsapp_access_token is None or not self.whatsapp_phone_number_id
        ):
            raise ValueError(
                "WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID are required "
                "when WHATSAPP_APP_SECRET enables the WhatsApp channel"
            )
        return self

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
