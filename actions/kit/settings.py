"""Settings of the action server itself, read from the environment.

The one-time codes' settings (``OTP_*``, ``SES_ENDPOINT_URL``) sit beside their code in
``actions.otp.settings``, inherited here. The case back end's settings (``CASE_BACKEND``, the
template file, Connect, AICC...) are the back end's own: ``cases.settings`` and the settings
module beside each back end.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from actions.otp.settings import OtpSettings


class ActionSettings(OtpSettings, BaseSettings):
    """What the action server needs to know; every field is an environment variable."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    #: region for phone numbers typed without a +country code (ISO 3166 alpha-2)
    default_phone_region: str = Field(default="GB", min_length=2, max_length=2)
    #: the queue a case goes to when the user asks for a person
    handoff_queue: str = "casebot-handoff"
    #: ``queue``: a person picks the case up from the queue; ``connect_chat``: a live Amazon
    #: Connect chat is started too (CONNECT_CHAT_CONTACT_FLOW_ID), for the gateway to relay
    handoff_mode: Literal["queue", "connect_chat"] = "queue"

    #: inside a form, an answer the NLU reads as a way out (a person, cancel, another request)
    #: below this confidence is taken as the answer; measured with bench/form_exit.py
    form_exit_confidence: float = Field(default=0.7, ge=0, le=1)

    #: mask phone numbers and email addresses in the action server's log
    log_redact_pii: bool = True

    # --- files users send (downloaded by the gateway) ---
    #: the gateway's WHATSAPP_MEDIA_DIR: files are read from inside this folder only
    actions_media_dir: Path = Path("var/media")
    #: largest file attached to a case (AICC takes 5 MB in total, Connect 20 MB a file)
    attachment_max_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    #: days a file no case took stays in the media folder (an attached one goes at once)
    media_retention_days: float = Field(default=7.0, gt=0)

    # --- cases the back end could not take at once ---
    #: SQLite file of submissions waiting for the back end (unless ACTIONS_DATABASE_URL is set,
    #: ``cases.settings``)
    outbox_db: Path = Path("var/outbox.sqlite3")
    #: seconds a create may take while the user waits; slower ones finish from the outbox
    create_deadline_seconds: float = Field(default=8.0, gt=0)
    #: longest wait between two tries of a queued case
    outbox_max_delay_seconds: float = Field(default=300.0, gt=0)
    #: days a queued case is kept once filed or refused
    outbox_retention_days: float = Field(default=30.0, gt=0)
    #: how often the action server removes what its retention settings no longer keep
    retention_purge_every_seconds: float = Field(default=3600.0, gt=0)
    #: the gateway, which delivers notices about queued cases on the user's channel
    gateway_internal_url: str = "http://127.0.0.1:8000"
    #: shared with the gateway (INTERNAL_API_TOKEN) for its internal endpoints
    internal_api_token: SecretStr | None = None
    #: the secret Rasa sends (bot/endpoints.yml); the action server runs no action without it
    action_server_token: SecretStr | None = None

    @field_validator("default_phone_region")
    @classmethod
    def _upper_region(cls, value: str) -> str:
        return value.upper()


@lru_cache(maxsize=1)
def get_settings() -> ActionSettings:
    """The settings of this process, read once."""
    return ActionSettings()
