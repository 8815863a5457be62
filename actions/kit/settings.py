"""Settings of the action server, read from the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ActionSettings(BaseSettings):
    """What the action server needs to know; every field is an environment variable."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    #: which case back end the actions use
    case_backend: Literal["connect", "aicc"] = "connect"
    #: unset means real AWS; the sandbox serves http://127.0.0.1:8081/connectcases
    connect_cases_endpoint_url: str | None = None
    connect_cases_domain_id: str | None = None
    connect_cases_template_id: str | None = None
    #: unset lets botocore find the region the usual way
    aws_default_region: str | None = None
    #: the Amazon Connect instance whose attached-file store takes the files users send;
    #: unset means files cannot be attached to Connect cases
    connect_instance_id: str | None = None
    #: unset means real AWS; the sandbox serves http://127.0.0.1:8081/connect
    connect_endpoint_url: str | None = None
    connect_cases_connect_timeout: float = Field(default=3.0, gt=0)
    connect_cases_read_timeout: float = Field(default=10.0, gt=0)
    #: the logical case template and its Connect field names, relative to the repo root
    case_template_file: Path = Path("data/case_template.yaml")
    #: how long the template, fields and options read from the back end stay fresh
    template_cache_seconds: float = Field(default=300.0, ge=0)
    #: region for phone numbers typed without a +country code (ISO 3166 alpha-2)
    default_phone_region: str = Field(default="GB", min_length=2, max_length=2)
    #: who the back end records as having made a change
    assistant_name: str = Field(default="casebot", min_length=1)
    #: the queue a case goes to when the user asks for a person
    handoff_queue: str = "casebot-handoff"

    #: mask phone numbers and email addresses in the action server's log
    log_redact_pii: bool = True

    # --- files users send (downloaded by the gateway) ---
    #: the gateway's WHATSAPP_MEDIA_DIR: files are read from inside this folder only
    actions_media_dir: Path = Path("var/media")
    #: largest file attached to a case (AICC takes 5 MB in total, Connect 20 MB a file)
    attachment_max_bytes: int = Field(default=5 * 1024 * 1024, gt=0)

    # --- cases the back end could not take at once ---
    #: SQLite file of submissions waiting for the back end
    outbox_db: Path = Path("var/outbox.sqlite3")
    #: seconds a create may take while the user waits; slower ones finish from the outbox
    create_deadline_seconds: float = Field(default=8.0, gt=0)
    #: longest wait between two tries of a queued case
    outbox_max_delay_seconds: float = Field(default=300.0, gt=0)
    #: the gateway, which delivers notices about queued cases on the user's channel
    gateway_internal_url: str = "http://127.0.0.1:8000"
    #: shared with the gateway (INTERNAL_API_TOKEN) for its internal endpoints
    internal_api_token: SecretStr | None = None

    # --- Amazon Connect Customer Profiles (customer_id of a case) ---
    #: the Customer Profiles domain name; unset means cases carry no customer_id
    customer_profiles_domain: str | None = None
    #: unset means real AWS; the sandbox serves http://127.0.0.1:8081/profiles
    customer_profiles_endpoint_url: str | None = None
    #: create a profile when none matches the contact's phone or email
    customer_profiles_create_missing: bool = True
    #: AWS account id used to build the full profile ARN
    aws_account_id: str = "123456789012"
    #: how long a contact -> profile ARN answer is kept
    customer_profiles_cache_seconds: float = Field(default=3600.0, ge=0)

    # --- Huawei AICC ---
    #: base URL, e.g. https://aicc.example.com (paths /service/AICC__Case/... are appended)
    aicc_base_url: str | None = None
    #: machine-to-machine credentials for the access-token interface
    aicc_app_key: str | None = None
    aicc_app_secret: SecretStr | None = None
    #: case type id new cases get (20 bytes at most)
    aicc_case_type: str = "casebot"
    #: creatorId recorded on new cases
    aicc_creator_id: str = "casebot"
    #: spelling of the auto-assignment flag: the API's example says isAutoAssigned,
    #: its parameter table isAtuoAssigned
    aicc_auto_assigned_key: Literal["isAutoAssigned", "isAtuoAssigned"] = "isAutoAssigned"
    #: time zone dueDate is written in (AICC's format has no zone)
    aicc_time_zone: str = "UTC"
    #: per case type extension fields
    aicc_case_types_file: Path = Path("data/aicc/case_types.yaml")
    aicc_timeout_seconds: float = Field(default=10.0, gt=0)
    #: the authentication interface's path (assumed: AICC does not publish it)
    aicc_token_path: str = "/baas/auth/v1.0/oauth2/token"
    #: a token is replaced this many seconds before it expires
    aicc_token_refresh_margin_seconds: float = Field(default=60.0, ge=0)
    #: SQLite file of idempotency key -> caseId (AICC takes no client token)
    aicc_idempotency_db: Path = Path("var/aicc-idempotency.sqlite3")

    @field_validator("default_phone_region")
    @classmethod
    def _upper_region(cls, value: str) -> str:
        return value.upper()


@lru_cache(maxsize=1)
def get_settings() -> ActionSettings:
    """The settings of this process, read once."""
    return ActionSettings()
