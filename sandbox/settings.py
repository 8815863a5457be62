"""Settings of the sandbox process, read from the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SandboxSettings(BaseSettings):
    """Where the sandbox keeps its data and which AWS account and region it pretends to be."""

    model_config = SettingsConfigDict(env_prefix="SANDBOX_", populate_by_name=True, extra="ignore")

    #: SQLite file shared by every stand-in; relative paths are relative to the working directory
    db_path: Path = Path("var/sandbox.sqlite3")
    #: the Connect Cases domain seeded at startup; ``None`` starts with no domain at all
    seed_file: Path | None = Path("data/connect_cases/domain.yaml")
    #: the Customer Profiles domain created at startup; empty starts with no domain at all
    customer_profiles_domain: str | None = "casebot"
    #: bearer token the WhatsApp Graph API stand-in accepts
    whatsapp_access_token: str = "sandbox-whatsapp-token"
    #: the AUTHENTICATION templates the WhatsApp stand-in holds approved, ``name:language``
    #: separated by commas; a send of one is checked as strictly as Graph checks it
    whatsapp_auth_templates: str = "casebot_code:en"
    #: comma-separated email addresses and domains the SES stand-in takes as verified senders
    ses_verified_identities: str = "casebot@example.com"
    #: account SID and auth token the Twilio stand-in accepts (basic auth)
    twilio_account_sid: str = "AC00000000000000000000000000000000"
    twilio_auth_token: str = "sandbox-twilio-token"
    #: app key and secret the AICC stand-in's token interface accepts
    aicc_app_key: str = "sandbox-aicc-key"
    aicc_app_secret: str = "sandbox-aicc-secret"
    #: lifetime of an AICC access token the stand-in issues
    aicc_token_seconds: float = Field(default=3600.0, gt=0)
    #: time zone the AICC stand-in writes its dates in
    aicc_time_zone: str = "UTC"
    #: account id used in every ARN the sandbox makes
    aws_account_id: str = "123456789012"
    #: region used in every ARN; the same variable boto3 reads
    region: str = Field(
        default="us-east-1",
        validation_alias=AliasChoices("region", "AWS_DEFAULT_REGION"),
    )

    @field_validator("seed_file", "customer_profiles_domain", mode="before")
    @classmethod
    def _empty_means_none(cls, value: object) -> object:
        # an empty value is the way to switch seeding off from the environment
        return None if value == "" else value


@lru_cache(maxsize=1)
def get_settings() -> SandboxSettings:
    """Return the process-wide settings (tests call ``get_settings.cache_clear()``)."""
    return SandboxSettings()
