"""The gateway's settings, read from the environment (and ``.env``) by pydantic-settings."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from api.jobs.retention_settings import RetentionSettings
from api.rasa import DEFAULT_MAX_MESSAGE_CHARS
from api.ratelimit_settings import LimitSettings
from common.sandbox_secrets import Held, published_secrets_refused

# UTF-8 needs at most four bytes per character, so a body limit below this multiple would
# refuse messages the character limit allows.
_MAX_UTF8_BYTES_PER_CHAR = 4
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
#: shortest webchat identity secret, in bytes: HS256's own key length
MIN_SECRET_BYTES = 32
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d{1,5})?$")


def _plain(secret: SecretStr | None) -> str | None:
    return None if secret is None else secret.get_secret_value()


def _origin(value: str) -> str:
    """``value`` as an origin (scheme, host, port, no path), or ``ValueError``."""
    origin = value.strip().rstrip("/").lower()
    if not _ORIGIN.match(origin):
        raise ValueError(
            f"WEBCHAT_ALLOWED_ORIGINS holds {value.strip()!r}, which is not an origin "
            "such as https://shop.example.com"
        )
    return origin


class GatewaySettings(LimitSettings, RetentionSettings, BaseSettings):
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
    rasa_max_message_chars: int = Field(
        default=DEFAULT_MAX_MESSAGE_CHARS,
        gt=0,
        description="Longest start of a user message Rasa reads; the actions still get the "
        "whole text (a long description reaches the case whole).",
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
        description="Shared secret (HS256, at least 32 bytes) of the customers' identity "
        "tokens the host site signs; unset means every webchat customer is anonymous.",
    )
    webchat_agent_identity_secret: SecretStr | None = Field(
        default=None,
        description="Shared secret (HS256, at least 32 bytes, not the customers') of agents' "
        "identity tokens (role: agent); unset refuses every agent token.",
    )
    webchat_allowed_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Comma-separated origins (https://shop.example.com) of the sites that may "
        "embed the chat page and hand it an identity token; empty allows none but the gateway.",
    )
    webchat_max_sockets: int = Field(
        default=1000, ge=1, description="Open webchat websockets one gateway process holds."
    )
    webchat_max_sockets_per_address: int = Field(
        default=20, ge=1, description="Open webchat websockets from one source address."
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
    gateway_queue_url: SecretStr | None = Field(
        default=None,
        description="Redis URL (redis://, rediss://, unix://) of everything the gateways share: "
        "queues and dedup keys, channel, outreach and notice records, the webchat inbox and its "
        "live notices, the live chat relay, rate limits; unset keeps them in the *_QUEUE_DB and "
        "HANDOFF_RELAY_DB SQLite files.",
    )
    whatsapp_media_dir: Path = Field(
        default=Path("var/media"), description="Where media users send is stored."
    )
    whatsapp_media_max_bytes: int = Field(
        default=5 * 1024 * 1024,
        gt=0,
        description="Largest media file downloaded (WhatsApp and Twilio); keep it at the "
        "action server's ATTACHMENT_MAX_BYTES, since a larger file is never attached.",
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

    whatsapp_notice_template_name: str | None = Field(
        default=None,
        description="Approved template with one body variable that carries the assistant's "
        "words when it writes first (IVR handoff, case notices) outside the 24-hour window; "
        "unset sends WHATSAPP_TEMPLATE_NAME without them.",
    )
    whatsapp_code_template_name: str | None = Field(
        default=None, description="AUTHENTICATION template one-time codes go in off the window."
    )
    whatsapp_code_template_language: str | None = Field(
        default=None, description="Its language; unset = WHATSAPP_TEMPLATE_LANGUAGE."
    )
    proactive_queue_db: Path = Field(
        default=Path("var/proactive-queue.sqlite3"),
        description="SQLite file of the queue and records of IVR handoffs and case notices.",
    )

    twilio_auth_token: SecretStr | None = Field(
        default=None,
        description="Twilio auth token: checks webhook signatures and authenticates API "
        "calls; unset disables the Twilio channel (404).",
    )
    twilio_account_sid: str | None = Field(
        default=None, description="Twilio account SID (AC...); required with the channel."
    )
    twilio_whatsapp_number: str | None = Field(
        default=None,
        description="The business's WhatsApp sender on Twilio, e.g. whatsapp:+14155238886.",
    )
    twilio_webhook_url: str | None = Field(
        default=None,
        description="The public URL Twilio posts to, exactly as set in the Twilio console; "
        "signatures are computed over it, since proxies rewrite the host.",
    )
    twilio_api_base_url: str = Field(
        default="http://127.0.0.1:8081/twilio",
        description="Base URL of Twilio's REST API (https://api.twilio.com; default the sandbox).",
    )
    twilio_queue_db: Path = Field(
        default=Path("var/twilio-queue.sqlite3"),
        description="SQLite file of the Twilio channel's inbound queue and records.",
    )

    ivr_shared_secret: SecretStr | None = Field(
        default=None,
        description="HMAC-SHA256 secret of X-Casebot-Signature on IVR handoffs; unset "
        "disables POST /webhooks/ivr (404).",
    )
    ivr_answer_seconds: float = Field(
        default=6.0,
        gt=0,
        le=8,
        description="How long an IVR handoff may take before it is answered 'accepted' and "
        "finished in the background; Amazon Connect waits at most 8 s for its Lambda.",
    )
    internal_api_token: SecretStr | None = Field(
        default=None,
        description="Bearer token the action server sends to POST /internal/notices (queued "
        "cases filed or refused); unset disables that endpoint (404).",
    )
    notice_queue_db: Path = Field(
        default=Path("var/notice-queue.sqlite3"),
        description="SQLite file of the queue of notices about queued cases, and of webchat "
        "notices waiting for their conversation's next message.",
    )
    handoff_mode: Literal["queue", "connect_chat"] = Field(
        default="queue",
        description="connect_chat relays the live Amazon Connect chats the action server "
        "starts on a handoff; queue (as the action server's) relays none.",
    )
    handoff_agent_wait_seconds: float = Field(
        default=180.0,
        gt=0,
        description="How long a live chat waits for an agent to join before the customer is "
        "told no one could and the assistant answers again.",
    )
    handoff_relay_db: Path = Field(
        default=Path("var/handoff-relay.sqlite3"),
        description="SQLite file of the live chats relayed, resumed when the gateway starts "
        "(the single-machine default: in Redis instead with GATEWAY_QUEUE_URL).",
    )
    connect_participant_endpoint_url: str | None = Field(
        default=None,
        description="The Connect Participant Service; unset means real AWS.",
    )
    case_events_api_key: SecretStr | None = Field(
        default=None,
        description="API key case change events must carry; unset disables "
        "POST /webhooks/case-events (404).",
    )
    case_events_api_key_header: str = Field(
        default="x-api-key",
        description="Header that carries the key (the EventBridge API destination's "
        "connection sets it).",
    )
    case_events_contact_field_id: str | None = Field(
        default=None,
        description="Id of the case field holding the customer's contact (email or phone) "
        "in case events; unset means no event names a contact.",
    )
    case_events_verified_field_id: str | None = Field(
        default=None,
        description="Id of the case field saying Yes when the case's contact is verified "
        "(provisioning's Contact verified) in case events; unset, or an event without it, "
        "means no notice is sent, since a contact typed into the form may be anyone's.",
    )
    case_events_reference_field_id: str = Field(
        default="reference_number",
        description="Id of the case field holding the reference customers know.",
    )
    case_events_status_field_id: str = Field(
        default="status", description="Id of the case's status field."
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

    @field_validator("webchat_allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple):
            return tuple(_origin(str(item)) for item in value if str(item).strip())
        return value

    @field_validator("webchat_identity_secret", "webchat_agent_identity_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                f"webchat identity secrets must be at least {MIN_SECRET_BYTES} bytes "
                "(openssl rand -hex 32)"
            )
        return value

    @field_validator("gateway_queue_url")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(_REDIS_SCHEMES):
            raise ValueError(
                f"GATEWAY_QUEUE_URL must start with one of {', '.join(_REDIS_SCHEMES)}"
            )
        return value

    @model_validator(mode="after")
    def _agents_have_their_own_key(self) -> Self:
        agents, customers = self.webchat_agent_identity_secret, self.webchat_identity_secret
        if agents and customers and agents.get_secret_value() == customers.get_secret_value():
            raise ValueError(
                "WEBCHAT_AGENT_IDENTITY_SECRET must differ from WEBCHAT_IDENTITY_SECRET: "
                "a customer's token must never verify as an agent's"
            )
        return self

    @model_validator(mode="after")
    def _no_published_secret_for_a_real_service(self) -> Self:
        graph = ("WHATSAPP_API_BASE_URL", self.whatsapp_api_base_url)
        twilio = ("TWILIO_API_BASE_URL", self.twilio_api_base_url)
        held = {
            "WHATSAPP_APP_SECRET": (self.whatsapp_app_secret, graph),
            "WHATSAPP_VERIFY_TOKEN": (self.whatsapp_verify_token, graph),
            "WHATSAPP_ACCESS_TOKEN": (self.whatsapp_access_token, graph),
            "TWILIO_AUTH_TOKEN": (self.twilio_auth_token, twilio),
        }
        refusals = published_secrets_refused(
            Held(name, _plain(secret), *peer) for name, (secret, peer) in held.items()
        )
        if refusals:
            raise ValueError("; ".join(refusals))
        return self

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
    def _twilio_can_reply(self) -> Self:
        if self.twilio_auth_token is not None and not (
            self.twilio_account_sid and self.twilio_whatsapp_number and self.twilio_webhook_url
        ):
            raise ValueError(
                "TWILIO_ACCOUNT_SID, TWILIO_WHATSAPP_NUMBER and TWILIO_WEBHOOK_URL are required "
                "when TWILIO_AUTH_TOKEN enables the Twilio channel"
            )
        return self

    @model_validator(mode="after")
    def _proactive_needs_whatsapp(self) -> Self:
        enabled = self.ivr_shared_secret is not None or self.case_events_api_key is not None
        if enabled and self.whatsapp_app_secret is None:
            raise ValueError(
                "IVR_SHARED_SECRET and CASE_EVENTS_API_KEY reach customers on WhatsApp: "
                "they need the WhatsApp channel (WHATSAPP_APP_SECRET...)"
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
